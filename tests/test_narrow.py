"""A named query with a `# narrow:` header answers from its unfiltered answer, narrowed: exactly the rows, in the
order and with the columns the query itself gives, for every filter value, odd dates included."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from l4a.graph.build import build
from l4a.graph.errors import UsageError
from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.resources import internal_query
from l4a.graph.sparql import compact_rows, narrow, queries
from l4a.graph.sparql.compact_rows import Decoder, compact, encode, plain_rows
from l4a.graph.sparql.queries import bind_parameters, get_query, named_queries, run_named_query
from l4a.graph.sparql.query_file import parse_query_file
from l4a.graph.store import derived as derived_module
from l4a.graph.store.base import Row
from l4a.graph.store.embedded import EmbeddedStore

from .webapp import synth_quads

L4A = "https://w3id.org/l4a/ontology#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPH = ox.NamedNode("https://w3id.org/l4a/graph/hub/narrow-odd-dates")
HUB = ox.NamedNode("https://w3id.org/l4a/id/hub/synth-000001")  # a synthetic hub: it passes some hub filters


def _odd_dates() -> list[ox.Quad]:
    """Evidence records of one hub with dates of every kind a filter must treat as the query does."""
    quads = []
    dates: list[list[ox.Literal]] = [
        [],  # no date: never passes a date filter
        [ox.Literal("2021-03-01", datatype=ox.NamedNode(XSD + "date")),
         ox.Literal("2024-05-01", datatype=ox.NamedNode(XSD + "date"))],  # two dates: a row each
        [ox.Literal("2022", datatype=ox.NamedNode(XSD + "gYear"))],
        [ox.Literal("2022-06-30T10:00:00", datatype=ox.NamedNode(XSD + "dateTime"))],
        [ox.Literal("2022-06-30")],  # a plain string
        [ox.Literal("2020-01-01", datatype=ox.NamedNode(XSD + "date"))],  # on a bound
        [ox.Literal("2023-12-31+02:00", datatype=ox.NamedNode(XSD + "date"))],  # with a time zone
    ]  # fmt: skip
    for number, values in enumerate(dates):
        deliverable = ox.NamedNode(f"https://w3id.org/l4a/id/deliverable/narrow-odd-{number}")
        quads += [ox.Quad(HUB, ox.NamedNode(L4A + "hasDeliverable"), deliverable, GRAPH),
                  ox.Quad(deliverable, ox.NamedNode(DCT + "title"), ox.Literal(f"Odd {number}", language="en"),
                          GRAPH)]  # fmt: skip
        quads += [ox.Quad(deliverable, ox.NamedNode(L4A + "dueDate"), value, GRAPH) for value in values]
        record = ox.NamedNode(f"https://w3id.org/l4a/id/evidence/narrow-odd-{number}")
        quads += [ox.Quad(record, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode(L4A + "Evidence"), GRAPH),
                  ox.Quad(record, ox.NamedNode(L4A + "supports"), HUB, GRAPH),
                  ox.Quad(record, ox.NamedNode("http://schema.org/url"),
                          ox.NamedNode(f"https://example.org/odd/{number}"), GRAPH)]  # fmt: skip
        quads += [ox.Quad(record, ox.NamedNode(DCT + "date"), value, GRAPH) for value in values]
    return quads + _odd_periods()


def _odd_periods() -> list[ox.Quad]:
    """Hubs with starts and ends of every kind hubs-active-between must treat as its query does."""
    date, quads = ox.NamedNode(XSD + "date"), []
    periods: list[tuple[list[ox.Literal], list[ox.Literal]]] = [
        ([ox.Literal("2021-03-01", datatype=date)], [ox.Literal("2022-06-30", datatype=date)]),
        ([ox.Literal("2020-01-01", datatype=date)], [ox.Literal("2020-01-01", datatype=date)]),  # one day
        ([ox.Literal("2019-05-01", datatype=date), ox.Literal("2021-05-01", datatype=date)],
         [ox.Literal("2023-12-31+02:00", datatype=date)]),  # two starts; an end with a time zone
        ([ox.Literal("2022", datatype=ox.NamedNode(XSD + "gYear"))], [ox.Literal("2024-01-01", datatype=date)]),
        ([ox.Literal("2022-01-01")], [ox.Literal("2024-01-01", datatype=date)]),  # a plain string start
        ([ox.Literal("2021-01-01", datatype=date)], []),  # no end
        ([ox.Literal("2024-13-45", datatype=date)], [ox.Literal("2025-01-01", datatype=date)]),  # not a date
    ]  # fmt: skip
    for number, (starts, ends) in enumerate(periods):
        hub = ox.NamedNode(f"https://w3id.org/l4a/id/hub/narrow-odd-period-{number}")
        quads += [ox.Quad(hub, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode(L4A + "Hub"), GRAPH),
                  ox.Quad(hub, ox.NamedNode(DCT + "title"), ox.Literal(f"Odd period {number}", language="en"),
                          GRAPH)]  # fmt: skip
        quads += [ox.Quad(hub, ox.NamedNode(L4A + "startDate"), value, GRAPH) for value in starts]
        quads += [ox.Quad(hub, ox.NamedNode(L4A + "endDate"), value, GRAPH) for value in ends]
        codes: list[ox.Literal | ox.NamedNode] = [[ox.Literal("PT"), ox.Literal("br")], [ox.Literal("pt")],
                                                  [ox.NamedNode("urn:x:PT")], []][number % 4]  # fmt: skip
        quads += [ox.Quad(hub, ox.NamedNode(L4A + "countryCode"), code, GRAPH) for code in codes]
    return quads


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("narrow")
    store = EmbeddedStore.open(folder / "store")
    build(store, with_examples=True)
    store.add_quads([*synth_quads(40, seed=3), *_odd_dates()])
    store.close()
    return folder


@pytest.fixture
def store(data_dir: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore.open(data_dir / "store", read_only=True)
    yield opened
    opened.close()


def _values(store: EmbeddedStore, predicate: str) -> list[str]:
    found = store.select(f"SELECT DISTINCT ?o WHERE {{ ?hub <{L4A}{predicate}> ?o }} ORDER BY ?o")
    return [row["o"].value for row in found]


def _cases(store: EmbeddedStore) -> Iterator[dict[str, str]]:
    targets = _values(store, "addressesTarget")
    goals = sorted({t.rsplit("/", 1)[-1].split(".")[0] for t in targets})
    sdgs = [*goals, *(t.rsplit("/", 1)[-1] for t in targets[:12]), "1"]
    for sdg in sdgs:
        yield {"sdg": sdg}
    for manifesto in _values(store, "addressesManifesto"):
        yield {"manifesto": manifesto}
    for council in _values(store, "relevantCouncil"):
        yield {"council": council}
    for section in _values(store, "section"):
        yield {"section": section}
    bounds = ["2019-01-01", "2020-01-01", "2021-03-01", "2022-01-01", "2022-06-30", "2023-12-31", "2024-12-31"]
    for start, end in itertools.combinations(bounds, 2):
        yield {"from": start, "to": end}
    for bound in bounds:
        yield {"from": bound}
        yield {"to": bound}
    yield {"sdg": goals[0], "manifesto": "ecology", "from": "2021-01-01"}
    yield {"council": _values(store, "relevantCouncil")[0], "section": _values(store, "section")[0], "to": "2023-06-30"}
    yield {"sdg": "11", "manifesto": "ecology", "council": "safer-resilient-sustainable-cities", "section": "flacma",
           "from": "2020-01-01", "to": "2026-12-31"}  # fmt: skip


def test_every_filter_value_gives_the_query_s_own_rows(store: EmbeddedStore) -> None:
    query = get_query("evidence-for")
    assert query.narrow, "evidence-for lost its narrow: headers"
    narrowed_some = 0
    for given in _cases(store):
        bindings = bind_parameters(query, given, DEFAULT_BASE)
        direct = queries._run(store, query.text, bindings)
        steps = narrow.plan(query, bindings)
        assert steps is not None, given
        every = compact(run_named_query(store, "evidence-for", {}, DEFAULT_BASE))
        rows = Decoder().rows(narrow.narrowed(store, every, steps, bindings))
        assert rows == direct, f"narrowed rows differ from the query's own for {given}"
        assert run_named_query(store, "evidence-for", given, DEFAULT_BASE) == direct, given
        narrowed_some += bool(direct) and len(direct) < len(run_named_query(store, "evidence-for", {}, DEFAULT_BASE))
    assert narrowed_some > 20  # the cases do filter (not all empty, not all everything)


def test_every_period_gives_deliverables_due_s_own_rows(store: EmbeddedStore) -> None:
    query = get_query("deliverables-due")
    assert query.narrow, "deliverables-due lost its narrow: header"
    every = run_named_query(store, "deliverables-due", {}, DEFAULT_BASE)
    assert any("narrow-odd" in row["item"].value for row in every)
    cases = [given for given in _cases(store) if set(given) <= {"from", "to"}]
    filtered = 0
    for given in cases:
        bindings = bind_parameters(query, given, DEFAULT_BASE)
        direct = queries._run(store, query.text, bindings)
        steps = narrow.plan(query, bindings)
        assert steps is not None
        assert Decoder().rows(narrow.narrowed(store, compact(every), steps, bindings)) == direct, given
        assert run_named_query(store, "deliverables-due", given, DEFAULT_BASE) == direct, given
        filtered += 0 < len(direct) < len(every)
    assert filtered > len(cases) // 2


def test_every_period_gives_hubs_active_between_s_own_rows(store: EmbeddedStore) -> None:
    """Its unfiltered answer (both bounds required: the query run with neither, in `l4a prepare`) cut to a period,
    through the parts by year and the table of (start, end) pairs, is the query's own answer, odd dates included."""
    query = get_query("hubs-active-between")
    assert [n.values for n in query.narrow] == [True, True], "hubs-active-between lost its narrow: header"
    queries.prepare_filter_values(store, "hubs-active-between", DEFAULT_BASE)
    whole = queries._whole_key("hubs-active-between", False, query.text)
    assert derived_module.is_kept(store, narrow.compact_name(whole))
    bounds = ["2019-01-01", "2020-01-01", "2021-03-01", "2022-01-01", "2022-06-30", "2023-12-31", "2024-12-31"]
    cases = [*itertools.combinations(bounds, 2), *((b, b) for b in bounds), ("2024-01-01", "2019-01-01")]
    odd, filtered = set(), 0
    for start, end in cases:
        given = {"from": start, "to": end}
        direct = queries._run(store, query.text, bind_parameters(query, given))
        rows = run_named_query(store, "hubs-active-between", given, DEFAULT_BASE)
        assert rows == direct, given
        odd |= {row["hub"].value.rsplit("-", 1)[-1] for row in rows if "narrow-odd-period" in row["hub"].value}
        filtered += bool(rows)
    assert filtered > len(cases) // 2
    assert odd == {"0", "1", "2"}, odd  # the others: a start or end not an xsd:date, or none


def test_the_odd_dates_are_kept_or_left_as_the_query_does(store: EmbeddedStore) -> None:
    given = {"from": "2020-01-01", "to": "2021-12-31"}  # bounds included; other types and time zones: not compared
    query = get_query("evidence-for")

    def odd(rows: list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]) -> list[tuple[str, str]]:
        return sorted((r["evidence"].value.rsplit("-", 1)[-1], r["date"].value) for r in rows
                      if "narrow-odd" in r["evidence"].value)  # fmt: skip

    kept = odd(run_named_query(store, "evidence-for", given, DEFAULT_BASE))  # type: ignore[arg-type]
    assert kept == odd(queries._run(store, query.text, bind_parameters(query, given)))  # type: ignore[arg-type]
    assert kept == [("1", "2021-03-01"), ("5", "2020-01-01")]  # the second date of record 1 is out of range


def test_a_parameter_no_narrowing_tests_runs_the_query(store: EmbeddedStore) -> None:
    query = get_query("evidence-for")
    with_unknown = [*query.narrow[:1]]  # only the hub filters: a date is then not covered
    shortened = type(query)(**{**query.__dict__, "narrow": with_unknown})
    assert narrow.plan(shortened, bind_parameters(query, {"from": "2022-01-01"})) is None
    assert narrow.plan(shortened, bind_parameters(query, {"sdg": "11", "to": "2022-01-01"})) is None
    assert narrow.plan(shortened, bind_parameters(query, {"sdg": "11"})) is not None


def test_a_store_that_keeps_nothing_runs_the_query(monkeypatch: pytest.MonkeyPatch) -> None:
    memory = EmbeddedStore.in_memory()
    build(memory)
    memory.add_quads(synth_quads(10, seed=4))
    calls: list[int] = []
    monkeypatch.setattr(queries, "cut_kept", lambda *args: calls.append(1) or [])
    rows = run_named_query(memory, "evidence-for", {"sdg": "11"}, DEFAULT_BASE)
    assert calls == [] and rows == queries._run(memory, get_query("evidence-for").text,
                                                 bind_parameters(get_query("evidence-for"), {"sdg": "11"}))  # fmt: skip


FILTER_LINE = re.compile(r"^\s*(FILTER|\|\||OPTIONAL)")


def _patterns(text: str, parameter: str) -> set[str]:
    """The `{ pattern }` groups of a query text that mention ?parameter."""
    return {group.strip() for group in re.findall(r"\{ ([^{}]*\?" + re.escape(parameter) + r"\b[^{}]*) \}", text)}


def test_each_narrowing_query_tests_what_its_named_query_tests_word_for_word() -> None:
    narrowed_queries = [q for q in named_queries().values() if q.narrow]
    assert narrowed_queries
    for query in narrowed_queries:
        own_lines = {line.strip() for line in query.text.splitlines()}
        covered: set[str] = set()
        for narrowing in query.narrow:
            if narrowing.equal:  # the parameter is a variable of the patterns only, projected by a SELECT DISTINCT
                [param] = narrowing.columns
                assert param in {p.name for p in query.parameters} and param in query.columns, query.name
                assert re.search(r"SELECT DISTINCT [^{]*\?" + param + r"\b", query.text), query.name
                assert not any(f"?{param}" in line for line in query.text.splitlines() if FILTER_LINE.match(line))
                assert not re.search(r"(BIND|VALUES)[^\n]*AS \?" + param + r"\b", query.text), query.name
                covered.add(param)
                continue
            internal = parse_query_file(narrowing.query, internal_query(narrowing.query))
            assert internal.internal and all(not p.required for p in internal.parameters)
            params = {p.name for p in internal.parameters}
            assert params <= {p.name for p in query.parameters}, (query.name, narrowing.query)
            assert set(narrowing.columns) <= set(query.columns), (query.name, narrowing)
            covered |= params
            if narrowing.pairs:  # one parameter, tested by EXISTS { pattern } in the named query
                [param] = params
                exists = {group for group in _patterns(query.text, param)
                          if f"EXISTS {{ {group} }}" in query.text}  # fmt: skip
                assert exists and _patterns(internal.text, param) == exists, (query.name, narrowing.query)
                continue
            lines = [line.strip() for line in internal.text.splitlines() if FILTER_LINE.match(line)]
            assert lines, narrowing.query
            for line in lines:
                assert line in own_lines, f"{narrowing.query}.rq tests {line!r}, which {query.name}.rq does not"
                # a row passes when its COLUMNS do: the lines test nothing else of the row than those columns
                tested = set(re.findall(r"\?(\w+)", line))
                assert tested <= set(narrowing.columns) | params, (narrowing.query, tested - params)
            for param in params:  # every test of a parameter in the named query is in its narrowing query
                tests = [line.strip() for line in query.text.splitlines()
                         if f"?{param}" in line and FILTER_LINE.match(line)]  # fmt: skip
                assert tests and all(t in lines for t in tests), (query.name, param)
        params = {p.name for p in query.parameters}
        # Every filter can narrow, but a country of hubs-by-place (compared in capitals: no pairs without a value)
        assert covered == params, query.name  # every filter can narrow


EQUAL_KINDS = {"sdg": ("goal", "target"), "manifesto": ("manifesto",), "council": ("council",)}


def test_every_value_of_an_equality_narrowing_gives_the_query_s_own_rows(store: EmbeddedStore) -> None:
    """`# narrow: P | =` (hubs-by-sdg, -manifesto, -council): for every value the store knows (every goal and target,
    manifesto, council; linked or not), the rows cut from the unfiltered answer are the query's own, in its order;
    and so are those `l4a prepare` keeps for each value (prepare_filter_values), read back by a later call."""
    from l4a.graph.sparql.known_values import known_values

    equal = {name: q for name, q in named_queries().items() if any(n.equal for n in q.narrow)}
    assert {"hubs-by-sdg", "hubs-by-manifesto", "hubs-by-council"} <= set(equal)
    known = known_values(store)
    for name, query in equal.items():
        [param] = [n.columns[0] for n in query.narrow if n.equal]
        kind = next(p.kind for p in query.parameters if p.name == param)
        values = sorted(iri for k in EQUAL_KINDS[kind] for iri in known.get(k, {}))
        assert len(values) >= (186 if kind == "sdg" else 2), (name, len(values))
        every = compact(queries._whole_rows(store, name, DEFAULT_BASE))
        some = 0
        for value in values:
            bindings = bind_parameters(query, {param: value}, DEFAULT_BASE)
            direct = queries._run(store, query.text, bindings)
            steps = narrow.plan(query, bindings)
            assert steps is not None, (name, value)
            assert Decoder().rows(narrow.narrowed(store, every, steps, bindings)) == direct, (name, value)
            some += bool(direct)
        assert some >= 2, name  # the cases do find hubs
        derived_module._memory.clear()
        kept = queries.prepare_filter_values(store, name, DEFAULT_BASE)
        assert kept == len(values), name
        derived_module._memory.clear()
        for value in values[:: max(1, len(values) // 12)]:
            bindings = bind_parameters(query, {param: value}, DEFAULT_BASE)
            direct = queries._run(store, query.text, bindings)
            assert run_named_query(store, name, {param: value}, DEFAULT_BASE) == direct, (name, value)


def test_every_section_and_country_of_hubs_by_place_gives_the_query_s_own_rows(store: EmbeddedStore) -> None:
    """hubs-by-place's section filter is cut from its unfiltered answer (pairs shared with evidence-for), its country
    decided on the table of the answer's codes (in capitals or not, a hub with two codes, a code that is an IRI);
    every answer is the query's own, also after the preparation."""
    query = get_query("hubs-by-place")
    every = compact(run_named_query(store, "hubs-by-place", {}, DEFAULT_BASE))
    sections = _values(store, "section")
    codes = sorted({code.upper() for code in _values(store, "countryCode")})
    assert len(sections) >= 3 and len(codes) >= 5
    countries = [*codes, *(code.lower() for code in codes[:3]), "ZZ", "urn:x:pt", "P"]
    cases = [{"section": s} for s in sections] + [{"country": c} for c in countries]
    cases += [{"section": s, "country": c} for s in sections[:3] for c in countries[:: max(1, len(countries) // 6)]]
    found = 0
    for given in cases:
        bindings = bind_parameters(query, given, DEFAULT_BASE)
        steps = narrow.plan(query, bindings)
        assert steps is not None, given
        direct = queries._run(store, query.text, bindings)
        assert Decoder().rows(narrow.narrowed(store, every, steps, bindings)) == direct, given
        found += bool(direct)
    assert found > len(cases) // 2
    pt = {row["hub"].value.rsplit("-", 1)[-1] for row in queries._run(store, query.text, bind_parameters(
        query, {"country": "pt"})) if "narrow-odd-period" in row["hub"].value}  # fmt: skip
    assert pt == {"0", "1", "4", "5"}, pt  # a code in any case; not an IRI's text; a hub with none: never
    assert queries.prepare_filter_values(store, "hubs-by-place", DEFAULT_BASE) >= len(sections)
    derived_module._memory.clear()
    for given in cases[:: max(1, len(cases) // 15)]:
        bindings = bind_parameters(query, given, DEFAULT_BASE)
        assert run_named_query(store, "hubs-by-place", given, DEFAULT_BASE) == queries._run(store, query.text, bindings)


def test_after_the_preparation_a_filter_value_reads_its_own_rows_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `l4a prepare` (prepare_filter_values), a call with one known value, in a new process, reads that
    value's answer from the disk: it neither runs the query nor reads the unfiltered answer, nor cuts it."""
    store = _read_only_store(tmp_path, seed=8)
    try:
        for name in ("hubs-by-sdg", "evidence-for"):
            assert queries.prepare_filter_values(store, name, DEFAULT_BASE) > 0
        derived_module._memory.clear()
        cases = [("hubs-by-sdg", {"sdg": "11"}), ("hubs-by-sdg", {"sdg": "4.7"}),
                 ("evidence-for", {"section": "flacma"}), ("evidence-for", {"sdg": "11.3"})]  # fmt: skip
        read: list[str] = []
        ran: list[str] = []
        original_load, original_run = derived_module._load, queries._run

        def load(path: Path, header: tuple[object, ...]) -> object:
            read.append(str(header[2]))
            return original_load(path, header)

        def run(store: EmbeddedStore, text: str, bindings: dict[str, object]) -> object:
            ran.append(text)
            return original_run(store, text, bindings)  # type: ignore[arg-type]

        with monkeypatch.context() as patched:
            patched.setattr(derived_module, "_load", load)
            patched.setattr(queries, "_run", run)
            patched.setattr(queries, "narrowed", lambda *args: pytest.fail("cut again"))
            patched.setattr(queries, "cut_kept", lambda *args: pytest.fail("cut again"))
            answers = [run_named_query(store, name, given, DEFAULT_BASE) for name, given in cases]
        assert ran == [], "a prepared filter value ran its query"
        assert not any(name.startswith("narrow-compact") for name in read), "the unfiltered answer was read"
        assert sum(name.endswith("\tcompact") for name in read) == len(cases)
        for (name, given), rows in zip(cases, answers, strict=True):
            query = get_query(name)
            assert rows and rows == queries._run(store, query.text, bind_parameters(query, given)), (name, given)
    finally:
        store.close()


def test_a_prepared_answer_is_made_into_terms_only_as_its_rows_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `l4a prepare`, the rows a page reads of a filtered answer (`named_query_rows`, the catalogue's) are the
    query's own rows, row for row, sliced, indexed or read in turn; reading a page of them makes only that page's
    terms."""
    store = _read_only_store(tmp_path, seed=4)
    try:
        assert queries.prepare_filter_values(store, "evidence-for", DEFAULT_BASE) > 0
        query = get_query("evidence-for")
        made: list[int] = []
        original = Decoder.rows
        monkeypatch.setattr(Decoder, "rows", lambda self, rows: made.append(len(rows.rows)) or original(self, rows))
        monkeypatch.setattr(compact_rows.DecodedRows, "CHUNK", 7)  # reading in turn crosses chunks
        for given in ({"sdg": "11"}, {"section": "flacma"}, {"sdg": "11.3"}):
            direct = queries._run(store, query.text, bind_parameters(query, given))
            made.clear()
            rows = queries.named_query_rows(store, "evidence-for", given, DEFAULT_BASE)
            assert isinstance(rows, compact_rows.DecodedRows) and made == [], given  # nothing made yet
            assert len(rows) == len(direct) > 0, given
            assert list(rows[1:3]) == direct[1:3] and made == [len(direct[1:3])], given  # a page: its rows only
            assert rows[-1] == direct[-1] and rows[0] == direct[0], given
            assert list(rows) == direct and rows == direct and rows[:] == rows[0 : len(direct)], given
    finally:
        store.close()


def test_a_malformed_narrow_line_is_named() -> None:
    with pytest.raises(UsageError, match=r"queries/x\.rq: a narrow line"):
        parse_query_file("x", "# narrow: hub\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(UsageError, match=r"queries/x\.rq: a narrow line"):
        parse_query_file("x", "# narrow: hub | q | sorted\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(UsageError, match=r"queries/x\.rq: a narrow line"):  # one column only, no pairs
        parse_query_file("x", "# narrow: hub sdg | =\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(UsageError, match=r"queries/x\.rq: a narrow line"):
        parse_query_file("x", "# narrow: hub | = | pairs\nSELECT * WHERE { ?s ?p ?o }\n")


def _read_only_store(tmp_path: Path, seed: int) -> EmbeddedStore:
    """The shipped data and 20 synthetic hubs on disk, opened read-only (a store that keeps derived values)."""
    writable = EmbeddedStore.open(tmp_path / "store")
    build(writable)
    writable.add_quads(synth_quads(20, seed=seed))
    writable.close()
    return EmbeddedStore.open(tmp_path / "store", read_only=True)


def test_before_the_whole_answer_is_kept_the_query_runs_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Right after a write (before `l4a prepare` made the unfiltered answer), a filtered call costs what it did: it
    does not compute the whole answer first."""
    store = _read_only_store(tmp_path, seed=5)
    try:
        query = get_query("evidence-for")
        whole = "\t".join(["named:evidence-for", "False", query.text])
        cuts: list[int] = []
        original = queries.cut_kept
        monkeypatch.setattr(queries, "cut_kept", lambda *args: cuts.append(1) or original(*args))
        first = run_named_query(store, "evidence-for", {"sdg": "11"}, DEFAULT_BASE)
        assert cuts == [] and not derived_module.is_kept(store, whole)
        assert first == queries._run(store, query.text, bind_parameters(query, {"sdg": "11"}))
        run_named_query(store, "evidence-for", {}, DEFAULT_BASE)  # what `l4a prepare` does
        assert derived_module.is_kept(store, whole)
        second = run_named_query(store, "evidence-for", {"sdg": "12"}, DEFAULT_BASE)
        assert cuts == [1] and second == queries._run(store, query.text, bind_parameters(query, {"sdg": "12"}))
    finally:
        store.close()


def test_after_the_preparation_a_period_reads_the_parts_of_its_years_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`l4a prepare` keeps the unfiltered answer, its compact form and its parts by year; a new period is then cut
    in a new process (here: the process's memory emptied) from the parts of the years it spans, without reading the
    whole answer in either form."""
    store = _read_only_store(tmp_path, seed=6)
    try:
        every = queries.prepare_named_query(store, "deliverables-due", DEFAULT_BASE)
        derived_module._memory.clear()
        read: list[str] = []
        original = derived_module._load
        monkeypatch.setattr(
            derived_module, "_load", lambda path, header: read.append(str(header[2])) or original(path, header)
        )
        given = {"from": "2021-01-01", "to": "2022-06-30"}
        rows = run_named_query(store, "deliverables-due", given, DEFAULT_BASE)
        query = get_query("deliverables-due")
        assert rows == queries._run(store, query.text, bind_parameters(query, given))
        assert 0 < len(rows) < len(every)
        assert not any(name.startswith("narrow-compact") for name in read), "the whole answer was read"
        assert not any(name.startswith("named:deliverables-due") and name.count("\t") == 2 for name in read)
        parts = {name.split("\t")[2] for name in read if name.startswith("narrow-part\t")}
        assert parts and parts <= {"2021", "2022"}, parts
        # A period holding most rows (open on one side): the whole answer read at once, not part by part
        read.clear()
        derived_module._memory.clear()
        wide = {"from": "2000-01-01"}
        assert run_named_query(store, "deliverables-due", wide, DEFAULT_BASE) == queries._run(
            store, query.text, bind_parameters(query, wide))  # fmt: skip
        assert any(name.startswith("narrow-compact") for name in read)
        assert not any(name.startswith("narrow-part\t") for name in read)
        # The same period again in a new process: read back, in compact form, not cut again
        derived_module._memory.clear()
        cuts: list[int] = []
        original_cut = queries.cut_kept
        monkeypatch.setattr(queries, "cut_kept", lambda *args: cuts.append(1) or original_cut(*args))
        assert run_named_query(store, "deliverables-due", given, DEFAULT_BASE) == rows and cuts == []
    finally:
        store.close()


def test_the_text_of_a_filtered_call_is_its_rows_values_without_a_term_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a page shows (named_query_compact, plain_rows): the `.value` of each bound column of the query's own
    rows, in their order, unfiltered and for every filter; after the preparation no term is made for it."""
    store = _read_only_store(tmp_path, seed=7)
    try:
        cases = list(itertools.islice(_cases(store), 0, None, 3))
        queries.prepare_named_query(store, "evidence-for", DEFAULT_BASE)
        derived_module._memory.clear()
        made: list[int] = []
        original = compact_rows.Decoder.rows
        monkeypatch.setattr(compact_rows.Decoder, "rows", lambda self, rows: made.append(1) or original(self, rows))
        query = get_query("evidence-for")
        for given in [{}, *cases]:
            text = plain_rows(queries.named_query_compact(store, "evidence-for", given, DEFAULT_BASE))
            assert text == text_of(queries._run(store, query.text, bind_parameters(query, given))), given
        assert made == [], "a term was made for rows only shown as text"
        some = plain_rows(queries.named_query_compact(store, "evidence-for", {}, DEFAULT_BASE), 2, 4)
        assert some == text_of(queries._run(store, query.text, {}))[2:4] and len(some) == 2
    finally:
        store.close()


def text_of(rows: list[Row]) -> list[dict[str, str]]:
    return [{name: term.value for name, term in row.items()} for row in rows]  # type: ignore[union-attr]


ODD_TERMS = [
    ox.NamedNode("https://example.org/a"),
    ox.Literal("a"),  # xsd:string
    ox.Literal("a", language="fr"),
    ox.Literal("a", language="en-GB"),
    ox.Literal("2021-03-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
    ox.Literal("@en", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")),  # looks like a language tag
    ox.Literal("https://example.org/a"),  # a literal that reads like the IRI
    ox.Literal("b0"),
    ox.BlankNode("b0"),
    ox.Literal(""),
    ox.Literal("line\nbreak \"quoted\" \\ é"),
]


def test_the_compact_form_gives_back_every_term_and_tells_apart_only_what_differs() -> None:
    rows = [{"x": term, "y": ODD_TERMS[0]} for term in ODD_TERMS] + [{"y": ODD_TERMS[1]}, {}]
    assert Decoder().rows(compact(rows)) == rows  # unbound columns stay unbound
    for a in ODD_TERMS:
        for b in ODD_TERMS:
            assert (encode(a) == encode(b)) == (a == b), (a, b)
