"""A user's own shapes file (`l4a validate --shapes FILE`), run by the engine that can: the project's compiler when
it compiles every shape of the file, pySHACL otherwise (SHACL-SPARQL, and what the compiler does not support).

The compiler's SHACL-SPARQL (sh:sparql) rewrites each query to find all focus nodes at once; tests prove that
equal to pre-binding $this for the shipped shapes only, so a user's sh:sparql constraint always runs with pySHACL,
which pre-binds as SHACL says. Both engines give the same report (graph/shacl/validation.py's ValidationReport),
which names the engine that ran.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL
from rdflib.term import Node

from l4a.graph.errors import ConfigError, InputError, Location
from l4a.graph.shacl.compiler import compile_model
from l4a.graph.shacl.shapes import SH, Shape, ShapesModel, read_shapes
from l4a.graph.shacl.validation import ValidationReport, ValidationResult, Validator
from l4a.graph.store.base import Store
from l4a.graph.store.rdf_formats import guess_format, iter_quads

COMPILER = "compiler"
PYSHACL = "pyshacl"


def rdflib_term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Node:
    """A pyoxigraph term as rdflib's (blank nodes keep their labels, so one conversion keeps them apart)."""
    if isinstance(node, ox.NamedNode):
        return URIRef(node.value)
    if isinstance(node, ox.BlankNode):
        return BNode(node.value)
    if isinstance(node, ox.Literal):
        if node.language:
            return Literal(node.value, lang=node.language)
        return Literal(node.value, datatype=URIRef(node.datatype.value))
    raise ValueError(f"no rdflib form for {node!r}")  # RDF-star triples: not SHACL data


def rdflib_graph(quads: Iterable[ox.Quad]) -> Graph:
    """The triples of the quads, whatever their graph, in one rdflib graph."""
    graph = Graph()
    for q in quads:
        if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
            continue
        graph.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
    return graph


@dataclass
class UserShapes:
    """A shapes file, read: its graph, and the engine that runs it (why pySHACL, when it does)."""

    path: Path
    graph: Graph
    engine: str
    reason: str = ""
    model: ShapesModel | None = None


def _why_not_compiled(graph: Graph) -> str:
    """Why the compiler cannot run these shapes ("" if it can): its own refusals, and what it would not notice."""
    if any(True for _ in graph.subjects(SH.sparql, None)):
        return "SHACL-SPARQL (sh:sparql) constraints"
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in graph.subjects(RDF.type, kind):
            if (shape, RDF.type, RDFS.Class) in graph or (shape, RDF.type, OWL.Class) in graph:
                return f"an implicit class target ({shape})"
    if any(True for _ in graph.subjects(SH.targetNode, None)) or any(
        True for _ in graph.subjects(SH.targetSubjectsOf, None)
    ):
        return "sh:targetNode or sh:targetSubjectsOf"
    if any(True for _ in graph.subjects(RDF.type, SH.ConstraintComponent)):
        return "a SHACL-SPARQL constraint component"
    return ""


def read_user_shapes(path: Path) -> UserShapes:
    """The shapes of a file (InputError naming the file and line if it cannot be read), with their engine."""
    graph = rdflib_graph(iter_quads(path, guess_format(path)))
    shaped = {SH.NodeShape, SH.PropertyShape}
    if not any(True for kind in shaped for _ in graph.subjects(RDF.type, kind)) and not any(
        True
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path)
        for _ in graph.subjects(p, None)
    ):
        raise InputError(
            "no SHACL shape in the file (nothing typed sh:NodeShape or sh:PropertyShape, no target, no sh:path)",
            Location(path),
            "give a SHACL shapes file (https://www.w3.org/TR/shacl/).",
        )
    reason = _why_not_compiled(graph)
    if not reason:
        try:
            model = read_shapes(graph)
            compile_model(model, graph_mode=False)
            compile_model(model, graph_mode=True)
        except ConfigError as exc:
            reason = str(exc)
        else:
            return UserShapes(path, graph, COMPILER, model=model)
    return UserShapes(path, graph, PYSHACL, reason)


class CompiledUserValidator(Validator):
    """The project's compiler over a user's shapes; its reports say engine: compiler."""

    engine = COMPILER


class PyshaclValidator(Validator):
    """pySHACL over a user's shapes, with the interface of the compiled validator (store, one graph, candidates)."""

    engine = PYSHACL

    def __init__(self, shapes: UserShapes) -> None:  # nothing to compile
        self.shapes = shapes
        self.model = _labels_model(shapes.graph)

    def validate_store(self, store: Store, lang: str = "en") -> ValidationReport:
        return self._validate(store, None, lang)

    def validate_graph(self, store: Store, graph: str, lang: str = "en") -> ValidationReport:
        return self._validate(store, graph, lang)

    def _validate(self, store: Store, graph: str | None, lang: str) -> ValidationReport:
        from pyshacl import validate

        out = io.BytesIO()
        store.dump(out, ox.RdfFormat.N_QUADS)
        quads = list(ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS))
        data = rdflib_graph(quads)
        focus_in: set[Node] | None = None
        if graph is not None:  # the focus nodes described in that graph, the rest of the store as context
            named = ox.NamedNode(graph)
            focus_in = {rdflib_term(q.subject) for q in quads if q.graph_name == named}
        try:
            _conforms, results_graph, _text = validate(
                data, shacl_graph=self.shapes.graph, inference="none", abort_on_first=False, meta_shacl=False
            )
        except Exception as exc:  # pySHACL's errors for shapes it cannot load: a user's input error
            raise InputError(f"pySHACL cannot run these shapes: {exc}", Location(self.shapes.path)) from exc
        assert isinstance(results_graph, Graph)
        results = [r for r in _results(results_graph, lang) if focus_in is None or r[0] in focus_in]
        return ValidationReport([r[1] for r in results], engine=PYSHACL)


def _labels_model(graph: Graph) -> ShapesModel:
    """The shapes' names (rdfs:label), for the text report's rule headings."""
    shapes: dict[str, Shape] = {}
    for node in set(graph.subjects(RDFS.label, None)):
        if isinstance(node, URIRef):
            labels = {(o.language or "en"): str(o) for o in graph.objects(node, RDFS.label) if isinstance(o, Literal)}
            shapes[str(node)] = Shape(str(node), None, "Violation", {}, labels=labels)
    return ShapesModel(graph, shapes)


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _path(graph: Graph, node: Node | None) -> str | None:
    """A predicate IRI for a simple path, else the path in SPARQL syntax (as the compiled validator says it)."""
    if node is None or isinstance(node, URIRef):
        return _text(node)
    inverse = graph.value(node, SH.inversePath)
    if isinstance(inverse, URIRef):
        return f"^<{inverse}>"
    if graph.value(node, RDF.first) is not None:
        steps = list(Collection(graph, node))
        if all(isinstance(s, URIRef) for s in steps):
            return "/".join(f"<{s}>" for s in steps)
    return "(a complex path)"


def _message(graph: Graph, result: Node, lang: str) -> str:
    found: dict[str, str] = {}
    for o in graph.objects(result, SH.resultMessage):
        if isinstance(o, Literal):
            found.setdefault(o.language or "", str(o))
    return found.get(lang) or found.get("en") or found.get("") or next(iter(found.values()), "")


def _results(graph: Graph, lang: str) -> list[tuple[Node, ValidationResult]]:
    """pySHACL's sh:ValidationResult nodes as the project's results (with the focus node as rdflib has it)."""
    found: list[tuple[Node, ValidationResult]] = []
    for result in graph.subjects(RDF.type, SH.ValidationResult):
        focus = graph.value(result, SH.focusNode)
        severity = graph.value(result, SH.resultSeverity)
        shape = graph.value(result, SH.sourceShape)
        if focus is None:
            continue
        found.append(
            (
                focus,
                ValidationResult(
                    focus=str(focus),
                    path=_path(graph, graph.value(result, SH.resultPath)),
                    value=_text(graph.value(result, SH.value)),
                    severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                    message=_message(graph, result, lang),
                    shape=str(shape) if isinstance(shape, URIRef) else f"_:{shape}",
                    component=str(graph.value(result, SH.sourceConstraintComponent) or ""),
                ),
            )
        )
    found.sort(key=lambda r: (r[1].focus, r[1].shape, r[1].path or "", r[1].value or "", r[1].message))
    return found


def user_validator(shapes: UserShapes) -> Validator:
    """The validator of a user's shapes: compiled, or pySHACL."""
    if shapes.model is not None:
        return CompiledUserValidator(shapes.model)
    return PyshaclValidator(shapes)
