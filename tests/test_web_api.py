"""The JSON API's own endpoints: /api/hubs/<slug>/related and /partners give what `l4a related` and `l4a partners`
give, with JSON errors for an unknown hub or a bad limit."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.cli.main import main
from l4a.graph.store.factory import open_store

from .webapp import web_app

BILBAO = "bilbao-city-of-values"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api")


@pytest.fixture(scope="module")
def app(data_dir: Path) -> Iterator[Flask]:
    with web_app(data_dir) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def cli_json(data_dir: Path) -> Callable[..., object]:
    """`l4a ... --format json` on the app's data directory (after the app closed its store)."""

    def run(*args: str) -> object:
        env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "none.toml")}
        result = CliRunner().invoke(main, [*args, "--format", "json"], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return run


def test_related_gives_hubs_with_scores_and_reasons(client: FlaskClient) -> None:
    response = client.get(f"/api/hubs/{BILBAO}/related")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["hub"] == f"https://w3id.org/l4a/id/hub/{BILBAO}" and body["limit"] == 10
    related = body["related"]
    assert related, "the shipped Bilbao hub has related hubs"
    scores = [r["score"] for r in related]
    assert scores == sorted(scores, reverse=True)
    for r in related:
        assert r["hub"].startswith("https://w3id.org/l4a/id/hub/") and r["hub"] != body["hub"] and r["label"]
        assert r["reasons"] and abs(sum(x["contribution"] for x in r["reasons"]) - r["score"]) < 1e-4


def test_limit_is_honoured_and_checked(client: FlaskClient) -> None:
    assert len(client.get(f"/api/hubs/{BILBAO}/related?limit=1").get_json()["related"]) == 1
    for bad in ("0", "101", "x", "-1"):
        response = client.get(f"/api/hubs/{BILBAO}/related?limit={bad}")
        assert response.status_code == 400 and "limit" in response.get_json()["error"], bad


def test_an_unknown_hub_is_a_json_404(client: FlaskClient) -> None:
    for kind in ("related", "partners"):
        response = client.get(f"/api/hubs/no-such-hub/{kind}")
        assert response.status_code == 404 and response.get_json()["error"] == "no such hub"


def test_partners_answer_too(client: FlaskClient) -> None:
    body = client.get(f"/api/hubs/{BILBAO}/partners?limit=5").get_json()
    assert isinstance(body["partners"], list) and len(body["partners"]) <= 5


def test_the_api_gives_what_the_cli_gives(client: FlaskClient, app: Flask, data_dir: Path) -> None:
    web = {kind: client.get(f"/api/hubs/{BILBAO}/{kind}?limit=5").get_json()[kind] for kind in ("related", "partners")}
    app.extensions["l4a_store"].close()  # the embedded store takes one writer: let the CLI open it
    try:
        run = cli_json(data_dir)
        for kind in ("related", "partners"):
            cli = run(kind, BILBAO, "--limit", "5")
            assert web[kind] == cli, kind
    finally:
        app.extensions["l4a_store"] = open_store(app.config["L4A_SETTINGS"])


def test_openapi_lists_the_endpoints(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    assert "/api/hubs/{slug}/related" in paths
    assert [p["name"] for p in paths["/api/hubs/{slug}/related"]["get"]["parameters"]][:2] == ["slug", "limit"]
