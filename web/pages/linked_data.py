"""Linked data: every record IRI under the base (…/id/<kind>/<slug>) dereferences here with content negotiation.

RDF clients get Turtle, JSON-LD, RDF/XML or N-Triples (by Accept, or by a .ttl/.jsonld/.rdf/.nt suffix); browsers
are sent (303) to the record's page where the site has one (hubs, councils, manifestos), else shown a generic
description; 406 when none of these is acceptable, 404 when the graph does not know the IRI.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, abort, current_app, redirect
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from l4a.graph.describe import describe, record_kind, referrers
from l4a.graph.namespaces import record_iri
from l4a.graph.settings import Settings
from l4a.graph.sparql.protocol import GRAPH_FORMATS
from l4a.web.i18n import chosen_language
from l4a.web.negotiate import (
    HTML,
    JSON,
    PAGE_SUFFIXES,
    RDF_SUFFIXES,
    chosen_type,
    download_links,
    not_acceptable,
    rdf_response,
    split_suffix,
)
from l4a.web.render import respond
from l4a.web.resource_view import statements_view
from l4a.web.state import app_labels, app_store

bp = Blueprint("linked", __name__)

OFFERS = [HTML, *GRAPH_FORMATS, JSON]
# The site's own page for a kind of record, where there is one (another blueprint may not be installed).
HUMAN_PAGES = {"hub": "/hubs/{slug}", "council": "/councils/{slug}", "manifesto": "/manifestos/{slug}"}
SUFFIX_OF = {media_type: suffix for suffix, media_type in RDF_SUFFIXES.items()}


def base_iri() -> str:
    """The configured base of the project's IRIs."""
    settings: Settings = current_app.config["L4A_SETTINGS"]
    return settings.base_iri


def human_page(kind: str, slug: str) -> str | None:
    """The path of the record's own page, if the app serves one (and it is not this view)."""
    template = HUMAN_PAGES.get(kind)
    if template is None or "/" in slug:
        return None
    path = template.format(slug=slug)
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return path if not str(endpoint).startswith("linked.") else None


@bp.get("/id/<path:rest>")
def resource(rest: str) -> ResponseReturnValue:
    """A record: its description as RDF, its page, or a generic description page."""
    path, asked = split_suffix(rest, {**RDF_SUFFIXES, **PAGE_SUFFIXES})
    chosen = asked or chosen_type(OFFERS)
    if chosen is None:
        return not_acceptable(OFFERS)
    kind, _, slug = path.partition("/")
    base = base_iri()
    iri = record_iri(base, kind, slug) if slug else f"{base}id/{path}"  # a vocabulary concept keeps its shipped IRI
    triples = describe(app_store(current_app), iri, base)
    if not triples:
        abort(404)
    if chosen in GRAPH_FORMATS:
        response = rdf_response(triples, chosen)
        response.headers["Content-Location"] = f"/id/{path}{SUFFIX_OF[chosen]}"
        return response
    kind = record_kind(iri, base) or record_kind(iri)
    human = human_page(kind, path.removeprefix(f"{kind}/"))
    if chosen == HTML and human:
        moved = redirect(human, 303)
        moved.vary.add("Accept")
        return moved
    return show_description(iri, path, triples)


def show_description(iri: str, path: str, triples: list[ox.Triple]) -> ResponseReturnValue:
    """The generic page: the resource's statements with labels, and what points to it."""
    store, base = app_store(current_app), base_iri()
    view = statements_view(iri, triples, referrers(store, iri), app_labels(current_app), chosen_language(), base)
    return respond("resource.html", view.as_json(), view=view, downloads=download_links(f"/id/{path}"))
