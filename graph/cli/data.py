"""`l4a build`, `stats`, `import` and `export`: loading, counting and moving the store's data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from l4a.graph.build import build
from l4a.graph.cli.common import EXIT_CODES, progress_printer, settings_of, with_store
from l4a.graph.cli.output import write_whole
from l4a.graph.stats import store_stats
from l4a.graph.store.exchange import EXPORT_FORMATS, export_whole, import_files


@click.command("build", epilog=EXIT_CODES)
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


HUBS_NOTE = (
    "hubs: the number recorded here from UCLG's public pages, which list at least these (a floor, not a census)."
)


@click.command("stats", epilog=EXIT_CODES)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def stats_command(ctx: click.Context, fmt: str) -> None:
    """Count goals, targets, indicators, manifestos, councils, sections, hubs and triples.

    `hubs` is the number of hubs recorded here from UCLG's public pages, which list at least these: a floor, not a
    census.

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
        click.echo(HUBS_NOTE)


@click.command("import", epilog=EXIT_CODES)
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


@click.command("export", epilog=EXIT_CODES)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="trig",
    show_default=True,
    help="trig, nquads and jsonld keep the named graphs; turtle gives their union.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.option("--with-examples", is_flag=True, help="Also write the fictional demo's graphs (left out by default).")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, output: Path | None, with_examples: bool) -> None:
    """Write the whole store, e.g. as a backup that `l4a import` restores. The fictional demo's graphs
    (graph/examples/...) are left out unless --with-examples.

    \b
    Example:
      l4a export --format nquads -o backup.nq
    """
    store = with_store(ctx, read_only=True)
    base = settings_of(ctx).base_iri
    if output is None:
        export_whole(store, sys.stdout.buffer, fmt, base, with_examples)
        return
    write_whole(output, lambda out: export_whole(store, out, fmt, base, with_examples))  # whole or not at all
