"""SPARQL text for a remote server: RDF terms written safely, and bound values joined in as a VALUES block.

The one place where RDF terms are written into SPARQL text. Fixed queries live in queries/**/*.rq and get their
values bound; only text that cannot be fixed (the SHACL compiler's checks from the shipped shapes, graph names in
store updates, VALUES lists of graph names, INSERT DATA blocks) is written with these helpers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from l4a.graph.errors import UsageError
from l4a.graph.namespaces import XSD

XSD_STRING = XSD + "string"

# The characters SPARQL's IRIREF production forbids (no escapes exist inside <...> in SPARQL).
IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')
# A string literal needs escapes only for these; everything else may appear as itself.
ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
ECHAR_PATTERN = re.compile(r'[\\"\n\r\t\b\f]')


def iri_text(value: str) -> str:
    """An IRI as <...>, refusing the characters that could end it early."""
    if IRI_FORBIDDEN.search(value):
        raise UsageError(f'{value!r} is not an IRI that can be written in SPARQL (it holds <>"{{}}|^`\\ or a space).')
    return f"<{value}>"


def string_text(value: str) -> str:
    r"""A quoted SPARQL string: backslash, quote and line breaks escaped, never a \u escape of ours.

    Servers that expand \uXXXX before parsing (as SPARQL 1.1 allows) can then only turn a doubled backslash
    plus 'u' into an escaped character or a syntax error, never into a closing quote.
    """
    return '"' + ECHAR_PATTERN.sub(lambda m: ECHAR[m.group(0)], value) + '"'


def literal_text(literal: ox.Literal) -> str:
    """A literal in SPARQL syntax: "text", "text"@lang or "text"^^<datatype>."""
    text = string_text(literal.value)
    if literal.language:
        if not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", literal.language):
            raise UsageError(f"{literal.language!r} is not a language tag.")
        return f"{text}@{literal.language}"
    if literal.datatype.value == XSD_STRING:
        return text
    return f"{text}^^{iri_text(literal.datatype.value)}"


BlankText = Callable[[ox.BlankNode], str]


def no_blank_nodes(node: ox.BlankNode) -> str:
    """The default for servers that cannot name a blank node in a query."""
    raise UsageError(
        f"the blank node _:{node.value} cannot be bound in a query on this SPARQL server; "
        "bind an IRI, or give the node an IRI in the data."
    )


def term_text(term: object, blank: BlankText = no_blank_nodes) -> str:
    """Any bound term in SPARQL syntax (blank nodes as the server's dialect can name them)."""
    if isinstance(term, ox.NamedNode):
        return iri_text(term.value)
    if isinstance(term, ox.Literal):
        return literal_text(term)
    if isinstance(term, ox.BlankNode):
        return blank(term)
    raise UsageError(f"{term!r} cannot be bound in a query on a SPARQL server (only IRIs and literals).")


def data_term_text(term: object) -> str:
    """A term of data written in INSERT DATA or a template: blank nodes as _:label."""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        raise UsageError("RDF-star triples cannot be written to a SPARQL server by l4a.")
    return term_text(term)


def triple_text(triple: ox.Triple) -> str:
    """A triple as a line of a SPARQL data block."""
    return f"{data_term_text(triple.subject)} {data_term_text(triple.predicate)} {data_term_text(triple.object)} ."


# --- Finding places in a query: a tokenizer that knows strings, IRIs and comments. -----------------------------

TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
    | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
    | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?::[^\s{}()<>,;"']*)?|:[^\s{}()<>,;"']*)
    | (?P<punct>[{}()*])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """A piece of query text that matters for finding places: kind, text, offset and brace depth."""

    kind: str
    text: str
    start: int
    depth: int


def tokens(query: str) -> Iterator[Token]:
    """The tokens of a query, skipping comments and whitespace, with the brace depth each is at."""
    depth = 0
    for match in TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        text = match.group(0)
        if kind == "comment" or text.isspace():
            continue
        if text == "}":
            depth -= 1
        yield Token(kind, text, match.start(), depth)
        if text == "{":
            depth += 1


def query_form(query: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first such keyword outside the prologue."""
    for token in tokens(query):
        if token.kind == "name" and token.text.upper() in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
            return token.text.upper()
    raise UsageError("the text is not a SPARQL query (no SELECT, CONSTRUCT, ASK or DESCRIBE).")


def where_brace(query: str) -> int:
    """The offset just after the '{' that opens the query's WHERE group (outer level)."""
    form = None
    seen_where = False
    for token in tokens(query):
        if token.depth != 0:
            continue
        word = token.text.upper() if token.kind == "name" else ""
        if form is None and word in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
            form = word
        elif word == "WHERE":
            seen_where = True
        elif token.text == "{" and form is not None and (seen_where or form != "CONSTRUCT"):
            return token.start + 1
    raise UsageError("values can only be bound in a query with a WHERE group.")


def projected_variables(query: str) -> set[str] | None:
    """The variables a SELECT projects (None for SELECT *); empty for other forms."""
    names: set[str] = set()
    inside = False
    parens = 0
    after_as = False
    for token in tokens(query):
        if token.depth != 0:
            continue
        word = token.text.upper() if token.kind == "name" else ""
        if not inside:
            if word == "SELECT":
                inside = True
            elif word in ("CONSTRUCT", "ASK", "DESCRIBE"):
                return set()
            continue
        if token.text == "{" or word in ("WHERE", "FROM"):
            break
        if token.text == "*" and parens == 0:
            return None
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.kind == "var" and (parens == 0 or after_as):
            names.add(token.text[1:])
        after_as = word == "AS"
    return names


def values_block(bindings: Mapping[str, str]) -> str:
    """VALUES (?a ?b) { (x y) }: one row binding each variable to its term."""
    names = list(bindings)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(bindings[n] for n in names)}) }}"


VARIABLE_NAME = re.compile(r"[A-Za-z0-9_]+")


def bind_values(query: str, bindings: Mapping[str, str]) -> str:
    """The query with bound values (terms already written as SPARQL) put in, as pyoxigraph's substitutions do.

    The embedded store evaluates a query with the bound variables already set everywhere in it: in every
    nested group, UNION branch, OPTIONAL and FILTER, but not inside a sub-SELECT that does not project them.
    The same here: each occurrence of a bound variable in the WHERE group (outside sub-SELECTs) is replaced by
    its term, and a VALUES block first thing in the group binds it for the projection, GROUP BY and ORDER BY,
    and joins it with the sub-SELECTs. A SELECT must project each variable it binds, as there. (BOUND(?v) of a
    bound variable becomes BOUND(<term>), which servers refuse; the embedded store takes it as an error too.)
    """
    if not bindings:
        return query
    for name in bindings:
        if not VARIABLE_NAME.fullmatch(name):
            raise UsageError(f"{name!r} is not a SPARQL variable name.")
    if query_form(query) == "SELECT":
        projected = projected_variables(query)
        missing = sorted(set(bindings) - projected) if projected is not None else []
        if missing:
            raise UsageError(
                "the SPARQL query cannot be run with these parameters: the SELECT does not project "
                + ", ".join("?" + m for m in missing)
                + "."
            )
    at = where_brace(query)
    pieces = [query[:at], " ", values_block(bindings), "\n"]
    last = at
    skip_to_depth: int | None = None
    for token in tokens(query):
        if token.start < at:
            continue
        if skip_to_depth is not None:
            if token.text == "}" and token.depth == skip_to_depth:
                skip_to_depth = None
            continue
        if token.text == "}" and token.depth == 0:
            break  # the end of the WHERE group: GROUP BY, ORDER BY ... keep the variable
        if token.kind == "name" and token.text.upper() == "SELECT":
            skip_to_depth = token.depth - 1  # until the brace that closes this sub-SELECT's group
        elif token.kind == "var" and token.text[1:] in bindings:
            pieces += [query[last : token.start], bindings[token.text[1:]]]
            last = token.start + len(token.text)
    pieces.append(query[last:])
    return "".join(pieces)
