"""On synthetic hubs with injected faults, the engine finds exactly what pySHACL finds, in every mode."""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from l4a.graph.build import build
from l4a.graph.shacl.shapes import shapes_graph
from l4a.graph.shacl.validation import ValidationResult, owners, shipped_validator
from l4a.graph.store.embedded import EmbeddedStore

from .test_validation_engine import Key, pyshacl_results

ROOT = Path(__file__).parents[1]
L4A = "https://w3id.org/l4a/ontology#"
ID = "https://w3id.org/l4a/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
HUBS = 25
SHAPES = "https://w3id.org/l4a/shapes#"
OBSERVATION_RULES = ("indicator", "indicator-exists", "value", "value-number", "date", "date-type",
                     "date-not-after-recording", "source", "source-url", "reporter", "reporter-agent",
                     "reporter-name")  # fmt: skip


def synth_quads(n: int) -> list[ox.Quad]:
    spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
    assert spec and spec.loader
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    return list(ox.parse("".join(synth.generate(n, seed=3)), format=ox.RdfFormat.N_QUADS))


def hub(i: int) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}hub/synth-{i:06d}")


def p(local: str) -> ox.NamedNode:
    return ox.NamedNode(L4A + local)


Fault = Callable[[list[ox.Quad], ox.NamedNode, ox.NamedNode], list[ox.Quad]]


def drop(predicate: str) -> Fault:
    return lambda quads, h, g: [q for q in quads if not (q.subject == h and q.predicate == p(predicate))]


def add(predicate: str, obj: ox.NamedNode | ox.Literal) -> Fault:
    return lambda quads, h, g: [*quads, ox.Quad(h, p(predicate), obj, g)]


def shift_end(years: int) -> Fault:
    def fault(quads: list[ox.Quad], h: ox.NamedNode, g: ox.NamedNode) -> list[ox.Quad]:
        start = next(q.object.value for q in quads if q.subject == h and q.predicate == p("startDate"))
        end = ox.Literal(f"{int(start[:4]) + years}{start[4:]}", datatype=ox.NamedNode(XSD + "date"))
        return [*drop("endDate")(quads, h, g), ox.Quad(h, p("endDate"), end, g)]

    return fault


def university_lead(quads: list[ox.Quad], h: ox.NamedNode, g: ox.NamedNode) -> list[ox.Quad]:
    uni = ox.NamedNode(f"{ID}org/synth-university")
    return [*drop("ledBy")(quads, h, g), ox.Quad(h, p("ledBy"), uni, g), ox.Quad(uni, RDF_TYPE, p("University"), g)]


def untyped_start(quads: list[ox.Quad], h: ox.NamedNode, g: ox.NamedNode) -> list[ox.Quad]:
    start = next(q.object.value for q in quads if q.subject == h and q.predicate == p("startDate"))
    return [*drop("startDate")(quads, h, g), ox.Quad(h, p("startDate"), ox.Literal(start), g)]


def late_indicator(quads: list[ox.Quad], h: ox.NamedNode, g: ox.NamedNode) -> list[ox.Quad]:
    deliverables = {q.object for q in quads if q.subject == h and q.predicate == p("hasDeliverable")}
    indicator = next(q.object for q in quads if q.subject in deliverables and q.predicate == p("hasIndicator"))
    late = ox.Literal("2099-01-01", datatype=ox.NamedNode(XSD + "date"))
    kept = [q for q in quads if not (q.subject == indicator and q.predicate == p("dueDate"))]
    return [*kept, ox.Quad(indicator, p("dueDate"), late, g)]


def coarse_late_dates(quads: list[ox.Quad], h: ox.NamedNode, g: ox.NamedNode) -> list[ox.Quad]:
    """Years after every due date and every council term, written at year and month precision."""
    start = ox.Literal("2030", datatype=ox.NamedNode(XSD + "gYear"))
    end = ox.Literal("2031-06", datatype=ox.NamedNode(XSD + "gYearMonth"))
    kept = drop("endDate")(drop("startDate")(quads, h, g), h, g)
    return [*kept, ox.Quad(h, p("startDate"), start, g), ox.Quad(h, p("endDate"), end, g)]


def faulty_observations(quads: list[ox.Quad], h: ox.NamedNode, g: ox.NamedNode) -> list[ox.Quad]:
    """Two observations of the hub's indicator that break every observation rule between them, in a monitoring graph
    of their own (as `l4a monitor add` writes them), so that the hub's own graph stays clean."""
    deliverables = {q.object for q in quads if q.subject == h and q.predicate == p("hasDeliverable")}
    indicator = next(q.object for q in quads if q.subject in deliverables and q.predicate == p("hasIndicator"))
    monitoring = ox.NamedNode(f"https://w3id.org/l4a/graph/monitoring/{h.value.rsplit('/', 1)[-1]}/1")
    first, second = ox.NamedNode(f"{ID}observation/synth-1"), ox.NamedNode(f"{ID}observation/synth-2")
    agent = ox.NamedNode(f"{ID}agent/synth-unnamed")
    date = ox.NamedNode(XSD + "date")
    triples = [
        (first, RDF_TYPE, p("Observation")),
        (first, p("observationOf"), indicator),
        (first, p("value"), ox.Literal("12 ha")),
        (first, p("observedOn"), ox.Literal("soon")),
        (first, ox.NamedNode(DCTERMS + "source"), ox.Literal("the annual report")),
        (first, p("reportedBy"), agent),
        (second, RDF_TYPE, p("Observation")),
        (second, p("observationOf"), indicator),
        (second, p("observationOf"), ox.NamedNode("http://metadata.un.org/sdg/C110101")),
        (second, p("observedOn"), ox.Literal("2026-01-01", datatype=date)),
        (second, p("observedOn"), ox.Literal("2026-02-01", datatype=date)),
        (
            second,
            ox.NamedNode(DCTERMS + "created"),
            ox.Literal("2026-01-15T10:00:00+00:00", datatype=ox.NamedNode(XSD + "dateTime")),
        ),
        (second, ox.NamedNode(DCTERMS + "source"), ox.NamedNode("ftp://files.example.org/figures.csv")),
        (second, ox.NamedNode(DCTERMS + "source"), ox.NamedNode("https://files.example.org/figures.csv")),
    ]
    return [*quads, *(ox.Quad(s, pred, o, monitoring) for s, pred, o in triples)]


def proposed(quads: list[ox.Quad], h: ox.NamedNode, g: ox.NamedNode) -> list[ox.Quad]:
    trimmed = drop("hasCommunicationPlan")(drop("hasDeliverable")(quads, h, g), h, g)
    return [*trimmed, ox.Quad(ox.NamedNode(f"{ID}proposal/p1"), p("proposes"), h, g)]


FAULTS: dict[int, Fault] = {
    2: drop("ledBy"),
    3: university_lead,
    4: add("addressesTarget", ox.NamedNode("http://metadata.un.org/sdg/18.1")),
    5: add("addressesTarget", ox.NamedNode("http://metadata.un.org/sdg/C110101")),
    6: shift_end(5),
    7: shift_end(-1),
    8: drop("hasCommunicationPlan"),
    9: drop("hasDeliverable"),
    10: add("hasEvidence", ox.NamedNode(f"{ID}evidence/missing")),
    11: lambda quads, h, g: [*quads, ox.Quad(h, p("buildsOn"), h, g)],
    12: lambda quads, h, g: [q for q in quads if not (q.subject == h and q.predicate.value.endswith("/title"))],
    13: add("addressesGoal", ox.NamedNode("http://metadata.un.org/sdg/6")),
    14: untyped_start,
    15: add("relevantCouncil", ox.NamedNode(f"{ID}council/nowhere")),
    16: proposed,
    17: add("section", ox.NamedNode(f"{ID}section/atlantis")),
    18: late_indicator,
    19: coarse_late_dates,
    21: faulty_observations,
}


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> tuple[EmbeddedStore, Graph]:
    quads = synth_quads(HUBS)
    for i, fault in FAULTS.items():
        quads = fault(quads, hub(i), ox.NamedNode(f"https://w3id.org/l4a/graph/hub/synth-{i:06d}"))
    store = EmbeddedStore.open(tmp_path_factory.mktemp("faulty") / "store")
    build(store)
    store.add_quads(quads)
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_TRIPLES)
    return store, Graph().parse(data=out.getvalue().decode(), format="nt")


def keys(results: list[ValidationResult]) -> set[Key]:
    return {(r.focus, r.path, r.value, r.severity, r.shape, r.component) for r in results}


def test_whole_store_equals_pyshacl(faulty: tuple[EmbeddedStore, Graph]) -> None:
    store, union = faulty
    expected = pyshacl_results(union, shapes_graph())
    found = keys(shipped_validator().validate_store(store).results)
    assert found == expected
    faulted = {f"{ID}hub/synth-{i:06d}" for i in FAULTS}
    violating = {r[0] for r in expected if r[3] == "Violation"}
    # 8, 9 and 13 only warn; 18 and 19 break rules of the hub's indicators and deliverables, not of the hub; 21 of
    # its observations
    assert faulted - {f"{ID}hub/synth-{i:06d}" for i in (8, 9, 13, 18, 19, 21)} <= violating
    # The checks with a whole-store form of their own (l4ash:wholeStoreSelect) are exercised by the faults.
    shapes = {r[4] for r in expected}
    for rule in ("indicator-due-date", "deliverable-due-date"):
        assert f"{SHAPES}{rule}-within-time-frame" in shapes
    assert f"{SHAPES}hub-council-active" in shapes
    # Every observation rule fires on the faulty observations of hub 21 (shapes/observation.ttl).
    observation_rules = {r[4] for r in expected if "/observation/synth-" in r[0]}
    assert observation_rules == {f"{SHAPES}observation-{rule}" for rule in OBSERVATION_RULES}


def test_one_graph_equals_the_whole_store_restricted_to_it(faulty: tuple[EmbeddedStore, Graph]) -> None:
    store, _ = faulty
    whole = shipped_validator().validate_store(store).results
    owner = owners(store)
    for i in [*FAULTS, 1, 20]:
        graph = f"https://w3id.org/l4a/graph/hub/synth-{i:06d}"
        one = shipped_validator().validate_graph(store, graph).results
        assert keys(one) == keys([r for r in whole if owner.get(r.focus) == hub(i).value or r.focus == hub(i).value])


def test_candidate_files_equal_the_store(faulty: tuple[EmbeddedStore, Graph]) -> None:
    store, _ = faulty
    whole = shipped_validator().validate_store(store).results
    for i in (3, 6, 16):
        graph = ox.NamedNode(f"https://w3id.org/l4a/graph/hub/synth-{i:06d}")
        quads = [q for q in store_quads(store) if q.graph_name == graph]
        candidate = shipped_validator().validate_candidate(quads, store).results
        owner = owners(store)
        assert keys(candidate) == keys([r for r in whole if owner.get(r.focus) == hub(i).value])


def store_quads(store: EmbeddedStore) -> list[ox.Quad]:
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    return list(ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS))
