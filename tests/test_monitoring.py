"""Monitoring (docs/monitoring.md): status rules and measures on fixtures whose answers are known by construction,
observation files with their errors, history kept across files, the fictional demo hub loaded only on request."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from l4a.graph.build import build
from l4a.graph.cli.main import main
from l4a.graph.errors import InputError
from l4a.graph.monitoring.load import (
    Deliverable,
    HubMonitoring,
    Indicator,
    Observation,
    add_observations,
    deliverable_status,
    links_over_time,
    load_monitoring,
    near_end_without_report,
    on_time_share,
    progress_by,
    read_observations,
)
from l4a.graph.store.embedded import EmbeddedStore

D = dt.date
DEMO = "https://w3id.org/l4a/id/hub/demo-exampleton-green-corridors"
CANOPY = "https://w3id.org/l4a/id/indicator/demo-exampleton-canopy"


def indicator(baseline: str, target: str, *points: tuple[dt.date, str]) -> Indicator:
    i = Indicator("urn:i", "i", Decimal(baseline), Decimal(target))
    i.observations = [Observation("urn:i", Decimal(v), day) for day, v in points]
    return i


def test_progress_is_latest_minus_baseline_over_target_minus_baseline() -> None:
    i = indicator("10", "20", (D(2026, 1, 1), "12"), (D(2026, 6, 1), "15"))
    assert i.progress() == Decimal("0.5")
    assert i.progress(D(2026, 3, 1)) == Decimal("0.2")  # the latest on or before that date
    assert i.progress(D(2025, 12, 31)) is None
    falling = indicator("100", "60", (D(2026, 1, 1), "90"))  # a target below the baseline: a decrease is progress
    assert falling.progress() == Decimal("0.25")


def test_status_rules_on_known_dates() -> None:
    start = D(2026, 1, 1)
    reached = Deliverable("urn:d1", "d1", D(2026, 12, 31), [indicator("0", "10", (D(2026, 6, 1), "10"))])
    assert deliverable_status(reached, start, D(2026, 7, 1)) == "done"
    late = Deliverable("urn:d2", "d2", D(2026, 6, 30), [indicator("0", "10", (D(2026, 6, 1), "9"))])
    assert deliverable_status(late, start, D(2026, 7, 1)) == "overdue"
    assert deliverable_status(late, start, D(2026, 5, 1)) == "at-risk"  # due within 90 days, not done
    # Half the time elapsed (2026-01-01 .. 2027-01-01, today 2026-07-02): expected 0.5; 0.2 is more than 0.25 behind.
    behind = Deliverable("urn:d3", "d3", D(2027, 1, 1), [indicator("0", "10", (D(2026, 6, 1), "2"))])
    assert deliverable_status(behind, start, D(2026, 7, 2)) == "at-risk"
    close = Deliverable("urn:d4", "d4", D(2027, 1, 1), [indicator("0", "10", (D(2026, 6, 1), "3"))])
    assert deliverable_status(close, start, D(2026, 7, 2)) == "on-track"
    unmeasured = Deliverable("urn:d5", "d5", D(2027, 1, 1), [indicator("0", "10")])
    assert deliverable_status(unmeasured, start, D(2026, 2, 1)) == "on-track"
    assert deliverable_status(unmeasured, start, D(2026, 7, 2)) == "at-risk"


def test_on_time_share_and_grouped_progress() -> None:
    on_time = Deliverable("urn:a", "a", D(2026, 6, 30), [indicator("0", "4", (D(2026, 6, 1), "4"))])
    late = Deliverable("urn:b", "b", D(2026, 6, 30), [indicator("0", "4", (D(2026, 8, 1), "4"))])
    not_yet = Deliverable("urn:c", "c", D(2027, 6, 30), [indicator("0", "4", (D(2026, 8, 1), "1"))])
    assert on_time_share([on_time, late, not_yet], D(2026, 9, 1)) == Decimal("0.5")
    assert on_time_share([not_yet], D(2026, 9, 1)) is None
    h1 = HubMonitoring("urn:h1", "h1", None, None, deliverables=[on_time], councils={"urn:c1"}, goals={"urn:g1"})
    h2 = HubMonitoring("urn:h2", "h2", None, None, deliverables=[not_yet], councils={"urn:c1"}, goals={"urn:g2"})
    assert progress_by([h1, h2], "hub") == {"urn:h1": Decimal(1), "urn:h2": Decimal("0.25")}
    assert progress_by([h1, h2], "council") == {"urn:c1": Decimal("0.625")}
    assert progress_by([h1, h2], "goal") == {"urn:g1": Decimal(1), "urn:g2": Decimal("0.25")}


def test_links_over_time_and_near_end_flag() -> None:
    starts = {"a": D(2021, 5, 1), "b": D(2023, 1, 1), "c": D(2024, 3, 1), "d": None}
    assert links_over_time(starts, [("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")]) == {2023: 1, 2024: 3}
    hub = HubMonitoring("urn:h", "h", D(2025, 1, 1), D(2026, 12, 31))
    assert near_end_without_report(hub, D(2026, 12, 1))
    assert not near_end_without_report(hub, D(2026, 6, 1))  # not near its end yet
    hub.report_dates = [D(2026, 11, 15)]
    assert not near_end_without_report(hub, D(2026, 12, 1))
    hub.report_dates, hub.completed = [], True
    assert not near_end_without_report(hub, D(2027, 2, 1))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("hub: h\nsource: https://x.example/\nreported_by: me\nobservations:\n  - indicator: i\n    date: 2026-01-01\n",
         5, "`value` is missing"),
        ("hub: h\nsource: https://x.example/\nreported_by: me\nobservations:\n  - indicator: i\n    value: 1\n"
         "    date: 2026-13-01\n", 7, "`date` must be a date"),
        ("hub: h\nreported_by: me\nobservations:\n  - indicator: i\n    value: ten\n    date: 2026-01-01\n"
         "    source: https://x.example/\n", 5, "`value` must be a number"),
        ("hub: h\nreported_by: me\nobservations:\n  - indicator: i\n    value: 1\n    date: 2026-01-01\n", 4,
         "`source` must be"),
        ("hub: h\nsource: https://x.example/\nreported_by: me\nobservations:\n  - indicator: i\n    value: 1\n"
         "    date: 2099-01-01\n", 7, "in the future"),
    ],
)  # fmt: skip
def test_yaml_errors_say_file_line_and_field(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, "figures.yaml", text)
    with pytest.raises(InputError) as caught:
        read_observations(path, today=D(2026, 11, 1))
    assert f"{path}, line {line}" in str(caught.value) and words in str(caught.value)


def test_csv_rows_and_errors(tmp_path: Path) -> None:
    good = "hub,indicator,value,date,source,reported_by\nh,i,1.5,2026-01-01,https://x.example/,me\n"
    hub, found = read_observations(write(tmp_path, "ok.csv", good), today=D(2026, 11, 1))
    assert hub.endswith("/id/hub/h") and found[0].value == Decimal("1.5") and found[0].reported_by == "me"
    bad = good + "h,i,,2026-02-01,https://x.example/,me\n"
    with pytest.raises(InputError, match=r"bad\.csv, line 3: `value` is missing"):
        read_observations(write(tmp_path, "bad.csv", bad), today=D(2026, 11, 1))
    two = good + "other,i,2,2026-02-01,https://x.example/,me\n"
    with pytest.raises(InputError, match="one file, one hub"):
        read_observations(write(tmp_path, "two.csv", two), today=D(2026, 11, 1))


FIGURES = """hub: demo-exampleton-green-corridors
reported_by: Test reporter
source: https://example.org/figures
observations:
  - indicator: demo-exampleton-canopy
    value: 15.25
    date: 2026-11-01
"""


def test_demo_hub_only_on_request_and_history_kept(tmp_path: Path) -> None:
    store = EmbeddedStore.open(tmp_path / "store")
    try:
        build(store)
        assert DEMO not in load_monitoring(store)
        build(store, with_examples=True)
        hubs = load_monitoring(store)
        real = [h for h in hubs.values() if h.iri != DEMO]
        assert real and not any(h.has_figures() for h in real)  # no figures invented for a real hub
        assert len([o for i in hubs[DEMO].indicators for o in i.observations]) == 4
        before = store.quad_count()
        wrong = write(tmp_path, "wrong.yaml", FIGURES.replace("demo-exampleton-canopy", "no-such-indicator"))
        with pytest.raises(InputError, match="not an indicator of"):
            add_observations(store, wrong)
        assert store.quad_count() == before  # nothing written
        first = add_observations(store, write(tmp_path, "a.yaml", FIGURES))
        second = add_observations(store, write(tmp_path, "b.yaml", FIGURES.replace("15.25", "15.5")))
        assert first.graph.endswith("/graph/monitoring/demo-exampleton-green-corridors/1")
        assert second.graph.endswith("/graph/monitoring/demo-exampleton-green-corridors/2")
        canopy = next(i for i in load_monitoring(store)[DEMO].indicators if i.iri == CANOPY)
        assert sorted(o.value for o in canopy.observations) == [Decimal(v) for v in ("12.5", "13.9", "15.25", "15.5")]
        assert canopy.progress(D(2026, 10, 1)) == (Decimal("13.9") - Decimal("12.5")) / Decimal("5.5")
        build(store, with_examples=True)  # rebuilding replaces the example figures, keeps the added files
        canopy = next(i for i in load_monitoring(store)[DEMO].indicators if i.iri == CANOPY)
        assert len(canopy.observations) == 4
    finally:
        store.close()


def test_cli_monitor_add_and_status(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml")}

    def cli(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    assert cli("build", "--quiet", "--with-examples")[0] == 0
    code, out, _ = cli("monitor", "add", str(write(tmp_path, "f.yaml", FIGURES)))
    assert code == 0 and "/graph/monitoring/demo-exampleton-green-corridors/1" in out
    code, _, err = cli("monitor", "add", str(write(tmp_path, "bad.yaml", FIGURES.replace("15.25", "x"))))
    assert code == 2 and "bad.yaml, line 6" in err
    code, out, _ = cli("monitor", "status", "--today", "2026-11-26", "--format", "json")
    rows = {row["hub"]: row for row in json.loads(out)}
    assert (
        rows[DEMO]["figures_reported"]
        and not rows["https://w3id.org/l4a/id/hub/bilbao-city-of-values"]["figures_reported"]
    )
    statuses = {d["title"]: d["status"] for d in rows[DEMO]["deliverables"]}
    assert statuses == {"Green corridor plan adopted by the city council": "on-track",
                        "Community gardens along the corridors": "on-track"}  # fmt: skip
    code, out, _ = cli("monitor", "status", "--lang", "fr", "--today", "2026-11-26")
    assert code == 0 and "aucun chiffre communiqué" in out
    assert cli("monitor", "status", "--hub", "nowhere")[0] == 2
    assert cli("monitor", "status", "--today", "soon")[0] == 2
