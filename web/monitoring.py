"""Monitoring pages: the programme dashboard (each hub's progress and deliverable status, or "no figures reported")
and a hub's indicator charts, drawn server-side as SVG."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, abort, current_app
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from l4a.graph.monitoring import (
    HubMonitoring,
    deliverable_status,
    load_monitoring,
    mean_progress,
    near_end_without_report,
)
from l4a.graph.monitoring_svg import indicator_svg
from l4a.graph.namespaces import record_iri

from . import app_store
from .render import page as register
from .render import respond

bp = Blueprint("monitoring", __name__)


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else f"{round(value * 100)}%"


def _summary(hub: HubMonitoring, today: dt.date) -> dict[str, object]:
    statuses = [deliverable_status(d, hub.start, today) for d in hub.deliverables] if hub.has_figures() else []
    return {
        "hub": hub.iri,
        "slug": hub.iri.rsplit("/", 1)[-1],
        "title": hub.label,
        "figures_reported": hub.has_figures(),
        "progress": _percent(mean_progress(hub.indicators, today)),
        "statuses": {s: statuses.count(s) for s in ("done", "overdue", "at-risk", "on-track") if s in statuses},
        "near_end_without_report": near_end_without_report(hub, today),
    }


@register(bp, "/monitoring")
def dashboard() -> ResponseReturnValue:
    """Every hub: its progress and its deliverables by status, or "no figures reported"."""
    today = dt.date.today()
    hubs = load_monitoring(app_store(current_app), current_app.config["L4A_SETTINGS"].base_iri)
    rows = [_summary(h, today) for h in sorted(hubs.values(), key=lambda h: h.label)]
    return respond("monitoring.html", {"today": today.isoformat(), "hubs": rows})


@register(bp, "/monitoring/hubs/<slug>")
def hub_monitoring(slug: str) -> ResponseReturnValue:
    """One hub's deliverables with their status and each indicator's progress over time as a chart."""
    today = dt.date.today()
    base = current_app.config["L4A_SETTINGS"].base_iri
    hubs = load_monitoring(app_store(current_app), base)
    hub = hubs.get(record_iri(base, "hub", slug))
    if hub is None:
        abort(404)
    deliverables = []
    charts = {}
    for d in hub.deliverables:
        indicators = []
        for i in d.indicators:
            indicators.append({
                "indicator": i.iri, "title": i.label, "unit": i.unit, "baseline": str(i.baseline),
                "target": str(i.target), "progress": _percent(i.progress(today)),
                "observations": [{"date": o.date.isoformat(), "value": str(o.value), "source": o.source,
                                  "reported_by": o.reported_by} for o in i.series()],
            })  # fmt: skip
            charts[i.iri] = Markup(indicator_svg(i, i.label, hub.start))
        status = deliverable_status(d, hub.start, today) if hub.has_figures() else None
        deliverables.append({"deliverable": d.iri, "title": d.label, "due": d.due.isoformat() if d.due else None,
                             "status": status, "indicators": indicators})  # fmt: skip
    data = {**_summary(hub, today), "deliverables": deliverables}
    return respond("monitoring_hub.html", data, charts=charts)
