"""When the SPARQL server behind the web app stops, stalls or answers garbage, the app answers 503 with a
Retry-After header (JSON for the API, a page for browsers) instead of hanging or failing with a 500."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from l4a.graph.settings import load_settings
from l4a.web.app import create_app


def app_on(tmp_path: Path, environ: dict[str, str], build: bool = False) -> Flask:
    settings = load_settings({"data_dir": tmp_path}, environ=environ, config_file=tmp_path / "none.toml")
    return create_app({"TESTING": True}, settings=settings, build_if_empty=build)


def test_a_server_stopped_under_the_app_gives_503_with_retry_after(private_oxigraph: Any, tmp_path: Path) -> None:
    app = app_on(tmp_path, private_oxigraph.env(), build=True)  # built on the server when the app was made
    assert app.extensions["l4a_store"].quad_count() > 6000
    client = app.test_client()
    private_oxigraph.stop()
    answer = client.get("/api/stats")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
    body = answer.get_json()
    assert body["error"] == "store unavailable" and private_oxigraph.query_url in body["detail"]
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in page.get_data(as_text=True)


class Misbehaving(http.server.BaseHTTPRequestHandler):
    """Stalls for a while, then answers with a web page instead of SPARQL results."""

    pause = 0.0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.pause)
        body = b"<html><body>Gateway says hello</body></html>"
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client stopped waiting

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def misbehaving() -> Iterator[tuple[str, type[Misbehaving]]]:
    handler = type("Handler", (Misbehaving,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", handler
    server.shutdown()
    server.server_close()


def environ_for(url: str, **extra: str) -> dict[str, str]:
    return {"L4A_STORE": "sparql", "L4A_SPARQL_QUERY_URL": url, "L4A_SPARQL_DIALECT": "generic", **extra}


def test_a_stalled_server_gives_503_within_the_query_timeout(
    misbehaving: tuple[str, type[Misbehaving]], tmp_path: Path
) -> None:
    url, handler = misbehaving
    handler.pause = 5
    client = app_on(tmp_path, environ_for(url, L4A_QUERY_TIMEOUT="0.3")).test_client()
    answer = client.get("/api/stats")
    assert answer.status_code == 503 and "Retry-After" in answer.headers
    assert "did not answer the query within 0.3 s" in answer.get_json()["detail"]


def test_garbage_from_the_server_gives_503(misbehaving: tuple[str, type[Misbehaving]], tmp_path: Path) -> None:
    url, _ = misbehaving
    answer = app_on(tmp_path, environ_for(url)).test_client().get("/api/stats")
    assert answer.status_code == 503 and "Retry-After" in answer.headers
    assert url in answer.get_json()["detail"] and "text/html" in answer.get_json()["detail"]
