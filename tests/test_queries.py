"""Named queries: every .rq parses and documents itself; parameters are bound, typed and checked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import Result
from rdflib.plugins.sparql import prepareQuery

from l4a.graph.errors import UsageError
from l4a.graph.sparql.queries import get_query, named_queries, run_named_query
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.exchange import import_files
from l4a.graph.store.sparql_text import query_form

DATA = Path(__file__).parent / "data" / "queries"
NAMES = sorted(named_queries())
Cli = Callable[..., Result]


@pytest.mark.parametrize("name", NAMES)
def test_every_query_parses_and_is_documented(name: str) -> None:
    query = get_query(name)
    prepareQuery(query.text)  # rdflib's parser
    scratch = EmbeddedStore.in_memory()
    if query_form(query.text) == "SELECT":  # Oxigraph's parser
        scratch.select(query.text)
    else:
        scratch.construct(query.text)
    assert query.title and query.description and query.columns
    assert all(p.example and p.help for p in query.parameters)


@pytest.mark.parametrize("name", NAMES)
def test_every_query_runs_with_its_examples_on_the_shipped_data(built_store: EmbeddedStore, name: str) -> None:
    examples = {p.name: p.example for p in get_query(name).parameters}
    rows = run_named_query(built_store, name, examples)
    assert all(set(row) <= set(get_query(name).columns) for row in rows)


@pytest.fixture
def rollup() -> EmbeddedStore:
    store = EmbeddedStore.in_memory()
    import_files(store, [DATA / "sdg-rollup.trig"])
    return store


def hubs(rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]) -> list[tuple[str, str]]:
    return [(r["hub"].value.rsplit("/", 1)[1], r["link"].value.rsplit("/", 1)[1]) for r in rows]


@pytest.mark.parametrize("value", ["11", "SDG 11", "Goal 11", "http://metadata.un.org/sdg/11"])
def test_a_goal_rolls_up_its_targets(rollup: EmbeddedStore, value: str) -> None:
    assert hubs(run_named_query(rollup, "hubs-by-sdg", {"sdg": value})) == [("a", "11.3"), ("b", "11")]


@pytest.mark.parametrize("value", ["11.3", "Target 11.3", "sdg 11.3"])
def test_a_target_finds_only_its_hubs(rollup: EmbeddedStore, value: str) -> None:
    assert hubs(run_named_query(rollup, "hubs-by-sdg", {"sdg": value})) == [("a", "11.3")]


@pytest.mark.parametrize(
    "value", ['11.3" } ; DROP ALL ; #', "http://metadata.un.org/sdg/11 }", "11.3\n#", "<http://x>", "http://a b/"]
)
def test_hostile_values_are_refused_clearly_and_change_nothing(rollup: EmbeddedStore, value: str) -> None:
    before = rollup.quad_count()
    with pytest.raises(UsageError, match="parameter 'sdg'"):
        run_named_query(rollup, "hubs-by-sdg", {"sdg": value})
    assert rollup.quad_count() == before


def test_unknown_and_missing_parameters_list_the_expected_ones(rollup: EmbeddedStore) -> None:
    with pytest.raises(UsageError, match=r"no parameter colour; expected: sdg \(sdg\)"):
        run_named_query(rollup, "hubs-by-sdg", {"sdg": "11", "colour": "red"})
    with pytest.raises(UsageError, match=r"needs sdg; expected: sdg \(sdg\)"):
        run_named_query(rollup, "hubs-by-sdg", {})
    with pytest.raises(UsageError, match="no query named 'nothing'"):
        run_named_query(rollup, "nothing", {})


def test_cli_list_show_run(cli: Cli) -> None:
    assert cli("build", "--quiet").exit_code == 0
    listed = cli("query", "list")
    assert "hubs-by-sdg" in listed.stdout and "stats" in listed.stdout
    assert "# param: sdg" in cli("query", "show", "hubs-by-sdg").stdout
    csv_out = cli("query", "run", "hubs-by-sdg", "-p", "sdg=17", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "hub,title,link,sdg"
    assert len(csv_out) == 4  # Bilbao, Venice City Solutions 2030 and Xi'an link goal 17
    json_out = cli("query", "run", "hubs-by-sdg", "-p", "sdg=4", "--format", "json").stdout
    assert '"vars": [' in json_out and "xian-youth-education-dialogue" in json_out
    bad = cli("query", "run", "hubs-by-sdg", "-p", "sdg=11.3 }")
    assert bad.exit_code == 2 and "is not an IRI" in bad.stderr


def test_hub_profile_constructs_the_hubs_record(built_store: EmbeddedStore, cli: Cli) -> None:
    rows = run_named_query(built_store, "hub-profile", {"hub": "valongo-participation4all"})
    subjects = {r["subject"].value for r in rows}
    assert "https://w3id.org/l4a/id/hub/valongo-participation4all" in subjects
    assert "https://w3id.org/l4a/id/org/valongo-municipality" in subjects  # its lead
    assert "https://w3id.org/l4a/id/evidence/valongo-participation4all-1" in subjects
    assert not any("bilbao" in s for s in subjects)
    assert cli("build", "--quiet").exit_code == 0
    turtle = cli("query", "run", "hub-profile", "-p", "hub=valongo-participation4all", "--format", "turtle")
    assert turtle.exit_code == 0 and "@prefix l4a:" in turtle.stdout
    select_as_turtle = cli("query", "run", "hubs-by-sdg", "-p", "sdg=4", "--format", "turtle")
    assert select_as_turtle.exit_code == 2 and "SELECT query" in select_as_turtle.stderr
