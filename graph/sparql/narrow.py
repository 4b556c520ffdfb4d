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
  for word, over a table of the values of COLUMNS (`?value <urn:l4a:column:C> ?C`): every distinct key of COLUMNS in
  the unfiltered answer, held in a small store in memory. Run there with the parameters bound, the engine itself
  decides the lines on each distinct key (a period: `from`, `to`, on the dates), never on the whole store (at 100k
  hubs, 1.4 s for each period; on the table, a few ms). A key with a column unbound is not in the table: it never
  passes (the lines compare the column: a record without a date fails a period).
  Its rows are also kept in parts, by the years of COLUMNS (graph/sparql/narrow_parts.py), so a period reads the
  parts holding a passing key only, not the whole answer (147 MB at 100k hubs).
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

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from l4a.graph.resources import internal_query
from l4a.graph.sparql.compact_rows import CompactRows, Decoder, Encoded, compact, encode
from l4a.graph.sparql.narrow_parts import Parts, keep_parts, read_parts
from l4a.graph.sparql.query_file import NamedQuery, Narrowing, parse_query_file
from l4a.graph.store.base import Row, Store, Term
from l4a.graph.store.derived import derived, is_kept

Key = tuple[Term | None, ...]
COLUMN = "urn:l4a:column:"  # the predicate of column C in a values table: <urn:l4a:column:C>
ROW = "urn:l4a:value:"  # its subjects, one per distinct key


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


def narrowed(
    store: Store,
    every: CompactRows,
    steps: list[Step],
    bindings: dict[str, Term],
    decided: dict[tuple[str, ...], set[tuple[Encoded, ...]]] | None = None,
) -> CompactRows:
    """The rows of `every` (the unfiltered answer, or the parts of it that hold every row a values step can keep)
    that pass each step, the bound values set as their columns, in compact form (Decoder().rows gives them as
    terms). `decided`: the keys (encoded) that pass a values step's columns, decided on the whole answer's values
    (else on `every`'s)."""
    kept = every.rows
    for step in steps:
        columns = step.narrowing.columns
        wanted = (decided or {}).get(columns) if step.narrowing.values else None
        if wanted is None:
            wanted = {tuple(map(encode, key)) for key in _allowed(store, every, step)}
        positions = every.key(columns)
        kept = [row for row in kept if _key(row, positions) in wanted]
    return every.with_values(kept, {name: encode(value) for name, value in bindings.items()})


def _allowed(store: Store, every: CompactRows, step: Step) -> set[Key]:
    """The keys of a step's columns that pass it: the bound value itself (`=`), a pairs lookup, or (values) the
    internal query run on the table of `every`'s distinct values."""
    columns = step.narrowing.columns
    if step.narrowing.equal:  # the rows whose column holds the bound value
        return {tuple(step.bindings[column] for column in columns)}
    if step.narrowing.pairs:
        [(parameter, value)] = step.bindings.items()
        return pairs(store, step.query, columns, parameter).get(value, set())
    return passing(value_table(every.distinct(columns), columns), step)


def value_table(keys: Iterable[tuple[Encoded, ...]], columns: tuple[str, ...]) -> Store:
    """A store in memory holding each key (a tuple of encoded values of `columns`, none unbound) as one subject with
    a triple `<urn:l4a:column:C> value` per column: what a values narrowing's internal query reads."""
    from l4a.graph.store.embedded import EmbeddedStore

    decoder, quads = Decoder(), []
    for number, key in enumerate(keys):
        subject = ox.NamedNode(f"{ROW}{number}")
        for name, value in zip(columns, key, strict=True):
            term = decoder.term(value)
            if isinstance(term, ox.Triple):
                break  # a quoted triple: not a value a period compares (the query's own filter errs on it)
            quads.append(ox.Quad(subject, ox.NamedNode(COLUMN + name), term, ox.DefaultGraph()))
    table = EmbeddedStore.in_memory()
    table.add_quads(quads)
    return table


def passing(table: Store, step: Step) -> set[Key]:
    """The keys of a values table that pass a values step: its internal query run on the table, its parameters bound."""
    columns = step.narrowing.columns
    return {tuple(map(row.get, columns)) for row in table.select(step.query.text, step.bindings)}


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


def cut_kept(
    store: Store,
    query: NamedQuery,
    whole_key: str,
    read_whole: Callable[[], list[Row]],
    steps: list[Step],
    bindings: dict[str, Term],
) -> CompactRows:
    """The answer of `query` with `bindings` cut from its unfiltered answer, kept under `whole_key`: with a values
    step (a period), from the parts whose years hold a value that passes (graph/sparql/narrow_parts.py), never the
    whole answer."""
    every = functools.partial(compact_answer, store, whole_key, read_whole)
    bound = [step for step in steps if step.narrowing.values]
    if not bound:
        return narrowed(store, every(), steps, bindings)
    parts = keep_parts(store, whole_key, values_columns(query), every)
    passes: dict[tuple[str, ...], set[tuple[Encoded, ...]]] = {}
    for step in bound:  # decided once, on every distinct value: which parts to read, then which of their rows
        table = _table(store, whole_key, parts, step.narrowing.columns)
        passes[step.narrowing.columns] = {tuple(map(encode, key)) for key in passing(table, step)}
    wanted = parts.wanted(passes)
    some = every() if parts.most(wanted) else read_parts(store, whole_key, parts, wanted, every)
    return narrowed(store, some, steps, bindings, passes)


def values_columns(query: NamedQuery) -> list[tuple[str, ...]]:
    """The columns of each values narrowing of a query, in order: what its parts are keyed by."""
    return [narrowing.columns for narrowing in query.narrow if narrowing.values]


def _table(store: Store, whole_key: str, parts: Parts, columns: tuple[str, ...]) -> Store:
    """The values table of a narrowing's columns (every distinct value of the unfiltered answer), in this process's
    memory once made."""
    name = f"narrow-values\t{' '.join(columns)}\t{whole_key}"
    return derived(store, name, functools.partial(value_table, parts.values[columns], columns), memory_only=True)


def prepare_narrowing(store: Store, query: NamedQuery, whole_key: str, read_whole: Callable[[], list[Row]]) -> None:
    """Keep what a filtered call of a named query is cut from (`l4a prepare`): its unfiltered answer in compact form,
    every pairs table and the parts of each values narrowing, so a first filtered call finds them kept. The whole
    answer is read only for what is not kept yet."""
    every = functools.partial(compact_answer, store, whole_key, read_whole)
    if not is_kept(store, compact_name(whole_key)):
        every()
    for narrowing in query.narrow:
        if narrowing.pairs:
            internal = _internal(narrowing.query)
            for parameter in internal.parameters:
                pairs(store, internal, narrowing.columns, parameter.name)
    if values_columns(query):
        keep_parts(store, whole_key, values_columns(query), every)
