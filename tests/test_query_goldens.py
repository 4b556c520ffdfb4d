"""Named queries against hand-written fixtures: each tests/data/queries/<query-name>/ holds data.trig, params.json
and one expected-<n>.csv per parameter set, whose rows are right by construction (reviewed by hand; see
tests/data/queries/README.md). The `*-violation` checks return nothing on the shipped data."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from l4a.graph.sparql.queries import named_queries, run_named_query
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.exchange import import_files

DATA = Path(__file__).parent / "data" / "queries"


def _regenerate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("l4a_query_goldens_regenerate", DATA / "regenerate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REGENERATE = _regenerate()
CASES = [
    (folder.name, n)
    for folder in REGENERATE.cases()
    for n in range(len(json.loads((folder / "params.json").read_text(encoding="utf-8"))))
]
VIOLATIONS = sorted(name for name in named_queries() if name.endswith("-violation"))


def test_every_golden_folder_is_a_named_query_with_its_files() -> None:
    for folder in REGENERATE.cases():
        assert folder.name in named_queries(), folder
        assert (folder / "data.trig").is_file(), folder
        count = len(REGENERATE.parameter_sets(folder))
        assert sorted(p.name for p in folder.glob("expected-*.csv")) == sorted(
            f"expected-{n}.csv" for n in range(count)
        )


@pytest.mark.parametrize(("name", "n"), CASES, ids=[f"{name}-{n}" for name, n in CASES])
def test_query_matches_its_golden_file(name: str, n: int) -> None:
    folder = DATA / name
    params = REGENERATE.parameter_sets(folder)[n]
    expected = (folder / f"expected-{n}.csv").read_text(encoding="utf-8")
    assert REGENERATE.golden_csv(folder, params) == expected, (
        f"{name} with {params} differs from {folder / f'expected-{n}.csv'}; if the change is intended, run "
        "python tests/data/queries/regenerate.py and review the diff"
    )


def test_there_are_violation_checks() -> None:
    assert {"hub-without-source-violation", "dangling-sdg-link-violation"} <= set(VIOLATIONS)


@pytest.mark.parametrize("name", VIOLATIONS)
def test_violation_check_is_clean_on_the_shipped_data(built_store: EmbeddedStore, name: str) -> None:
    assert run_named_query(built_store, name, {}) == []


@pytest.mark.parametrize("name", VIOLATIONS)
def test_violation_check_fires_on_a_fixture_that_breaks_it(name: str) -> None:
    store = EmbeddedStore.in_memory()
    import_files(store, [DATA / name / "data.trig"])
    assert run_named_query(store, name, {})


def test_lineage_finds_the_2017_council_hub_from_its_2023_successor() -> None:
    store = EmbeddedStore.in_memory()
    import_files(store, [DATA / "hubs-by-council" / "data.trig"])
    for council in ("new", "old"):
        hubs = {
            row["hub"].value.rsplit("/", 1)[1]
            for row in run_named_query(store, "hubs-by-council", {"council": council})
        }
        assert hubs == {"a", "b"}


def test_lineage_on_the_shipped_data_goes_both_ways(built_store: EmbeddedStore) -> None:
    old = {
        r["hub"]
        for r in run_named_query(built_store, "hubs-by-council", {"council": "safer-resilient-sustainable-cities"})
    }
    successors = [
        r["successor"]
        for r in built_store.select(
            "SELECT ?successor WHERE { ?successor <https://w3id.org/l4a/ontology#continues> "
            "<https://w3id.org/l4a/id/council/safer-resilient-sustainable-cities> }"
        )
    ]
    assert successors
    new = {r["hub"] for r in run_named_query(built_store, "hubs-by-council", {"council": successors[0].value})}
    assert old == new
