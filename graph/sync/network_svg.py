"""The hub network drawn as SVG on the server: a spring layout, nodes coloured by community, sized by degree."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import networkx as nx

PALETTE = ("#0b5c8e", "#d1495b", "#66a182", "#edae49", "#8d5a97", "#00798c", "#e07a5f", "#3d405b", "#81b29a",
           "#b5838d")  # fmt: skip
MAX_DRAWN = 1500  # above this, the most connected hubs are drawn (the page says so)


def network_svg(
    graph: nx.Graph, groups: list[list[str]], link: Callable[[str], str], name: Callable[[str], str], size: int = 900
) -> str:
    """An SVG picture of the network: each node a link to its hub, with its name as a tooltip."""
    if graph.number_of_nodes() > MAX_DRAWN:
        keep = sorted(graph.degree, key=lambda item: (-item[1], item[0]))[:MAX_DRAWN]
        graph = graph.subgraph(node for node, _degree in keep)
    community = {node: number for number, group in enumerate(groups) for node in group}
    positions = nx.spring_layout(graph, seed=1, weight="weight") if graph.number_of_nodes() else {}
    margin = 30

    def xy(node: str) -> tuple[float, float]:
        x, y = positions[node]
        return margin + (x + 1) / 2 * (size - 2 * margin), margin + (y + 1) / 2 * (size - 2 * margin)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" width="100%">']
    for a, b in graph.edges:
        (x1, y1), (x2, y2) = xy(a), xy(b)
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#c5ccd3" stroke-width="0.6"/>'
        )
    for node in sorted(graph.nodes):
        x, y = xy(node)
        radius = 3 + 1.2 * graph.degree[node] ** 0.5 * 2
        colour = PALETTE[community.get(node, 0) % len(PALETTE)]
        title = escape(name(node))
        parts.append(
            f'<a href="{escape(link(node))}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colour}" '
            f'stroke="#fff" stroke-width="0.8"><title>{title}</title></circle></a>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
