"""The SPARQL validation engine gives exactly pySHACL's results (pySHACL is the reference implementation)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.term import Node

from l4a.graph.errors import ConfigError
from l4a.graph.shacl.shapes import read_shapes
from l4a.graph.shacl.validation import Validator
from l4a.graph.store.embedded import EmbeddedStore

DATA = Path(__file__).parent / "data" / "engine"
SH = Namespace("http://www.w3.org/ns/shacl#")
Key = tuple[str, str | None, str | None, str, str, str]


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def pyshacl_results(data: Graph, shapes: Graph) -> set[Key]:
    """The top-level results of pySHACL (nested sh:detail results are not results of the report)."""
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert isinstance(report, Graph)
    keys = set()
    for top in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(top, SH.result):
            severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[1]
            keys.add(
                (
                    str(report.value(result, SH.focusNode)),
                    _text(report.value(result, SH.resultPath)),
                    _text(report.value(result, SH.value)),
                    severity,
                    str(report.value(result, SH.sourceShape)),
                    str(report.value(result, SH.sourceConstraintComponent)),
                )
            )
    return keys


def engine_results(data_path: Path, shapes: Graph) -> set[Key]:
    store = EmbeddedStore.in_memory()
    store.add_quads(ox.parse(path=str(data_path), format=ox.RdfFormat.TURTLE))
    report = Validator(read_shapes(shapes)).validate_store(store)
    return {(r.focus, r.path, r.value, r.severity, r.shape, r.component) for r in report.results}


def test_every_supported_constraint_matches_pyshacl() -> None:
    shapes = Graph().parse(DATA / "shapes.ttl")
    expected = pyshacl_results(Graph().parse(DATA / "data.ttl"), shapes)
    assert engine_results(DATA / "data.ttl", shapes) == expected
    assert len(expected) > 15  # the fixture exercises every constraint kind


def test_messages_fill_placeholders() -> None:
    store = EmbeddedStore.in_memory()
    store.add_quads(ox.parse(path=str(DATA / "data.ttl"), format=ox.RdfFormat.TURTLE))
    report = Validator(read_shapes(Graph().parse(DATA / "shapes.ttl"))).validate_store(store)
    assert "http://example.org/bad is their own friend" in {r.message for r in report.results}


def test_graph_mode_sees_only_the_graphs_focus_nodes() -> None:
    shapes = read_shapes(Graph().parse(DATA / "shapes.ttl"))
    store = EmbeddedStore.in_memory()
    graph = ox.NamedNode("http://example.org/graph-of-bad")
    for quad in ox.parse(path=str(DATA / "data.ttl"), format=ox.RdfFormat.TURTLE):
        in_graph = quad.subject.value in ("http://example.org/bad", "http://example.org/addr2")
        store.add_quads([ox.Quad(quad.subject, quad.predicate, quad.object, graph if in_graph else ox.DefaultGraph())])
    validator = Validator(shapes)
    whole = validator.validate_store(store).results
    one = validator.validate_graph(store, graph.value).results
    assert {r.focus for r in one} == {"http://example.org/bad"}
    assert one == [r for r in whole if r.focus == "http://example.org/bad"]


@pytest.mark.parametrize(
    "shape",
    [
        "ex:s a <http://www.w3.org/ns/shacl#NodeShape> ; <http://www.w3.org/ns/shacl#targetNode> ex:x ;"
        " <http://www.w3.org/ns/shacl#closed> true .",
        "ex:s <http://www.w3.org/ns/shacl#targetClass> ex:C ; <http://www.w3.org/ns/shacl#equals> ex:p .",
    ],
)
def test_unsupported_shacl_is_refused_not_ignored(shape: str) -> None:
    graph = Graph().parse(data=f"@prefix ex: <http://example.org/> . {shape}", format="turtle")
    with pytest.raises(ConfigError, match="not supported"):
        read_shapes(graph)


def test_class_checks_use_the_ontologys_subclasses() -> None:
    from l4a.graph.shacl.validation import shipped_validator

    closures = shipped_validator().model.class_closures
    organisation = set(closures["https://w3id.org/l4a/ontology#Organisation"])
    assert {
        "https://w3id.org/l4a/ontology#LocalGovernment",
        "https://w3id.org/l4a/ontology#LRGAssociation",
    } <= organisation
    assert closures["http://metadata.un.org/sdg/ontology#Target"] == ["http://metadata.un.org/sdg/ontology#Target"]
