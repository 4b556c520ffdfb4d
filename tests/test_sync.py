"""The synchronization index: related hubs ranked by rarity, with reasons that add up, kept current hub by hub."""

from __future__ import annotations

import gc
import json
import math
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.exchange import import_files
from l4a.graph.sync.index import KIND_WEIGHTS, OVERLAP_WEIGHT, HubRecord, Related, SyncIndex

DATA = Path(__file__).parent / "data" / "sync" / "rare-beats-common.trig"
LABELS = Path(__file__).parent / "data" / "sync" / "labels.trig"
HUB = "https://w3id.org/l4a/id/hub/"
Cli = Callable[..., Result]


@pytest.fixture
def store() -> EmbeddedStore:
    made = EmbeddedStore.in_memory()
    import_files(made, [DATA])
    return made


def test_a_rare_shared_target_beats_two_common_ones(store: EmbeddedStore) -> None:
    ranking = SyncIndex.from_store(store).related(HUB + "h1")
    assert [r.hub for r in ranking][:2] == [HUB + "h2", HUB + "h3"]
    rare = next(reason for reason in ranking[0].reasons if reason.label == "14.1")
    common = [reason for reason in ranking[1].reasons if reason.label in ("11.1", "11.2")]
    assert rare.contribution > sum(c.contribution for c in common)


def test_explanations_add_up_to_the_score(store: EmbeddedStore) -> None:
    index = SyncIndex.from_store(store)
    for hub in index.hubs:
        for related in index.related(hub, limit=20):
            assert related.score == pytest.approx(sum(r.contribution for r in related.reasons))
            assert related.reasons


def test_pruned_ranking_equals_the_exhaustive_one(store: EmbeddedStore) -> None:
    index = SyncIndex.from_store(store)
    for hub in index.hubs:
        for limit in (1, 2, 3, 20):
            assert index.related(hub, limit) == index.related_exhaustive(hub, limit)


def test_overlap_and_builds_on_are_reasons(store: EmbeddedStore) -> None:
    index = SyncIndex.from_store(store)
    h2 = next(r for r in index.related(HUB + "h1") if r.hub == HUB + "h2")
    assert "overlap" in {r.kind for r in h2.reasons}
    h4 = next(r for r in index.related(HUB + "h3") if r.hub == HUB + "h4")
    assert "buildsOn" in {r.kind for r in h4.reasons}


def test_partners_are_related_concurrent_and_not_yet_linked(store: EmbeddedStore) -> None:
    index = SyncIndex.from_store(store)
    partners = [r.hub for r in index.partners(HUB + "h3")]
    assert HUB + "h1" in partners  # overlapping in time, sharing targets
    assert HUB + "h4" not in partners  # already linked (builds on), and no dates


def test_an_incremental_change_equals_a_full_rebuild(store: EmbeddedStore) -> None:
    index = SyncIndex.from_store(store)
    store.update("DROP GRAPH <https://w3id.org/l4a/graph/hub/h5>")
    store.update(
        "INSERT DATA { GRAPH <https://w3id.org/l4a/graph/hub/h9> { "
        f'<{HUB}h9> a <https://w3id.org/l4a/ontology#Hub> ; <http://purl.org/dc/terms/title> "Hub 9"@en ; '
        "<https://w3id.org/l4a/ontology#addressesTarget> <http://metadata.un.org/sdg/14.1> } }"
    )
    index.refresh_hub(store, HUB + "h5")  # removed
    index.refresh_hub(store, HUB + "h9")  # added
    index.refresh_hub(store, HUB + "h4")  # unchanged, but h3 builds on it: the link must survive
    rebuilt = SyncIndex.from_store(store)
    assert set(index.hubs) == set(rebuilt.hubs)
    for hub in rebuilt.hubs:
        assert index.related(hub, 20) == rebuilt.related(hub, 20)
        assert index.partners(hub, 20) == rebuilt.partners(hub, 20)
        assert index.linked(hub) == rebuilt.linked(hub)
    assert index.linked(HUB + "h4") == {HUB + "h3"}


def test_goals_of_targets_count_as_shared_goals(store: EmbeddedStore) -> None:
    index = SyncIndex.from_store(store)
    assert {"http://metadata.un.org/sdg/14", "http://metadata.un.org/sdg/11"} <= index.hubs[HUB + "h1"].concepts
    h2 = next(r for r in index.related(HUB + "h1") if r.hub == HUB + "h2")
    assert ("goal", "SDG 14") in {(r.kind, r.label) for r in h2.reasons}


@pytest.mark.parametrize(
    ("lang", "titles", "concept"),
    [
        ("en", {"en": "Only English", "plain": "Plain title", "fr": 'Titre 100% "français"'}, "Ecology"),
        ("fr", {"en": "Seulement français", "plain": "Titre", "fr": 'Titre 100% "français"'}, "Écologie"),
    ],
)
def test_titles_and_labels_in_the_preferred_language_else_plain_else_any(
    lang: str, titles: dict[str, str], concept: str
) -> None:
    made = EmbeddedStore.in_memory()
    import_files(made, [LABELS])
    index = SyncIndex.from_store(made, lang=lang)
    assert {iri.rsplit("/", 1)[1]: record.label for iri, record in index.hubs.items()} == titles
    index.refresh_hub(made, HUB + "fr", lang=lang)  # one hub read again finds the same title
    assert index.hubs[HUB + "fr"].label == titles["fr"]
    assert {reason.label for related in index.related(HUB + "en") for reason in related.reasons} == {concept}


def synthetic(count: int, seed: int, pool: int, first: int = 0) -> list[HubRecord]:
    """Random hubs: Zipf-like concepts (so scores tie and some concepts are common), dates (some missing, some
    zero-length), builds-on and synchronizes-with links."""
    rng = random.Random(seed)
    concepts = [f"urn:test:concept:{c}" for c in range(pool)]
    weights = [1 / (rank + 1) for rank in range(pool)]
    records = []
    for number in range(first, first + count):
        start = date(2019, 1, 1) + timedelta(days=rng.randrange(2500)) if rng.random() < 0.9 else None
        end = start + timedelta(days=rng.choice([0, 30, 365, 700, 1000])) if start else None
        earlier = {f"urn:test:hub:{rng.randrange(number)}"} if number and rng.random() < 0.1 else set()
        synced = {f"urn:test:hub:{rng.randrange(first + count)}"} if rng.random() < 0.05 else set()
        chosen = set(rng.choices(concepts, weights, k=rng.randrange(7)))
        records.append(HubRecord(f"urn:test:hub:{number}", f"Hub {number}", chosen, start, end, earlier, synced))
    return records


def kinds_for(pool: int) -> dict[str, str]:
    kinds = [*KIND_WEIGHTS, "other kind"]
    return {f"urn:test:concept:{c}": kinds[c % len(kinds)] for c in range(pool)}


def partners_exhaustive(index: SyncIndex, hub: str, limit: int) -> list[Related]:
    """Related, not linked, and running at the same time unless either time frame is not recorded."""
    linked = index.linked(hub)

    def dated(iri: str) -> bool:
        return bool(index.hubs[iri].start and index.hubs[iri].end)

    return [
        r
        for r in index.related_exhaustive(hub, len(index.hubs))
        if r.hub not in linked
        and (any(reason.kind == "overlap" for reason in r.reasons) or not (dated(hub) and dated(r.hub)))
    ][:limit]


def test_matrix_ranking_equals_the_exhaustive_one_on_thousands_of_random_hubs() -> None:
    index = SyncIndex()
    index.kinds.update(kinds_for(300))
    index.put_hubs(synthetic(2500, seed=5, pool=300))  # 300 concepts: the matrix grows past its first 256 columns
    for hub in random.Random(6).sample(sorted(index.hubs), 40):
        everything = index.related_exhaustive(hub, len(index.hubs))
        for limit in (1, 3, 10, 60):
            assert index.related(hub, limit) == everything[:limit]
        assert index.partners(hub, 10) == partners_exhaustive(index, hub, 10)


def test_looking_among_the_sharing_hubs_first_gives_the_exhaustive_ranking(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a big index a hub's best are looked for among the hubs sharing its heaviest concepts first; the answer
    must be exactly the exhaustive one (ties, fictional hubs, builds-on without a shared concept, partners), and
    that search must actually answer most hubs (else this test would not test it)."""
    records = synthetic(2500, seed=21, pool=300)
    for record in records[::50]:
        record.fictional = True
    index = SyncIndex()
    index.kinds.update(kinds_for(300))
    index.put_hubs(records)
    index.prune_from = 0  # as on 30k hubs and more
    answered: list[bool] = []
    search = SyncIndex._top_of_sharing

    def spy(self: SyncIndex, *args: Any) -> Any:
        found = search(self, *args)
        answered.append(found is not None)
        return found

    monkeypatch.setattr(SyncIndex, "_top_of_sharing", spy)
    for hub in random.Random(22).sample(sorted(index.hubs), 60):
        everything = index.related_exhaustive(hub, len(index.hubs))
        for limit in (1, 3, 10, 60):
            assert index.related(hub, limit) == everything[:limit], (hub, limit)
        assert index.partners(hub, 10) == partners_exhaustive(index, hub, 10)
    assert sum(answered) > len(answered) / 2
    # A guess far too low (as after a hub with few concepts) must not send the next hubs to scoring every row.
    sample = random.Random(23).sample(sorted(index.hubs), 200)
    counts = []
    for guess in (math.inf, OVERLAP_WEIGHT + 0.01):
        answered.clear()
        for hub in sample:
            index._kth_guess = guess
            assert index.related(hub, 10) == index.related_exhaustive(hub, 10)
        counts.append(sum(answered))
    assert counts[1] == counts[0] > 100


def test_the_network_edge_reason_is_the_strongest_of_all_reasons() -> None:
    """The network's edges carry only their strongest reason, made alone: it must be the one the full list puts
    first, ties included (Zipf-like concepts make many equal weights)."""
    index = SyncIndex()
    index.kinds.update(kinds_for(60))
    index.put_hubs(synthetic(1500, seed=11, pool=60))
    pairs = 0
    for hub in random.Random(12).sample(sorted(index.hubs), 200):
        for related in index.related(hub, 10):
            strongest = max(related.reasons, key=lambda r: r.contribution, default=None)
            assert index.top_reason(index.hubs[hub], index.hubs[related.hub]) == strongest
            pairs += 1
    assert pairs > 1000
    assert index.top_reason(HubRecord("urn:a"), HubRecord("urn:b")) is None


def test_communities_find_planted_groups() -> None:
    """Two dense groups of hubs joined by one weak edge are two communities, whatever the seed."""
    import networkx as nx

    from l4a.graph.sync.network import communities

    graph = nx.Graph()
    left, right = [f"urn:l{i}" for i in range(12)], [f"urn:r{i}" for i in range(9)]
    for group in (left, right):
        graph.add_edges_from(((a, b) for a in group for b in group if a < b), weight=1.0)
    graph.add_edge(left[0], right[0], weight=0.1)
    graph.add_node("urn:alone")
    for seed in (1, 2, 3):
        assert communities(graph, seed=seed) == [sorted(left), sorted(right), ["urn:alone"]]
    assert communities(nx.Graph()) == []


def test_many_incremental_changes_equal_a_fresh_index() -> None:
    records = {r.iri: r for r in synthetic(2200, seed=7, pool=200)}
    kinds = kinds_for(320)
    index = SyncIndex()
    index.kinds.update(kinds)
    for record in records.values():  # one by one: the matrix grows row by row
        index.put_hub(record)
    rng = random.Random(8)
    for iri in rng.sample(sorted(records), 150):
        index.remove_hub(iri)
        del records[iri]
    for old, new in zip(rng.sample(sorted(records), 150), synthetic(150, seed=9, pool=320), strict=True):
        replaced = HubRecord(old, new.label, new.concepts, new.start, new.end, new.builds_on, new.synchronizes_with)
        index.put_hub(replaced)  # new concepts too: new columns past the first 256
        records[old] = replaced
    for record in synthetic(100, seed=10, pool=320, first=5000):
        index.put_hub(record)
        records[record.iri] = record
    fresh = SyncIndex()
    fresh.kinds.update(kinds)
    fresh.put_hubs(records.values())
    assert set(index.hubs) == set(fresh.hubs)
    assert all(index.idf(concept) == fresh.idf(concept) for concept in kinds)
    for hub in rng.sample(sorted(records), 60):
        assert index.related(hub, 15) == fresh.related(hub, 15) == fresh.related_exhaustive(hub, 15)
        assert index.partners(hub, 15) == fresh.partners(hub, 15)
        assert index.linked(hub) == fresh.linked(hub)


def test_must_show_bilbao_is_related_to_real_hubs_with_reasons(cli: Cli) -> None:
    assert cli("build", "--quiet").exit_code == 0
    result = cli("related", "bilbao-city-of-values", "--format", "json")
    found = json.loads(result.stdout)
    assert {f["hub"].rsplit("/", 1)[1] for f in found} >= {
        "xian-youth-education-dialogue",
        "venice-city-solutions-2030",
    }
    assert all(r["label"].startswith("SDG ") for f in found for r in f["reasons"])
    assert set(found[0]) == {"hub", "label", "score", "reasons"}
    assert cli("related", "atlantis").exit_code == 2


def test_communities_bridges_and_exports(store: EmbeddedStore, tmp_path: Path) -> None:
    from l4a.graph.sync.network import bridges, communities, hub_network, network_graphml, network_json

    graph = hub_network(SyncIndex.from_store(store))
    groups = communities(graph)
    assert sorted(h for group in groups for h in group) == sorted(graph.nodes)
    assert communities(graph) == groups  # repeatable
    assert bridges(graph, limit=3)[0][1] >= bridges(graph, limit=3)[-1][1]
    data = json.loads(network_json(graph))
    assert {n["id"] for n in data["nodes"]} == set(graph.nodes)
    path = tmp_path / "hubs.graphml"
    path.write_bytes(network_graphml(graph))
    import networkx as nx

    assert set(nx.read_graphml(path).nodes) == set(graph.nodes)


def test_cli_communities_and_network(cli: Cli, tmp_path: Path) -> None:
    assert cli("build", "--quiet").exit_code == 0
    found = json.loads(cli("communities", "--format", "json").stdout)
    assert sum(len(c) for c in found["communities"]) == 7
    out = tmp_path / "n.graphml"
    assert cli("network", "--format", "graphml", "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"<?xml")


def test_a_build_leaves_the_cycle_collector_as_it_found_it(store: EmbeddedStore) -> None:
    assert gc.isenabled()
    SyncIndex.from_store(store)
    assert gc.isenabled()
    gc.disable()
    try:
        SyncIndex.from_store(store)
        assert not gc.isenabled()
    finally:
        gc.enable()
