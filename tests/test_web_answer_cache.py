"""The SPARQL endpoint answers a repeated question from its kept answers until the app writes: the same bytes, in
the format asked, without taking the client's share of the query workers; after a write, the new answer."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from l4a.web.answer_cache import answer_cache
from l4a.web.pages.sparql import client_shares

from .webapp import make_app

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/a> ?p ?o }"
INSERT = "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/p> 1 } }"
JSON = {"Accept": "application/sparql-results+json"}
CSV = {"Accept": "text/csv"}


def test_a_repeated_question_is_answered_from_the_kept_answer_until_a_write(tmp_path: Path) -> None:
    app = make_app(tmp_path, write_token="s3cret-token")
    client = app.test_client()
    try:
        first = client.get("/sparql", query_string={"query": COUNT}, headers=JSON)
        assert first.status_code == 200 and first.get_json()["results"]["bindings"][0]["n"]["value"] == "0"
        as_csv = client.get("/sparql", query_string={"query": COUNT}, headers=CSV)
        assert as_csv.mimetype == "text/csv" and as_csv.get_data(as_text=True).splitlines() == ["n", "0"]
        with app.test_request_context(), ExitStack() as held:  # the client's whole share taken by other queries
            shares = client_shares()
            while held.enter_context(shares.slot("127.0.0.1")):
                pass
            again = client.get("/sparql", query_string={"query": COUNT}, headers=JSON)
            assert again.status_code == 200  # kept: needs no worker
            assert again.data == first.data and again.headers["Content-Type"] == first.headers["Content-Type"]
            other = client.get("/sparql", query_string={"query": COUNT + " LIMIT 1"}, headers=JSON)
            assert other.status_code == 503  # a new question waits for the client's share
        update = {"data": INSERT, "content_type": "application/sparql-update"}
        assert (
            client.post("/sparql/update", headers={"Authorization": "Bearer s3cret-token"}, **update).status_code == 204
        )
        after = client.get("/sparql", query_string={"query": COUNT}, headers=JSON)
        assert after.get_json()["results"]["bindings"][0]["n"]["value"] == "1"
    finally:
        app.extensions["l4a_store"].close()


def test_errors_pages_and_big_answers_are_not_kept(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    try:
        assert client.get("/sparql", query_string={"query": "SELECT WHERE {"}, headers=JSON).status_code == 400
        page = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.mimetype == "text/html"
        assert answer_cache(app).size == 0
        everything = "SELECT * WHERE { ?s ?p ?o }"  # the shipped data: more than a megabyte as JSON
        big = client.get("/sparql", query_string={"query": everything}, headers=JSON)
        assert big.status_code == 200 and len(big.data) > 1 << 20
        assert answer_cache(app).size == 0
        small = client.get("/sparql", query_string={"query": COUNT}, headers=JSON)
        assert small.status_code == 200 and answer_cache(app).size == len(small.data)
    finally:
        app.extensions["l4a_store"].close()
