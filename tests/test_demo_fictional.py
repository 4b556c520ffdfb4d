"""The demo stays fictional: loaded and exported only on request, marked `l4a:fictional true` record by record, with
its own fictional council and section, never among a real hub's related hubs or partners, named after no real place.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from l4a.graph.build import build
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.sync.index import SyncIndex

from .test_cli import data_dir_cli

ROOT = Path(__file__).parents[1]
ID = "https://w3id.org/l4a/id/"
L4A = "https://w3id.org/l4a/ontology#"
DEMO = ID + "hub/demo-exampleton-green-corridors"
FICTIONAL = ox.NamedNode(L4A + "fictional")


def test_a_plain_build_after_one_with_examples_removes_the_demo(tmp_path: Path) -> None:
    cli = data_dir_cli(tmp_path / "data")
    assert cli("build", "--quiet", "--with-examples").exit_code == 0
    assert json.loads(cli("stats", "--format", "json").output)["hubs"] == 8
    assert cli("build", "--quiet").exit_code == 0
    assert json.loads(cli("stats", "--format", "json").output)["hubs"] == 7
    export = cli("export", "--format", "nquads").output
    assert "demo-exampleton" not in export and "/graph/examples/" not in export
    assert '/ontology#fictional> "true"' not in export  # the term is in the ontology; no record carries it
    status = cli("monitor", "status", "--format", "json").output
    assert "demo-exampleton" not in status and "33" not in json.dumps(json.loads(status))


def test_export_leaves_examples_out_unless_asked(tmp_path: Path) -> None:
    cli = data_dir_cli(tmp_path / "data")
    assert cli("build", "--quiet", "--with-examples").exit_code == 0
    plain = cli("export", "--format", "nquads").output
    assert "demo-exampleton" not in plain and "/graph/examples/" not in plain
    assert cli("export", "--format", "turtle").output.count("demo-exampleton") == 0
    asked = cli("export", "--format", "nquads", "--with-examples").output
    assert f"<{DEMO}>" in asked and "/graph/examples/monitoring/demo-exampleton-green-corridors>" in asked
    # What is left out is only the examples: every other quad is in the plain export.
    assert {q for q in asked.splitlines() if "/graph/examples/" not in q} == set(plain.splitlines())


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    opened = EmbeddedStore.open(tmp_path / "store")
    build(opened, with_examples=True)
    return opened


def test_every_fictional_record_is_marked(store: EmbeddedStore) -> None:
    examples = [g for g in store.named_graphs() if "/graph/examples/" in g]
    assert len(examples) == 2  # the demo hub and its monitoring figures
    for graph in examples:
        rows = store.select(
            "SELECT ?g (COUNT(DISTINCT ?s) AS ?all) (COUNT(DISTINCT ?bare) AS ?unmarked) WHERE { GRAPH ?g { ?s ?p ?o }"
            " FILTER isIRI(?s) OPTIONAL { FILTER NOT EXISTS { ?s <https://w3id.org/l4a/ontology#fictional> true }"
            " BIND (?s AS ?bare) } } GROUP BY ?g",
            {"g": ox.NamedNode(graph)},
        )
        assert int(rows[0]["all"].value) > 0 and int(rows[0]["unmarked"].value) == 0, graph
    store.close()


def test_the_demo_has_its_own_fictional_council_and_section(store: EmbeddedStore) -> None:
    rows = store.select(
        "SELECT ?hub ?c ?s WHERE { ?hub <https://w3id.org/l4a/ontology#relevantCouncil> ?c ;"
        " <https://w3id.org/l4a/ontology#section> ?s }",
        {"hub": ox.NamedNode(DEMO)},
    )
    assert [(r["c"].value, r["s"].value) for r in rows] == [
        (ID + "council/demo-exampleton-council", ID + "section/demo-exampleton-section")
    ]
    for record in (rows[0]["c"], rows[0]["s"]):
        assert store.ask("ASK { ?r <https://w3id.org/l4a/ontology#fictional> true }", {"r": record})
    store.close()


def test_fictional_hubs_never_appear_among_a_real_hubs_related_hubs_or_partners(store: EmbeddedStore) -> None:
    index = SyncIndex.from_store(store)
    assert index.fictional == {DEMO}
    for hub in index.hubs:
        if hub == DEMO:
            continue
        shown = index.related(hub, 50) + index.partners(hub, 50) + index.related_exhaustive(hub, 50)
        assert DEMO not in {r.hub for r in shown}, hub
    # The demo itself may list real hubs: it is marked fictional wherever it appears.
    assert index.related(DEMO, 50)
    store.close()


def test_the_demo_is_named_after_no_real_place_and_the_docs_say_so() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    real = re.compile(r"r[ií]o ?verde", re.IGNORECASE)
    mentions = [
        name
        for name in tracked
        if not name.startswith("ontology/sources/") and name not in ("tests/test_demo_fictional.py", "docs/examples.md")
        and (ROOT / name).is_file() and real.search((ROOT / name).read_text(encoding="utf-8", errors="ignore"))
    ]  # fmt: skip
    assert mentions == []
    text = " ".join((ROOT / "docs" / "examples.md").read_text(encoding="utf-8").split())
    assert "Exampleton" in text and "not the name of any real place" in text and "Ríoverde" in text


def test_the_network_never_joins_a_fictional_hub_to_a_real_one(store: EmbeddedStore) -> None:
    """The demo may list real hubs on its own page, but the network (its communities and the real hubs' bridge
    scores) is drawn without a single line between fiction and the real records."""
    from l4a.graph.sync.network import communities, hub_network

    index = SyncIndex.from_store(store)
    assert index.related(DEMO, 10)  # the demo does have real hubs among its related hubs...
    graph = hub_network(index)
    assert DEMO in graph
    assert all(index.hubs[a].fictional == index.hubs[b].fictional for a, b in graph.edges)  # ...but no line to them
    assert not list(graph.neighbors(DEMO))
    for group in communities(graph):
        assert len({index.hubs[hub].fictional for hub in group}) == 1
    store.close()
