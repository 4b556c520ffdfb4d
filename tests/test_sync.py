"""The synchronization index: related hubs ranked by rarity, with reasons that add up, kept current hub by hub."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from l4a.graph.embedded import EmbeddedStore
from l4a.graph.exchange import import_files
from l4a.graph.sync import SyncIndex

DATA = Path(__file__).parent / "data" / "sync" / "rare-beats-common.trig"
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
    rebuilt = SyncIndex.from_store(store)
    assert set(index.hubs) == set(rebuilt.hubs)
    for hub in rebuilt.hubs:
        assert index.related(hub, 20) == rebuilt.related(hub, 20)


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
    from l4a.graph.network import bridges, communities, hub_network, network_graphml, network_json

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
