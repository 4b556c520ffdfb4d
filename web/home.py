"""The home page: counts, the SDG picture (hubs per goal), the newest hubs, links to the gaps."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from l4a.graph.overview import goal_counts, newest_hubs
from l4a.graph.stats import store_stats

from . import app_store, cached
from .render import page, respond

bp = Blueprint("home", __name__)

# The UN's colours of the 17 goals (the tiles' border; their fill shows how many hubs address the goal).
SDG_COLOURS = ("#E5243B", "#DDA63A", "#4C9F38", "#C5192D", "#FF3A21", "#26BDE2", "#FCC30B", "#A21942", "#FD6925",
               "#DD1367", "#FD9D24", "#BF8B2E", "#3F7E44", "#0A97D9", "#56C02B", "#00689D", "#19486A")  # fmt: skip


def heat(count: int, highest: int) -> str:
    """A blue whose depth shows the count (grey for none)."""
    if count == 0:
        return "#8a949e"
    share = count / max(highest, 1)
    lightness = 62 - int(34 * share)
    return f"hsl(205, 70%, {lightness}%)"


@page(bp, "/")
def index() -> ResponseReturnValue:
    """Counts, hubs per SDG goal, the newest hubs."""
    store = app_store(current_app)
    counts = cached(current_app, "stats", lambda: store_stats(store))
    goals = cached(current_app, "goal_counts", lambda: goal_counts(store))
    newest = cached(current_app, "newest", lambda: newest_hubs(store))
    highest = max((g.hubs for g in goals), default=0)
    data = {
        "counts": counts,
        "goals": [{"goal": g.goal, "number": g.number, "hubs": g.hubs} for g in goals],
        "newest": [{"hub": hub, "date": when} for hub, when in newest],
    }
    tiles = [(g, SDG_COLOURS[(g.number - 1) % 17], heat(g.hubs, highest)) for g in goals]
    return respond("home.html", data, tiles=tiles)


@bp.get("/api/stats")
def stats() -> ResponseReturnValue:
    """The counts as JSON."""
    return jsonify(cached(current_app, "stats", lambda: store_stats(app_store(current_app))))
