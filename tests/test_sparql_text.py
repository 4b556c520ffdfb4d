"""SPARQL text for a server: terms written safely, and bound values put in so that a query gives the same rows as
pyoxigraph's substitutions (the embedded store) on the same data."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from l4a.graph.errors import UsageError
from l4a.graph.sparql.queries import bind_parameters, named_queries
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.sparql_text import bind_values, literal_text, query_form, string_text, term_text, where_brace

EX = "http://example.org/"
DATA = f"""
<{EX}a> <{EX}p> "x"@en, "y"@fr, <{EX}b> ; <{EX}n> 3 .
<{EX}b> <{EX}p> "z"@en ; <{EX}q> <{EX}a> ; <{EX}n> 5 .
<{EX}c> <{EX}q> <{EX}b> .
"""

# Queries whose bound variables sit in nested groups, UNION branches, OPTIONAL, FILTER (NOT) EXISTS, MINUS,
# sub-SELECTs that project them or not, and after the WHERE group (GROUP BY, ORDER BY).
CASES = [
    (
        "SELECT ?s ?l WHERE { { ?s <{EX}p> ?o FILTER (LANG(?o) = ?l) } UNION { BIND (1 AS ?z) } }",
        {"l": ox.Literal("en")},
    ),
    ("SELECT ?s ?o WHERE { ?s <{EX}p> ?o }", {"s": ox.NamedNode(EX + "a")}),
    (
        "SELECT ?s ?n WHERE { {{ SELECT ?s (COUNT(*) AS ?n) WHERE {{ ?s <{EX}p> ?o }} GROUP BY ?s }} }",
        {"s": ox.NamedNode(EX + "a")},
    ),
    ("SELECT ?s ?o WHERE { {{ SELECT ?o WHERE {{ ?s <{EX}p> ?o }} }} }", {"s": ox.NamedNode(EX + "a")}),
    ("SELECT ?s ?o WHERE { ?x <{EX}p> ?o OPTIONAL { ?s <{EX}q> ?x } }", {"s": ox.NamedNode(EX + "b")}),
    ("SELECT ?s ?o WHERE { ?t <{EX}p> ?o FILTER NOT EXISTS { ?s <{EX}p> ?o } }", {"s": ox.NamedNode(EX + "b")}),
    ("SELECT ?s ?o WHERE { ?s ?p ?o MINUS { ?s <{EX}n> ?o } }", {"s": ox.NamedNode(EX + "a")}),
    ("SELECT ?s (SUM(?n) AS ?t) WHERE { ?x <{EX}n> ?n } GROUP BY ?s", {"s": ox.NamedNode(EX + "c")}),
    ("SELECT * WHERE { ?s <{EX}n> ?n }", {"n": ox.Literal(5)}),
    ("SELECT ?min ?s WHERE { ?s <{EX}n> ?n FILTER (?n > ?min) } ORDER BY DESC(?min)", {"min": ox.Literal(1)}),
    ("ASK { ?s <{EX}q> ?o }", {"o": ox.NamedNode(EX + "a")}),
    ("ASK WHERE { ?s <{EX}q> ?o }", {"o": ox.NamedNode(EX + "c")}),
    ("CONSTRUCT { ?s <{EX}r> ?o } WHERE { ?s <{EX}q> ?o }", {"o": ox.NamedNode(EX + "b")}),
    ('SELECT ?s ?v WHERE { ?s ?p ?o BIND ("{ WHERE }" AS ?w) FILTER (?w != ?v) }', {"v": ox.Literal("x")}),
    ("# WHERE { in a comment\nSELECT ?s ?o WHERE { ?s <{EX}p> ?o }", {"o": ox.Literal("x", language="en")}),
]


def rows(result: object) -> object:
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return sorted(sorted((n, str(v)) for n, v in zip(names, s, strict=True) if v is not None) for s in result)
    if isinstance(result, ox.QueryTriples):
        return sorted(str(t) for t in result)
    return bool(result)


@pytest.fixture(scope="module")
def oxigraph() -> ox.Store:
    store = ox.Store()
    store.load(DATA, format=ox.RdfFormat.TURTLE)
    return store


@pytest.mark.parametrize(("query", "bindings"), CASES)
def test_values_put_in_give_the_rows_of_substitutions(oxigraph: ox.Store, query: str, bindings: dict) -> None:
    query = query.replace("{EX}", EX).replace("{{", "{").replace("}}", "}")
    substituted = oxigraph.query(query, substitutions={ox.Variable(k): v for k, v in bindings.items()})
    text = bind_values(query, {k: term_text(v) for k, v in bindings.items()})
    assert rows(oxigraph.query(text)) == rows(substituted), text


def test_every_named_query_binds_as_the_embedded_store_does(built_store: EmbeddedStore) -> None:
    # The shipped queries with their example parameters on the shipped data: same rows either way.
    answered = 0
    for query in named_queries().values():
        bindings = bind_parameters(query, {p.name: p.example for p in query.parameters})
        text = bind_values(query.text, {k: term_text(v) for k, v in bindings.items()})
        if query_form(query.text) == "SELECT":
            expected, got = built_store.select(query.text, bindings), built_store.select(text)
            assert sorted(map(sorted_row, got)) == sorted(map(sorted_row, expected)), query.name
        else:
            expected_triples = built_store.construct(query.text, bindings)
            assert sorted(map(str, built_store.construct(text))) == sorted(map(str, expected_triples)), query.name
            expected = expected_triples  # type: ignore[assignment]
        answered += bool(expected)
    assert answered >= 5  # (7 of the examples find rows in the shipped data today)


def sorted_row(row: dict[str, object]) -> list[tuple[str, str]]:
    # Words sorted: the order of GROUP_CONCAT is not defined, and differs between two plans of one query.
    return sorted((k, " ".join(sorted(getattr(v, "value", str(v)).split(" ")))) for k, v in row.items())


def test_a_select_must_project_what_it_binds() -> None:
    with pytest.raises(UsageError, match=re.escape("does not project ?v")):
        bind_values("SELECT ?s WHERE { ?s ?p ?v }", {"v": '"x"'})
    assert "VALUES" in bind_values("SELECT ?s (COUNT(?o) AS ?v) WHERE { ?s ?p ?o } GROUP BY ?s", {"v": "1"})


def test_values_need_a_where_group() -> None:
    with pytest.raises(UsageError, match="WHERE group"):
        bind_values("DESCRIBE ?x", {"x": "<http://a>"})


def test_the_where_group_is_found_past_templates_strings_iris_and_comments() -> None:
    query = 'PREFIX w: <http://x/{WHERE}>\n# { WHERE\nCONSTRUCT { ?s w:where "}{" } WHERE { ?s ?p ?o }'
    assert query[where_brace(query) :] == " ?s ?p ?o }"
    assert query_form(query) == "CONSTRUCT"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("\\u0022", '"\\\\u0022"'),
        ("two\nlines\r\n", '"two\\nlines\\r\\n"'),
        ("tab\tand } { # ; .", '"tab\\tand } { # ; ."'),
        ("é 😀", '"é 😀"'),
    ],
)
def test_strings_are_escaped_and_never_use_u_escapes(value: str, text: str) -> None:
    assert string_text(value) == text
    # A server that expands \uXXXX before parsing (SPARQL 1.1 allows it) still sees one string: every
    # backslash we wrote is doubled or escapes a quote, so an expansion cannot produce a closing quote.
    expanded = re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), text)
    assert re.fullmatch(r'"(?:[^"\\\n\r]|\\.)*"', expanded, re.DOTALL)


def test_literals_and_iris() -> None:
    assert literal_text(ox.Literal("x", language="pt-BR")) == '"x"@pt-br'
    assert literal_text(ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))) == (
        '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'
    )
    assert literal_text(ox.Literal("plain")) == '"plain"'
    assert term_text(ox.NamedNode("http://example.org/é")) == "<http://example.org/é>"
    with pytest.raises(UsageError, match="blank node"):
        term_text(ox.BlankNode("b1"))


def test_a_query_that_passed_is_not_parsed_again_and_a_refused_one_always_is() -> None:
    from l4a.graph.sparql import check as sparql_check

    text = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3 # cached-check test"
    before = sparql_check._checked_query.cache_info().hits
    first = sparql_check.check_query(text)
    assert sparql_check.check_query(text) == first and first.form == "SELECT"
    assert sparql_check._checked_query.cache_info().hits == before + 1
    refused = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } # cached-check test"
    for _ in range(2):
        with pytest.raises(sparql_check.SparqlRefused):
            sparql_check.check_query(refused)
    long = "SELECT ?s WHERE { ?s ?p ?o }" + " " * sparql_check.CACHED_CHARS
    misses = sparql_check._checked_query.cache_info().misses
    assert sparql_check.check_query(long).form == "SELECT"
    assert sparql_check._checked_query.cache_info().misses == misses  # too long to keep: parsed apart
