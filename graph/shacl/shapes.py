"""The SHACL shapes as plain records: targets, paths, constraints, severities and messages in en/fr/es."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from l4a.graph.errors import ConfigError
from l4a.graph.resources import shapes_dir
from l4a.graph.store.sparql_text import iri_text

SH = Namespace("http://www.w3.org/ns/shacl#")
# On an sh:SPARQLConstraint: the same check written for all focus nodes at once (sub-SELECTs that Oxigraph joins
# by hashing), used by whole-store validation; tests prove it finds what sh:select finds (docs/validation.md).
WHOLE_STORE_SELECT = URIRef("https://w3id.org/l4a/shapes#wholeStoreSelect")

# The constraint parameters the SPARQL compiler understands (see shacl_sparql.py); anything else is refused
# when the shapes are loaded, so a shape can never be silently ignored.
VALUE_PARAMETERS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH["in"],
    SH.languageIn,
    SH.minInclusive,
    SH.maxInclusive,
    SH["or"],
    SH["not"],
    SH.node,
    SH.lessThan,
}
COUNT_PARAMETERS = {SH.minCount, SH.maxCount, SH.hasValue, SH.uniqueLang}
OTHER_KEYS = {
    RDF.type,
    SH.path,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.targetClass,
    SH.targetObjectsOf,
    SH.property,
    SH.sparql,
    SH.deactivated,
    SH.flags,
    SH.order,
    SH.group,
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#isDefinedBy"),
    URIRef("http://purl.org/dc/terms/source"),  # where a rule comes from (the programme's page), an annotation
    URIRef("http://www.w3.org/2004/02/skos/core#note"),
}


@dataclass(frozen=True)
class Path:
    """A property path: a predicate, its inverse, or a sequence of predicates."""

    steps: tuple[str, ...]
    inverse: bool = False

    def sparql(self) -> str:
        """The path in SPARQL syntax."""
        text = "/".join(iri_text(step) for step in self.steps)
        return f"^{text}" if self.inverse else text

    def as_rdf(self, graph: Graph) -> Node:
        """The path as SHACL RDF (for reports)."""
        if self.inverse:
            node = BNode()
            graph.add((node, SH.inversePath, URIRef(self.steps[0])))
            return node
        if len(self.steps) == 1:
            return URIRef(self.steps[0])
        head = BNode()
        Collection(graph, head, [URIRef(s) for s in self.steps])
        return head


@dataclass
class Constraint:
    """One constraint parameter of a shape (e.g. sh:minCount 1), or one sh:sparql constraint."""

    parameter: str
    value: Node
    messages: dict[str, str] = field(default_factory=dict)
    query: str = ""
    store_query: str = ""


@dataclass
class Shape:
    """A node shape or a property shape."""

    iri: str
    path: Path | None
    severity: str
    messages: dict[str, str]
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    target_classes: list[str] = field(default_factory=list)
    target_objects_of: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    flags: str = ""


@dataclass
class ShapesModel:
    """All shapes, by IRI, and the RDF they were read from."""

    graph: Graph
    shapes: dict[str, Shape]
    # Each class with its subclasses, from the ontology, when known: class checks then match the listed types
    # instead of following rdfs:subClassOf* in the data (which Oxigraph evaluates slowly inside OPTIONAL).
    class_closures: dict[str, list[str]] = field(default_factory=dict)

    def targeted(self) -> list[Shape]:
        """The node shapes that have targets."""
        return [s for s in self.shapes.values() if s.target_classes or s.target_objects_of]


def _texts(graph: Graph, node: Node, predicate: URIRef) -> dict[str, str]:
    return {(o.language or "en"): str(o) for o in graph.objects(node, predicate) if isinstance(o, Literal)}


def _path(graph: Graph, node: Node, where: str) -> Path:
    if isinstance(node, URIRef):
        return Path((str(node),))
    inverse = graph.value(node, SH.inversePath)
    if isinstance(inverse, URIRef):
        return Path((str(inverse),), inverse=True)
    items = list(Collection(graph, node)) if graph.value(node, RDF.first) is not None else []
    if items and all(isinstance(i, URIRef) for i in items):
        return Path(tuple(str(i) for i in items))
    raise ConfigError(f"{where}: unsupported sh:path; use an IRI, sh:inversePath or a list of IRIs.")


def _prefixes(graph: Graph, node: Node) -> str:
    lines = []
    for source in graph.objects(node, SH.prefixes):
        for declaration in graph.objects(source, SH.declare):
            prefix = graph.value(declaration, SH.prefix)
            namespace = graph.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: {iri_text(str(namespace))}")
    return "\n".join(lines)


def _shape(graph: Graph, node: Node, shapes: dict[str, Shape]) -> Shape:
    if not isinstance(node, URIRef):
        raise ConfigError(f"a shape without an IRI ({node}); give every shape a name.")
    iri = str(node)
    if iri in shapes:
        return shapes[iri]
    path_node = graph.value(node, SH.path)
    severity = graph.value(node, SH.severity) or SH.Violation
    shape = Shape(
        iri=iri,
        path=_path(graph, path_node, iri) if path_node is not None else None,
        severity=str(severity).rsplit("#", 1)[1],
        messages=_texts(graph, node, SH.message),
        target_classes=[str(c) for c in graph.objects(node, SH.targetClass)],
        target_objects_of=[str(p) for p in graph.objects(node, SH.targetObjectsOf)],
        labels=_texts(graph, node, URIRef("http://www.w3.org/2000/01/rdf-schema#label")),
        comments=_texts(graph, node, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")),
        flags=str(graph.value(node, SH.flags) or ""),
    )
    shapes[iri] = shape
    for predicate, value in sorted(graph.predicate_objects(node)):
        if predicate in VALUE_PARAMETERS or predicate in COUNT_PARAMETERS:
            shape.constraints.append(Constraint(str(predicate), value))
        elif predicate == SH.property:
            shape.properties.append(_shape(graph, value, shapes))
        elif predicate == SH.sparql:
            select = graph.value(value, SH.select)
            if select is None:
                raise ConfigError(f"{iri}: an sh:sparql constraint without sh:select.")
            query = f"{_prefixes(graph, value)}\n{select}"
            whole = graph.value(value, WHOLE_STORE_SELECT)
            store_query = f"{_prefixes(graph, value)}\n{whole}" if whole is not None else ""
            messages = _texts(graph, value, SH.message)
            shape.constraints.append(Constraint(str(SH.sparql), value, messages, query, store_query))
        elif predicate not in OTHER_KEYS:
            raise ConfigError(f"{iri}: the SHACL parameter <{predicate}> is not supported by l4a's validator.")
    for constraint in shape.constraints:
        if constraint.parameter == str(SH.node):
            _shape(graph, constraint.value, shapes)
    return shape


def read_shapes(graph: Graph) -> ShapesModel:
    """The shapes of a SHACL graph, checked to use only what the validator supports."""
    shapes: dict[str, Shape] = {}
    roots = set(graph.subjects(SH.targetClass, None)) | set(graph.subjects(SH.targetObjectsOf, None))
    roots |= set(graph.subjects(RDF.type, SH.NodeShape))
    for node in sorted(roots, key=str):
        if (node, SH.deactivated, Literal(True)) not in graph:
            _shape(graph, node, shapes)
    return ShapesModel(graph, shapes)


def shapes_graph() -> Graph:
    """The shipped shapes, every file of shapes/ in one graph."""
    graph = Graph()
    for item in sorted(shapes_dir().iterdir(), key=lambda f: f.name):
        if item.name.endswith(".ttl"):
            graph.parse(data=item.read_text(encoding="utf-8"), format="turtle")
    return graph


@cache
def shipped_shapes() -> ShapesModel:
    """The shipped shapes, read once per process."""
    return read_shapes(shapes_graph())
