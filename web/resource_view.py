"""A resource's statements arranged for its generic page: grouped by property, named by label in the reader's
language, literals in that language when there are some, blank nodes one level deep, and what points to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from l4a.graph.labels import Labels
from l4a.graph.namespaces import RDF
from l4a.graph.sparql.protocol import term_json
from l4a.graph.store.base import Row
from l4a.web.terms import Cell, cell, short_iri

RDF_TYPE = RDF + "type"


@dataclass
class Property:
    """One property of the resource and its values (a blank node's own properties nested under it)."""

    iri: str
    name: Cell
    values: list[tuple[Cell, list[Property]]] = field(default_factory=list)
    terms: list[Any] = field(default_factory=list)


@dataclass
class ResourceView:
    """Everything the generic page shows."""

    iri: str
    title: str
    types: list[Cell]
    properties: list[Property]
    referrers: list[tuple[Cell, Cell]]
    referrer_rows: list[Row] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The page's data for `Accept: application/json` (terms as in SPARQL JSON results)."""
        return {
            "iri": self.iri,
            "label": self.title,
            "statements": [{"predicate": p.iri, "objects": [term_json(t) for t in p.terms]} for p in self.properties],
            "referrers": [{"subject": r["s"].value, "predicate": r["p"].value} for r in self.referrer_rows],
        }


def in_language(terms: Sequence[Any], lang: str) -> list[Any]:
    """The values in the reader's language (and those without one) when there are some; else all of them."""
    tagged = [t for t in terms if isinstance(t, ox.Literal) and t.language]
    if not tagged or not any(t.language == lang for t in tagged):
        return list(terms)
    return [t for t in terms if not (isinstance(t, ox.Literal) and t.language and t.language != lang)]


def _namer(labels: Labels, lang: str) -> Any:
    def name(iri: str) -> str:
        return labels.get(iri, lang) if iri in labels.by_iri else short_iri(iri)

    return name


def _properties(
    subject: ox.NamedNode | ox.BlankNode, triples: Sequence[ox.Triple], labels: Labels, lang: str, base: str, depth: int
) -> list[Property]:
    name = _namer(labels, lang)
    grouped: dict[str, list[Any]] = {}
    for t in triples:
        if t.subject == subject and t.predicate.value != RDF_TYPE:
            grouped.setdefault(t.predicate.value, []).append(t.object)
    found = []
    for predicate in sorted(grouped, key=lambda iri: name(iri).lower()):
        terms = in_language(grouped[predicate], lang)
        prop = Property(predicate, cell(ox.NamedNode(predicate), base, name), terms=terms)
        for term in terms:
            nested = _properties(term, triples, labels, lang, base, depth + 1) if depth < 1 else []
            prop.values.append((cell(term, base, name), nested if isinstance(term, ox.BlankNode) else []))
        found.append(prop)
    return found


def statements_view(
    iri: str, triples: Sequence[ox.Triple], referrer_rows: list[Row], labels: Labels, lang: str, base: str
) -> ResourceView:
    """The page's view of the resource `iri`, described by `triples`, pointed to by `referrer_rows` (?s ?p)."""
    node = ox.NamedNode(iri)
    name = _namer(labels, lang)
    types = [cell(t.object, base, name) for t in triples if t.subject == node and t.predicate.value == RDF_TYPE]
    referrers = [(cell(r["s"], base, name), cell(r["p"], base, name)) for r in referrer_rows]
    title = labels.get(iri, lang) if iri in labels.by_iri else iri.rsplit("/", 1)[-1]
    return ResourceView(iri, title, types, _properties(node, triples, labels, lang, base, 0), referrers, referrer_rows)
