"""The store generation: a small named graph of its own where every write through `l4a serve` leaves a change
record (when, which process, which hubs; none named: anything may have changed; or a staff session ended), so
that several `l4a serve` processes on one SPARQL server see each other's writes. Each process reads the records
every few seconds (web/replicas.py) and refreshes only what changed.

Records are added (never read-modified-written), so two processes writing at once cannot lose one; once there are
more than KEEP of them, those older than MAX_AGE are dropped (every live process has read them by then).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

import pyoxigraph as ox

from l4a.graph.namespaces import XSD
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store
from l4a.graph.store.dialects import STATE_PREFIX

STATE = "urn:l4a:state#"
KEEP = 100
MAX_AGE = dt.timedelta(minutes=5)
ORIGIN = f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # this process


def generation_graph(base: str) -> str:
    """The IRI of the store-generation graph: under the state prefix, which the store hides from listings, counts
    and dumps (graph/store/dialects.py), so it is never taken for data."""
    return f"{STATE_PREFIX}generation:{base}"


@dataclass
class Change:
    """One recorded write."""

    iri: str
    at: dt.datetime
    origin: str
    hubs: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)

    @property
    def everything(self) -> bool:
        """Whether the write may have changed anything (no hub named, no session ended)."""
        return not self.hubs and not self.sessions


def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode(STATE + name)


def record_change(
    store: Store, base: str, hubs: Collection[str] = (), sessions: Collection[str] = (), everything: bool = False
) -> None:
    """Leave a change record for the other processes: these hubs changed, these sessions ended, or (`everything`,
    or nothing named) anything may have changed."""
    graph = ox.NamedNode(generation_graph(base))
    node = ox.NamedNode(f"urn:uuid:{uuid.uuid4()}")
    now = dt.datetime.now(dt.UTC).isoformat()
    quads = [
        ox.Quad(node, _p("changedAt"), ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")), graph),
        ox.Quad(node, _p("origin"), ox.Literal(ORIGIN), graph),
    ]
    if not everything:
        quads += [ox.Quad(node, _p("hub"), ox.NamedNode(hub), graph) for hub in hubs]
        quads += [ox.Quad(node, _p("revokedSession"), ox.Literal(sid), graph) for sid in sessions]
    store.add_quads(quads)
    _prune(store, base)


def changes(store: Store, base: str) -> list[Change]:
    """Every change record in the store, oldest first."""
    found: dict[str, Change] = {}
    rows = store.select(internal_query("store-changes"), {"g": ox.NamedNode(generation_graph(base))})
    for row in rows:
        iri = row["change"].value
        change = found.get(iri)
        if change is None:
            at = dt.datetime.fromisoformat(row["at"].value)
            change = found.setdefault(iri, Change(iri, at, row["origin"].value))
        if "hub" in row:
            change.hubs.add(row["hub"].value)
        if "session" in row:
            change.sessions.add(row["session"].value)
    return sorted(found.values(), key=lambda c: (c.at, c.iri))


def _prune(store: Store, base: str) -> None:
    found = changes(store, base)
    if len(found) <= KEEP:
        return
    cut = dt.datetime.now(dt.UTC) - MAX_AGE
    graph = ox.NamedNode(generation_graph(base))
    kept = [
        ox.Triple(ox.NamedNode(c.iri), predicate, obj)
        for c in found
        if c.at >= cut
        for predicate, obj in _statements(c)
    ]
    store.replace_graphs({graph.value: kept})


def _statements(c: Change) -> list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]]:
    return [
        (_p("changedAt"), ox.Literal(c.at.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))),
        (_p("origin"), ox.Literal(c.origin)),
        *[(_p("hub"), ox.NamedNode(h)) for h in c.hubs],
        *[(_p("revokedSession"), ox.Literal(s)) for s in c.sessions],
    ]
