"""Readable reasons for a SPARQL text that will not run: an undeclared prefix, a missing `}` or `)` with its line.

The parser's own message ("line 3, column 1: Expected SelectQuery") says where it gave up, not what is wrong; these
checks read the text the way a person would, ignoring strings, IRIs and comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Strings (long and short), IRIs, comments: skipped when looking for brackets and prefixed names.
_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
# A prefixed name: a prefix (or none) then a colon then a local part; `?x` variables and `_:` blank nodes excluded.
_USED = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w-]*(?:\.[\w-]+)*)?:(?=[\w%\\(]|\s|$)")
_OPEN = {"{": "}", "(": ")", "[": "]"}
_CLOSE = {v: k for k, v in _OPEN.items()}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the text: `kind` (prefix, missing, unexpected), the sign or prefix, and the line."""

    kind: str
    what: str
    line: int

    def message(self, known: dict[str, str] | None = None) -> str:
        """The problem in plain English, with what to do."""
        if self.kind == "prefix":
            iri = (known or {}).get(self.what)
            fix = f"add `PREFIX {self.what}: <{iri or '...'}>` at the top"
            return f"line {self.line}: prefix {self.what}: is not declared; {fix}."
        if self.kind == "missing":
            closing = _OPEN[self.what]
            return f"missing {closing}: the {self.what} opened on line {self.line} is never closed."
        return f"line {self.line}: unexpected {self.what}, with no {_CLOSE[self.what]} open before it."


def _blanked(text: str) -> str:
    """The text with strings, IRIs and comments replaced by spaces (newlines kept, so lines still count)."""
    return _SKIPPED.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def appearance_order(text: str, names: list[str]) -> list[str]:
    """`names` (a SELECT *'s variables) in the order they first appear in the query text, as people expect the
    columns; names not found keep their place at the end."""
    plain = _blanked(text)
    first: dict[str, int] = {}
    for match in re.finditer(r"[?$]([A-Za-z_][\w]*)", plain):
        first.setdefault(match.group(1), match.start())
    return sorted(names, key=lambda name: (first.get(name, len(plain)), names.index(name)))


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def undeclared_prefixes(text: str) -> list[Problem]:
    """Each prefix used in a prefixed name but never declared with PREFIX, with the line of its first use."""
    plain = _blanked(text)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(plain)}
    without_declarations = _DECLARED.sub(lambda m: " " * len(m.group(0)), plain)
    problems: dict[str, Problem] = {}
    for match in _USED.finditer(without_declarations):
        prefix = match.group(1) or ""
        if prefix not in declared and prefix not in problems and prefix != "_":
            problems[prefix] = Problem("prefix", prefix, _line(plain, match.start()))
    return list(problems.values())


def unbalanced(text: str) -> Problem | None:
    """The first bracket that is never closed, or a closing bracket with none open; None when they balance."""
    plain = _blanked(text)
    stack: list[tuple[str, int]] = []
    for offset, char in enumerate(plain):
        if char in _OPEN:
            stack.append((char, offset))
        elif char in _CLOSE:
            if not stack or stack[-1][0] != _CLOSE[char]:
                if stack and any(opened == _CLOSE[char] for opened, _ in stack):
                    opened, at = stack[-1]  # e.g. `{ ( }`: the ( is the one left open
                    return Problem("missing", opened, _line(plain, at))
                return Problem("unexpected", char, _line(plain, offset))
            stack.pop()
    if stack:
        opened, at = stack[-1]
        return Problem("missing", opened, _line(plain, at))
    return None


def explain(text: str, known: dict[str, str] | None = None) -> str | None:
    """A readable reason why the text does not parse, when one of the checks finds it; else None."""
    problem = unbalanced(text)
    if problem:
        return problem.message(known)
    prefixes = undeclared_prefixes(text)
    if prefixes:
        return " ".join(p.message(known) for p in prefixes)
    return None
