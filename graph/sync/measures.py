"""Synchronization measures (docs/monitoring.md): the links between hubs by kind (builds on, synchronizes with,
shared partners, joint events), how they grow year by year, and which potential partners of the synchronization
index (graph/sync.py) became actual links.

The graph records no time at which a link was stated, so each link is dated by what the records say (the later
start of its two hubs, or the day of the joint event); the formulas are in docs/monitoring.md. The measures are
plain functions over plain data, so that fixtures whose answers are known by construction can test them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from l4a.graph.dates import first_day
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store
from l4a.graph.store.derived import derived
from l4a.graph.sync.index import SyncIndex

KINDS = ("builds-on", "synchronizes-with", "shared-partner", "joint-event")
DIRECT = ("builds-on", "synchronizes-with")  # the actual links that a potential partnership can become
FACTS = internal_query("sync-facts")


@dataclass(frozen=True)
class Link:
    """A link of one kind between two hubs (a < b), through what they share (partners, events; empty for builds
    on and synchronizes with), counted from `on` (None: undated, left out of the counts over time)."""

    a: str
    b: str
    kind: str
    on: dt.date | None
    via: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {"hubs": [self.a, self.b], "kind": self.kind, "on": self.on.isoformat() if self.on else None,
                "via": list(self.via)}  # fmt: skip


@dataclass
class HubFacts:
    """What the measures need of the hubs: start dates, direct links, partners, events and the events' dates."""

    starts: dict[str, dt.date | None] = dataclasses.field(default_factory=dict)
    direct: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)  # (hub, kind, other hub)
    partners: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    events: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    event_dates: dict[str, dt.date | None] = dataclasses.field(default_factory=dict)


def read_facts(store: Store) -> HubFacts:
    """The hubs' start dates, builds-on and synchronizes-with links, partners and events, from the store."""
    facts = HubFacts()
    for row in store.select(FACTS):
        hub, kind = row["hub"].value, row["kind"].value
        facts.starts.setdefault(hub, None)
        if kind == "start":
            facts.starts[hub] = first_day(row["date"].value)
        elif kind in DIRECT:
            facts.direct.append((hub, kind, row["other"].value))
        elif kind == "partner":
            facts.partners.setdefault(hub, set()).add(row["other"].value)
        else:
            facts.events.setdefault(hub, set()).add(row["other"].value)
            facts.event_dates[row["other"].value] = first_day(row["date"].value) if "date" in row else None
    return facts


def _later(starts: Mapping[str, dt.date | None], a: str, b: str) -> dt.date | None:
    sa, sb = starts.get(a), starts.get(b)
    return max(sa, sb) if sa is not None and sb is not None else None


def _pairs(members: Mapping[str, set[str]]) -> dict[tuple[str, str], set[str]]:
    """Each pair of hubs (a < b) sharing something, with what they share."""
    holders: dict[str, set[str]] = defaultdict(set)
    for hub, things in members.items():
        for thing in things:
            holders[thing].add(hub)
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for thing, hubs in holders.items():
        ordered = sorted(hubs)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                shared[(a, b)].add(thing)
    return shared


def hub_links(facts: HubFacts) -> list[Link]:
    """Every link between two distinct hubs, one per pair and kind, dated as docs/monitoring.md says:
    builds on, synchronizes with and shared partners from the later start of the two hubs; joint events from the
    earliest dated event both were presented at."""
    found: dict[tuple[str, str, str], Link] = {}
    for hub, kind, other in facts.direct:
        if other == hub or other not in facts.starts:
            continue  # a link to itself, or to something that is not a hub
        a, b = _pair(hub, other)
        found.setdefault((a, b, kind), Link(a, b, kind, _later(facts.starts, a, b)))
    for (a, b), partners in _pairs(facts.partners).items():
        found[(a, b, "shared-partner")] = Link(
            a, b, "shared-partner", _later(facts.starts, a, b), tuple(sorted(partners))
        )
    for (a, b), events in _pairs(facts.events).items():
        days = [d for e in events if (d := facts.event_dates.get(e)) is not None]
        found[(a, b, "joint-event")] = Link(a, b, "joint-event", min(days) if days else None, tuple(sorted(events)))
    return sorted(found.values(), key=lambda link: (link.kind, link.a, link.b))


def growth(links: Iterable[Link]) -> dict[str, dict[int, int]]:
    """Links counted by year, cumulatively, per kind and for "any" kind (a pair of hubs counted once, from its
    earliest dated link); undated links are left out."""
    years: dict[str, list[int]] = defaultdict(list)
    first: dict[tuple[str, str], dt.date] = {}
    for link in links:
        if link.on is None:
            continue
        years[link.kind].append(link.on.year)
        pair = (link.a, link.b)
        first[pair] = min(first.get(pair, link.on), link.on)
    years["any"] = [day.year for day in first.values()]
    return {
        kind: {year: sum(1 for y in years[kind] if y <= year) for year in sorted(set(years[kind]))}
        for kind in (*KINDS, "any")
    }


@dataclass
class Conversion:
    """For a cut-off date: the pairs the index would have proposed as partners knowing only the links dated up to
    then, and those of them that became builds-on or synchronizes-with links dated after it."""

    cutoff: dt.date
    proposed: list[tuple[str, str]]
    became: list[Link]

    @property
    def share(self) -> float | None:
        """became / proposed; None when nothing was proposed."""
        return len(self.became) / len(self.proposed) if self.proposed else None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {"cutoff": self.cutoff.isoformat(), "proposed": len(self.proposed), "became": len(self.became),
                "share": None if self.share is None else round(self.share, 4),
                "links": [link.as_dict() for link in self.became]}  # fmt: skip


def index_at(index: SyncIndex, links: Iterable[Link], cutoff: dt.date) -> SyncIndex:
    """A copy of the index whose hubs keep only the builds-on and synchronizes-with links known on `cutoff` (dated
    on or before it, or undated: when an undated link was made cannot be said, so it counts as known)."""
    later = {(link.a, link.b) for link in links if link.kind in DIRECT and link.on is not None and link.on > cutoff}

    def known(hub: str, other: str) -> bool:
        return _pair(hub, other) not in later

    then = SyncIndex()
    then.kinds, then.labels, then.derived = dict(index.kinds), dict(index.labels), dict(index.derived)
    then.put_hubs(
        dataclasses.replace(
            record,
            concepts=set(record.concepts),
            builds_on=frozenset(o for o in record.builds_on if known(record.iri, o)),
            synchronizes_with=frozenset(o for o in record.synchronizes_with if known(record.iri, o)),
        )
        for record in index.hubs.values()
    )
    return then


def became_links(index: SyncIndex, links: Iterable[Link], cutoff: dt.date, limit: int = 10) -> Conversion:
    """The potential partners (SyncIndex.partners, `limit` per hub) proposed with the links known on `cutoff`, and
    those that became builds-on or synchronizes-with links dated after it."""
    links = list(links)
    then = index_at(index, links, cutoff)
    pairs = {_pair(hub, p.hub) for hub in then.hubs for p in then.partners(hub, limit, with_reasons=False)}
    became: dict[tuple[str, str], Link] = {}
    for link in sorted(links, key=lambda link: (link.on or cutoff, link.kind)):
        if link.kind in DIRECT and link.on is not None and link.on > cutoff and (link.a, link.b) in pairs:
            became.setdefault((link.a, link.b), link)  # a pair counts once, by its first link after the cut-off
    return Conversion(cutoff, sorted(pairs), sorted(became.values(), key=lambda link: (link.a, link.b)))


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def link_measures(
    store: Store, cutoffs: Iterable[dt.date], limit: int = 10, lang: str = "en"
) -> tuple[list[Link], list[Conversion]]:
    """The store's links between hubs and, for each cut-off (in order), the partners that became links: computed
    once per state of the store, cut-offs and limit (graph/store/derived.py)."""
    days = sorted(cutoffs)

    def compute() -> tuple[list[Link], list[Conversion]]:
        links = hub_links(read_facts(store))
        index = SyncIndex.from_store(store, lang)
        return links, [became_links(index, links, day, limit) for day in days]

    return derived(store, f"link-measures:{lang}:{limit}:{','.join(d.isoformat() for d in days)}", compute)
