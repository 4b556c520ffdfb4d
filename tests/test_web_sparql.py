"""The SPARQL 1.1 endpoint: the protocol's three ways of asking, every answer format, datasets, refusals, limits,
CORS, the service description, the query page, the token-guarded update endpoint, and a real client over HTTP."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from SPARQLWrapper import JSON, SPARQLWrapper

from .webapp import make_app, served, web_app

HUBS = "SELECT ?hub WHERE { ?hub a <https://w3id.org/l4a/ontology#Hub> } ORDER BY ?hub"
HUB_TYPES = "CONSTRUCT WHERE { ?hub a <https://w3id.org/l4a/ontology#Hub> }"
BILBAO = "https://w3id.org/l4a/id/hub/bilbao-city-of-values"
BILBAO_GRAPH = "https://w3id.org/l4a/graph/hub/bilbao-city-of-values"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("sparql")) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def hubs_of(body: bytes, media_type: str) -> list[str]:
    """The ?hub column of a SELECT answer in any of the four results formats."""
    if media_type == "text/csv":
        return [row["hub"] for row in csv.DictReader(io.StringIO(body.decode()))]
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    assert fmt is not None
    solutions = ox.parse_query_results(body, fmt)
    assert isinstance(solutions, ox.QuerySolutions)
    return [s["hub"].value for s in solutions]


@pytest.mark.parametrize(
    "media_type",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"],
)
def test_select_answers_in_each_results_format(client: FlaskClient, media_type: str) -> None:
    response = client.get("/sparql", query_string={"query": HUBS}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    hubs = hubs_of(response.data, media_type)
    assert len(hubs) == 7 and BILBAO in hubs


def test_the_three_ways_of_sending_a_query_agree(client: FlaskClient) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = client.get("/sparql", query_string={"query": HUBS}, headers=accept)
    by_form = client.post("/sparql", data={"query": HUBS}, headers=accept)
    by_body = client.post("/sparql", data=HUBS, content_type="application/sparql-query", headers=accept)
    assert by_get.get_json() == by_form.get_json() == by_body.get_json()
    assert by_get.get_json()["head"]["vars"] == ["hub"]


@pytest.mark.parametrize(
    "media_type", ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
)
def test_construct_answers_in_each_graph_format(client: FlaskClient, media_type: str) -> None:
    response = client.get("/sparql", query_string={"query": HUB_TYPES}, headers={"Accept": media_type})
    assert response.status_code == 200 and response.mimetype == media_type
    fmt = ox.RdfFormat.from_media_type(media_type)
    assert fmt is not None
    subjects = {t.subject.value for t in ox.parse(response.data, format=fmt)}
    assert len(subjects) == 7 and BILBAO in subjects


def test_describe_and_ask(client: FlaskClient) -> None:
    described = client.get("/sparql", query_string={"query": f"DESCRIBE <{BILBAO}>"}, headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=described.data, format="turtle")
    assert (rdflib.URIRef(BILBAO), None, None) in graph
    asked = client.get("/sparql", query_string={"query": f"ASK {{ <{BILBAO}> ?p ?o }}"})
    assert asked.mimetype == "application/sparql-results+json" and asked.get_json()["boolean"] is True


def test_no_accept_header_gets_the_default_format(client: FlaskClient) -> None:
    select = client.get("/sparql", query_string={"query": HUBS})
    construct = client.get("/sparql", query_string={"query": HUB_TYPES})
    assert select.mimetype == "application/sparql-results+json"
    assert construct.mimetype == "text/turtle"


def test_format_parameter_and_plain_json_accept(client: FlaskClient) -> None:
    assert client.get("/sparql", query_string={"query": HUBS, "format": "csv"}).mimetype == "text/csv"
    plain = client.get("/sparql", query_string={"query": HUBS}, headers={"Accept": "application/json"})
    assert plain.mimetype == "application/sparql-results+json"


def test_default_graph_uri_and_named_graph_uri(client: FlaskClient) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    only_bilbao = client.get("/sparql", query_string={"query": HUBS, "default-graph-uri": BILBAO_GRAPH}, headers=accept)
    assert [b["hub"]["value"] for b in only_bilbao.get_json()["results"]["bindings"]] == [BILBAO]
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = client.post("/sparql", data={"query": graphs, "named-graph-uri": BILBAO_GRAPH}, headers=accept)
    assert [b["g"]["value"] for b in named.get_json()["results"]["bindings"]] == [BILBAO_GRAPH]
    # Named graphs only: the default graph is then empty.
    nothing = client.get("/sparql", query_string={"query": HUBS, "named-graph-uri": BILBAO_GRAPH}, headers=accept)
    assert nothing.get_json()["results"]["bindings"] == []


def test_a_query_with_from_uses_its_own_dataset(client: FlaskClient) -> None:
    query = HUBS.replace("WHERE", "FROM <https://w3id.org/l4a/graph/hub/bilbao-city-of-values> WHERE")
    answer = client.get("/sparql", query_string={"query": query}).get_json()
    assert [b["hub"]["value"] for b in answer["results"]["bindings"]] == [BILBAO]


@pytest.mark.parametrize(
    ("request_args", "status", "words"),
    [
        ({"method": "POST", "data": {"other": "x"}}, 400, "No query"),
        ({"query_string": {"query": "SELEC ?x"}}, 400, "not valid SPARQL"),
        ({"query_string": {"query": HUBS, "update": "DROP ALL"}}, 400, "together"),
        ({"query_string": {"query": [HUBS, HUBS]}}, 400, "exactly one"),
        ({"query_string": {"update": "DROP ALL"}}, 403, "/sparql/update"),
        ({"query_string": {"query": "DROP ALL"}}, 403, "/sparql/update"),
        ({"method": "POST", "data": "DROP ALL", "content_type": "application/sparql-update"}, 403, "/sparql/update"),
        ({"query_string": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}}, 400, "SERVICE"),
        ({"query_string": {"query": "SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}}, 400, "SERVICE"),
        ({"method": "POST", "data": HUBS, "content_type": "text/plain"}, 415, "content type"),
        ({"headers": {"Accept": "application/sparql-results+json"}}, 400, "No query"),
        ({"method": "POST", "data": "#" * 1_000_000, "content_type": "application/sparql-query"}, 413, "too long"),
    ],
)
def test_refusals_say_why(client: FlaskClient, request_args: dict[str, Any], status: int, words: str) -> None:
    args = dict(request_args)
    method = args.pop("method", "GET")
    response = client.open("/sparql", method=method, **args)
    assert response.status_code == status
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert words in text and "Traceback" not in text


def test_a_refusal_in_french(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELEC"}, headers={"Accept-Language": "fr"})
    assert "n'est pas du SPARQL 1.1 valide" in response.get_data(as_text=True)


def test_a_format_it_cannot_give_is_406(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": HUBS}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.get_data(as_text=True)


def test_cors_on_answers_and_preflight(client: FlaskClient) -> None:
    answer = client.get("/sparql", query_string={"query": HUBS}, headers={"Origin": "https://yasgui.example"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()


def test_service_description(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    service = rdflib.URIRef("http://localhost/sparql")
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (None, SD.name, rdflib.URIRef(BILBAO_GRAPH)) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph  # no write token: no updates


@pytest.mark.parametrize("media_type", ["text/turtle", "application/n-triples", "application/ld+json",
                                        "application/rdf+xml"])  # fmt: skip
def test_the_service_description_names_the_address_each_client_used(client: FlaskClient, media_type: str) -> None:
    """The description is made once and kept; each client gets the endpoint under the address it used (another
    host name, a port), never another client's or a stand-in; the title in its language."""
    endpoint = ox.NamedNode(str(SD.endpoint))
    title = ox.NamedNode("http://purl.org/dc/terms/title")
    for base, lang in [("http://localhost/", "en"), ("http://hub.example.org:8080/", "fr"),
                       ("http://127.0.0.1:5000/", "es"), ("http://localhost/", "fr")]:  # fmt: skip
        answer = client.get(f"/sparql?lang={lang}", base_url=base.rstrip("/"), headers={"Accept": media_type})
        assert answer.status_code == 200, (base, answer.get_data(as_text=True)[:200])
        assert b"stand-in" not in answer.data
        fmt = ox.RdfFormat.from_media_type(media_type)
        assert fmt is not None
        triples = list(ox.parse(answer.data, format=fmt))
        service = ox.NamedNode(f"{base}sparql")
        assert [(t.subject, t.object) for t in triples if t.predicate == endpoint] == [(service, service)], base
        titles = [t.object for t in triples if t.subject == service and t.predicate == title]
        assert [t.language for t in titles] == [lang]  # type: ignore[union-attr]
        assert any(t.object == ox.NamedNode(BILBAO_GRAPH) for t in triples)


def test_query_page_for_browsers(client: FlaskClient) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<textarea" in page and "PREFIX l4a: &lt;https://w3id.org/l4a/ontology#&gt;" in page
    assert "/sparql?example=hubs-by-sdg" in page
    example = client.get("/sparql?example=hub-profile", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "CONSTRUCT { ?s ?p ?o }" in example
    french = client.get("/sparql?lang=fr", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Point d&#39;accès SPARQL" in french or "Point d'accès SPARQL" in french


def test_query_page_shows_an_answer_and_downloads(client: FlaskClient) -> None:
    page = client.get("/sparql", query_string={"query": HUBS}, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/id/hub/bilbao-city-of-values"' in page
    assert "format=csv" in page and "7 rows" in page


def test_query_page_shows_errors_with_the_query(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELEC ?x"}, headers={"Accept": "text/html"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page and "SELEC ?x</textarea>" in page


def test_row_cap_cuts_and_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path, row_cap=3)
    try:
        response = app.test_client().get("/sparql", query_string={"query": HUBS})
        assert len(response.get_json()["results"]["bindings"]) == 3
        assert response.headers["X-SPARQL-MaxRows"] == "3"
        whole = app.test_client().get("/sparql", query_string={"query": HUBS + " LIMIT 2"})
        assert "X-SPARQL-MaxRows" not in whole.headers
    finally:
        app.extensions["l4a_store"].close()


def test_time_limit_stops_a_runaway_query_and_the_next_one_runs(tmp_path: Path) -> None:
    app = make_app(tmp_path, query_timeout=1.0)
    client = app.test_client()
    try:
        started = time.monotonic()
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        response = client.get("/sparql", query_string={"query": runaway})
        assert response.status_code == 503 and "time limit" in response.get_data(as_text=True)
        assert time.monotonic() - started < 10
        assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).get_json()["boolean"] is True
    finally:
        app.extensions["l4a_store"].close()


# --- updates ------------------------------------------------------------------------------------------------------

INSERT = "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/p> 1 } }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/a> ?p ?o }"


def count(client: FlaskClient) -> int:
    answer = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:1000]
    return int(answer.get_json()["results"]["bindings"][0]["n"]["value"])


def test_updates_are_off_without_a_write_token(client: FlaskClient) -> None:
    response = client.post("/sparql/update", data=INSERT, content_type="application/sparql-update")
    assert response.status_code == 403 and "L4A_WRITE_TOKEN" in response.get_data(as_text=True)


def test_updates_need_the_token(tmp_path: Path) -> None:
    app = make_app(tmp_path, write_token="s3cret-token")
    client = app.test_client()
    update = {"data": INSERT, "content_type": "application/sparql-update"}
    try:
        missing = client.post("/sparql/update", **update)
        assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
        wrong = client.post("/sparql/update", headers={"Authorization": "Bearer nope"}, **update)
        assert wrong.status_code == 401 and "invalid_token" in wrong.headers["WWW-Authenticate"]
        assert count(client) == 0
        good = {"Authorization": "Bearer s3cret-token"}
        assert client.post("/sparql/update", headers=good, **update).status_code == 204
        assert count(client) == 1
        by_form = client.post("/sparql/update", headers=good, data={"update": "DROP GRAPH <https://example.org/g>"})
        assert by_form.status_code == 204 and count(client) == 0
        load = client.post("/sparql/update", headers=good, data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"})
        assert load.status_code == 400 and "LOAD" in load.get_data(as_text=True)
        assert client.post("/sparql/update", headers=good, data={"update": "INSERT NONSENSE"}).status_code == 400
        assert client.post("/sparql/update", headers=good, data={"query": HUBS}).status_code == 400
        assert client.get("/sparql/update", headers=good).status_code == 405
        assert "Access-Control-Allow-Origin" not in client.post("/sparql/update", **update).headers
        described = rdflib.Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data)
        assert (None, SD.supportedLanguage, SD.SPARQL11Update) in described
    finally:
        app.extensions["l4a_store"].close()


# --- a real client over HTTP ----------------------------------------------------------------------------------------


def test_sparqlwrapper_gets_json_from_a_real_server(tmp_path: Path) -> None:
    with served(tmp_path / "data") as base:
        client = SPARQLWrapper(f"{base}/sparql")
        client.setQuery(HUBS)
        client.setReturnFormat(JSON)
        client.setTimeout(30)
        answer = client.query().convert()
        assert isinstance(answer, dict)
        assert [b["hub"]["value"] for b in answer["results"]["bindings"]].count(BILBAO) == 1
        client.setMethod("POST")
        assert json.dumps(client.query().convert()) == json.dumps(answer)
