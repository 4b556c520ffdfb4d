"""The project holds its own sources, and its records say only what those sources say.

ontology/sources/ keeps the facts file and the SDG files with their notes (the converter test in test_reference.py
regenerates the Turtle from them); these tests pin what each record may claim: organisations carry the pages that
name them, evidence carries the date it was read, derived links are marked derived, and four claims that went
beyond their source are gone.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS, XSD

DATA = files("l4a.ontology")
REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "ontology" / "sources"
L4A = Namespace("https://w3id.org/l4a/ontology#")
PAV = Namespace("http://purl.org/pav/")
SDG = Namespace("http://metadata.un.org/sdg/")
ID = "https://w3id.org/l4a/id/"


def hub_graph(slug: str) -> Graph:
    """One shipped hub file."""
    return Graph().parse(data=DATA.joinpath("hubs", f"{slug}.ttl").read_text(encoding="utf-8"), format="turtle")


@pytest.fixture(scope="module")
def facts() -> dict[str, object]:
    """The project's copy of the facts file."""
    loaded = yaml.safe_load((SOURCES / "uclg" / "uclg_facts.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_sources_and_their_notes_are_in_the_project() -> None:
    for name in ("README.md", "uclg/uclg_facts.yaml", "uclg/README.md", "sdg/README.md", "sdg/sdg.ttl", "sdg/sdg.csv"):
        assert (SOURCES / name).is_file(), name


def test_no_code_or_test_reads_the_shared_folder_beside_the_repository() -> None:
    pattern = re.compile(r"shared[\"' ]*[/,)]\s*[\"' ]*data|\.\./shared")
    readers = [
        f"{path.relative_to(REPO)}:{number}"
        for folder in ("tests", "graph", "web", "ontology/tools", "bench")
        for path in sorted((REPO / folder).rglob("*.py"))
        if path.name != "test_sources.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert readers == []


def test_organisations_carry_the_pages_that_name_them_not_all_the_hub_sources(facts: dict[str, object]) -> None:
    hubs = {h["id"]: h for h in facts["hubs"]}  # type: ignore[attr-defined]
    for slug, item in hubs.items():
        graph = hub_graph(slug)
        hub = URIRef(ID + "hub/" + slug)
        orgs = set(graph.objects(hub, L4A.ledBy)) | {
            o for o in graph.objects(hub, L4A.partner) if (o, RDF.type, None) in graph
        }
        assert orgs, slug
        for org in orgs:
            pages = {str(s) for s in graph.objects(org, DCTERMS.source)}
            assert pages, org
            assert pages <= set(item["sources"]), org
            if len(item["sources"]) > 1:
                assert pages != set(item["sources"]) or org == URIRef(ID + "org/avcilar-municipality"), org
    bilbao = hub_graph("bilbao-city-of-values")
    assert {str(s) for s in bilbao.objects(URIRef(ID + "org/bilbao-metropoli-30"), DCTERMS.source)} == {
        "https://www.bm30.eus/en/community-benefits-en/bilbao-charter-of-values/"
    }


def test_evidence_records_carry_the_date_the_facts_were_retrieved() -> None:
    for path in DATA.joinpath("hubs").iterdir():
        if not path.name.endswith(".ttl"):
            continue
        graph = hub_graph(path.name.removesuffix(".ttl"))
        evidence = set(graph.subjects(RDF.type, L4A.Evidence))
        assert evidence, path.name
        for record in evidence:
            assert list(graph.objects(record, PAV.retrievedOn)) == [Literal("2026-11-25", datatype=XSD.date)], record
    notes = (SOURCES / "README.md").read_text(encoding="utf-8")
    assert "2026-11-25" in notes and "pav:retrievedOn" in notes


def test_avcilar_records_its_mayor_from_the_facts_file(facts: dict[str, object]) -> None:
    lead = next(h["lead"] for h in facts["hubs"] if h["id"] == "avcilar-eko-bil")  # type: ignore[attr-defined]
    assert "Turan Hançerli" in lead
    graph = hub_graph("avcilar-eko-bil")
    heads = list(graph.subjects(ORG.headOf, URIRef(ID + "org/avcilar-municipality")))
    assert len(heads) == 1
    news = URIRef("https://uclg-mewa.org/en/uclg-world-council23-held-in-konya-on-26-28-october/")
    assert (heads[0], DCTERMS.source, news) in graph
    assert "Mayor" in " ".join(str(d) for d in graph.objects(heads[0], DCTERMS.description))


def test_four_claims_say_no_more_than_their_source() -> None:
    venice = hub_graph("venice-city-solutions-2030")
    platforma = " ".join(str(d) for d in venice.objects(URIRef(ID + "org/platforma"), DCTERMS.description))
    assert "funding" in platforma and not re.search(r"\bfunds the\b", platforma)
    campaign = URIRef(ID + "org/un-sdg-action-campaign")
    assert (campaign, RDF.type, L4A.UNAgency) not in venice
    ontology = Graph().parse(data=DATA.joinpath("l4a.ttl").read_text(encoding="utf-8"), format="turtle")
    edition = " ".join(str(d) for d in ontology.objects(L4A.VeniceCitySolutionsEdition, SKOS.definition))
    assert "held in Venice on" not in edition and "online" in edition
    hub = " ".join(str(d) for d in ontology.objects(L4A.Hub, SKOS.definition) if getattr(d, "language", "") == "en")
    assert "with each other and with its Policy Councils" not in hub
    validation = (REPO / "docs" / "validation.md").read_text(encoding="utf-8")
    assert not re.search(r"synchroniz\w+ (?:\w+ ){0,4}with (?:the |UCLG's )?Policy Councils", validation)


def test_bilbao_goal_links_are_marked_derived_with_a_reason_and_a_lower_confidence() -> None:
    graph = hub_graph("bilbao-city-of-values")
    hub = URIRef(ID + "hub/bilbao-city-of-values")
    goals = set(graph.objects(hub, L4A.addressesGoal))
    assert len(goals) == 17
    derived = {graph.value(d, RDF.object) for d in graph.subjects(RDF.type, L4A.DerivedLink)}
    assert derived == goals
    for link in graph.subjects(RDF.type, L4A.DerivedLink):
        assert graph.value(link, RDF.subject) == hub and graph.value(link, RDF.predicate) == L4A.addressesGoal
        assert "Charter" in str(graph.value(link, L4A.reason))
        assert str(graph.value(link, L4A.confidence)) == "low" != str(graph.value(hub, L4A.confidence))
        assert (link, DCTERMS.source, None) in graph
    # Stated links stay plain: Xi'an's four goals are not derived.
    assert not list(hub_graph("xian-youth-education-dialogue").subjects(RDF.type, L4A.DerivedLink))
