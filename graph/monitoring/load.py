"""Monitoring: observations on deliverable indicators, deliverable status and progress measures (docs/monitoring.md).

This module reads every hub's (or one hub's) deliverables, indicators and observations from the store
(`load_monitoring`, dates by graph/dates.py) and
gathers the names others import: the plain data and measures (monitoring_model.py), the checks of observations as
given in a file or the web form (monitoring_input.py) and their writing, each file or form into a new named graph
`graph/monitoring/<hub>/<n>` so the history is kept and never overwritten (monitoring_write.py).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from l4a.graph.dates import first_day, last_day
from l4a.graph.monitoring.input import (
    FIELDS,
    Entry,
    ObservationError,
    check_entry,
    entry_errors,
    read_entries,
    read_observations,
)
from l4a.graph.monitoring.model import (
    AT_RISK_LAG,
    AT_RISK_WINDOW_DAYS,
    NEAR_END_DAYS,
    STATUSES,
    Deliverable,
    HubMonitoring,
    Indicator,
    Observation,
    deliverable_status,
    links_over_time,
    mean_progress,
    near_end_without_report,
    on_time_share,
    progress_by,
)
from l4a.graph.monitoring.write import Added, add_observations, shape_errors, store_observations
from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store
from l4a.graph.store.derived import derived

__all__ = [
    "AT_RISK_LAG",
    "AT_RISK_WINDOW_DAYS",
    "FIELDS",
    "NEAR_END_DAYS",
    "STATUSES",
    "Added",
    "Deliverable",
    "Entry",
    "HubMonitoring",
    "Indicator",
    "Observation",
    "ObservationError",
    "add_observations",
    "check_entry",
    "deliverable_status",
    "entry_errors",
    "links_over_time",
    "load_monitoring",
    "mean_progress",
    "near_end_without_report",
    "on_time_share",
    "progress_by",
    "read_entries",
    "read_observations",
    "shape_errors",
    "store_observations",
]

HUBS = internal_query("monitoring-hubs")
INDICATORS = internal_query("monitoring-indicators")
OBSERVATIONS = internal_query("monitoring-observations")
LINKS = internal_query("monitoring-links")


# The observations of one hub's indicators: the hub is bound, so that reading one hub does not grow with the store.
OBSERVATIONS_OF_HUB = internal_query("monitoring-hub-observations")


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _pick(current: str, found: ox.Literal, fallback: str) -> str:
    """An English (or untagged) label wins over one in another language, which wins over the IRI's tail."""
    return found.value if found.language in (None, "en") or current == fallback else current


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def load_monitoring(store: Store, base: str = DEFAULT_BASE, hub: str | None = None) -> dict[str, HubMonitoring]:
    """Every hub (or only `hub`, an IRI: its queries are bound to it, so one hub reads in about a millisecond
    whatever the size of the store) with its period, deliverables, indicators and observations, by hub IRI; empty
    when there is no such hub. Dates are read by graph/dates.py: a start at the first day of its month or year, an
    end or a due date at the last. An indicator without a numeric baseline and target has no progress and is left
    out, as is an observation whose value is not a number."""
    if hub is None:  # the whole store: once per state of the store (graph/store/derived.py)
        return derived(store, f"monitoring:{base}", lambda: _load(store, base, None))
    return _load(store, base, hub)


def _load(store: Store, base: str, hub: str | None) -> dict[str, HubMonitoring]:
    try:
        bound: dict[str, ox.NamedNode] = {"hub": ox.NamedNode(hub)} if hub is not None else {}
    except ValueError:  # not an IRI: no such hub
        return {}
    hubs: dict[str, HubMonitoring] = {}
    for row in store.select(HUBS, bound):
        iri = row["hub"].value
        found = hubs.setdefault(iri, HubMonitoring(iri, _tail(iri), None, None))
        if isinstance(title := row.get("title"), ox.Literal):
            found.label = _pick(found.label, title, _tail(iri))
        if "start" in row:
            found.start, found.start_text = first_day(row["start"].value), row["start"].value
        if "end" in row:
            found.end, found.end_text = last_day(row["end"].value), row["end"].value
        if "status" in row and row["status"].value.endswith("/completed"):
            found.completed = True
    if not hubs:
        return hubs
    for row in store.select(LINKS, bound):
        found = hubs[row["hub"].value]
        kind, value = row["kind"].value, row["value"].value
        if kind == "council":
            found.councils.add(value)
        elif kind == "goal":
            found.goals.add(value)
        elif (day := first_day(value)) is not None:
            found.report_dates.append(day)
    deliverables: dict[str, Deliverable] = {}
    indicators: dict[str, Indicator] = {}
    pairs: set[tuple[str, str]] = set()  # (hub or deliverable, deliverable or indicator) already linked
    for row in store.select(INDICATORS, bound):
        owner = hubs.get(row["hub"].value)
        if owner is None:
            continue  # a deliverable of something that is not a hub
        d_iri = row["d"].value
        d = deliverables.get(d_iri)
        if d is None:
            d = deliverables[d_iri] = Deliverable(d_iri, _tail(d_iri), None)
        if (owner.iri, d_iri) not in pairs:
            pairs.add((owner.iri, d_iri))
            owner.deliverables.append(d)
        if isinstance(label := row.get("dlabel"), ox.Literal):
            d.label = _pick(d.label, label, _tail(d_iri))
        if "ddue" in row:
            d.due = last_day(row["ddue"].value)
        if "i" not in row:
            continue
        if (known := indicators.get(row["i"].value)) is not None:
            if isinstance(label := row.get("ilabel"), ox.Literal):
                known.label = _pick(known.label, label, _tail(known.iri))
            if (d_iri, known.iri) not in pairs:
                pairs.add((d_iri, known.iri))
                d.indicators.append(known)
            continue
        baseline = _decimal(row["baseline"].value) if "baseline" in row else None
        target = _decimal(row["target"].value) if "target" in row else None
        if baseline is None or target is None:
            continue  # an indicator without baseline or target has no progress to draw
        i_iri = row["i"].value
        indicators[i_iri] = Indicator(
            i_iri,
            row["ilabel"].value if "ilabel" in row else _tail(i_iri),
            baseline,
            target,
            last_day(row["idue"].value) if "idue" in row else None,
            row["unit"].value if "unit" in row else "",
        )
        pairs.add((d_iri, i_iri))
        d.indicators.append(indicators[i_iri])
    seen: set[tuple[str, str]] = set()
    for row in store.select(OBSERVATIONS_OF_HUB if hub is not None else OBSERVATIONS, bound):
        indicator = indicators.get(row["i"].value)
        day = first_day(row["date"].value)
        figure = _decimal(row["value"].value)
        if indicator is None or day is None or figure is None or (row["o"].value, indicator.iri) in seen:
            continue
        seen.add((row["o"].value, indicator.iri))
        source = row["source"].value if "source" in row else None
        who = row["who"].value if "who" in row else None
        indicator.observations.append(Observation(indicator.iri, figure, day, source, who))
    for found in hubs.values():
        found.deliverables.sort(key=lambda d: d.iri)
        for d in found.deliverables:
            d.indicators.sort(key=lambda i: i.iri)
    return hubs
