"""The network page: the hub graph drawn server-side as SVG, communities, bridge hubs, and exports."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Blueprint, Response, current_app, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup

from l4a.graph.store.base import Store
from l4a.graph.sync.network import network_file, open_network_file, store_measures, store_network
from l4a.graph.sync.network_picture import Picture, network_layout, network_picture
from l4a.web.catalogues import colon
from l4a.web.compressed import big_enough, encoded, open_twin
from l4a.web.download_files import send_file_rest
from l4a.web.i18n import chosen_language
from l4a.web.page_cache import cached_page
from l4a.web.render import page as register
from l4a.web.render import respond
from l4a.web.state import app_labels, app_store, cached
from l4a.web.words import REASON_WORDS

bp = Blueprint("network", __name__)
LINKS_LISTED = 50  # the strongest lines, listed under the picture (the downloads hold them all)
NAMES_LISTED = 25  # the members of a community named on the page (the downloads list them all)
ISOLATED_LISTED = 200  # the hubs related to no other, listed on the page (the JSON lists them all)


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
    apart, the communities (each with its size and its first members named: the downloads list them all, so that
    10k hubs do not make a page of 10k links) and the bridge hubs. The HTML is kept once drawn (web/page_cache.py)
    until the app writes."""
    return cached_page(_page, beside_store=True)


def _page() -> ResponseReturnValue:
    lang = chosen_language()
    data, svg, narrow = cached(current_app, f"network page {lang}", lambda: _drawn(lang))
    return respond("network.html", data, svg=Markup(svg), narrow_svg=Markup(narrow),
                   links=data["links"][:LINKS_LISTED], names_listed=NAMES_LISTED,
                   isolated_listed=ISOLATED_LISTED)  # fmt: skip


def _drawn(lang: str) -> tuple[dict[str, Any], str, str]:
    """The page's data and its two pictures in `lang`, drawn once until the app writes (HTML and JSON alike)."""
    graph, groups, bridge_hubs = _network()
    labels = app_labels(current_app)
    # Where each hub is drawn does not depend on the language: laid out once for every language and frame.
    layout = cached(current_app, "network layout", lambda: network_layout(graph, groups))

    def reason(kind: str, concept: str, derived: bool) -> str:
        if not kind:
            return ""
        words = gettext(REASON_WORDS[kind])
        named = labels.short_name(concept, lang) if kind == "goal" else labels.get(concept, lang)  # "Quality Education"
        mark = f" ({gettext('derived')})" if derived else ""  # the project's inference, not a source's statement
        return (f"{words}{colon()}{named}" if concept else words) + mark

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
            layout=layout,
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
    return data, picture.svg, narrow.svg


@bp.get("/network.graphml")
def graphml() -> Response:
    return _download("graphml", "application/graphml+xml")


@bp.get("/network.node-link.json")
def node_link() -> Response:
    return _download("json", "application/json")


def _download(fmt: str, mimetype: str) -> Response:
    """The network's file, sent from the file kept beside the store for its state (made by `l4a prepare`, or by
    the first request after a write): never read whole into the server's memory. A store that keeps nothing (a
    SPARQL server) gets it made in memory, once until the app writes."""
    store = app_store(current_app)
    stream = open_network_file(store, fmt)
    if stream is None:
        data = cached(current_app, f"network:{fmt}", lambda: _whole(store, fmt))
        return Response(data, mimetype=mimetype)
    if big_enough(stream):  # its gzip twin, to a client taking one
        twin = open_twin(store, f"network\t{fmt}", lambda: open_network_file(store, fmt))
        if twin is not None:
            stream.close()
            return encoded(send_file_rest(twin, mimetype), gzip=True)
    return encoded(send_file_rest(stream, mimetype), gzip=False)


def _whole(store: Store, fmt: str) -> bytes:
    out = BytesIO()
    network_file(store, fmt, out)
    return out.getvalue()
