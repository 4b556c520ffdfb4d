"""The SPARQL editor page: YASGUI served from /static under the site's CSP, and readable reasons for a query
that will not run (an undeclared prefix, a missing `}` with its line) on the page and over the protocol."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.namespaces import PREFIXES
from l4a.graph.sparql.explain import explain, unbalanced, undeclared_prefixes
from l4a.web.pages.sparql import EDITOR_STYLE_HASH

from .webapp import web_app

VENDOR = Path(__file__).parents[1] / "web" / "static" / "vendor"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("editor")) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "SELECT * WHERE {\n  ?s l4a:x ?o }",
            "line 2: prefix l4a: is not declared; add `PREFIX l4a: <https://w3id.org/l4a/ontology#>`",
        ),
        ("SELECT * WHERE {\n  ?s ?p ?o .\n", "missing }: the { opened on line 1 is never closed."),
        ("ASK {\n ?s ?p ?o\n FILTER (?o > 2\n}", "missing ): the ( opened on line 3 is never closed."),
        ("ASK { ?s ?p ?o } }", "line 1: unexpected }, with no { open before it."),
        ("SELECT * WHERE { ?s foo:p ?o }", "prefix foo: is not declared; add `PREFIX foo: <...>`"),
    ],
)
def test_a_wrong_query_is_explained_in_words(text: str, expected: str) -> None:
    assert expected in (explain(text, PREFIXES) or "")


@pytest.mark.parametrize(
    "text",
    [
        'PREFIX : <http://x/>\nSELECT * WHERE { ?s :p "a:b { (" ; <http://a/b:c> ?o } # ex:y {',
        'PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:a ?o . ?o ?p _:b FILTER (?o = "10:30") }',
        'ASK { ?s ?p """ } x:y\n{ """ }',
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p 1.5, 2e3 }",
    ],
)
def test_strings_iris_and_comments_are_not_mistaken_for_brackets_or_prefixes(text: str) -> None:
    assert unbalanced(text) is None
    assert undeclared_prefixes(text) == []


def test_the_endpoint_says_which_prefix_is_missing(client: FlaskClient) -> None:
    query = "SELECT ?hub WHERE {\n  ?hub a l4a:Hub }"
    answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/plain"})
    assert answer.status_code == 400
    assert "prefix l4a: is not declared" in answer.text and "line 2" in answer.text
    page = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n ?s ?p ?o"}, headers={"Accept": "text/html"})
    assert page.status_code == 400
    assert "missing }: the { opened on line 1 is never closed." in page.text


def test_the_page_loads_the_editor_from_static(client: FlaskClient) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"})
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert "/static/vendor/yasgui/yasgui.min.js" in scripts and "/static/sparql-editor.js" in scripts
    assert "<script>" not in page.text  # no inline script: the CSP allows scripts from 'self' only
    for path in scripts:
        with client.get(path) as served:
            assert served.status_code == 200 and "javascript" in served.content_type
    with client.get("/static/vendor/yasgui/yasgui.min.css") as css:
        assert css.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    # the plain form is still there, for readers without JavaScript
    assert '<form method="get" action="/sparql"' in page.text and 'name="query"' in page.text


def test_only_the_editor_page_allows_the_one_style_the_results_table_inserts(client: FlaskClient) -> None:
    bundle = (VENDOR / "yasgui" / "yasgui.min.js").read_text(encoding="utf-8")
    found = re.search(r"`( \.grip-resizable\{table-layout:fixed;\}[^`]*)`", bundle)
    assert found, "the column-resizer's style text moved: read its createStyle call in yasgui.min.js"
    digest = base64.b64encode(hashlib.sha256(found.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" == EDITOR_STYLE_HASH, f"put 'sha256-{digest}' in web/pages/sparql.py"
    editor_page = client.get("/sparql", headers={"Accept": "text/html"})
    assert EDITOR_STYLE_HASH in editor_page.headers["Content-Security-Policy"]
    assert EDITOR_STYLE_HASH not in client.get("/").headers["Content-Security-Policy"]


def test_the_vendored_code_ships_with_its_licence() -> None:
    licence = (VENDOR / "yasgui" / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "codemirror" in licence
    axe = Path(__file__).parent / "vendor" / "axe-core"
    assert (axe / "axe.min.js").stat().st_size > 100_000
    assert "Mozilla Public License" in (axe / "LICENSE").read_text(encoding="utf-8")


def test_select_star_keeps_the_query_order_of_its_variables(client: FlaskClient) -> None:
    query = 'SELECT * WHERE { ?zed a ?aa . ?zed ?mm ?bb FILTER (?bb != "?cc") } LIMIT 2'
    answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert answer.text.splitlines()[0] == "zed,aa,mm,bb"
    as_json = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert as_json.get_json()["head"]["vars"] == ["zed", "aa", "mm", "bb"]
    named = client.get("/sparql", query_string={"query": "SELECT ?mm ?zed WHERE { ?zed ?mm ?o } LIMIT 1"},
                       headers={"Accept": "text/csv"})  # fmt: skip
    assert named.text.splitlines()[0] == "mm,zed"  # a projection keeps its own order


def test_plain_numbers_show_without_their_datatype(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) (1.5 AS ?d) (\"2020-01-01\"^^<http://www.w3.org/2001/XMLSchema#date> AS ?day) " \
        "WHERE { ?s ?p ?o }"  # fmt: skip
    page = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/html"}).text
    assert "^^xsd:integer" not in page and "^^xsd:decimal" not in page
    assert re.search(r'<span class="literal number">\d+</span>', page)
    assert "^^xsd:date" in page  # other datatypes still say what they are
