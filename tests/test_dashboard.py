"""The programme dashboard (graph/dashboard.py) on fixtures whose answers are known by construction, and on a store
built with the fictional demo hub (the real hubs have no figures: none of their indicators gets a status)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from l4a.graph.build import build
from l4a.graph.monitoring.load import Deliverable, HubMonitoring, Indicator, Observation
from l4a.graph.reports.dashboard import (
    NO_FIGURES,
    NO_STATUS,
    coverage_over_time,
    hubs_by_status_and_year,
    indicators_by_status,
    overdue_deliverables,
    read_dashboard,
    year_span,
)
from l4a.graph.reports.hub_table import HubRow
from l4a.graph.store.embedded import EmbeddedStore

D = dt.date
SDG = "http://metadata.un.org/sdg/"
STATUS = "https://w3id.org/l4a/id/status/"


def row(iri: str, start: str = "", end: str = "", statuses: tuple[str, ...] = (), targets: tuple[str, ...] = (),
        goals: tuple[str, ...] = ()) -> HubRow:  # fmt: skip
    """A hub row as HubTable makes it: the goals of its targets are among its goals."""
    links = {
        "statuses": tuple(sorted({STATUS + s for s in statuses})),
        "targets": tuple(sorted({SDG + t for t in targets})),
        "goals": tuple(sorted({SDG + g for g in goals} | {SDG + t.split(".")[0] for t in targets})),
    }
    return HubRow(iri, {"en": iri}, links=links, start=start, end=end)


ROWS = [
    row("urn:a", "2021-03-01", "2023-02", ("labelled",), targets=("11.1", "11.2"), goals=("5",)),
    row("urn:b", "2022-06-01", "2022-12-31", ("labelled", "completed"), targets=("11.1", "13.1")),
    row("urn:c", "2024", "2025-01-01", (), goals=("17",)),  # no status; dates at year precision work too
    row("urn:d", statuses=("self-described",), goals=("1",)),  # no dates: undated, in no year
]


def test_year_span_runs_from_the_earliest_start_to_the_latest_end() -> None:
    assert year_span(ROWS) == [2021, 2022, 2023, 2024, 2025]
    assert year_span([ROWS[3]]) == []


def test_hubs_by_status_and_year() -> None:
    found = hubs_by_status_and_year(ROWS)
    assert found.years == [2021, 2022, 2023, 2024, 2025]
    assert found.active == {2021: 1, 2022: 2, 2023: 1, 2024: 1, 2025: 1}
    assert list(found.counts) == ["labelled", "completed", "self-described", NO_STATUS]  # the scheme's order
    assert found.counts["labelled"] == {2021: 1, 2022: 2, 2023: 1, 2024: 0, 2025: 0}
    assert found.counts["completed"] == {2021: 0, 2022: 1, 2023: 0, 2024: 0, 2025: 0}
    assert found.counts[NO_STATUS] == {2021: 0, 2022: 0, 2023: 0, 2024: 1, 2025: 1}
    assert found.counts["self-described"] == dict.fromkeys(found.years, 0)
    assert found.undated == {"self-described": 1}


def test_coverage_over_time_counts_goals_and_targets_of_the_hubs_active_each_year() -> None:
    found = coverage_over_time(ROWS)
    by_year = {y.year: (y.hubs, y.goals, y.targets) for y in found.years}
    # 2021: a (goals 5, 11; targets 11.1, 11.2); 2022: a and b (goals 5, 11, 13; targets 11.1, 11.2, 13.1);
    # 2023: a; 2024 and 2025: c (goal 17, no target). d has no dates and counts in no year.
    assert by_year == {2021: (1, 2, 2), 2022: (2, 3, 3), 2023: (1, 2, 2), 2024: (1, 1, 0), 2025: (1, 1, 0)}
    assert found.by_goal[11] == {2021: 1, 2022: 2, 2023: 1, 2024: 0, 2025: 0}
    assert found.by_goal[13] == {2021: 0, 2022: 1, 2023: 0, 2024: 0, 2025: 0}
    assert found.by_goal[1] == dict.fromkeys(by_year, 0)  # d addresses goal 1 but is undated
    assert sorted(found.by_goal) == list(range(1, 18))


def indicator(iri: str, *points: tuple[dt.date, str]) -> Indicator:
    i = Indicator(iri, iri, Decimal(0), Decimal(10))
    i.observations = [Observation(iri, Decimal(v), day) for day, v in points]
    return i


def monitored() -> list[HubMonitoring]:
    start = D(2026, 1, 1)
    done = Deliverable("urn:d-done", "Done", D(2026, 12, 31), [indicator("urn:i1", (D(2026, 5, 1), "10"))])
    late = Deliverable("urn:d-late", "Late", D(2026, 6, 30),
                       [indicator("urn:i2", (D(2026, 3, 1), "4")), indicator("urn:i3")])  # fmt: skip
    soon = Deliverable("urn:d-soon", "Soon", D(2026, 9, 30), [indicator("urn:i4", (D(2026, 3, 1), "9"))])
    later = Deliverable("urn:d-later", "Later", D(2027, 12, 31), [indicator("urn:i5", (D(2026, 6, 1), "5"))])
    older = Deliverable("urn:d-older", "Older", D(2026, 2, 1), [indicator("urn:i6", (D(2026, 1, 15), "1"))])
    demo = HubMonitoring("urn:demo", "Demo", start, D(2027, 12, 31), deliverables=[done, late, soon, later, older])
    # A hub without figures, one of whose deliverables is long past due: no status, nothing listed as overdue.
    past = Deliverable("urn:d-real", "Real plan", D(2020, 6, 1), [indicator("urn:i7")])
    real = HubMonitoring("urn:real", "Real", D(2020, 1, 1), D(2021, 1, 1), deliverables=[past])
    return [demo, real]


def test_indicators_counted_under_their_deliverables_status() -> None:
    found = indicators_by_status(monitored(), D(2026, 8, 1))
    # i1 done; i2 overdue (its sibling i3 has no observation: no figures); i4 at risk (due within 90 days);
    # i5 on track (half the way by 2026-08 is not more than a quarter behind the straight line); i6 overdue;
    # i7: its hub reported no figures.
    assert found == {"done": 1, "on-track": 1, "at-risk": 1, "overdue": 2, NO_FIGURES: 2}


def test_overdue_deliverables_only_of_hubs_with_figures_longest_overdue_first() -> None:
    found = overdue_deliverables(monitored(), D(2026, 8, 1))
    assert [(o.hub, o.title, o.due) for o in found] == [
        ("urn:demo", "Older", D(2026, 2, 1)),
        ("urn:demo", "Late", D(2026, 6, 30)),
    ]
    assert overdue_deliverables(monitored(), D(2026, 1, 20)) == []


def test_dashboard_of_a_store_with_the_demo_hub(tmp_path: Path) -> None:
    store = EmbeddedStore.open(tmp_path / "store")
    try:
        build(store, with_examples=True)
        board = read_dashboard(store, D(2026, 11, 15))
    finally:
        store.close()
    # The demo hub (2026-2027, goal 11, two indicators with figures; the canopy at 25% of the way on 2026-11-15
    # is more than a quarter behind; the gardens at 40% are on track); the real hubs have no indicators.
    assert board.indicators == {"done": 0, "on-track": 1, "at-risk": 1, "overdue": 0, NO_FIGURES: 0}
    assert board.overdue == []
    years = {y.year: y for y in board.coverage.years}
    assert years[2027].hubs == 1 and years[2027].goals == 1 and years[2027].targets == 0  # the demo hub alone
    assert board.coverage.by_goal[11][2027] == 1
    assert board.status_years.counts[NO_STATUS][2026] == 1  # the demo hub has no status
    data = board.as_dict()
    coverage = data["coverage"]
    assert data["today"] == "2026-11-15" and isinstance(coverage, dict) and coverage["goals_total"] == 17
