"""The network page: the hub graph drawn server-side as SVG, communities, bridge hubs, and exports."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from l4a.graph.sync.network import store_measures, store_network, store_network_file
from l4a.graph.sync.network_picture import network_picture
from l4a.web.catalogues import colon
from l4a.web.i18n import chosen_language, translate
from l4a.web.render import page as register
from l4a.web.render import respond
from l4a.web.state import app_labels, app_store, cached

bp = Blueprint("network", __name__)


def _network() -> tuple[object, list[list[str]], list[tuple[str, float]]]:
    def make() -> tuple[object, list[list[str]], list[tuple[str, float]]]:
        store = app_store(current_app)  # once per state of the store, kept on disk for the next start
        measures = store_measures(store)
        return store_network(store), measures.groups, measures.bridges

    found: tuple[object, list[list[str]], list[tuple[str, float]]] = cached(current_app, "network", make)
    return found


@register(bp, "/network")
def page() -> ResponseReturnValue:
    """The picture (labelled hubs, each line titled with its strongest reason), hubs with no related hub listed
    apart, the communities and the bridge hubs."""
    graph, groups, bridge_hubs = _network()
    lang = chosen_language()
    labels = app_labels(current_app)

    def reason(kind: str, concept: str) -> str:
        if not kind:
            return ""
        words = translate(f"reason.{kind}")
        return f"{words}{colon().rstrip()} {labels.get(concept, lang)}" if concept else words

    picture = network_picture(
        graph,
        groups,
        link=lambda iri: url_for("hubs.hub_page", slug=iri.rsplit("/", 1)[1]),
        name=lambda iri: labels.get(iri, lang),
        reason=reason,
        title=translate("network.title"),
    )
    joined = [(hub, b) for hub, b in bridge_hubs if b > 0]
    data = {
        "communities": [g for g in groups if len(g) > 1],
        "isolated": picture.isolated,
        "bridges": [{"hub": hub, "betweenness": round(b, 6)} for hub, b in joined],
        "drawn": len(picture.drawn),
        "related": picture.related,
    }
    return respond("network.html", data, svg=Markup(picture.svg))


@bp.get("/network.graphml")
def graphml() -> Response:
    data = cached(current_app, "network:graphml", lambda: store_network_file(app_store(current_app), "graphml"))
    return Response(data, mimetype="application/graphml+xml")


@bp.get("/network.node-link.json")
def node_link() -> Response:
    data = cached(current_app, "network:json", lambda: store_network_file(app_store(current_app), "json"))
    return Response(data, mimetype="application/json")
