"""IRIs of the vocabularies the project uses and of its own records and named graphs."""

from __future__ import annotations

from pyoxigraph import NamedNode

DEFAULT_BASE = "https://w3id.org/l4a/"

L4A = "https://w3id.org/l4a/ontology#"
SDG = "http://metadata.un.org/sdg/"
SDGO = "http://metadata.un.org/sdg/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
SCHEMA = "http://schema.org/"
SH = "http://www.w3.org/ns/shacl#"
PAV = "http://purl.org/pav/"  # pav:retrievedOn: the day a source page was read

PREFIXES: dict[str, str] = {
    "l4a": L4A,
    "sdg": SDG,
    "sdgo": SDGO,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "org": ORG,
    "time": TIME,
    "schema": SCHEMA,
    "sh": SH,
    "pav": PAV,
}


def sparql_prefixes() -> str:
    """The PREFIX lines for every prefix above, for queries written in code."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def term(local: str) -> NamedNode:
    """An ontology term, e.g. term('Hub')."""
    return NamedNode(L4A + local)


# The concepts of the shipped controlled vocabularies (ontology/vocabularies.ttl: statuses, evidence types and their
# schemes) belong with the ontology's terms: like them, they keep their IRIs under any base (`L4A_BASE_IRI`), so the
# shapes and queries that name them hold everywhere. Only records and graphs move.
VOCABULARY_KINDS = ("status", "evidence-type")
VOCABULARY_IRIS = tuple(f"{DEFAULT_BASE}id/{kind}/" for kind in VOCABULARY_KINDS) + tuple(
    f"{DEFAULT_BASE}id/scheme/{kind}" for kind in VOCABULARY_KINDS
)


def record_iri(base: str, kind: str, slug: str) -> str:
    """The IRI of a record, e.g. https://w3id.org/l4a/id/hub/bilbao-city-of-values (a vocabulary concept, such as
    a status, keeps its shipped IRI whatever the base)."""
    return f"{DEFAULT_BASE if kind in VOCABULARY_KINDS else base}id/{kind}/{slug}"


def graph_iri(base: str, name: str) -> str:
    """The IRI of a named graph, e.g. https://w3id.org/l4a/graph/hub/bilbao-city-of-values."""
    return f"{base}graph/{name}"


# The fictional demo's graphs live under graph/examples/ (loaded by `l4a build --with-examples` only). Stores built
# before that kept the demo's figures in graph/monitoring/demo-<hub>/example: those count as example graphs too.
EXAMPLES_GRAPHS = "examples/"


def is_example_graph(iri: str, base: str) -> bool:
    """Whether a named graph holds fictional example data (removed by a plain build, left out of exports)."""
    legacy = iri.startswith(graph_iri(base, "monitoring/demo-")) and iri.endswith("/example")
    return iri.startswith(graph_iri(base, EXAMPLES_GRAPHS)) or legacy
