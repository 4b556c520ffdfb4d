"""The ontology as documentation: its metadata, classes, properties and controlled vocabularies, with labels and
definitions in each language, read from the store's ontology graph (so a moved base IRI is followed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from l4a.graph.namespaces import DCTERMS, OWL, RDFS, SKOS, graph_iri
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Row, Store

TERMS = internal_query("ontology-terms")
ALL_TRIPLES = internal_query("graph-triples")

# Kinds of term in the order the documentation shows them (a term with several types takes the first).
KINDS = {
    OWL + "Ontology": "ontology",
    OWL + "Class": "class",
    OWL + "ObjectProperty": "object-property",
    OWL + "DatatypeProperty": "datatype-property",
    OWL + "AnnotationProperty": "annotation-property",
    SKOS + "ConceptScheme": "scheme",
    SKOS + "Concept": "concept",
}
TEXTS = {
    RDFS + "label": "label",
    SKOS + "prefLabel": "label",
    DCTERMS + "title": "label",
    SKOS + "definition": "definition",
    DCTERMS + "description": "definition",
    RDFS + "comment": "definition",
    SKOS + "scopeNote": "note",
}
LINKS = {
    RDFS + "subClassOf": "subclass-of",
    RDFS + "subPropertyOf": "subproperty-of",
    RDFS + "domain": "domain",
    RDFS + "range": "range",
    OWL + "inverseOf": "inverse-of",
    SKOS + "inScheme": "in-scheme",
    SKOS + "broader": "broader",
    DCTERMS + "license": "license",
    OWL + "versionIRI": "version-iri",
}
VALUES = {OWL + "versionInfo": "version", DCTERMS + "created": "created", SKOS + "notation": "notation"}


@dataclass
class TermDoc:
    """One term: its texts per language ({field: {lang: text}}), its links to other terms, its plain values."""

    iri: str
    kind: str
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)

    def text(self, name: str, lang: str) -> str:
        """A text in `lang`, else English, else without language, else any; empty if there is none."""
        own = self.texts.get(name, {})
        for choice in (lang, "en", ""):
            if choice in own:
                return own[choice]
        return next(iter(own.values()), "")

    @property
    def anchor(self) -> str:
        """The fragment of an ontology term (Hub), or the last segment of a concept's IRI (status-submitted)."""
        if "#" in self.iri:
            return self.iri.rsplit("#", 1)[1]
        return "-".join(self.iri.rstrip("/").rsplit("/", 2)[-2:])


@dataclass
class OntologyDoc:
    """The whole ontology graph as documentation."""

    graph: str
    ontology: TermDoc | None
    terms: list[TermDoc]

    def of_kind(self, kind: str) -> list[TermDoc]:
        """The terms of one kind, in IRI order."""
        return [t for t in self.terms if t.kind == kind]

    def in_scheme(self, scheme: str) -> list[TermDoc]:
        """The concepts of a concept scheme."""
        return [t for t in self.terms if t.kind == "concept" and scheme in t.links.get("in-scheme", [])]


def _kind_rank(kind_iri: str) -> int:
    return list(KINDS).index(kind_iri)


def terms_from_rows(rows: Sequence[Row]) -> list[TermDoc]:
    """Terms from (?term ?kind ?p ?o) rows."""
    kinds: dict[str, str] = {}
    for row in rows:
        iri, kind = row["term"].value, row["kind"].value
        if iri not in kinds or _kind_rank(kind) < _kind_rank(kinds[iri]):
            kinds[iri] = kind
    docs = {iri: TermDoc(iri, KINDS[kind]) for iri, kind in kinds.items()}
    for row in rows:
        doc, predicate, value = docs[row["term"].value], row["p"].value, row["o"]
        if predicate in TEXTS and isinstance(value, ox.Literal):
            doc.texts.setdefault(TEXTS[predicate], {})[value.language or ""] = value.value
        elif predicate in LINKS and isinstance(value, ox.NamedNode):
            links = doc.links.setdefault(LINKS[predicate], [])
            if value.value not in links:
                links.append(value.value)
        elif predicate in VALUES and isinstance(value, ox.Literal | ox.NamedNode):
            doc.values[VALUES[predicate]] = value.value
    return sorted(docs.values(), key=lambda d: d.iri)


def ontology_doc(store: Store, base: str) -> OntologyDoc:
    """The documentation of the ontology graph of a store built with this base IRI."""
    graph = graph_iri(base, "ontology")
    rows = store.select(TERMS, {"g": ox.NamedNode(graph)})
    terms = terms_from_rows(rows)
    ontology = next((t for t in terms if t.kind == "ontology"), None)
    return OntologyDoc(graph, ontology, [t for t in terms if t.kind != "ontology"])


def ontology_triples(store: Store, base: str) -> list[ox.Triple]:
    """Every triple of the ontology graph (the ontology and its vocabularies), to download."""
    return store.construct(ALL_TRIPLES, {"g": ox.NamedNode(graph_iri(base, "ontology"))})
