"""Counts of what the store holds (`l4a stats`)."""

from __future__ import annotations

from pyoxigraph import Literal

from l4a.graph.resources import read_query
from l4a.graph.store.base import Store
from l4a.graph.store.derived import derived

STAT_KEYS = (
    "goals",
    "targets",
    "indicators",
    "manifestos",
    "policy_councils",
    "sections",
    "hubs",
    "organisations",
    "evidence",
    "graphs",
)


def store_stats(store: Store) -> dict[str, int]:
    """The counts of queries/stats.rq, plus the number of quads as `triples`.

    `graphs` is the store's own list of named graphs: a SPARQL server may hold graphs of its own (Virtuoso),
    or not list graphs for `GRAPH ?g { }` at all. Counted once per state of the store (graph/store/derived.py):
    2 s at 100k hubs.
    """
    return derived(store, "stats", lambda: _count(store))


def _count(store: Store) -> dict[str, int]:
    rows = store.select(read_query("stats"))
    row = rows[0] if rows else {}
    counts = {}
    for key in STAT_KEYS:
        value = row.get(key)
        counts[key] = int(value.value) if isinstance(value, Literal) else 0
    counts["graphs"] = len(store.named_graphs())
    counts["triples"] = store.quad_count()
    return counts
