"""The shipped reference data and verified hub records: SDG counts and labels, UCLG facts, the seven hubs.

The data is found through the package (`l4a.ontology`), as the application finds it. The converter tests re-run
ontology/tools/convert_uclg.py on the project's own copy of its sources (ontology/sources/) and check that it
reproduces the shipped Turtle byte for byte; nothing here reads anything outside the repository.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.query import ResultRow

DATA = files("l4a.ontology")
REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "ontology" / "sources"
CONVERTER = REPO / "ontology" / "tools" / "convert_uclg.py"

L4A = Namespace("https://w3id.org/l4a/ontology#")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
ID = "https://w3id.org/l4a/id/"

PREFIXES = f"""
PREFIX l4a: <{L4A}>
PREFIX sdgo: <{SDGO}>
PREFIX skos: <{SKOS}>
PREFIX dcterms: <{DCTERMS}>
PREFIX id: <{ID}>
"""

HUB_SLUGS = {
    "xian-youth-education-dialogue",
    "bilbao-city-of-values",
    "valongo-participation4all",
    "diputacio-barcelona-women-leadership",
    "esteban-echeverria-resilient-caring-cities",
    "avcilar-eko-bil",
    "venice-city-solutions-2030",
}
# Names that could NOT be verified as Local4Action HUBs (uclg_facts.yaml, unverified_candidates).
UNVERIFIED_CANDIDATES = [
    "Bogotá",
    "Chefchaouen",
    "Bonn",
    "Kazan",
    "Lisbon",
    "Mexico",
    "Madrid",
    "Rome",
    "Konya",
    "São Paulo",
    "Jeju",
    "Sala",
    "Barcelona City Council",
    "Durban",
    "eThekwini",
    "Buenos Aires",
    "Cuenca",
    "Nouakchott",
    "Pasig",
    "Brooklyn",
]


def parse(*paths: str) -> Graph:
    """One graph holding the given packaged Turtle files."""
    graph = Graph()
    for path in paths:
        graph.parse(data=DATA.joinpath(*path.split("/")).read_text(encoding="utf-8"), format="turtle")
    return graph


def hub_files() -> list[str]:
    """The names of the shipped hub files."""
    return sorted(f.name for f in DATA.joinpath("hubs").iterdir() if f.name.endswith(".ttl"))


def select(graph: Graph, query: str) -> list[ResultRow]:
    """The rows of a SELECT query (the prefixes above are declared)."""
    return [row for row in graph.query(PREFIXES + query) if isinstance(row, ResultRow)]


def count(graph: Graph, query: str) -> int:
    """The single integer a `SELECT (COUNT(...) AS ?n)` query returns."""
    return int(select(graph, query)[0][0])


def label_languages(graph: Graph, subject: URIRef) -> list[str]:
    """The sorted language tags of the subject's skos:prefLabel values."""
    return sorted(o.language or "" for o in graph.objects(subject, SKOS.prefLabel) if isinstance(o, Literal))


@pytest.fixture(scope="module")
def sdg() -> Graph:
    """The SDG KOS copy."""
    return parse("reference/sdg.ttl")


@pytest.fixture(scope="module")
def uclg() -> Graph:
    """The UCLG reference facts."""
    return parse("reference/uclg.ttl")


@pytest.fixture(scope="module")
def hubs() -> dict[str, Graph]:
    """Each hub file as its own graph, by file name."""
    return {name: parse(f"hubs/{name}") for name in hub_files()}


@pytest.mark.parametrize(("cls", "expected"), [("Goal", 17), ("Target", 169), ("Indicator", 235)])
def test_sdg_counts(sdg: Graph, cls: str, expected: int) -> None:
    assert count(sdg, f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a sdgo:{cls} }}") == expected


@pytest.mark.parametrize("cls", ["Goal", "Target"])
@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_every_goal_and_target_has_a_label_per_language(sdg: Graph, cls: str, lang: str) -> None:
    missing = count(
        sdg,
        f"""SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{
              ?c a sdgo:{cls} .
              FILTER NOT EXISTS {{ ?c skos:prefLabel ?l FILTER(LANG(?l) = "{lang}") }}
            }}""",
    )
    assert missing == 0


def test_manifestos(uclg: Graph) -> None:
    scheme = URIRef(ID + "scheme/durban-manifestos")
    manifestos = set(uclg.subjects(SKOS.inScheme, scheme))
    assert len(manifestos) == 10
    for manifesto in manifestos:
        assert (manifesto, RDF.type, L4A.Manifesto) in uclg
        assert (manifesto, RDF.type, SKOS.Concept) in uclg
        assert isinstance(manifesto, URIRef)
        assert label_languages(uclg, manifesto) == ["en", "es", "fr"], manifesto
    local_finance = URIRef(ID + "manifesto/local-finance")
    assert (local_finance, SKOS.prefLabel, Literal("Local Finance", lang="en")) in uclg
    assert (local_finance, SKOS.prefLabel, Literal("Finances locales", lang="fr")) in uclg
    assert (local_finance, SKOS.prefLabel, Literal("Finanzas locales", lang="es")) in uclg
    assert any(True for _ in uclg.objects(scheme, SKOS.editorialNote))


def test_pact_axes(uclg: Graph) -> None:
    axes = set(uclg.subjects(SKOS.inScheme, URIRef(ID + "scheme/pact-for-the-future")))
    assert axes == {URIRef(ID + f"pact-axis/{slug}") for slug in ("people", "planet", "government")}
    for axis in axes:
        assert (axis, RDF.type, L4A.PactAxis) in uclg
        assert isinstance(axis, URIRef)
        assert label_languages(uclg, axis) == ["en", "es", "fr"]


def test_councils_and_terms(uclg: Graph) -> None:
    assert count(uclg, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a l4a:PolicyCouncil }") == 10
    query = "SELECT ?t (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a l4a:PolicyCouncil ; l4a:term ?t } GROUP BY ?t"
    per_term = {str(term): int(n) for term, n in select(uclg, query)}
    assert per_term == {ID + "council-term/2017-2022": 5, ID + "council-term/2023-2026": 5}
    # Councils have no French or Spanish names in the sources: none are invented.
    query = 'SELECT (COUNT(*) AS ?n) WHERE { ?c a l4a:PolicyCouncil ; ?p ?l FILTER(LANG(?l) IN ("fr", "es")) }'
    assert count(uclg, query) == 0


def test_council_lineage_is_one_to_one(uclg: Graph) -> None:
    old, new = (URIRef(ID + "council-term/2017-2022"), URIRef(ID + "council-term/2023-2026"))
    for council in uclg.subjects(L4A["term"], new):
        predecessors = list(uclg.objects(council, L4A.continues))
        assert len(predecessors) == 1, council
        assert (predecessors[0], L4A["term"], old) in uclg
    for council in uclg.subjects(L4A["term"], old):
        assert len(list(uclg.subjects(L4A.continues, council))) == 1, council


def test_sections_and_events(uclg: Graph) -> None:
    assert count(uclg, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a l4a:Section }") == 9
    query = "SELECT ?e ?n WHERE { ?e a l4a:VeniceCitySolutionsEdition ; l4a:editionNumber ?n }"
    editions = {int(n) for _, n in select(uclg, query)}
    assert editions == {1, 2, 3, 4}
    assert (URIRef(ID + "event/durban-2019-congress"), RDF.type, L4A.Event) in uclg


def test_every_reference_record_has_a_source_and_a_confidence(uclg: Graph) -> None:
    for subject in set(uclg.subjects(RDF.type, None)):
        assert (subject, DCTERMS.source, None) in uclg, subject
        assert (subject, L4A.confidence, None) in uclg, subject


def test_seven_hub_files_with_seven_hubs(hubs: dict[str, Graph]) -> None:
    assert set(hubs) == {f"{slug}.ttl" for slug in HUB_SLUGS}
    found = set()
    for name, graph in hubs.items():
        in_file = set(graph.subjects(RDF.type, L4A.Hub))
        assert in_file == {URIRef(ID + "hub/" + name.removesuffix(".ttl"))}
        found |= in_file
    assert len(found) == 7


def test_every_subject_in_a_hub_file_has_a_source(hubs: dict[str, Graph]) -> None:
    for name, graph in hubs.items():
        for subject in set(graph.subjects()):
            assert isinstance(subject, URIRef), (name, subject)  # no blank nodes
            assert (subject, DCTERMS.source, None) in graph, (name, subject)


def test_every_hub_has_a_status_and_a_lead(hubs: dict[str, Graph]) -> None:
    statuses = {}
    for graph in hubs.values():
        for hub in graph.subjects(RDF.type, L4A.Hub):
            statuses[str(hub).rsplit("/", 1)[1]] = [str(s).rsplit("/", 1)[1] for s in graph.objects(hub, L4A.status)]
            assert len(list(graph.objects(hub, L4A.ledBy))) >= 1, hub
    assert statuses == {
        slug: ["self-described" if slug == "venice-city-solutions-2030" else "labelled"] for slug in HUB_SLUGS
    }


def test_no_unverified_candidate_is_a_hub(hubs: dict[str, Graph]) -> None:
    titles = [
        str(title)
        for graph in hubs.values()
        for hub in graph.subjects(RDF.type, L4A.Hub)
        for title in graph.objects(hub, DCTERMS.title)
    ]
    assert len(titles) == 7
    for name in UNVERIFIED_CANDIDATES:
        pattern = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
        assert not [t for t in titles if pattern.search(t)], name


def test_hub_goals_exist_in_the_sdg_data(sdg: Graph, hubs: dict[str, Graph]) -> None:
    goals = {g for graph in hubs.values() for g in graph.objects(None, L4A.addressesGoal)}
    assert goals, "some hubs state their SDGs"
    for goal in goals:
        assert (goal, RDF.type, SDGO.Goal) in sdg, goal
    assert not [t for graph in hubs.values() for t in graph.objects(None, L4A.addressesTarget)]


def test_converter_reproduces_the_shipped_turtle(tmp_path: Path) -> None:
    facts = SOURCES / "uclg" / "uclg_facts.yaml"
    assert facts.is_file(), f"the project's copy of the facts file is missing: expected {facts}"
    subprocess.run(
        [sys.executable, str(CONVERTER), "--out-dir", str(tmp_path)],  # the default YAML: the project's own copy
        check=True,
        capture_output=True,
        text=True,
    )
    assert (tmp_path / "reference" / "uclg.ttl").read_bytes() == DATA.joinpath("reference", "uclg.ttl").read_bytes()
    produced = sorted(p.name for p in (tmp_path / "hubs").iterdir())
    assert produced == hub_files()
    for name in produced:
        assert (tmp_path / "hubs" / name).read_bytes() == DATA.joinpath("hubs", name).read_bytes(), name


def test_sdg_copy_is_unchanged() -> None:
    source = SOURCES / "sdg" / "sdg.ttl"
    assert source.is_file(), f"the project's copy of the SDG source is missing: expected {source}"
    assert DATA.joinpath("reference", "sdg.ttl").read_bytes() == source.read_bytes()
