"""One way to read a date (graph/dates.py): a date, a month or a year covers its whole period, so a start is its
first day and an end its last; and every output that gives a hub's period gives the same one."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from l4a.graph.cli.main import main
from l4a.graph.dates import first_day, last_day, period
from l4a.graph.namespaces import L4A, RDF
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.sync.index import OVERLAP_WEIGHT

from .webapp import web_app

D = dt.date
BASE = "https://w3id.org/l4a/id/"
BILBAO = BASE + "hub/bilbao-city-of-values"
FICTIONAL = BASE + "hub/fictional-overlap-test"  # a fictional hub, only in this test's store
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2023-03", D(2023, 3, 1), D(2023, 3, 31)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),  # a leap year's February
        ("2023-02", D(2023, 2, 1), D(2023, 2, 28)),
        ("2023-12", D(2023, 12, 1), D(2023, 12, 31)),
        ("2024", D(2024, 1, 1), D(2024, 12, 31)),
        ("2021-06-28", D(2021, 6, 28), D(2021, 6, 28)),
        ("2021-06-28T23:59:59Z", D(2021, 6, 28), D(2021, 6, 28)),  # xsd:dateTime: its day
        ("2021-06-28+02:00", D(2021, 6, 28), D(2021, 6, 28)),  # a time zone is ignored
        ("2023-03Z", D(2023, 3, 1), D(2023, 3, 31)),
        (" 2025 ", D(2025, 1, 1), D(2025, 12, 31)),
    ],
)
def test_a_period_covers_its_whole_day_month_or_year(text: str, first: dt.date, last: dt.date) -> None:
    assert period(text) == (first, last)
    assert (first_day(text), last_day(text)) == (first, last)


@pytest.mark.parametrize("text", ["", None, "2023-13", "2023-02-30", "0000", "2023-3", "23", "March 2023", "20230"])
def test_what_is_not_a_date_is_none(text: str | None) -> None:
    assert period(text) is None and first_day(text) is None and last_day(text) is None


def _cli(data_dir: Path, *args: str) -> str:
    env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml")}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_bilbaos_end_is_the_same_in_every_output(tmp_path: Path) -> None:
    """Bilbao ends "2023-03"^^xsd:gYearMonth (ontology/hubs/bilbao-city-of-values.ttl): its last day, 2023-03-31,
    on the hub page (HTML and JSON), in the dashboard's JSON, the council brief, `l4a monitor status` and the time
    overlap that `l4a related` counts with a (fictional) hub that runs from 2023-01-01 to 2024-12-31."""
    data_dir = tmp_path / "data"
    _cli(data_dir, "build", "--quiet")
    store = EmbeddedStore.open(data_dir / "store")
    try:
        council = store.select(f"SELECT ?c WHERE {{ ?c a <{L4A}PolicyCouncil> }} ORDER BY ?c LIMIT 1")[0]["c"]
        graph = ox.NamedNode("urn:test:fictional")
        hub, bilbao = ox.NamedNode(FICTIONAL), ox.NamedNode(BILBAO)
        store.add_quads(
            [
                ox.Quad(hub, ox.NamedNode(RDF + "type"), ox.NamedNode(L4A + "Hub"), graph),
                ox.Quad(hub, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("Fictional hub"), graph),
                ox.Quad(hub, ox.NamedNode(L4A + "addressesGoal"), ox.NamedNode("http://metadata.un.org/sdg/4"), graph),
                ox.Quad(hub, ox.NamedNode(L4A + "startDate"), ox.Literal("2023-01-01", datatype=XSD_DATE), graph),
                ox.Quad(hub, ox.NamedNode(L4A + "endDate"), ox.Literal("2024-12-31", datatype=XSD_DATE), graph),
                ox.Quad(bilbao, ox.NamedNode(L4A + "relevantCouncil"), council, graph),  # so a council brief has it
            ]
        )
    finally:
        store.close()
    start, end = "2021-06-28", "2023-03-31"

    status = json.loads(_cli(data_dir, "monitor", "status", "--hub", "bilbao-city-of-values", "--format", "json"))
    assert (status[0]["start"], status[0]["end"]) == (start, end)
    everyone = {h["hub"]: h for h in json.loads(_cli(data_dir, "monitor", "status", "--format", "json"))}
    assert (everyone[BILBAO]["start"], everyone[BILBAO]["end"]) == (start, end)  # the whole-store loader too
    assert everyone[BILBAO]["near_end_without_report"] is True  # ended, no completion report recorded

    related = {r["hub"]: r for r in json.loads(_cli(data_dir, "related", "bilbao-city-of-values", "--format", "json"))}
    overlap = [r for r in related[FICTIONAL]["reasons"] if r["kind"] == "overlap"]
    days = (D(2023, 3, 31) - D(2023, 1, 1)).days  # 89 days in common
    shorter = (D(2023, 3, 31) - D(2021, 6, 28)).days  # Bilbao's 641 days are the shorter time frame
    assert len(overlap) == 1 and overlap[0]["contribution"] == pytest.approx(OVERLAP_WEIGHT * days / shorter, 1e-5)

    brief = _cli(data_dir, "brief", "--council", council.value, "--format", "md")
    section = brief.split(f"<{BILBAO}>", 1)[1].split("###", 1)[0]
    # A brief quotes the period as its source records it (a month stays a month), like the hub page; the monitoring
    # JSON above gives the days its rules read into it
    assert "Period: June 28, 2021 \u2013 March 2023" in section

    with web_app(data_dir) as app:
        client = app.test_client()
        page = client.get("/hubs/bilbao-city-of-values.json").get_json()
        assert (page["monitoring"]["start"], page["monitoring"]["end"]) == (start, end)
        assert page["end"] == "2023-03"  # the fact as recorded, at its precision
        html = client.get("/hubs/bilbao-city-of-values?lang=en").get_data(as_text=True)
        timeline = html.split('class="chart timeline"', 1)[1].split("</svg>", 1)[0]
        assert f"<title>{start}/{end}" in timeline
        assert re.search(rf">{end}</text>", timeline)
        dashboard = {h["hub"]: h for h in client.get("/monitoring.json").get_json()["hubs"]}
        assert (dashboard[BILBAO]["start"], dashboard[BILBAO]["end"]) == (start, end)
        assert dashboard[BILBAO]["near_end_without_report"] is True
        assert 2023 in dashboard_years(client.get("/monitoring.json").get_json())


def dashboard_years(data: dict[str, object]) -> list[int]:
    """The years the dashboard counts hubs in (Bilbao's last is 2023)."""
    by_status = data["hubs_by_status_and_year"]
    assert isinstance(by_status, dict)
    return [int(y) for y, n in by_status["active"].items() if n]
