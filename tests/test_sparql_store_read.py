"""A client's query checked by the store's parser and a lexer alone (graph/sparql/store_read.py), without rdflib's
slow parser: only when no reader could find SERVICE in the text, and never with another verdict on its form or
dataset than rdflib's parser gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from l4a.graph.sparql import check as check_module
from l4a.graph.sparql.check import SparqlRefused, check_query
from l4a.graph.sparql.guard import Check, _read_by_store

QUERIES = sorted((Path(__file__).parents[1] / "queries").rglob("*.rq"))


def _rdflib(text: str) -> tuple[str, bool] | str:
    """rdflib's verdict: (form, own dataset), or the reason it refuses."""
    try:
        checked = check_query(text)
    except SparqlRefused as exc:
        return exc.reason
    return checked.form, checked.own_dataset


def _quick(text: str) -> tuple[str, bool] | None:
    try:
        read = _read_by_store(text)
    except SparqlRefused:
        return None
    return None if read is None else (read.form, read.own_dataset)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_named_query_is_read_without_rdflib_as_rdflib_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _quick(text) == _rdflib(text)


def test_a_plain_query_never_reaches_rdflibs_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> None:
        raise AssertionError("rdflib's parser was asked")

    monkeypatch.setattr(check_module, "parseQuery", refuse)
    found = Check("PREFIX ex: <http://e/> SELECT ?s FROM <http://g> { ?s a ex:C ; ex:p 'x'@en } LIMIT 5", False).run()
    assert isinstance(found, check_module.CheckedQuery)
    assert (found.form, found.own_dataset) == ("SELECT", True)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", "service"),
        ("SELECT * { sErViCe SILENT ?x { ?s ?p ?o } }", "service"),
        ("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", "service"),
        ("SELECT * { FILTER(?x<'>') SERVICE <http://x/> { ?s ?p ?o } FILTER(?y = 'z') }", "service"),
        ("INSERT DATA { <http://a> <http://b> 1 }", "update"),
        ("SELECT * { ex:a ?p ?o }", "malformed"),
        ("SELECT * {", "malformed"),
        ("SELECT * { ?s ?p << ?a ?b ?c >> }", "malformed"),  # not SPARQL 1.1, though the store reads it
    ],
)
def test_what_is_refused_is_refused_by_the_same_reason(text: str, reason: str) -> None:
    found = Check(text, False).run()
    assert isinstance(found, tuple) and found[0] == "refused" and found[1] == reason


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX ex: <http://e/> SELECT * FROMex:g { ?s ?p ?o }",  # the store reads FROM ex:g; the lexer one name
        "SELECT * { ?s <http://e/service> ?o }",  # the word anywhere: rdflib reads it
        "SELECT * { ?s ?p 'a service' }",
        "SELECT (1.5e3 AS ?x) {}",  # a bare word that is no keyword (the exponent): rdflib reads it
        "SELECT * { ?s ?p ?o LATERAL { SELECT ?o { ?o ?q ?r } LIMIT 1 } }",  # an extension the store may read
    ],
)
def test_a_text_the_lexer_could_misread_goes_to_rdflib(text: str) -> None:
    assert _quick(text) is None
    found = Check(text, False).run()
    assert _rdflib(text) == (
        found[1] if isinstance(found, tuple) else (found.form, found.own_dataset)  # type: ignore[union-attr]
    )


PIECES = [
    *("SELECT", "select", "*", "?s", "?p", "?o", "?g", "$v", "{", "}", "(", ")", "[", "]", ".", ";", ",", "a", "A"),
    *("<http://e/x>", "<>", "<a:b>", "<http://g>", "'a'", '"b"', "'''c'''", '"\\""', "'\\''", "#c\n", "\n"),
    *("FROM", "from", "NAMED", "WHERE", "OPTIONAL", "FILTER", "GRAPH", "UNION", "BIND", "AS", "VALUES", "UNDEF"),
    *("<", ">", "=", "&&", "||", "!", "+", "-", "/", "|", "^", "^^", "@en", "@from", "'x'@en", "1", "1.5e3"),
    *("ASK", "CONSTRUCT", "DESCRIBE", "LIMIT", "PREFIX", "ex:", "ex:a", "_:b", "EXISTS", "NOT", "IN", "MINUS"),
    *("COUNT", "GROUP", "BY", "ORDER", "DESC", "STR", "LANG", "true", "LATERAL", "SUBSTR", "'<'", "'>'", "<'>"),
    *("SeRvIcE", "serv", "ice", "'", '"', "\\", "?x<'>'", "<<", ">>", "~", "{|", "|}"),
]
FRAMES = [
    "SELECT * WHERE { %s }",
    "ASK { %s }",
    "CONSTRUCT { ?s ?p ?o } WHERE { %s }",
    "SELECT ?s %s",
    "%s",
    "PREFIX ex: <http://e/> SELECT * %s { ?s ?p ?o }",
    "DESCRIBE ?s %s WHERE { ?s ?p ?o }",
]


@settings(max_examples=400, deadline=None)
@given(
    frame=st.sampled_from(FRAMES),
    pieces=st.lists(st.sampled_from(PIECES), max_size=12),
    glued=st.booleans(),
)
def test_read_without_rdflib_never_disagrees_with_it(frame: str, pieces: list[str], glued: bool) -> None:
    """Whatever the text: read without rdflib only when it holds no 'service' at all; then its form and dataset are
    rdflib's, and rdflib never refuses it as federated or as an update. (rdflib refuses a few valid SPARQL 1.1 texts
    the store reads, such as `<x><y>?o` with no spaces: those may be accepted.)"""
    text = frame % ("" if glued else " ").join(pieces)
    quick = _quick(text)
    if quick is None:
        return
    assert "service" not in text.lower()
    verdict = _rdflib(text)
    assert verdict not in ("service", "update", "escape")
    if isinstance(verdict, tuple):
        assert verdict == quick
