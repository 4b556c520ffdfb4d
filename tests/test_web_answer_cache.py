"""The SPARQL endpoint answers a repeated question from its kept answers until the app writes: the same bytes, in
the format asked, without taking the client's share of the query workers; after a write, the new answer."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from pathlib import Path

import pytest

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


def test_the_same_question_asked_at_once_runs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight clients asking the same question while it runs: one run, eight identical answers; a different question
    asked meanwhile is not held up by it."""
    from l4a.web.pages import sparql as sparql_page

    app = make_app(tmp_path)
    runs: list[str] = []
    started = threading.Event()
    release = threading.Event()
    original = sparql_page.answer_query

    def slow(sent: object) -> object:
        text = sent.queries[0]  # type: ignore[attr-defined]
        runs.append(text)
        if text == COUNT:
            started.set()
            release.wait(10)
        return original(sent)  # type: ignore[arg-type]

    monkeypatch.setattr(sparql_page, "answer_query", slow)
    answers: list[tuple[int, bytes]] = []

    def ask(query: str, number: int = 0) -> None:  # each its own client (one client's share is two workers)
        answer = app.test_client().get("/sparql", query_string={"query": query}, headers=JSON,
                                       environ_base={"REMOTE_ADDR": f"10.0.1.{number}"})  # fmt: skip
        answers.append((answer.status_code, answer.data))

    try:
        first = threading.Thread(target=ask, args=(COUNT,))
        first.start()
        assert started.wait(10)
        others = [threading.Thread(target=ask, args=(COUNT, number)) for number in range(1, 8)]
        for thread in others:
            thread.start()
        ask(COUNT + " LIMIT 1", 9)  # another question: answered while the first still runs
        assert runs == [COUNT, COUNT + " LIMIT 1"] and len(answers) == 1
        release.set()
        for thread in (first, *others):
            thread.join(10)
        assert runs == [COUNT, COUNT + " LIMIT 1"]
        assert len(answers) == 9 and {status for status, _ in answers} == {200}
        assert len({body for _, body in answers[1:]}) == 1  # the eight answers to COUNT, byte for byte
    finally:
        app.extensions["l4a_store"].close()


def test_an_answer_not_kept_is_made_again_by_those_who_waited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error is not kept: clients that waited for the first asker of a refused query each get the refusal, made
    for them, with its message."""
    from l4a.web.pages import sparql as sparql_page

    app = make_app(tmp_path)
    bad = "SELECT WHERE {"
    runs: list[str] = []
    started, release = threading.Event(), threading.Event()
    original = sparql_page.answer_query

    def slow(sent: object) -> object:
        runs.append(sent.queries[0])  # type: ignore[attr-defined]
        if len(runs) == 1:
            started.set()
            release.wait(10)
        return original(sent)  # type: ignore[arg-type]

    monkeypatch.setattr(sparql_page, "answer_query", slow)
    answers: list[tuple[int, str]] = []

    def ask(number: int) -> None:  # four clients (each has its own share of the query workers)
        client = app.test_client()
        answer = client.get("/sparql", query_string={"query": bad}, headers=JSON,
                            environ_base={"REMOTE_ADDR": f"10.0.0.{number}"})  # fmt: skip
        answers.append((answer.status_code, answer.get_data(as_text=True)))

    try:
        threads = [threading.Thread(target=ask, args=(number,)) for number in range(4)]
        threads[0].start()
        assert started.wait(10)
        for thread in threads[1:]:
            thread.start()
        release.set()
        for thread in threads:
            thread.join(10)
        assert len(runs) == 4 and [status for status, _ in answers] == [400] * 4
        assert all("not valid SPARQL" in text for _, text in answers)
    finally:
        app.extensions["l4a_store"].close()
