"""The browse pages: home, hubs (filters, search, downloads), a hub with related hubs, SDG, manifesto and council
pages, gaps; each in English, French and Spanish, and each also as JSON."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.settings import load_settings
from l4a.web.app import create_app
from l4a.web.state import ready_reports, warm_reports

from .webapp import web_app

BILBAO = "bilbao-city-of-values"
HUBS = sorted(p.stem for p in (Path(__file__).parents[1] / "ontology" / "hubs").glob("*.ttl"))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("web")) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_home_has_17_goal_tiles_linking_to_goal_pages(client: FlaskClient) -> None:
    page = client.get("/?lang=en").get_data(as_text=True)
    links = re.findall(r'class="tile[^"]*"[^>]*href="/sdg/(\d+)"', page)
    assert links == [str(n) for n in range(1, 18)]
    data = client.get("/index.json").get_json()
    assert sum(g["hubs"] > 0 for g in data["goals"]) >= 1 and len(data["newest"]) == 6


def test_language_choice_is_remembered(client: FlaskClient) -> None:
    first = client.get("/hubs?lang=fr")
    assert "Filtrer" in first.get_data(as_text=True)
    again = client.get("/hubs")  # the test client keeps the cookie
    assert '<html lang="fr">' in again.get_data(as_text=True)


def test_hub_filters_search_and_downloads(client: FlaskClient) -> None:
    everything = client.get("/hubs.json").get_json()
    assert everything["count"] == 7
    by_goal = client.get("/hubs.json?goal=11").get_json()["hubs"]
    assert by_goal and all(any(t.startswith("http://metadata.un.org/sdg/11.") for t in h["targets"]) or
                           "http://metadata.un.org/sdg/11" in h["goals"] for h in by_goal)  # fmt: skip
    assert len(by_goal) < everything["count"]
    name = everything["hubs"][0]["names"]
    word = next(iter(name.values())).split()[-1]
    assert client.get(f"/hubs.json?q={word}").get_json()["count"] >= 1
    assert client.get("/hubs.json?q=zzzz-nothing").get_json()["count"] == 0
    download = client.get("/hubs?format=csv&goal=11")
    assert download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert rows[0][:2] == ["hub", "name"] and len(rows) - 1 == len(by_goal)


def test_council_filter_follows_the_lineage(client: FlaskClient) -> None:
    councils = client.get("/councils.json").get_json()["councils"]
    for item in councils:
        slug = item["council"].rsplit("/", 1)[1]
        assert client.get(f"/hubs.json?council={slug}").get_json()["count"] == item["hubs"]


def test_hub_page_shows_related_hubs_with_reasons(client: FlaskClient) -> None:
    data = client.get(f"/hubs/{BILBAO}.json").get_json()
    assert data["related"], "the Bilbao hub has related hubs in the shipped data"
    first = data["related"][0]
    assert abs(sum(r["contribution"] for r in first["reasons"]) - first["score"]) < 1e-4
    page = client.get(f"/hubs/{BILBAO}?lang=en").get_data(as_text=True)
    other = first["hub"].rsplit("/", 1)[1]
    assert f'href="/hubs/{other}"' in page and "shared" in page
    assert data["sources"] and all(f'href="{url}"' in page for url in data["sources"])
    assert "validation" in data and isinstance(data["validation"]["conforms"], bool)


@pytest.mark.parametrize(("lang", "word"), [("fr", "Hubs liés, et pourquoi"), ("es", "Hubs relacionados, y por qué")])
def test_hub_page_in_french_and_spanish(client: FlaskClient, lang: str, word: str) -> None:
    assert word in client.get(f"/hubs/{BILBAO}?lang={lang}").get_data(as_text=True)


def test_unknown_hub_is_404(client: FlaskClient) -> None:
    assert client.get("/hubs/no-such-hub").status_code == 404


def test_goal_and_target_pages(client: FlaskClient) -> None:
    goal = client.get("/sdg/11.json").get_json()
    assert len(goal["targets"]) == 10 and goal["targets"][0]["notation"] == "11.1"
    gaps = [t for t in goal["targets"] if not t["hubs"]]
    target = client.get(f"/sdg/target/{gaps[0]['notation']}.json").get_json()
    assert target["gap"] is True and target["hubs"] == []
    assert client.get("/sdg/18").status_code == 404
    assert client.get("/sdg/target/18.1").status_code == 404


def test_gaps_page_lists_targets_no_hub_addresses(client: FlaskClient) -> None:
    gaps = client.get("/gaps.json").get_json()
    addressed = {t for h in client.get("/hubs.json").get_json()["hubs"] for t in h["targets"]}
    assert gaps["targets"] and not {g["target"] for g in gaps["targets"]} & addressed


def test_council_page_has_the_coverage_matrix_with_empty_cells(client: FlaskClient) -> None:
    data = client.get("/councils/safer-resilient-sustainable-cities.json").get_json()
    assert len(data["lineage"]) >= 2  # the 2017-2022 council and the one that continues it
    page = client.get("/councils/safer-resilient-sustainable-cities").get_data(as_text=True)
    assert page.count('class="number zero"') > 0 and '<th scope="col" class="number"><a href="/sdg/17">' in page


def test_manifesto_pages(client: FlaskClient) -> None:
    items = client.get("/manifestos.json").get_json()["manifestos"]
    assert len(items) == 10
    for item in items:  # the shipped hubs' sources name no manifesto: every one is a gap until a hub takes it up
        page = client.get(f"/manifestos/{item['manifesto'].rsplit('/', 1)[1]}.json").get_json()
        assert len(page["hubs"]) == item["hubs"] and page["gap"] == (item["hubs"] == 0)


def test_network_page_draws_every_related_hub_and_lists_the_others_apart(client: FlaskClient) -> None:
    page = client.get("/network").get_data(as_text=True)
    hubs = client.get("/hubs.json").get_json()["hubs"]
    data = client.get("/network.json").get_json()
    isolated = set(data["isolated"])
    picture = page[page.index("<svg") : page.index("</svg>")]
    listed = page[page.index('id="isolated"') :]
    for hub in hubs:
        link = f'<a href="/hubs/{hub["hub"].rsplit("/", 1)[1]}"'
        if hub["hub"] in isolated:  # related to no other: listed apart, not drawn
            assert link not in picture and link in listed
        else:  # drawn as a labelled link
            assert f'{link} class="node"><title>' in picture
    assert "<text" in picture and '<line class="edge"' in picture
    assert re.search(r"<line [^>]*><title>[^<]+ — [^<]+: shared [^<]+</title></line>", picture)  # the strongest reason
    drawn = {h for group in data["communities"] for h in group}
    assert drawn | isolated == {h["hub"] for h in hubs} and not drawn & isolated
    assert all(b["betweenness"] > 0 for b in data["bridges"])  # never a list of 0.000
    assert client.get("/network.graphml").data.startswith(b"<?xml")


def test_evidence_page_filters_and_downloads(client: FlaskClient) -> None:
    everything = client.get("/evidence.json").get_json()["evidence"]
    assert everything and all(e["url"].startswith("http") for e in everything)
    markdown = client.get("/evidence?format=md").get_data(as_text=True)
    assert markdown.count("\n- ") + 1 == len(everything) and all(f"<{e['url']}>" in markdown for e in everything)
    bibtex = client.get("/evidence?format=bib").get_data(as_text=True)
    assert bibtex.count("@online{") == len(everything)
    rows = list(csv.reader(io.StringIO(client.get("/evidence?format=csv").get_data(as_text=True))))
    assert len(rows) == len(everything) + 1
    bad = client.get("/evidence?from=not-a-date&lang=fr")
    assert bad.status_code == 400 and "Un filtre n'a pas pu être utilisé" in html.unescape(bad.get_data(as_text=True))


def test_openapi_describes_every_json_page(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    for path in document["paths"]:
        concrete = path.replace("{slug}", BILBAO).replace("{number}", "11").replace("{notation}", "11.3")
        if "/councils/" in path:
            concrete = path.replace("{slug}", "safer-resilient-sustainable-cities")
        if "/manifestos/" in path:
            concrete = path.replace("{slug}", "ecology")
        response = client.get(concrete)
        assert response.status_code == 200 and response.is_json, path


def test_goal_counts_agree_with_the_hub_list(client: FlaskClient) -> None:
    for goal in client.get("/index.json").get_json()["goals"]:
        # The list shows every hub linked to the goal; the tile counts stated links and derived ones apart.
        listed = client.get(f"/hubs.json?goal={goal['number']}").get_json()["count"]
        assert goal["hubs"] + goal["derived"] == listed, goal["number"]


def test_hub_reports_from_the_background_validation_equal_the_hub_own(tmp_path: Path) -> None:
    settings = load_settings({"data_dir": tmp_path}, environ={}, config_file=tmp_path / "none.toml")
    cold = create_app({"TESTING": True}, settings=settings, build_if_empty=True)
    own = {slug: cold.test_client().get(f"/hubs/{slug}.json").get_json()["validation"] for slug in HUBS}
    cold.extensions["l4a_store"].close()
    warm_app = create_app({"TESTING": True}, settings=settings, warm=True)
    try:
        warm_reports(warm_app).join()  # a second pass: it finds the first one's results and returns at once
        assert ready_reports(warm_app, "en") is not None
        assert {"labels", "index", "hub_table"} <= set(warm_app.extensions["l4a_cache"])  # read before any visit
        for slug in HUBS:
            warm = warm_app.test_client().get(f"/hubs/{slug}.json").get_json()["validation"]
            key = lambda r: (r["focus"], r["shape"], r["path"] or "", r["value"] or "")  # noqa: E731
            assert sorted(warm["results"], key=key) == sorted(own[slug]["results"], key=key), slug
            assert warm["conforms"] == own[slug]["conforms"]
    finally:
        warm_app.extensions["l4a_store"].close()
