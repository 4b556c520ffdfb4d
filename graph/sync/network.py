"""The hub network from the synchronization index: communities, bridge hubs, and exports for other tools."""

from __future__ import annotations

import json
from io import BytesIO

import networkx as nx

from l4a.graph.sync.index import SyncIndex

NEIGHBOURS = 10  # each hub is joined to its most related hubs; enough to keep communities, cheap at scale


def hub_network(index: SyncIndex, neighbours: int = NEIGHBOURS) -> nx.Graph:
    """Hubs as nodes (with labels), each joined to its `neighbours` most related hubs, weighted by the score."""
    graph = nx.Graph()
    for iri, record in index.hubs.items():
        graph.add_node(iri, label=record.label)
    for iri in index.hubs:
        for related in index.related(iri, neighbours):
            if not graph.has_edge(iri, related.hub):
                # The strongest reason, for a picture's edge title: kind and concept IRI (labels are the reader's).
                top = max(related.reasons, key=lambda r: r.contribution, default=None)
                graph.add_edge(iri, related.hub, weight=related.score, reason_kind=top.kind if top else "",
                               reason_concept=top.concept if top else "")  # fmt: skip
    return graph


def communities(graph: nx.Graph, seed: int = 1) -> list[list[str]]:
    """Communities of hubs (Louvain on the weights), largest first; the seed makes them repeatable."""
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def bridges(graph: nx.Graph, limit: int = 10, samples: int | None = None) -> list[tuple[str, float]]:
    """The hubs that join communities most (betweenness; sampled on big graphs), highest first."""
    k = samples if samples is not None else (None if graph.number_of_nodes() <= 2000 else 500)
    centrality = nx.betweenness_centrality(graph, k=k, seed=1)
    return sorted(centrality.items(), key=lambda item: (-item[1], item[0]))[:limit]


def network_json(graph: nx.Graph) -> str:
    """The network as node-link JSON."""
    return json.dumps(nx.node_link_data(graph, edges="links"), indent=2, ensure_ascii=False)


def network_graphml(graph: nx.Graph) -> bytes:
    """The network as GraphML."""
    out = BytesIO()
    nx.write_graphml(graph, out)
    return out.getvalue()
