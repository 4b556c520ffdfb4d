"""The home page: counts, the SDG picture (hubs per goal), the newest hubs, links to the gaps."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from l4a.graph.reports.overview import goal_counts, newest_hubs
from l4a.graph.stats import store_stats
from l4a.web.render import page, respond
from l4a.web.state import app_store, cached

bp = Blueprint("home", __name__)

# The UN's colours of the 17 goals (the tiles' border) and the heat of their fill are classes of static/style.css.


def heat(count: int, highest: int) -> int:
    """How deep a blue shows the count: a level 1..10 (0, grey, for none), a class of style.css (`heat-N`), so that
    the page needs no inline style (the Content-Security-Policy forbids it)."""
    if count == 0:
        return 0
    return max(1, round(10 * count / max(highest, 1)))


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
        "hubs_note": gettext(
            "Local4Action HUBs: the number of hubs recorded here from UCLG's public pages, which list at least these. "
            "It is a floor, not a census: UCLG's own directory could not be read in full."
        ),
        "goals": [{"goal": g.goal, "number": g.number, "hubs": g.hubs, "derived": g.derived} for g in goals],
        "newest": [{"hub": hub, "date": when} for hub, when in newest],
    }
    tiles = [(g, (g.number - 1) % 17 + 1, heat(g.hubs, highest)) for g in goals]  # colour and heat: CSS classes
    return respond("home.html", data, tiles=tiles, store_figures=STORE_FIGURES)


# Figures about the store itself, for people who run or query it: on the statistics page, not the home page.
STORE_FIGURES = ("graphs", "triples")


@page(bp, "/stats")
def statistics() -> ResponseReturnValue:
    """Every count, including the store's named graphs and triples."""
    counts = cached(current_app, "stats", lambda: store_stats(app_store(current_app)))
    return respond("stats.html", {"counts": counts}, store_figures=STORE_FIGURES)


@bp.get("/api/stats")
def stats() -> ResponseReturnValue:
    """The counts as JSON."""
    return jsonify(cached(current_app, "stats", lambda: store_stats(app_store(current_app))))
