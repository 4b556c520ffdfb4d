"""The named SPARQL queries of queries/*.rq: their headers, their parameters, and running them with bound values."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from functools import cache

import pyoxigraph as ox

from l4a.graph.errors import UsageError
from l4a.graph.namespaces import DEFAULT_BASE, SDG
from l4a.graph.resources import queries_dir
from l4a.graph.sparql.compact_rows import CompactRows, DecodedRows, Decoder, Encoded, compact, encode
from l4a.graph.sparql.narrow import (
    compact_answer,
    compact_name,
    cut_kept,
    narrowed,
    narrowed_parameters,
    plan,
    prepare_narrowing,
)
from l4a.graph.sparql.query_file import NamedQuery, Parameter, parse_query_file
from l4a.graph.store.base import Row, Store, Term
from l4a.graph.store.derived import derived, is_kept
from l4a.graph.store.sparql_text import query_form

SDG_NOTATION = re.compile(r"^(?:(?:sdg|target|goal)\s*)?(\d{1,2}(?:\.[0-9a-z]{1,2})?)$", re.IGNORECASE)


@cache
def named_queries() -> dict[str, NamedQuery]:
    """Every shipped named query, by name (the file stem), read once.

    Not the internal ones: queries/internal/*.rq (a folder, not listed here) and any file marked `# internal: true`.
    """
    found = {}
    for item in sorted(queries_dir().iterdir(), key=lambda f: f.name):
        if item.is_file() and item.name.endswith(".rq"):
            name = item.name.removesuffix(".rq")
            query = parse_query_file(name, item.read_text(encoding="utf-8"))
            if not query.internal:
                found[name] = query
    return found


@cache
def suggested_variants() -> dict[str, NamedQuery]:
    """queries/suggested/<name>.rq: the named query <name> counting pending suggestions too, each row that came
    from one marked in a `suggested` column; only where a query has a sensible way to count them."""
    folder = queries_dir() / "suggested"
    return {
        item.name.removesuffix(".rq"): parse_query_file(item.name.removesuffix(".rq"), item.read_text(encoding="utf-8"))
        for item in sorted(folder.iterdir(), key=lambda f: f.name)
        if item.is_file() and item.name.endswith(".rq")
    }


def get_query(name: str, include_suggested: bool = False) -> NamedQuery:
    """The named query (its variant counting suggestions, if asked), or a UsageError listing the known names."""
    queries = named_queries()
    if name not in queries:
        raise UsageError(f"there is no query named {name!r}; known: {', '.join(queries)}.")
    if include_suggested:
        variants = suggested_variants()
        if name not in variants:
            raise UsageError(
                f"query {name!r} has no way to count suggestions; --include-suggested works with "
                f"{', '.join(variants)}."
            )
        return variants[name]
    return queries[name]


def _iri(value: str, what: str) -> ox.NamedNode:
    bad = not value.startswith(("http://", "https://")) or any(c in value for c in ' <>"{}|^`\\')
    if bad or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise UsageError(f"{what} {value!r} is not an IRI; give an absolute http(s) IRI.")
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise UsageError(f"{what} {value!r} is not an IRI ({exc}); give an absolute http(s) IRI.") from exc


def convert(parameter: Parameter, value: str, base: str = DEFAULT_BASE) -> Term:
    """A parameter value as an RDF term, checked for its type (never pasted into the query)."""
    what = f"parameter '{parameter.name}'"
    kind = parameter.kind
    if kind == "sdg":
        match = SDG_NOTATION.match(value.strip())
        if match:
            return ox.NamedNode(SDG + match.group(1).lower())
        return _iri(value, what)
    if kind in ("hub", "council", "manifesto", "section", "org"):
        if re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
            return ox.NamedNode(f"{base}id/{kind}/{value}")
        return _iri(value, what)
    if kind == "iri":
        return _iri(value, what)
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            raise UsageError(f"{what} must be an integer; got {value!r}.")
        return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if kind == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise UsageError(f"{what} must be a date like 2024-01-31; got {value!r}.")
        return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    if kind == "string":
        return ox.Literal(value)
    raise UsageError(f"{what} has the unknown type {kind!r} in its query file.")


def bind_parameters(query: NamedQuery, given: dict[str, str], base: str = DEFAULT_BASE) -> dict[str, Term]:
    """The bindings for the given values: unknown or missing required parameters are errors naming the expected ones."""
    expected = ", ".join(f"{p.name} ({p.kind}{'' if p.required else ', optional'})" for p in query.parameters)
    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise UsageError(f"query {query.name!r} has no parameter {', '.join(unknown)}; expected: {expected or 'none'}.")
    missing = [p.name for p in query.parameters if p.required and p.name not in given]
    if missing:
        raise UsageError(f"query {query.name!r} needs {', '.join(missing)}; expected: {expected}.")
    return {name: convert(known[name], value, base) for name, value in given.items()}


def check_known(store: Store, kinds: dict[str, str], bindings: dict[str, Term]) -> None:
    """graph/sparql/known_values.py, imported when used (it reads a query file through this module's neighbours)."""
    from l4a.graph.sparql.known_values import check_known as check

    check(store, kinds, bindings)


def run_named_query(
    store: Store, name: str, given: dict[str, str], base: str = DEFAULT_BASE, include_suggested: bool = False
) -> list[Row]:
    """Rows of a named query with its parameters bound (a CONSTRUCT gives subject, predicate, object rows); with
    `include_suggested`, its variant counting pending suggestions (rows from one marked in `suggested`)."""
    query, bindings = _bound(store, name, given, base, include_suggested)
    return _rows(store, name, query, bindings, base, include_suggested)


def named_query_rows(
    store: Store, name: str, given: dict[str, str], base: str = DEFAULT_BASE, include_suggested: bool = False
) -> Sequence[Row]:
    """The rows `run_named_query` gives; where they are cut from a kept answer, made into terms only as they are
    read (compact_rows.py `DecodedRows`): for a page that shows a hundred of them."""
    query, bindings = _bound(store, name, given, base, include_suggested)
    cut = _kept_cut(store, name, query, bindings, base) if bindings and not include_suggested else None
    if cut is not None:
        return DecodedRows(cut())
    return _rows(store, name, query, bindings, base, include_suggested)


def named_query_compact(store: Store, name: str, given: dict[str, str], base: str = DEFAULT_BASE) -> CompactRows:
    """The rows of a named query in compact form (graph/sparql/compact_rows.py), made without a term where `l4a
    prepare` kept its unfiltered answer (the answer itself, or a cut of it): a page showing a few values of
    thousands of rows reads strings. Else its rows of terms, compacted."""
    query, bindings = _bound(store, name, given, base, False)
    whole = _whole_key(name, False, query.text)
    if not bindings and query.narrow and is_kept(store, whole):
        return compact_answer(store, whole, lambda: _whole_rows(store, name, base))
    cut = _kept_cut(store, name, query, bindings, base) if bindings else None
    return cut() if cut is not None else compact(_rows(store, name, query, bindings, base, False))


def _bound(
    store: Store, name: str, given: dict[str, str], base: str, include_suggested: bool
) -> tuple[NamedQuery, dict[str, Term]]:
    """The named query (or its variant counting suggestions) and its given values bound and checked."""
    query = get_query(name, include_suggested)
    bindings = bind_parameters(query, given, base)
    check_known(store, {p.name: p.kind for p in query.parameters}, bindings)  # unknown names: an error, not 0 rows
    return query, bindings


def _rows(
    store: Store, name: str, query: NamedQuery, bindings: dict[str, Term], base: str, include_suggested: bool
) -> list[Row]:
    """The rows of a bound named query: cut from the kept unfiltered answer where it can be, else run."""
    # The answer depends only on the store's state, the text and the bound values (no named query reads the clock):
    # kept once per state of the store (graph/store/derived.py), so a page or a brief asks the store once per write.
    key = _answer_key(name, include_suggested, query.text, bindings)
    if bindings and not include_suggested:
        cut = _kept_cut(store, name, query, bindings, base)
        if cut is not None:
            # Kept on the disk in compact form (quick to write and read back, where 19k rows of terms took 0.7 s
            # to write), and as terms in this process's memory.
            return derived(store, key, lambda: Decoder().rows(cut()), memory_only=True)
    return derived(store, key, lambda: _run(store, query.text, bindings), shared=True)


def _answer_key(name: str, include_suggested: bool, text: str, bindings: dict[str, Term]) -> str:
    values = (f"{k}={v}" for k, v in sorted(bindings.items()))
    return "\t".join([f"named:{name}", str(include_suggested), text, *values])


def _kept_cut(
    store: Store, name: str, query: NamedQuery, bindings: dict[str, Term], base: str
) -> Callable[[], CompactRows] | None:
    """How to read the answer with these values bound as a cut of the kept unfiltered answer (graph/sparql/
    narrow.py), kept on the disk in compact form; None when it cannot be cut (nothing kept yet for this state, or
    a value no narrowing covers): then the query runs itself, as quick as ever on a first call."""
    whole = _whole_key(name, False, query.text)
    if not query.narrow or not (is_kept(store, whole) or is_kept(store, compact_name(whole))):
        return None
    steps = plan(query, bindings)
    if steps is None:
        return None
    key = _answer_key(name, False, query.text, bindings)

    def cut() -> CompactRows:
        return cut_kept(store, query, whole, functools.partial(_whole_rows, store, name, base), steps, bindings)

    return lambda: derived(store, _cut_name(key), cut)


def _cut_name(answer_key: str) -> str:
    """The name a filtered answer cut from the unfiltered one is kept under (in compact form)."""
    return f"{answer_key}\tcompact"


def _whole_rows(store: Store, name: str, base: str) -> list[Row]:
    """A narrowed query's unfiltered answer as rows of terms: kept, as any call's, when every parameter is optional;
    else (a required parameter an equality narrowing covers: `hubs-by-sdg`) the query run with it unbound, every
    value's rows at once, not kept (only its compact form is: graph/sparql/narrow.py)."""
    query = get_query(name)
    if not any(p.required for p in query.parameters):
        return run_named_query(store, name, {}, base)
    return _run(store, query.text, {})


def _whole_key(name: str, include_suggested: bool, text: str) -> str:
    return "\t".join([f"named:{name}", str(include_suggested), text])


def prepare_named_query(store: Store, name: str, base: str = DEFAULT_BASE) -> list[Row]:
    """A named query's unfiltered answer, kept (`l4a prepare`), and what its filtered calls are cut from."""
    rows = run_named_query(store, name, {}, base)
    query = get_query(name)
    if query.narrow:
        prepare_narrowing(store, query, _whole_key(name, False, query.text), lambda: rows)
    return rows


def prepare_filter_values(store: Store, name: str, base: str = DEFAULT_BASE) -> int:
    """Keep a narrowed named query's answer for every value of each parameter it narrows that names a known thing
    (every SDG goal and target, manifesto, council, section: graph/sparql/known_values.py), one parameter bound at a
    time, cut from its unfiltered answer (`l4a prepare`): a first call with any such value then reads only its own
    rows from the disk, never the whole answer. The number of answers kept."""
    from l4a.graph.sparql.known_values import known_values

    query = get_query(name)
    known = known_values(store)
    kinds = {p.name: p.kind for p in query.parameters}
    listed = []  # (narrowing, parameter, the values it can take); dates, strings: not a list of values
    for narrowing in query.narrow:
        for parameter in narrowed_parameters(narrowing):
            kind = kinds.get(parameter, "")
            names = {**known.get("goal", {}), **known.get("target", {})} if kind == "sdg" else known.get(kind, {})
            if names:
                listed.append((narrowing, parameter, {ox.NamedNode(iri) for iri in names}))
    whole = _whole_key(name, False, query.text)
    read_whole = functools.partial(_whole_rows, store, name, base)
    prepare_narrowing(store, query, whole, read_whole)  # the whole answer read only when not kept
    if not listed:  # (a period of deliverables-due: the whole answer is not read again for nothing)
        return 0
    every = compact_answer(store, whole, read_whole)
    kept = 0
    for narrowing, parameter, values in listed:
        column = every.key((parameter,))[0] if narrowing.equal else None
        groups = _by_value(every, column) if column is not None else None
        for value in sorted(values, key=lambda term: term.value):
            bindings: dict[str, Term] = {parameter: value}
            key = _cut_name(_answer_key(name, False, query.text, bindings))
            if groups is not None:  # one pass over the rows for every value (what `narrowed` keeps for each)
                rows = groups.get(encode(value), [])
                derived(store, key, functools.partial(every.with_values, rows, {parameter: encode(value)}))
            else:
                steps = plan(query, bindings)
                if steps is None:
                    continue
                derived(store, key, functools.partial(narrowed, store, every, steps, bindings))
            kept += 1
    return kept


def _by_value(every: CompactRows, column: int) -> dict[Encoded, list[tuple[Encoded, ...]]]:
    groups: dict[Encoded, list[tuple[Encoded, ...]]] = {}
    for row in every.rows:
        groups.setdefault(row[column], []).append(row)
    return groups


def load_narrowings(store: Store, base: str = DEFAULT_BASE) -> list[str]:
    """Bring into this process's memory what the filtered calls of the named queries are cut from, where `l4a
    prepare` kept it (a server's warm-up: its first filtered page then cuts at once, rather than reading it from
    the disk first); the names of the queries loaded."""
    loaded = []
    for name, query in named_queries().items():
        whole = _whole_key(name, False, query.text)
        if query.narrow and (is_kept(store, whole) or is_kept(store, compact_name(whole))):
            read_whole = functools.partial(_whole_rows, store, name, base)
            compact_answer(store, whole, read_whole)  # in memory when it is within the bound
            prepare_narrowing(store, query, whole, read_whole)
            loaded.append(name)
    return loaded


def _run(store: Store, text: str, bindings: dict[str, Term]) -> list[Row]:
    if query_form(text) in ("CONSTRUCT", "DESCRIBE"):
        rows: list[Row] = []
        for t in store.construct(text, bindings):
            subject, obj = t.subject, t.object
            if not isinstance(subject, ox.Triple) and not isinstance(obj, ox.Triple):  # no RDF-star rows
                rows.append({"subject": subject, "predicate": t.predicate, "object": obj})
        return rows
    return store.select(text, bindings)


def run_named_graph_query(store: Store, name: str, given: dict[str, str], base: str = DEFAULT_BASE) -> list[ox.Triple]:
    """The triples of a named CONSTRUCT or DESCRIBE query."""
    query = get_query(name)
    if query_form(query.text) not in ("CONSTRUCT", "DESCRIBE"):
        raise UsageError(f"query {name!r} is a {query_form(query.text)} query: use table, csv, tsv or json.")
    return store.construct(query.text, bind_parameters(query, given, base))
