"""SPARQL's codepoint escapes (\\uXXXX, \\UXXXXXXXX) expanded once, so that the text a check reads is the text
the store runs, and the keywords of a text as a second lexer (not the checking parser) sees them.

SPARQL 1.1 (section 19.2) expands codepoint escapes in the whole text before parsing; rdflib does that, while
Oxigraph reads them only inside strings and IRIs. The same text therefore meant two things: `"a\\u005C" SERVICE ...`
is one string to rdflib and a string then SERVICE to Oxigraph. Expanding once here and refusing a result that still
holds an escape gives a text that every reader, expanding or not, reads the same way.
"""

from __future__ import annotations

import re

from l4a.graph.errors import UsageError
from l4a.graph.store.sparql_text import tokens

ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class EscapeError(UsageError):
    """A codepoint escape that names no character, or one whose expansion makes another escape."""


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def expand_escapes(text: str) -> str:
    """The text with every \\u and \\U escape replaced by its character, once; EscapeError if one names no
    character (a surrogate, or past U+10FFFF) or if the result still holds an escape (write the character itself)."""

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise EscapeError(
                f"{_where(text, match.start())}: {match.group(0)} is not a Unicode character "
                "(code points end at U+10FFFF; U+D800 to U+DFFF are not characters)."
            )
        return chr(code)

    expanded = ESCAPE.sub(character, text)
    left = ESCAPE.search(expanded)
    if left is not None:
        raise EscapeError(
            f"{_where(expanded, left.start())}: {left.group(0)} is an escape made by expanding another escape; "
            "SPARQL expands escapes once, and this endpoint does not guess: write the character itself."
        )
    return expanded


def keywords(text: str) -> set[str]:
    """The bare words of the text outside strings, IRIs and comments, upper-cased (SERVICE, LOAD, SELECT, ...)."""
    return {token.text.upper() for token in tokens(text) if token.kind == "name" and ":" not in token.text}
