"""A brief for a Venice City Solutions 2030 edition: its hubs (presented at it, or active at the time), their
progress or "no figures reported", the evidence cited with addresses and dates, related hubs, and the gaps.

An edition's hubs (docs/monitoring.md): every hub recorded as `l4a:presentedAt` the edition ("presented"), and every
other hub whose period overlaps the edition's dates ("active then"): its start is on or before the edition's last day
and its end on or after the edition's first day, a year or month counting from its first day to its last. A hub
without both a start and an end date is only in the brief if it was presented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from l4a.graph.dates import first_day, last_day
from l4a.graph.errors import UsageError
from l4a.graph.i18n.words import words
from l4a.graph.namespaces import DEFAULT_BASE, record_iri
from l4a.graph.reports.brief import Brief, hub_briefs, hub_evidence, manifesto_names
from l4a.graph.reports.hub_table import HubRow, HubTable
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store
from l4a.graph.store.derived import derived

EDITIONS = internal_query("vcs-editions")
PRESENTED = internal_query("vcs-presented")
TARGETS = internal_query("sdg-targets")
MANIFESTOS = internal_query("manifesto-labels-en")


def edition_words(lang: str) -> dict[str, str]:
    """The words of an edition's brief that differ from a council's (brief.brief_words), in `lang`."""
    w = words(lang)
    return {
        "brief": w.gettext("Brief"),
        "terms": w.gettext("Edition"),
        "none_hubs": w.gettext("No hub was presented at this edition or active during it."),
        "related": w.gettext("Related hubs outside this edition"),
        "targets": w.gettext("SDG targets no hub of this edition records a link to: %(n)s"),
        "manifestos": w.gettext("Durban manifestos no hub of this edition records a link to: %(names)s"),
        "presented": w.gettext("Presented at this edition"),
        "active": w.gettext("Active at the time of this edition (no presentation recorded)"),
    }


@dataclass
class Edition:
    """A Venice City Solutions 2030 edition: its number, label, theme and dates (first and last day)."""

    iri: str
    number: int | None
    label: str
    theme: str
    start: dt.date | None
    end: dt.date | None

    def about(self, to: str = "to", colon: str = ": ") -> str:
        """The label with the theme and the dates, as a brief names the edition (`to` between the dates, `colon`
        before the theme: the reader's words)."""
        days = f" {to} ".join(d.isoformat() for d in dict.fromkeys(x for x in (self.start, self.end) if x is not None))
        return ", ".join(x for x in (self.label + (f"{colon}{self.theme}" if self.theme else ""), days) if x)


def read_editions(store: Store) -> dict[str, Edition]:
    """Every edition in the store, by IRI (the English label, the only one the reference data has)."""
    editions: dict[str, Edition] = {}
    for row in store.select(EDITIONS):
        iri = row["edition"].value
        number = row.get("number")
        found = editions.setdefault(
            iri,
            Edition(iri, int(number.value) if number is not None and number.value.isdigit() else None,
                    iri.rsplit("/", 1)[-1], "", None, None),
        )  # fmt: skip
        label, theme = row.get("label"), row.get("theme")
        if isinstance(label, ox.Literal) and label.language in (None, "", "en"):
            found.label = label.value
        if isinstance(theme, ox.Literal) and theme.language in (None, "", "en"):
            found.theme = theme.value
        if "start" in row:
            found.start = first_day(row["start"].value)
        if "end" in row:
            found.end = last_day(row["end"].value)
    return editions


def resolve_edition(store: Store, given: str, base: str = DEFAULT_BASE) -> Edition:
    """An edition given by number (3), year (2020), slug (venice-city-solutions-2020) or IRI."""
    editions = read_editions(store)
    text = given.strip()
    if text in editions:
        return editions[text]
    if record_iri(base, "event", text) in editions:
        return editions[record_iri(base, "event", text)]
    found: list[Edition] = []
    if text.isdigit() and len(text) == 4:
        found = [e for e in editions.values() if int(text) in {d.year for d in (e.start, e.end) if d is not None}]
    elif text.isdigit():
        found = [e for e in editions.values() if e.number == int(text)]
    if len(found) == 1:
        return found[0]
    known = "; ".join(
        f"{e.number} ({e.start.year if e.start else '?'})"
        for e in sorted(editions.values(), key=lambda e: e.number or 0)
    )
    if found:
        raise UsageError(f"{given!r} names several Venice City Solutions editions; give its number or slug.")
    raise UsageError(
        f"there is no Venice City Solutions edition {given!r}; give its number, year, slug or IRI."
        f" Known: {known or 'none'}."
    )


def edition_hubs(edition: Edition, rows: Iterable[HubRow], presented: set[str]) -> dict[str, str]:
    """The edition's hubs, each marked "presented" (recorded as presented at it) or "active" (its period overlaps
    the edition's dates)."""
    first = edition.start or edition.end
    last = edition.end or edition.start
    marks: dict[str, str] = {}
    for row in rows:
        if row.iri in presented:
            marks[row.iri] = "presented"
            continue
        start, end = first_day(row.start), last_day(row.end)
        if first is None or last is None or start is None or end is None:
            continue  # the edition or the hub is undated: "active then" cannot be said
        if start <= last and end >= first:
            marks[row.iri] = "active"
    return marks


def make_edition_brief(
    store: Store, edition: str, lang: str = "en", base: str = DEFAULT_BASE, day: dt.date | None = None
) -> Brief:
    """The brief of a Venice City Solutions edition (number, year, slug or IRI): its hubs by edition_hubs."""
    found = resolve_edition(store, edition, base)
    day = day or dt.date.today()
    key = f"brief-vcs:{found.iri}:{lang}:{base}:{day.isoformat()}"  # once per state of the store (store/derived.py)
    return derived(store, key, lambda: _make_edition_brief(store, found, lang, base, day))


def _make_edition_brief(store: Store, found: Edition, lang: str, base: str, day: dt.date) -> Brief:
    table = HubTable.from_store(store)
    presented = {r["hub"].value for r in store.select(PRESENTED, {"edition": ox.NamedNode(found.iri)})}
    marks = edition_hubs(found, table.rows, presented)
    rows = [r for r in table.rows if r.iri in marks]
    members = {r.iri for r in rows}
    hubs = hub_briefs(store, rows, hub_evidence(store, [{}], members, base), lang, base, day, marks,
                      key=f"vcs:{found.iri}", table=table)  # fmt: skip
    hubs.sort(key=lambda h: (h.mark != "presented", h.title))
    addressed = {t for r in rows for t in r.values("targets")}
    targets = [r["target"].value for r in store.select(TARGETS) if r["target"].value not in addressed]
    addressed_manifestos = {m for row in rows for m in row.values("manifestos")}
    gaps = [r["manifesto"].value for r in store.select(MANIFESTOS) if r["manifesto"].value not in addressed_manifestos]
    manifestos = manifesto_names(store, gaps, lang)
    lineage = [(found.iri, found.about(words(lang).gettext("to"), words(lang).colon))]
    return Brief(found.iri, found.label, lineage, hubs, len(targets), manifestos, day, lang, "vcs")
