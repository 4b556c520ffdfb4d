"""Monitoring pages: the dashboard says "no figures reported" for real hubs and shows hubs by status and year,
indicators by status, overdue deliverables and SDG coverage over time (tables and an SVG chart); the fictional demo
hub's page draws its indicator charts as inline SVG with its observations; the SVG charts on known series."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from l4a.graph.build import build
from l4a.graph.dashboard import YearCoverage
from l4a.graph.dashboard_svg import coverage_svg
from l4a.graph.embedded import EmbeddedStore
from l4a.graph.monitoring import Indicator, Observation
from l4a.graph.monitoring_svg import indicator_svg

from .webapp import web_app

# A second FICTIONAL hub, only in these tests: a deliverable due in 2025 whose indicator has one figure short of its
# target, so that it is overdue on any day this test runs; labelled, 2024-2025, addressing target 11.7.
LATE = """
PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX hub: <https://w3id.org/l4a/id/hub/>
PREFIX del: <https://w3id.org/l4a/id/deliverable/>
PREFIX ind: <https://w3id.org/l4a/id/indicator/>
PREFIX obs: <https://w3id.org/l4a/id/observation/>
PREFIX status: <https://w3id.org/l4a/id/status/>
INSERT DATA { GRAPH <https://w3id.org/l4a/graph/hub/test-late-hub> {
  hub:test-late-hub a l4a:Hub ; dcterms:title "TEST (fictional): Late Hub"@en ;
    l4a:status status:labelled ; l4a:startDate "2024-01-01"^^xsd:date ; l4a:endDate "2025"^^xsd:gYear ;
    l4a:addressesTarget <http://metadata.un.org/sdg/11.7> ; l4a:hasDeliverable del:test-late-plan .
  del:test-late-plan a l4a:Deliverable ; rdfs:label "Late plan (fictional)"@en ;
    l4a:dueDate "2025-06-30"^^xsd:date ; l4a:hasIndicator ind:test-late-parks .
  ind:test-late-parks a l4a:Indicator ; rdfs:label "Parks opened (fictional)"@en ;
    l4a:baseline 0 ; l4a:targetValue 4 ; l4a:dueDate "2025-06-30"^^xsd:date .
  obs:test-late-1 a l4a:Observation ; l4a:observationOf ind:test-late-parks ;
    l4a:value 1 ; l4a:observedOn "2025-03-01"^^xsd:date ; dcterms:source <https://example.org/late> .
} }
"""


@pytest.fixture(scope="module")
def examples_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory built with the fictional demo hub and its figures, and the fictional late hub."""
    data_dir = tmp_path_factory.mktemp("monitoring") / "data"
    store = EmbeddedStore.open(data_dir / "store")
    build(store, with_examples=True)
    store.update(LATE)
    store.close()
    return data_dir


def test_indicator_svg_on_a_known_series() -> None:
    i = Indicator("urn:i", "i", Decimal(0), Decimal(10), dt.date(2027, 1, 1))
    assert indicator_svg(i, "x") == ""  # no figures, no chart
    i.observations = [
        Observation("urn:i", Decimal(5), dt.date(2026, 7, 2)),
        Observation("urn:i", Decimal(2), dt.date(2026, 1, 1)),
    ]
    svg = indicator_svg(i, "Gardens <open>", dt.date(2026, 1, 1))
    assert svg.startswith("<svg") and "Gardens &lt;open&gt;" in svg and "<script" not in svg and "style=" not in svg
    assert svg.count("<circle") == 2 and "2026-07-02: 5 (50%)" in svg and "2026-01-01: 2 (20%)" in svg
    assert ">2026-01-01<" in svg and ">2027-01-01<" in svg  # the axis runs from the hub's start to the due date


def test_coverage_svg_on_known_years() -> None:
    assert coverage_svg([], "t", "goals", "targets") == ""  # no dated hub, no chart
    svg = coverage_svg([YearCoverage(2024, 2, 17, 0), YearCoverage(2025, 1, 1, 169)], "Cover <age>", "g", "t")
    assert svg.startswith("<svg") and "Cover &lt;age&gt;" in svg and "<script" not in svg and "style=" not in svg
    assert "2024: g 17/17" in svg and "2025: t 169/169" in svg and "2024: t 0/169" in svg
    assert svg.count('class="bar-goals"') == 3 and svg.count('class="bar-targets"') == 3  # a legend and two bars


def test_dashboard_and_demo_hub_page(examples_dir: Path) -> None:
    with web_app(examples_dir) as app:
        client = app.test_client()
        page = client.get("/monitoring?lang=en")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "DEMO (fictional): Ríoverde Green Corridors" in text and "no figures reported" in text
        rows = {row["slug"]: row for row in client.get("/monitoring.json").get_json()["hubs"]}
        assert rows["demo-rioverde-green-corridors"]["figures_reported"]
        fictional = ("demo-rioverde-green-corridors", "test-late-hub")
        assert not any(r["figures_reported"] for slug, r in rows.items() if slug not in fictional)
        demo = client.get("/monitoring/hubs/demo-rioverde-green-corridors?lang=fr").get_data(as_text=True)
        assert demo.count("<svg") >= 2 and "Tree canopy cover of the urban area" in demo and "Avancement" in demo
        hub_page = client.get("/hubs/demo-rioverde-green-corridors?lang=en").get_data(as_text=True)
        assert "/monitoring/hubs/demo-rioverde-green-corridors" in hub_page  # the hub page links to its charts
        real = client.get("/monitoring/hubs/bilbao-city-of-values").get_data(as_text=True)
        assert "<polyline" not in real
        assert client.get("/monitoring/hubs/nowhere").status_code == 404


def test_dashboard_breakdowns(examples_dir: Path) -> None:
    with web_app(examples_dir) as app:
        client = app.test_client()
        data = client.get("/monitoring.json").get_json()
        by_status = data["hubs_by_status_and_year"]
        # Bilbao (labelled, 2021-06 to 2023-03) and Xi'an (labelled, launched 2021) in 2021; the late hub (labelled)
        # in 2024-2025; the demo hub (no status) in 2026-2027; four labelled hubs and Venice have no dates.
        assert by_status["years"] == list(range(2021, 2028))
        assert by_status["by_status"]["labelled"] == {"2021": 2, "2022": 1, "2023": 1, "2024": 1, "2025": 1,
                                                      "2026": 0, "2027": 0}  # fmt: skip
        assert by_status["by_status"]["none"]["2026"] == 1
        assert by_status["undated"] == {"labelled": 4, "self-described": 1}
        # The late hub's indicator is overdue, whatever today is; the demo hub's two are not (due 2027).
        assert data["indicators"]["overdue"] == 1 and data["indicators"]["no-figures"] == 0
        assert sum(data["indicators"].values()) == 3
        assert [(o["hub_title"], o["title"], o["due"]) for o in data["overdue"]] == [
            ("TEST (fictional): Late Hub", "Late plan (fictional)", "2025-06-30")
        ]
        years = {y["year"]: y for y in data["coverage"]["years"]}
        assert (years[2021]["goals"], years[2024]["goals"], years[2024]["targets"]) == (17, 1, 1)
        assert data["coverage"]["by_goal"]["11"]["2026"] == 1 and data["coverage"]["by_goal"]["11"]["2024"] == 1

        page = client.get("/monitoring?lang=fr").get_data(as_text=True)
        assert "Hubs par statut et par année" in page and "Livrables en retard" in page
        assert "Couverture des ODD dans le temps" in page and "Late plan (fictional)" in page
        labelled = re.search(r'<tr><th scope="row">([^<]+)</th>((?:<td[^>]*>\d+</td>)+)', page)
        assert labelled is not None and labelled.group(1) == "Labellisé"  # the status's label in French
        assert re.findall(r">(\d+)</td>", labelled.group(2)) == ["2", "1", "1", "1", "1", "0", "0", "4"]
        chart = page.split('<figure class="chart-figure">', 1)[1].split("</figure>", 1)[0]
        assert chart.startswith("<svg") and "<script" not in chart and "style=" not in chart
        assert "2024 : cibles (sur 169) 1/169" not in chart and "2024: cibles (sur 169) 1/169" in chart
        assert page.count('<tr><th scope="row"><a href="/sdg/') == 17  # a row per goal
