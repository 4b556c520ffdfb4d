"""The network page: the hub graph drawn server-side as SVG, communities, bridge hubs, and exports."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from l4a.graph.sync.network import bridges, communities, hub_network, network_graphml, network_json
from l4a.graph.sync.network_svg import network_svg
from l4a.web.i18n import chosen_language
from l4a.web.render import page as register
from l4a.web.render import respond
from l4a.web.state import app_index, app_labels, cached

bp = Blueprint("network", __name__)


def _network() -> tuple[object, list[list[str]], list[tuple[str, float]]]:
    def make() -> tuple[object, list[list[str]], list[tuple[str, float]]]:
        graph = hub_network(app_index(current_app))
        return graph, communities(graph), bridges(graph)

    found: tuple[object, list[list[str]], list[tuple[str, float]]] = cached(current_app, "network", make)
    return found


@register(bp, "/network")
def page() -> ResponseReturnValue:
    """The picture, the communities and the bridge hubs."""
    graph, groups, bridge_hubs = _network()
    lang = chosen_language()
    labels = app_labels(current_app)
    svg = network_svg(
        graph,
        groups,
        link=lambda iri: url_for("hubs.hub_page", slug=iri.rsplit("/", 1)[1]),
        name=lambda iri: labels.get(iri, lang),
    )
    data = {"communities": groups, "bridges": [{"hub": hub, "betweenness": round(b, 6)} for hub, b in bridge_hubs]}
    return respond("network.html", data, svg=Markup(svg))


@bp.get("/network.graphml")
def graphml() -> Response:
    graph, _groups, _bridges = _network()
    return Response(network_graphml(graph), mimetype="application/graphml+xml")


@bp.get("/network.node-link.json")
def node_link() -> Response:
    graph, _groups, _bridges = _network()
    return Response(network_json(graph), mimetype="application/json")
