"""The hub network from the synchronization index: communities, bridge hubs, and exports for other tools."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy import sparse

from l4a.graph.store.base import Store
from l4a.graph.store.derived import derived
from l4a.graph.store.kept_files import keep, kept_output, open_kept
from l4a.graph.sync.index import SyncIndex
from l4a.graph.text.json_text import pretty_json

NEIGHBOURS = 10  # each hub is joined to its most related hubs; enough to keep communities, cheap at scale


def hub_network(index: SyncIndex, neighbours: int = NEIGHBOURS) -> nx.Graph:
    """Hubs as nodes (with labels), each joined to its `neighbours` most related hubs, weighted by the score."""
    graph = nx.Graph()
    for iri, record in index.hubs.items():
        graph.add_node(iri, label=record.label)
    for iri, record in index.hubs.items():
        for related in index.related(iri, neighbours, with_reasons=False):
            other = index.hubs.get(related.hub)
            if other is None or other.fictional != record.fictional:
                continue  # a fictional example is never joined to a real hub: no real hub's measures count fiction
            if not graph.has_edge(iri, related.hub):
                # The strongest reason, for a picture's edge title: kind and concept IRI (labels are the reader's).
                top = index.top_reason(record, other)
                graph.add_edge(iri, related.hub, weight=related.score, reason_kind=top.kind if top else "",
                               reason_concept=top.concept if top else "",
                               reason_derived=bool(top and top.derived))  # fmt: skip
    return graph


@dataclass
class Measures:
    """The network's communities (largest first) and its bridge hubs (highest betweenness first)."""

    groups: list[list[str]]
    bridges: list[tuple[str, float]]


def store_network(store: Store) -> nx.Graph:
    """The network of every hub in the store, computed once per state of the store (graph/store/derived.py)."""
    return derived(store, "network:graph", lambda: hub_network(SyncIndex.from_store(store)))


def network_file(store: Store, fmt: str, out: BinaryIO) -> None:
    """`l4a network`: the store's network as node-link JSON (`json`) or GraphML (`graphml`) into `out`. Written
    once per state of an embedded store and kept as a file beside it (graph/store/kept_files.py): later requests
    copy it, without reading the network (several hundred MB at 100k hubs) into memory."""
    kept_output(store, _file_name(fmt), _writer(store, fmt), out)


def keep_network_file(store: Store, fmt: str) -> Path | None:
    """Keep the file `network_file` copies for the store's current state (`l4a prepare`); its path, or None for a
    store that keeps nothing."""
    return keep(store, _file_name(fmt), _writer(store, fmt))


def open_network_file(store: Store, fmt: str) -> BinaryIO | None:
    """The kept network file of the store's current state, opened at its text (close it); made first when
    missing. None for a store that keeps nothing (a SPARQL server): then `network_file` writes it from the store."""
    if keep_network_file(store, fmt) is None:
        return None
    return open_kept(store, _file_name(fmt))


def _file_name(fmt: str) -> str:
    return f"network file:{'graphml' if fmt == 'graphml' else 'json'}"


def _writer(store: Store, fmt: str) -> Callable[[BinaryIO], None]:
    def write(out: BinaryIO) -> None:
        if fmt == "graphml":
            nx.write_graphml(store_network(store), out)
        else:
            out.write(network_json(store_network(store)).encode())

    return write


def store_measures(store: Store) -> Measures:
    """The communities and bridge hubs of the store's network, computed once per state of the store."""

    def compute() -> Measures:
        graph = store_network(store)
        return Measures(communities(graph), bridges(graph))

    return derived(store, "network:measures", compute)


def communities(graph: nx.Graph, seed: int = 1) -> list[list[str]]:
    """Communities of hubs (Louvain on the weights, scikit-network's compiled one: 10k hubs in a tenth of a second,
    where networkx's took seconds), largest first; the seed makes them repeatable."""
    from sknetwork.clustering import Louvain  # imported only when communities are computed, not read back

    nodes = list(graph.nodes())
    if not nodes:
        return []
    weights = sparse.csr_matrix(nx.to_scipy_sparse_array(graph, nodelist=nodes, weight="weight", format="csr"))
    labels = Louvain(random_state=seed, shuffle_nodes=True).fit_predict(weights)
    found: dict[int, list[str]] = {}
    for node, label in zip(nodes, labels.tolist(), strict=True):
        found.setdefault(label, []).append(node)
    return sorted((sorted(c) for c in found.values()), key=lambda c: (-len(c), c[0]))


def bridges(graph: nx.Graph, limit: int = 10, samples: int | None = None) -> list[tuple[str, float]]:
    """The hubs that join communities most (betweenness; sampled on big graphs), highest first."""
    k = samples if samples is not None else (None if graph.number_of_nodes() <= 2000 else 500)
    centrality = betweenness(graph, k=k, seed=1)
    return sorted(centrality.items(), key=lambda item: (-item[1], item[0]))[:limit]


def betweenness(graph: nx.Graph, k: int | None = None, seed: int = 1) -> dict[str, float]:
    """Normalized betweenness centrality of every node, hop counts only (the value
    `networkx.betweenness_centrality(graph, k=k, seed=seed)` gives: the same sampled sources and scaling), computed
    for many sources at once with sparse matrix products: 10k hubs in about a second instead of a minute.

    Brandes' method, by levels: from the sources, the number of shortest paths to every node is spread one hop at a
    time (`A @ frontier`); going back from the farthest level, each node collects sigma(v)/sigma(w)·(1 + delta(w))
    from its neighbours one level further.
    """
    nodes = list(graph.nodes())
    n = len(nodes)
    if k is not None and k >= n:
        k = None
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    sources = nodes if k is None else random.Random(seed).sample(nodes, k)
    where = {node: i for i, node in enumerate(nodes)}
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=None, format="csr").astype(np.float64)
    adjacency.data[:] = 1.0  # hops, not weights
    raw = np.zeros(n)
    width = max(8, min(256, 4_000_000 // n))  # sources per product: about 32 MB a matrix
    for first in range(0, len(sources), width):
        columns = np.array([where[s] for s in sources[first : first + width]])
        raw += _dependencies(adjacency, columns, n)
    scale = np.full(n, 1 / ((n - 1) * (n - 2)))
    if k is not None:  # networkx's sampled scaling: a source cannot lie on its own paths
        sampled = np.array([where[s] for s in sources])
        scale[:] = 1 / (k * (n - 2))
        scale[sampled] = 1 / ((k - 1) * (n - 2)) if k > 1 else math.nan
    return {node: float(value) for node, value in zip(nodes, raw * scale, strict=True)}


def _dependencies(adjacency: Any, columns: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.float64]:
    """The sum over these sources of each node's dependency delta_s(v) (0 for a source itself)."""
    width = len(columns)
    span = np.arange(width)
    sigma = np.zeros((n, width))
    sigma[columns, span] = 1.0
    level = np.full((n, width), -1, dtype=np.int32)
    level[columns, span] = 0
    frontier, depth = sigma.copy(), 0
    while True:
        reached = adjacency @ frontier
        new = (reached > 0) & (level < 0)
        if not new.any():
            break
        depth += 1
        frontier = np.where(new, reached, 0.0)
        sigma += frontier
        level[new] = depth
    delta = np.zeros((n, width))
    safe = np.where(sigma > 0, sigma, 1.0)
    for d in range(depth, 0, -1):
        coefficient = np.where(level == d, (1.0 + delta) / safe, 0.0)
        delta += np.where(level == d - 1, sigma * (adjacency @ coefficient), 0.0)
    delta[columns, span] = 0.0
    summed: npt.NDArray[np.float64] = delta.sum(axis=1)
    return summed


def network_json(graph: nx.Graph) -> str:
    """The network as node-link JSON."""
    return pretty_json(nx.node_link_data(graph, edges="links"))


def network_graphml(graph: nx.Graph) -> bytes:
    """The network as GraphML."""
    out = BytesIO()
    nx.write_graphml(graph, out)
    return out.getvalue()
