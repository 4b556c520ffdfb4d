"""Drafting a proposal: what graph/proposals/draft.py suggests for a text (never a weak target, nothing already
stated, "why" when there is nothing), the hubs closest to a draft (graph/sync/draft.py: the index's own ranking, a
shared concept needed, fictional hubs left out, suggested reasons marked), and `l4a propose` noting suggestions for
a proposal that names no target, and only for it, without writing them into the proposal."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from l4a.graph.cli.main import main
from l4a.graph.namespaces import DEFAULT_BASE, SDG
from l4a.graph.proposals.draft import (
    ALL_CHOSEN,
    NO_HUB_SHARES,
    NO_LINKS,
    NO_TEXT,
    NOTHING_FOUND,
    DraftLinks,
    similar_hubs,
    suggest_for_draft,
)
from l4a.graph.resources import internal_query
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.suggest.model import VERSION, get_suggester
from l4a.graph.suggest.records import list_suggestions
from l4a.graph.sync.draft import DRAFT, rank_draft
from l4a.graph.sync.index import HubRecord, Related, SyncIndex

from .test_sync import kinds_for, synthetic

DATA = Path(__file__).parent / "data"
HOUSING = "The city builds social housing for the families who live in slums, with water and sanitation for all."
NOTHING = "A bakery opens a second shop on the main square and changes its opening hours on Sundays."
HUB = "https://w3id.org/l4a/id/hub/"


# --- What is suggested for a draft -----------------------------------------------------------------------------------


def paragraphs() -> list[str]:
    texts = []
    for path in sorted((DATA / "suggest").glob("paragraphs-*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def test_never_a_weak_target_and_a_goal_only_when_its_target_is_unclear() -> None:
    floor = get_suggester().calibration.target_floor
    goals_seen = 0
    for text in paragraphs():
        found = suggest_for_draft(text)
        targets = found.of_kind("target")
        goals = {c.key for c in found.of_kind("goal")}
        goals_seen += len(goals)
        assert all(c.score is not None and c.score >= floor for c in targets), text
        assert not [t for t in targets if t.key.split(".")[0] in goals], text  # a goal offered has no target offered
    assert goals_seen  # the calibration texts do hold goals whose target is unclear


def test_why_there_is_no_choice() -> None:
    assert suggest_for_draft("").empty == NO_TEXT
    assert suggest_for_draft("the and of to in").empty == NO_TEXT  # only common words
    assert suggest_for_draft(NOTHING).empty == NOTHING_FOUND
    full = suggest_for_draft(HOUSING)
    every = DraftLinks(
        targets=tuple(c.key for c in full.of_kind("target")),
        goals=tuple(int(c.key) for c in full.of_kind("goal")),
        manifestos=tuple(c.iri for c in full.of_kind("manifesto")),
        councils=tuple(c.iri for c in full.of_kind("council")),
    )
    again = suggest_for_draft(HOUSING, every)
    assert again.choices == () and again.empty == ALL_CHOSEN and len(again.already) == len(full.choices)


def test_a_title_alone_is_read_in_the_readers_language() -> None:
    assert suggest_for_draft("Logement social", lang="fr").lang == "fr"
    assert suggest_for_draft("Vivienda social", lang="es").lang == "es"
    assert suggest_for_draft("La ville construit des logements sociaux pour les familles", lang="en").lang == "fr"


def test_manifesto_and_council_choices_use_the_stores_base() -> None:
    found = suggest_for_draft(HOUSING, base="https://example.org/l4a/")
    iris = [c.iri for c in found.choices if c.kind in ("manifesto", "council")]
    assert iris and all(i.startswith("https://example.org/l4a/id/") for i in iris)


# --- Hubs closest to a draft ---------------------------------------------------------------------------------------


def exhaustive(index: SyncIndex, concepts: set[str], suggested: set[str], start: date | None, end: date | None,
               limit: int) -> list[Related]:  # fmt: skip
    """Every real hub scored in full from its record (no matrix, no pruning)."""
    me = HubRecord(DRAFT, concepts=concepts, start=start, end=end)
    found = []
    for record in index.hubs.values():
        if record.fictional:
            continue
        reasons = index._reasons(me, record)
        if any(r.kind not in ("overlap",) for r in reasons):
            found.append(Related(record.iri, record.label, sum(r.contribution for r in reasons), tuple(reasons)))
    found.sort(key=lambda r: (-r.score, r.hub))
    return found[:limit]


def test_the_draft_ranking_equals_the_exhaustive_one_on_thousands_of_random_hubs() -> None:
    index = SyncIndex()
    index.kinds.update(kinds_for(300))
    index.put_hubs(synthetic(2500, seed=7, pool=300))
    rng = random.Random(8)
    for _ in range(40):
        concepts = {f"urn:test:concept:{c}" for c in rng.sample(range(300), rng.randrange(1, 6))}
        start = date(2020, 1, 1) + (date(2021, 1, 1) - date(2020, 1, 1)) * rng.randrange(0, 5)
        end = date(start.year + rng.choice([1, 2, 3]), 12, 31)
        dated = rng.random() < 0.7
        for limit in (1, 5, 30):
            found = rank_draft(index, concepts, (), start if dated else None, end if dated else None, limit=limit)
            wanted = exhaustive(index, concepts, set(), start if dated else None, end if dated else None, limit)
            assert [r.hub for r in found] == [r.hub for r in wanted]
            assert [r.score for r in found] == pytest.approx([r.score for r in wanted])


def small_index() -> SyncIndex:
    index = SyncIndex()
    index.kinds.update({f"{SDG}5.5": "target", f"{SDG}5": "goal", f"{SDG}11": "goal", "urn:m:housing": "manifesto"})
    index.put_hubs([
        HubRecord(HUB + "a", "A", {f"{SDG}5.5", f"{SDG}5"}, date(2026, 1, 1), date(2027, 12, 31)),
        HubRecord(HUB + "b", "B", {f"{SDG}5"}),
        HubRecord(HUB + "c", "C", {f"{SDG}11"}),
        HubRecord(HUB + "demo", "Demo", {f"{SDG}5.5", f"{SDG}5"}, fictional=True),
    ])  # fmt: skip
    return index


def test_a_shared_concept_is_needed_fictional_hubs_are_left_out_and_suggestions_are_marked() -> None:
    index = small_index()
    found = rank_draft(index, {f"{SDG}5.5", f"{SDG}5"}, {f"{SDG}5.5", f"{SDG}5"}, date(2026, 6, 1),
                       date(2027, 6, 1), "ES", {HUB + "c": {"ES"}, HUB + "b": {"ES"}})  # fmt: skip
    assert [r.hub for r in found] == [HUB + "a", HUB + "b"]  # C is in Spain too, but shares no topic; Demo is fictional
    assert all(r.suggested for r in found)
    a = found[0]
    assert {r.kind for r in a.reasons} == {"target", "goal", "overlap"}
    assert [r.suggested for r in a.reasons if r.kind == "overlap"] == [False]  # a time frame is no suggestion
    assert {r.kind for r in found[1].reasons} == {"goal", "place"}
    assert a.score == pytest.approx(sum(r.contribution for r in a.reasons))
    mine = rank_draft(index, {f"{SDG}5.5", f"{SDG}5"}, set())
    assert not any(r.suggested for h in mine for r in h.reasons)
    assert rank_draft(index, {f"{SDG}5.5"}, exclude={HUB + "a"}) == []
    assert rank_draft(index, set()) == []


def test_why_no_hub_is_close() -> None:
    index = small_index()
    assert similar_hubs(index, DraftLinks()).empty == NO_LINKS
    assert similar_hubs(index, DraftLinks(manifestos=("urn:m:housing",))).empty == NO_HUB_SHARES
    found = similar_hubs(index, DraftLinks(goals=(11,)))
    assert found.empty is None and [h.hub for h in found.hubs] == [HUB + "c"]


# --- `l4a propose` ----------------------------------------------------------------------------------------------------

Cli = Callable[..., Result]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    data = tmp_path / "data"
    env = {"L4A_DATA_DIR": str(data), "L4A_CONFIG": str(data / "absent.toml"), "L4A_STORE": "embedded"}

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["--data-dir", str(data), *args], env=env, catch_exceptions=False)

    assert run("build", "--quiet").exit_code == 0
    return run


def proposal_file(tmp_path: Path, name: str, text: str, extra: str = "") -> Path:
    path = tmp_path / name
    path.write_text(
        f"name: Villaficta {name.split('.')[0]}\ndescription: {text}\n"
        "lead: {name: Municipality of Villaficta, type: local government}\n"
        f"start_date: 2026-01-01\nend_date: 2027-12-31\n{extra}",
        encoding="utf-8",
    )
    return path


def test_propose_notes_suggestions_for_a_proposal_with_no_target_and_none_for_one_with_targets(
    cli: Cli, tmp_path: Path
) -> None:
    bare = proposal_file(tmp_path, "bare.yaml", HOUSING)
    aimed = proposal_file(tmp_path, "aimed.yaml", HOUSING, 'sdg_targets: ["6.2"]\n')
    text = cli("propose", str(bare), str(aimed)).stdout
    bare_part, aimed_part = text.split("villaficta-aimed", 1)
    assert "Suggestions, not part of the proposal" in bare_part and "11.1 (0." in bare_part
    assert "Durban manifestos: housing" in bare_part
    assert "Suggestions" not in aimed_part
    answer = json.loads(cli("propose", str(bare), str(aimed), "--format", "json").stdout)
    by_id = {item["id"]: item for item in answer}
    noted = by_id["villaficta-bare"]["suggestions"]
    assert noted["targets"][0]["key"] == "11.1" and noted["targets"][0]["score"] > 0 and noted["targets"][0]["why"]
    assert noted["method"] == f"l4a-lexical {VERSION}" and "not part of the proposal" in noted["note"]
    assert "suggestions" not in by_id["villaficta-aimed"]
    assert cli("proposals", "show", "villaficta-bare", "--original").stdout == bare.read_text(encoding="utf-8")
    store = EmbeddedStore.open(tmp_path / "data" / "store", read_only=True)
    try:  # never written into the proposal, nor stored as suggestion records
        hub = f"{HUB}villaficta-bare"
        for row in store.select(internal_query("proposal-parsed-data")):
            assert f"<{hub}> <https://w3id.org/l4a/ontology#addressesTarget>" not in row["data"].value
            assert f"<{hub}> <https://w3id.org/l4a/ontology#addressesManifesto>" not in row["data"].value
        assert list_suggestions(store, DEFAULT_BASE) == []
    finally:
        store.close()


def test_propose_says_why_when_there_is_nothing_to_suggest_in_the_readers_language(cli: Cli, tmp_path: Path) -> None:
    nothing = proposal_file(tmp_path, "shop.yaml", NOTHING)
    text = cli("propose", str(nothing), "--lang", "fr").stdout
    assert "Suggestions, hors de la proposition" in text and "aucune : son nom" in text.replace("\u00a0", " ")
    french = proposal_file(tmp_path, "logement.yaml",
                           "La commune construit des logements sociaux pour les familles des quartiers de taudis.",
                           "language: fr\n")  # fmt: skip
    text = cli("propose", str(french), "--lang", "fr").stdout
    assert "texte lu en fr" in text and "11.1" in text
