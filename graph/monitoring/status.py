"""Each hub's monitoring status on a day, as plain rows (what `l4a monitor status` prints or writes as JSON):
progress, on-time share, whether it nears its end without a report, and each deliverable's status with its
indicators' progress. For the whole store the rows are made once per state of the store and day
(graph/store/derived.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from l4a.graph.monitoring.load import (
    deliverable_status,
    load_monitoring,
    mean_progress,
    near_end_without_report,
    on_time_share,
)
from l4a.graph.monitoring.model import HubMonitoring
from l4a.graph.store.base import Store
from l4a.graph.store.derived import derived


def percent(value: Decimal | None) -> str | None:
    return None if value is None else f"{round(value * 100)}%"


def status_rows(store: Store, base: str, day: dt.date, hub: str | None = None) -> list[dict[str, Any]]:
    """The rows of every hub (or of `hub`, an IRI: empty when there is no such hub), by hub IRI."""
    if hub is None:
        key = f"monitor-status:{base}:{day.isoformat()}"
        return derived(store, key, lambda: _rows(load_monitoring(store, base), day))
    return _rows(load_monitoring(store, base, hub), day)


def _rows(hubs: dict[str, HubMonitoring], day: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "hub": h.iri,
            "title": h.label,
            "start": h.start.isoformat() if h.start else None,
            "end": h.end.isoformat() if h.end else None,
            "figures_reported": h.has_figures(),
            "progress": percent(mean_progress(h.indicators, day)),
            "on_time_share": percent(on_time_share(h.deliverables, day)),
            "near_end_without_report": near_end_without_report(h, day),
            "deliverables": [
                {
                    "deliverable": d.iri,
                    "title": d.label,
                    "due": d.due.isoformat() if d.due else None,
                    "status": deliverable_status(d, h.start, day),
                    "indicators": [
                        {"indicator": i.iri, "title": i.label, "progress": percent(i.progress(day))}
                        for i in d.indicators
                    ],
                }
                for d in h.deliverables
            ],
        }
        for h in sorted(hubs.values(), key=lambda h: h.iri)
    ]
