"""Everything about one hub, arranged for reading: its facts, links, deliverables with indicators, evidence, sources."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from l4a.graph.dates import last_day
from l4a.graph.namespaces import DCTERMS, L4A, PAV, RDF, RDFS, SCHEMA
from l4a.graph.sdg_order import sdg_sorted
from l4a.graph.sparql.queries import run_named_graph_query
from l4a.graph.store.base import Store

LINKS = {
    "ledBy": "leads",
    "partner": "partners",
    "addressesTarget": "targets",
    "addressesGoal": "goals",
    "addressesManifesto": "manifestos",
    "addressesPactAxis": "pact_axes",
    "relevantCouncil": "councils",
    "section": "sections",
    "presentedAt": "events",
    "buildsOn": "builds_on",
    "synchronizesWith": "synchronizes_with",
    "status": "statuses",
}
RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"
RDF_OBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#object"
FACTS = {"startDate": "start", "endDate": "end", "launchDate": "launch", "labelDate": "label_date", "city": "city",
         "region": "region", "countryCode": "country", "visualIdentityChecked": "visual_identity_checked"}  # fmt: skip


def _texts(facts: dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]], predicate: str) -> dict[str, str]:
    return {getattr(o, "language", None) or "": o.value for o in facts.get(predicate, [])}


def _first(facts: dict[str, list[Any]], predicate: str) -> str | None:
    values = facts.get(predicate)
    return values[0].value if values else None


def period_ended(end: str | None, today: dt.date) -> bool:
    """Whether a hub's period is over on `today`, at the precision its end date is known to (2023-03: after March
    2023; 2025: after 2025). No end date, or not a date: not known to be over."""
    last = last_day(end)
    return last is not None and today > last


def hub_view(store: Store, iri: str, base: str) -> dict[str, Any] | None:
    """The hub as plain data (None when there is no such hub)."""
    triples = run_named_graph_query(store, "hub-profile", {"hub": iri}, base)
    by_subject: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if isinstance(t.subject, ox.NamedNode | ox.BlankNode):
            by_subject[t.subject.value][t.predicate.value].append(t.object)
    me = by_subject.get(iri)
    if not me or not any(o.value == L4A + "Hub" for o in me.get(RDF + "type", [])):
        return None
    view: dict[str, Any] = {
        "hub": iri,
        "names": _texts(me, DCTERMS + "title"),
        "descriptions": _texts(me, DCTERMS + "description"),
        "themes": _texts(me, L4A + "theme"),
        "sources": sorted(o.value for o in me.get(DCTERMS + "source", [])),
        "websites": sorted(o.value for o in me.get(SCHEMA + "url", [])),
    }
    for local, key in FACTS.items():
        view[key] = _first(me, L4A + local)
    for local, key in LINKS.items():  # goals and targets in numeric order (1, 2, ... 17), others by IRI
        view[key] = sdg_sorted([o.value for o in me.get(L4A + local, [])])
    # Links the project derives (l4a:DerivedLink), by linked concept: shown as "derived: reason", not as stated.
    view["derived"] = {
        facts[RDF_OBJECT][0].value: _texts(facts, L4A + "reason")
        for facts in by_subject.values()
        if any(o.value == L4A + "DerivedLink" for o in facts.get(RDF + "type", []))
        and [o.value for o in facts.get(RDF_SUBJECT, [])] == [iri]
        and facts.get(RDF_OBJECT)
    }
    view["deliverables"] = []
    for deliverable in sorted(o.value for o in me.get(L4A + "hasDeliverable", [])):
        facts = by_subject.get(deliverable, {})
        indicators = []
        for indicator in sorted(o.value for o in facts.get(L4A + "hasIndicator", [])):
            own = by_subject.get(indicator, {})
            indicators.append(
                {
                    "indicator": indicator,
                    "labels": _texts(own, RDFS + "label"),
                    "unit": _first(own, L4A + "unit"),
                    "baseline": _first(own, L4A + "baseline"),
                    "target_value": _first(own, L4A + "targetValue"),
                    "due_date": _first(own, L4A + "dueDate"),
                }
            )
        view["deliverables"].append(
            {
                "deliverable": deliverable,
                "titles": _texts(facts, DCTERMS + "title") or _texts(facts, RDFS + "label"),
                "due_date": _first(facts, L4A + "dueDate"),
                "indicators": indicators,
            }
        )
    plans = [by_subject.get(o.value, {}) for o in me.get(L4A + "hasCommunicationPlan", [])]
    view["communication"] = {
        "channels": sorted(o.value for plan in plans for o in plan.get(L4A + "channel", [])),
        "activities": sorted(o.value for plan in plans for o in plan.get(L4A + "activity", [])),
    }
    view["evidence"] = []
    for evidence in sorted(o.value for o in me.get(L4A + "hasEvidence", [])):
        own = by_subject.get(evidence, {})
        view["evidence"].append(
            {
                "evidence": evidence,
                "url": _first(own, SCHEMA + "url") or _first(own, DCTERMS + "source"),
                "type": _first(own, L4A + "evidenceType"),
                "date": _first(own, DCTERMS + "date"),
                "publisher": _first(own, DCTERMS + "publisher"),
                "accessed": _first(own, PAV + "retrievedOn"),
                "language": _first(own, DCTERMS + "language"),
                "titles": _texts(own, DCTERMS + "title"),
            }
        )
    return view
