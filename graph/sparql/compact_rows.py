"""A query's rows in a compact form of plain strings, quick to read back from the disk and to test without making a
term object for each value: the form a narrowed named query cuts its answer from (graph/sparql/narrow.py).

Reading 46k rows of pyoxigraph terms from a pickle takes 0.4-0.8 s on 10k hubs (each literal is rebuilt with its
own datatype node); the same rows as strings and tuples 0.13 s. A narrowed answer keeps a few thousand of them, and
only those are made into terms again.

Each value is encoded so that two values are equal exactly when their terms are:
- an IRI: its string;
- a literal: (lexical form, "@" + language) or (lexical form, datatype IRI), a datatype IRI never starting with "@";
- a blank node: (its id,);
- anything else (a quoted triple): (the term, None, None), kept as it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import pyoxigraph as ox

from l4a.graph.store.base import Row, Term

Encoded = str | tuple[object, ...] | None


@dataclass(frozen=True)
class CompactRows:
    """Rows as tuples of encoded values, one per column (None: unbound), in the answer's order."""

    columns: tuple[str, ...]
    rows: list[tuple[Encoded, ...]]

    def key(self, columns: tuple[str, ...]) -> list[int | None]:
        """The positions of these columns in a row (None for a column no row binds)."""
        return [self.columns.index(c) if c in self.columns else None for c in columns]

    def distinct(self, columns: tuple[str, ...]) -> list[tuple[Encoded, ...]]:
        """The distinct keys of these columns in the rows, in the order they first appear, none with a column
        unbound."""
        positions = self.key(columns)
        if None in positions:
            return []
        keys = dict.fromkeys(tuple(row[i] for i in positions if i is not None) for row in self.rows)
        return [key for key in keys if None not in key]

    def with_values(self, rows: list[tuple[Encoded, ...]], values: dict[str, Encoded]) -> CompactRows:
        """Some of these rows, each with the given columns set to the given (encoded) values, as `row | values`
        does to a row of terms."""
        columns = self.columns + tuple(name for name in values if name not in self.columns)
        positions = {name: columns.index(name) for name in values}
        out = []
        for row in rows:
            cells = list(row) + [None] * (len(columns) - len(row))
            for name, value in values.items():
                cells[positions[name]] = value
            out.append(tuple(cells))
        return CompactRows(columns, out)


def plain(value: Encoded) -> str:
    """The text of an encoded value, as a term's `.value` gives it (an IRI, a literal's lexical form, a blank node's
    id); a quoted triple as its N-Triples text."""
    if isinstance(value, str):
        return value
    assert value is not None
    return str(value[0])


def plain_rows(compact_rows: CompactRows, start: int = 0, stop: int | None = None) -> list[dict[str, str]]:
    """Rows `start` to `stop` as plain text by column (unbound columns left out), without making a term: what a
    page that shows the values needs."""
    names = compact_rows.columns
    return [
        {n: plain(v) for n, v in zip(names, row, strict=True) if v is not None}
        for row in compact_rows.rows[start:stop]
    ]


def encode(term: Term | None) -> Encoded:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return (term.value, "@" + term.language) if term.language else (term.value, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return (term.value,)
    return (term, None, None)


def compact(rows: list[Row]) -> CompactRows:
    """The rows in compact form (columns in the order they first appear)."""
    columns = tuple(dict.fromkeys(name for row in rows for name in row))
    return CompactRows(columns, [tuple(encode(row.get(name)) for name in columns) for row in rows])


class Decoder:
    """Terms back from encoded values; one term per value, shared by the rows that hold it (a hub's IRI, a kind,
    a date repeat), and one node per datatype."""

    def __init__(self) -> None:
        self._datatypes: dict[str, ox.NamedNode] = {}
        self._terms: dict[Encoded, Term] = {}

    def term(self, value: Encoded) -> Term:
        term = self._terms.get(value)
        if term is None:
            term = self._terms[value] = self._make(value)
        return term

    def _make(self, value: Encoded) -> Term:
        if isinstance(value, str):
            return ox.NamedNode(value)
        assert value is not None
        if len(value) == 1:
            return ox.BlankNode(str(value[0]))
        if len(value) == 3:
            kept: Term = value[0]  # type: ignore[assignment]
            return kept
        lexical, kind = str(value[0]), str(value[1])
        if kind.startswith("@"):
            return ox.Literal(lexical, language=kind[1:])
        datatype = self._datatypes.get(kind)
        if datatype is None:
            datatype = self._datatypes[kind] = ox.NamedNode(kind)
        return ox.Literal(lexical, datatype=datatype)

    def rows(self, compact_rows: CompactRows) -> list[Row]:
        names = compact_rows.columns
        term = self.term
        return [{n: term(v) for n, v in zip(names, row, strict=True) if v is not None} for row in compact_rows.rows]


class DecodedRows(Sequence[Row]):
    """Compact rows read as rows of terms, each made when it is read: a page showing 100 rows of an answer of 92k
    (a goal's evidence at 100k hubs) makes 100 rows of terms, not 92k (a second, and their memory)."""

    CHUNK = 1000  # rows decoded at once while iterating

    def __init__(self, compact_rows: CompactRows) -> None:
        self.compact = compact_rows

    def __len__(self) -> int:
        return len(self.compact.rows)

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> DecodedRows: ...

    def __getitem__(self, index: int | slice) -> Row | DecodedRows:
        if isinstance(index, slice):  # still made when read
            return DecodedRows(CompactRows(self.compact.columns, self.compact.rows[index]))
        return Decoder().rows(CompactRows(self.compact.columns, [self.compact.rows[index]]))[0]

    def __eq__(self, other: object) -> bool:  # equal to the list of the same rows, as a list of them is
        if not isinstance(other, (list, DecodedRows)):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __iter__(self) -> Iterator[Row]:
        decoder, rows = Decoder(), self.compact.rows
        for start in range(0, len(rows), self.CHUNK):
            yield from decoder.rows(CompactRows(self.compact.columns, rows[start : start + self.CHUNK]))
