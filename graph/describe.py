"""What the graph says about one record, for its IRI to dereference: its own statements with the blank nodes they
lead to, and for a hub everything queries/hub-profile.rq gathers (deliverables, indicators, plan, evidence ...)."""

from __future__ import annotations

import pyoxigraph as ox

from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.resources import internal_query
from l4a.graph.sparql.queries import run_named_graph_query
from l4a.graph.store.base import Row, Store

OWN_STATEMENTS = internal_query("own-statements")
REFERRERS = internal_query("referrers")
# Record kinds whose description is a named CONSTRUCT query rather than the record's own statements.
PROFILES = {"hub": "hub-profile"}


def record_kind(iri: str, base: str = DEFAULT_BASE) -> str:
    """`hub` for <base>id/hub/<slug>; empty for an IRI that is not a record."""
    rest = iri.removeprefix(base + "id/")
    return rest.split("/", 1)[0] if rest != iri and "/" in rest else ""


def describe(store: Store, iri: str, base: str = DEFAULT_BASE) -> list[ox.Triple]:
    """The triples that describe the resource (none: the graph does not know it)."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return []
    profile = PROFILES.get(record_kind(iri, base))
    triples = run_named_graph_query(store, profile, {record_kind(iri, base): iri}, base) if profile else []
    if not triples:  # not a profiled kind, or not typed as the profile expects: the record's own statements
        triples = store.construct(OWN_STATEMENTS, {"s": node})
    return list(dict.fromkeys(triples))  # CONSTRUCT may repeat a triple


def referrers(store: Store, iri: str) -> list[Row]:
    """The resources that point to this one (?s ?p <iri>), at most 500."""
    return store.select(REFERRERS, {"o": ox.NamedNode(iri)})
