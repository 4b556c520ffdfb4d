"""Monitoring: observations on deliverable indicators, deliverable status and progress measures (docs/monitoring.md).

This module reads every hub's deliverables, indicators and observations from the store (`load_monitoring`) and
gathers the names others import: the plain data and measures (monitoring_model.py), the checks of observations as
given in a file or the web form (monitoring_input.py) and their writing, each file or form into a new named graph
`graph/monitoring/<hub>/<n>` so the history is kept and never overwritten (monitoring_write.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyoxigraph as ox

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
from l4a.graph.store.base import Store

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

HUBS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?hub ?title ?start ?end ?status WHERE {
  ?hub a l4a:Hub .
  OPTIONAL { ?hub dcterms:title ?title }
  OPTIONAL { ?hub l4a:startDate ?start }
  OPTIONAL { ?hub l4a:endDate ?end }
  OPTIONAL { ?hub l4a:status ?status }
}"""
INDICATORS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?hub ?d ?dlabel ?ddue ?i ?ilabel ?baseline ?target ?idue ?unit WHERE {
  ?hub l4a:hasDeliverable ?d .
  OPTIONAL { ?d rdfs:label|dcterms:title ?dlabel }
  OPTIONAL { ?d l4a:dueDate ?ddue }
  OPTIONAL { ?d l4a:hasIndicator ?i .
    OPTIONAL { ?i rdfs:label ?ilabel } OPTIONAL { ?i l4a:baseline ?baseline } OPTIONAL { ?i l4a:targetValue ?target }
    OPTIONAL { ?i l4a:dueDate ?idue } OPTIONAL { ?i l4a:unit ?unit } }
}"""
OBSERVATIONS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?o ?i ?value ?date ?source ?who WHERE {
  ?o a l4a:Observation ; l4a:observationOf ?i ; l4a:value ?value ; l4a:observedOn ?date .
  OPTIONAL { ?o dcterms:source ?source }
  OPTIONAL { ?o l4a:reportedBy/rdfs:label ?who }
}"""
LINKS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?hub ?kind ?value WHERE {
  ?hub a l4a:Hub .
  { ?hub l4a:relevantCouncil ?value BIND("council" AS ?kind) }
  UNION { ?hub l4a:addressesGoal ?value BIND("goal" AS ?kind) }
  UNION { ?e l4a:supports ?hub ; l4a:evidenceType ?t ; dcterms:date ?value .
          FILTER(STRENDS(STR(?t), "/report")) BIND("report" AS ?kind) }
}"""


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def load_monitoring(store: Store, base: str = DEFAULT_BASE) -> dict[str, HubMonitoring]:
    """Every hub with its deliverables, indicators and observations."""
    hubs: dict[str, HubMonitoring] = {}
    for row in store.select(HUBS):
        iri = row["hub"].value
        hub = hubs.setdefault(iri, HubMonitoring(iri, iri.rsplit("/", 1)[-1], None, None))
        title = row.get("title")
        if isinstance(title, ox.Literal) and (title.language in (None, "en") or hub.label == iri.rsplit("/", 1)[-1]):
            hub.label = title.value
        if "start" in row:
            hub.start = _date(row["start"].value)
        if "end" in row:
            hub.end = _date(row["end"].value)
        if "status" in row and row["status"].value.endswith("/completed"):
            hub.completed = True
    for row in store.select(LINKS):
        hub = hubs[row["hub"].value]
        kind, value = row["kind"].value, row["value"].value
        if kind == "council":
            hub.councils.add(value)
        elif kind == "goal":
            hub.goals.add(value)
        elif (day := _date(value)) is not None:
            hub.report_dates.append(day)
    indicators: dict[str, Indicator] = {}
    deliverables: dict[str, Deliverable] = {}
    for row in store.select(INDICATORS):
        hub_iri = row["hub"].value
        if hub_iri not in hubs:
            continue
        d_iri = row["d"].value
        if d_iri not in deliverables:
            label = row["dlabel"].value if "dlabel" in row else d_iri.rsplit("/", 1)[-1]
            due = _date(row["ddue"].value) if "ddue" in row else None
            deliverables[d_iri] = Deliverable(d_iri, label, due)
            hubs[hub_iri].deliverables.append(deliverables[d_iri])
        if "i" in row and row["i"].value not in indicators and "baseline" in row and "target" in row:
            i_iri = row["i"].value
            indicators[i_iri] = Indicator(
                i_iri,
                row["ilabel"].value if "ilabel" in row else i_iri.rsplit("/", 1)[-1],
                Decimal(row["baseline"].value),
                Decimal(row["target"].value),
                _date(row["idue"].value) if "idue" in row else None,
                row["unit"].value if "unit" in row else "",
            )
            deliverables[d_iri].indicators.append(indicators[i_iri])
    for row in store.select(OBSERVATIONS):
        indicator = indicators.get(row["i"].value)
        day = _date(row["date"].value)
        if indicator is None or day is None:
            continue
        indicator.observations.append(
            Observation(
                row["i"].value,
                Decimal(row["value"].value),
                day,
                row["source"].value if "source" in row else None,
                row["who"].value if "who" in row else None,
            )
        )
    for hub in hubs.values():
        hub.deliverables.sort(key=lambda d: d.iri)
        for d in hub.deliverables:
            d.indicators.sort(key=lambda i: i.iri)
    return hubs
