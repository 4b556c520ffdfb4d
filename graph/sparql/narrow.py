"""Named queries answered from their unfiltered answer: `# narrow:` headers.

`evidence-for` with a filter bound reads every evidence record of every hub and tests the filter on each (2.4 s on
10k hubs, for each new value), while its unfiltered answer is kept once per write (`l4a prepare` makes it). Its
filters each test one part of a row only: the hub filters (sdg, manifesto, council, section) the row's hub, the date
filters (from, to) the row's record and date. So the answer with filters bound is the unfiltered answer, keeping the
rows whose hub passes the hub filters and whose record and date pass the date filters, with the bound values as
their columns, as the query gives them.

A header `# narrow: COLUMNS | INTERNAL` says so for the parameters of queries/internal/INTERNAL.rq, and
`# narrow: P | =` for a parameter P that is a variable of the query's patterns only (never of a FILTER), projected
as the column P of a SELECT DISTINCT: binding it keeps the solutions whose P is that value, so the answer with P
bound is the unfiltered answer's rows whose column P holds it (`hubs-by-sdg`: the hubs of one goal or target). The
unfiltered answer of such a query, P left unbound, holds every value's rows at once.

- `# narrow: COLUMNS | INTERNAL`: the internal query holds the named query's FILTER lines on its parameters, word
  for word, and runs with those bound: its answer is the values of COLUMNS that pass (a period: `from`, `to`).
- `# narrow: COLUMNS | INTERNAL | pairs`: the named query tests its one parameter P with `EXISTS { pattern }` on
  COLUMNS; the internal query holds those patterns, word for word, and runs once per write with nothing bound: its
  answer is every (COLUMNS, P) for which the test holds, so a value of P is a lookup (an SDG, a manifesto, ...).

The unfiltered answer is cut in its compact form (graph/sparql/compact_rows.py, kept beside it): reading it and
testing each row's key takes a fraction of reading the rows as terms, and only the rows kept become terms again.

Tests compare the lines and patterns, and both answers row for row for every filter value of a store with odd
dates. A call narrows when every bound parameter is one of the narrowings' parameters; each narrowing with a bound
parameter is applied. Only once the unfiltered answer is kept for the store's state (`l4a prepare` makes it after a
write; graph/sparql/queries.py checks): before that, on a store that keeps nothing (a SPARQL server) and with
`--include-suggested`, the query itself runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from l4a.graph.resources import internal_query
from l4a.graph.sparql.compact_rows import CompactRows, Encoded, compact, encode
from l4a.graph.sparql.query_file import NamedQuery, Narrowing, parse_query_file
from l4a.graph.store.base import Row, Store, Term
from l4a.graph.store.derived import derived

Key = tuple[Term | None, ...]


@dataclass(frozen=True)
class Step:
    """One narrowing to apply: its header line, the internal query, and the bound values it tests."""

    narrowing: Narrowing
    query: NamedQuery
    bindings: dict[str, Term]


@cache
def _internal(name: str) -> NamedQuery:
    return parse_query_file(name, internal_query(name))


def plan(query: NamedQuery, bindings: dict[str, Term]) -> list[Step] | None:
    """The narrowings for these bindings; None when some bound parameter is not one any narrowing tests."""
    steps, covered = [], set()
    for narrowing in query.narrow:
        internal = query if narrowing.equal else _internal(narrowing.query)
        own = set(narrowed_parameters(narrowing))
        given = {k: v for k, v in bindings.items() if k in own}
        covered |= own
        if given:
            steps.append(Step(narrowing, internal, given))
    if not steps or set(bindings) - covered:
        return None
    return steps


def narrowed_parameters(narrowing: Narrowing) -> list[str]:
    """The parameters a narrowing tests: its column (`=`), or its internal query's."""
    return list(narrowing.columns) if narrowing.equal else [p.name for p in _internal(narrowing.query).parameters]


def compact_name(whole_key: str) -> str:
    """The name the unfiltered answer kept under `whole_key` is kept under in compact form."""
    return f"narrow-compact\t{whole_key}"


def compact_answer(store: Store, whole_key: str, read_whole: Callable[[], list[Row]]) -> CompactRows:
    """The unfiltered answer (kept under `whole_key`, read by `read_whole`) in compact form: once per write."""
    return derived(store, compact_name(whole_key), lambda: compact(read_whole()), shared=True)


def narrowed(store: Store, every: CompactRows, steps: list[Step], bindings: dict[str, Term]) -> CompactRows:
    """The rows of `every` (the unfiltered answer) that pass each step, the bound values set as their columns, in
    compact form (Decoder().rows gives them as terms)."""
    kept = every.rows
    for step in steps:
        columns = step.narrowing.columns
        allowed: set[Key]
        if step.narrowing.equal:  # the rows whose column holds the bound value
            allowed = {tuple(step.bindings[column] for column in columns)}
        elif step.narrowing.pairs:
            [(parameter, value)] = step.bindings.items()
            allowed = pairs(store, step.query, columns, parameter).get(value, set())
        else:
            allowed = {tuple(map(row.get, columns)) for row in store.select(step.query.text, step.bindings)}
        wanted = {tuple(map(encode, key)) for key in allowed}
        positions = every.key(columns)
        kept = [row for row in kept if _key(row, positions) in wanted]
    return every.with_values(kept, {name: encode(value) for name, value in bindings.items()})


def _key(row: tuple[Encoded, ...], positions: list[int | None]) -> tuple[Encoded, ...]:
    return tuple(None if i is None else row[i] for i in positions)


def pairs(store: Store, query: NamedQuery, columns: tuple[str, ...], parameter: str) -> dict[Term, set[Key]]:
    """A pairs query's answer with nothing bound, by the parameter's value: once per write (graph/store/derived.py)."""

    def read() -> dict[Term, set[Key]]:
        found: dict[Term, set[Key]] = {}
        for row in store.select(query.text):
            if parameter in row:
                found.setdefault(row[parameter], set()).add(tuple(map(row.get, columns)))
        return found

    return derived(store, f"narrow-pairs:{query.name}:{' '.join(columns)}:{parameter}\t{query.text}", read, shared=True)


def prepare_narrowing(
    store: Store, query: NamedQuery, whole_key: str, read_whole: Callable[[], list[Row]]
) -> CompactRows:
    """Keep what a filtered call of a named query is cut from (`l4a prepare`): its unfiltered answer in compact form
    (given back) and every pairs table, so a first filtered call finds them kept."""
    every = compact_answer(store, whole_key, read_whole)
    for narrowing in query.narrow:
        if narrowing.pairs:
            internal = _internal(narrowing.query)
            for parameter in internal.parameters:
                pairs(store, internal, narrowing.columns, parameter.name)
    return every
