"""`l4a related`, `partners`, `communities`, `network` and `gaps`: the synchronization engine."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from l4a.graph.cli.common import EXIT_CODES, index_and_hub, settings_of, with_store
from l4a.graph.cli.output import write_whole
from l4a.graph.sync.gaps import find_gaps
from l4a.graph.sync.index import Related, SyncIndex
from l4a.graph.sync.suggested import SuggestedIndex
from l4a.graph.text.json_text import pretty_json

INCLUDE_SUGGESTED = click.option(
    "--include-suggested",
    is_flag=True,
    help="Count pending suggestions as links too (never by default); each result that counted one is marked.",
)
SUGGESTED_MARK = "suggested, not confirmed"
DERIVED_MARK = "derived"


def _index_and_hub(ctx: click.Context, hub: str, include_suggested: bool) -> tuple[SyncIndex, str]:
    index, iri = index_and_hub(ctx, hub)
    if include_suggested:
        index = SuggestedIndex.from_index(index, with_store(ctx, read_only=True))
    return index, iri


def print_related(found: list[Related], fmt: str) -> None:
    """Related hubs as a table with their reasons, or as JSON."""
    if fmt == "json":
        click.echo(pretty_json([r.as_dict() for r in found]))
        return
    for r in found:
        click.echo(f"{r.score:7.3f}  {r.label or r.hub}" + (f"  [{SUGGESTED_MARK}]" if r.suggested else ""))
        for reason in r.reasons:
            mark = f" ({SUGGESTED_MARK})" if reason.suggested else ""
            mark += f" ({DERIVED_MARK})" if reason.derived else ""  # the project's inference, not a source's
            click.echo(f"         +{reason.contribution:.3f}  {reason.kind}: {reason.label}{mark}")


@click.command("related", epilog=EXIT_CODES)
@click.argument("hub")
@click.option("--limit", type=int, default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@INCLUDE_SUGGESTED
@click.pass_context
def related_command(ctx: click.Context, hub: str, limit: int, fmt: str, include_suggested: bool) -> None:
    """Hubs related to HUB (slug, IRI, or part of its slug or title), best first, with what makes up each score.

    \b
    Example:
      l4a related bilbao --format json
    """
    index, iri = _index_and_hub(ctx, hub, include_suggested)
    found = index.related(iri, limit)
    print_related(found, fmt)
    if not found and fmt == "table":
        click.echo(f"No hub is related to {iri}: related hubs share an SDG target or goal, a manifesto, a Policy "
                   "Council or a section, overlap in time or build on each other, and this hub shares none of these "
                   "with another hub yet. Adding its SDG targets or manifestos (or more hubs) would fill this"
                   + ("." if include_suggested else "; --include-suggested also counts pending suggestions."),
                   err=True)  # fmt: skip


@click.command("partners", epilog=EXIT_CODES)
@click.argument("hub")
@click.option("--limit", type=int, default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@INCLUDE_SUGGESTED
@click.pass_context
def partners_command(ctx: click.Context, hub: str, limit: int, fmt: str, include_suggested: bool) -> None:
    """Potential synchronization partners of HUB: related, not linked yet, active at the same time (or with a time
    frame not recorded).

    \b
    Example:
      l4a partners valongo-participation4all --include-suggested
    """
    index, iri = _index_and_hub(ctx, hub, include_suggested)
    found = index.partners(iri, limit)
    print_related(found, fmt)
    if not found and fmt == "table":
        click.echo(f"No potential partner for {iri}: partners are related hubs not linked to it yet and not known to "
                   "run at other times, and no hub is such a hub yet. Recording the hubs' SDG targets, manifestos or "
                   "councils would fill this"
                   + ("." if include_suggested else "; --include-suggested also counts pending suggestions."),
                   err=True)  # fmt: skip


@click.command("communities", epilog=EXIT_CODES)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def communities_command(ctx: click.Context, fmt: str) -> None:
    """Communities of related hubs (Louvain) and the bridge hubs between them (betweenness).

    \b
    Example:
      l4a communities --format json
    """
    store = with_store(ctx, read_only=True)
    from l4a.graph.sync.network import store_measures  # networkx: only when needed

    measures = store_measures(store)
    groups, bridge_hubs = measures.groups, measures.bridges
    index = SyncIndex.from_store(store)
    if fmt == "json":
        data = {"communities": groups, "bridges": [{"hub": h, "betweenness": round(b, 6)} for h, b in bridge_hubs]}
        click.echo(pretty_json(data, ensure_ascii=True))
        return
    for number, group in enumerate(groups, start=1):
        click.echo(f"Community {number} ({len(group)} hubs)")
        for hub in group:
            click.echo(f"  {index.hubs[hub].label or hub}")
    click.echo("Bridge hubs")
    for hub, value in bridge_hubs:
        click.echo(f"  {value:.3f}  {index.hubs[hub].label or hub}")


@click.command("network", epilog=EXIT_CODES)
@click.option("--format", "fmt", type=click.Choice(["json", "graphml"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.pass_context
def network_command(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Export the hub network (hubs joined to their most related hubs) as node-link JSON or GraphML.

    \b
    Example:
      l4a network --format graphml -o hubs.graphml
    """
    from l4a.graph.sync.network import network_file  # networkx: only when needed

    store = with_store(ctx, read_only=True)
    if output is None:
        network_file(store, fmt, sys.stdout.buffer)
        return
    write_whole(output, lambda out: network_file(store, fmt, out))  # whole or not at all


@click.command("gaps", epilog=EXIT_CODES)
@click.option("--council", help="Count only the hubs of this Policy Council or its lineage (slug or IRI).")
@click.option("--section", help="Count only the hubs of this UCLG section (slug or IRI).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@INCLUDE_SUGGESTED
@click.pass_context
def gaps_command(
    ctx: click.Context, council: str | None, section: str | None, fmt: str, include_suggested: bool
) -> None:
    """SDG targets and Durban manifestos that no hub records a link to, and the goals hubs are linked to without
    any target recorded ("goal 5: 2 hubs, no target recorded"), optionally counting only the hubs of a council (of
    either term) or of a section. A gap is an absence of records, not a fact about the hubs. Apart, the gaps pending
    suggestions would fill ("suggested, not confirmed"), which --include-suggested counts.

    \b
    Example:
      l4a gaps --section cemr --format csv
    """
    found = find_gaps(with_store(ctx, read_only=True), council, section, settings_of(ctx).base_iri, include_suggested)
    click.echo(pretty_json(found.as_dict(), ensure_ascii=True) if fmt == "json" else found.as_text(fmt))
