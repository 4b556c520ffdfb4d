"""The hub network as a readable SVG picture, drawn on the server: the connected hubs laid out to fill the frame,
each with its (short) name beside it and a link to its page, each line titled with the strongest reason the two
hubs are related; hubs with no related hub are left out of the picture (the page lists them apart)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

import networkx as nx

PALETTE = (
    "#0b5c8e",
    "#b3263a",
    "#2f7d4f",
    "#8a5a00",
    "#6d3f7a",
    "#00697a",
    "#a4452a",
    "#3d405b",
    "#4f6f1f",
    "#7a4a5a",
)  # fmt: skip  (each 4.5:1 or more on white, for the names written in them)
MAX_DRAWN = 300  # above this, the most connected hubs are drawn (the page says so)
LABEL_CHARS = 32


@dataclass(frozen=True)
class Link:
    """One line of the picture: two hubs, the strongest reason they are related (in words), and its weight."""

    a: str
    b: str
    why: str
    weight: float


@dataclass(frozen=True)
class Picture:
    """The SVG, the hubs drawn, the hubs with no related hub (not drawn), and the lines drawn, strongest first."""

    svg: str
    drawn: list[str]
    isolated: list[str]
    related: int  # hubs related to at least one other (all drawn, unless above MAX_DRAWN)
    links: list[Link]


def short(text: str, limit: int = LABEL_CHARS) -> str:
    """A name cut at a word to fit beside its circle ("Local4Action HUB " dropped: every hub has it)."""
    text = text.removeprefix("Local4Action HUB ").strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0].rstrip(" \u2013-,:") + "…"


@dataclass(frozen=True)
class Layout:
    """What a picture needs that no language changes: the hubs drawn with their positions (0..1 both ways) and
    community numbers, the lines between them, and the hubs with no related hub. Made once per network
    (`network_layout`), then drawn in each language and frame."""

    positions: dict[str, tuple[float, float]]
    community: dict[str, int]
    degree: dict[str, int]
    edges: list[tuple[str, str, dict[str, Any]]]
    isolated: list[str]
    related: int  # hubs related to at least one other (all drawn, unless above MAX_DRAWN)


def network_layout(graph: nx.Graph, groups: list[list[str]]) -> Layout:
    """The layout of `graph`: the MAX_DRAWN most connected hubs placed by a seeded spring layout."""
    degree = dict(graph.degree)
    linked = [n for n in graph.nodes if degree[n] > 0]
    keep = sorted(linked, key=lambda n: (-degree[n], n))[:MAX_DRAWN]
    connected = graph.subgraph(keep)
    raw = nx.spring_layout(connected, seed=1, weight="weight", k=1.2) if keep else {}
    xs = [float(p[0]) for p in raw.values()] or [0.0]
    ys = [float(p[1]) for p in raw.values()] or [0.0]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    positions = {n: ((float(p[0]) - min(xs)) / span_x, (float(p[1]) - min(ys)) / span_y) for n, p in raw.items()}
    drawn = set(keep)
    community = {node: number for number, group in enumerate(groups) for node in group if node in drawn}
    return Layout(positions, community, {n: connected.degree[n] for n in keep}, list(connected.edges(data=True)),
                  [n for n in graph.nodes if degree[n] == 0], len(linked))  # fmt: skip


def network_picture(
    graph: nx.Graph,
    groups: list[list[str]],
    link: Callable[[str], str],
    name: Callable[[str], str],
    reason: Callable[[str, str, bool], str],
    title: str,
    width: int = 1000,
    height: int = 620,
    label_chars: int = LABEL_CHARS,
    separator: str = ": ",
    layout: Layout | None = None,
) -> Picture:
    """The picture of `graph`; `reason(kind, concept, derived)` words an edge's strongest reason in the reader's
    language (marked when it rests on a link the project derived),
    `separator` puts it after the two names (the reader's colon). A narrow frame (a phone's: `width` 380) keeps
    the names' size: they are cut shorter (`label_chars`) and given less room. `layout`, when given, is
    `network_layout(graph, groups)` made once for every language and frame."""
    layout = layout or network_layout(graph, groups)
    isolated = sorted(layout.isolated, key=name)
    # Room for the names, written to the right of their circles (about 7 units a character at 12 px).
    left, right, top, bottom = 24, min(230, 24 + 7 * label_chars), 24, 24

    def xy(node: str) -> tuple[float, float]:
        x, y = layout.positions[node]
        return left + x * (width - left - right), top + y * (height - top - bottom)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="network" role="group" '
        f'aria-label="{escape(title)}">'
    ]
    links = []
    for a, b, data in layout.edges:
        (x1, y1), (x2, y2) = xy(a), xy(b)
        kind, concept = str(data.get("reason_kind", "")), str(data.get("reason_concept", ""))
        why = reason(kind, concept, bool(data.get("reason_derived")))
        links.append(Link(a, b, why, float(data.get("weight", 0.0))))
        words = escape(f"{name(a)} — {name(b)}{separator}{why}" if why else f"{name(a)} — {name(b)}")
        strength = 0.8 + min(3.0, float(data.get("weight", 0.0)))
        parts.append(f'<line class="edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     f'stroke-width="{strength:.1f}"><title>{words}</title></line>')  # fmt: skip
    for node in sorted(layout.positions):
        x, y = xy(node)
        radius = 5 + 1.5 * layout.degree[node] ** 0.5
        colour = PALETTE[layout.community.get(node, 0) % len(PALETTE)]
        full = name(node)
        shown = escape(short(full, label_chars))
        parts.append(
            f'<a href="{escape(link(node))}" class="node"><title>{escape(full)}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colour}"/>'
            f'<text x="{x + radius + 4:.1f}" y="{y + 4:.1f}" fill="{colour}">{shown}</text></a>'
        )
    parts.append("</svg>")
    links.sort(key=lambda item: (-item.weight, name(item.a), name(item.b)))
    return Picture("\n".join(parts), sorted(layout.positions), isolated, layout.related, links)
