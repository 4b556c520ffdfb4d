"""The hub table (every hub as one row) holds one string for a value many hubs share, also once read back from the
disk: at 100k hubs that took it from 517 MB to 327 MB of a server's memory."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyoxigraph as ox
import pytest

from l4a.graph.build import build
from l4a.graph.labels import Labels
from l4a.graph.reports.hub_table import HubTable
from l4a.graph.store import derived as derived_module
from l4a.graph.store.derived import cells
from l4a.graph.store.embedded import EmbeddedStore

from .webapp import synth_quads


def _shared(table: HubTable) -> None:
    by_value: dict[str, int] = {}
    repeated = 0
    for row in table.rows:
        for key in ("targets", "goals", "sections", "countries"):
            for value in row.values(key):
                first = by_value.setdefault(value, id(value))
                repeated += first != id(value)
                assert first == id(value), (key, value)
        for lang in row.names:
            assert by_value.setdefault(lang, id(lang)) == id(lang), lang
    assert len(by_value) < sum(len(row.values("targets")) for row in table.rows)  # values do repeat across hubs
    assert repeated == 0


def test_values_many_hubs_hold_are_one_string(tmp_path: Path) -> None:
    store = EmbeddedStore.open(tmp_path / "store")
    build(store)
    store.add_quads(synth_quads(60, seed=5))
    store.close()
    store = EmbeddedStore.open(tmp_path / "store", read_only=True)
    try:
        table = HubTable.from_store(store)
        _shared(table)
        _shared(pickle.loads(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)))
        derived_module._memory.clear()
        again = HubTable.from_store(store)  # read back from the disk
        assert again is not table and [r.iri for r in again.rows] == [r.iri for r in table.rows]
        _shared(again)
        assert cells(table) >= 5 * len(table.rows)  # weighed by what its rows hold, not one cell a row
    finally:
        store.close()


def test_labels_are_read_once_per_write_and_share_their_language_tags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every label of the store is kept once per state (a server no longer reads them at each start: 12 s and half a
    gigabyte at 100k hubs); a write makes them read again, with the new hub's name."""
    store = EmbeddedStore.open(tmp_path / "store")
    build(store)
    store.add_quads(synth_quads(30, seed=6))
    store.close()
    calls: list[int] = []
    original = Labels.read
    monkeypatch.setattr(Labels, "read", classmethod(lambda cls, s: calls.append(1) or original(s)))
    store = EmbeddedStore.open(tmp_path / "store", read_only=True)
    try:
        first = Labels.from_store(store)
        derived_module._memory.clear()
        again = Labels.from_store(store)
        assert calls == [1] and again.by_iri == first.by_iri
        tags = {id(lang) for langs in again.by_iri.values() for lang in langs if lang == "fr"}
        assert len(tags) == 1, "a language tag is one string for all its labels"
    finally:
        store.close()
    store = EmbeddedStore.open(tmp_path / "store")
    hub = ox.NamedNode("https://w3id.org/l4a/id/hub/labels-new-hub")
    store.add_quads([ox.Quad(hub, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("Nouveau", language="fr"),
                             ox.NamedNode("https://w3id.org/l4a/graph/hub/labels-new-hub"))])  # fmt: skip
    store.close()
    store = EmbeddedStore.open(tmp_path / "store", read_only=True)
    try:
        assert Labels.from_store(store).get(hub.value, "fr") == "Nouveau" and calls == [1, 1]
    finally:
        store.close()
