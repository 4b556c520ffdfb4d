"""The server quirks handled in graph/sparql_dialects.py, one test each (the same behaviour is checked on the real
servers in tests/test_store.py and tests/test_cli.py)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from l4a.graph.errors import UsageError
from l4a.graph.store.dialects import GENERIC, OXIGRAPH, VIRTUOSO, detect_dialect, parse_json_results

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("header", "name"),
    [("Oxigraph/0.5.13", "oxigraph"), ("Virtuoso/07.20.3229 (Linux) x86_64", "virtuoso"), ("Apache-Jena", "generic")],
)
def test_the_dialect_is_read_from_the_server_header(header: str, name: str) -> None:
    assert detect_dialect(header).name == name
    assert detect_dialect(None) is GENERIC


def test_oxigraph_is_asked_for_the_union_default_graph() -> None:
    assert dict(OXIGRAPH.union_parameters) == {"union-default-graph": "true"}
    assert dict(VIRTUOSO.union_parameters) == {} and dict(GENERIC.union_parameters) == {}


def test_virtuoso_blank_nodes_come_back_as_blank_nodes_and_can_be_bound_again() -> None:
    node = VIRTUOSO.result_term({"type": "bnode", "value": "nodeID://b10007"})
    assert node == ox.BlankNode("vnode_b10007")
    assert VIRTUOSO.bound_term(node) == "<nodeID://b10007>"
    with pytest.raises(UsageError, match="blank node"):
        OXIGRAPH.bound_term(ox.BlankNode("b1"))


def test_virtuoso_booleans_and_typed_literals() -> None:
    cell = {"type": "typed-literal", "datatype": XSD + "boolean", "value": "1"}
    assert VIRTUOSO.result_term(cell) == ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
    typed_string = {"type": "typed-literal", "datatype": XSD + "string", "value": "x"}
    assert VIRTUOSO.result_term(typed_string) == ox.Literal("x")
    assert VIRTUOSO.result_term({"type": "literal", "xml:lang": "en-gb", "value": "hé"}) == ox.Literal(
        "hé", language="en-gb"
    )


def test_virtuoso_own_graphs_and_staging_graphs_are_hidden() -> None:
    for graph in [
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/sparql",
        "http://localhost:8890/DAV/",
        "urn:l4a:staging:abc:0",
    ]:
        assert VIRTUOSO.is_hidden_graph(graph), graph
    assert not VIRTUOSO.is_hidden_graph("https://w3id.org/l4a/graph/sdg")
    assert OXIGRAPH.is_hidden_graph("urn:l4a:staging:abc:0")
    assert not OXIGRAPH.is_hidden_graph("http://www.w3.org/ns/ldp#")


def test_virtuoso_rewrites_for_optional_parameters_and_graph_listing() -> None:
    any_iri = "<urn:l4a:any>"
    text = f"FILTER (sameTerm(COALESCE(?sdg, {any_iri}), {any_iri}) || COALESCE(?date >= ?from, false))"
    assert VIRTUOSO.rewrite(text) == "FILTER ((!BOUND(?sdg)) || (BOUND(?date) && ?date >= ?from))"
    bound = f"sameTerm(COALESCE(<http://x>, {any_iri}), {any_iri})"
    assert VIRTUOSO.rewrite(bound) == bound  # a bound parameter is left as it is
    listing = VIRTUOSO.rewrite("SELECT (COUNT(DISTINCT ?n) AS ?graphs) WHERE { GRAPH ?n { } }")
    assert "GRAPH ?n { ?l4a_s ?l4a_p ?l4a_o }" in listing and "virtrdf#" in listing
    assert OXIGRAPH.rewrite(text) == text


def test_json_results_of_a_select_and_an_ask() -> None:
    data = b'{"head": {"vars": ["s", "o"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "http://a"}}]}}'
    parsed = parse_json_results(data, VIRTUOSO, "http://server/sparql")
    assert not isinstance(parsed, bool)
    assert parsed[0] == ["s", "o"] and list(parsed[1]) == [{"s": ox.NamedNode("http://a")}]
    assert parse_json_results(b'{"head": {}, "boolean": true}', VIRTUOSO, "http://server/sparql") is True


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?s WHERE { ?s ?p "GRAPH ?g { }" }',
        "SELECT ?s WHERE { ?s ?p 'GRAPH ?g { }' }",
        'SELECT ?s WHERE { ?s ?p """a long\nGRAPH ?g { }\nstring""" }',
        "SELECT ?s WHERE { ?s ?p '''GRAPH ?g {}''' }",
        'SELECT ?s WHERE { ?s ?p "an \\"escaped\\" GRAPH ?g { } \\\\" }',
        "SELECT ?s WHERE { ?s ?p ?o } # GRAPH ?g { }\n",
        'SELECT ?s WHERE { ?s ?p "sameTerm(COALESCE(?v, <urn:x>), <urn:x>)" }',
        "SELECT ?s WHERE { ?s ?p ?o FILTER (?o = 'COALESCE(?d >= ?from, false)') }",
        "SELECT ?s WHERE { ?s <http://x/GRAPH?g={}> ?o }",
        "# COALESCE(?d >= ?from, false)\nSELECT ?s WHERE { ?s ?p ?o }",
    ],
)
def test_virtuoso_never_changes_strings_iris_or_comments(query: str) -> None:
    assert VIRTUOSO.rewrite(query) == query


def test_virtuoso_rewrites_around_a_string_that_looks_like_the_pattern() -> None:
    query = 'SELECT ?g WHERE { ?s ?p "GRAPH ?g { }" . GRAPH ?g { } }'
    rewritten = VIRTUOSO.rewrite(query)
    assert rewritten.startswith('SELECT ?g WHERE { ?s ?p "GRAPH ?g { }" . { SELECT DISTINCT ?g WHERE { GRAPH ?g {')
    assert rewritten.count("GRAPH ?g { }") == 1  # the literal's, as written


def test_virtuoso_comparison_operand_may_hold_a_string_with_a_comma() -> None:
    query = 'FILTER (COALESCE(?label >= "a, b", false) && COALESCE(?d<=?to,FALSE))'
    assert VIRTUOSO.rewrite(query) == 'FILTER ((BOUND(?label) && ?label >= "a, b") && (BOUND(?d) && ?d <= ?to))'
