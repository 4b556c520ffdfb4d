"""The gaps pending suggestions would fill: a target or manifesto no hub addresses as a fact, which a hub is
suggested for (or, counting a council's hubs, which a hub suggested for the council states). Shown apart as
"suggested, not confirmed", and taken off the gaps only when asked (`--include-suggested`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from l4a.graph.namespaces import L4A
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store
from l4a.graph.sync.suggested import PendingLink, pending_links

STATED = internal_query("suggested-hubs-links")
LINEAGE = internal_query("council-lineage")
KEYS = {L4A + "addressesTarget": "target", L4A + "addressesManifesto": "manifesto",
        L4A + "relevantCouncil": "council", L4A + "section": "section"}  # fmt: skip


@dataclass(frozen=True)
class GapSuggestion:
    """A gap a hub would fill if pending suggestions were confirmed."""

    kind: str  # target or manifesto
    gap: str  # its IRI
    hub: str
    score: float  # the lowest score of the suggestions it needs
    suggestions: tuple[str, ...]  # those suggestions (the link, and the hub's council when that is suggested too)

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "gap": self.gap, "hub": self.hub, "score": self.score,
                "suggestions": list(self.suggestions), "state": "pending"}  # fmt: skip


def lineage_of(store: Store, council: str) -> set[str]:
    """The council and the councils it continues or that continue it."""
    return {row["other"].value for row in store.select(LINEAGE) if row["council"].value == council} | {council}


def gap_suggestions(
    store: Store, gaps: Collection[str], council: str | None = None, section: str | None = None
) -> list[GapSuggestion]:
    """For these gaps (target and manifesto IRIs), the hubs pending suggestions would make fill them, counting
    only the hubs of `council` (IRI; its lineage too) or `section` (IRI) when given, as the gaps themselves do."""
    wanted = set(gaps)
    pending = pending_links(store)
    if not wanted or not pending:
        return []
    stated: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.select(STATED):
        stated[row["hub"].value][KEYS[row["p"].value]].add(row["o"].value)
    links: dict[str, list[PendingLink]] = defaultdict(list)
    for link in pending:
        links[link.hub].append(link)
    councils = lineage_of(store, council) if council else set()
    found = []
    for hub, own in links.items():
        facts = stated[hub]
        if section and section not in facts["section"]:
            continue
        membership: list[PendingLink] = []  # the suggested council links that would make the hub one of the council's
        if council and not facts["council"] & councils:
            membership = [x for x in own if x.kind == "council" and x.value in councils][:1]
            if not membership:
                continue
        fills: dict[tuple[str, str], list[PendingLink]] = {}
        for kind in ("target", "manifesto"):
            if membership:  # what it states already counts, once its council is confirmed
                for value in facts[kind] & wanted:
                    fills[(kind, value)] = list(membership)
            for x in own:
                if x.kind == kind and x.value in wanted:
                    fills[(kind, x.value)] = [x, *membership]
        for (kind, value), needs in fills.items():
            found.append(GapSuggestion(kind, value, hub, min(n.score for n in needs),
                                       tuple(n.suggestion for n in needs)))  # fmt: skip
    found.sort(key=lambda g: (g.kind != "target", g.gap, -g.score, g.hub))
    return found
