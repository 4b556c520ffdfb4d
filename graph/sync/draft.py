"""The published hubs closest to a draft that is not in the index (a proposal being filled in): the index's own
score over the draft's links, with the same reasons, plus a shared country; every reason that rests on a
suggestion is marked.

The draft is scored like a hub of the index (docs/sync.md): each concept both have counts its kind's weight times
its rarity, running at the same time adds the overlap, and a hub needs a shared concept to be listed (the time
frame or the country alone make no hub similar). Fictional (demo) hubs are never listed for a draft.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from datetime import date

import numpy as np

from l4a.graph.sync.index import MARGIN, OVERLAP_WEIGHT, HubRecord, Reason, Related, SyncIndex

DRAFT = "urn:l4a:draft"  # the draft's stand-in IRI: never a hub's
PLACE_WEIGHT = 0.2  # the same country: as much as the same UCLG section, it says little about the topic


def rank_draft(
    index: SyncIndex,
    concepts: Collection[str],
    suggested: Collection[str] = (),
    start: date | None = None,
    end: date | None = None,
    country: str | None = None,
    countries: Mapping[str, Collection[str]] | None = None,
    exclude: Collection[str] = (),
    limit: int = 5,
) -> list[Related]:
    """The hubs of `index` most like a draft with `concepts` (IRIs of targets, goals, manifestos, councils, a
    section), best first, each with its reasons. A reason about a concept in `suggested` (the draft has it only by a
    suggestion) is marked suggested, as is one about a concept the other hub has only by a pending suggestion (the
    index counting them, sync/suggested.py). `countries` gives each hub's country codes; `exclude`, hubs to leave out
    (the published hub a draft revises)."""
    if limit <= 0 or not concepts:
        return []
    rows = len(index._iris)
    total = np.zeros(rows)
    for concept in set(concepts):
        column = index._columns.get(concept)
        if column is not None:
            total += index.weight(concept) * index._member[:rows, column]
    eligible = total > 0  # a shared concept is needed: the time frame or the country alone are no reason
    for iri in set(index.fictional) | set(exclude):
        slot = index._slots.get(iri)
        if slot is not None:
            eligible[slot] = False
    if start and end:  # as the index does for a hub: the share of the shorter time frame both run
        first, last = start.toordinal(), end.toordinal()
        days = np.minimum(index._end[:rows], last) - np.maximum(index._start[:rows], first)
        shorter = np.minimum(index._end[:rows] - index._start[:rows], last - first)
        shorter[shorter == 0] = 1
        total += np.where(index._dated[:rows] & (days > 0), OVERLAP_WEIGHT * np.minimum(1.0, days / shorter), 0.0)
    same_place: set[str] = set()
    if country and countries:
        same_place = {iri for iri, codes in countries.items() if country in codes}
        for iri in same_place:
            slot = index._slots.get(iri)
            if slot is not None:
                total[slot] += PLACE_WEIGHT
    chosen = np.flatnonzero(eligible)
    if len(chosen) > limit:
        scores = total[chosen]
        kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        chosen = chosen[scores >= kth - MARGIN]
    me = HubRecord(DRAFT, concepts=set(concepts), start=start, end=end)
    weights = index._weights()
    scored = []  # scored as the index scores (reasons made only for the hubs kept, as `related` does)
    for row in chosen:
        other = index.hubs[index._iris[int(row)]]
        score = index._score(me, other, weights)
        if score is not None:
            scored.append((-(score + (PLACE_WEIGHT if other.iri in same_place else 0.0)), other.iri, other))
    scored.sort(key=lambda item: (item[0], item[1]))
    marked = set(suggested)
    found = []
    for _, _, other in scored[: limit + 5]:  # a few more: the exact sums below may reorder a near tie
        reasons = [
            dataclasses.replace(r, suggested=True) if r.concept in marked else r for r in index._reasons(me, other)
        ]
        if other.iri in same_place and country:
            reasons.append(Reason("place", country, country, PLACE_WEIGHT))
        reasons.sort(key=lambda r: -r.contribution)
        found.append(Related(other.iri, other.label, sum(r.contribution for r in reasons), tuple(reasons)))
    found.sort(key=lambda r: (-r.score, r.hub))
    return found[:limit]
