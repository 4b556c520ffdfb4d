"""Absence of a record is not a fact: published hub pages say "not recorded in the sources", never "has no";
gaps say "no hub records a link to ..." and count goal-level links apart; an ended period keeps the status as
last recorded; the hub count says it is a floor.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest
from flask import Flask

from l4a.graph.reports.brief import brief_markdown, make_brief
from l4a.graph.reports.hub_view import period_ended
from l4a.graph.store.base import Store
from l4a.graph.sync.gaps import find_gaps

from .test_cli import data_dir_cli
from .webapp import web_app

ROOT = Path(__file__).parents[1]
REAL_HUBS = sorted(p.stem for p in (ROOT / "ontology" / "hubs").glob("*.ttl"))
# "has no ..." and its kin, in the three languages.
HAS_NO = {
    "en": re.compile(r"\bhas no\b|\bis not linked to any\b|\blinked neither\b|\bnames no\b"),
    "fr": re.compile(r"\bn'a (pas|aucun)\b|\bn'est reli[ée] (ni|à aucun)\b"),
    "es": re.compile(r"\bno tiene\b|\bno está vinculad[oa] (ni|a ningún)\b"),
}
NOT_RECORDED = {"en": "not recorded in the sources", "fr": "dans les sources", "es": "en las fuentes"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    with web_app(tmp_path_factory.mktemp("absence") / "data") as made:
        yield made


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_real_hub_pages_say_not_recorded_never_has_no(app: Flask, lang: str) -> None:
    assert len(REAL_HUBS) == 7
    for slug in REAL_HUBS:
        page = app.test_client().get(f"/hubs/{slug}?lang={lang}").get_data(as_text=True)
        assert not HAS_NO[lang].search(page), (slug, HAS_NO[lang].search(page))
        if slug == "avcilar-eko-bil":  # nothing of its dates, deliverables or plan is recorded
            assert page.count(NOT_RECORDED[lang]) >= 4


def test_an_ended_period_keeps_the_status_as_last_recorded(app: Flask) -> None:
    bilbao = app.test_client().get("/hubs/bilbao-city-of-values?lang=en").get_data(as_text=True)
    assert "period ended (status as last recorded: Labelled)" in bilbao  # planned end 2023-03
    assert ">Completed<" not in bilbao and "status/completed" not in bilbao  # no status is invented
    assert bilbao.count("accessed November 25, 2026") == 4  # each evidence record with the day its page was read
    data = app.test_client().get("/hubs/bilbao-city-of-values.json").get_json()
    assert data["period_ended"] is True and data["statuses"] == ["https://w3id.org/l4a/id/status/labelled"]
    xian = app.test_client().get("/hubs/xian-youth-education-dialogue.json").get_json()
    assert xian["period_ended"] is False  # no end date recorded: not known to be over
    french = app.test_client().get("/hubs/bilbao-city-of-values?lang=fr").get_data(as_text=True)
    assert "période terminée (statut tel que dernièrement enregistré\u00a0: Labellisé)" in french


def test_period_ended_reads_the_end_at_its_precision() -> None:
    day = dt.date(2023, 3, 31)
    assert not period_ended("2023-03", day) and period_ended("2023-03", dt.date(2023, 4, 1))
    assert not period_ended("2023", day) and period_ended("2022", day)
    assert period_ended("2023-03-30", day) and not period_ended("2023-03-31", day)
    assert not period_ended(None, day) and not period_ended("soon", day)


def test_gaps_count_goal_only_links_apart_and_say_no_hub_records_a_link(built_store: Store) -> None:
    gaps = find_gaps(built_store).as_dict()
    lines = {g["notation"]: g["text"] for g in gaps["goal_only"]}
    assert lines["5"] == (
        "goal 5: 1 hub, no target recorded; 1 hub by a link this project derives (not stated by a source), "
        "no target recorded"
    )  # Xi'an states goal 5; Bilbao's link is derived
    assert lines["17"].startswith("goal 17: 2 hubs, no target recorded")  # Xi'an and Venice City Solutions
    assert len(gaps["targets"]) == 169 and len(gaps["manifestos"]) == 10
    assert "no hub records a link to" in gaps["note"]


def test_gaps_in_the_cli_the_page_and_the_briefs_never_say_no_hub_addresses(tmp_path: Path, app: Flask) -> None:
    cli = data_dir_cli(tmp_path / "data")
    assert cli("build", "--quiet").exit_code == 0
    text = cli("gaps").output
    assert "no hub records a link to" in text and "goal 5: 1 hub, no target recorded" in text
    assert "addresses" not in text
    assert json.loads(cli("gaps", "--format", "json").output)["goal_only"][4]["notation"] == "5"
    for lang, words in (("en", "no hub records a link to"), ("fr", "aucun hub n'enregistre de lien"),
                        ("es", "ningún hub registra un vínculo")):  # fmt: skip
        page = html.unescape(app.test_client().get(f"/gaps?lang={lang}").get_data(as_text=True))
        assert words in page and 'id="goal-only"' in page
        assert not re.search(r"no hub addresses|aucun hub ne (traite|vise)|ningún hub aborda", page)
    assert "goal 5: 1 hub, no target recorded" in app.test_client().get("/gaps?lang=en").get_data(as_text=True)


def test_council_briefs_say_no_hub_records_a_link(built_store: Store) -> None:
    brief = brief_markdown(make_brief(built_store, "safer-resilient-sustainable-cities", day=dt.date(2026, 12, 1)))
    assert "SDG targets no hub of this council records a link to: 169" in brief
    assert "addresses" not in brief and "No hub's link to this council is recorded." in brief


def test_the_hub_count_says_it_is_a_floor(app: Flask, tmp_path: Path) -> None:
    home = app.test_client().get("/?lang=en").get_data(as_text=True)
    assert "recorded here from UCLG&#39;s public pages, which list at least these" in home or (
        "recorded here from UCLG's public pages, which list at least these" in home
    )
    assert "which list at least these" in app.test_client().get("/index.json").get_json()["hubs_note"]
    cli = data_dir_cli(tmp_path / "data")
    assert cli("build", "--quiet").exit_code == 0
    assert "recorded here from UCLG's public pages, which list at least these" in cli("stats").output
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "which list at least these" in readme
