"""Suggestions as records in a real embedded store: stored pending per hub with provenance, stored once, never
reopened once rejected, listed by hub and state, confirmed into the hub's graph with who and when."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from l4a.graph.build import build
from l4a.graph.cli.main import main
from l4a.graph.errors import UsageError
from l4a.graph.namespaces import DEFAULT_BASE, L4A, PROV, SDG
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.suggest.model import get_suggester
from l4a.graph.suggest.records import hub_texts, list_suggestions, review, store_suggestions, suggestions_graph

BASE = DEFAULT_BASE
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def data_dir(built_dir: Path, tmp_path: Path) -> Path:
    """A writable copy of the store built from the shipped data."""
    copy = tmp_path / "data"
    shutil.copytree(built_dir, copy)
    return copy


@pytest.fixture
def store(data_dir: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore.open(data_dir / "store")
    yield opened
    opened.close()


def store_all(store: EmbeddedStore, when: dt.datetime = NOW) -> dict[str, int]:
    added = {}
    for hub in hub_texts(store, BASE):
        added[hub.slug] = len(store_suggestions(store, BASE, hub, get_suggester().suggest(hub.text), when).added)
    return added


def quads_of(store: EmbeddedStore, graph: str) -> set[str]:
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    return {line for line in out.getvalue().decode().splitlines() if f"<{graph}>" in line}


def test_every_real_hub_gets_pending_suggestions_with_provenance(store: EmbeddedStore) -> None:
    added = store_all(store)
    assert added and all(n > 0 for n in added.values()), added
    records = list_suggestions(store, BASE)
    assert {r.state for r in records} == {"pending"}
    for r in records:
        assert r.method == "l4a-lexical" and r.version and r.generated.startswith("2026-12-06T09:00")
        assert r.text and 0 < r.score <= 1
        assert r.iri.startswith(f"{BASE}id/suggestion/") and r.id.split("/")[0] in added
        assert r.property.startswith(L4A)
    # each hub's suggestions live in its own graph
    slug = next(iter(added))
    assert all(f"<{suggestions_graph(BASE, slug)}>" in q for q in quads_of(store, suggestions_graph(BASE, slug)))


def test_fictional_hubs_get_no_suggestions(store: EmbeddedStore) -> None:
    store_all(store)
    assert not any("fictional" in r.hub or "example" in r.hub for r in list_suggestions(store, BASE))


def test_storing_again_adds_nothing_and_keeps_rejections(store: EmbeddedStore) -> None:
    store_all(store)
    first = list_suggestions(store, BASE)
    rejected = first[0]
    review(store, BASE, [rejected.id], "rejected", "Ana Pérez", "not what the hub does", NOW)
    before = len(store.named_graphs()), store.quad_count()
    assert set(store_all(store, NOW + dt.timedelta(days=1)).values()) == {0}
    assert (len(store.named_graphs()), store.quad_count()) == before
    again = list_suggestions(store, BASE, iri=rejected.iri)
    assert again[0].state == "rejected" and again[0].reason == "not what the hub does"
    assert again[0].reviewed_by == "Ana Pérez"


def test_links_the_hub_already_states_are_not_suggested(store: EmbeddedStore) -> None:
    store_all(store)
    bilbao = f"{BASE}id/hub/bilbao-city-of-values"  # the sources link it to all 17 goals
    values = {r.value for r in list_suggestions(store, BASE, hub=bilbao)}
    assert not any(v.startswith(SDG) and "." not in v.removeprefix(SDG) for v in values)


def test_list_by_hub_and_state(store: EmbeddedStore) -> None:
    store_all(store)
    hub = hub_texts(store, BASE)[0].iri
    mine = list_suggestions(store, BASE, hub=hub)
    assert mine and {r.hub for r in mine} == {hub}
    assert [r.score for r in mine] == sorted((r.score for r in mine), reverse=True)
    review(store, BASE, [mine[0].id], "confirmed", "Ana", None, NOW)
    assert [r.id for r in list_suggestions(store, BASE, hub=hub, state="confirmed")] == [mine[0].id]
    assert mine[0].id not in [r.id for r in list_suggestions(store, BASE, state="pending")]
    with pytest.raises(UsageError, match="unknown state"):
        list_suggestions(store, BASE, state="maybe")


def test_confirm_writes_the_link_into_the_hub_graph_with_who_and_when(store: EmbeddedStore) -> None:
    store_all(store)
    record = next(r for r in list_suggestions(store, BASE) if r.property == L4A + "relevantCouncil")
    slug = record.id.split("/")[0]
    hub_graph = f"{BASE}graph/hub/{slug}"
    assert review(store, BASE, [record.id], "confirmed", "Ana Pérez", "fits the council", NOW)[0].after == "confirmed"
    rows = store.select(
        "SELECT * WHERE { GRAPH ?g { ?hub ?p ?o . ?s a ?statement ; ?subject ?hub ; "
        "?predicate ?p ; ?object ?o ; ?attributed ?agent ; ?dated ?date ; ?derived ?origin . ?agent ?label ?who } }",
        {
            "g": ox.NamedNode(hub_graph),
            "hub": ox.NamedNode(record.hub),
            "p": ox.NamedNode(record.property),
            "o": ox.NamedNode(record.value),
            "statement": ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement"),
            "subject": ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"),
            "predicate": ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate"),
            "object": ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#object"),
            "attributed": ox.NamedNode(PROV + "wasAttributedTo"),
            "dated": ox.NamedNode("http://purl.org/dc/terms/date"),
            "derived": ox.NamedNode(PROV + "wasDerivedFrom"),
            "label": ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        },
    )
    assert len(rows) == 1
    assert rows[0]["who"].value == "Ana Pérez" and rows[0]["date"].value == "2026-12-06"
    assert rows[0]["origin"].value == record.iri
    kept = list_suggestions(store, BASE, iri=record.iri)[0]
    assert kept.state == "confirmed" and kept.reviewed_by == "Ana Pérez" and kept.reason == "fits the council"
    # the rest of the hub's graph is still there
    assert store.ask(
        "ASK { GRAPH ?g { ?hub a ?hubClass } }",
        {"g": ox.NamedNode(hub_graph), "hub": ox.NamedNode(record.hub), "hubClass": ox.NamedNode(L4A + "Hub")},
    )


def test_confirming_a_rejected_suggestion_writes_nothing(store: EmbeddedStore) -> None:
    store_all(store)
    first, second = list_suggestions(store, BASE)[:2]
    review(store, BASE, [first.id], "rejected", "Ana", "no", NOW)
    count = store.quad_count()
    with pytest.raises(UsageError, match="was rejected by Ana"):
        review(store, BASE, [second.id, first.id], "confirmed", "Ben", None, NOW)
    assert store.quad_count() == count
    assert list_suggestions(store, BASE, iri=second.iri)[0].state == "pending"


def test_unknown_id_and_empty_name_are_usage_errors(store: EmbeddedStore) -> None:
    store_all(store)
    with pytest.raises(UsageError, match=re.escape("no suggestion 'nope/target-1.1'")):
        review(store, BASE, ["nope/target-1.1"], "confirmed", "Ana", None, NOW)
    with pytest.raises(UsageError, match="--by"):
        review(store, BASE, [list_suggestions(store, BASE)[0].id], "confirmed", "  ", None, NOW)


def test_cli_store_list_confirm_export(data_dir: Path) -> None:
    env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml")}

    def cli(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = cli("suggest", "--all", "--store")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines and all(line["stored"]["added"] > 0 for line in lines)
    code, out, _ = cli("suggest", "--all", "--store")
    assert all(json.loads(line)["stored"]["added"] == 0 for line in out.splitlines())
    code, out, _ = cli("suggestions", "list", "--state", "pending", "--format", "json")
    pending = json.loads(out)
    target = next(p for p in pending if p["property"] == L4A + "addressesTarget")
    code, out, _ = cli("suggestions", "confirm", target["id"], "--by", "Ana Pérez")
    assert code == 0 and out.strip() == f"{target['id']}: pending -> confirmed"
    code, out, _ = cli("suggestions", "confirm", target["id"], "--by", "Ana Pérez")
    assert out.strip() == f"{target['id']}: already confirmed"
    code, out, _ = cli("export", "--format", "nquads")
    hub_graph = f"<{BASE}graph/hub/{target['id'].split('/')[0]}>"
    link = f"<{target['hub']}> <{L4A}addressesTarget> <{target['value']}> {hub_graph} ."
    assert link in out.splitlines()
    assert f"<{PROV}wasAttributedTo>" in out and f'"Ana Pérez" {hub_graph} .' in out
    code, _, err = cli("suggestions", "reject", "nope/target-1.1", "--by", "Ana")
    assert code == 2 and "no suggestion" in err
    code, _, err = cli("suggest", "--hub", "no-such-hub")
    assert code == 2 and "no hub 'no-such-hub'" in err
    bad = (
        ["suggest", "--hub", "a b"],
        ["suggestions", "list", "--hub", "a b"],
        ["suggestions", "reject", "a b", "--by", "A"],
    )
    for args in bad:
        code, _, err = cli(*args)
        assert code == 2 and "is not a valid IRI or slug" in err, (args, err)


def test_cli_one_hub_in_a_table_and_list_filters(data_dir: Path) -> None:
    env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml")}

    def cli(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = cli("suggest", "--hub", "valongo-participation4all", "--format", "table", "--store")
    assert code == 0 and out.startswith("hub=valongo-participation4all") and "goals:" in out
    code, out, _ = cli("suggestions", "list", "--hub", "valongo-participation4all")
    lines = out.splitlines()
    assert lines and all(line.startswith("valongo-participation4all/") and "\tpending\t" in line for line in lines)
    code, out, err = cli("suggestions", "list", "--hub", "bilbao-city-of-values")
    assert code == 0 and out == "" and "no suggestions" in err
    first = lines[0].split("\t")[0]
    code, out, _ = cli("suggestions", "reject", first, "--by", "Ana", "--reason", "not its theme")
    assert out.strip() == f"{first}: pending -> rejected"
    code, out, _ = cli("suggestions", "list", "--state", "rejected", "--format", "json")
    rejected = json.loads(out)
    assert [r["id"] for r in rejected] == [first] and rejected[0]["reason"] == "not its theme"
    code, _, err = cli("suggestions", "confirm", first, "--by", "Ben")
    assert code == 2 and "was rejected by Ana" in err


def test_a_rebuild_keeps_confirmed_links_with_their_attribution(store: EmbeddedStore) -> None:
    store_all(store)
    record = next(r for r in list_suggestions(store, BASE) if r.property == L4A + "relevantCouncil")
    review(store, BASE, [record.id], "confirmed", "Ana Pérez", None, NOW)
    hub_graph = f"{BASE}graph/hub/{record.id.split('/')[0]}"
    before = quads_of(store, hub_graph)
    build(store, BASE)
    assert quads_of(store, hub_graph) == before
    assert list_suggestions(store, BASE, iri=record.iri)[0].state == "confirmed"


def test_suggested_manifestos_and_councils_are_under_the_stores_base_iri(tmp_path: Path) -> None:
    """With another base IRI (L4A_BASE_IRI), a suggestion names the manifesto or council the store holds under that
    base, not the shipped IRI: confirming it links the hub to a record that exists."""
    base = "https://hubs.example.org/"
    other = EmbeddedStore.open(tmp_path / "store")
    try:
        build(other, base)
        values = set()
        for hub in hub_texts(other, base):
            result = get_suggester().suggest(hub.text)
            store_suggestions(other, base, hub, result, NOW)
        for record in list_suggestions(other, base):
            if record.property in (L4A + "addressesManifesto", L4A + "relevantCouncil"):
                values.add(record.value)
        assert values, "the shipped hubs get manifesto or council suggestions"
        assert all(value.startswith(f"{base}id/") for value in values), values
        for value in values:  # each one a record the store holds
            assert other.ask("ASK { ?v ?p ?o }", {"v": ox.NamedNode(value)}), value
    finally:
        other.close()
