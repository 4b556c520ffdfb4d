"""A client's SPARQL text read with a real parser before it runs: its form, whether it names its own dataset,
and what the endpoint refuses (updates at the query endpoint, SERVICE, LOAD).

A regular expression cannot tell `?x < '>'` from an IRI, so a keyword hidden that way would slip past it; rdflib's
parser follows the grammar (and expands \\u escapes first, as SPARQL 1.1 says), and only parses: nothing runs here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyparsing import ParseBaseException
from rdflib.plugins.sparql import parser
from rdflib.plugins.sparql.parserutils import CompValue

from l4a.graph.errors import UsageError
from l4a.graph.namespaces import PREFIXES
from l4a.graph.sparql.escapes import EscapeError, expand_escapes, keywords
from l4a.graph.sparql.explain import explain, undeclared_prefixes

# Longer texts take rdflib's parser long enough (about 0.2 s per 100 kB) to slow every other request.
QUERY_MAX_CHARS = 200_000
UPDATE_MAX_CHARS = 2_000_000

# rdflib's parser (pyparsing) is not thread-safe: pyparsing learns each parse action's arity on its first calls, and
# two threads parsing at once for the first time teach it wrong arities for good (every later parse then fails with a
# TypeError, so /sparql answered 500 until a restart after its first concurrent requests). One parse at a time.
_PARSER_LOCK = threading.Lock()


def parseQuery(text: str) -> Any:
    with _PARSER_LOCK:
        return parser.parseQuery(text)


def parseUpdate(text: str) -> Any:
    with _PARSER_LOCK:
        return parser.parseUpdate(text)


FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "AskQuery": "ASK", "DescribeQuery": "DESCRIBE"}


class SparqlRefused(UsageError):
    """The endpoint does not run this text; `reason` names why, for a translated message and an HTTP status.

    Reasons: missing, too-long, malformed, escape (a codepoint escape that names no character or makes another),
    update (an update sent as a query), query (a query sent as an update), service (federation), load (an update
    that fetches a URL).
    """

    def __init__(self, reason: str, message: str, detail: str = "") -> None:
        super().__init__(f"{message} {detail}".strip())
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class CheckedQuery:
    """A query that parses and that the endpoint will run."""

    text: str
    form: str  # SELECT, CONSTRUCT, ASK or DESCRIBE
    own_dataset: bool  # it has FROM or FROM NAMED clauses


def _nodes(tree: Any) -> Iterator[CompValue]:
    # Iterative: a deeply nested query must not exhaust Python's recursion limit here.
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(dict.values(item))
        elif isinstance(item, list | tuple) or type(item).__name__ == "ParseResults":
            stack.extend(item)


def _parse_message(exc: Exception) -> str:
    if isinstance(exc, ParseBaseException):
        return f"line {exc.lineno}, column {exc.col}: {exc.msg}"
    return "the query is nested too deeply."


def _readable(text: str, exc: Exception) -> str:
    """What a person would say is wrong (a missing `}`, an undeclared prefix), else the parser's own position."""
    return explain(text, PREFIXES) or _parse_message(exc)


def _refuse_undeclared(text: str) -> None:
    # rdflib's parser accepts a prefixed name whose prefix was never declared; the store would then fail with
    # its own wording. Said here, in words, with the PREFIX line to add when the prefix is one of the graph's.
    problems = undeclared_prefixes(text)
    if problems:
        detail = " ".join(p.message(PREFIXES) for p in problems)
        raise SparqlRefused("malformed", "the query is not valid SPARQL 1.1:", detail)


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except (ParseBaseException, RecursionError):
        return False
    return True


def check_query(text: str | None) -> CheckedQuery:
    """The query's form and dataset, or SparqlRefused saying why it will not run.

    The answer for a text that passed is kept (texts up to CACHED_CHARS, the last CACHED_TEXTS of them): parsing
    is most of the cost of a small query (about 23 ms of 25 for a hub's profile, one parse at a time), and tools
    and pages send the same texts again and again. A refused text is parsed again each time.
    """
    text = precheck_query(text)
    return _checked_query(text) if len(text) <= CACHED_CHARS else _check_query(text)


def precheck_query(text: str | None) -> str:
    """The text to check and run (its escapes expanded once: see sparql_escapes), or SparqlRefused for a missing
    or too long text or a wrong escape."""
    if text is None or not text.strip():
        raise SparqlRefused("missing", "no query was given: send one in the 'query' parameter.")
    if len(text) > QUERY_MAX_CHARS:
        raise SparqlRefused("too-long", f"the query is longer than {QUERY_MAX_CHARS} characters.")
    return expanded(text)


def expanded(text: str) -> str:
    """The text with its codepoint escapes expanded once, or SparqlRefused saying where one is wrong."""
    try:
        return expand_escapes(text)
    except EscapeError as exc:
        raise SparqlRefused("escape", "a codepoint escape cannot be used here:", str(exc)) from exc


CACHED_CHARS = 8192
CACHED_TEXTS = 1024  # at most 8 MB of query texts


@lru_cache(maxsize=CACHED_TEXTS)
def _checked_query(text: str) -> CheckedQuery:
    return _check_query(text)


def _check_query(text: str) -> CheckedQuery:
    try:
        parsed = parseQuery(text)
    except (ParseBaseException, RecursionError) as exc:
        if _is_update(text):
            raise SparqlRefused("update", "this is an update; the query endpoint only answers queries.") from exc
        raise SparqlRefused("malformed", "the query is not valid SPARQL 1.1:", _readable(text, exc)) from exc
    _refuse_undeclared(text)
    body = parsed[1]
    # Two readers must both find no SERVICE: the parser's tree, and a lexer of our own.
    if "SERVICE" in keywords(text) or any(node.name == "ServiceGraphPattern" for node in _nodes(parsed)):
        raise SparqlRefused("service", "SERVICE (federated query) is not allowed on this endpoint.")
    return CheckedQuery(text, FORMS.get(body.name, "SELECT"), bool(dict.get(body, "datasetClause")))


def check_update(text: str | None) -> str:
    """The update to run (its escapes expanded once), or SparqlRefused for a missing, malformed or federated one, or
    one with LOAD."""
    if text is None or not text.strip():
        raise SparqlRefused("missing", "no update was given: send one in the 'update' parameter.")
    if len(text) > UPDATE_MAX_CHARS:
        raise SparqlRefused("too-long", f"the update is longer than {UPDATE_MAX_CHARS} characters; use `l4a import`.")
    text = expanded(text)
    try:
        parsed = parseUpdate(text)
    except (ParseBaseException, RecursionError) as exc:
        raise SparqlRefused("malformed", "the update is not valid SPARQL 1.1:", _readable(text, exc)) from exc
    names = {node.name for node in _nodes(parsed)}
    words = keywords(text)
    if "ServiceGraphPattern" in names or "SERVICE" in words:
        raise SparqlRefused("service", "SERVICE (federated query) is not allowed on this endpoint.")
    if "Load" in names or "LOAD" in words:
        raise SparqlRefused("load", "LOAD is not allowed over HTTP: use `l4a import` on the server.")
    return text
