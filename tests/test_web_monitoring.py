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
from l4a.graph.monitoring.load import Deliverable, HubMonitoring, Indicator, Observation, load_monitoring
from l4a.graph.monitoring.svg import indicator_svg, timeline_svg
from l4a.graph.reports.dashboard import YearCoverage
from l4a.graph.reports.dashboard_svg import coverage_svg
from l4a.graph.store.embedded import EmbeddedStore

from .webapp import web_app

D = dt.date
DEMO = "https://w3id.org/l4a/id/hub/demo-exampleton-green-corridors"
LATE_HUB = "https://w3id.org/l4a/id/hub/test-late-hub"


def indicator_with(iri: str, *points: tuple[dt.date, str]) -> Indicator:
    """An indicator from 0 to 10 with these observations."""
    i = Indicator(iri, iri, Decimal(0), Decimal(10))
    i.observations = [Observation(iri, Decimal(v), day) for day, v in points]
    return i


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
        assert "DEMO (fictional): Exampleton Green Corridors" in text and "no figures reported" in text
        rows = {row["slug"]: row for row in client.get("/monitoring.json").get_json()["hubs"]}
        assert rows["demo-exampleton-green-corridors"]["figures_reported"]
        fictional = ("demo-exampleton-green-corridors", "test-late-hub")
        assert not any(r["figures_reported"] for slug, r in rows.items() if slug not in fictional)
        demo = client.get("/monitoring/hubs/demo-exampleton-green-corridors?lang=fr").get_data(as_text=True)
        assert demo.count("<svg") >= 2 and "Tree canopy cover of the urban area" in demo and "Avancement" in demo
        hub_page = client.get("/hubs/demo-exampleton-green-corridors?lang=en").get_data(as_text=True)
        assert "/monitoring/hubs/demo-exampleton-green-corridors" in hub_page  # the hub page links to its charts
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
        # 2021: Xi'an's four stated goals; Bilbao's 17 goal links are derived (its Charter), so counted apart.
        assert (years[2021]["goals"], years[2021]["derived_goals"]) == (4, 13)
        assert (years[2024]["goals"], years[2024]["targets"]) == (1, 1)
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


def test_timeline_svg_on_a_known_hub() -> None:
    done = Deliverable("urn:d1", "Plan <adopted>", D(2026, 7, 2), [indicator_with("urn:i1", (D(2026, 3, 1), "10"))])
    later = Deliverable("urn:d2", "Gardens", D(2026, 12, 31), [indicator_with("urn:i2", (D(2026, 3, 1), "1"))])
    hub = HubMonitoring("urn:h", "h", D(2026, 1, 1), D(2026, 12, 31), deliverables=[done, later])
    words = {"today": "aujourd'hui", "done": "achevé", "at-risk": "à risque"}
    svg = timeline_svg(hub, D(2026, 11, 1), "Chronologie", words)
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    assert '<rect class="timeline-period" x="44.0"' in svg and 'width="552.0"' in svg  # the whole span
    # 2026-07-02 is day 182 of the 364 days drawn: the middle of the bar (x = 44 + 552 / 2 = 320).
    assert 'class="timeline-due status-done" points="320.0,20' in svg
    assert "Plan &lt;adopted&gt;: 2026-07-02 (achevé)" in svg and "Gardens: 2026-12-31 (à risque)" in svg
    assert svg.count('class="timeline-obs"') == 2 and 'class="timeline-today"' in svg and "aujourd&#x27;hui" in svg
    assert 'class="timeline-today"' not in timeline_svg(hub, D(2027, 3, 1), "t", words)  # today outside the span
    report = Deliverable("urn:d3", "Report", D(2022, 1, 1), [Indicator("urn:i3", "i3", Decimal(0), Decimal(1))])
    no_figures = HubMonitoring("urn:r", "r", D(2021, 6, 28), D(2023, 3, 31), deliverables=[report])
    plain = timeline_svg(no_figures, D(2026, 11, 1), "t", words)
    assert "status-none" in plain and "timeline-obs" not in plain  # no figures: no status is claimed
    assert timeline_svg(HubMonitoring("urn:x", "x", D(2021, 1, 1), None), D(2026, 1, 1), "t", words) == ""


def test_one_hub_loader_reads_what_the_whole_store_loader_reads(examples_dir: Path) -> None:
    store = EmbeddedStore.open(examples_dir / "store", read_only=True)
    try:
        everything = load_monitoring(store)
        for iri in (DEMO, LATE_HUB):
            one = load_monitoring(store, hub=iri)[iri]
            whole = everything[iri]
            assert [(d.iri, d.label, d.due) for d in one.deliverables] == [
                (d.iri, d.label, d.due) for d in whole.deliverables
            ]
            assert [(i.iri, i.baseline, i.target, i.due, sorted((o.date, o.value, o.source) for o in i.observations))
                    for i in one.indicators] == [
                (i.iri, i.baseline, i.target, i.due, sorted((o.date, o.value, o.source) for o in i.observations))
                for i in whole.indicators
            ]  # fmt: skip
            assert one.start == whole.start and one.label == whole.label and one.goals == whole.goals
        bilbao = load_monitoring(store, hub="https://w3id.org/l4a/id/hub/bilbao-city-of-values")[
            "https://w3id.org/l4a/id/hub/bilbao-city-of-values"
        ]
        assert (bilbao.start, bilbao.end) == (D(2021, 6, 28), D(2023, 3, 31))  # 2023-03
        assert not bilbao.has_figures() and load_monitoring(store, hub=DEMO + "-nowhere") == {}
    finally:
        store.close()


def test_hub_page_shows_the_timeline_and_the_indicator_charts(examples_dir: Path) -> None:
    with web_app(examples_dir) as app:
        client = app.test_client()
        page = client.get("/hubs/demo-exampleton-green-corridors?lang=en").get_data(as_text=True)
        main = page.split("<main>", 1)[1].split("</main>", 1)[0]
        assert "<script" not in main and "style=" not in main
        timeline = main.split("<svg", 1)[1].split("</svg>", 1)[0]
        assert 'class="chart timeline"' in timeline and timeline.count('class="timeline-obs"') == 4
        assert timeline.count('class="timeline-due status-') == 2  # the two deliverables, classed by status
        assert main.count('<figure class="chart-figure indicator-chart">') == 2 and main.count("<polyline") == 2
        assert "Tree canopy cover of the urban area" in main and "Green corridor plan adopted" in main
        assert "no figures reported" not in main.split('id="monitoring"', 1)[1].split("<h2", 1)[0]
        data = client.get("/hubs/demo-exampleton-green-corridors.json").get_json()["monitoring"]
        assert data["figures_reported"] and data["start"] == "2026-01-01" and data["end"] == "2027-12-31"
        assert set(data["deliverables"]) == {DEMO.replace("/hub/", "/deliverable/") + "-1",
                                             DEMO.replace("/hub/", "/deliverable/") + "-2"}  # fmt: skip

        real = client.get("/hubs/bilbao-city-of-values?lang=es").get_data(as_text=True)
        real_main = real.split("<main>", 1)[1].split("</main>", 1)[0]
        assert "no se han informado cifras" in real_main and 'class="chart timeline"' in real_main  # the period
        assert "<polyline" not in real_main and "indicator-chart" not in real_main and "timeline-obs" not in real_main
        assert client.get("/hubs/bilbao-city-of-values.json").get_json()["monitoring"]["figures_reported"] is False
        undated = client.get("/hubs/avcilar-eko-bil?lang=en").get_data(as_text=True)
        assert "no figures reported" in undated and "no timeline" in undated and "<svg" not in undated


def test_the_dashboard_lists_hubs_with_figures_first_a_page_at_a_time(
    examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    from l4a.web.pages import monitoring

    monkeypatch.setattr(monitoring, "PER_PAGE", 2)
    with web_app(examples_dir) as app:
        client = app.test_client()
        everything = client.get("/monitoring.json").get_json()  # JSON: every hub on one page
        assert everything["count"] == len(everything["hubs"]) >= 8 and everything["with_figures"] == 2
        assert {h["hub"] for h in everything["hubs"][:2]} == {DEMO, LATE_HUB}  # the two with figures, first

        def listed(page: int) -> list[str]:
            html = client.get(f"/monitoring?page={page}").get_data(as_text=True)
            table = html.split('id="hub-progress"')[1].split("</table>")[0]
            return re.findall(r'href="/monitoring/hubs/([^"]+)"', table)

        assert set(listed(1)) == {DEMO.rsplit("/", 1)[1], LATE_HUB.rsplit("/", 1)[1]}
        pages = -(-everything["count"] // 2)
        seen = [slug for page in range(1, pages + 1) for slug in listed(page)]
        assert seen == [h["slug"] for h in everything["hubs"]]  # each hub once, in the same order
        last = client.get(f"/monitoring?page={pages}").get_data(as_text=True)
        assert 'rel="prev"' in last and 'rel="next"' not in last
