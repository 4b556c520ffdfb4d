"""The `l4a` command: thin click commands over the core; the only place that prints and chooses exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from pyoxigraph import RdfFormat, serialize

from .build import build
from .citations import citations_bibtex, citations_markdown
from .errors import ConfigError, L4AError, UsageError
from .exchange import export_store, import_files
from .gaps import find_gaps
from .namespaces import PREFIXES
from .network import bridges, communities, hub_network, network_graphml, network_json
from .queries import get_query, named_queries, run_named_graph_query, run_named_query
from .report import report_json, report_text, report_turtle
from .settings import Settings, load_settings
from .stats import store_stats
from .store import Store, open_store
from .sync import Related, SyncIndex
from .tabular import rows_as
from .validation import run_validation, shipped_validator

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES = """\b
Exit codes: 0 ok, 1 the data does not conform, 2 usage, input or runtime error."""


class L4AGroup(click.Group):
    """A click group that turns the core's errors into a message on stderr and exit code 2 (or 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except L4AError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def settings_of(ctx: click.Context, **overrides: Any) -> Settings:
    """Settings from defaults, config file, environment and the group's and command's flags."""
    options: dict[str, Any] = dict(ctx.find_root().params)
    config = options.pop("config", None)
    options.update(overrides)
    return load_settings(options, config_file=Path(config) if config else None)


def progress_printer(stage: str, done: int, total: int) -> None:
    """Progress of long loads, on stderr."""
    click.echo(f"[{done}/{total}] {stage}", err=True)


def with_store(ctx: click.Context, read_only: bool = False) -> Store:
    """Open the configured store and close it when the command ends."""
    store = open_store(settings_of(ctx), read_only=read_only)
    ctx.call_on_close(store.close)
    return store


@click.group(cls=L4AGroup, epilog=EXIT_CODES)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), help="Data directory (L4A_DATA_DIR).")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help="Config file (L4A_CONFIG).")
@click.version_option(package_name="l4a")
def main(data_dir: Path | None, config: Path | None) -> None:
    """The Local4Action Hub Graph: UCLG's Local4Action HUBs linked to the SDGs, the Durban manifestos and the
    Policy Councils.

    \b
    Example:
      l4a build && l4a stats
    """


@main.command("build", epilog=EXIT_CODES)
@click.option(
    "--add",
    "extra",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also import this RDF file (repeatable), e.g. synthetic hubs for a benchmark.",
)
@click.option("--with-examples", is_flag=True, help="Also load the fictional demo hub and its monitoring figures.")
@click.option("--quiet", is_flag=True, help="Do not print progress.")
@click.pass_context
def build_command(ctx: click.Context, extra: tuple[Path, ...], with_examples: bool, quiet: bool) -> None:
    """Load the ontology, the SDG and UCLG reference data and the verified hubs into the store.

    Each source is its own named graph and is replaced, so building twice gives the same store.

    \b
    Example:
      L4A_DATA_DIR=/tmp/l4a l4a build
    """
    settings = settings_of(ctx)
    store = with_store(ctx)
    report = build(
        store, settings.base_iri, extra, progress=None if quiet else progress_printer, with_examples=with_examples
    )
    if not quiet:
        click.echo(
            f"Built {len(report.graphs)} shipped graphs and {len(report.imports)} extra files "
            f"into {settings.store_path()}.",
            err=True,
        )


@main.command("stats", epilog=EXIT_CODES)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def stats_command(ctx: click.Context, fmt: str) -> None:
    """Count goals, targets, indicators, manifestos, councils, sections, hubs and triples.

    \b
    Example:
      l4a stats --format json
    """
    counts = store_stats(with_store(ctx, read_only=True))
    if fmt == "json":
        click.echo(json.dumps(counts))
    else:
        width = max(len(k) for k in counts)
        for key, value in counts.items():
            click.echo(f"{key.replace('_', ' '):<{width}}  {value:>10,}")


@main.command("import", epilog=EXIT_CODES)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--graph", help="Named graph for triples outside any graph (default: graph/import/<file name>).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "trig", "ntriples", "nquads", "jsonld", "rdfxml"]),
    help="Format of the files (default: from the extension).",
)
@click.pass_context
def import_command(ctx: click.Context, files: tuple[Path, ...], graph: str | None, fmt: str | None) -> None:
    """Import RDF files (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML).

    Every file is parsed completely first: if one is malformed, nothing is loaded. Each named graph a file
    holds replaces the graph of that name in the store.

    \b
    Example:
      l4a import extra-hubs.trig
      l4a import notes.ttl --graph https://w3id.org/l4a/graph/notes
    """
    settings = settings_of(ctx)
    store = with_store(ctx)
    for report in import_files(store, files, graph, fmt, settings.base_iri):
        click.echo(f"{report.path}: {report.quads} quads into {len(report.graphs)} graph(s)", err=True)


@main.command("export", epilog=EXIT_CODES)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["trig", "nquads", "turtle", "jsonld"]),
    default="trig",
    show_default=True,
    help="trig, nquads and jsonld keep the named graphs; turtle gives their union.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Write the whole store, e.g. as a backup that `l4a import` restores.

    \b
    Example:
      l4a export --format nquads -o backup.nq
    """
    store = with_store(ctx, read_only=True)
    if output is None:
        export_store(store, sys.stdout.buffer, fmt)
        return
    partial = output.with_name(output.name + ".partial")
    with partial.open("wb") as out:
        export_store(store, out, fmt)
    partial.replace(output)


@main.command("validate", epilog=EXIT_CODES)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--hub", help="Validate one hub of the store, by slug or IRI.")
@click.option("--proposal", is_flag=True, help="Check the files' hubs as new proposals (completeness rules gate).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["en", "fr", "es"]), default="en", show_default=True)
@click.pass_context
def validate_command(
    ctx: click.Context, files: tuple[Path, ...], hub: str | None, proposal: bool, fmt: str, lang: str
) -> None:
    """Check hubs against the Local4Action rules: the whole store, one hub, or files (with the reference data).

    Exits 0 when there is no Violation, 1 when there is any, 2 when the input cannot be read.

    \b
    Examples:
      l4a validate
      l4a validate --hub bilbao-city-of-values --lang es
      l4a validate my-hub.ttl --proposal --format json
    """
    settings = settings_of(ctx)
    report, owner_of = run_validation(settings, files, hub, proposal, lang)
    if fmt == "json":
        click.echo(report_json(report))
    elif fmt == "turtle":
        click.echo(report_turtle(report, lang))
    else:
        click.echo(report_text(report, shipped_validator().model, owner_of, lang))
    ctx.exit(0 if report.conforms else 1)


@main.group("query", epilog=EXIT_CODES)
def query_group() -> None:
    """The named SPARQL queries of queries/*.rq: list them, show one, run one with parameters.

    \b
    Example:
      l4a query run hubs-by-sdg -p sdg=11.3 --format csv
    """


@query_group.command("list", epilog=EXIT_CODES)
def query_list() -> None:
    """List the named queries with their titles.

    \b
    Example:
      l4a query list
    """
    for query in named_queries().values():
        click.echo(f"{query.name:<24} {query.title}")


@query_group.command("show", epilog=EXIT_CODES)
@click.argument("name")
def query_show(name: str) -> None:
    """Show a named query: its description, parameters, columns and text.

    \b
    Example:
      l4a query show hubs-by-sdg
    """
    click.echo(get_query(name).text)


@query_group.command("run", epilog=EXIT_CODES)
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, help="A parameter as key=value (repeatable).")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "turtle"]), default="table", show_default=True
)
@click.pass_context
def query_run(ctx: click.Context, name: str, params: tuple[str, ...], fmt: str) -> None:
    """Run a named query with bound parameters (values are never pasted into the query text).

    \b
    Example:
      l4a query run hubs-by-sdg -p sdg=17
    """
    given = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"a parameter is given as key=value; got {item!r}.")
        given[key.strip()] = value
    settings = settings_of(ctx)
    query = get_query(name)
    if fmt == "turtle":
        triples = run_named_graph_query(with_store(ctx, read_only=True), name, given, settings.base_iri)
        click.echo((serialize(triples, format=RdfFormat.TURTLE, prefixes=PREFIXES) or b"").decode())
        return
    rows = run_named_query(with_store(ctx, read_only=True), name, given, settings.base_iri)
    columns = query.columns or sorted({k for row in rows for k in row})
    click.echo(rows_as(rows, columns, fmt))


def hub_iri(settings: Settings, hub: str) -> str:
    """A hub given by slug or IRI."""
    return hub if hub.startswith(("http://", "https://")) else f"{settings.base_iri}id/hub/{hub}"


def index_and_hub(ctx: click.Context, hub: str) -> tuple[SyncIndex, str]:
    """The synchronization index of the store, and the IRI of a hub in it (slug or IRI given)."""
    index = SyncIndex.from_store(with_store(ctx, read_only=True))
    iri = hub_iri(settings_of(ctx), hub)
    if iri not in index.hubs:
        raise UsageError(f"there is no hub {hub!r} in the store.")
    return index, iri


def print_related(found: list[Related], fmt: str) -> None:
    """Related hubs as a table with their reasons, or as JSON."""
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in found], indent=2, ensure_ascii=False))
        return
    for r in found:
        click.echo(f"{r.score:7.3f}  {r.label or r.hub}")
        for reason in r.reasons:
            click.echo(f"         +{reason.contribution:.3f}  {reason.kind}: {reason.label}")


@main.command("related", epilog=EXIT_CODES)
@click.argument("hub")
@click.option("--limit", type=int, default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def related_command(ctx: click.Context, hub: str, limit: int, fmt: str) -> None:
    """Hubs related to HUB (slug or IRI), best first, with the shared concepts that make up each score.

    \b
    Example:
      l4a related bilbao-city-of-values --format json
    """
    index, iri = index_and_hub(ctx, hub)
    print_related(index.related(iri, limit), fmt)


@main.command("partners", epilog=EXIT_CODES)
@click.argument("hub")
@click.option("--limit", type=int, default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def partners_command(ctx: click.Context, hub: str, limit: int, fmt: str) -> None:
    """Potential synchronization partners of HUB: related, active at the same time, not linked yet.

    \b
    Example:
      l4a partners valongo-participation4all
    """
    index, iri = index_and_hub(ctx, hub)
    print_related(index.partners(iri, limit), fmt)


@main.command("communities", epilog=EXIT_CODES)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def communities_command(ctx: click.Context, fmt: str) -> None:
    """Communities of related hubs (Louvain) and the bridge hubs between them (betweenness).

    \b
    Example:
      l4a communities --format json
    """
    index = SyncIndex.from_store(with_store(ctx, read_only=True))
    graph = hub_network(index)
    groups = communities(graph)
    bridge_hubs = bridges(graph)
    if fmt == "json":
        data = {"communities": groups, "bridges": [{"hub": h, "betweenness": round(b, 6)} for h, b in bridge_hubs]}
        click.echo(json.dumps(data, indent=2))
        return
    for number, group in enumerate(groups, start=1):
        click.echo(f"Community {number} ({len(group)} hubs)")
        for hub in group:
            click.echo(f"  {index.hubs[hub].label or hub}")
    click.echo("Bridge hubs")
    for hub, value in bridge_hubs:
        click.echo(f"  {value:.3f}  {index.hubs[hub].label or hub}")


@main.command("network", epilog=EXIT_CODES)
@click.option("--format", "fmt", type=click.Choice(["json", "graphml"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.pass_context
def network_command(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Export the hub network (hubs joined to their most related hubs) as node-link JSON or GraphML.

    \b
    Example:
      l4a network --format graphml -o hubs.graphml
    """
    graph = hub_network(SyncIndex.from_store(with_store(ctx, read_only=True)))
    data = network_json(graph).encode() if fmt == "json" else network_graphml(graph)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)


@main.command("evidence", epilog=EXIT_CODES)
@click.option("--sdg", help="An SDG target or goal (11.3, 11, SDG 5 or the UN IRI); a goal rolls up its targets.")
@click.option("--manifesto", help="A Durban manifesto, by slug (ecology) or IRI.")
@click.option("--council", help="A Policy Council, by slug or IRI.")
@click.option("--section", help="A UCLG section, by slug or IRI.")
@click.option("--from", "start", help="Earliest evidence date (YYYY-MM-DD).")
@click.option("--to", "end", help="Latest evidence date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "md", "bibtex"]), default="md", show_default=True)
@click.pass_context
def evidence_command(
    ctx: click.Context,
    sdg: str | None,
    manifesto: str | None,
    council: str | None,
    section: str | None,
    start: str | None,
    end: str | None,
    fmt: str,
) -> None:
    """Evidence for a claim, with citations: Markdown or BibTeX to paste, CSV or JSON to work with.

    \b
    Example:
      l4a evidence --sdg 5 --format md
    """
    given = {"sdg": sdg, "manifesto": manifesto, "council": council, "section": section, "from": start, "to": end}
    settings = settings_of(ctx)
    rows = run_named_query(
        with_store(ctx, read_only=True),
        "evidence-for",
        {k: v for k, v in given.items() if v is not None},
        settings.base_iri,
    )
    if fmt == "md":
        click.echo(citations_markdown(rows))
    elif fmt == "bibtex":
        click.echo(citations_bibtex(rows))
    else:
        columns = ["evidence", "url", "type", "date", "language", "publisher", "hub", "title"]
        click.echo(rows_as(rows, columns, fmt))


@main.command("gaps", epilog=EXIT_CODES)
@click.option("--council", help="Count only the hubs of this Policy Council or its lineage (slug or IRI).")
@click.option("--section", help="Count only the hubs of this UCLG section (slug or IRI).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.pass_context
def gaps_command(ctx: click.Context, council: str | None, section: str | None, fmt: str) -> None:
    """SDG targets and Durban manifestos that no hub addresses, optionally counting only the hubs of a council
    (of either term) or of a section.

    \b
    Example:
      l4a gaps --section cemr --format csv
    """
    found = find_gaps(with_store(ctx, read_only=True), council, section, settings_of(ctx).base_iri)
    click.echo(json.dumps(found.as_dict(), indent=2) if fmt == "json" else found.as_text(fmt))


@main.command("serve", epilog=EXIT_CODES)
@click.option("--host", help="Address to bind (default 127.0.0.1; L4A_HOST).")
@click.option("--port", type=int, help="Port (default 5000; L4A_PORT).")
@click.option("--threads", type=int, help="Worker threads (default 8; L4A_THREADS).")
@click.option(
    "--dev",
    is_flag=True,
    help="Development: without L4A_SECRET_KEY, a random key for this run (sessions end with it); without L4A_STAFF, "
    "a staff member 'dev' whose token for this run is printed.",
)
@click.pass_context
def serve_command(ctx: click.Context, host: str | None, port: int | None, threads: int | None, dev: bool) -> None:
    """Serve the web app with waitress, building the store first if it is empty.

    Production needs L4A_SECRET_KEY (it signs the forms' sessions); without it `l4a serve` refuses to start,
    unless --dev.

    \b
    Example:
      L4A_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))') l4a serve --port 8080
    """
    import waitress

    from l4a.web import create_app  # the CLI is the one edge that starts the web app

    settings = settings_of(ctx, host=host, port=port, threads=threads)
    if not dev and len(settings.secret_key) < 32:
        raise ConfigError(
            "l4a serve needs a secret key of at least 32 characters in L4A_SECRET_KEY (it signs the forms' sessions), "
            "e.g. from: python3 -c 'import secrets; print(secrets.token_hex(32))'. Use --dev to run without one."
        )
    if dev and not settings.staff:
        import dataclasses
        import secrets

        from .settings import token_sha256

        token = secrets.token_urlsafe(24)
        settings = dataclasses.replace(settings, staff=(f"dev:{token_sha256(token)}",))
        click.echo(f"Staff sign-in for this run (/staff/sign-in): name dev, token {token}", err=True)
    app = create_app(settings=settings, build_if_empty=True, warm=True)
    click.echo(f"Serving the Local4Action Hub Graph on http://{settings.host}:{settings.port}/", err=True)
    waitress.serve(app, host=settings.host, port=settings.port, threads=settings.threads)


from . import cli_monitor, cli_proposals  # noqa: E402,F401  (registers `monitor`, `propose`, `proposals` on main)

if __name__ == "__main__":  # pragma: no cover
    main()
