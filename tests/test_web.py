"""The minimal web app on each backend (embedded Oxigraph, Oxigraph server, Virtuoso): counts on the home page in
en/fr/es, as JSON, and served for real by `l4a serve`."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from l4a.web.app import create_app


@pytest.fixture
def app(backend: Any, tmp_path: Path) -> Iterator[Flask]:
    settings = backend.settings(tmp_path)
    made = create_app({"TESTING": True}, settings=settings, build_if_empty=True)
    yield made
    made.extensions["l4a_store"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "Policy Councils"), ("fr", "Conseils politiques"), ("es", "Consejos Políticos")]
)
def test_home_shows_counts_in_each_language(client: FlaskClient, lang: str, words: str) -> None:
    page = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert words in page and '<td class="number">169</td>' in page


def test_browser_language_is_followed(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9"}).get_data(as_text=True)
    assert '<html lang="es">' in page


def test_counts_as_json(client: FlaskClient) -> None:
    assert client.get("/api/stats").get_json()["hubs"] == 7
    assert client.get("/", headers={"Accept": "application/json"}).get_json()["counts"]["targets"] == 169


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_l4a_serve_builds_and_serves_with_waitress(backend: Any, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")}
    env |= {"L4A_DATA_DIR": str(tmp_path), "L4A_CONFIG": str(tmp_path / "none.toml"), **backend.env}
    env["L4A_SECRET_KEY"] = secrets.token_hex(32)  # `l4a serve` refuses to start without one
    command = [sys.executable, "-m", "l4a.graph.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?lang=fr", timeout=5) as response:
                    page = response.read().decode()
                    assert response.headers["Server"] == "waitress"
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read() if server.stdout else ""
                    raise AssertionError(f"l4a serve did not answer:\n{output}") from None
                time.sleep(0.2)
        assert "Graphe des Local4Action HUBs" in page and '<td class="number">7</td>' in page
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()


HUBS = "SELECT ?hub WHERE { ?hub a <https://w3id.org/l4a/ontology#Hub> } ORDER BY ?hub"


def test_the_sparql_endpoint_answers_on_each_backend(client: FlaskClient) -> None:
    json_results = {"Accept": "application/sparql-results+json"}
    every = client.get("/sparql", query_string={"query": HUBS}, headers=json_results)
    assert every.status_code == 200 and len(every.get_json()["results"]["bindings"]) == 7
    one_graph = {"query": HUBS, "default-graph-uri": "https://w3id.org/l4a/graph/hub/bilbao-city-of-values"}
    bilbao = client.get("/sparql", query_string=one_graph, headers=json_results).get_json()["results"]["bindings"]
    assert [b["hub"]["value"] for b in bilbao] == ["https://w3id.org/l4a/id/hub/bilbao-city-of-values"]
    construct = "CONSTRUCT WHERE { ?hub a <https://w3id.org/l4a/ontology#Hub> }"
    graph = client.get("/sparql", query_string={"query": construct}, headers={"Accept": "application/n-triples"})
    assert graph.status_code == 200 and len(graph.get_data(as_text=True).strip().splitlines()) == 7


def test_every_page_names_the_sites_icon_and_it_is_served(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    with client.get("/static/favicon.svg") as icon:  # a static file: its stream is closed with the response
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<script" not in icon.data
    assert 'href="/monitoring"' in page  # the dashboard is in the main navigation


def test_a_data_directory_relative_to_the_working_directory_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`l4a --data-dir data serve`: Flask wants its instance folder absolute; a relative data directory is made so,
    not a traceback at start."""
    from l4a.graph.settings import Settings

    monkeypatch.chdir(tmp_path)
    app = create_app({"TESTING": True}, settings=Settings(data_dir=Path("data")), build_if_empty=True)
    assert Path(app.instance_path).is_absolute() and Path(app.instance_path) == tmp_path / "data" / "instance"
    assert app.test_client().get("/").status_code == 200
