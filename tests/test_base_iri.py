"""`L4A_BASE_IRI`: a build under another base moves the project's records and graphs, not the ontology's terms
(nor the controlled vocabularies' concepts), so every query, `namespaces.L4A` and the .rq files still find them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from l4a.graph.namespaces import DEFAULT_BASE, L4A, VOCABULARY_IRIS
from l4a.graph.sources import read_source, shipped_sources

from .test_cli import data_dir_cli
from .webapp import web_app

BASE = "https://example.org/x/"


def test_rebasing_moves_records_and_graphs_but_not_terms() -> None:
    triples = [t for source in shipped_sources() for t in read_source(source, BASE)]
    iris = {n.value for t in triples for n in (t.subject, t.predicate, t.object) if hasattr(n, "value")}
    assert BASE + "id/hub/bilbao-city-of-values" in iris
    assert DEFAULT_BASE + "id/hub/bilbao-city-of-values" not in iris
    assert L4A + "Hub" in iris and BASE + "ontology#Hub" not in iris
    assert DEFAULT_BASE + "id/status/labelled" in iris  # a vocabulary concept, like a term, keeps its IRI
    left = [i for i in iris if i.startswith(DEFAULT_BASE + "id/") and not i.startswith(VOCABULARY_IRIS)]
    assert left == []


@pytest.fixture(scope="module")
def rebased(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("rebased") / "data"
    cli = data_dir_cli(data_dir)
    # data_dir_cli gives no environment beyond the data directory: the base comes from a config file.
    data_dir.mkdir(parents=True)
    (data_dir / "absent.toml").write_text(f'base_iri = "{BASE}"\n', encoding="utf-8")
    assert cli("build", "--quiet").exit_code == 0
    return data_dir


def test_a_build_under_another_base_gives_seven_hubs_and_related_hubs(rebased: Path) -> None:
    cli = data_dir_cli(rebased)
    stats = json.loads(cli("stats", "--format", "json").output)
    assert (stats["hubs"], stats["manifestos"], stats["policy_councils"], stats["sections"]) == (7, 10, 10, 9)
    related = json.loads(cli("related", "bilbao-city-of-values", "--format", "json").output)
    assert related and related[0]["hub"].startswith(BASE + "id/hub/")
    assert "conforms (0 Violations, 76 Warnings, 1 Info)" in cli("validate").output  # as under the default base
    export = cli("export", "--format", "nquads").output
    assert f"<{BASE}graph/hub/bilbao-city-of-values>" in export and f"<{DEFAULT_BASE}id/hub/" not in export


@pytest.fixture(scope="module")
def app(rebased: Path) -> Flask:
    with web_app(rebased, base_iri=BASE) as made:
        yield made


def test_the_hub_page_is_served_at_the_new_paths(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/hubs/bilbao-city-of-values?lang=en")
    assert page.status_code == 200 and "Bilbao" in page.get_data(as_text=True)
    data = client.get("/hubs/bilbao-city-of-values.json").get_json()
    assert data["hub"] == BASE + "id/hub/bilbao-city-of-values" and data["related"]
    record = client.get("/id/hub/bilbao-city-of-values", headers={"Accept": "text/turtle"})
    assert record.status_code == 200 and BASE + "id/hub/bilbao-city-of-values" in record.get_data(as_text=True)
    assert client.get("/id/hub/bilbao-city-of-values", headers={"Accept": "text/html"}).status_code == 303
    assert client.get("/id/status/labelled", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/api/stats").get_json()["hubs"] == 7
