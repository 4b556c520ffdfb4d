"""One hub's monitoring data and its charts (timeline, indicators), shared by the hub page and the hub's monitoring
page: read by queries bound to the hub (load_monitoring(..., hub=iri)), kept until the app writes, drawn as SVG."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import current_app
from flask_babel import gettext
from markupsafe import Markup

from l4a.graph.i18n.words import colon
from l4a.graph.monitoring.load import HubMonitoring, deliverable_status, load_monitoring, mean_progress
from l4a.graph.monitoring.model import STATUS_WORDS
from l4a.graph.monitoring.svg import indicator_svg, timeline_svg
from l4a.web.i18n import chosen_language
from l4a.web.state import app_store, cached

STATUSES = ("done", "overdue", "at-risk", "on-track")


def percent(value: Decimal | None) -> str | None:
    return None if value is None else f"{round(value * 100)}%"


def hub_monitoring_data(iri: str) -> HubMonitoring | None:
    """One hub's monitoring data (None if there is no such hub), kept until the app writes."""
    base = str(current_app.config["L4A_SETTINGS"].base_iri)
    found: HubMonitoring | None = cached(
        current_app, f"monitoring:{iri}", lambda: load_monitoring(app_store(current_app), base, iri).get(iri)
    )
    return found


def status_words() -> dict[str, str]:
    """The deliverable statuses and "today" in the reader's language, for the SVG charts' labels."""
    words = {s: gettext(STATUS_WORDS[s]) for s in STATUSES}
    return {**words, "today": gettext("today"), "colon": colon(chosen_language())}


def hub_charts(hub: HubMonitoring, today: dt.date) -> dict[str, Markup]:
    """The hub's timeline (key "timeline") and each indicator's chart (key: its IRI); empty when nothing can be
    drawn (no timeline without both dates; no indicator chart without figures)."""
    charts = {"timeline": Markup(timeline_svg(hub, today, gettext("Timeline"), status_words()))}
    for i in hub.indicators:
        charts[i.iri] = Markup(indicator_svg(i, i.label, hub.start))
    return charts


def hub_summary(hub: HubMonitoring, today: dt.date) -> dict[str, object]:
    """What the hub page says of its monitoring (and its JSON): figures reported or not, progress, each
    deliverable's status (only when figures are reported) and each indicator's progress."""
    figures = hub.has_figures()
    return {
        "figures_reported": figures,
        "progress": percent(mean_progress(hub.indicators, today)),
        "start": hub.start.isoformat() if hub.start else None,
        "end": hub.end.isoformat() if hub.end else None,
        "deliverables": {
            d.iri: {
                "status": deliverable_status(d, hub.start, today) if figures else None,
                "indicators": {i.iri: percent(i.progress(today)) for i in d.indicators},
            }
            for d in hub.deliverables
        },
    }
