"""`build`: the shipped data lands in one named graph per source, with the promised counts, idempotently."""

from __future__ import annotations

from pyoxigraph import NamedNode

from l4a.graph.build import build
from l4a.graph.namespaces import DEFAULT_BASE, graph_iri
from l4a.graph.sources import shipped_sources
from l4a.graph.stats import store_stats
from l4a.graph.store.embedded import EmbeddedStore

EXPECTED = {
    "goals": 17,
    "targets": 169,
    "indicators": 235,
    "manifestos": 10,
    "policy_councils": 10,
    "sections": 9,
    "hubs": 7,
}

HUBS = [
    "avcilar-eko-bil",
    "bilbao-city-of-values",
    "diputacio-barcelona-women-leadership",
    "esteban-echeverria-resilient-caring-cities",
    "valongo-participation4all",
    "venice-city-solutions-2030",
    "xian-youth-education-dialogue",
]


def test_counts_of_the_shipped_data(built_store: EmbeddedStore) -> None:
    counts = store_stats(built_store)
    assert {k: counts[k] for k in EXPECTED} == EXPECTED
    assert counts["triples"] == built_store.quad_count() > 5_000


def test_one_graph_per_source_and_per_hub(built_store: EmbeddedStore) -> None:
    expected = {graph_iri(DEFAULT_BASE, n) for n in ["ontology", "sdg", "uclg"]}
    expected |= {graph_iri(DEFAULT_BASE, f"hub/{slug}") for slug in HUBS}
    assert set(built_store.named_graphs()) == expected
    assert len(shipped_sources()) == len(expected)


def test_each_hub_lives_in_its_own_graph(built_store: EmbeddedStore) -> None:
    rows = built_store.select("SELECT ?g ?h WHERE { GRAPH ?g { ?h a <https://w3id.org/l4a/ontology#Hub> } }")
    assert {(r["g"].value.rsplit("/", 1)[1], r["h"].value.rsplit("/", 1)[1]) for r in rows} == {
        (slug, slug) for slug in HUBS
    }


def test_building_twice_gives_the_same_store(store: EmbeddedStore) -> None:
    build(store)
    first = store_stats(store)
    build(store)
    assert store_stats(store) == first


def test_build_keeps_graphs_it_does_not_own(store: EmbeddedStore) -> None:
    other = "http://example.org/proposals"
    store.update(f"INSERT DATA {{ GRAPH <{other}> {{ <http://example.org/a> <http://example.org/p> 1 }} }}")
    build(store)
    assert other in store.named_graphs()


def test_another_base_moves_records_and_graphs_but_not_sdg_iris_or_terms(store: EmbeddedStore) -> None:
    base = "https://hubs.example.org/"
    build(store, base)
    assert graph_iri(base, "hub/bilbao-city-of-values") in store.named_graphs()
    hub = NamedNode(base + "id/hub/bilbao-city-of-values")
    # The record moves; the ontology's term does not (every query and namespaces.L4A name it).
    assert store.ask("ASK { ?h a ?hub ; ?p ?o }", {"h": hub, "hub": NamedNode("https://w3id.org/l4a/ontology#Hub")})
    assert not store.ask("ASK { ?h a ?hub }", {"h": hub, "hub": NamedNode(base + "ontology#Hub")})
    assert store.ask("ASK { <http://metadata.un.org/sdg/11.3> ?p ?o }")
    assert not store.ask("ASK { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'https://w3id.org/l4a/')) }")
