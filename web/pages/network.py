"""The network page: the hub graph drawn server-side as SVG, communities, bridge hubs, and exports."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup

from l4a.graph.sync.network import bridges, communities, hub_network, network_graphml, network_json
from l4a.graph.sync.network_picture import Picture, network_picture
from l4a.web.catalogues import colon
from l4a.web.i18n import chosen_language
from l4a.web.render import page as register
from l4a.web.render import respond
from l4a.web.state import app_index, app_labels, cached
from l4a.web.words import REASON_WORDS

bp = Blueprint("network", __name__)
LINKS_LISTED = 50  # the strongest lines, listed under the picture (the downloads hold them all)


def _network() -> tuple[object, list[list[str]], list[tuple[str, float]]]:
    def make() -> tuple[object, list[list[str]], list[tuple[str, float]]]:
        graph = hub_network(app_index(current_app))
        return graph, communities(graph), bridges(graph)

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
        words = gettext(REASON_WORDS[kind])
        named = labels.short_name(concept, lang) if kind == "goal" else labels.get(concept, lang)  # "Quality Education"
        return f"{words}{colon()}{named}" if concept else words

    def draw(width: int, height: int, label_chars: int) -> Picture:
        return network_picture(
            graph,
            groups,
            link=lambda iri: url_for("hubs.hub_page", slug=iri.rsplit("/", 1)[1]),
            name=lambda iri: labels.get(iri, lang),
            reason=reason,
            title=gettext("The hub network"),
            width=width,
            height=height,
            label_chars=label_chars,
            separator=colon(),
        )

    # Two frames of the same picture: a wide one, and a tall one whose names stay readable on a phone (style.css
    # shows the one that fits); the lines are also listed in words under it, for touch screens and screen readers.
    picture, narrow = draw(1000, 620, 32), draw(380, 480, 20)
    joined = [(hub, b) for hub, b in bridge_hubs if b > 0]
    data = {
        "communities": [g for g in groups if len(g) > 1],
        "isolated": picture.isolated,
        "bridges": [{"hub": hub, "betweenness": round(b, 6)} for hub, b in joined],
        "drawn": len(picture.drawn),
        "related": picture.related,
        "links": [{"a": x.a, "b": x.b, "reason": x.why, "weight": round(x.weight, 6)} for x in picture.links],
    }
    return respond("network.html", data, svg=Markup(picture.svg), narrow_svg=Markup(narrow.svg),
                   links=data["links"][:LINKS_LISTED])  # fmt: skip


@bp.get("/network.graphml")
def graphml() -> Response:
    graph, _groups, _bridges = _network()
    return Response(network_graphml(graph), mimetype="application/graphml+xml")


@bp.get("/network.node-link.json")
def node_link() -> Response:
    graph, _groups, _bridges = _network()
    return Response(network_json(graph), mimetype="application/json")
