"""What differs between SPARQL servers, in one place: union default graph, literals, blank nodes, limits.

Each difference the remote store has to handle is a field or method of a Dialect, and each has a test in
tests/test_sparql_dialects.py (unit) and tests/test_store.py (on the real servers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from l4a.graph.errors import StoreUnavailableError
from l4a.graph.namespaces import XSD
from l4a.graph.store.sparql_text import XSD_STRING, Token, iri_text, no_blank_nodes, string_text, term_text, tokens

# Graphs l4a writes while loading, before moving them into place (hidden from named_graphs, dumps and counts).
STAGING_PREFIX = "urn:l4a:staging:"
STATE_PREFIX = "urn:l4a:state:"  # l4a's own bookkeeping on the server (the store generation): never data


@dataclass(frozen=True)
class Dialect:
    """How to talk to one kind of SPARQL server."""

    name: str
    # Extra request parameters that make the default graph the union of all graphs (None: the server does it).
    union_parameters: Mapping[str, str] = field(default_factory=dict)
    # Whether a triple may sit in the real default graph (Virtuoso keeps every triple in a named graph).
    has_default_graph: bool = True
    # Whether `GRAPH ?g {}` lists the graphs (Virtuoso answers nothing; ask for a triple in each graph instead).
    empty_graph_pattern_lists_graphs: bool = True
    # Whether INSERT DATA may hold blank nodes (Virtuoso refuses them; INSERT { } WHERE { } takes them).
    blank_nodes_in_insert_data: bool = True
    # Most triples in one INSERT DATA operation (Virtuoso's SPARQL compiler gives up at about 5000).
    triples_per_operation: int = 50_000
    # Most bytes of SPARQL Update text in one request.
    bytes_per_request: int = 8 * 1024 * 1024
    # Most operations (MOVE, DROP ...) in one request.
    operations_per_request: int = 10_000
    # Whether the Graph Store endpoint takes a whole dataset (N-Quads) POSTed without a graph parameter.
    dataset_post: bool = False
    # Named graphs that belong to the server itself, never to l4a.
    system_graphs: tuple[str, ...] = ()
    system_graph_pattern: str | None = None
    # Whether results are parsed by pyoxigraph (fast, standard) or by the tolerant parser below.
    standard_results: bool = True
    # Whether a `*` property path joined with other patterns is evaluated right (Virtuoso 7.2 drops solutions:
    # on the shipped data, validation found 1 of the 22 goal-only warnings); validation avoids it where not.
    star_paths_in_joins: bool = True

    def is_hidden_graph(self, iri: str) -> bool:
        """Whether a graph is the server's own or one of l4a's staging or state graphs."""
        if iri.startswith((STAGING_PREFIX, STATE_PREFIX)) or iri in self.system_graphs:
            return True
        return bool(self.system_graph_pattern and re.fullmatch(self.system_graph_pattern, iri))

    def hidden_graph_filter(self, var: str) -> str:
        """A FILTER that keeps only l4a's graphs in ?var."""
        parts = [f"!STRSTARTS(STR(?{var}), {string_text(prefix)})" for prefix in (STAGING_PREFIX, STATE_PREFIX)]
        if self.system_graphs:
            parts.append(f"?{var} NOT IN ({', '.join(iri_text(g) for g in self.system_graphs)})")
        if self.system_graph_pattern:
            parts.append(f"!REGEX(STR(?{var}), {string_text('^' + self.system_graph_pattern + '$')})")
        return f"FILTER ({' && '.join(parts)})"

    def graph_listing(self, var: str = "g") -> str:
        """A group pattern that binds ?var to each non-empty named graph."""
        if self.empty_graph_pattern_lists_graphs:
            return f"GRAPH ?{var} {{ }}"
        return f"GRAPH ?{var} {{ ?l4a_s ?l4a_p ?l4a_o }}"

    def rewrite(self, query: str) -> str:
        """The query as this server must get it to answer as the embedded store does."""
        return query

    def bound_term(self, term: object) -> str:
        """A bound term written in SPARQL (IRIs and literals; blank nodes where the server can name them)."""
        return term_text(term, no_blank_nodes)

    def result_term(self, cell: Mapping[str, Any]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        """A term of a SPARQL JSON results cell."""
        kind = cell.get("type")
        value = cell.get("value")
        if not isinstance(value, str):
            raise ValueError(f"a result cell has no string value: {cell!r}")
        if kind == "uri":
            return ox.NamedNode(value)
        if kind == "bnode":
            return ox.BlankNode(self.blank_label(value))
        if kind in ("literal", "typed-literal"):
            language = cell.get("xml:lang")
            if language:
                return ox.Literal(value, language=language)
            datatype = cell.get("datatype")
            if datatype and datatype != XSD_STRING:
                return ox.Literal(self.literal_value(value, datatype), datatype=ox.NamedNode(datatype))
            return ox.Literal(value)
        raise ValueError(f"a result cell has the unknown type {kind!r}")

    def blank_label(self, value: str) -> str:
        """A blank node label pyoxigraph accepts for a server's blank node id."""
        return value

    def literal_value(self, value: str, datatype: str) -> str:
        """The lexical form of a typed literal as the server returns it."""
        return value


@dataclass(frozen=True)
class VirtuosoDialect(Dialect):
    """OpenLink Virtuoso 7: the default graph is already the union of all graphs, but:

    - blank nodes come back as nodeID://b123 (an IRI-like id it accepts in queries as <nodeID://b123>);
    - booleans come back as 1 and 0 in JSON results;
    - a simple literal and the same text as xsd:string are different terms to it (RDF 1.0); l4a always writes
      the simple form (as pyoxigraph serializes), and binds that form;
    - its default graph is the union of every graph, its own too (virtrdf#, ldp#, the URIQA host's /sparql and
      /DAV/, about 2,500 triples in terms of its own vocabulary): they are hidden from the lists of graphs,
      counts and dumps, but a query over the union sees them (7.2's DEFINE input:default-graph-exclude breaks
      GRAPH <iri> patterns, so it is not used);
    - booleans are integers to it: "true"^^xsd:boolean equals 1;
    - sameTerm(COALESCE(?unbound, <x>), <x>) is false: rewritten as !BOUND(?unbound);
    - COALESCE(?unbound >= x, false) is true: rewritten as (BOUND(?v) && ?v >= x);
    - `GRAPH ?g { }` lists no graph: rewritten as a sub-SELECT of the graphs that hold a triple;
    - blank nodes are refused in INSERT DATA, and its compiler runs out of memory at about 5000 triples in one
      INSERT DATA; results are cut at ResultSetMaxRows (header X-SPARQL-MaxRows), checked by the store.
    """

    def rewrite(self, query: str) -> str:
        # Found with the tokenizer, so a string literal, an IRI or a comment that reads like one of these patterns
        # is never changed (a client's query goes through here too).
        return rewrite_tokens(query, (_unbound_or_default, _comparison_or_false, self._empty_graph))

    def _empty_graph(self, query: str, found: Sequence[Token], i: int) -> Rewrite | None:
        # GRAPH ?g { } matches no graph on Virtuoso: ask for the graphs that hold a triple, its own left out.
        if _words(found, i, 4) == ["GRAPH", None, "{", "}"] and found[i + 1].kind == "var":
            var = found[i + 1].text
            inner = f"GRAPH {var} {{ ?l4a_s ?l4a_p ?l4a_o }} {self.hidden_graph_filter(var[1:])}"
            return i + 3, f"{{ SELECT DISTINCT {var} WHERE {{ {inner} }} }}"
        return None

    def bound_term(self, term: object) -> str:
        if isinstance(term, ox.BlankNode) and term.value.startswith("vnode_"):
            return iri_text("nodeID://" + term.value.removeprefix("vnode_"))
        return term_text(term, no_blank_nodes)

    def blank_label(self, value: str) -> str:
        return "vnode_" + value.removeprefix("nodeID://") if value.startswith("nodeID://") else value

    def literal_value(self, value: str, datatype: str) -> str:
        if datatype == XSD + "boolean" and value in ("1", "0"):
            return "true" if value == "1" else "false"
        return value


# A rewrite rule: given the query, its tokens and a position, the index of the last token it replaces and the
# text that replaces them; None where the rule does not apply.
Rewrite = tuple[int, str]
Rule = Callable[[str, Sequence[Token], int], Rewrite | None]


def rewrite_tokens(query: str, rules: Sequence[Rule]) -> str:
    """The query with each place a rule matches (first rule first, left to right) replaced; the rest as written."""
    found = list(tokens(query))
    pieces: list[str] = []
    last = i = 0
    while i < len(found):
        match = next((m for rule in rules if (m := rule(query, found, i)) is not None), None)
        if match is None:
            i += 1
            continue
        end, text = match
        pieces += [query[last : found[i].start], text]
        last = found[end].start + len(found[end].text)
        i = end + 1
    pieces.append(query[last:])
    return "".join(pieces)


def _words(found: Sequence[Token], i: int, n: int) -> list[str | None]:
    """The next n tokens: keywords and punctuation upper-cased, variables, IRIs and strings as None."""
    if i + n > len(found):
        return []
    return [None if t.kind in ("var", "iri", "string", "long") else t.text.upper() for t in found[i : i + n]]


def _unbound_or_default(query: str, found: Sequence[Token], i: int) -> Rewrite | None:
    """sameTerm(COALESCE(?v, <x>), <x>) is false on Virtuoso 7.2 (COALESCE(...) = <x> is true): the named queries
    use it for "?v is unbound" (optional parameters), so it is said the way Virtuoso gets right: (!BOUND(?v))."""
    if _words(found, i, 11) != ["SAMETERM", "(", "COALESCE", "(", None, ",", None, ")", ",", None, ")"]:
        return None
    var, first, second = found[i + 4], found[i + 6], found[i + 9]
    if var.kind != "var" or first.kind != "iri" or second.text != first.text:
        return None
    return i + 10, f"(!BOUND({var.text}))"


COMPARISONS = (">=", "<=", "!=", ">", "<", "=")


def _comparison_or_false(query: str, found: Sequence[Token], i: int) -> Rewrite | None:
    """COALESCE(?v >= x, false) is true on Virtuoso 7.2 for an unbound ?v: the named queries use it for "?v is
    bound and at least x" (date ranges), so the comparison is made only when bound: (BOUND(?v) && ?v >= x)."""
    if _words(found, i, 3)[:2] != ["COALESCE", "("] or found[i + 2].kind != "var":
        return None
    var, j = found[i + 2], i + 3
    op = found[j].text if j < len(found) else ""
    if j + 1 < len(found) and found[j + 1].text == "=" and found[j + 1].start == found[j].start + 1:
        op += "="
        j += 1
    if op not in COMPARISONS:
        return None
    j += 1
    start = j
    while j < len(found) and found[j].text not in (",", "(", ")", "{", "}"):
        j += 1
    if j == start or _words(found, j, 3) != [",", "FALSE", ")"]:
        return None
    operand = query[found[start].start : found[j - 1].start + len(found[j - 1].text)]
    return j + 2, f"(BOUND({var.text}) && {var.text} {op} {operand})"


GENERIC = Dialect("generic")
OXIGRAPH = Dialect("oxigraph", union_parameters={"union-default-graph": "true"}, dataset_post=True)
VIRTUOSO = VirtuosoDialect(
    "virtuoso",
    has_default_graph=False,
    empty_graph_pattern_lists_graphs=False,
    blank_nodes_in_insert_data=False,
    triples_per_operation=2000,
    bytes_per_request=2 * 1024 * 1024,
    operations_per_request=500,
    system_graphs=("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#"),
    system_graph_pattern=r"http://[^/]+/(sparql|DAV/)",
    standard_results=False,
    star_paths_in_joins=False,
)
DIALECTS = {d.name: d for d in (GENERIC, OXIGRAPH, VIRTUOSO)}


def dialect_named(name: str) -> Dialect:
    """The dialect of a setting value (auto is resolved by the store from the server's reply)."""
    return DIALECTS[name]


def detect_dialect(server_header: str | None) -> Dialect:
    """The dialect a server's `Server` header names; generic for any other server."""
    text = (server_header or "").lower()
    if text.startswith("oxigraph"):
        return OXIGRAPH
    if text.startswith("virtuoso"):
        return VIRTUOSO
    return GENERIC


def parse_json_results(
    data: bytes, dialect: Dialect, endpoint: str
) -> tuple[list[str], Iterator[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]] | bool:
    """Variables and rows of SPARQL JSON results (or the boolean of an ASK), read with the dialect's rules."""
    try:
        document = json.loads(data)
        if "boolean" in document:
            answer = document["boolean"]
            if not isinstance(answer, bool):
                raise ValueError("the boolean is not true or false")
            return answer
        names = [str(n) for n in document["head"]["vars"]]
        bindings = document["results"]["bindings"]
        rows = [
            {name: dialect.result_term(cell) for name, cell in solution.items() if name in names}
            for solution in bindings
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreUnavailableError(
            f"the SPARQL server at {endpoint} answered with something that is not SPARQL JSON results "
            f"({exc}; it begins {data[:80]!r}); check that the URL is a SPARQL endpoint."
        ) from exc
    return names, iter(rows)
