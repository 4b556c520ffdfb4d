"""/search: one box on every page for hubs, SDG goals and targets, manifestos, Policy Councils and organisations,
in English, French or Spanish words (accents ignored) or by SDG number (graph/reports/search.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for
from flask.typing import ResponseReturnValue

from l4a.graph.reports.search import KINDS, SearchIndex, Thing
from l4a.web.render import page, respond
from l4a.web.state import app_labels, app_store, cached, hub_table

bp = Blueprint("search", __name__)


def _index() -> SearchIndex:
    def make() -> SearchIndex:
        extra = {row.iri: " ".join([row.city, *row.descriptions.values()]) for row in hub_table().rows}
        return SearchIndex.from_store(app_store(current_app), app_labels(current_app), extra)

    found: SearchIndex = cached(current_app, "search", make)
    return found


def link(thing: Thing) -> str:
    """The page of a thing found."""
    slug = thing.iri.rstrip("/").rsplit("/", 1)[-1]
    if thing.kind == "hub":
        return url_for("hubs.hub_page", slug=slug)
    if thing.kind == "goal":
        return url_for("sdg.goal", number=int(thing.notation or slug))
    if thing.kind == "target":
        return url_for("sdg.target", notation=thing.notation or slug)
    if thing.kind == "manifesto":
        return url_for("topics.manifesto", slug=slug)
    if thing.kind == "council":
        return url_for("topics.council", slug=slug)
    base = str(current_app.config["L4A_SETTINGS"].base_iri)
    return "/" + thing.iri.removeprefix(base) if thing.iri.startswith(base) else thing.iri


@page(bp, "/search")
def results() -> ResponseReturnValue:
    """What the words find, by kind; nothing found says so, with what to try."""
    text = (request.args.get("q") or "").strip()[:200]
    found = _index().search(text) if text else {}
    data = {
        "q": text,
        "results": {kind: [{"iri": t.iri, "notation": t.notation, "url": link(t)} for t in things]
                    for kind, things in found.items()},
        "count": sum(len(things) for things in found.values()),
    }  # fmt: skip
    return respond("search.html", data, kinds=KINDS)
