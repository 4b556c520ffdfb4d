"""Monitoring pages: the programme dashboard (each hub's progress and deliverable status, or "no figures reported";
hubs by status and year; indicators by status; overdue deliverables; SDG coverage over time) and a hub's timeline
and indicator charts, drawn server-side as SVG."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup

from l4a.graph.monitoring.load import (
    HubMonitoring,
    deliverable_status,
    load_monitoring,
    mean_progress,
    near_end_without_report,
)
from l4a.graph.namespaces import record_iri
from l4a.graph.reports.dashboard import INDICATOR_KEYS, NO_STATUS, Dashboard, make_dashboard
from l4a.graph.reports.dashboard_svg import coverage_svg
from l4a.graph.reports.derived import read_derived_links
from l4a.web.hub_charts import hub_charts, hub_monitoring_data, percent
from l4a.web.page_cache import kept
from l4a.web.render import page as register
from l4a.web.render import respond, wants_json
from l4a.web.state import app_store, cached, hub_table

bp = Blueprint("monitoring", __name__)
PER_PAGE = 50  # hubs a page in the dashboard's table (JSON: all)


def _base() -> str:
    return str(current_app.config["L4A_SETTINGS"].base_iri)


def _summary(hub: HubMonitoring, today: dt.date) -> dict[str, object]:
    statuses = [deliverable_status(d, hub.start, today) for d in hub.deliverables] if hub.has_figures() else []
    return {
        "hub": hub.iri,
        "slug": hub.iri.rsplit("/", 1)[-1],
        "title": hub.label,
        "start": hub.start.isoformat() if hub.start else None,
        "end": hub.end.isoformat() if hub.end else None,
        "figures_reported": hub.has_figures(),
        "progress": percent(mean_progress(hub.indicators, today)),
        "statuses": {s: statuses.count(s) for s in ("done", "overdue", "at-risk", "on-track") if s in statuses},
        "near_end_without_report": near_end_without_report(hub, today),
    }


@register(bp, "/monitoring")
@kept
def dashboard() -> ResponseReturnValue:
    """Every hub's progress, hubs by status and year, indicators by status, overdue deliverables, SDG coverage."""
    today = dt.date.today()

    def made() -> tuple[list[dict[str, object]], Dashboard]:
        hubs: dict[str, HubMonitoring] = cached(
            current_app, "monitoring", lambda: load_monitoring(app_store(current_app), _base())
        )
        ordered = sorted(hubs.values(), key=lambda h: (not h.has_figures(), h.label))  # hubs with figures first
        derived = read_derived_links(app_store(current_app))
        return [_summary(h, today) for h in ordered], make_dashboard(hub_table(), hubs, today, derived)

    rows, board = cached(current_app, f"dashboard:{today}", made)  # until the app writes, or tomorrow
    asked = request.args.get("page") or "1"
    page = max(1, int(asked)) if asked.isdigit() else 1
    pages = max(1, -(-len(rows) // PER_PAGE))
    shown = rows if wants_json() else rows[(page - 1) * PER_PAGE : page * PER_PAGE]  # JSON: every hub
    with_figures = sum(1 for r in rows if r["figures_reported"])
    data: dict[str, Any] = {
        "today": today.isoformat(), "count": len(rows), "with_figures": with_figures, "page": page,
        "per_page": PER_PAGE, "hubs": shown, **board.as_dict(),
    }  # fmt: skip
    chart = coverage_svg(
        board.coverage.years,
        gettext("Share of the SDG goals and targets addressed by the hubs active each year"),
        gettext("goals (of 17)"),
        gettext("targets (of 169)"),
    )
    status_iris = {s: record_iri(_base(), "status", s) for s in board.status_years.counts if s != NO_STATUS}
    return respond(
        "monitoring.html",
        data,
        board=board,
        coverage_chart=Markup(chart),
        status_iris=status_iris,
        indicator_keys=INDICATOR_KEYS,
        no_status=NO_STATUS,
        pages=pages,
        args=request.args,
    )


@register(bp, "/monitoring/hubs/<slug>")
def hub_monitoring(slug: str) -> ResponseReturnValue:
    """One hub's timeline, its deliverables with their status and each indicator's progress over time as a chart."""
    today = dt.date.today()
    hub = hub_monitoring_data(record_iri(_base(), "hub", slug))
    if hub is None:
        abort(404)
    deliverables = []
    for d in hub.deliverables:
        indicators = []
        for i in d.indicators:
            indicators.append({
                "indicator": i.iri, "title": i.label, "unit": i.unit, "baseline": str(i.baseline),
                "target": str(i.target), "progress": percent(i.progress(today)),
                "observations": [{"date": o.date.isoformat(), "value": str(o.value), "source": o.source,
                                  "reported_by": o.reported_by} for o in i.series()],
            })  # fmt: skip
        status = deliverable_status(d, hub.start, today) if hub.has_figures() else None
        deliverables.append({"deliverable": d.iri, "title": d.label, "due": d.due.isoformat() if d.due else None,
                             "status": status, "indicators": indicators})  # fmt: skip
    data = {**_summary(hub, today), "deliverables": deliverables}
    return respond("monitoring_hub.html", data, charts=hub_charts(hub, today))
