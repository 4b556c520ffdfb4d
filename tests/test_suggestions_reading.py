"""Reading suggestions on the shipped data, in a real embedded store through the `l4a` command: pending suggestions
never count silently (related, partners, gaps, briefs and named queries are as before unless asked), are listed apart
as "suggested, not confirmed", count only with --include-suggested and mark every result that counted one; a
confirmed suggestion is a link everywhere, with its prov: attribution in the export."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from l4a.graph.cli.main import main
from l4a.graph.namespaces import DEFAULT_BASE, L4A
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.sync.index import SyncIndex
from l4a.graph.sync.suggested import SuggestedIndex

HUB = f"{DEFAULT_BASE}id/hub/"
COUNCIL = f"{DEFAULT_BASE}id/council/"
PROPERTY_KINDS = {L4A + "addressesTarget": "target", L4A + "addressesGoal": "goal",
                  L4A + "addressesManifesto": "manifesto", L4A + "relevantCouncil": "council"}  # fmt: skip

Run = Callable[..., Result]


def runner(data_dir: Path) -> Run:
    def run(*args: str, code: int = 0) -> Result:
        env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml")}
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (args, result.output)
        return result

    return run


@pytest.fixture(scope="module")
def before_dir(built_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data, before any suggestion is stored."""
    copy = tmp_path_factory.mktemp("before") / "data"
    shutil.copytree(built_dir, copy)
    return copy


@pytest.fixture(scope="module")
def stored_dir(built_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data after `l4a suggest --all --store` (tests must not write to it)."""
    copy = tmp_path_factory.mktemp("stored") / "data"
    shutil.copytree(built_dir, copy)
    runner(copy)("suggest", "--all", "--store")
    return copy


@pytest.fixture
def writable(stored_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(stored_dir, copy)
    return copy


def pending(run: Run) -> list[dict[str, object]]:
    answer = run("suggestions", "list", "--state", "pending", "--format", "json")
    found: list[dict[str, object]] = json.loads(answer.output)
    return found


def hubs_of(run: Run) -> list[str]:
    """Every hub of the store (the nodes of the hub network)."""
    return sorted(node["id"] for node in json.loads(run("network", "--format", "json").output)["nodes"])


def current_councils(data_dir: Path) -> set[str]:
    """The councils no other council continues (the current term)."""
    store = EmbeddedStore.open(data_dir / "store", read_only=True)
    try:
        rows = store.select(
            "SELECT ?c ?kind ?continues WHERE { ?c a ?kind FILTER NOT EXISTS { ?next ?continues ?c } }",
            {"kind": _node(L4A + "PolicyCouncil"), "continues": _node(L4A + "continues")},
        )
        return {row["c"].value for row in rows}
    finally:
        store.close()


def _node(iri: str) -> object:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def test_suggest_all_store_gives_every_real_hub_pending_suggestions(stored_dir: Path) -> None:
    run = runner(stored_dir)
    hubs = hubs_of(run)
    assert len(hubs) >= 7
    found = pending(run)
    assert {s["hub"] for s in found} == set(hubs)
    assert all(s["state"] == "pending" and 0 < float(str(s["score"])) <= 1 for s in found)


@pytest.mark.parametrize("command", [["related"], ["partners"]])
def test_related_and_partners_ignore_pending_suggestions_unless_asked(
    before_dir: Path, stored_dir: Path, command: list[str]
) -> None:
    before, after = runner(before_dir), runner(stored_dir)
    for hub in hubs_of(after):
        args = [*command, hub, "--format", "json", "--limit", "20"]
        assert after(*args).output == before(*args).output, hub
        assert '"suggested"' not in after(*args).output


def test_partners_include_suggested_finds_partners_each_marked(stored_dir: Path) -> None:
    run = runner(stored_dir)
    suggestions = pending(run)
    suggested_concepts: dict[str, set[str]] = {}
    for s in suggestions:
        suggested_concepts.setdefault(str(s["hub"]), set()).add(str(s["value"]))
    found_any = False
    for hub in hubs_of(run):
        partners = json.loads(run("partners", hub, "--include-suggested", "--format", "json").output)
        found_any = found_any or bool(partners)
        for partner in partners:
            marked = [r for r in partner["reasons"] if r.get("suggested")]
            assert partner.get("suggested", False) == bool(marked)
            for reason in marked:  # a marked reason counted a pending suggestion of one of the two hubs
                concepts = suggested_concepts.get(hub, set()) | suggested_concepts.get(partner["hub"], set())
                goal_of_target = {c.rsplit("/", 1)[0] + "/" + c.rsplit("/", 1)[1].split(".")[0] for c in concepts}
                assert reason["concept"] in concepts | goal_of_target, reason
    assert found_any
    table = run("partners", hubs_of(run)[0], "--include-suggested").output
    assert not table.strip() or "suggested, not confirmed" in table


def test_the_suggested_index_ranks_as_scoring_every_hub_one_by_one(stored_dir: Path) -> None:
    store = EmbeddedStore.open(stored_dir / "store", read_only=True)
    try:
        default = SyncIndex.from_store(store)
        counted = SuggestedIndex.from_index(default, store)
        assert counted.suggested and not hasattr(default, "suggested")
        for hub in counted.hubs:
            assert counted.related(hub, 50) == counted.related_exhaustive(hub, 50)
            assert default.hubs[hub].concepts <= counted.hubs[hub].concepts  # the default index is left as it was
            assert all(not r.suggested for r in default.related(hub, 50))
    finally:
        store.close()


def test_gaps_list_what_suggestions_would_fill_apart_and_count_it_only_when_asked(
    before_dir: Path, stored_dir: Path
) -> None:
    before = json.loads(runner(before_dir)("gaps", "--format", "json").output)
    run = runner(stored_dir)
    shown = json.loads(run("gaps", "--format", "json").output)
    assert shown["targets"] == before["targets"] and shown["manifestos"] == before["manifestos"]
    assert shown["suggested"] and not shown["include_suggested"]
    values = {(str(s["hub"]), str(s["value"])) for s in pending(run)}
    gaps = {t["target"] for t in shown["targets"]} | {m["manifesto"] for m in shown["manifestos"]}
    for item in shown["suggested"]:
        assert item["gap"] in gaps and item["state"] == "pending"
        assert (item["hub"], item["gap"]) in values  # without a council, the hub's own suggested link fills it
    counted = json.loads(run("gaps", "--include-suggested", "--format", "json").output)
    filled = {item["gap"] for item in shown["suggested"]}
    assert {t["target"] for t in counted["targets"]} == {t["target"] for t in shown["targets"]} - filled
    assert {m["manifesto"] for m in counted["manifestos"]} == {m["manifesto"] for m in shown["manifestos"]} - filled
    assert "suggested, not confirmed" in run("gaps").output


def test_named_queries_count_suggestions_only_when_asked_and_mark_their_rows(stored_dir: Path) -> None:
    run = runner(stored_dir)
    by_council: dict[str, set[str]] = {}
    for s in pending(run):
        if s["property"] == L4A + "relevantCouncil":
            by_council.setdefault(str(s["value"]), set()).add(str(s["hub"]))
    council = max(by_council, key=lambda c: len(by_council[c]))
    slug = council.rsplit("/", 1)[1]

    def rows(*extra: str) -> list[dict[str, str]]:
        answer = json.loads(run("query", "run", "hubs-by-council", "-p", f"council={slug}", "--format", "json",
                                *extra).output)  # fmt: skip
        return [{k: v["value"] for k, v in b.items()} for b in answer["results"]["bindings"]]

    stated = rows()
    counted = rows("--include-suggested")
    assert all("suggested" not in r for r in stated)
    assert [r for r in counted if r["suggested"] == "false"] == [{**r, "suggested": "false"} for r in stated]
    marked = {r["hub"] for r in counted if r["suggested"] == "true" and r["link"] == council}
    assert marked == by_council[council] - {r["hub"] for r in stated if r["link"] == council}
    assert all("score" in r for r in counted if r["suggested"] == "true")
    gaps = json.loads(run("query", "run", "sdg-gaps", "--include-suggested", "--format", "json").output)
    flagged = {b["target"]["value"] for b in gaps["results"]["bindings"] if b["suggested"]["value"] == "true"}
    listed = json.loads(run("gaps", "--format", "json").output)["suggested"]
    assert flagged == {g["gap"] for g in listed if g["kind"] == "target"}
    refused = run("query", "run", "stats", "--include-suggested", code=2)
    assert "hubs-by-council" in refused.output


def test_council_brief_lists_suggested_hubs_apart_and_counts_them_only_when_asked(stored_dir: Path) -> None:
    run = runner(stored_dir)
    current = current_councils(stored_dir)
    suggested = {str(s["value"]) for s in pending(run) if s["property"] == L4A + "relevantCouncil"}
    council = sorted(current & suggested)[0]
    slug = council.rsplit("/", 1)[1]
    for lang, mark in (("en", "suggested, not confirmed"), ("fr", "suggéré, non confirmé"),
                       ("es", "sugerido, no confirmado")):  # fmt: skip
        text = run("brief", "--council", slug, "--format", "md", "--lang", lang).output
        _, _, rest = text.partition(mark)
        assert rest, lang  # a section of its own, marked
    default = run("brief", "--council", slug, "--format", "md").output
    counted = run("brief", "--council", slug, "--format", "md", "--include-suggested").output
    assert default.count("### ") < counted.count("### ")  # counted among the hubs only when asked
    assert "*suggested, not confirmed*" in counted.split("## Suggested hubs")[0]
    run("brief", "--vcs", "2021", "--include-suggested", code=2)


def test_a_confirmed_suggestion_is_a_link_everywhere_with_its_attribution(writable: Path) -> None:
    run = runner(writable)
    current = current_councils(writable)
    choice = next(s for s in pending(run) if s["property"] == L4A + "relevantCouncil" and s["value"] in current)
    hub, council = str(choice["hub"]), str(choice["value"])
    slug = council.rsplit("/", 1)[1]
    before = run("brief", "--council", slug, "--format", "md").output
    assert f"<{hub}>" not in before.split("## Suggested hubs")[0] and f"<{hub}>" in before  # listed apart
    run("suggestions", "confirm", str(choice["id"]), "--by", "Ana Pérez")
    export = run("export", "--format", "nquads").output
    hub_graph = f"<{DEFAULT_BASE}graph/hub/{hub.rsplit('/', 1)[1]}>"
    assert f"<{hub}> <{L4A}relevantCouncil> <{council}> {hub_graph} ." in export
    statement = f"<{DEFAULT_BASE}id/link/{choice['id']}>"
    attributed = [line for line in export.splitlines()
                  if line.startswith(statement + " <http://www.w3.org/ns/prov#wasAttributedTo>")]  # fmt: skip
    assert len(attributed) == 1 and attributed[0].endswith(f"{hub_graph} .")
    agent = attributed[0].split(" ")[2]
    assert f'{agent} <http://www.w3.org/2000/01/rdf-schema#label> "Ana Pérez" {hub_graph} .' in export
    origin = f"<{DEFAULT_BASE}id/suggestion/{choice['id']}>"
    assert f"{statement} <http://www.w3.org/ns/prov#wasDerivedFrom> {origin}" in export
    # the council's brief counts the hub, as a fact (no mark), and no longer lists it as suggested
    after = run("brief", "--council", slug, "--format", "md").output
    hubs_part = after.split("## Suggested hubs")[0].split("## Gaps")[0]
    assert f"<{hub}>" in hubs_part and "suggested, not confirmed" not in hubs_part
    assert after.count("### ") == before.count("### ") + 1
    rows = json.loads(run("query", "run", "hubs-by-council", "-p", f"council={slug}", "--format", "json").output)
    assert hub in {b["hub"]["value"] for b in rows["results"]["bindings"]}
    listed = run("suggestions", "list", "--hub", hub, "--state", "confirmed").output
    assert str(choice["id"]) in listed and "Ana Pérez" in listed


def test_confirmed_links_count_as_links_in_the_index_gaps_queries_and_hub_view(writable: Path) -> None:
    from l4a.graph.reports.hub_view import hub_view

    run = runner(writable)
    by_hub: dict[str, dict[str, dict[str, object]]] = {}
    for s in pending(run):
        by_hub.setdefault(str(s["hub"]), {}).setdefault(PROPERTY_KINDS[str(s["property"])], s)
    hub, chosen = next((h, kinds) for h, kinds in by_hub.items() if {"target", "manifesto", "council"} <= set(kinds))
    gaps_before = json.loads(run("gaps", "--format", "json").output)
    run("suggestions", "confirm", *(str(chosen[k]["id"]) for k in ("target", "manifesto", "council")), "--by", "Ana")
    target, manifesto, council = (str(chosen[k]["value"]) for k in ("target", "manifesto", "council"))
    gaps = json.loads(run("gaps", "--format", "json").output)
    assert target in {t["target"] for t in gaps_before["targets"]}
    assert target not in {t["target"] for t in gaps["targets"]}
    assert manifesto not in {m["manifesto"] for m in gaps["manifestos"]}
    assert target not in {g["gap"] for g in gaps["suggested"] if g["hub"] == hub}  # no longer a suggestion
    rows = json.loads(run("query", "run", "hubs-by-sdg", "-p", f"sdg={target.rsplit('/', 1)[1]}", "--format",
                          "json").output)["results"]["bindings"]  # fmt: skip
    assert hub in {b["hub"]["value"] for b in rows}
    store = EmbeddedStore.open(writable / "store", read_only=True)
    try:
        index = SyncIndex.from_store(store)
        assert {target, manifesto, council} <= index.hubs[hub].concepts  # counted by the default index
        view = hub_view(store, hub, DEFAULT_BASE)
        assert view is not None
        assert target in view["targets"] and manifesto in view["manifestos"] and council in view["councils"]
        counted = SuggestedIndex.from_index(index, store)
        assert not {target, manifesto, council} & counted.suggested.get(hub, set())  # facts now, never "suggested"
    finally:
        store.close()
