"""A brief for a Policy Council: its hubs across both terms, their progress (or "no figures reported"), the evidence
cited with source addresses and dates, related hubs of other councils, and the gaps; as Markdown or printable HTML."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from l4a.graph.errors import UsageError
from l4a.graph.i18n.words import words
from l4a.graph.monitoring.load import deliverable_status, load_monitoring, mean_progress
from l4a.graph.monitoring.model import STATUS_WORDS
from l4a.graph.namespaces import DEFAULT_BASE, record_iri
from l4a.graph.reports.hub_table import HubRow, HubTable, fold
from l4a.graph.resources import internal_query
from l4a.graph.sparql.queries import run_named_query
from l4a.graph.store.base import Store
from l4a.graph.store.derived import derived
from l4a.graph.sync.gaps import find_gaps
from l4a.graph.sync.index import SyncIndex
from l4a.graph.sync.suggested import suggested_members

COUNCILS = internal_query("council-labels")

def brief_words(lang: str) -> dict[str, str]:
    """A council brief's words in `lang`, from the catalogues; placeholders (`%(n)s`) are filled where used. Another
    kind of brief replaces some of them (brief_vcs.edition_words)."""
    w = words(lang)
    return {
        "brief": w.gettext("Brief for the Policy Council"),
        "made": w.gettext("Made on %(day)s from the Local4Action Hub Graph."),
        "hubs": w.gettext("Hubs"),
        "none_hubs": w.gettext("No hub's link to this council is recorded."),
        "progress": w.gettext("Progress"),
        "no_figures": w.gettext("no figures reported"),
        "evidence": w.gettext("Evidence"),
        "no_evidence": w.gettext("No evidence recorded."),
        "related": w.gettext("Related hubs of other councils"),
        "no_related": w.gettext("None found."),
        "gaps": w.gettext("Gaps"),
        "targets": w.gettext("SDG targets no hub of this council records a link to: %(n)s"),
        "manifestos": w.gettext("Durban manifestos no hub of this council records a link to: %(names)s"),
        "undated": w.gettext("undated"),
        "gap_note": w.gettext(
            "A gap is an absence of records, not a fact about the hubs: the sources may not state it."
        ),
        **{status: w.gettext(word) for status, word in STATUS_WORDS.items()},
        "terms": w.gettext("Terms"),
        "colon": w.colon,
        "semicolon": w.semicolon,
        "to": w.gettext("to"),
        "period": w.gettext("Period"),
        "not_recorded": w.gettext("not recorded"),
        "suggested": w.gettext("suggested, not confirmed"),
        "suggested_hubs": w.gettext("Suggested hubs, not confirmed"),
        "suggested_help": w.gettext(
            "A machine suggested these hubs for this council from their own texts; no one has confirmed them, and "
            "they are not counted above."
        ),
        "suggested_counted": w.gettext(
            "A machine suggested these hubs for this council from their own texts; no one has confirmed them. They "
            "are counted above, marked \u201csuggested, not confirmed\u201d."
        ),
        "score": w.gettext("score"),
        "gap_suggested": w.gettext("Gaps pending suggestions would fill (suggested, not confirmed): %(n)s"),
        "gap_counted": w.gettext(
            "Counting pending suggestions (suggested, not confirmed), gaps left out above: %(n)s"
        ),
    }


@dataclass
class HubBrief:
    iri: str
    title: str
    progress: str | None
    deliverables: list[tuple[str, str, str | None]] = field(default_factory=list)  # title, status, progress
    evidence: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # url, date, publisher
    related: list[tuple[str, str]] = field(default_factory=list)  # iri, label
    start: str | None = None  # the hub's period as the source records it ("2021-06-28", "2023-03", "2023")
    end: str | None = None
    mark: str = ""  # why the hub is in the brief, when there are several reasons (an edition's: presented, active)


@dataclass
class Brief:
    council: str
    title: str
    lineage: list[tuple[str, str]]
    hubs: list[HubBrief]
    gap_targets: int
    gap_manifestos: list[str]
    day: dt.date
    lang: str
    kind: str = "council"  # or "vcs": a Venice City Solutions edition (graph/brief_vcs.py); `council` is its IRI
    gap_goal_only: list[tuple[str, int]] = field(default_factory=list)  # (goal notation, hubs): no target recorded
    # hubs a pending suggestion links to the council: (iri, title, score, matched words), never facts
    suggested: list[tuple[str, str, float, str]] = field(default_factory=list)
    include_suggested: bool = False  # whether they are counted among the hubs (marked) and in the gaps
    gap_suggested: int = 0  # gaps pending suggestions would fill (left out of gap_targets/gap_manifestos if counted)


Evidence = dict[str, list[tuple[str, str | None, str | None]]]


def goal_only_line(lang: str, goal: str, hubs: int) -> str:
    """ "goal 5: 2 hubs, no target recorded" in `lang`."""
    return words(lang).ngettext(
        "goal %(goal)s: %(num)d hub, no target recorded", "goal %(goal)s: %(num)d hubs, no target recorded", hubs,
        goal=goal,
    )  # fmt: skip


def _pick(labels: dict[str, str], lang: str, default: str) -> str:
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()), default)


def council_name(labels: dict[str, str], lang: str, default: str) -> str:
    """A council's name in `lang` where the data has one; otherwise its English name, said to be English."""
    if lang in labels:
        return labels[lang]
    name = _pick(labels, lang, default)
    return name if lang == "en" else words(lang).gettext("%(name)s (name in English)", name=name)


def resolve_council(store: Store, given: str, base: str = DEFAULT_BASE) -> tuple[str, dict[str, dict[str, str]]]:
    """A council given by IRI, slug or (part of) its name in any language; an unknown or ambiguous one is an error."""
    labels: dict[str, dict[str, str]] = {}
    for row in store.select(COUNCILS):
        entry = labels.setdefault(row["council"].value, {})
        label = row.get("label")
        if isinstance(label, ox.Literal):
            entry.setdefault(label.language or "en", label.value)
    if given in labels:
        return given, labels
    if record_iri(base, "council", given) in labels:
        return record_iri(base, "council", given), labels
    wanted = fold(given)
    found = [c for c, names in labels.items() if any(wanted in fold(n) for n in names.values())]
    exact = [c for c in found if any(wanted == fold(n) for n in labels[c].values())]
    if len(exact) == 1 or len(found) == 1:
        return (exact or found)[0], labels
    if not found:
        raise UsageError(f"there is no Policy Council {given!r}.")
    raise UsageError(f"{given!r} names several councils: " + ", ".join(sorted(found)) + ". Give its slug.")


def make_brief(
    store: Store,
    council: str,
    lang: str = "en",
    base: str = DEFAULT_BASE,
    day: dt.date | None = None,
    include_suggested: bool = False,
) -> Brief:
    """The brief of a council (slug, IRI or name) across its lineage (both terms). The hubs a pending suggestion
    links to the council are listed apart; `include_suggested` counts them among the hubs, marked, and counts
    pending suggestions in the gaps. Made once per state of the store, council, language and day
    (graph/store/derived.py)."""
    iri, labels = resolve_council(store, council, base)
    day = day or dt.date.today()
    key = f"brief:{iri}:{lang}:{base}:{day.isoformat()}:{include_suggested}"
    return derived(store, key, lambda: _make_brief(store, iri, labels, lang, base, day, include_suggested))


def _make_brief(
    store: Store,
    iri: str,
    labels: dict[str, dict[str, str]],
    lang: str,
    base: str,
    day: dt.date,
    include_suggested: bool,
) -> Brief:
    table = HubTable.from_store(store)
    lineage = sorted(table.lineage.get(iri, {iri}))
    rows = [r for r in table.rows if r.shares("councils", set(lineage))]
    suggested = suggested_members(store, set(lineage), {r.iri for r in rows})
    marks = {}
    if include_suggested:
        extra = {link.hub for link in suggested}
        marks = dict.fromkeys(extra, "suggested")
        rows += [r for r in table.rows if r.iri in extra]
    evidence = hub_evidence(store, [{"council": c} for c in lineage], {r.iri for r in rows}, base)
    # "Related hubs of other councils": a related hub counts only when it belongs to a council outside this lineage.
    within = set(lineage)
    outside = {r.iri for r in table.rows if any(c not in within for c in r.values("councils"))}
    hubs = hub_briefs(store, rows, evidence, lang, base, day, marks, related_if=outside.__contains__,
                      key=f"council:{iri}:{include_suggested}", table=table)  # fmt: skip
    gaps = find_gaps(store, council=iri, base=base, include_suggested=include_suggested)
    manifestos = manifesto_names(store, [row["manifesto"].value for row in gaps.manifestos], lang)
    names = {r.iri: _pick(r.names, lang, r.iri) for r in table.rows}
    return Brief(
        iri,
        council_name(labels.get(iri, {}), lang, iri),
        [(c, council_name(labels.get(c, {}), lang, c)) for c in lineage],
        hubs,
        len(gaps.targets),
        manifestos,
        day,
        lang,
        gap_goal_only=[
            (r["notation"].value, int(r["hubs"].value) + int(r["derived"].value)) for r in gaps.goal_only
        ],
        suggested=[(x.hub, names.get(x.hub, x.hub), x.score, x.words) for x in suggested],
        include_suggested=include_suggested,
        gap_suggested=len({g.gap for g in gaps.suggested}),
    )


MANIFESTO_LABELS = internal_query("manifesto-labels")


def manifesto_names(store: Store, iris: list[str], lang: str) -> list[str]:
    """The names of these manifestos in `lang` (else English), sorted."""
    labels: dict[str, dict[str, str]] = {}
    for row in store.select(MANIFESTO_LABELS):
        label = row["label"]
        if isinstance(label, ox.Literal):
            labels.setdefault(row["manifesto"].value, {}).setdefault(label.language or "en", label.value)
    return sorted(_pick(labels.get(iri, {}), lang, iri) for iri in iris)


def hub_evidence(store: Store, filters: list[dict[str, str]], members: set[str], base: str = DEFAULT_BASE) -> Evidence:
    """The evidence of the member hubs (named query `evidence-for`, once per filter): url, date, publisher. Kept
    once per state of the store, filters and members (the same in every language)."""
    given = repr(sorted(sorted(f.items()) for f in filters)) + "\n" + "\n".join(sorted(members))
    digest = hashlib.sha256(given.encode()).hexdigest()[:32]
    return derived(store, f"hub-evidence:{base}:{digest}", lambda: _hub_evidence(store, filters, members, base))


def _hub_evidence(store: Store, filters: list[dict[str, str]], members: set[str], base: str) -> Evidence:
    evidence: Evidence = {}
    for given in filters:
        for row in run_named_query(store, "evidence-for", given, base):
            if row["hub"].value in members and "url" in row:
                item = (row["url"].value, row["date"].value if "date" in row else None,
                        row["publisher"].value if "publisher" in row else None)  # fmt: skip
                if item not in evidence.setdefault(row["hub"].value, []):
                    evidence[row["hub"].value].append(item)
    return evidence


@dataclass
class HubFacts:
    """What a hub's section of a brief says in every language: its progress and its deliverables' as numbers, its
    period, evidence, related hubs (IRIs) and mark."""

    iri: str
    progress: Decimal | None
    deliverables: list[tuple[str, str, Decimal | None]]  # title, status, progress
    evidence: list[tuple[str, str | None, str | None]]
    related: list[str]
    start: str | None  # as recorded (HubBrief)
    end: str | None
    mark: str


def hub_briefs(
    store: Store,
    rows: list[HubRow],
    evidence: Evidence,
    lang: str,
    base: str = DEFAULT_BASE,
    day: dt.date | None = None,
    marks: dict[str, str] | None = None,
    related_if: Callable[[str], bool] | None = None,
    key: str | None = None,
    table: HubTable | None = None,
) -> list[HubBrief]:
    """Each hub's section: progress or "no figures reported", deliverables, evidence, up to three related hubs that
    are not among `rows` (the synchronization index), and its mark. `key`, when given, names everything else the
    sections depend on (the brief, its day and base): what no language changes is then made once per state of the
    store for every language (graph/store/derived.py), and only the words and names are made in `lang`."""
    day = day or dt.date.today()

    def make() -> list[HubFacts]:
        return hub_facts(store, rows, evidence, base, day, marks, related_if)

    facts = make() if key is None else derived(store, f"hub-facts:{key}:{base}:{day.isoformat()}", make)
    w = words(lang)
    # every hub's names (related hubs are outside `rows`): from the caller's table, not read from disk again
    source = table if table is not None else HubTable.from_store(store)
    names = {row.iri: row.names for row in source.rows} if facts else {}
    names.update((r.iri, r.names) for r in rows)
    hubs = []
    for f in facts:
        brief = HubBrief(f.iri, _pick(names.get(f.iri, {}), lang, f.iri),
                         None if f.progress is None else w.percent(f.progress))  # fmt: skip
        brief.start, brief.end, brief.mark = f.start, f.end, f.mark
        brief.deliverables = [(t, status, None if p is None else w.percent(p)) for t, status, p in f.deliverables]
        brief.evidence = f.evidence
        brief.related = [(hub, _pick(names.get(hub, {}), lang, hub)) for hub in f.related]
        hubs.append(brief)
    return hubs


def hub_facts(
    store: Store,
    rows: list[HubRow],
    evidence: Evidence,
    base: str,
    day: dt.date,
    marks: dict[str, str] | None,
    related_if: Callable[[str], bool] | None,
) -> list[HubFacts]:
    """The language-free part of each hub's section (see hub_briefs)."""
    members = {r.iri for r in rows}
    monitoring = load_monitoring(store, base)
    nearest = related_lists(store, members)
    found = []
    for r in rows:
        m = monitoring.get(r.iri)
        has = m is not None and m.has_figures()
        facts = HubFacts(r.iri, mean_progress(m.indicators, day) if m is not None and has else None, [],
                         sorted(evidence.get(r.iri, []), key=lambda e: (e[1] or "", e[0])), [],
                         m.start_text if m is not None else None, m.end_text if m is not None else None,
                         (marks or {}).get(r.iri, ""))  # fmt: skip
        if m is not None and has:
            for d in m.deliverables:
                status = deliverable_status(d, m.start, day)
                facts.deliverables.append((d.label, status, mean_progress(d.indicators, day)))
        if r.iri in nearest:
            kept = (h for h in nearest[r.iri] if h not in members and (related_if is None or related_if(h)))
            facts.related = list(itertools.islice(kept, 3))
        found.append(facts)
    return found


def related_lists(store: Store, members: set[str], limit: int = 50) -> dict[str, list[str]]:
    """The `limit` hubs most related to each member (synchronization index), best first: the same in every language
    (the ranking reads no title), so computed once per state of the store and set of members, not per language."""
    if not members:
        return {}

    def compute() -> dict[str, list[str]]:
        index = SyncIndex.from_store(store)
        return {hub: [x.hub for x in index.related(hub, limit, with_reasons=False)]
                for hub in sorted(members) if hub in index.hubs}  # fmt: skip

    digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()[:32]
    return derived(store, f"related-lists:{limit}:{digest}", compute)


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")  # with [ ] escaped, no ( ) can make a link
LINE_SPACE = re.compile(r"[ \t\r\n\f\v\u2028\u2029]+")


def markdown_text(text: str) -> str:
    """A record's text as Markdown that shows it and nothing else: HTML (<script>, <img onerror=...>) escaped as
    entities, Markdown's own marks (links, emphasis, headings) escaped with backslashes, line breaks as spaces."""
    flat = LINE_SPACE.sub(" ", text).strip()  # no-break spaces (French typography) are kept
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _period(h: HubBrief, w: Mapping[str, str], lang: str) -> str:
    """The hub's period written the reader's way at the precision its source gives ("28 June 2021 to March 2023";
    "not recorded" for a side the store lacks)."""
    said = words(lang)
    days = all(d is None or len(d.strip()) >= 10 for d in (h.start, h.end))
    # "to" reads "au"/"al" before a day; before a month ("au mars", "al marzo") it would be wrong: an en dash then
    joiner = f" {w['to']} " if days else " \u2013 "
    return joiner.join(said.recorded_date(d) if d else w["not_recorded"] for d in (h.start, h.end))


def brief_markdown(b: Brief, extra: Mapping[str, str] | None = None) -> str:
    """The brief as Markdown; `extra` replaces some of its words (another kind of brief: brief_vcs.edition_words)."""
    w = {**brief_words(b.lang), **(extra or {})}
    c = w["colon"]
    m = markdown_text
    out = [f"# {w['brief']}{c}{m(b.title)}", "", w["made"] % {"day": words(b.lang).date(b.day)}, ""]
    terms = w["semicolon"].join(f"{m(label)} (<{iri}>)" for iri, label in b.lineage)
    out += [f"{w['terms']}{c}" + terms, "", f"## {w['hubs']}", ""]
    if not b.hubs:
        out += [w["none_hubs"], ""]
    for h in b.hubs:
        out += [f"### {m(h.title)}", "", f"<{h.iri}>", ""] + ([f"*{w[h.mark]}*", ""] if h.mark else [])
        out += [f"{w['period']}{c}{_period(h, w, b.lang)}", ""] if h.start or h.end else []
        out += [f"{w['progress']}{c}{h.progress or w['no_figures']}", ""]
        for title, status, progress in h.deliverables:
            out.append(f"- {m(title)}{c}{w[status]} ({progress or w['no_figures']})")
        out += ([""] if h.deliverables else []) + [f"**{w['evidence']}**", ""]
        for url, date, publisher in h.evidence:
            out.append(f"- <{url}> ({', '.join(m(x) for x in (publisher, date or w['undated']) if x)})")
        out += ["" if h.evidence else w["no_evidence"], "", f"**{w['related']}**", ""]
        out += [f"- {m(label)} (<{iri}>)" for iri, label in h.related] or [w["no_related"]]
        out.append("")
    if b.suggested:
        intro = w["suggested_counted" if b.include_suggested else "suggested_help"]
        out += [f"## {w['suggested_hubs']}", "", intro, ""]
        for iri, title, score, why in b.suggested:
            words_part = f" ({m(why)})" if why else ""
            out.append(f"- {m(title)} (<{iri}>): *{w['suggested']}*, {w['score']} {score:.2f}{words_part}")
        out.append("")
    out += [f"## {w['gaps']}", "", w.get("gap_note", ""), "", "- " + w["targets"] % {"n": b.gap_targets}]
    out += ["- " + goal_only_line(b.lang, goal, hubs) for goal, hubs in b.gap_goal_only]
    out += ["- " + w["manifestos"] % {"names": w["semicolon"].join(m(x) for x in b.gap_manifestos) or "0"}]
    if b.gap_suggested:
        out.append("- " + w["gap_counted" if b.include_suggested else "gap_suggested"] % {"n": b.gap_suggested})
    out.append("")
    return "\n".join(out)


STYLE = """body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;line-height:1.45;color:#111}
h1{font-size:1.6rem}h2{border-bottom:1px solid #999;margin-top:2rem}section{break-inside:avoid}
a{color:#0645ad}@media print{body{margin:0;max-width:none;font-size:11pt}a{color:#000}
a[href^="http"]::after{content:" (" attr(href) ")";font-size:9pt}a.url::after{content:none}}"""


def brief_html(b: Brief, extra: Mapping[str, str] | None = None) -> str:
    """The brief as one self-contained, printable HTML page; `extra` as for brief_markdown."""
    w = {**brief_words(b.lang), **(extra or {})}

    def e(text: str) -> str:
        return html.escape(text, quote=True)

    def link(iri: str, label: str) -> str:
        return f'<a href="{e(iri)}">{e(label)}</a>'

    c = e(w["colon"])
    parts = [f'<!doctype html><html lang="{b.lang}"><head><meta charset="utf-8">',
             f"<title>{e(w['brief'])}{c}{e(b.title)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{e(w['brief'])}{c}{e(b.title)}</h1><p>{e(w['made'] % {'day': words(b.lang).date(b.day)})}</p>",
             f"<p>{e(w['terms'])}{c}" + e(w["semicolon"]).join(link(i, label) for i, label in b.lineage) + "</p>",
             f"<h2>{e(w['hubs'])}</h2>"]  # fmt: skip
    if not b.hubs:
        parts.append(f"<p>{e(w['none_hubs'])}</p>")
    for h in b.hubs:
        parts.append(f'<section class="hub"><h3>{link(h.iri, h.title)}</h3>')
        if h.mark:
            parts.append(f'<p class="mark"><em>{e(w[h.mark])}</em></p>')
        if h.start or h.end:
            parts.append(f"<p>{e(w['period'])}{c}{e(_period(h, w, b.lang))}</p>")
        parts.append(f"<p>{e(w['progress'])}{c}{e(h.progress or w['no_figures'])}</p>")
        if h.deliverables:
            parts.append(
                "<ul>"
                + "".join(f"<li>{e(t)}{c}{e(w[s])} ({e(p or w['no_figures'])})</li>" for t, s, p in h.deliverables)
                + "</ul>"
            )
        parts.append(f"<h4>{e(w['evidence'])}</h4>")
        items = [  # class url: the text is the address, so print does not add it again
            f'<li><a class="url" href="{e(u)}">{e(u)}</a> ({e(", ".join(x for x in (p, d or w["undated"]) if x))})</li>'
            for u, d, p in h.evidence
        ]
        parts.append(f"<ul>{''.join(items)}</ul>" if items else f"<p>{e(w['no_evidence'])}</p>")
        parts.append(f"<h4>{e(w['related'])}</h4>")
        rel = [f"<li>{link(i, label)}</li>" for i, label in h.related]
        parts.append(f"<ul>{''.join(rel)}</ul>" if rel else f"<p>{e(w['no_related'])}</p>")
        parts.append("</section>")
    if b.suggested:
        parts.append(f'<section class="suggested"><h2>{e(w["suggested_hubs"])}</h2>')
        parts.append(f"<p>{e(w['suggested_counted' if b.include_suggested else 'suggested_help'])}</p><ul>")
        parts += [f'<li>{link(i, title)} <em class="suggested-mark">{e(w["suggested"])}</em>, '
                  f"{e(w['score'])} {score:.2f}{e(f' ({why})' if why else '')}</li>"
                  for i, title, score, why in b.suggested]  # fmt: skip
        parts.append("</ul></section>")
    parts.append(f"<h2>{e(w['gaps'])}</h2><p>{e(w.get('gap_note', ''))}</p>")
    parts.append(f"<ul><li>{e(w['targets'] % {'n': b.gap_targets})}</li>")
    parts += [f"<li>{e(goal_only_line(b.lang, goal, hubs))}</li>" for goal, hubs in b.gap_goal_only]
    parts.append(f"<li>{e(w['manifestos'] % {'names': w['semicolon'].join(b.gap_manifestos) or '0'})}</li>")
    if b.gap_suggested:
        gap_key = "gap_counted" if b.include_suggested else "gap_suggested"
        parts.append(f'<li class="suggested">{e(w[gap_key] % {"n": b.gap_suggested})}</li>')
    parts.append("</ul></body></html>")
    return "\n".join(parts) + "\n"
