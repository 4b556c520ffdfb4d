"""Content negotiation shared by the SPARQL endpoint, the record IRIs and the ontology: the media type a client
wants (a suffix, the `format` parameter, else the Accept header), RDF written by pyoxigraph, and 406 listing
what can be given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox
from flask import Response, request
from flask_babel import gettext
from werkzeug.datastructures import MIMEAccept

from l4a.graph.namespaces import PREFIXES
from l4a.graph.sparql.protocol import ALIASES, FORMAT_NAMES, GRAPH_FORMATS, write_graph

HTML = "text/html"
JSON = "application/json"
RDF_SUFFIXES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
}
PAGE_SUFFIXES = {".html": HTML, ".json": JSON}
FORMAT_LABELS = {".ttl": "Turtle", ".nt": "N-Triples", ".jsonld": "JSON-LD", ".rdf": "RDF/XML"}


def download_links(path: str) -> list[tuple[str, str]]:
    """(format name, URL) of each RDF form of the document at `path`."""
    return [(name, f"{path}{suffix}") for suffix, name in FORMAT_LABELS.items()]


def best_offer(offers: Sequence[str], aliases: Mapping[str, str] = ALIASES) -> str | None:
    """The offer the client prefers by its Accept header (other names of an offer count as it); None: none fits."""
    names = list(offers) + [alias for alias, target in aliases.items() if target in offers and alias not in offers]
    # No Accept header means anything will do (HTTP): the first offer.
    accept = request.accept_mimetypes if "Accept" in request.headers else MIMEAccept([("*/*", 1)])
    best = accept.best_match(names)
    if best is None:
        return None
    return best if best in offers else aliases[best]


def chosen_type(offers: Sequence[str]) -> str | None:
    """The `format` parameter (json, csv, turtle, html ...) if it names an offer, else the best by Accept."""
    asked = request.values.get("format", "").lower()
    named = FORMAT_NAMES.get(asked) or {"html": HTML}.get(asked)
    if named in offers:
        return named
    return best_offer(offers)


def split_suffix(path: str, suffixes: Mapping[str, str]) -> tuple[str, str | None]:
    """`path` without a known suffix, and the media type the suffix asks for (None without one)."""
    for suffix, media_type in suffixes.items():
        if path.endswith(suffix):
            return path.removesuffix(suffix), media_type
    return path, None


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type (text types say they are UTF-8)."""
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def rdf_response(
    triples: Sequence[ox.Triple], media_type: str, status: int = 200, prefixes: Mapping[str, str] = PREFIXES
) -> Response:
    """Triples in one of the RDF media types."""
    body = write_graph(triples, GRAPH_FORMATS[media_type], prefixes)
    response = Response(body, status=status, content_type=content_type(media_type))
    response.vary.add("Accept")
    return response


def text_response(message: str, status: int) -> Response:
    """A plain-text answer (errors for programs: a message, never a traceback)."""
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def not_acceptable(offers: Sequence[str]) -> Response:
    """406: what the client asked for cannot be given; the message lists what can."""
    response = text_response(gettext(
        "This cannot be given in the format asked for (Accept header). Available: %(types)s.", types=", ".join(offers)
    ), 406)
    response.vary.add("Accept")
    return response
