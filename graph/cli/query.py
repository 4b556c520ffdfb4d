"""`l4a query list|show|run`: the named SPARQL queries."""

from __future__ import annotations

import click
from pyoxigraph import RdfFormat, serialize

from l4a.graph.cli.common import EXIT_CODES, settings_of, with_store
from l4a.graph.errors import UsageError
from l4a.graph.namespaces import PREFIXES
from l4a.graph.sparql.queries import get_query, named_queries, run_named_graph_query, run_named_query
from l4a.graph.sparql.tabular import rows_as


@click.group("query", epilog=EXIT_CODES)
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
@click.option(
    "--include-suggested",
    is_flag=True,
    help="Count pending suggestions too, each row from one marked in a `suggested` column (hubs-by-sdg, "
    "hubs-by-council, hubs-by-manifesto, sdg-gaps, manifesto-gaps).",
)
@click.pass_context
def query_run(ctx: click.Context, name: str, params: tuple[str, ...], fmt: str, include_suggested: bool) -> None:
    """Run a named query with bound parameters (values are never pasted into the query text).

    \b
    Example:
      l4a query run hubs-by-sdg -p sdg=17
      l4a query run hubs-by-council -p council=multilevel-governance-regaining-trust --include-suggested
    """
    given = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"a parameter is given as key=value; got {item!r}.")
        given[key.strip()] = value
    settings = settings_of(ctx)
    query = get_query(name, include_suggested)
    if fmt == "turtle":
        triples = run_named_graph_query(with_store(ctx, read_only=True), name, given, settings.base_iri)
        click.echo((serialize(triples, format=RdfFormat.TURTLE, prefixes=PREFIXES) or b"").decode())
        return
    rows = run_named_query(with_store(ctx, read_only=True), name, given, settings.base_iri, include_suggested)
    columns = query.columns or sorted({k for row in rows for k in row})
    click.echo(rows_as(rows, columns, fmt))
