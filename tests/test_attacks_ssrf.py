"""Issue 15, item 1: no query or update reaches another server, whatever escapes hide SERVICE or LOAD.

`l4a serve` runs in production mode in a real process; a decoy HTTP server on loopback must receive nothing from
any anonymous query or token update, sent by GET, by form POST and as a body, and no answer may carry its body.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from l4a.graph.errors import StoreError, UsageError
from l4a.graph.sparql.escapes import expand_escapes
from l4a.graph.store.workers import Job, QueryWorkers

from .attacks import WRITE_TOKEN, Decoy, Reply, Served, call, decoy_server, form, production_server

# Each text hides a SERVICE or LOAD to DECOY from a reader that expands escapes everywhere (as SPARQL says) while
# a reader that expands them only in strings and IRIs runs it; or names it through escapes in keywords or IRIs.
QUERIES = {
    "u-in-string": r'SELECT * WHERE { BIND("a\u005C" AS ?v) SERVICE <DECOY/x> { ?x ?y ?z } # " AS ?w) }',
    "U-in-string": r'SELECT * WHERE { BIND("a\U0000005C" AS ?v) SERVICE <DECOY/x> { ?x ?y ?z } # " AS ?w) }',
    "single-quoted": r"SELECT * WHERE { BIND('a\u005C' AS ?v) SERVICE <DECOY/x> { ?x ?y ?z } # ' AS ?w) }",
    "long-string": r'SELECT * WHERE { BIND("""a\u005C""" AS ?v) SERVICE <DECOY/x> { ?x ?y ?z } # """ AS ?w) }',
    "long-single": r"SELECT * WHERE { BIND('''a\u005C''' AS ?v) SERVICE <DECOY/x> { ?x ?y ?z } # ''' AS ?w) }",
    "keyword": r"SELECT * WHERE { SERV\u0049CE <DECOY/x> { ?x ?y ?z } }",
    "keyword-U": r"SELECT * WHERE { \U00000053ERVICE <DECOY/x> { ?x ?y ?z } }",
    "iri": r"SELECT * WHERE { SERVICE <http\u003A//127.0.0.1:PORT/x> { ?x ?y ?z } }",
    "iri-U": r"SELECT * WHERE { SERVICE <\U00000068ttp://127.0.0.1:PORT/x> { ?x ?y ?z } }",
    "plain": "SELECT * WHERE { SERVICE <DECOY/x> { ?x ?y ?z } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <DECOY/x> { ?x ?y ?z } }",
}
UPDATES = {
    "u-in-string": r'INSERT DATA { <http://e.org/a> <http://e.org/b> "x\u005C" } ; LOAD <DECOY/x> # " }',
    "U-in-string": r'INSERT DATA { <http://e.org/a> <http://e.org/b> "x\U0000005C" } ; LOAD <DECOY/x> # " }',
    "long-string": r'INSERT DATA { <http://e.org/a> <http://e.org/b> """x\u005C""" } ; LOAD <DECOY/x> # """ }',
    "service-in-where": (
        r'INSERT { <http://e.org/a> <http://e.org/b> ?z } WHERE { BIND("a\u005C" AS ?v) '
        r'SERVICE <DECOY/x> { ?x ?y ?z } # " AS ?w) }'
    ),
    "keyword": r"LO\u0041D <DECOY/x>",
    "iri": r"LOAD <http\u003A//127.0.0.1:PORT/x>",
    "plain": "LOAD <DECOY/x>",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with production_server(tmp_path_factory.mktemp("ssrf") / "data") as served:
        yield served


@pytest.fixture
def decoy() -> Iterator[Decoy]:
    with decoy_server() as found:
        yield found


def aimed(text: str, decoy: Decoy) -> str:
    return text.replace("DECOY", decoy.url).replace("PORT", str(decoy.port))


def assert_harmless(reply: Reply, decoy: Decoy, served: Served) -> None:
    assert decoy.received == [], f"the decoy was called: {decoy.received}"
    assert decoy.body.decode() not in reply.text
    assert reply.status < 500, reply.text
    assert "Traceback" not in reply.text
    assert served.alive()


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_no_query_reaches_the_decoy(server: Served, decoy: Decoy, name: str, how: str) -> None:
    text = aimed(QUERIES[name], decoy)
    accept = {"Accept": "application/sparql-results+json"}
    if how == "get":
        reply = call(f"{server.base}/sparql?" + urllib.parse.urlencode({"query": text}), headers=accept)
    elif how == "form":
        headers = accept | {"Content-Type": "application/x-www-form-urlencoded"}
        reply = call(f"{server.base}/sparql", form({"query": text}), headers)
    else:
        headers = accept | {"Content-Type": "application/sparql-query"}
        reply = call(f"{server.base}/sparql", text.encode(), headers)
    assert_harmless(reply, decoy, server)


@pytest.mark.parametrize("name", sorted(UPDATES))
@pytest.mark.parametrize("how", ["form", "body"])
def test_no_update_reaches_the_decoy(server: Served, decoy: Decoy, name: str, how: str) -> None:
    text = aimed(UPDATES[name], decoy)
    auth = {"Authorization": f"Bearer {WRITE_TOKEN}"}
    if how == "form":
        headers = auth | {"Content-Type": "application/x-www-form-urlencoded"}
        reply = call(f"{server.base}/sparql/update", form({"update": text}), headers)
    else:
        headers = auth | {"Content-Type": "application/sparql-update"}
        reply = call(f"{server.base}/sparql/update", text.encode(), headers)
    assert_harmless(reply, decoy, server)


def test_an_escape_that_names_no_character_is_a_400(server: Served) -> None:
    query = r'SELECT * WHERE { BIND("\U00110000" AS ?v) }'
    reply = call(f"{server.base}/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": "text/plain"})
    assert reply.status == 400
    assert "U00110000" in reply.text and "line 1" in reply.text


def test_escapes_are_expanded_once_and_a_second_escape_is_refused() -> None:
    assert expand_escapes(r'"caf\u00E9 \U0001F600"') == '"café \U0001f600"'
    assert expand_escapes('"plain"') == '"plain"'
    with pytest.raises(UsageError, match="expanding another escape"):
        expand_escapes(r'"\u005Cu0041"')
    with pytest.raises(UsageError, match="not a Unicode character"):
        expand_escapes(r'"\uD800"')


def test_a_query_that_uses_escapes_honestly_still_runs(server: Served) -> None:
    query = r'SELECT ?v WHERE { BIND("caf\u00E9" AS ?v) }'
    reply = call(
        f"{server.base}/sparql?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    assert reply.status == 200, reply.text
    assert json.loads(reply.body)["results"]["bindings"][0]["v"]["value"] == "café"


def test_query_workers_have_no_network(built_dir: Path) -> None:
    """Defence in depth: a SERVICE handed straight to a query worker, past every check, reaches nothing (Linux)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("network namespaces are Linux's")
    workers = QueryWorkers(built_dir / "store", 1)
    try:
        with decoy_server() as decoy:
            query = f"SELECT * WHERE {{ SERVICE <{decoy.url}/x> {{ ?x ?y ?z }} }}"
            with pytest.raises(StoreError):
                workers.run(Job(query, None, 10, 0), 30)
            assert decoy.received == []
    finally:
        workers.close()
