"""The SPARQL 1.1 Protocol's core, without the web framework: run a client's query within the limits, write its
answer in the format asked for, and describe the service (SPARQL 1.1 Service Description)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pyoxigraph as ox

from l4a.graph.namespaces import DCTERMS, PREFIXES, RDF, XSD
from l4a.graph.sparql.check import CheckedQuery, check_query
from l4a.graph.sparql.explain import appearance_order
from l4a.graph.store.base import Dataset, QueryResult, Solutions, Store, Term, Triples
from l4a.graph.store.sparql_text import projected_variables

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
SD_PREFIXES = {**PREFIXES, "sd": SD, "formats": FORMATS_NS}  # for writing the service description

# Media types the endpoint writes, by form of answer; the first of each list is the default for `*/*`.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# Other names clients use for the same formats.
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
}
# Short names for the `format` parameter (and the page's download links).
FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


@dataclass(frozen=True)
class Answer:
    """A query run for a client: what it was, and what it gave."""

    query: CheckedQuery
    result: QueryResult

    @property
    def is_graph(self) -> bool:
        """Whether the answer is triples (CONSTRUCT, DESCRIBE) rather than results (SELECT, ASK)."""
        return isinstance(self.result, Triples)

    @property
    def truncated(self) -> bool:
        """Whether the row cap left rows out."""
        return not isinstance(self.result, bool) and self.result.truncated


def media_types_for(form: str) -> list[str]:
    """The media types an answer to a query of this form can be written in (the default first)."""
    return list(GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS)


def dataset_for(query: CheckedQuery, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> Dataset | None:
    """The protocol's graphs if given; else the query's own FROM clauses; else the union of all graphs."""
    if default_graphs or named_graphs:
        return Dataset(tuple(default_graphs), tuple(named_graphs))
    return None if query.own_dataset else Dataset()


def run_query(
    store: Store,
    query: CheckedQuery | str | None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    timeout: float | None = None,
    row_cap: int | None = None,
    byte_cap: int | None = None,
) -> Answer:
    """Run a client's query (checked first if it is text: SparqlRefused) within the time limit and row cap."""
    checked = query if isinstance(query, CheckedQuery) else check_query(query)
    dataset = dataset_for(checked, default_graphs, named_graphs)
    result = store.query(checked.text, dataset, timeout=timeout, row_cap=row_cap, byte_cap=byte_cap)
    if isinstance(result, Solutions) and projected_variables(checked.text) is None:  # SELECT *: the query's order
        result = replace(result, variables=appearance_order(checked.text, list(result.variables)))
    return Answer(checked, result)


def term_json(term: Term | ox.Triple) -> dict[str, object]:
    """An RDF term as SPARQL 1.1 Query Results JSON (a triple term as SPARQL 1.2 writes it)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: term_json(v) for k, v in parts.items()}}
    cell: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        cell["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        cell["datatype"] = term.datatype.value
    return cell


def results_json(result: Solutions | bool) -> bytes:
    """SELECT or ASK results as SPARQL 1.1 Query Results JSON."""
    if isinstance(result, bool):
        return json.dumps({"head": {}, "boolean": result}).encode()
    bindings = [{name: term_json(value) for name, value in row.items()} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}).encode()


def write_answer(result: QueryResult, media_type: str) -> bytes:
    """The answer in a media type of RESULT_FORMATS (SELECT, ASK) or GRAPH_FORMATS (CONSTRUCT, DESCRIBE)."""
    if isinstance(result, Triples):
        return write_graph(result.triples, GRAPH_FORMATS[media_type])
    data = results_json(result)
    fmt = RESULT_FORMATS[media_type]
    if fmt == ox.QueryResultsFormat.JSON:
        return data
    # pyoxigraph writes XML, CSV and TSV exactly as the specifications say; it reads back our JSON to do so.
    return ox.parse_query_results(data, ox.QueryResultsFormat.JSON).serialize(format=fmt) or b""


def used_prefixes(triples: Sequence[ox.Triple], prefixes: Mapping[str, str] = PREFIXES) -> dict[str, str]:
    """The prefixes that some IRI of the triples starts with (so Turtle declares only those)."""
    iris = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}


def write_graph(triples: Sequence[ox.Triple], fmt: ox.RdfFormat, prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """Triples in an RDF format, with the prefixes they use where the format has prefixes."""
    return ox.serialize(triples, format=fmt, prefixes=used_prefixes(triples, prefixes)) or b""


def _sd(local: str) -> ox.NamedNode:
    return ox.NamedNode(SD + local)


def _format_iris() -> list[str]:
    return [f.iri for f in RESULT_FORMATS.values()] + [f.iri for f in GRAPH_FORMATS.values()]


def service_description(
    endpoint: str, graphs: Sequence[str], title: str, update_endpoint: str | None = None, lang: str = "en"
) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint (and of the update endpoint, if updates are on); the
    title in `lang`."""
    sd, rdf_type = _sd, ox.NamedNode(RDF + "type")
    service = ox.NamedNode(endpoint)
    dataset, default_graph = ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, ox.NamedNode(DCTERMS + "title"), ox.Literal(title, language=lang)),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, rdf_type, sd("Graph")),
    ]
    triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(iri)) for iri in _format_iris()]
    for graph in graphs:
        named = ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, rdf_type, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(graph)),
        ]
    if update_endpoint:
        update = ox.NamedNode(update_endpoint)
        triples += [
            ox.Triple(update, rdf_type, sd("Service")),
            ox.Triple(update, sd("endpoint"), update),
            ox.Triple(update, sd("supportedLanguage"), sd("SPARQL11Update")),
            ox.Triple(update, sd("defaultDataset"), dataset),
        ]
    return triples
