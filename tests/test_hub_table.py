"""The hub table (every hub as one row) holds one string for a value many hubs share, also once read back from the
disk: at 100k hubs that took it from 517 MB to 327 MB of a server's memory."""

from __future__ import annotations

import pickle
from pathlib import Path

from l4a.graph.build import build
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
