"""The endpoint's core: what a query is (checked with a real parser), and Store.query on the embedded store
(datasets, row cap, time limit in a killable worker, writes seen by the workers)."""

from __future__ import annotations

import pytest

from l4a.graph.errors import QueryLimitError, UsageError
from l4a.graph.sparql.check import SparqlRefused, check_query, check_update
from l4a.graph.store.base import Dataset, Solutions, Triples
from l4a.graph.store.embedded import EmbeddedStore

G1, G2 = "https://example.org/g1", "https://example.org/g2"
DATA = f"INSERT DATA {{ GRAPH <{G1}> {{ <https://example.org/a> <https://example.org/p> 1 }} " \
       f"GRAPH <{G2}> {{ <https://example.org/b> <https://example.org/p> 2 }} }}"  # fmt: skip
ALL = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"


@pytest.mark.parametrize(
    ("text", "form", "own_dataset"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False),
        ("PREFIX ex: <http://e/> CONSTRUCT WHERE { ?s ex:p ?o }", "CONSTRUCT", False),
        ("ASK FROM <http://g> { ?s ?p ?o }", "ASK", True),
        ("DESCRIBE ?s FROM NAMED <http://g> WHERE { GRAPH ?g { ?s ?p ?o } }", "DESCRIBE", True),
        ("SELECT * { ?s <http://e/service> ?service }", "SELECT", False),  # the word, not the keyword
    ],
)
def test_check_query_reads_form_and_dataset(text: str, form: str, own_dataset: bool) -> None:
    checked = check_query(text)
    assert (checked.form, checked.own_dataset) == (form, own_dataset)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "missing"),
        ("  ", "missing"),
        ("SELEC *", "malformed"),
        ("INSERT DATA { <http://a> <http://b> 1 }", "update"),
        ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", "service"),
        ("SELECT * { OPTIONAL { SERVICE SILENT ?x { ?s ?p ?o } } }", "service"),
        # A \u escape is expanded before parsing, so it cannot hide the keyword ...
        ("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", "service"),
        # ... nor can a '<' that a regular expression would take for the start of an IRI.
        ("SELECT * { FILTER(?x<'>') SERVICE <http://x/> { ?s ?p ?o } FILTER(?y = 'z') }", "service"),
        ("SELECT * { " + "{ " * 3000 + "}" * 3000 + " }", "malformed"),
    ],
)
def test_check_query_refuses(text: str | None, reason: str) -> None:
    with pytest.raises(SparqlRefused) as caught:
        check_query(text)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("LOAD <http://x/data.ttl>", "load"),
        ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "service"),
        ("SELECT * {}", "malformed"),
    ],
)
def test_check_update_refuses(text: str, reason: str) -> None:
    with pytest.raises(SparqlRefused) as caught:
        check_update(text)
    assert caught.value.reason == reason


def test_store_query_datasets(store: EmbeddedStore) -> None:
    store.update(DATA)
    union = store.query(ALL, Dataset(), timeout=10)
    assert isinstance(union, Solutions) and len(union.rows) == 2 and union.variables == ["s"]
    only_g1 = store.query(ALL, Dataset((G1,)), timeout=10)
    assert isinstance(only_g1, Solutions) and [r["s"].value for r in only_g1.rows] == ["https://example.org/a"]
    own = store.query("SELECT ?s FROM <https://example.org/g2> WHERE { ?s ?p ?o }", None, timeout=10)
    assert isinstance(own, Solutions) and [r["s"].value for r in own.rows] == ["https://example.org/b"]


def test_store_query_row_cap_and_forms(store: EmbeddedStore) -> None:
    store.update(DATA)
    capped = store.query(ALL, Dataset(), timeout=10, row_cap=1)
    assert isinstance(capped, Solutions) and len(capped.rows) == 1 and capped.truncated
    graph = store.query("CONSTRUCT WHERE { ?s ?p ?o }", Dataset(), timeout=10, row_cap=5)
    assert isinstance(graph, Triples) and len(graph.triples) == 2 and not graph.truncated
    assert store.query("ASK { ?s ?p 2 }", Dataset(), timeout=10) is True
    with pytest.raises(UsageError):
        store.query("SELEC", Dataset(), timeout=10)


def test_workers_see_writes_and_survive_a_killed_query(store: EmbeddedStore) -> None:
    assert store.query("ASK { ?s ?p ?o }", Dataset(), timeout=10) is False  # a worker has opened the empty store
    store.update(DATA)
    assert store.query("ASK { ?s ?p ?o }", Dataset(), timeout=10) is True
    for n in range(40):
        store.update(f"INSERT DATA {{ <https://example.org/n{n}> <https://example.org/p> {n} }}")
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?q ?r }"
    with pytest.raises(QueryLimitError) as caught:
        store.query(runaway, Dataset(), timeout=0.5)
    assert caught.value.limit == "time"
    after = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", Dataset(), timeout=10)
    assert isinstance(after, Solutions) and after.rows[0]["n"].value == "42"


def test_in_memory_store_answers_without_workers() -> None:
    memory = EmbeddedStore.in_memory()
    memory.update(DATA)
    answer = memory.query(ALL, Dataset(), timeout=5, row_cap=10)
    assert isinstance(answer, Solutions) and len(answer.rows) == 2
    assert memory._workers is None
