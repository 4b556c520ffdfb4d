"""One hub's monitoring data (deliverables, indicators, observations, period), read by queries bound to that hub.

The hub page shows its timeline and indicator charts; reading the whole store's monitoring data for that
(`load_monitoring`) would grow with the number of hubs, so this reads only the hub's own. Dates at year or month
precision (xsd:gYear, xsd:gYearMonth, as some real hubs have) count from the first day of their period to the last.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from l4a.graph.monitoring.load import HUBS, INDICATORS, Deliverable, HubMonitoring, Indicator, Observation
from l4a.graph.store.base import Store

LINKS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?hub ?kind ?value WHERE {
  { ?hub l4a:relevantCouncil ?value BIND("council" AS ?kind) }
  UNION { ?hub l4a:addressesGoal ?value BIND("goal" AS ?kind) }
  UNION { ?e l4a:supports ?hub ; l4a:evidenceType ?t ; dcterms:date ?value .
          FILTER(STRENDS(STR(?t), "/report")) BIND("report" AS ?kind) }
}"""
# HUBS and INDICATORS: the whole-store loader's queries (graph/monitoring.py), bound to one hub here.
OBSERVATIONS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?hub ?o ?i ?value ?date ?source ?who WHERE {
  ?hub l4a:hasDeliverable/l4a:hasIndicator ?i .
  ?o l4a:observationOf ?i ; a l4a:Observation ; l4a:value ?value ; l4a:observedOn ?date .
  OPTIONAL { ?o dcterms:source ?source }
  OPTIONAL { ?o l4a:reportedBy/rdfs:label ?who }
}"""


def period_day(text: str, last: bool = False) -> dt.date | None:
    """A date, or the first (last=False) or last day of a year (2024) or month (2023-03); None if not a date."""
    try:
        if len(text) >= 10:
            return dt.date.fromisoformat(text[:10])
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:7])
            return dt.date(year, month, calendar.monthrange(year, month)[1] if last else 1)
        if len(text) == 4:
            return dt.date(int(text), 12, 31) if last else dt.date(int(text), 1, 1)
    except ValueError:
        return None
    return None


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _pick(current: str, found: ox.Literal, fallback: str) -> str:
    """An English (or untagged) label wins over one in another language, which wins over the IRI's tail."""
    return found.value if found.language in (None, "en") or current == fallback else current


def load_hub_monitoring(store: Store, iri: str) -> HubMonitoring | None:
    """The hub's deliverables, indicators (with baseline and target) and observations; None if there is no hub."""
    bound = {"hub": ox.NamedNode(iri)}
    rows = store.select(HUBS, bound)
    if not rows:
        return None
    tail = iri.rstrip("/").rsplit("/", 1)[-1]
    hub = HubMonitoring(iri, tail, None, None)
    for row in rows:
        if isinstance(title := row.get("title"), ox.Literal):
            hub.label = _pick(hub.label, title, tail)
        if "start" in row:
            hub.start = period_day(row["start"].value)
        if "end" in row:
            hub.end = period_day(row["end"].value, last=True)
        if "status" in row and row["status"].value.endswith("/completed"):
            hub.completed = True
    for row in store.select(LINKS, bound):
        kind, value = row["kind"].value, row["value"].value
        if kind == "council":
            hub.councils.add(value)
        elif kind == "goal":
            hub.goals.add(value)
        elif (day := period_day(value)) is not None:
            hub.report_dates.append(day)
    deliverables: dict[str, Deliverable] = {}
    indicators: dict[str, Indicator] = {}
    for row in store.select(INDICATORS, bound):
        d_iri = row["d"].value
        d_tail = d_iri.rsplit("/", 1)[-1]
        d = deliverables.setdefault(d_iri, Deliverable(d_iri, d_tail, None))
        if isinstance(label := row.get("dlabel"), ox.Literal):
            d.label = _pick(d.label, label, d_tail)
        if "ddue" in row:
            d.due = period_day(row["ddue"].value, last=True)
        if "i" not in row:
            continue
        if (known := indicators.get(row["i"].value)) is not None:
            if isinstance(label := row.get("ilabel"), ox.Literal):
                known.label = _pick(known.label, label, known.iri.rsplit("/", 1)[-1])
            continue
        baseline = _decimal(row["baseline"].value) if "baseline" in row else None
        target = _decimal(row["target"].value) if "target" in row else None
        if baseline is None or target is None:
            continue  # an indicator without baseline or target has no progress to draw
        i_iri = row["i"].value
        indicators[i_iri] = Indicator(
            i_iri,
            row["ilabel"].value if "ilabel" in row else i_iri.rsplit("/", 1)[-1],
            baseline,
            target,
            period_day(row["idue"].value, last=True) if "idue" in row else None,
            row["unit"].value if "unit" in row else "",
        )
        d.indicators.append(indicators[i_iri])
    for row in store.select(OBSERVATIONS, bound):
        indicator = indicators.get(row["i"].value)
        day = period_day(row["date"].value)
        figure = _decimal(row["value"].value)
        if indicator is None or day is None or figure is None:
            continue
        source = row["source"].value if "source" in row else None
        who = row["who"].value if "who" in row else None
        indicator.observations.append(Observation(indicator.iri, figure, day, source, who))
    hub.deliverables = sorted(deliverables.values(), key=lambda d: d.iri)
    for d in hub.deliverables:
        d.indicators.sort(key=lambda i: i.iri)
    return hub
