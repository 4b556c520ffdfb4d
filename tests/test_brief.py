"""`l4a brief`: a Policy Council's brief lists each hub of the council (either term) and no other, with progress or
"no figures reported", evidence cited with its address and date, related hubs and gaps; Markdown and HTML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from l4a.graph.build import build
from l4a.graph.cli.main import main
from l4a.graph.errors import UsageError
from l4a.graph.reports.brief import brief_html, brief_markdown, make_brief
from l4a.graph.reports.hub_table import HubTable
from l4a.graph.store.embedded import EmbeddedStore

L4A = "https://w3id.org/l4a/ontology#"
ID = "https://w3id.org/l4a/id/"
COUNCIL = ID + "council/demo-exampleton-council"  # the fictional demo's own council
REAL = ID + "council/multilevel-governance-regaining-trust"
EARLIER = ID + "council/multilevel-governance-sustainable-financing"  # the real council's 2017-2022 term
OTHER = ID + "council/local-multilateralism-city-diplomacy"
DEMO = ID + "hub/demo-exampleton-green-corridors"


def hub(iri: str, title: str, council: str) -> list[ox.Quad]:
    s, g = ox.NamedNode(iri), ox.NamedNode("urn:test")
    return [
        ox.Quad(s, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(L4A + "Hub"), g),
        ox.Quad(s, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal(title, language="en"), g),
        ox.Quad(s, ox.NamedNode(L4A + "relevantCouncil"), ox.NamedNode(council), g),
    ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore.open(tmp_path / "store")
    build(opened, with_examples=True)
    opened.add_quads(
        hub(ID + "hub/test-current-term", "Test hub of the current term", REAL)
        + hub(ID + "hub/test-earlier-term", "Test hub of the earlier term", EARLIER)
        + hub(ID + "hub/test-other-council", "Test hub of another council", OTHER)
        + hub(ID + "hub/test-demo-council", "Test hub of the demo's council", COUNCIL)
    )
    yield opened
    opened.close()


def test_the_brief_has_each_hub_of_the_council_and_no_other(store: EmbeddedStore) -> None:
    # A real council (both terms of its lineage): its hubs, never the fictional demo.
    brief = make_brief(store, "multilevel-governance-regaining-trust", day=dt.date(2026, 11, 26))
    members = {ID + "hub/test-current-term", ID + "hub/test-earlier-term"}
    assert {h.iri for h in brief.hubs} == members
    text = brief_markdown(brief)
    page = brief_html(brief)
    assert "DEMO" not in text and "fictional" not in text.lower() and "Exampleton" not in page
    for row in HubTable.from_store(store).rows:  # a hub's own section: its IRI on a line, its title a heading
        inside = row.iri in members
        assert (f"\n<{row.iri}>\n" in text) == inside, row.iri
        assert (f'<h3><a href="{row.iri}">' in page) == inside, row.iri


def test_progress_evidence_and_no_figures(store: EmbeddedStore) -> None:
    brief = make_brief(store, COUNCIL, day=dt.date(2026, 11, 26))
    demo = next(h for h in brief.hubs if h.iri == DEMO)
    assert demo.progress == "33%"  # canopy (13.9-12.5)/5.5 = 25%, gardens 4/10 = 40%: mean 32.7%
    assert (
        "https://exampleton.example.org/green-corridors/plan.pdf",
        "2026-01-20",
        "Municipality of Exampleton (fictional)",
    ) in demo.evidence
    text = brief_markdown(brief)
    assert "no figures reported" in text  # the test hub of the demo's council has none
    assert (
        "<https://exampleton.example.org/green-corridors/plan.pdf> (Municipality of Exampleton (fictional), 2026-01-20)"
        in text
    )
    french = brief_markdown(make_brief(store, COUNCIL, "fr", day=dt.date(2026, 11, 26)))
    assert "aucun chiffre communiqué" in french and "Note pour le Conseil politique" in french
    page = brief_html(brief)
    assert page.startswith("<!doctype html>") and "@media print" in page


def test_council_by_name_and_unknown(store: EmbeddedStore) -> None:
    assert make_brief(store, "DEMO (fictional): Council on Green Exampleton").council == COUNCIL
    with pytest.raises(UsageError, match="no Policy Council"):
        make_brief(store, "no such council")


def test_cli_brief_to_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml")}
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--quiet", "--with-examples"], env=env).exit_code == 0
    out = tmp_path / "brief.md"
    args = ["brief", "--council", "demo-exampleton-council", "--format", "md", "-o", str(out)]
    assert runner.invoke(main, args, env=env).exit_code == 0
    assert "DEMO (fictional): Exampleton Green Corridors" in out.read_text(encoding="utf-8")
    assert runner.invoke(main, ["brief", "--council", "nowhere"], env=env).exit_code == 2


def test_related_hubs_of_other_councils_belong_to_another_council(store: EmbeddedStore) -> None:
    goal = ox.NamedNode("http://metadata.un.org/sdg/11")  # the demo hub's goal: both test hubs are related to it
    linked = [ID + "hub/test-goal-other-council", ID + "hub/test-goal-no-council"]
    quads = hub(linked[0], "Test hub of goal 11 and another council", OTHER)
    quads += [q for q in hub(linked[1], "Test hub of goal 11 and no council", OTHER) if "relevantCouncil" not in str(q)]
    quads += [
        ox.Quad(ox.NamedNode(h), ox.NamedNode(L4A + "addressesGoal"), goal, ox.NamedNode("urn:test")) for h in linked
    ]
    store.add_quads(quads)
    brief = make_brief(store, COUNCIL)
    lineage = {iri for iri, _ in brief.lineage}
    councils = {row.iri: set(row.values("councils")) for row in HubTable.from_store(store).rows}
    listed = [iri for h in brief.hubs for iri, _ in h.related]
    assert linked[0] in listed  # related, and of another council
    assert linked[1] not in listed  # related, but of no council: not "of another council"
    for iri in listed:
        assert councils.get(iri, set()) - lineage, f"{iri} is listed but belongs to no other council"


@pytest.mark.parametrize(("lang", "mark"), [("fr", " (nom en anglais)"), ("es", " (nombre en inglés)")])
def test_french_and_spanish_briefs_say_when_a_council_name_is_english(
    store: EmbeddedStore, lang: str, mark: str
) -> None:
    english_only = ID + "council/implementation-new-urban-agenda"  # the sources name it in English only
    brief = make_brief(store, english_only, lang=lang)
    assert brief.title.endswith(mark) and all(name.endswith(mark) for _, name in brief.lineage)
    assert not make_brief(store, english_only, lang="en").title.endswith(")")
    named = make_brief(store, COUNCIL, lang=lang)  # the demo council has a name in each language
    assert not named.title.endswith(mark)


def test_a_brief_in_another_language_says_the_same_facts_made_once(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Progress, deliverables, evidence and related hubs do not depend on the reader's language: they are made once
    per state of the store and reused for every language, and only the words differ."""
    from l4a.graph.reports import brief as module

    made: list[int] = []
    real = module.hub_facts
    monkeypatch.setattr(module, "hub_facts", lambda *args: made.append(1) or real(*args))
    day = dt.date(2026, 11, 26)
    english, french, spanish = (make_brief(store, COUNCIL, lang, day=day) for lang in ("en", "fr", "es"))
    assert len(made) == 1
    for other in (french, spanish):
        assert [h.iri for h in other.hubs] == [h.iri for h in english.hubs]
        assert [h.evidence for h in other.hubs] == [h.evidence for h in english.hubs]
        related = [[iri for iri, _ in h.related] for h in english.hubs]
        assert [[iri for iri, _ in h.related] for h in other.hubs] == related
        assert [[(t, s) for t, s, _ in h.deliverables] for h in other.hubs] == [
            [(t, s) for t, s, _ in h.deliverables] for h in english.hubs
        ]
    demo = [next(h for h in b.hubs if h.iri == DEMO) for b in (english, french)]
    assert demo[0].progress == "33%"
    assert (demo[1].progress or "").replace("\u00a0", " ").replace("\u202f", " ") == "33 %"  # French's own way
    store.add_quads(hub(ID + "hub/test-written-later", "Test hub written later", COUNCIL))
    after = make_brief(store, COUNCIL, "fr", day=day)
    assert len(made) == 2  # a write: made again
    assert ID + "hub/test-written-later" in {h.iri for h in after.hubs}
