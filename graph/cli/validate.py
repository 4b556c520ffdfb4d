"""`l4a validate`: the store, one hub or files against the programme's rules."""

from __future__ import annotations

from pathlib import Path

import click

from l4a.graph.cli.common import EXIT_CODES, find_hub_iri, settings_of
from l4a.graph.shacl.report import report_json, report_text, report_turtle
from l4a.graph.shacl.user_shapes import read_user_shapes, user_validator
from l4a.graph.shacl.validation import run_validation, shipped_validator
from l4a.graph.store.factory import open_store


@click.command("validate", epilog=EXIT_CODES)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--hub", help="Validate one hub of the store, by slug, IRI or an unambiguous part of its name.")
@click.option("--proposal", is_flag=True, help="Check the files' hubs as new proposals (completeness rules gate).")
@click.option(
    "--shapes",
    "shapes_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your own SHACL shapes file (SHACL Core or SHACL-SPARQL) instead of the programme's rules.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["en", "fr", "es"]), default="en", show_default=True)
@click.pass_context
def validate_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    hub: str | None,
    proposal: bool,
    shapes_file: Path | None,
    fmt: str,
    lang: str,
) -> None:
    """Check hubs against the Local4Action rules: the whole store, one hub, or files (with the reference data).

    Exits 0 when there is no Violation, 1 when there is any, 2 when the input cannot be read.

    With --shapes, your own shapes run instead: by the project's compiler when it can compile them all, else by
    pySHACL (SHACL-SPARQL, sh:qualifiedValueShape, ...); the report says which engine ran.

    \b
    Examples:
      l4a validate
      l4a validate --hub bilbao-city-of-values --lang es
      l4a validate my-hub.ttl --proposal --format json
      l4a validate --shapes my-rules.ttl --format json
    """
    settings = settings_of(ctx)
    validator = user_validator(read_user_shapes(shapes_file)) if shapes_file is not None else shipped_validator()
    if hub is not None and not files:  # a slug, an IRI or part of its name; the closest listed when unknown
        store = open_store(settings, read_only=True)
        try:
            hub = find_hub_iri(store, settings, hub)
        finally:
            store.close()
    report, owner_of = run_validation(settings, files, hub, proposal, lang, validator, with_owners=fmt == "text")
    if fmt == "json":
        click.echo(report_json(report))
    elif fmt == "turtle":
        click.echo(report_turtle(report, lang))
    else:
        click.echo(report_text(report, validator.model, owner_of, lang))
    ctx.exit(0 if report.conforms else 1)
