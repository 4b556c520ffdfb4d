"""`l4a monitor add|status|links` and `l4a brief`: thin commands over monitoring.py, sync_measures.py and brief*.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from l4a.graph.cli.common import EXIT_CODES, find_hub_iri, settings_of, with_store
from l4a.graph.cli.output import write_text_whole
from l4a.graph.errors import UsageError
from l4a.graph.i18n.words import words
from l4a.graph.labels import Labels
from l4a.graph.monitoring.load import (
    add_observations,
)
from l4a.graph.monitoring.model import STATUS_WORDS
from l4a.graph.monitoring.status import status_rows
from l4a.graph.reports.brief import brief_html, brief_markdown, make_brief
from l4a.graph.reports.brief_vcs import edition_words, make_edition_brief
from l4a.graph.sync.measures import KINDS, growth, link_measures
from l4a.graph.text.json_text import pretty_json


@click.group("monitor", epilog=EXIT_CODES)
def monitor_group() -> None:
    """Monitoring: add observations on deliverable indicators, see each deliverable's status (docs/monitoring.md).

    \b
    Example:
      l4a monitor add figures.yaml && l4a monitor status --hub demo-exampleton-green-corridors
    """


@monitor_group.command("add", epilog=EXIT_CODES)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["en", "fr", "es"]), default="en", show_default=True)
@click.pass_context
def monitor_add(ctx: click.Context, file: Path, lang: str) -> None:
    """Add the observations of a YAML or CSV file to a new named graph (earlier figures are kept).

    Each field is checked (an error names the file, the line and the field), then the observation shapes
    (shapes/observation.ttl, messages in --lang); nothing is written if one fails.

    \b
    Example:
      l4a monitor add figures.yaml
    """
    added = add_observations(with_store(ctx), file, settings_of(ctx).base_iri, lang=lang)
    click.echo(words(lang).ngettext("Added %(num)d observation for %(hub)s in graph %(graph)s.",
                                    "Added %(num)d observations for %(hub)s in graph %(graph)s.",
                                    added.observations, hub=added.hub, graph=added.graph))  # fmt: skip


@monitor_group.command("status", epilog=EXIT_CODES)
@click.option("--hub", help="Only this hub (slug or IRI).")
@click.option("--today", help="Compute the status as on this date (default: today), e.g. 2027-01-31.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["en", "fr", "es"]), default="en", show_default=True)
@click.pass_context
def monitor_status(ctx: click.Context, hub: str | None, today: str | None, fmt: str, lang: str) -> None:
    """Each hub's deliverables with their status and indicators' progress, or "no figures reported".

    \b
    Example:
      l4a monitor status --hub demo-exampleton-green-corridors --today 2027-01-31
    """
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError as exc:
        raise UsageError(f"--today must be a date such as 2027-01-31, not {today!r}.") from exc
    settings = settings_of(ctx)
    store = with_store(ctx, read_only=True)
    # A hub named by slug, IRI or part of its name (the closest listed when unknown), then its monitoring alone.
    iri = find_hub_iri(store, settings, hub) if hub is not None else None
    out = status_rows(store, settings.base_iri, day, iri)
    if iri is not None and not out:
        raise UsageError(f"there is no hub {hub!r} in the store.")
    w = words(lang)
    if fmt == "json":
        click.echo(pretty_json(out))
        return
    # Titles in the reader's language where the data has them (JSON keeps the records' English titles).
    labels = Labels.from_store(store) if lang != "en" else None  # once per write

    def title(item: dict[str, Any], key: str) -> str:
        return labels.get(item[key], lang) if labels is not None else str(item["title"])

    none, c = w.gettext("no figures reported"), w.colon
    ends_soon, progress = w.gettext("ends soon without a completion report"), w.gettext("progress")
    for h_out in out:
        flag = f" [{ends_soon}]" if h_out["near_end_without_report"] else ""
        if not h_out["figures_reported"]:
            click.echo(f"{title(h_out, 'hub')} ({h_out['hub']}){c}{none}{flag}")
            continue
        click.echo(f"{title(h_out, 'hub')} ({h_out['hub']}){c}{progress} {h_out['progress']}{flag}")
        for d in h_out["deliverables"]:
            click.echo(f"  {title(d, 'deliverable')} ({d['due']}){c}{w.gettext(STATUS_WORDS[d['status']])}")
            for i in d["indicators"]:
                click.echo(f"    {title(i, 'indicator')}{c}{i['progress'] or none}")


@monitor_group.command("links", epilog=EXIT_CODES)
@click.option("--cutoff", "cutoffs", multiple=True, help="A cut-off date (repeatable; default: 1 January this year).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100), help="Partners per hub.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["en", "fr", "es"]), default="en", show_default=True)
@click.pass_context
def monitor_links(ctx: click.Context, cutoffs: tuple[str, ...], limit: int, fmt: str, lang: str) -> None:
    """Synchronization measures: links between hubs by kind (builds on, synchronizes with, shared partners, joint
    events) counted by year, and the potential partners that became actual links after each cut-off date.

    \b
    Example:
      l4a monitor links --cutoff 2024-01-01 --cutoff 2025-01-01 --format json
    """
    try:
        days = [dt.date.fromisoformat(c) for c in cutoffs] or [dt.date(dt.date.today().year, 1, 1)]
    except ValueError as exc:
        raise UsageError(f"--cutoff must be a date such as 2025-01-01, not {exc}.") from exc
    store = with_store(ctx, read_only=True)
    links, conversions = link_measures(store, days, limit, lang)
    counts = growth(links)
    if fmt == "json":
        out = {"links": [link.as_dict() for link in links], "growth": counts,
               "conversions": [c.as_dict() for c in conversions]}  # fmt: skip
        click.echo(pretty_json(out))
        return
    w = words(lang)
    columns = [*KINDS, "any"]
    years = sorted({year for kind in columns for year in counts[kind]})
    click.echo(w.gettext("Links between hubs, cumulative by year"))
    if not years:
        click.echo(w.gettext("No link between hubs is recorded."))
    else:
        click.echo("\t".join([w.gettext("year"), *KINDS, w.gettext("any (pairs)")]))
        for year in years:
            cells = [max((n for y, n in counts[kind].items() if y <= year), default=0) for kind in columns]
            click.echo("\t".join([str(year), *map(str, cells)]))
    undated = sum(1 for link in links if link.on is None)
    click.echo(w.gettext("Undated links, left out of the counts: %(n)s", n=undated))
    click.echo("")
    click.echo(w.gettext("Potential partners that became links"))
    columns = [w.gettext("cut-off"), w.gettext("proposed"), w.gettext("became links"), w.gettext("share")]
    click.echo("\t".join(columns))
    for c in conversions:
        share = "-" if c.share is None else f"{round(c.share * 100)}%"
        click.echo("\t".join([c.cutoff.isoformat(), str(len(c.proposed)), str(len(c.became)), share]))
        for link in c.became:
            click.echo(f"  {link.a} {link.kind} {link.b} ({link.on.isoformat() if link.on else '?'})")


@click.command("brief", epilog=EXIT_CODES)
@click.option("--council", help="A Policy Council: slug, IRI or name (either term of its lineage).")
@click.option("--vcs", help="A Venice City Solutions 2030 edition: number, year, slug or IRI.")
@click.option("--lang", type=click.Choice(["en", "fr", "es"]), default="en", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["html", "md"]), default="html", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.option(
    "--include-suggested",
    is_flag=True,
    help="With --council: count the hubs pending suggestions link to it (marked) and the gaps they would fill.",
)
@click.pass_context
def brief_command(
    ctx: click.Context, council: str | None, vcs: str | None, lang: str, fmt: str, output: Path | None,
    include_suggested: bool,
) -> None:  # fmt: skip
    """A brief for a Policy Council (--council) or a Venice City Solutions edition (--vcs): its hubs, their progress
    or "no figures reported", the evidence with source addresses and dates, related hubs, and the gaps
    (docs/monitoring.md); a council's brief lists apart the hubs suggested for it, not confirmed. Give exactly one of
    --council and --vcs.

    \b
    Examples:
      l4a brief --council multilevel-governance-regaining-trust --format md -o brief.md
      l4a brief --vcs 2021 --lang fr -o vcs-2021.html
    """
    if (council is None) == (vcs is None):
        raise UsageError("give exactly one of --council and --vcs.")
    if include_suggested and vcs is not None:
        raise UsageError("--include-suggested goes with --council: an edition's brief lists the hubs it presented.")
    store, base = with_store(ctx, read_only=True), settings_of(ctx).base_iri
    if council is not None:
        found, extra = make_brief(store, council, lang, base, include_suggested=include_suggested), None
    else:
        found, extra = make_edition_brief(store, vcs or "", lang, base), edition_words(lang)
    text = brief_markdown(found, extra) if fmt == "md" else brief_html(found, extra)
    if output is None:
        click.echo(text)
    else:
        write_text_whole(output, text)
