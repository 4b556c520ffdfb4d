"""The proposal pipeline: the examples pass, bad proposals are stored as "needs changes", nothing is lost, the
lifecycle allows only legal transitions, and accepting publishes the revision atomically."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from l4a.graph.build import build
from l4a.graph.errors import InputError, UsageError
from l4a.graph.namespaces import DEFAULT_BASE, L4A, PROV
from l4a.graph.proposals import pipeline as pipeline
from l4a.graph.proposals.lifecycle import parsed_triples, proposal, proposals, transition
from l4a.graph.proposals.pipeline import submit
from l4a.graph.stats import store_stats
from l4a.graph.store.embedded import EmbeddedStore

from .test_cli import Cli, data_dir_cli

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "docs" / "examples"
HUB = "https://w3id.org/l4a/id/hub/"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore.open(tmp_path / "store")
    build(opened)
    yield opened
    opened.close()


def dump(store: EmbeddedStore) -> bytes:
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    return out.getvalue()


def variant(tmp_path: Path, name: str, old: str, new: str, lang: str = "en") -> Path:
    text = (EXAMPLES / f"proposal-exampleton.{lang}.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_each_example_is_stored_as_submitted(store: EmbeddedStore, lang: str) -> None:
    [stored] = submit(store, [EXAMPLES / f"proposal-exampleton.{lang}.yaml"], DEFAULT_BASE, lang=lang)
    assert stored.status == "submitted" and stored.report.conforms and stored.revision == 1
    [listed] = proposals(store, DEFAULT_BASE)
    assert (listed.id, listed.status) == (stored.id, "submitted")
    assert listed.names[lang].startswith("Exampleton")


def test_proposals_stay_apart_from_the_published_graph(store: EmbeddedStore) -> None:
    before = store_stats(store)
    submit(store, [EXAMPLES / "proposal-exampleton.en.yaml"], DEFAULT_BASE)
    after = store_stats(store)
    assert after["hubs"] == before["hubs"] and after["organisations"] == before["organisations"]


def test_five_years_is_stored_as_needs_changes_with_the_duration_rule(store: EmbeddedStore, tmp_path: Path) -> None:
    path = variant(tmp_path, "five.yaml", "end_date: 2028-02-29", "end_date: 2031-02-28", "fr")
    [stored] = submit(store, [path], DEFAULT_BASE, lang="fr")
    assert stored.status == "needs-changes"
    rules = {r.shape.rsplit("#", 1)[1] for r in stored.report.results if r.severity == "Violation"}
    assert rules == {"hub-lasts-one-to-three-years"}
    kept = proposal(store, stored.id, DEFAULT_BASE)
    assert kept.status == "needs-changes" and not kept.conforms
    assert kept.report["results"][0]["message"].startswith("Durée")  # type: ignore[index]


def test_unknown_reference_is_a_violation_with_suggestions(store: EmbeddedStore, tmp_path: Path) -> None:
    path = variant(tmp_path, "bad.yaml", '"11.7", "SDG 13.1"', '"SDG 18.1", "SDG 13.1"')
    [stored] = submit(store, [path], DEFAULT_BASE)
    [result] = [r for r in stored.report.results if r.value == "SDG 18.1"]
    assert result.severity == "Violation" and "SDG 18.1" in result.message and "closest" in result.message


def test_original_bytes_are_kept_verbatim(store: EmbeddedStore) -> None:
    path = EXAMPLES / "proposal-exampleton.es.yaml"
    [stored] = submit(store, [path], DEFAULT_BASE)
    assert proposal(store, stored.id, DEFAULT_BASE).content.encode() == path.read_bytes()


def test_unreadable_input_stores_nothing(store: EmbeddedStore, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nname: [unclosed\n")
    before = dump(store)
    with pytest.raises(InputError):
        submit(store, [EXAMPLES / "proposal-exampleton.en.yaml", broken], DEFAULT_BASE)  # a good file first
    assert dump(store) == before


def test_resubmission_is_a_new_revision_of_the_same_hub(store: EmbeddedStore, tmp_path: Path) -> None:
    five = variant(tmp_path, "five.yaml", "end_date: 2028-02-29", "end_date: 2031-02-28")
    submit(store, [five], DEFAULT_BASE)
    [second] = submit(store, [EXAMPLES / "proposal-exampleton.en.yaml"], DEFAULT_BASE)
    assert (second.revision, second.status) == (2, "submitted")
    [listed] = proposals(store, DEFAULT_BASE)
    assert listed.number == 2
    rows = store.select("SELECT ?a ?b WHERE { ?a <http://www.w3.org/ns/prov#wasRevisionOf> ?b }")
    assert [(r["a"].value.rsplit("/", 1)[1], r["b"].value.rsplit("/", 1)[1]) for r in rows] == [("2", "1")]


def test_a_write_that_fails_midway_leaves_nothing(
    store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    second = variant(tmp_path, "second.yaml", "id: exampleton-green-corridors", "id: exampleton-second")
    real, calls = pipeline.report_json, []

    def failing(report):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:  # while writing the second proposal, after the first one's quads were handed over
            raise RuntimeError("disk full (injected)")
        return real(report)

    monkeypatch.setattr(pipeline, "report_json", failing)
    before = dump(store)
    with pytest.raises(RuntimeError, match="injected"):
        submit(store, [EXAMPLES / "proposal-exampleton.en.yaml", second], DEFAULT_BASE)
    assert len(calls) == 2 and dump(store) == before


def test_twenty_concurrent_submissions_are_all_stored(store: EmbeddedStore, tmp_path: Path) -> None:
    paths = [variant(tmp_path, f"p{i}.yaml", "id: exampleton-green-corridors", f"id: hub-{i % 10}") for i in range(20)]
    errors: list[BaseException] = []

    def send(path: Path) -> None:
        try:
            submit(store, [path], DEFAULT_BASE)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    rows = store.select(
        "PREFIX l4a: <https://w3id.org/l4a/ontology#> "
        "SELECT ?hub ?n WHERE { ?p l4a:proposedHub ?hub ; l4a:revision ?n }"
    )
    revisions = sorted((r["hub"].value.rsplit("/", 1)[1], int(r["n"].value)) for r in rows)
    assert revisions == sorted((f"hub-{i}", n) for i in range(10) for n in (1, 2))


def test_accept_publishes_the_revision_and_keeps_the_history(store: EmbeddedStore) -> None:
    [stored] = submit(store, [EXAMPLES / "proposal-exampleton.en.yaml"], DEFAULT_BASE, who="Exampleton")
    transition(store, stored.id, "review", DEFAULT_BASE, "ana (deployment staff)")
    accepted = transition(store, stored.id, "accept", DEFAULT_BASE, "ana (deployment staff)", "complete and eligible")
    assert accepted.status == "labelled"
    assert [(c.before, c.after, c.who) for c in accepted.changes] == [
        (None, "submitted", "Exampleton"),
        ("submitted", "under-review", "ana (deployment staff)"),
        ("under-review", "labelled", "ana (deployment staff)"),
    ]
    assert accepted.changes[-1].reason == "complete and eligible"
    graph = ox.NamedNode("https://w3id.org/l4a/graph/hub/exampleton-green-corridors")
    published = {(q.subject, q.predicate, q.object) for q in store._store.quads_for_pattern(None, None, None, graph)}
    proposed = {(t.subject, t.predicate, t.object) for t in parsed_triples(store, stored.id, 1, DEFAULT_BASE)}
    status = ox.NamedNode(L4A + "status")
    hub = ox.NamedNode(HUB + "exampleton-green-corridors")
    assert (hub, status, ox.NamedNode("https://w3id.org/l4a/id/status/labelled")) in published
    assert {t for t in proposed if t[1] != status} <= published
    assert any(p == ox.NamedNode(L4A + "labelDate") for _s, p, _o in published)
    assert store_stats(store)["hubs"] == 8  # the seven shipped hubs and this one


def test_illegal_transitions_are_refused(store: EmbeddedStore, tmp_path: Path) -> None:
    [stored] = submit(store, [EXAMPLES / "proposal-exampleton.en.yaml"], DEFAULT_BASE)
    with pytest.raises(UsageError, match="status submitted: it cannot become completed"):
        transition(store, stored.id, "complete", DEFAULT_BASE, "x")
    transition(store, stored.id, "withdraw", DEFAULT_BASE, "x")
    with pytest.raises(UsageError, match="withdrawn"):
        transition(store, stored.id, "accept", DEFAULT_BASE, "x")
    five = variant(tmp_path, "five.yaml", "end_date: 2028-02-29", "end_date: 2031-02-28")
    [bad] = submit(store, [five], DEFAULT_BASE)
    with pytest.raises(UsageError, match="status needs-changes: it cannot become labelled"):
        transition(store, bad.id, "accept", DEFAULT_BASE, "x")


def test_complete_carries_the_status_to_the_published_hub(store: EmbeddedStore) -> None:
    [stored] = submit(store, [EXAMPLES / "proposal-exampleton.en.yaml"], DEFAULT_BASE)
    transition(store, stored.id, "accept", DEFAULT_BASE, "x")
    transition(store, stored.id, "complete", DEFAULT_BASE, "x")
    rows = store.select(
        "SELECT ?hub ?s WHERE { ?hub <https://w3id.org/l4a/ontology#status> ?s }",
        {"hub": ox.NamedNode(HUB + "exampleton-green-corridors")},
    )
    assert [r["s"].value.rsplit("/", 1)[1] for r in rows] == ["completed"]


def test_csv_example(store: EmbeddedStore) -> None:
    stored = submit(store, [EXAMPLES / "proposals.csv"], DEFAULT_BASE)
    assert [(s.id, s.status) for s in stored] == [
        ("exampleton-water-commons", "submitted"),
        ("exampleton-cool-schools", "submitted"),
    ]
    assert proposal(store, "exampleton-cool-schools", DEFAULT_BASE).content.count("\n") == 2  # the header and its row


def test_rdf_proposal(store: EmbeddedStore) -> None:
    [stored] = submit(store, [ROOT / "tests" / "data" / "shapes" / "valid-hub.ttl"], DEFAULT_BASE)
    assert (stored.id, stored.status) == ("exampleton-green-corridors", "submitted")


# ---- the commands -------------------------------------------------------------------------------------------


@pytest.fixture
def built_cli(tmp_path: Path) -> Cli:
    cli = data_dir_cli(tmp_path / "data")
    assert cli("build", "--quiet").exit_code == 0
    return cli


def test_must_show(built_cli: Cli, tmp_path: Path) -> None:
    french = built_cli("propose", str(EXAMPLES / "proposal-exampleton.fr.yaml"), "--lang", "fr")
    assert french.exit_code == 0 and "soumise" in french.stdout
    listed = built_cli("proposals", "list", "--format", "json")
    assert [(p["id"], p["status"]) for p in json.loads(listed.stdout)] == [("exampleton-corridors-verts", "submitted")]
    five = variant(tmp_path, "five.yaml", "end_date: 2028-02-29", "end_date: 2031-02-28", "fr")
    result = built_cli("propose", str(five), "--format", "json")
    assert result.exit_code == 1
    [item] = json.loads(result.stdout)
    assert item["status"] == "needs-changes" and item["revision"] == 2
    assert [r["shape"].rsplit("#", 1)[1] for r in item["results"]] == ["hub-lasts-one-to-three-years"]
    before = built_cli("export", "--format", "nquads").stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nname: [unclosed\nlead: a\n")
    failed = built_cli("propose", str(broken))
    assert failed.exit_code == 2 and "broken.yaml, line 3, column 5" in failed.stderr
    assert built_cli("export", "--format", "nquads").stdout == before


def test_lifecycle_commands(built_cli: Cli) -> None:
    assert built_cli("propose", str(EXAMPLES / "proposal-exampleton.en.yaml")).exit_code == 0
    accepted = built_cli("proposals", "accept", "exampleton-green-corridors", "--by", "UCLG", "--reason", "ok")
    assert accepted.exit_code == 0 and "labelled" in accepted.stdout
    refused = built_cli("proposals", "reject", "exampleton-green-corridors", "--by", "UCLG")
    assert refused.exit_code == 2 and "Allowed now: withdraw, complete" in refused.stderr
    shown = json.loads(built_cli("proposals", "show", "exampleton-green-corridors", "--format", "json").stdout)
    assert [c["after"] for c in shown["changes"]] == ["submitted", "labelled"]
    original = built_cli("proposals", "show", "exampleton-green-corridors", "--original").stdout
    assert original == (EXAMPLES / "proposal-exampleton.en.yaml").read_text(encoding="utf-8")
    assert built_cli("stats", "--format", "json").stdout.count('"hubs": 8') == 1


def test_prov_terms_are_used(store: EmbeddedStore) -> None:
    submit(store, [EXAMPLES / "proposal-exampleton.en.yaml"], DEFAULT_BASE, who="A. Officer")
    rows = store.select(f"SELECT ?c ?t WHERE {{ ?c <{PROV}endedAtTime> ?t ; <{PROV}wasAssociatedWith> ?a }}")
    assert len(rows) == 1 and rows[0]["t"].datatype.value.endswith("#dateTime")  # type: ignore[union-attr]


@pytest.mark.parametrize(("lang", "wanted", "english"), [("fr", "Écologie", "Ecology"), ("es", "Ecología", "Ecology")])
def test_suggestions_are_named_in_the_readers_language(
    store: EmbeddedStore, tmp_path: Path, lang: str, wanted: str, english: str
) -> None:
    path = variant(tmp_path, "typo.yaml", "manifestos: [Écologie, Biodiversité]", "manifestos: [Ecologi]", "fr")
    [stored] = submit(store, [path], DEFAULT_BASE, lang=lang)
    [result] = [r for r in stored.report.results if r.value == "Ecologi"]
    assert wanted in result.message and english not in result.message.replace(wanted, "")
