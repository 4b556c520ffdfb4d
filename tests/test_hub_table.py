"""The hub table (every hub as one row) holds one string for a value many hubs share, and one tuple for a list of
links many hubs share, also once read back from the disk: at 100k hubs that took it from 517 MB to 327 MB of a
server's memory, and less again with tuples instead of sets."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyoxigraph as ox
import pytest

from l4a.graph.build import build
from l4a.graph.labels import Labels
from l4a.graph.namespaces import SDG
from l4a.graph.reports.hub_table import KEYS, LINK_ORDER, HubFilter, HubTable
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
    lists: dict[tuple[str, ...], int] = {}
    for row in table.rows:
        for key, values in row.links.items():
            assert lists.setdefault(values, id(values)) == id(values), (key, values)  # one tuple for equal links
    assert len(lists) < sum(len(row.links) for row in table.rows)  # lists do repeat (a section, a status)


def test_each_hubs_links_are_its_stored_links_sorted(tmp_path: Path) -> None:
    """A row's links of each kind are exactly the hub's statements (and the goals of its targets), sorted; the hub's
    JSON lists them all, in a fixed order, an empty list for a kind it has none of; a council filter finds a hub
    through any council it names."""
    store = EmbeddedStore.open(tmp_path / "store")
    build(store)
    store.add_quads(synth_quads(40, seed=9))
    try:
        table = HubTable.from_store(store)
        assert len(table.rows) >= 40
        for row in table.rows:
            for predicate, key in KEYS.items():
                bound = {"h": ox.NamedNode(row.iri), "p": ox.NamedNode(predicate)}
                stated = {found["o"].value for found in store.select("SELECT ?h ?p ?o WHERE { ?h ?p ?o }", bound)}
                if key == "goals":
                    stated |= {SDG + t.removeprefix(SDG).split(".")[0] for t in row.values("targets")}
                assert row.values(key) == tuple(sorted(stated)), (row.iri, key)
            listed = row.as_dict()
            assert list(listed)[5:] == list(LINK_ORDER)
            assert all(listed[key] == list(row.values(key)) for key in LINK_ORDER)
            for council in row.values("councils"):
                assert row in table.select(HubFilter(council=council))
    finally:
        store.close()


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
