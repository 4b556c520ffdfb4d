"""`l4a suggest` and `l4a suggestions list|confirm|reject`: thin commands over graph/suggest/."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from l4a.graph.cli.common import EXIT_CODES, hub_iri, settings_of, with_store
from l4a.graph.errors import InputError, Location, UsageError
from l4a.graph.suggest.inputs import TextRecord, read_jsonl, read_jsonl_file
from l4a.graph.suggest.model import Suggestions, get_suggester
from l4a.graph.suggest.records import STATES, hub_texts, list_suggestions, review, store_suggestions
from l4a.graph.text.json_text import pretty_json


def _table(result: Suggestions) -> str:
    def scored(items: list[tuple[str, float, str]]) -> str:
        return "; ".join(f"{key} ({score:.2f}{': ' + why if why else ''})" for key, score, why in items) or "-"

    lines = [
        f"language:   {result.lang}",
        f"goals:      {scored([(str(g.goal), g.score, '') for g in result.goals])}",
        f"targets:    {scored([(t.target, t.score, t.why) for t in result.targets])}",
    ]
    lines += [f"            goal {g}, target unclear" for g in result.unclear]
    lines += [
        f"manifestos: {scored([(m.key, m.score, m.why) for m in result.manifestos])}",
        f"councils:   {scored([(c.key, c.score, c.why) for c in result.councils])}",
    ]
    return "\n".join(lines)


def _emit(out: dict[str, Any], result: Suggestions, fmt: str) -> None:
    if fmt == "table":
        head = " ".join(f"{k}={out[k]}" for k in ("id", "hub") if k in out)
        click.echo((head + "\n" if head else "") + _table(result) + "\n")
    elif fmt == "jsonl":
        click.echo(json.dumps(out, ensure_ascii=False))
    else:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))


@click.command("suggest", epilog=EXIT_CODES)
@click.argument("text", required=False)
@click.option(
    "--input",
    "input_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help='A JSONL file, one {"id": ..., "text": ...} per line ("-": standard input).',
)
@click.option("--hub", help="Suggest from a hub's own sourced title, description and theme (slug or IRI).")
@click.option("--all", "all_hubs", is_flag=True, help="Every real hub in the store.")
@click.option(
    "--lang",
    type=click.Choice(["auto", "en", "fr", "es"]),
    default="auto",
    show_default=True,
    help="Language of the texts (auto: detected among en, fr, es).",
)
@click.option("--limit", type=click.IntRange(min=1), help="At most N goals, targets, manifestos and councils each.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "table"]),
    help="Output (default: json for one text, jsonl for --input, --hub and --all).",
)
@click.option(
    "--store",
    "store_them",
    is_flag=True,
    help="With --hub or --all: add the suggestions as pending records (graph/suggestions/<slug>).",
)
@click.pass_context
def suggest_command(
    ctx: click.Context, text: str | None, input_path: Path | None, hub: str | None, all_hubs: bool, lang: str,
    limit: int | None, fmt: str | None, store_them: bool,
) -> None:  # fmt: skip
    """Suggest the SDG goals and targets, Durban manifestos and Policy Councils a text addresses.

    The text comes from the argument (- for standard input), a JSONL file (one output line per input line, in
    order, with the input's id), or a hub's own text. Goals are only those the text addresses (none for a text
    about nothing in the SDGs); a goal whose target is unclear says so. Suggestions are never facts: --store keeps
    them as pending records for a person to confirm or reject (`l4a suggestions`). Method and figures:
    docs/suggest.md.

    \b
    Example:
      l4a suggest "The city will install solar panels on public schools" --format table
      l4a suggest --all --store
    """
    sources = sum(x for x in (text is not None, input_path is not None, hub is not None, all_hubs))
    if sources != 1:
        raise UsageError("give exactly one of TEXT (or - for standard input), --input FILE, --hub SLUG or --all.")
    if store_them and not (hub or all_hubs):
        raise UsageError("--store needs --hub or --all: only a hub's suggestions are stored.")
    chosen = None if lang == "auto" else lang
    if text is not None or input_path is not None:
        if input_path is not None:
            records = (
                read_jsonl(_stdin(), "<stdin>")
                if str(input_path) == "-"
                else read_jsonl_file(input_path)
            )
        else:
            records = [TextRecord(None, _stdin_text() if text == "-" else str(text))]
        suggester = get_suggester()
        for record in records:
            result = suggester.suggest(record.text, record.lang or chosen or "auto", limit)
            line = ({"id": record.id} if input_path is not None else {}) | result.as_json()
            _emit(line, result, fmt or ("jsonl" if input_path is not None else "json"))
        return
    settings = settings_of(ctx)
    store = with_store(ctx)
    hubs = hub_texts(store, settings.base_iri, hub_iri(settings, hub) if hub else None)
    if hub and not hubs:
        raise UsageError(f"there is no hub {hub!r} with a sourced title, description or theme in the store.")
    suggester = get_suggester()
    now = dt.datetime.now(dt.UTC)
    for found in hubs:
        result = suggester.suggest(found.text, chosen or "auto", limit)
        out: dict[str, Any] = {"hub": found.slug} | result.as_json()
        if store_them:
            stored = store_suggestions(store, settings.base_iri, found, result, now)
            out["stored"] = {"added": len(stored.added), "already": stored.already, "stated": stored.stated}
        _emit(out, result, fmt or "jsonl")


def _stdin_text() -> str:
    try:
        return _stdin().read()
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", Location("<stdin>")) from exc


@click.group("suggestions", epilog=EXIT_CODES)
def suggestions_group() -> None:
    """List stored suggestions and confirm or reject them (who, when and why are recorded).

    \b
    Example:
      l4a suggestions list --state pending
      l4a suggestions confirm bilbao-city-of-values/target-16.7 --by "Ana Pérez"
    """


@suggestions_group.command("list", epilog=EXIT_CODES)
@click.option("--hub", help="Only this hub's suggestions (slug or IRI).")
@click.option("--state", type=click.Choice(STATES), help="Only suggestions in this state.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def list_command(ctx: click.Context, hub: str | None, state: str | None, fmt: str) -> None:
    """Stored suggestions, by hub, best first.

    \b
    Example:
      l4a suggestions list --hub valongo-participation4all --state pending
    """
    settings = settings_of(ctx)
    records = list_suggestions(
        with_store(ctx, read_only=True), settings.base_iri, hub_iri(settings, hub) if hub else None, state
    )
    if fmt == "json":
        click.echo(pretty_json([r.as_json() for r in records]))
        return
    for r in records:
        reviewed = f" by {r.reviewed_by} on {r.reviewed_at[:10]}" if r.reviewed_by and r.reviewed_at else ""
        click.echo(f"{r.id}\t{r.state}{reviewed}\t{r.score:.2f}\t{r.words}")
    if not records:
        click.echo("no suggestions", err=True)


def _review(ctx: click.Context, ids: tuple[str, ...], decision: str, by: str, reason: str | None) -> None:
    settings = settings_of(ctx)
    done = review(with_store(ctx), settings.base_iri, ids, decision, by, reason, dt.datetime.now(dt.UTC))
    for r in done:
        click.echo(f"{r.id}: {r.before} -> {r.after}" if r.before != r.after else f"{r.id}: already {r.after}")


@suggestions_group.command("confirm", epilog=EXIT_CODES)
@click.argument("ids", nargs=-1, required=True)
@click.option("--by", required=True, help="Who confirms (recorded as prov:wasAttributedTo).")
@click.option("--reason", help="Why (optional).")
@click.pass_context
def confirm_command(ctx: click.Context, ids: tuple[str, ...], by: str, reason: str | None) -> None:
    """Confirm suggestions: each becomes a link in its hub's graph, attributed to the person, with the date.

    \b
    Example:
      l4a suggestions confirm valongo-participation4all/target-16.7 --by "Ana Pérez"
    """
    _review(ctx, ids, "confirmed", by, reason)


@suggestions_group.command("reject", epilog=EXIT_CODES)
@click.argument("ids", nargs=-1, required=True)
@click.option("--by", required=True, help="Who rejects.")
@click.option("--reason", help="Why (kept with the suggestion).")
@click.pass_context
def reject_command(ctx: click.Context, ids: tuple[str, ...], by: str, reason: str | None) -> None:
    """Reject suggestions: they stay recorded as rejected and are never suggested again for that hub.

    \b
    Example:
      l4a suggestions reject valongo-participation4all/council-resilient-regenerative-territories --by "Ana Pérez" \\
        --reason "not about risk"
    """
    _review(ctx, ids, "rejected", by, reason)


def _stdin() -> TextIO:
    """Standard input as UTF-8 text, whatever the locale (click.get_text_stream did this; Click 8.2 deprecates it)."""
    stream = sys.stdin
    if (stream.encoding or "").lower().replace("-", "") == "utf8":
        return stream
    return io.TextIOWrapper(stream.buffer, encoding="utf-8")
