"""Monitoring's plain data and measures: indicators and their observations, deliverable status, progress and the
near-end flag (docs/monitoring.md), computed from plain data so that fixtures with known answers can test them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from l4a.graph.i18n.words import N_

AT_RISK_WINDOW_DAYS = 90  # a deliverable due within this many days and not done is at risk
AT_RISK_LAG = Decimal("0.25")  # an indicator this far behind the straight line from start to due date is at risk
NEAR_END_DAYS = 90  # a hub ending within this many days without a completion report is flagged
STATUSES = ("done", "overdue", "at-risk", "on-track")
# A deliverable's status as people read it (translated where shown: "en retard", "atrasado").
STATUS_WORDS = {"done": N_("done"), "overdue": N_("overdue"), "at-risk": N_("at risk"), "on-track": N_("on track")}


@dataclass
class Observation:
    """One value of an indicator on a date; `line` is where it was read, when it came from a file."""

    indicator: str
    value: Decimal
    date: dt.date
    source: str | None = None
    reported_by: str | None = None
    line: int | None = None


@dataclass
class Indicator:
    iri: str
    label: str
    baseline: Decimal
    target: Decimal
    due: dt.date | None = None
    unit: str = ""
    observations: list[Observation] = field(default_factory=list)

    def series(self) -> list[Observation]:
        """The observations in date order (the later file wins for the same date: history is kept, both shown)."""
        if len(self.observations) < 2:  # most indicators: nothing to sort (103k calls on 10k hubs)
            return list(self.observations)
        return sorted(self.observations, key=lambda o: o.date)

    def latest(self, on: dt.date | None = None) -> Observation | None:
        found = [o for o in self.series() if on is None or o.date <= on]
        return found[-1] if found else None

    def progress(self, on: dt.date | None = None) -> Decimal | None:
        """(latest - baseline) / (target - baseline), None without an observation (or with target = baseline)."""
        latest = self.latest(on)
        if latest is None or self.target == self.baseline:
            return None
        return (latest.value - self.baseline) / (self.target - self.baseline)

    def reached_on(self) -> dt.date | None:
        """The date of the first observation whose progress is at least 1."""
        for o in self.series():
            if self.target != self.baseline and (o.value - self.baseline) / (self.target - self.baseline) >= 1:
                return o.date
        return None


@dataclass
class Deliverable:
    iri: str
    label: str
    due: dt.date | None
    indicators: list[Indicator] = field(default_factory=list)

    def done_on(self) -> dt.date | None:
        """When every indicator had reached its target (None if one has not, or there are no indicators)."""
        dates = [i.reached_on() for i in self.indicators]
        if not dates or any(d is None for d in dates):
            return None
        return max(d for d in dates if d is not None)


@dataclass
class HubMonitoring:
    iri: str
    label: str
    start: dt.date | None
    end: dt.date | None
    completed: bool = False
    start_text: str | None = None  # the period as the source records it ("2023-03"): what a report shows
    end_text: str | None = None
    report_dates: list[dt.date] = field(default_factory=list)
    deliverables: list[Deliverable] = field(default_factory=list)
    councils: set[str] = field(default_factory=set)
    goals: set[str] = field(default_factory=set)

    @property
    def indicators(self) -> list[Indicator]:
        return [i for d in self.deliverables for i in d.indicators]

    def has_figures(self) -> bool:
        return any(i.observations for i in self.indicators)


def deliverable_status(d: Deliverable, start: dt.date | None, today: dt.date) -> str:
    """done, overdue, at-risk or on-track, by the rules of docs/monitoring.md."""
    done = d.done_on()
    if done is not None and done <= today:
        return "done"
    if d.due is not None and d.due < today:
        return "overdue"
    if d.due is not None and (d.due - today).days <= AT_RISK_WINDOW_DAYS:
        return "at-risk"
    if start is not None and d.due is not None and d.due > start and today > start:
        expected = Decimal((today - start).days) / Decimal((d.due - start).days)
        for indicator in d.indicators:
            progress = indicator.progress(today)
            if (progress if progress is not None else Decimal(0)) < expected - AT_RISK_LAG:
                return "at-risk"
    return "on-track"


def near_end_without_report(hub: HubMonitoring, today: dt.date) -> bool:
    """Flag: the hub ends within NEAR_END_DAYS (or has ended), is not completed, and has no report dated from
    NEAR_END_DAYS before its end on."""
    if hub.end is None or hub.completed or (hub.end - today).days > NEAR_END_DAYS:
        return False
    since = hub.end - dt.timedelta(days=NEAR_END_DAYS)
    return not any(d >= since for d in hub.report_dates)


def on_time_share(deliverables: list[Deliverable], today: dt.date) -> Decimal | None:
    """Deliverables done by their due date / deliverables due by today; None when none is due yet."""
    due = [d for d in deliverables if d.due is not None and d.due <= today]
    if not due:
        return None
    on_time = [d for d in due if (done := d.done_on()) is not None and d.due is not None and done <= d.due]
    return Decimal(len(on_time)) / Decimal(len(due))


def mean_progress(indicators: list[Indicator], on: dt.date | None = None) -> Decimal | None:
    """The mean of the indicators' progress (those with an observation by `on`); None if none has one."""
    values = [p for i in indicators if (p := i.progress(on)) is not None]
    return sum(values, Decimal(0)) / len(values) if values else None


def progress_by(hubs: list[HubMonitoring], key: str, on: dt.date | None = None) -> dict[str, Decimal | None]:
    """Mean progress per hub (key 'hub'), per council ('council') or per SDG goal ('goal')."""
    groups: dict[str, list[Indicator]] = {}
    for hub in hubs:
        names = {"hub": {hub.iri}, "council": hub.councils, "goal": hub.goals}[key]
        for name in names:
            groups.setdefault(name, []).extend(hub.indicators)
    return {name: mean_progress(indicators, on) for name, indicators in sorted(groups.items())}


def links_over_time(starts: dict[str, dt.date | None], links: list[tuple[str, str]]) -> dict[int, int]:
    """Synchronization links counted by year: a link exists from the later start year of its two hubs; the count
    for a year is cumulative. Links with an undated hub are left out."""
    years: list[int] = []
    for a, b in links:
        sa, sb = starts.get(a), starts.get(b)
        if sa is not None and sb is not None:
            years.append(max(sa.year, sb.year))
    return {year: sum(1 for y in years if y <= year) for year in sorted(set(years))}
