"""`l4a hubs`: every hub with its slug, the name the other commands take."""

from __future__ import annotations

import click

from l4a.graph.cli.common import EXIT_CODES, with_store
from l4a.graph.reports.hub_table import HubTable
from l4a.graph.text.json_text import pretty_json


@click.command("hubs", epilog=EXIT_CODES)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def hubs_command(ctx: click.Context, fmt: str) -> None:
    """List the hubs with their slugs (what `l4a related`, `partners`, `validate --hub` ... take).

    A hub argument of the other commands also takes the hub's IRI or an unambiguous part of its slug or title.

    \b
    Example:
      l4a hubs && l4a related bilbao
    """
    rows = HubTable.from_store(with_store(ctx, read_only=True)).rows
    if fmt == "json":
        found = [
            {"slug": r.slug, "hub": r.iri, "names": r.names, "city": r.city, "countries": sorted(r.values("countries")),
             "start": r.start, "end": r.end}
            for r in rows
        ]  # fmt: skip
        click.echo(pretty_json(found))
        return
    if not rows:
        click.echo("No hub in the store: `l4a build` loads the shipped hubs (and `--with-examples` the fictional "
                   "demo hub); `l4a propose` and `l4a proposals accept` add more.", err=True)  # fmt: skip
        return
    width = max(len(r.slug) for r in rows)
    for r in rows:
        title = r.names.get("en") or next(iter(r.names.values()), "")
        when = f"{r.start[:10] or '?'} to {r.end[:10] or '?'}" if (r.start or r.end) else "dates not recorded"
        place = ", ".join(filter(None, [r.city, *sorted(r.values("countries"))]))
        click.echo(f"{r.slug:<{width}}  {title}" + (f"  [{place}]" if place else "") + f"  {when}")
