"""Every hub as one row (its links and dates), read once, for lists, filters, text search and downloads."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from l4a.graph.dates import first_day, last_day
from l4a.graph.namespaces import DCTERMS, L4A, SDG
from l4a.graph.resources import internal_query
from l4a.graph.sdg_order import sdg_key
from l4a.graph.store.base import Row, Store
from l4a.graph.store.derived import derived

FACTS = internal_query("hub-table-facts")
LINEAGE = internal_query("council-lineage")
KEYS = {
    L4A + "addressesTarget": "targets",
    L4A + "addressesGoal": "goals",
    L4A + "addressesManifesto": "manifestos",
    L4A + "relevantCouncil": "councils",
    L4A + "section": "sections",
    L4A + "countryCode": "countries",
    L4A + "status": "statuses",
}
LINK_ORDER = tuple(sorted({*KEYS.values(), "goals"}))  # the links of a hub's JSON, in this order


def fold(text: str) -> str:
    """Lower case without accents, for search in any of the three languages."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@dataclass(slots=True)
class HubRow:
    """One hub: its IRI, names and descriptions per language, links, place and dates. The values many hubs share
    (a target's IRI, a language, a city, a list of links) are one object for all (`read_rows`): at 100k hubs the
    table held 517 MB, 327 MB with the strings shared. Each kind of link is a sorted tuple (a set takes 216 bytes
    even empty; a hub holds eight kinds)."""

    iri: str
    names: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    city: str = ""
    start: str = ""
    end: str = ""
    launch: str = ""
    text: str = ""

    @property
    def slug(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]

    def values(self, key: str) -> tuple[str, ...]:
        """The hub's links of one kind (`KEYS`' names, and "goals"), sorted."""
        return self.links.get(key, ())

    def shares(self, key: str, others: AbstractSet[str]) -> bool:
        """Whether one of the hub's links of this kind is among `others`."""
        return not others.isdisjoint(self.links.get(key, ()))

    def years(self) -> range:
        """The calendar years the hub runs (start or launch to end); empty when it has no dates."""
        first = first_day(self.start or self.launch or self.end)
        last = last_day(self.end or self.start or self.launch)
        return range(first.year, last.year + 1) if first is not None and last is not None else range(0)

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"hub": self.iri, "names": self.names, "city": self.city, "start": self.start,
                                    "end": self.end}  # fmt: skip
        links = self.links
        for key in LINK_ORDER:
            found[key] = list(links.get(key, ()))
        return found


@dataclass
class HubFilter:
    """What a reader asked for; every field optional. Goals match through their targets too."""

    goal: str | None = None
    target: str | None = None
    manifesto: str | None = None
    council: str | None = None
    section: str | None = None
    country: str | None = None
    status: str | None = None
    year: int | None = None
    text: str | None = None


# The filters of the hub list, whose every value the list's form offers.
OPTION_KEYS = ("goals", "targets", "manifestos", "councils", "sections", "countries", "statuses")


@dataclass
class HubTable:
    """All hubs, and the council lineage (a council with its predecessors and successors)."""

    rows: list[HubRow]
    lineage: dict[str, set[str]]
    _options: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)  # key -> options

    @classmethod
    def from_store(cls, store: Store) -> HubTable:
        """Every hub of the store (computed once per state of the store: graph/store/derived.py)."""
        return derived(store, "hub-table", lambda: cls._build(store))

    @classmethod
    def _build(cls, store: Store) -> HubTable:
        rows = read_rows(store.select(FACTS))
        lineage: dict[str, set[str]] = {}
        for found in store.select(LINEAGE):
            lineage.setdefault(found["council"].value, set()).add(found["other"].value)
        table = cls(sorted(rows, key=row_order), lineage)
        for key in OPTION_KEYS:  # worked out with the table, so a table kept on disk has them (0.3 s at 10k hubs)
            table.options(key)
        return table

    def with_hubs(self, store: Store, hubs: Iterable[str]) -> HubTable:
        """This table with the rows of these hubs read again (added, changed or gone), the others kept."""
        changed = set(hubs)
        rows = [row for row in self.rows if row.iri not in changed]
        for hub in sorted(changed):
            rows += read_rows(store.select(FACTS, {"hub": NamedNode(hub)}))
        return HubTable(sorted(rows, key=row_order), self.lineage)

    def select(self, wanted: HubFilter) -> list[HubRow]:
        """The hubs matching every given criterion, in name order."""
        checks = [
            ("goals", wanted.goal),
            ("targets", wanted.target),
            ("manifestos", wanted.manifesto),
            ("sections", wanted.section),
            ("countries", wanted.country),
            ("statuses", wanted.status),
        ]
        councils = self.lineage.get(wanted.council, {wanted.council}) if wanted.council else None
        words = fold(wanted.text).split() if wanted.text else []
        return [
            row
            for row in self.rows
            if all(value in row.values(key) for key, value in checks if value)
            and (councils is None or row.shares("councils", councils))
            and (wanted.year is None or wanted.year in row.years())
            and all(word in row.text for word in words)
        ]

    def options(self, key: str) -> list[str]:
        """Every value a filter can take (from the hubs themselves), worked out once per table."""
        found = self._options.get(key)
        if found is None:  # goals 1, 2, ... 17
            found = self._options[key] = sorted({v for row in self.rows for v in row.values(key)}, key=sdg_key)
        return found

    def get(self, iri: str) -> HubRow | None:
        return next((row for row in self.rows if row.iri == iri), None)


def row_order(row: HubRow) -> str:
    """Hubs are listed by English name (else any name, else IRI)."""
    return row.names.get("en") or next(iter(row.names.values()), row.iri)


def read_rows(found_rows: Iterable[Row]) -> list[HubRow]:
    """Hub rows from FACTS' answers."""
    rows: dict[str, HubRow] = {}
    links: dict[str, dict[str, set[str]]] = {}  # a hub's links while they are read
    intern = sys.intern  # one string for a value many hubs hold, also once the table is read back from the disk
    for found in found_rows:
        row = rows.setdefault(found["hub"].value, HubRow(found["hub"].value))
        predicate, obj = found["p"].value, found["o"]
        lang = intern(getattr(obj, "language", None) or "en")
        if predicate in KEYS:
            links.setdefault(row.iri, {}).setdefault(KEYS[predicate], set()).add(intern(obj.value))
        elif predicate == DCTERMS + "title":
            row.names.setdefault(lang, obj.value)
        elif predicate == DCTERMS + "description":
            row.descriptions.setdefault(lang, obj.value)
        elif predicate == L4A + "city":
            row.city = intern(obj.value)
        elif predicate == L4A + "startDate":
            row.start = obj.value
        elif predicate == L4A + "endDate":
            row.end = obj.value
        elif predicate == L4A + "launchDate":
            row.launch = obj.value
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple for the same links (a status, a section, ...)
    for row in rows.values():
        held = links.get(row.iri, {})
        goals = {target.removeprefix(SDG).split(".")[0] for target in held.get("targets", ())}
        held.setdefault("goals", set()).update(intern(SDG + goal) for goal in goals)
        for key, values in held.items():
            ordered = tuple(sorted(values))
            row.links[key] = shared.setdefault(ordered, ordered)
        row.text = fold(" ".join([*row.names.values(), *row.descriptions.values(), row.city]))
    return list(rows.values())


def hub_iris(rows: Iterable[HubRow]) -> list[str]:
    return [row.iri for row in rows]
