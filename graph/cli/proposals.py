"""`l4a propose` and `l4a proposals ...`: thin commands over graph/proposals.py and graph/lifecycle.py."""

from __future__ import annotations

import json
from pathlib import Path

import click

from l4a.graph.cli.common import EXIT_CODES, settings_of, with_store
from l4a.graph.i18n.words import N_, words
from l4a.graph.proposals.draft import NO_TEXT, NOTHING_FOUND, DraftSuggestions, ProposalNote, submit_noting_suggestions
from l4a.graph.proposals.lifecycle import ACTIONS, STATUS_WORDS, STATUSES, proposal, proposals, transition
from l4a.graph.proposals.pipeline import Stored
from l4a.graph.shacl.report import report_text
from l4a.graph.shacl.validation import shipped_validator
from l4a.graph.text.json_text import pretty_json

# The report's words about suggestions for a proposal that names no SDG target (never part of the proposal), by kind
# of suggestion, and why there is none (translated where shown).
NOTE_KINDS = {
    "target": N_("SDG targets"), "goal": N_("SDG goals, target unclear"), "manifesto": N_("Durban manifestos"),
    "council": N_("Policy Councils"),
}  # fmt: skip
NOTE_EMPTY = {
    NO_TEXT: N_("none: the proposal has no name, description or theme to suggest from."),
    NOTHING_FOUND: N_("none: its name, description and theme use no words the method links to an SDG goal, a manifesto "
                      "or a council. A few sentences on what the hub does, for whom and on which topics (housing, "
                      "water, gender equality...) would give some."),
    "all-chosen": N_("none beyond what the proposal states already."),
}  # fmt: skip


def note_lines(suggestions: DraftSuggestions, lang: str) -> list[str]:
    """The report's lines for the suggestions noted for one proposal: each with its score and matched words."""
    w = words(lang)
    head = w.gettext("Suggestions, not part of the proposal (it names no SDG target; add those that fit)")
    read = w.gettext("text read in %(lang)s", lang=suggestions.lang)
    lines = [f"  {head} ({suggestions.method}, {read}){w.colon.rstrip()}"]
    if not suggestions.choices:  # and why: nothing to read, nothing found, or nothing beyond what it states
        lines.append(f"    {w.gettext(NOTE_EMPTY[suggestions.empty or 'all-chosen'])}")
    for kind in ("target", "goal", "manifesto", "council"):
        found = suggestions.of_kind(kind)
        if found:
            shown = w.semicolon.join(
                f"{c.key} ({c.score:.2f}{w.colon + c.why if c.why else ''})" if c.score is not None else c.key
                for c in found
            )
            lines.append(f"    {w.gettext(NOTE_KINDS[kind])}{w.colon}{shown}")
    return lines


def print_stored(results: list[ProposalNote], fmt: str, lang: str) -> None:
    if fmt == "json":
        click.echo(pretty_json([r.as_dict() for r in results]))
        return
    model = shipped_validator().model
    w = words(lang)
    for note in results:
        result: Stored = note.stored
        status = w.gettext(STATUS_WORDS[result.status])
        revision = w.gettext("revision %(num)d", num=result.revision)
        click.echo(f"{result.id} ({revision}, {result.source}){w.colon}{status}")
        if result.report.results:
            text = report_text(result.report, model, {}, lang)
            click.echo("\n".join("  " + line for line in text.splitlines()))
        if note.suggestions is not None:
            click.echo("\n".join(note_lines(note.suggestions, lang)))


@click.command("propose", epilog=EXIT_CODES)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--input-format",
    "kind",
    type=click.Choice(["yaml", "json", "csv", "rdf"]),
    help="Format of the files (default: from the extension; .ttl, .jsonld and other RDF files are read as RDF).",
)
@click.option("--by", "who", help="Who submits (default: the file's submitted_by, else anonymous).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["en", "fr", "es"]), default="en", show_default=True)
@click.pass_context
def propose_command(
    ctx: click.Context, files: tuple[Path, ...], kind: str | None, who: str | None, fmt: str, lang: str
) -> None:
    """Submit hub proposals (YAML, JSON, CSV, or RDF) through the gate, and store each as a new revision.

    Every proposal is stored, with its original bytes and its validation report: as "submitted" when it passes
    the gate, as "needs changes" when it does not. Exits 0 when all pass, 1 when any needs changes, 2 when a file
    cannot be read (then nothing is stored). The format: docs/proposals.md. For a proposal that names no SDG
    target, the report notes the targets (or goals), manifestos and councils suggested from its name, description
    and theme, with scores and matched words: suggestions to add by hand, never written into the proposal.

    \b
    Example:
      l4a propose docs/examples/proposal-exampleton.fr.yaml --lang fr
    """
    settings = settings_of(ctx)
    store = with_store(ctx)
    results = submit_noting_suggestions(store, files, settings.base_iri, who, lang, kind)
    print_stored(results, fmt, lang)
    ctx.exit(0 if all(r.stored.report.conforms for r in results) else 1)


@click.group("proposals", epilog=EXIT_CODES)
def proposals_group() -> None:
    """List, show and move proposals through their lifecycle (review, accept, reject, withdraw, complete).

    \b
    Example:
      l4a proposals list --status submitted
    """


@proposals_group.command("list", epilog=EXIT_CODES)
@click.option("--status", type=click.Choice(STATUSES), help="Only proposals in this status.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["en", "fr", "es"]), default="en", show_default=True)
@click.pass_context
def proposals_list(ctx: click.Context, status: str | None, fmt: str, lang: str) -> None:
    """The latest revision of every proposal: id, revision, status, date, name.

    \b
    Example:
      l4a proposals list --format json
    """
    found = proposals(with_store(ctx, read_only=True), settings_of(ctx).base_iri, status)
    if fmt == "json":
        click.echo(pretty_json([r.as_dict() for r in found]))
        return
    for r in found:
        name = r.names.get(lang) or next(iter(r.names.values()), "")
        click.echo(f"{r.id}\t{r.number}\t{words(lang).gettext(STATUS_WORDS[r.status])}\t{r.created[:10]}\t{name}")


@proposals_group.command("show", epilog=EXIT_CODES)
@click.argument("proposal_id")
@click.option("--revision", type=int, help="A given revision (default: the latest).")
@click.option("--original", is_flag=True, help="Print the submission exactly as it was received.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def proposals_show(ctx: click.Context, proposal_id: str, revision: int | None, original: bool, fmt: str) -> None:
    """One proposal: its status history (who, when, why), its report, or its original submission.

    \b
    Example:
      l4a proposals show exampleton-green-corridors --original
    """
    found = proposal(with_store(ctx, read_only=True), proposal_id, settings_of(ctx).base_iri, revision)
    if original:
        click.echo(found.content, nl=False)
    elif fmt == "json":
        click.echo(json.dumps(found.as_dict(full=True), indent=2, ensure_ascii=False))
    else:
        verdict = "conforms" if found.conforms else "does not conform"
        click.echo(f"{found.id}, revision {found.number}: {found.status} ({verdict})")
        for change in found.changes:
            reason = f": {change.reason}" if change.reason else ""
            click.echo(f"  {change.when}  {change.before or '-'} -> {change.after}  by {change.who}{reason}")
        results = found.report.get("results", [])
        for result in results if isinstance(results, list) else []:
            click.echo(f"  {result['severity']}: {result['message']}")


def _action_command(action: str) -> None:
    starts, after = ACTIONS[action]
    help_text = (
        f"Move a proposal from {' or '.join(starts)} to {after}, recording who, when and why (PROV)."
        + (" Accepting publishes the revision as the hub's graph, atomically." if action == "accept" else "")
        + f"\n\n\b\nExample:\n  l4a proposals {action} exampleton-green-corridors --by 'ana (deployment staff)'"
        " --reason 'complete and eligible'"
    )

    @proposals_group.command(action, epilog=EXIT_CODES, help=help_text)
    @click.argument("proposal_id")
    @click.option("--by", "who", required=True, help="Who makes the change (recorded with PROV).")
    @click.option("--reason", help="Why (recorded with the change).")
    @click.pass_context
    def command(ctx: click.Context, proposal_id: str, who: str, reason: str | None) -> None:
        found = transition(with_store(ctx), proposal_id, action, settings_of(ctx).base_iri, who, reason)
        click.echo(f"{found.id}, revision {found.number}: {found.status}")


for _action in ACTIONS:
    _action_command(_action)
