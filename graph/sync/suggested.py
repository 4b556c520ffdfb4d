"""Pending suggestions read as links, apart from the facts: listed for the pages' "suggested, not confirmed"
sections, and counted only when asked (`--include-suggested`, `?include_suggested=1`) by an index of their own
whose every reason that counted one is marked.

The default index (sync/index.py) never reads them, so it stays as fast as it was; this variant is built from it
and the pending suggestions (queries/internal/pending-suggestions.rq) only when a reader asks for it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from l4a.graph.namespaces import L4A
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store, Term
from l4a.graph.sync.index import HubRecord, Reason, SyncIndex

PENDING = internal_query("pending-suggestions")

# the property a suggestion would state -> its kind, and the one-letter kind of queries/sync-links.rq
KINDS = {
    L4A + "addressesTarget": ("target", "t"),
    L4A + "addressesGoal": ("goal", "g"),
    L4A + "addressesManifesto": ("manifesto", "m"),
    L4A + "relevantCouncil": ("council", "c"),
}
LETTERS = dict(KINDS.values())


@dataclass(frozen=True)
class PendingLink:
    """A link a pending suggestion proposes and the hub does not state: never a fact, always shown as suggested."""

    suggestion: str
    hub: str
    kind: str  # target, goal, manifesto or council
    value: str
    score: float
    words: str

    def as_dict(self) -> dict[str, object]:
        return {"suggestion": self.suggestion, "hub": self.hub, "kind": self.kind, "value": self.value,
                "score": self.score, "why": self.words, "state": "pending"}  # fmt: skip


def pending_links(store: Store, hub: str | None = None) -> list[PendingLink]:
    """The pending suggested links of every hub (or of one, by IRI), best first within each hub."""
    bindings: dict[str, Term] | None = {"hub": ox.NamedNode(hub)} if hub else None
    found = []
    for row in store.select(PENDING, bindings):
        kind = KINDS.get(row["property"].value)
        if kind is None:
            continue
        words = row.get("words")
        text = words.value if words is not None else ""
        score = float(row["score"].value)
        found.append(PendingLink(row["suggestion"].value, row["hub"].value, kind[0], row["value"].value, score, text))
    return found


class SuggestedIndex(SyncIndex):
    """The synchronization index with pending suggestions counted as links, each reason that counted one marked
    `suggested` (and so each related hub or partner it changed)."""

    def __init__(self) -> None:
        super().__init__()
        self.suggested: dict[str, set[str]] = {}  # hub -> the concepts it has only by a pending suggestion

    @classmethod
    def from_index(cls, index: SyncIndex, store: Store, lang: str = "en") -> SuggestedIndex:
        """The index `index` (the default one, left as it is) with the store's pending suggestions added."""
        made = cls()
        made.kinds, made.labels, made._implied = dict(index.kinds), dict(index.labels), dict(index._implied)
        made.derived = {hub: set(concepts) for hub, concepts in index.derived.items()}
        extra: dict[str, set[str]] = defaultdict(set)
        for link in pending_links(store):
            if link.hub not in index.hubs:
                continue
            token = LETTERS[link.kind] + link.value
            implied = made._implied.get(token)
            if implied is None:
                made._learn(store, token, lang)
                implied = made._implied[token]
            extra[link.hub].update(implied)
        records: list[HubRecord] = []
        for iri, record in index.hubs.items():
            added = extra.get(iri, set()) - record.concepts
            if added:
                made.suggested[iri] = added
                record = dataclasses.replace(record, concepts=record.concepts | added)
            records.append(record)
        made.put_hubs(records)
        return made

    def _reasons(self, a: HubRecord, b: HubRecord, idf: Callable[[str], float] | None = None) -> list[Reason]:
        only = self.suggested.get(a.iri, set()) | self.suggested.get(b.iri, set())
        return [
            dataclasses.replace(r, suggested=True) if r.concept in only and r.kind not in ("overlap", "buildsOn") else r
            for r in super()._reasons(a, b, idf)
        ]

    def top_reason(self, a: HubRecord, b: HubRecord) -> Reason | None:
        found = super().top_reason(a, b)
        only = self.suggested.get(a.iri, set()) | self.suggested.get(b.iri, set())
        if found is not None and found.concept in only and found.kind not in ("overlap", "buildsOn"):
            return dataclasses.replace(found, suggested=True)
        return found


def suggested_members(store: Store, councils: set[str], members: set[str]) -> list[PendingLink]:
    """The hubs a pending suggestion links to one of `councils` (a council's lineage) that are not among its
    `members` already: one link per hub, its best, best first."""
    best: dict[str, PendingLink] = {}
    for link in pending_links(store):
        wanted = link.kind == "council" and link.value in councils and link.hub not in members
        if wanted and (link.hub not in best or link.score > best[link.hub].score):
            best[link.hub] = link
    return sorted(best.values(), key=lambda x: (-x.score, x.hub))
