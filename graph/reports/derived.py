"""Derived links: what the project infers from a source rather than reads in it, kept apart from stated links.

A derived link is an `l4a:DerivedLink` (a reified statement) beside the plain link in the hub's graph, with its
reason and a lower confidence (DESIGN: four kinds of statement). Coverage figures count such links apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from l4a.graph.namespaces import L4A
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store

ADDRESSES_GOAL = L4A + "addressesGoal"


@dataclass(frozen=True)
class DerivedLink:
    """One derived link: hub --predicate--> object, and why."""

    hub: str
    predicate: str
    object: str
    reason: str
    confidence: str


def read_derived_links(store: Store) -> list[DerivedLink]:
    """Every derived link of the store's hubs."""
    query = internal_query("derived-links")
    return [
        DerivedLink(
            r["hub"].value,
            r["predicate"].value,
            r["object"].value,
            r["reason"].value if "reason" in r else "",
            r["confidence"].value if "confidence" in r else "",
        )
        for r in store.select(query)
    ]


def derived_goals(links: list[DerivedLink]) -> dict[str, set[str]]:
    """Per hub, the SDG goals it is linked to by derived links only (as the links record them)."""
    found: dict[str, set[str]] = defaultdict(set)
    for link in links:
        if link.predicate == ADDRESSES_GOAL:
            found[link.hub].add(link.object)
    return dict(found)


def derived_reasons(links: list[DerivedLink]) -> dict[str, str]:
    """Per hub, the reason of its derived links (the first one recorded)."""
    reasons: dict[str, str] = {}
    for link in links:
        reasons.setdefault(link.hub, link.reason)
    return reasons
