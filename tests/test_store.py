"""The embedded store: bound parameters, atomic graph replacement, read-only snapshots and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Triple

from l4a.graph.embedded import EmbeddedStore
from l4a.graph.errors import StoreError, StoreMissingError, UsageError

EX = "http://example.org/"
G = NamedNode(EX + "g")


def triple(s: str, o: str | Literal) -> Triple:
    obj = o if isinstance(o, Literal) else NamedNode(EX + o)
    return Triple(NamedNode(EX + s), NamedNode(EX + "p"), obj)


HOSTILE = ['"} ; DROP ALL ; #', "a\nb", "x' }", "<http://evil/> }", "{ ?s ?p ?o }"]


@pytest.mark.parametrize("value", HOSTILE)
def test_bound_values_are_matched_literally_never_parsed(store: EmbeddedStore, value: str) -> None:
    store.replace_graphs({G.value: [triple("a", Literal(value)), triple("b", Literal("other"))]})
    rows = store.select("SELECT ?s ?v WHERE { ?s <http://example.org/p> ?v }", {"v": Literal(value)})
    assert [r["s"] for r in rows] == [NamedNode(EX + "a")]
    assert store.quad_count() == 2


def test_binding_a_variable_the_select_does_not_project_is_a_usage_error(store: EmbeddedStore) -> None:
    with pytest.raises(UsageError, match="cannot be run with these parameters"):
        store.select("SELECT ?s WHERE { ?s ?p ?v }", {"v": Literal("x")})


def test_replace_graphs_swaps_content_and_leaves_other_graphs(store: EmbeddedStore) -> None:
    other = EX + "other"
    store.replace_graphs({G.value: [triple("a", "b")], other: [triple("c", "d")]})
    store.replace_graphs({G.value: [triple("x", "y")]})
    assert store.select("SELECT ?s WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }") == [{"s": NamedNode(EX + "x")}]
    assert store.named_graphs() == [G.value, other]


def test_a_failing_write_leaves_the_store_as_it_was(store: EmbeddedStore) -> None:
    store.replace_graphs({G.value: [triple("a", "b")]})
    before = store.quad_count()
    # The second graph's IRI is not a valid IRI: the update is rejected as a whole, the first graph included.
    with pytest.raises(UsageError):
        store.replace_graphs({EX + "new": [triple("c", "d")], "http://bad iri": [triple("e", "f")]})
    assert store.quad_count() == before
    assert store.named_graphs() == [G.value]


def test_union_default_graph_in_queries(store: EmbeddedStore) -> None:
    store.add_quads([Quad(NamedNode(EX + "a"), NamedNode(EX + "p"), NamedNode(EX + "b"), G)])
    assert store.ask("ASK { <http://example.org/a> ?p ?o }")


def test_invalid_query_is_a_usage_error(store: EmbeddedStore) -> None:
    with pytest.raises(UsageError, match="not valid"):
        store.select("SELECT * WHERE { ?s ?p }")


def test_read_only_sees_a_snapshot_and_refuses_writes(tmp_path: Path) -> None:
    writer = EmbeddedStore.open(tmp_path / "s")
    writer.replace_graphs({G.value: [triple("a", "b")]})
    writer.flush()
    reader = EmbeddedStore.open(tmp_path / "s", read_only=True)
    assert reader.quad_count() == 1
    with pytest.raises(StoreError, match="read-only"):
        reader.update("CLEAR ALL")
    reader.close()
    writer.close()


def test_missing_store_for_reading_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(StoreMissingError, match="l4a build"):
        EmbeddedStore.open(tmp_path / "nothing", read_only=True)


def test_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    first = EmbeddedStore.open(tmp_path / "s")
    with pytest.raises(StoreError, match="in use by another process"):
        EmbeddedStore.open(tmp_path / "s")
    first.close()


def test_unwritable_data_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="L4A_DATA_DIR"):
        EmbeddedStore.open(blocker / "store")
