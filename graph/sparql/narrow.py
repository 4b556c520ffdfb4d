"""Named queries answered from their unfiltered answer: a `# narrow:` header.

`evidence-for` with a filter bound reads every evidence record of every hub and tests the filter on each (2.4 s on
10k hubs, for each new value), while its unfiltered answer is kept once per write (`l4a prepare` makes it). Its
filters each test one part of a row only: the hub filters (sdg, manifesto, council, section) the row's hub, the date
filters (from, to) the row's record and date. So the answer with filters bound is the unfiltered answer, keeping the
rows whose hub is among the hubs passing the hub filters, and whose record and date are among those passing the date
filters, with the bound values as their columns, as the query gives them.

A header `# narrow: COLUMNS | INTERNAL` says so: the internal query (queries/internal/INTERNAL.rq, its filters the
named query's own lines, word for word: a test compares them, and compares both answers on data) gives the values
of COLUMNS that pass the filters on its parameters. A call narrows when every bound parameter is one of the narrowing
queries' parameters; each narrowing query that has a bound parameter runs with those bound. Only for stores whose
values are kept per state (the unfiltered answer is read once per write, not per call); otherwise, and with
`--include-suggested`, the query itself runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from l4a.graph.resources import internal_query
from l4a.graph.sparql.query_file import NamedQuery, parse_query_file
from l4a.graph.store.base import Row, Store, Term


@dataclass(frozen=True)
class Step:
    """One narrowing: the columns it tests, the internal query's text and the bindings it runs with."""

    columns: tuple[str, ...]
    text: str
    bindings: dict[str, Term]


@cache
def _internal(name: str) -> NamedQuery:
    return parse_query_file(name, internal_query(name))


def plan(query: NamedQuery, bindings: dict[str, Term]) -> list[Step] | None:
    """The narrowings for these bindings; None when some bound parameter is not one any narrowing tests."""
    steps, covered = [], set()
    for columns, name in query.narrow:
        internal = _internal(name)
        own = {p.name for p in internal.parameters}
        given = {k: v for k, v in bindings.items() if k in own}
        covered |= own
        if given:
            steps.append(Step(columns, internal.text, given))
    if not steps or set(bindings) - covered:
        return None
    return steps


def narrowed(store: Store, every: list[Row], steps: list[Step], bindings: dict[str, Term]) -> list[Row]:
    """The rows of `every` (the unfiltered answer) that pass each step, the bound values set as their columns."""
    passing = []
    for step in steps:
        found = store.select(step.text, step.bindings)
        passing.append((step.columns, {tuple(row.get(c) for c in step.columns) for row in found}))
    return [
        {**row, **bindings}
        for row in every
        if all(tuple(row.get(c) for c in columns) in allowed for columns, allowed in passing)
    ]
