"""`builds-on-chain`: every hub a hub builds on and every hub that builds on it, directly or not, with the fewest
steps between them (empty beyond 8), on chains, branches and cycles; checked against a walk of the same links."""

from __future__ import annotations

from collections import deque

import pyoxigraph as ox

from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.sparql.queries import run_named_query
from l4a.graph.store.embedded import EmbeddedStore

L4A = "https://w3id.org/l4a/ontology#"
LINKS = [("a", "b"), ("b", "c"), ("c", "d"), ("e", "b"), ("a", "c"),  # a branch and a shortcut
         ("x", "y"), ("y", "x"),  # a cycle
         *((f"n{i}", f"n{i + 1}") for i in range(11))]  # a chain longer than 8 steps  # fmt: skip


def _hub(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{DEFAULT_BASE}id/hub/chain-{name}")


def _steps(start: str, forward: bool) -> dict[str, int]:
    """The fewest steps from `start` to every hub it reaches (forward: what it builds on; else what builds on it)."""
    found, queue = {start: 0}, deque([start])
    while queue:
        here = queue.popleft()
        for source, target in LINKS:
            there = target if forward and source == here else source if not forward and target == here else None
            if there is not None and there not in found:
                found[there] = found[here] + 1
                queue.append(there)
    return {name: steps for name, steps in found.items() if name != start}


def test_every_chain_with_its_fewest_steps() -> None:
    store = EmbeddedStore.in_memory()
    graph = ox.NamedNode(f"{DEFAULT_BASE}graph/hub/chains")
    names = {name for link in LINKS for name in link}
    store.add_quads([ox.Quad(_hub(n), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                             ox.NamedNode(L4A + "Hub"), graph) for n in names])  # fmt: skip
    store.add_quads([ox.Quad(_hub(s), ox.NamedNode(L4A + "buildsOn"), _hub(t), graph) for s, t in LINKS])
    for name in sorted(names):
        rows = run_named_query(store, "builds-on-chain", {"hub": _hub(name).value})
        got = {(row["direction"].value, row["other"].value.rsplit("-", 1)[-1]): row.get("distance") for row in rows}
        expected = {}
        for direction, forward in (("builds-on", True), ("built-on-by", False)):
            for other, steps in _steps(name, forward).items():
                expected[(direction, other)] = steps
        assert set(got) == set(expected), name
        for key, steps in expected.items():
            distance = got[key]
            if steps <= 8:
                assert distance is not None and int(distance.value) == steps, (name, key)
            else:
                assert distance is None, (name, key)  # beyond 8 steps: not given
