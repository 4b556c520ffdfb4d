"""The synchronization index: hubs and what links them, for related hubs with reasons and potential partners.

Built from the store in one query and kept current hub by hub (`put_hub`, `remove_hub`), no full rebuild for one
change. A shared concept counts by its rarity (an IDF weight: a target few hubs share says more than a common one).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from .resources import read_query
from .store import Store

# How much one shared concept of each kind counts, before its rarity.
KIND_WEIGHTS = {"target": 1.0, "manifesto": 1.0, "council": 0.6, "goal": 0.4, "section": 0.2}
OVERLAP_WEIGHT = 0.5  # two hubs running at the same time (scaled by the share of the shorter one's time frame)
BUILDS_ON_WEIGHT = 1.0  # one hub builds on the other, either way


@dataclass
class HubRecord:
    """What the index knows of one hub."""

    iri: str
    label: str = ""
    concepts: set[str] = field(default_factory=set)
    start: date | None = None
    end: date | None = None
    builds_on: set[str] = field(default_factory=set)
    linked: set[str] = field(default_factory=set)  # builds on or synchronizes with, either way


@dataclass(frozen=True)
class Reason:
    """One reason two hubs are related, with its share of the score."""

    kind: str
    concept: str
    label: str
    contribution: float


@dataclass(frozen=True)
class Related:
    """A related hub, its score, and the reasons that add up to it."""

    hub: str
    label: str
    score: float
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: hub, label, score, reasons."""
        return {
            "hub": self.hub,
            "label": self.label,
            "score": round(self.score, 6),
            "reasons": [
                {"kind": r.kind, "concept": r.concept, "label": r.label, "contribution": round(r.contribution, 6)}
                for r in self.reasons
            ],
        }


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


class SyncIndex:
    """Hubs, their concepts and an inverted index concept → hubs."""

    def __init__(self) -> None:
        self.hubs: dict[str, HubRecord] = {}
        self.by_concept: dict[str, set[str]] = defaultdict(set)
        self.built_on_by: dict[str, set[str]] = defaultdict(set)
        self.kinds: dict[str, str] = {}
        self.labels: dict[str, str] = {}

    @classmethod
    def from_store(cls, store: Store, lang: str = "en") -> SyncIndex:
        """The index of every hub in the store, from queries/sync-links.rq."""
        index = cls()
        index._read(store, lang, None)
        return index

    def _read(self, store: Store, lang: str, bindings: dict[str, ox.NamedNode] | None) -> None:
        index = self
        records: dict[str, HubRecord] = {}
        for row in store.select(read_query("sync-links"), bindings):
            hub = row["hub"].value
            record = records.setdefault(hub, HubRecord(hub))
            kind = row["kind"].value
            if "concept" in row:
                concept = row["concept"].value
                if kind == "buildsOn":
                    record.builds_on.add(concept)
                    record.linked.add(concept)
                elif kind == "synchronizesWith":
                    record.linked.add(concept)
                else:
                    record.concepts.add(concept)
                    index.kinds[concept] = kind
                    label = row.get("label")
                    if isinstance(label, ox.Literal) and (concept not in index.labels or label.language == lang):
                        index.labels[concept] = label.value
            title = row.get("label")
            if kind == "title" and isinstance(title, ox.Literal) and (not record.label or title.language == lang):
                record.label = title.value
            if kind == "dates":
                record.start = _date(row["start"].value if "start" in row else None)
                record.end = _date(row["end"].value if "end" in row else None)
        for record in records.values():
            index.put_hub(record)

    def put_hub(self, record: HubRecord) -> None:
        """Add a hub, or replace it (its old links go, its new ones come)."""
        self.remove_hub(record.iri)
        self.hubs[record.iri] = record
        for concept in record.concepts:
            self.by_concept[concept].add(record.iri)
        for earlier in record.builds_on:
            self.built_on_by[earlier].add(record.iri)
        for other in record.linked:
            if other in self.hubs:
                self.hubs[other].linked.add(record.iri)

    def refresh_hub(self, store: Store, iri: str, lang: str = "en") -> None:
        """Re-read one hub from the store after it was added, replaced or removed (no full rebuild)."""
        fresh = SyncIndex()
        fresh._read(store, lang, {"hub": ox.NamedNode(iri)})
        if iri in fresh.hubs:
            self.kinds.update(fresh.kinds)
            self.labels.update({k: v for k, v in fresh.labels.items() if k not in self.labels})
            self.put_hub(fresh.hubs[iri])
        else:
            self.remove_hub(iri)

    def remove_hub(self, iri: str) -> None:
        """Forget a hub."""
        old = self.hubs.pop(iri, None)
        if old is None:
            return
        for concept in old.concepts:
            holders = self.by_concept[concept]
            holders.discard(iri)
            if not holders:
                del self.by_concept[concept]
        for earlier in old.builds_on:
            self.built_on_by[earlier].discard(iri)
        for other in self.hubs.values():
            other.linked.discard(iri)

    def idf(self, concept: str) -> float:
        """The rarity weight of a concept: log((N + 1) / hubs with it), N the number of hubs."""
        return math.log((len(self.hubs) + 1) / max(1, len(self.by_concept.get(concept, ()))))

    def _reasons(self, a: HubRecord, b: HubRecord) -> list[Reason]:
        reasons = []
        for concept in sorted(a.concepts & b.concepts):
            kind = self.kinds.get(concept, "target")
            weight = KIND_WEIGHTS.get(kind, 0.5) * self.idf(concept)
            reasons.append(Reason(kind, concept, self.labels.get(concept, concept), weight))
        if a.start and a.end and b.start and b.end:
            overlap = (min(a.end, b.end) - max(a.start, b.start)).days
            shorter = min((a.end - a.start).days, (b.end - b.start).days) or 1
            if overlap > 0:
                reasons.append(
                    Reason("overlap", "", "active at the same time", OVERLAP_WEIGHT * min(1, overlap / shorter))
                )
        if b.iri in a.builds_on or a.iri in b.builds_on:
            reasons.append(Reason("buildsOn", b.iri if b.iri in a.builds_on else a.iri, "builds on", BUILDS_ON_WEIGHT))
        return reasons

    def related(self, hub: str, limit: int = 10) -> list[Related]:
        """The hubs most related to `hub`, best first, each with the reasons that add up to its score.

        Shared-concept scores are summed for every candidate first; full reasons (with time overlap and builds-on,
        worth at most OVERLAP_WEIGHT + BUILDS_ON_WEIGHT more) are made only for candidates that can still reach
        the top `limit`, which gives exactly the ranking of `related_exhaustive`.
        """
        me = self.hubs.get(hub)
        if me is None:
            return []
        scores: dict[str, float] = defaultdict(float)
        for concept in me.concepts:
            weight = KIND_WEIGHTS.get(self.kinds.get(concept, "target"), 0.5) * self.idf(concept)
            for other in self.by_concept.get(concept, ()):
                scores[other] += weight
        for other in me.builds_on | {o for o in me.linked if o in self.hubs}:
            scores.setdefault(other, 0.0)
        for other in self.built_on_by.get(hub, ()):
            scores.setdefault(other, 0.0)
        scores.pop(hub, None)
        if len(scores) > limit:
            floor = heapq.nlargest(limit, scores.values())[-1] - OVERLAP_WEIGHT - BUILDS_ON_WEIGHT
            candidates = [other for other, score in scores.items() if score >= floor - 1e-9]
        else:
            candidates = list(scores)
        return self._ranked(me, candidates, limit)

    def _ranked(self, me: HubRecord, candidates: Iterable[str], limit: int) -> list[Related]:
        found = []
        for other in candidates:
            record = self.hubs.get(other)
            if record is None:
                continue
            reasons = self._reasons(me, record)
            if any(r.kind != "overlap" for r in reasons):
                reasons.sort(key=lambda r: -r.contribution)
                found.append(Related(other, record.label, sum(r.contribution for r in reasons), tuple(reasons)))
        found.sort(key=lambda r: (-r.score, r.hub))
        return found[:limit]

    def related_exhaustive(self, hub: str, limit: int = 10) -> list[Related]:
        """The same ranking, every candidate scored in full (the reference for tests)."""
        me = self.hubs.get(hub)
        if me is None:
            return []
        candidates: set[str] = set(me.builds_on) | set(self.built_on_by.get(hub, ()))
        for concept in me.concepts:
            candidates |= self.by_concept.get(concept, set())
        candidates.discard(hub)
        return self._ranked(me, candidates, limit)

    def partners(self, hub: str, limit: int = 10) -> list[Related]:
        """Potential synchronization partners: related, active at the same time, not linked yet."""
        me = self.hubs.get(hub)
        if me is None:
            return []
        return [
            r
            for r in self.related(hub, limit=len(self.hubs))
            if r.hub not in me.linked and any(reason.kind == "overlap" for reason in r.reasons)
        ][:limit]
