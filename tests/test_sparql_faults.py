"""A SPARQL server that is down, slow, failing or answering garbage: clear errors naming the endpoint, retries
with backoff where they can help, no partial answers. The misbehaving servers are tiny local HTTP servers."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from l4a.graph.errors import QueryLimitError, StoreError, StoreMissingError, StoreUnavailableError, UsageError
from l4a.graph.settings import Settings, load_settings
from l4a.graph.store.base import Dataset, Solutions
from l4a.graph.store.remote import SparqlStore

OK_JSON = json.dumps(
    {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "http://example.org/a"}}]}}
).encode()
JSON_TYPE = "application/sparql-results+json"


@dataclass
class Reply:
    """What the fake server answers: status, content type, body, headers, and a pause before answering."""

    status: int = 200
    content_type: str = JSON_TYPE
    body: bytes = OK_JSON
    headers: dict[str, str] = field(default_factory=dict)
    pause: float = 0.0


@dataclass
class FakeServer:
    """A local HTTP server that answers each request with the next reply (the last one repeats)."""

    url: str
    replies: list[Reply]
    seen: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def fake() -> Iterator[Callable[..., FakeServer]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(*replies: Reply) -> FakeServer:
        state = FakeServer("", list(replies))

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                state.seen.append({**self.headers, "_body": urllib.parse.unquote_plus(body.decode())})
                reply = state.replies.pop(0) if len(state.replies) > 1 else state.replies[0]
                if reply.pause:
                    time.sleep(reply.pause)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client gave up waiting

            do_GET = do_POST

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        state.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def settings_for(url: str, tmp_path: Path, **extra: str) -> Settings:
    environ = {
        "L4A_STORE": "sparql",
        "L4A_SPARQL_QUERY_URL": url,
        "L4A_SPARQL_UPDATE_URL": url,
        "L4A_SPARQL_DIALECT": "generic",
        "L4A_SPARQL_RETRIES": "2",
        **extra,
    }
    return load_settings({"data_dir": tmp_path}, environ=environ, config_file=tmp_path / "none.toml")


def store_for(url: str, tmp_path: Path, **extra: str) -> SparqlStore:
    return SparqlStore.open(settings_for(url, tmp_path, **extra))


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


QUERY = "SELECT ?s WHERE { ?s ?p ?o }"


def test_a_server_that_is_down_is_named_after_the_retries(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{unused_port()}/sparql"
    with pytest.raises(StoreUnavailableError) as caught:
        store_for(url, tmp_path).select(QUERY)
    message = str(caught.value)
    assert url in message and "cannot reach" in message and "after 2 attempts" in message
    assert "L4A_SPARQL_" in message  # what to check


def test_reading_from_a_server_that_is_down_fails_at_open(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{unused_port()}/sparql"
    with pytest.raises(StoreUnavailableError, match="cannot reach"):
        SparqlStore.open(settings_for(url, tmp_path), read_only=True)


def test_a_slow_server_gives_up_within_the_query_timeout(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply(pause=5))
    with pytest.raises(StoreUnavailableError) as caught:
        store_for(server.url, tmp_path, L4A_QUERY_TIMEOUT="0.3").select(QUERY)
    assert server.url in str(caught.value) and "did not answer the query within 0.3 s" in str(caught.value)
    assert len(server.seen) == 1  # a timeout is not retried: the user would wait twice as long


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply(content_type="text/html", body=b"<html><body>Welcome to nginx</body></html>"), "instead of SPARQL JSON"),
        (Reply(body=b'{"head": {"vars": ["s"]}, "results": '), "not SPARQL JSON results"),
        (Reply(body=b'{"head": {}, "bindings": []}'), "not SPARQL JSON results"),
    ],
)
def test_garbage_is_a_clear_error(fake: Callable[..., FakeServer], tmp_path: Path, reply: Reply, words: str) -> None:
    server = fake(reply)
    with pytest.raises(StoreUnavailableError, match=words) as caught:
        store_for(server.url, tmp_path).select(QUERY)
    assert server.url in str(caught.value)


def test_garbage_for_a_construct(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply(content_type="application/n-triples", body=b"<http://a> <http://b> oops .\n"))
    with pytest.raises(StoreUnavailableError, match="does not parse"):
        store_for(server.url, tmp_path).construct("CONSTRUCT WHERE { ?s ?p ?o }")


def test_5xx_is_retried_with_backoff_then_answered(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply(status=503, content_type="text/plain", body=b"busy"), Reply())
    rows = store_for(server.url, tmp_path).select(QUERY)
    assert rows == [{"s": NamedNode("http://example.org/a")}]
    assert len(server.seen) == 2


def test_5xx_every_time_names_the_status_and_the_server_text(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply(status=500, content_type="text/plain", body=b"Virtuoso 42000 Error SR186: out of memory"))
    with pytest.raises(StoreUnavailableError, match=r"HTTP 500\): .*SR186.* \(after 2 attempts\)"):
        store_for(server.url, tmp_path).select(QUERY)
    assert len(server.seen) == 2


def test_an_update_that_failed_on_the_server_is_not_sent_twice(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply(status=500, content_type="text/plain", body=b"error while inserting"))
    with pytest.raises(StoreUnavailableError, match="failed to carry out the update"):
        store_for(server.url, tmp_path).update("INSERT DATA { <http://a> <http://b> <http://c> }")
    assert len(server.seen) == 1


def test_a_refused_query_is_a_usage_error(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply(status=400, content_type="text/plain", body=b"Parse error at line 1"))
    with pytest.raises(UsageError, match=r"refused the query as not valid.*Parse error"):
        store_for(server.url, tmp_path).select(QUERY)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_say_which_settings(fake: Callable[..., FakeServer], tmp_path: Path, status: int) -> None:
    server = fake(Reply(status=status, content_type="text/plain", body=b"denied"))
    with pytest.raises(StoreError, match="L4A_SPARQL_TOKEN"):
        store_for(server.url, tmp_path).select(QUERY)


def test_no_endpoint_there(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply(status=404, content_type="text/html", body=b"Not Found"))
    with pytest.raises(StoreError, match="there is no SPARQL endpoint at"):
        store_for(server.url, tmp_path).select(QUERY)


def test_basic_credentials_are_sent(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply())
    store_for(server.url, tmp_path, L4A_SPARQL_USER="hub", L4A_SPARQL_PASSWORD="s3cret").select(QUERY)
    assert server.seen[0]["Authorization"] == "Basic aHViOnMzY3JldA=="  # base64 of hub:s3cret


def test_a_bearer_token_is_sent(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply(status=204, body=b""))
    store_for(server.url, tmp_path, L4A_SPARQL_TOKEN="t0ken").update("CLEAR SILENT GRAPH <http://a>")
    assert server.seen[0]["Authorization"] == "Bearer t0ken"


def test_queries_are_form_encoded_posts(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    # Virtuoso never answers a query POSTed directly as application/sparql-query.
    server = fake(Reply())
    store_for(server.url, tmp_path).select(QUERY)
    assert server.seen[0]["Content-Type"] == "application/x-www-form-urlencoded"


def test_an_answer_cut_at_the_row_limit_is_an_error(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply(headers={"X-SPARQL-MaxRows": "10000"}))
    with pytest.raises(StoreError, match=r"cut the answer at 10000 rows.*ResultSetMaxRows"):
        store_for(server.url, tmp_path).select(QUERY)


def test_a_partial_answer_after_a_time_limit_is_an_error(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply(headers={"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results"}))
    with pytest.raises(StoreUnavailableError, match="partial answer"):
        store_for(server.url, tmp_path).select(QUERY)


def test_reading_an_empty_server_says_to_build(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply(body=b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}'))
    with pytest.raises(StoreMissingError, match="run `l4a build` first"):
        SparqlStore.open(settings_for(server.url, tmp_path), read_only=True)


def test_without_an_update_url_the_store_is_read_only(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply())
    store = SparqlStore.open(settings_for(server.url, tmp_path, L4A_SPARQL_UPDATE_URL=""))
    with pytest.raises(StoreError, match="L4A_SPARQL_UPDATE_URL"):
        store.replace_graphs({"http://example.org/g": []})
    assert server.seen == []  # refused before anything was sent


def test_a_bound_blank_node_is_refused_where_the_server_cannot_name_it(
    fake: Callable[..., FakeServer], tmp_path: Path
) -> None:
    from pyoxigraph import BlankNode

    server = fake(Reply())
    with pytest.raises(UsageError, match="blank node"):
        store_for(server.url, tmp_path).select("SELECT ?s WHERE { ?s ?p ?o }", {"s": BlankNode()})
    assert server.seen == []


def test_bound_values_are_sent_escaped(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    server = fake(Reply())
    store = store_for(server.url, tmp_path)
    rows = store.select("SELECT ?s ?v WHERE { ?s ?p ?v }", {"v": Literal('"} ; DROP ALL ; #\n')})
    sent = server.seen[0]["_body"]
    assert 'WHERE { VALUES (?v) { ("\\"} ; DROP ALL ; #\\n") }' in sent
    assert '?s ?p "\\"} ; DROP ALL ; #\\n" }' in sent
    assert rows[0]["v"] == Literal('"} ; DROP ALL ; #\n')  # the bound value, as the embedded store gives it


def test_a_clients_query_past_its_time_limit_is_stopped(fake: Callable[..., FakeServer], tmp_path: Path) -> None:
    # The SPARQL endpoint's queries: as on the embedded store, a QueryLimitError (the web page says which limit).
    server = fake(Reply(pause=5))
    with pytest.raises(QueryLimitError, match="time limit"):
        store_for(server.url, tmp_path).query(QUERY, Dataset(), timeout=0.3)


def test_a_clients_answer_cut_by_the_server_is_marked_truncated(
    fake: Callable[..., FakeServer], tmp_path: Path
) -> None:
    server = fake(Reply(headers={"X-SPARQL-MaxRows": "1"}))
    answer = store_for(server.url, tmp_path).query(QUERY, Dataset(), row_cap=100)
    assert isinstance(answer, Solutions) and answer.truncated and len(answer.rows) == 1
