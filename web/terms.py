"""RDF terms shown to people: IRIs as prefixed names (or labels) linking to their page here, literals with their
language or datatype; and query answers as tables of such cells."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from l4a.graph.namespaces import PREFIXES, XSD
from l4a.graph.store.base import QueryResult, Row, Solutions, Term, Triples

NUMBERS = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger",
                              "positiveInteger")}  # fmt: skip
PLAIN_TYPES = NUMBERS | {XSD + "string"}
LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


@dataclass(frozen=True)
class Cell:
    """One term as shown: its text, where it links, a note (language tag, datatype), and its kind."""

    text: str
    href: str | None = None
    note: str = ""
    kind: str = "literal"  # iri, bnode, literal, number or triple


@dataclass
class Table:
    """An answer shown as a table (a boolean for ASK)."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell | None]] = field(default_factory=list)
    boolean: bool | None = None


def short_iri(iri: str) -> str:
    """`l4a:Hub` for https://w3id.org/l4a/ontology#Hub; the IRI itself when no prefix fits."""
    for prefix, namespace in LONGEST_FIRST:
        local = iri.removeprefix(namespace)
        if local != iri and local and all(c.isalnum() or c in "_-." for c in local):
            return f"{prefix}:{local}"
    return iri


def local_href(iri: str, base: str) -> str | None:
    """Where an IRI is shown: its path on this server when it is under the base IRI, else the IRI itself."""
    if iri.startswith(base):
        return "/" + iri.removeprefix(base)
    return iri if iri.lower().startswith(("http://", "https://")) else None  # never javascript:, data:, ...


def cell(term: Term | ox.Triple, base: str, label: Callable[[str], str] | None = None) -> Cell:
    """A term as a cell; IRIs by label when `label` is given, else as prefixed names."""
    if isinstance(term, ox.NamedNode):
        return Cell(label(term.value) if label else short_iri(term.value), local_href(term.value, base), "", "iri")
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}", None, "", "bnode")
    if isinstance(term, ox.Triple):
        return Cell(f"<< {term} >>", None, "", "triple")
    plain = term.datatype.value in PLAIN_TYPES  # text and numbers read as themselves: no ^^xsd:... after them
    note = term.language or ("" if plain else short_iri(term.datatype.value))
    return Cell(term.value, None, note, "number" if term.datatype.value in NUMBERS else "literal")


def row_cells(row: Row, columns: Sequence[str], base: str) -> list[Cell | None]:
    """A result row's cells in column order (None where unbound)."""
    return [cell(row[c], base) if c in row else None for c in columns]


def results_table(result: QueryResult, base: str) -> Table:
    """Any answer as a table: SELECT rows, ASK's boolean, or CONSTRUCT's triples as subject, predicate, object."""
    if isinstance(result, bool):
        return Table(boolean=result)
    if isinstance(result, Solutions):
        return Table(result.variables, [row_cells(r, result.variables, base) for r in result.rows])
    assert isinstance(result, Triples)
    rows: list[list[Cell | None]] = [
        [cell(t.subject, base), cell(t.predicate, base), cell(t.object, base)] for t in result.triples
    ]
    return Table(["subject", "predicate", "object"], rows)
