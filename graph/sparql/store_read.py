"""A client's query checked without rdflib's parser, when nothing in its text needs that parser's reading.

rdflib's parser (graph/sparql/check.py) takes about 20 ms for a 1 kB query (a hub's profile), most of the cost of
a first request to /sparql; every new text pays it. The store's own parser (Oxigraph, tried on an empty store in
the check worker, graph/sparql/guard.py) reads the same text in a fraction of a millisecond, and it is the parser
that runs the query. This module decides when the store's reading and a lexer's are enough:

- SERVICE: the word "service" appears nowhere in the text, in any case, not even in a string, an IRI or a comment.
  SPARQL's keywords are ASCII and the text's escapes are already expanded (graph/sparql/escapes.py), so no reader
  can find the keyword in such a text. Any text holding the word goes to rdflib's parser and the lexer, as before.
- Only SPARQL 1.1: every bare word (outside strings, IRIs, comments, prefixed names, variables and language tags)
  is one of SPARQL 1.1's keywords, and nothing of the newer syntax the store also reads (`<<`, `{|`, `~`, `--`)
  appears; otherwise rdflib decides, as before (it refuses what is not SPARQL 1.1).
- The form: the first of SELECT, CONSTRUCT, ASK, DESCRIBE the lexer finds, and it must agree with what the store
  answered (solutions, a boolean, triples); otherwise rdflib decides.
- Its own dataset: the bare word FROM, which SPARQL 1.1 has only in a query's dataset clauses.
- A prefixed name whose prefix starts with a keyword (`FROMex:g`, which the store reads as FROM ex:g) sends the
  text to rdflib, since the lexer would read it otherwise.

The store's parser also refuses an undeclared prefix; a text it refuses goes to rdflib's parser, whose refusal says
in words what is wrong.
"""

from __future__ import annotations

import re

from l4a.graph.sparql.check import CheckedQuery
from l4a.graph.store.sparql_text import tokens

SERVICE = re.compile("service", re.IGNORECASE | re.ASCII)
NEWER_SYNTAX = ("<<", ">>", "{|", "|}", "~", "--")
FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
# What the store answers for each form on an empty store (guard.py `_try_on_empty_store`).
STORE_FORMS = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "triples", "DESCRIBE": "triples"}
KEYWORDS = frozenset(
    """
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK FROM NAMED WHERE ORDER BY ASC DESC LIMIT OFFSET DISTINCT REDUCED
    GRAPH OPTIONAL UNION MINUS FILTER BIND AS VALUES UNDEF EXISTS NOT IN GROUP HAVING SEPARATOR A TRUE FALSE
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE
    ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ
    NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK
    ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE
    """.split()  # noqa: SIM905 (a list of a hundred quoted words reads worse)
)


GLUED = tuple(KEYWORDS)


def needs_parser(text: str) -> bool:
    """Whether the text must be read by rdflib's parser (see the module's text)."""
    return SERVICE.search(text) is not None or any(part in text for part in NEWER_SYNTAX)


def read_with_store(text: str, store_form: str | None) -> CheckedQuery | None:
    """The checked query for a text the store parsed (`store_form`: "solutions", "boolean" or "triples", what it
    answered on an empty store), when the lexer's reading is enough and agrees; None when rdflib's parser must
    read it. The text must be the one with its escapes expanded, and not `needs_parser`."""
    if store_form is None or needs_parser(text):
        return None
    form = None
    own_dataset = False
    previous_end, previous_text = -1, ""
    for token in tokens(text):
        after_at = previous_text == "@" and previous_end == token.start
        previous_end, previous_text = token.start + len(token.text), token.text
        if token.kind != "name" or after_at:  # a language tag
            continue
        word = token.text.upper()
        if ":" in word:  # a prefixed name or a blank node; the store reads `FROMex:g` as FROM ex:g, the lexer not
            if word.split(":", 1)[0].startswith(GLUED):
                return None
            continue
        if word not in KEYWORDS or (word == "A" and token.text != "a"):
            return None
        if form is None and word in FORMS:
            form = word
        own_dataset = own_dataset or word == "FROM"
    if form is None or STORE_FORMS[form] != store_form:
        return None
    return CheckedQuery(text, form, own_dataset)
