"""The programme dashboard (docs/monitoring.md): hubs by status and year, indicators by their deliverable's status,
overdue deliverables, and SDG coverage over time.

Plain functions over the hub table (graph/hub_table.py) and the monitoring data (graph/monitoring.py), so that each
figure can be tested on fixtures whose answers are known by construction. A hub is active in each calendar year
from its start (or launch) to its end (HubRow.years); a hub without dates is counted apart, as undated. Statuses
of deliverables are given only for hubs with reported figures: a real hub without figures says so, and nothing
about it is inferred.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from l4a.graph.monitoring.load import HubMonitoring, deliverable_status, load_monitoring
from l4a.graph.namespaces import DEFAULT_BASE, SDG
from l4a.graph.reports.derived import DerivedLink, derived_goals, derived_reasons, read_derived_links
from l4a.graph.reports.hub_table import HubRow, HubTable
from l4a.graph.store.base import Store

GOALS_TOTAL = 17  # the SDG goals
TARGETS_TOTAL = 169  # the SDG targets
NO_STATUS = "none"  # the key for hubs that have no l4a:status
NO_FIGURES = "no-figures"  # the key for indicators without any observation
# The status scheme's order (ontology/vocabularies.ttl); a status outside it comes after these, by name.
STATUS_ORDER = ("submitted", "needs-changes", "under-review", "labelled", "completed", "withdrawn", "rejected",
                "self-described")  # fmt: skip
INDICATOR_KEYS = ("done", "on-track", "at-risk", "overdue", NO_FIGURES)


@dataclass
class StatusYears:
    """Hubs active each year, by the slug of their status (a hub with two statuses counts under each)."""

    years: list[int]
    counts: dict[str, dict[int, int]]  # status slug -> year -> hubs active that year
    active: dict[int, int]  # year -> hubs active that year, whatever their status
    undated: dict[str, int]  # status slug -> hubs without any date

    def as_dict(self) -> dict[str, object]:
        return {
            "years": self.years,
            "active": {str(y): n for y, n in self.active.items()},
            "by_status": {s: {str(y): n for y, n in row.items()} for s, row in self.counts.items()},
            "undated": self.undated,
        }


@dataclass
class Overdue:
    """A deliverable past its due date and not done, of a hub with reported figures."""

    hub: str
    hub_title: str
    deliverable: str
    title: str
    due: dt.date

    def as_dict(self) -> dict[str, str]:
        return {"hub": self.hub, "hub_title": self.hub_title, "deliverable": self.deliverable, "title": self.title,
                "due": self.due.isoformat()}  # fmt: skip


@dataclass
class YearCoverage:
    """How much of the SDGs the hubs active in one year address."""

    year: int
    hubs: int
    goals: int  # stated links only
    targets: int
    derived_goals: int = 0  # further goals reached only through derived links (counted apart, never in `goals`)

    def as_dict(self) -> dict[str, int]:
        return {"year": self.year, "hubs": self.hubs, "goals": self.goals, "targets": self.targets,
                "derived_goals": self.derived_goals}  # fmt: skip


@dataclass
class Coverage:
    """SDG coverage over time: per year, and per goal a row of years (hubs active that year addressing it)."""

    years: list[YearCoverage]
    by_goal: dict[int, dict[int, int]] = field(default_factory=dict)  # goal number -> year -> hubs (stated links)
    derived: dict[str, str] = field(default_factory=dict)  # hub IRI -> reason, for hubs whose goal links are derived

    def as_dict(self) -> dict[str, object]:
        return {
            "goals_total": GOALS_TOTAL,
            "targets_total": TARGETS_TOTAL,
            "counts": "stated links only; goals reached only through derived links are in derived_goals",
            "years": [y.as_dict() for y in self.years],
            "by_goal": {str(g): {str(y): n for y, n in row.items()} for g, row in self.by_goal.items()},
            "derived": [{"hub": hub, "reason": reason} for hub, reason in sorted(self.derived.items())],
        }


@dataclass
class Dashboard:
    day: dt.date
    status_years: StatusYears
    indicators: dict[str, int]
    overdue: list[Overdue]
    coverage: Coverage

    def as_dict(self) -> dict[str, object]:
        return {
            "today": self.day.isoformat(),
            "hubs_by_status_and_year": self.status_years.as_dict(),
            "indicators": self.indicators,
            "overdue": [o.as_dict() for o in self.overdue],
            "coverage": self.coverage.as_dict(),
        }


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def year_span(rows: Iterable[HubRow]) -> list[int]:
    """Every year from the earliest first year of a hub to the latest last year (empty if no hub has dates)."""
    firsts, lasts = [], []
    for row in rows:
        years = row.years()
        if years:
            firsts.append(years[0])
            lasts.append(years[-1])
    return list(range(min(firsts), max(lasts) + 1)) if firsts else []


def status_key(slug: str) -> tuple[int, str]:
    """Sort key: the status scheme's order, then other statuses by name, then hubs without a status."""
    if slug == NO_STATUS:
        return (len(STATUS_ORDER) + 1, slug)
    return (STATUS_ORDER.index(slug), slug) if slug in STATUS_ORDER else (len(STATUS_ORDER), slug)


def hubs_by_status_and_year(rows: list[HubRow]) -> StatusYears:
    """For each year of the span, the hubs active that year, by status (and in all)."""
    years = year_span(rows)
    counts: dict[str, dict[int, int]] = {}
    undated: dict[str, int] = {}
    active = dict.fromkeys(years, 0)
    for row in rows:
        statuses = sorted(_slug(s) for s in row.values("statuses")) or [NO_STATUS]
        running = row.years()
        for status in statuses:
            line = counts.setdefault(status, dict.fromkeys(years, 0))
            for year in running:
                line[year] += 1
            if not running:
                undated[status] = undated.get(status, 0) + 1
        for year in running:
            active[year] += 1
    ordered = {s: counts[s] for s in sorted(counts, key=status_key)}
    return StatusYears(years, ordered, active, {s: undated[s] for s in sorted(undated, key=status_key)})


def indicators_by_status(hubs: Iterable[HubMonitoring], today: dt.date) -> dict[str, int]:
    """Each indicator counted under its deliverable's status on `today`, or under no-figures if it has no
    observation (every indicator of a hub without reported figures is there)."""
    counts = dict.fromkeys(INDICATOR_KEYS, 0)
    for hub in hubs:
        for d in hub.deliverables:
            status = deliverable_status(d, hub.start, today) if hub.has_figures() else None
            for i in d.indicators:
                counts[status if status is not None and i.observations else NO_FIGURES] += 1
    return counts


def overdue_deliverables(hubs: Iterable[HubMonitoring], today: dt.date) -> list[Overdue]:
    """The deliverables of hubs with reported figures that are overdue on `today`, the longest overdue first."""
    found = [
        Overdue(hub.iri, hub.label, d.iri, d.label, d.due)
        for hub in hubs
        if hub.has_figures()
        for d in hub.deliverables
        if d.due is not None and deliverable_status(d, hub.start, today) == "overdue"
    ]
    return sorted(found, key=lambda o: (o.due, o.hub_title, o.title))


def coverage_over_time(
    rows: list[HubRow], derived: Mapping[str, set[str]] | None = None, reasons: Mapping[str, str] | None = None
) -> Coverage:
    """Per year of the span: the hubs active, and how many of the 17 goals and 169 targets at least one of them
    addresses by a stated link; per goal, the hubs active each year that address it. Goal links that are derived
    (`derived`: hub -> goals) are left out of these figures and counted apart (`derived_goals`)."""
    derived = derived or {}
    years = year_span(rows)
    goals: dict[int, set[str]] = {y: set() for y in years}
    extra: dict[int, set[str]] = {y: set() for y in years}
    targets: dict[int, set[str]] = {y: set() for y in years}
    hubs = dict.fromkeys(years, 0)
    by_goal: dict[int, dict[int, int]] = {g: dict.fromkeys(years, 0) for g in range(1, GOALS_TOTAL + 1)}
    shown: dict[str, str] = {}
    for row in rows:
        own = derived.get(row.iri, set())
        stated = set(row.values("goals")) - own
        numbers = [int(n) for g in stated if (n := g.removeprefix(SDG)).isdigit()]
        if own and row.years():
            shown[row.iri] = (reasons or {}).get(row.iri, "")
        for year in row.years():
            hubs[year] += 1
            goals[year].update(stated)
            extra[year].update(own.intersection(row.values("goals")))
            targets[year].update(row.values("targets"))
            for number in numbers:
                if number in by_goal:
                    by_goal[number][year] += 1
    return Coverage(
        [YearCoverage(y, hubs[y], len(goals[y]), len(targets[y]), len(extra[y] - goals[y])) for y in years],
        by_goal,
        shown,
    )


def make_dashboard(
    table: HubTable,
    monitoring: Mapping[str, HubMonitoring],
    today: dt.date,
    derived: Sequence[DerivedLink] = (),
) -> Dashboard:
    """The whole dashboard from the hub table, the monitoring data and the derived links (read once, e.g. cached by
    the web)."""
    hubs = sorted(monitoring.values(), key=lambda h: h.label)
    return Dashboard(
        today,
        hubs_by_status_and_year(table.rows),
        indicators_by_status(hubs, today),
        overdue_deliverables(hubs, today),
        coverage_over_time(table.rows, derived_goals(list(derived)), derived_reasons(list(derived))),
    )


def read_dashboard(store: Store, today: dt.date | None = None, base: str = DEFAULT_BASE) -> Dashboard:
    """The dashboard of the store's hubs on `today` (default: today)."""
    return make_dashboard(
        HubTable.from_store(store), load_monitoring(store, base), today or dt.date.today(), read_derived_links(store)
    )
