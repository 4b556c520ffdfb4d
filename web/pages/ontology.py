"""The ontology at its IRI (…/ontology, so …/ontology#Hub too): documentation for people (classes, properties,
vocabularies, in the reader's language) and the ontology graph in RDF formats, by Accept or by suffix."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from l4a.graph.ontology_doc import OntologyDoc, TermDoc, ontology_doc, ontology_triples
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
)
from l4a.web.render import respond
from l4a.web.state import app_labels, app_store, cached
from l4a.web.terms import local_href, short_iri

bp = Blueprint("ontology", __name__)

OFFERS = [HTML, *GRAPH_FORMATS, JSON]
SECTIONS = ("class", "object-property", "datatype-property", "annotation-property")


def base_iri() -> str:
    """The configured base of the project's IRIs."""
    settings: Settings = current_app.config["L4A_SETTINGS"]
    return settings.base_iri


def term_json(term: TermDoc, lang: str) -> dict[str, Any]:
    """A term in the page's JSON: its label and definition in the reader's language, and its links."""
    found: dict[str, Any] = {"iri": term.iri, "kind": term.kind, "label": term.text("label", lang)}
    found["definition"] = term.text("definition", lang)
    if term.text("note", lang):
        found["note"] = term.text("note", lang)
    return found | term.links | term.values


def doc_json(doc: OntologyDoc, lang: str) -> dict[str, Any]:
    """The whole documentation as JSON."""
    head = term_json(doc.ontology, lang) if doc.ontology else {}
    return head | {"terms": [term_json(t, lang) for t in doc.terms]}


@bp.get("/ontology", endpoint="page")
@bp.get("/ontology.<any(ttl, nt, jsonld, rdf, html, json):suffix>", endpoint="download")
def page(suffix: str = "") -> ResponseReturnValue:
    """The ontology: documentation, or RDF."""
    chosen = {**RDF_SUFFIXES, **PAGE_SUFFIXES}.get(f".{suffix}") if suffix else chosen_type(OFFERS)
    if chosen is None:
        return not_acceptable(OFFERS)
    store, base = app_store(current_app), base_iri()
    if chosen in GRAPH_FORMATS:
        return rdf_response(ontology_triples(store, base), chosen)
    doc: OntologyDoc = cached(current_app, "ontology_doc", lambda: ontology_doc(store, base))
    lang = chosen_language()
    labels = app_labels(current_app)

    def name(iri: str) -> str:
        return labels.get(iri, lang) if iri in labels.by_iri else short_iri(iri)

    return respond(
        "ontology.html", doc_json(doc, lang), doc=doc, sections=SECTIONS, name=name,
        href=lambda iri: local_href(iri, base), downloads=download_links("/ontology"),
    )  # fmt: skip
