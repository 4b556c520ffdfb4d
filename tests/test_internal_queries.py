"""The SPARQL the code runs lives in queries/internal/*.rq: each parses on its own, declares the project's prefixes,
is loaded by name, and is never listed to users (CLI, web catalogue, OpenAPI)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from rdflib.plugins.sparql import prepareQuery

from l4a.graph.cli.main import main
from l4a.graph.namespaces import PREFIXES
from l4a.graph.resources import internal_queries_dir, internal_query, queries_dir, query_body
from l4a.graph.sparql.queries import named_queries
from l4a.graph.sparql.query_file import parse_query_file
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.sparql_text import query_form

from .webapp import web_app

ROOT = Path(__file__).parents[1]
INTERNAL = sorted(p.stem for p in (ROOT / "queries" / "internal").glob("*.rq"))
EVERY_FILE = sorted((ROOT / "queries").rglob("*.rq"))
PREFIX_LINE = re.compile(r"^\s*PREFIX\s+(\w*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("internal")) as made:
        yield made


def test_there_are_internal_queries_and_the_package_finds_them() -> None:
    assert len(INTERNAL) >= 30
    assert sorted(p.name.removesuffix(".rq") for p in internal_queries_dir().iterdir()) == INTERNAL


@pytest.mark.parametrize("path", EVERY_FILE, ids=lambda p: str(p.relative_to(ROOT / "queries")))
def test_every_query_file_parses_standalone(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    prepareQuery(text)  # rdflib's parser: every prefix it uses is declared in the file itself
    scratch = EmbeddedStore.in_memory()
    form = query_form(text)
    if form == "SELECT":  # and Oxigraph's
        scratch.select(text)
    elif form == "ASK":
        scratch.ask(text)
    else:
        scratch.construct(text)


@pytest.mark.parametrize("path", EVERY_FILE, ids=lambda p: str(p.relative_to(ROOT / "queries")))
def test_every_prefix_of_a_query_file_is_the_one_of_namespaces(path: Path) -> None:
    for prefix, iri in PREFIX_LINE.findall(path.read_text(encoding="utf-8")):
        assert PREFIXES.get(prefix) == iri, f"{path.name}: PREFIX {prefix}: <{iri}> is not namespaces.PREFIXES'"


@pytest.mark.parametrize("name", INTERNAL)
def test_internal_files_have_a_header_and_say_they_are_internal(name: str) -> None:
    query = parse_query_file(name, internal_query(name))
    assert query.internal and query.title != name and query.description
    assert not query_body(internal_query(name)).startswith("#")


def test_a_file_marked_internal_is_internal_wherever_it_is() -> None:
    assert parse_query_file("x", "# title: X\n# internal: true\nASK { }").internal
    assert not parse_query_file("x", "# title: X\nASK { }").internal
    for item in queries_dir().iterdir():  # no file in queries/ itself is marked internal but listed
        if item.name.endswith(".rq") and "# internal: true" in item.read_text(encoding="utf-8"):
            assert item.name.removesuffix(".rq") not in named_queries()


def test_internal_queries_are_not_listed_by_the_cli() -> None:
    listed = CliRunner().invoke(main, ["query", "list"])
    assert listed.exit_code == 0 and "hub-profile" in listed.output
    names = {line.split()[0] for line in listed.output.splitlines() if line.strip()}
    assert names == set(named_queries()) and not names & set(INTERNAL)
    shown = CliRunner().invoke(main, ["query", "show", "monitoring-hubs"])
    assert shown.exit_code != 0 and "no query named" in shown.output


def test_internal_queries_are_not_in_the_catalogue_nor_the_api(app: Flask) -> None:
    client = app.test_client()
    listed = [q["name"] for q in client.get("/queries.json").get_json()["queries"]]
    assert listed == list(named_queries()) and not set(listed) & set(INTERNAL)
    page = client.get("/queries").get_data(as_text=True)
    openapi = client.get("/openapi.json").get_data(as_text=True)
    for name in INTERNAL:
        assert f"/queries/{name}" not in page and f"/queries/{name}" not in openapi
        assert client.get(f"/queries/{name}").status_code == 404
