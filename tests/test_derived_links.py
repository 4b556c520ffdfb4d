"""Derived links (Bilbao's 17 goals, inferred from its Charter of Values) are shown as derived and counted apart.

On the store built from the shipped data: the dashboard's coverage and the home page's goal tiles count only the
links the sources state, and say which links are derived and why.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from l4a.graph.reports.dashboard import read_dashboard
from l4a.graph.reports.derived import read_derived_links
from l4a.graph.reports.overview import goal_counts
from l4a.graph.store.base import Store

from .webapp import web_app

BILBAO = "https://w3id.org/l4a/id/hub/bilbao-city-of-values"


def test_the_only_derived_links_are_bilbaos_seventeen_goals(built_store: Store) -> None:
    links = read_derived_links(built_store)
    assert {link.hub for link in links} == {BILBAO}
    assert len(links) == 17
    assert all(link.confidence == "low" and "Charter" in link.reason for link in links)


def test_dashboard_coverage_counts_derived_goal_links_apart(built_store: Store) -> None:
    coverage = read_dashboard(built_store, dt.date(2026, 12, 1)).coverage
    years = {y.year: y for y in coverage.years}
    # 2022 and 2023: only Bilbao is active (2021-06 to 2023-03), and all its goal links are derived.
    for year in (2022, 2023):
        assert (years[year].goals, years[year].derived_goals) == (0, 17)
        assert all(row[year] == 0 for row in coverage.by_goal.values())
    # 2021: Xi'an's four stated goals count; Bilbao's other 13 are derived, counted apart.
    assert (years[2021].goals, years[2021].derived_goals) == (4, 13)
    assert list(coverage.derived) == [BILBAO]
    assert "Charter" in coverage.derived[BILBAO]


def test_home_tiles_count_stated_links_and_show_derived_ones_apart(built_store: Store) -> None:
    counts = {g.number: g for g in goal_counts(built_store)}
    assert (counts[1].hubs, counts[1].derived) == (0, 1)  # goal 1: only Bilbao's derived link
    assert (counts[4].hubs, counts[4].derived) == (1, 1)  # goal 4: Xi'an states it; Bilbao's is derived
    assert (counts[17].hubs, counts[17].derived) == (2, 1)  # Xi'an and Venice state it


def test_pages_show_which_links_are_derived(tmp_path: Path) -> None:
    with web_app(tmp_path / "data") as app:
        client = app.test_client()
        home = client.get("/?lang=en").get_data(as_text=True)
        assert "+1 derived, not counted" in home
        board = client.get("/monitoring?lang=en").get_data(as_text=True)
        assert "derived, not counted" in board and 'id="coverage-derived"' in board
        assert "Bilbao" in board.split('id="coverage-derived"', 1)[1].split("</ul>", 1)[0]
        hub = client.get("/hubs/bilbao-city-of-values?lang=en").get_data(as_text=True)
        # each of the 17 goals marked derived, linked to the one statement of why (not repeated 17 times)
        assert hub.count('<a class="derived" href="#derived-why">(derived)</a>') == 17
        why = hub.split('id="derived-why"', 1)[1].split("</p>", 1)[0]
        assert "Derived links (17 goals)" in why and "Charter of Values" in why
        xian = client.get("/hubs/xian-youth-education-dialogue?lang=en").get_data(as_text=True)
        agendas = xian.split('id="agendas"', 1)[1].split("</ul>", 1)[0]
        assert 'class="derived"' not in agendas and 'id="derived-why"' not in xian  # Xi'an states its own goal
        # ...but a related hub's reason that rests on Bilbao's derived goals says so, on the page and in the API
        bilbao_related = xian.split('href="/hubs/bilbao-city-of-values"', 1)[1].split("</li>", 1)[0]
        assert '<em class="derived">(derived)</em>' in bilbao_related
        api = client.get("/api/hubs/xian-youth-education-dialogue/related").get_json()
        reasons = next(r for r in api["related"] if r["hub"] == BILBAO)["reasons"]
        assert any(r.get("derived") for r in reasons) and all(r.get("derived") for r in reasons if r["kind"] == "goal")
        data = client.get("/monitoring.json").get_json()
        assert data["coverage"]["derived"][0]["hub"] == BILBAO


def test_sdg_pages_mark_derived_links_and_count_them_apart(tmp_path: Path) -> None:
    with web_app(tmp_path / "data") as app:
        client = app.test_client()
        links = read_derived_links(app.extensions["l4a_store"])
        derived_goals = {link.object for link in links}
        for lang, word in (("en", "derived"), ("fr", "déduit"), ("es", "deducido")):
            listing = client.get(f"/sdg?lang={lang}").get_data(as_text=True)
            assert listing.count(f'class="derived">+ 1 {word}') == len(derived_goals)
        goals = client.get("/sdg.json").get_json()["goals"]
        assert {f"http://metadata.un.org/sdg/{g['number']}" for g in goals if g["derived"]} == derived_goals
        for goal in derived_goals:
            page = client.get(f"/sdg/{goal.rsplit('/', 1)[1]}?lang=en").get_data(as_text=True)
            bilbao = page.split('href="/hubs/bilbao-city-of-values"', 1)[1].split("</li>", 1)[0]
            assert '<span class="derived">(derived;' in bilbao
        stated = client.get("/sdg/4?lang=en").get_data(as_text=True)  # Xi'an states goal 4 itself
        xian = stated.split('href="/hubs/xian-youth-education-dialogue"', 1)[1].split("</li>", 1)[0]
        assert "derived" not in xian


def test_l4a_related_marks_reasons_that_rest_on_a_derived_link(built_dir: Path) -> None:
    from click.testing import CliRunner

    from l4a.graph.cli.main import main

    shown = CliRunner().invoke(main, ["--data-dir", str(built_dir), "related", "xian"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    start = next(n for n, line in enumerate(lines) if "Bilbao" in line)
    reasons_shown = [line for line in lines[start + 1 :] if line.startswith("         +")]
    end = next((n for n, line in enumerate(lines[start + 1 :]) if not line.startswith("         +")), len(lines))
    goals = [line for line in reasons_shown[:end] if "goal: SDG" in line]
    assert goals and all(line.endswith("(derived)") for line in goals)
    as_json = CliRunner().invoke(main, ["--data-dir", str(built_dir), "related", "xian", "--format", "json"])
    reasons = next(r for r in json.loads(as_json.output) if "bilbao" in r["hub"])["reasons"]
    assert all(r.get("derived") for r in reasons if r["kind"] == "goal")
