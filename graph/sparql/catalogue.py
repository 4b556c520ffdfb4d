"""Named queries run for the query catalogue: each parameter checked on its own (so a form can say which field is
wrong), values bound (never pasted), rows capped, columns in their declared order; and the records a parameter of
a record kind can name (for suggestions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from l4a.graph.errors import UsageError
from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.resources import internal_query
from l4a.graph.sparql.queries import convert, get_query, named_query_rows, run_named_graph_query
from l4a.graph.sparql.query_file import NamedQuery
from l4a.graph.store.base import Row, Store
from l4a.graph.store.sparql_text import query_form

RECORD_KINDS = ("hub", "council", "manifesto", "section", "org")
RECORDS_OF_KIND = internal_query("records-of-kind")


@dataclass
class CatalogueRun:
    """A named query asked for with some values: what was wrong with them, or what it gave."""

    query: NamedQuery
    given: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)  # parameter name: missing or invalid
    columns: list[str] = field(default_factory=list)
    rows: Sequence[Row] = field(default_factory=list)  # made into terms as they are read (a page reads 100)
    truncated: bool = False

    @property
    def ran(self) -> bool:
        """Whether the query was run (every required value given, none invalid)."""
        return not self.errors

    @property
    def is_graph(self) -> bool:
        """Whether it is a CONSTRUCT or DESCRIBE (rows are subject, predicate, object)."""
        return query_form(self.query.text) in ("CONSTRUCT", "DESCRIBE")


def parameter_errors(query: NamedQuery, given: dict[str, str], base: str = DEFAULT_BASE) -> dict[str, str]:
    """For each parameter that is wrong: `missing` (required, not given) or `invalid` (not of its type)."""
    errors = {}
    for parameter in query.parameters:
        value = given.get(parameter.name)
        if value is None:
            if parameter.required:
                errors[parameter.name] = "missing"
            continue
        try:
            convert(parameter, value, base)
        except UsageError:
            errors[parameter.name] = "invalid"
    return errors


def run_for_catalogue(
    store: Store,
    name: str,
    given: dict[str, str],
    base: str = DEFAULT_BASE,
    row_cap: int | None = None,
    include_suggested: bool = False,
) -> CatalogueRun:
    """Run the named query with the given values (empty ones dropped) if they are all right; at most row_cap rows.
    With `include_suggested`, its variant counting pending suggestions (a UsageError if it has none)."""
    query = get_query(name, include_suggested)
    known = {p.name for p in query.parameters}
    values = {k: v.strip() for k, v in given.items() if k in known and v.strip()}
    run = CatalogueRun(query, values, parameter_errors(query, values, base))
    if not run.ran:
        return run
    rows = named_query_rows(store, name, values, base, include_suggested)
    run.columns = query.columns or sorted({column for row in rows for column in row})
    if run.is_graph:
        run.columns = ["subject", "predicate", "object"]
    if row_cap is not None and len(rows) > row_cap:
        rows, run.truncated = rows[:row_cap], True
    run.rows = rows
    return run


def graph_for_catalogue(store: Store, name: str, given: dict[str, str], base: str = DEFAULT_BASE) -> list[ox.Triple]:
    """The triples of a named CONSTRUCT query, for an RDF download."""
    values = {k: v.strip() for k, v in given.items() if v.strip()}
    return run_named_graph_query(store, name, values, base)


def records_of_kind(store: Store, kind: str, base: str = DEFAULT_BASE) -> list[str]:
    """The IRIs of the records of a kind (hub, council, manifesto, section, org) under the base."""
    prefix = ox.Literal(f"{base}id/{kind}/")
    return [row["s"].value for row in store.select(RECORDS_OF_KIND, {"prefix": prefix})]
