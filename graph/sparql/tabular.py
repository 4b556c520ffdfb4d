"""Query rows as a table, CSV, TSV or JSON (SPARQL 1.1 Query Results JSON)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from l4a.graph.store.base import Row, Term
from l4a.graph.text.json_text import pretty_json

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
RISKY = "=+-@\t\r"  # what a formula starts with, to a spreadsheet


def spreadsheet_safe(text: str) -> str:
    """A CSV cell that spreadsheet tools will not run: a text starting with = + - @ or a tab or carriage return
    (a formula to Excel and LibreOffice, e.g. =HYPERLINK(...)) gets a leading apostrophe, as they expect; numbers
    are left as they are."""
    if text and text[0] in RISKY and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def _cell(term: Term | None) -> str:
    return "" if term is None else term.value


def _csv_cells(row: Row, columns: Sequence[str]) -> list[str]:
    """A row's CSV cells: each value made spreadsheet-safe (a loop, not three calls a cell: 34k rows of 10 columns
    made a million calls)."""
    return _safe_cells([None if (term := row.get(column)) is None else term.value for column in columns])


def _safe_cells(texts: list[str | None]) -> list[str]:
    cells = []
    for text in texts:
        if not text:
            cells.append("")
            continue
        cells.append(spreadsheet_safe(text) if text[0] in RISKY else text)
    return cells


def plain_csv(rows: Sequence[Mapping[str, str]], columns: Sequence[str], header: bool = True) -> str:
    """Rows of plain text by column (graph/sparql/compact_rows.py `plain_rows`) as CSV: the same text rows_as gives
    for the same rows as terms, made without a term; `header`: with the line of column names."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(columns)
    writer.writerows(_safe_cells([row.get(column) for column in columns]) for row in rows)
    return out.getvalue()


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    cell = {"type": "literal", "value": term.value}
    if term.language:
        cell["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        cell["datatype"] = term.datatype.value
    return cell


def rows_as(rows: Sequence[Row], columns: Sequence[str], fmt: str) -> str:
    """The rows in `fmt`: table, csv, tsv or json."""
    if fmt == "json":
        bindings = [{k: _json_term(v) for k, v in row.items()} for row in rows]
        data = {"head": {"vars": list(columns)}, "results": {"bindings": bindings}}
        return pretty_json(data, ensure_ascii=True)  # a binding a line
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(_csv_cells(row, columns) for row in rows)
        return out.getvalue().rstrip("\n")
    widths = [max([len(c)] + [len(_cell(r.get(c))) for r in rows]) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_cell(r.get(c)).ljust(w) for c, w in zip(columns, widths, strict=True)) for r in rows]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines)
