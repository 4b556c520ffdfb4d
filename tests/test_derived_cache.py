"""Values derived from the whole store (graph/store/derived.py) are computed once per state of the store and used
again by later processes, never for another state: a write, by l4a or by pyoxigraph directly, makes them computed
again; opening and closing do not."""

from __future__ import annotations

import json
import pickle
import shutil
import time
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from l4a.graph.cli.main import main
from l4a.graph.reports.hub_table import HubTable
from l4a.graph.store import derived as derived_module
from l4a.graph.store.derived import derived
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.sync.index import SyncIndex
from l4a.graph.sync.network import betweenness

HUB = "https://w3id.org/l4a/id/hub/derived-test-hub"
L4A = "https://w3id.org/l4a/ontology#"


@pytest.fixture
def data_dir(built_dir: Path, tmp_path: Path) -> Path:
    """A copy of the store built from the shipped data, that a test may write to."""
    copy = tmp_path / "data"
    shutil.copytree(built_dir / "store", copy / "store")
    return copy


def counting(calls: list[int], value: object) -> object:
    calls.append(1)
    return value


def add_hub(store: EmbeddedStore, title: str) -> None:
    graph = ox.NamedNode("https://w3id.org/l4a/graph/hub/derived-test-hub")
    hub = ox.NamedNode(HUB)
    store.add_quads(
        [
            ox.Quad(
                hub, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(L4A + "Hub"), graph
            ),
            ox.Quad(hub, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal(title, language="en"), graph),
        ]
    )


def test_a_value_is_computed_once_per_state_and_again_after_a_write(data_dir: Path) -> None:
    calls: list[int] = []
    first = EmbeddedStore.open(data_dir / "store", read_only=True)
    assert derived(first, "probe", lambda: counting(calls, "one")) == "one"
    first.close()
    again = EmbeddedStore.open(data_dir / "store", read_only=True)  # another reader, same state: from the disk
    assert derived(again, "probe", lambda: counting(calls, "two")) == "one"
    again.close()
    assert len(calls) == 1

    writer = EmbeddedStore.open(data_dir / "store")  # opening for writing and closing changes nothing
    writer.close()
    reader = EmbeddedStore.open(data_dir / "store", read_only=True)
    assert derived(reader, "probe", lambda: counting(calls, "three")) == "one"
    reader.close()

    writer = EmbeddedStore.open(data_dir / "store")
    add_hub(writer, "Derived test hub")
    assert derived(writer, "probe", lambda: counting(calls, "after the write")) == "after the write"
    writer.close()  # the close moves the write into tables: the same data in other files, not computed again
    reader = EmbeddedStore.open(data_dir / "store", read_only=True)
    assert derived(reader, "probe", lambda: counting(calls, "after the close")) == "after the write"
    reader.close()
    assert len(calls) == 2


def test_a_compaction_when_a_writer_opens_is_not_a_write(data_dir: Path) -> None:
    """After a few small writes, RocksDB compacts the store when it is next opened for writing (as `l4a serve`
    does): other files, the same data. Values computed before stay valid; a write still makes new ones. (The
    compaction is asked for here, as the engine's own `optimize`, so that it surely happens while the writer is
    open: on its own it comes when the engine decides.)"""
    for number in range(8):
        writer = EmbeddedStore.open(data_dir / "store")
        writer.update(f"INSERT DATA {{ GRAPH <urn:l4a:test> {{ <urn:a> <urn:b> {number} }} }}")
        writer.close()
    reader = EmbeddedStore.open(data_dir / "store", read_only=True)
    calls: list[int] = []
    assert derived(reader, "probe", lambda: counting(calls, "before")) == "before"
    reader.close()
    files = sorted(p.name for p in (data_dir / "store").glob("*.sst"))
    writer = EmbeddedStore.open(data_dir / "store")
    writer._store.optimize()  # what RocksDB does on its own when a writer opens after small writes
    assert sorted(p.name for p in (data_dir / "store").glob("*.sst")) != files, "nothing compacted: nothing tested"
    assert derived(writer, "probe", lambda: counting(calls, "in the writer")) == "before"
    writer.close()
    reader = EmbeddedStore.open(data_dir / "store", read_only=True)  # another process, the compacted files
    assert derived(reader, "probe", lambda: counting(calls, "after")) == "before"
    reader.close()
    assert calls == [1]
    writer = EmbeddedStore.open(data_dir / "store")
    writer.update("INSERT DATA { GRAPH <urn:l4a:test> { <urn:a> <urn:b> 100 } }")
    assert derived(writer, "probe", lambda: counting(calls, "written")) == "written"
    writer.close()


def test_a_snapshot_keeps_the_key_of_its_own_state_while_another_process_writes(data_dir: Path) -> None:
    """A reader opened before a write computes from its snapshot: that value must not be taken for the new state."""
    before = EmbeddedStore.open(data_dir / "store", read_only=True)
    old_key = before.state_key()
    old_table = HubTable.from_store(before)
    writer = EmbeddedStore.open(data_dir / "store")
    add_hub(writer, "Written during a read")
    writer.close()
    assert before.state_key() == old_key  # the snapshot's state, not the files' state now
    assert HUB not in {row.iri for row in HubTable.from_store(before).rows}
    before.close()
    after = EmbeddedStore.open(data_dir / "store", read_only=True)
    assert after.state_key() != old_key
    rows = {row.iri: row for row in HubTable.from_store(after).rows}
    after.close()
    assert rows[HUB].names.get("en") == "Written during a read"
    assert len(rows) == len(old_table.rows) + 1


def test_a_write_by_pyoxigraph_itself_is_seen(data_dir: Path) -> None:
    """Not only l4a's writes: anything that writes the store changes its key."""
    reader = EmbeddedStore.open(data_dir / "store", read_only=True)
    hubs = len(SyncIndex.from_store(reader).hubs)
    reader.close()
    raw = ox.Store(str(data_dir / "store"))
    hub = ox.NamedNode(HUB)
    raw.add(ox.Quad(hub, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(L4A + "Hub"),
                    ox.NamedNode("https://w3id.org/l4a/graph/hub/derived-test-hub")))  # fmt: skip
    del raw
    reader = EmbeddedStore.open(data_dir / "store", read_only=True)
    assert len(SyncIndex.from_store(reader).hubs) == hubs + 1
    reader.close()


def test_a_damaged_or_foreign_file_is_computed_again(data_dir: Path) -> None:
    store = EmbeddedStore.open(data_dir / "store", read_only=True)
    derived(store, "probe", lambda: "kept")
    (kept,) = (data_dir / "derived").glob("probe-*.pickle")
    kept.write_bytes(b"not a pickle at all")
    assert derived(store, "probe", lambda: "computed again") == "computed again"
    with kept.open("wb") as stream:  # another version of the code wrote it
        pickle.dump((derived_module.FORMAT, "other code", "probe", store.state_key()), stream)
        pickle.dump("stale", stream)
    assert derived(store, "probe", lambda: "fresh") == "fresh"
    store.close()


def test_an_unwritable_cache_folder_only_means_computing(data_dir: Path) -> None:
    (data_dir / "derived").write_text("a file where the folder would be")
    store = EmbeddedStore.open(data_dir / "store", read_only=True)
    calls: list[int] = []
    assert derived(store, "probe", lambda: counting(calls, 1)) == 1
    assert derived(store, "probe", lambda: counting(calls, 2)) == 2
    store.close()


def test_a_store_in_memory_is_never_cached() -> None:
    store = EmbeddedStore.in_memory()
    calls: list[int] = []
    derived(store, "probe", lambda: counting(calls, 1))
    derived(store, "probe", lambda: counting(calls, 1))
    assert len(calls) == 2


def test_the_folder_is_pruned(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(derived_module, "MAX_FILES", 5)
    monkeypatch.setattr(derived_module, "KEPT_AFTER_PRUNE", 3)
    store = EmbeddedStore.open(data_dir / "store", read_only=True)
    for n in range(8):
        derived(store, f"value-{n}", lambda n=n: n)
    store.close()
    assert 3 <= len(list((data_dir / "derived").glob("*.pickle"))) <= 5


def test_a_prune_keeps_the_values_read_lately(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first value written but read since outlives values written after it and never read (a server reads its
    hub table at every start; named queries' answers pile up)."""
    monkeypatch.setattr(derived_module, "MAX_FILES", 5)
    monkeypatch.setattr(derived_module, "KEPT_AFTER_PRUNE", 3)
    store = EmbeddedStore.open(data_dir / "store", read_only=True)
    try:
        for n in range(5):
            derived(store, f"lately-{n}", lambda n=n: n)
            time.sleep(0.01)
        calls: list[int] = []
        assert derived(store, "lately-0", lambda: counting(calls, 0)) == 0 and calls == []  # read from the disk
        time.sleep(0.01)
        derived(store, "lately-5", lambda: 5)  # a sixth file: the prune keeps the three used last
        assert derived(store, "lately-0", lambda: counting(calls, 0)) == 0 and calls == [], "a value read lately went"
        derived(store, "lately-1", lambda: counting(calls, 1))
        assert calls == [1], "the oldest value never read stayed"
    finally:
        store.close()


def test_cli_commands_see_an_import_at_once(data_dir: Path, tmp_path: Path) -> None:
    """`l4a communities`, `network`, `hubs` and `related` answer from the kept values, and after `l4a import` of a
    new hub they show it."""
    runner = CliRunner()
    base = ["--data-dir", str(data_dir)]

    def hubs() -> set[str]:
        result = runner.invoke(main, [*base, "hubs", "--format", "json"])
        assert result.exit_code == 0, result.output
        return {h["hub"] for h in json.loads(result.output)}

    def network_nodes() -> set[str]:
        result = runner.invoke(main, [*base, "network", "--format", "json"])
        assert result.exit_code == 0, result.output
        return {node["id"] for node in json.loads(result.output)["nodes"]}

    before, nodes_before = hubs(), network_nodes()
    assert hubs() == before and network_nodes() == nodes_before  # the second time from the kept values
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        f"""@prefix l4a: <{L4A}> . @prefix dcterms: <http://purl.org/dc/terms/> .
<{HUB}> a l4a:Hub ; dcterms:title "Imported later"@en ;
  l4a:addressesGoal <http://metadata.un.org/sdg/11> .
""",
        encoding="utf-8",
    )
    result = runner.invoke(
        main, [*base, "import", str(extra), "--graph", "https://w3id.org/l4a/graph/hub/derived-test-hub"]
    )
    assert result.exit_code == 0, result.output
    assert hubs() == before | {HUB}
    assert network_nodes() == nodes_before | {HUB}


@pytest.mark.parametrize("k", [None, 5, 20])
def test_betweenness_is_networkx_betweenness(k: int | None) -> None:
    graphs = [nx.karate_club_graph(), nx.les_miserables_graph(), nx.gnm_random_graph(120, 300, seed=3)]
    for graph in graphs:
        graph = nx.relabel_nodes(graph, {v: f"n{v}" for v in graph})
        graph.add_node("alone")
        graph.add_edge("pair-a", "pair-b")
        expected = nx.betweenness_centrality(graph, k=k, seed=1)
        found = betweenness(graph, k=k, seed=1)
        assert found.keys() == expected.keys()
        assert max(abs(found[v] - expected[v]) for v in graph) < 1e-12


def test_related_without_reasons_ranks_the_same(built_dir: Path) -> None:
    store = EmbeddedStore.open(built_dir / "store", read_only=True)
    index = SyncIndex.from_store(store)
    store.close()
    for hub in index.hubs:
        for limit in (1, 3, 10):
            full = index.related(hub, limit)
            light = index.related(hub, limit, with_reasons=False)
            assert [(r.hub, r.score) for r in full] == [(r.hub, r.score) for r in light]
            assert [(r.hub, r.score) for r in full] == [(r.hub, r.score) for r in index.related_exhaustive(hub, limit)]
            assert [r.hub for r in index.partners(hub, limit)] == [
                r.hub for r in index.partners(hub, limit, with_reasons=False)
            ]


def test_validation_runs_its_checks_once_for_every_language(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shapes' queries run once per state of the store; a report in another language only words the messages
    again, and says the same things as the first one (each run in a new process finds both on disk)."""
    from l4a.graph.shacl.validation import ValidationReport, shipped_validator

    writer = EmbeddedStore.open(data_dir / "store")
    add_hub(writer, "Derived test hub")  # a hub with no source, no period, no lead: rules broken, in every language
    writer.close()
    store = EmbeddedStore.open(data_dir / "store", read_only=True)
    english = shipped_validator().validate_store(store, "en")
    queries: list[str] = []
    real_select = store.select
    monkeypatch.setattr(
        store, "select", lambda query, bindings=None: queries.append(query) or real_select(query, bindings)
    )
    french = shipped_validator().validate_store(store, "fr")
    spanish = shipped_validator().validate_store(store, "es")
    assert queries == []
    store.close()

    def facts(report: ValidationReport) -> list[str]:
        return sorted(repr((r.focus, r.path, r.value, r.severity, r.shape, r.component)) for r in report.results)

    about_the_hub = [r for r in english.results if r.focus == HUB]
    assert about_the_hub and any(r.severity == "Violation" for r in about_the_hub)
    assert facts(french) == facts(english) == facts(spanish)
    worded = {(r.focus, r.shape, r.component): r.message for r in english.results}
    assert any(worded[(r.focus, r.shape, r.component)] != r.message for r in french.results if r.focus == HUB)
    assert any(worded[(r.focus, r.shape, r.component)] != r.message for r in spanish.results if r.focus == HUB)


def test_values_kept_in_memory_are_bounded_by_what_they_hold(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shared values stay in the process within MEMORY_CELLS values (oldest used forgotten first), one holding
    more than half of that is read from the disk each time, never kept in memory (at 100k hubs the deliverables due
    are 5M values); a forgotten one is read back from the disk, not computed again."""
    monkeypatch.setattr(derived_module, "MEMORY_CELLS", 4000)
    derived_module._memory.clear()
    store = EmbeddedStore.open(data_dir / "store", read_only=True)
    try:
        made: list[str] = []

        def rows(name: str, count: int) -> list[dict[str, int]]:
            made.append(name)
            return [{"a": number, "b": number} for number in range(count)]

        first = derived(store, "bounded 0", lambda: rows("0", 450), shared=True)  # 900 values each
        assert derived(store, "bounded 0", lambda: rows("0", 450), shared=True) is first  # from memory
        for number in range(1, 5):  # 4,500 values: one too many
            derived(store, f"bounded {number}", lambda n=number: rows(str(n), 450), shared=True)
        assert derived_module.cells(first) == 900
        held = {header[2] for header in derived_module._memory}
        assert "bounded 0" not in held and {"bounded 1", "bounded 2", "bounded 3", "bounded 4"} <= held
        again = derived(store, "bounded 0", lambda: rows("0", 450), shared=True)
        assert again == first and again is not first and made == ["0", "1", "2", "3", "4"]  # read back from disk
        big = derived(store, "bounded big", lambda: rows("big", 1500), shared=True)  # 3,000: over half
        assert "bounded big" not in {header[2] for header in derived_module._memory}
        assert derived(store, "bounded big", lambda: rows("big", 1500), shared=True) == big and made.count("big") == 1
    finally:
        store.close()
        derived_module._memory.clear()


def test_the_weight_of_a_value_counts_what_its_rows_and_objects_hold() -> None:
    """`cells`: a table's rows times their values, an object's tables added up (a brief holds lists of rows), a
    scalar one; from a sample of the first items, so a big value is weighed at once."""
    from dataclasses import dataclass, field

    from l4a.graph.sparql.compact_rows import CompactRows

    @dataclass
    class Held:
        rows: list[dict[str, int]] = field(default_factory=list)
        more: dict[str, list[int]] = field(default_factory=dict)
        name: str = "x"

    table = [{"a": 1, "b": 2, "c": 3}] * 1000
    assert derived_module.cells(table) == 3000
    assert derived_module.cells(CompactRows(("a", "b"), [("x", "y")] * 500)) == 2 + 1000  # its columns, its rows
    assert derived_module.cells(Held(table, {"k": [1] * 200})) == 3000 + 200 + 1
    assert derived_module.cells("text") == derived_module.cells(7) == 1
