"""Monitoring pages: the dashboard says "no figures reported" for real hubs; the fictional demo hub's page draws its
indicator charts as inline SVG with its observations; the SVG chart on a known series."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from l4a.graph.build import build
from l4a.graph.embedded import EmbeddedStore
from l4a.graph.monitoring import Indicator, Observation
from l4a.graph.monitoring_svg import indicator_svg

from .webapp import web_app


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


def test_dashboard_and_demo_hub_page(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store = EmbeddedStore.open(data_dir / "store")
    build(store, with_examples=True)
    store.close()
    with web_app(data_dir) as app:
        client = app.test_client()
        page = client.get("/monitoring?lang=en")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "DEMO (fictional): Ríoverde Green Corridors" in text and "no figures reported" in text
        rows = {row["slug"]: row for row in client.get("/monitoring.json").get_json()["hubs"]}
        assert rows["demo-rioverde-green-corridors"]["figures_reported"]
        assert not any(r["figures_reported"] for slug, r in rows.items() if slug != "demo-rioverde-green-corridors")
        demo = client.get("/monitoring/hubs/demo-rioverde-green-corridors?lang=fr").get_data(as_text=True)
        assert demo.count("<svg") >= 2 and "Tree canopy cover of the urban area" in demo and "Avancement" in demo
        hub_page = client.get("/hubs/demo-rioverde-green-corridors?lang=en").get_data(as_text=True)
        assert "/monitoring/hubs/demo-rioverde-green-corridors" in hub_page  # the hub page links to its charts
        real = client.get("/monitoring/hubs/bilbao-city-of-values").get_data(as_text=True)
        assert "<polyline" not in real
        assert client.get("/monitoring/hubs/nowhere").status_code == 404
