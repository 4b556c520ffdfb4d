"""The life of a proposal after submission: review, acceptance (publication), rejection, withdrawal, completion.

Only the transitions below are allowed; each is recorded with PROV (who, when, why) in the revision's graph, and
accepting publishes the revision: the hub's named graph is replaced by it in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pyoxigraph as ox

from l4a.graph.errors import UsageError
from l4a.graph.i18n.words import N_
from l4a.graph.namespaces import L4A, XSD, graph_iri, record_iri
from l4a.graph.proposals.confine import ForeignStatements, confine, foreign_message
from l4a.graph.proposals.pipeline import WRITE_LOCK, change_quads, revision_graph, revision_iri, submitter
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store

STATUSES = ("submitted", "needs-changes", "under-review", "labelled", "completed", "withdrawn", "rejected")
# A proposal's status as people read it (translated where shown).
STATUS_WORDS = {
    "submitted": N_("submitted"), "needs-changes": N_("needs changes"), "under-review": N_("under review"),
    "labelled": N_("labelled"), "completed": N_("completed"), "withdrawn": N_("withdrawn"), "rejected": N_("rejected"),
}  # fmt: skip
# action -> (statuses it may start from, status it leads to)
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "review": (("submitted",), "under-review"),
    "request-changes": (("submitted", "under-review"), "needs-changes"),
    "accept": (("submitted", "under-review"), "labelled"),
    "reject": (("submitted", "needs-changes", "under-review"), "rejected"),
    "withdraw": (("submitted", "needs-changes", "under-review", "labelled"), "withdrawn"),
    "complete": (("labelled",), "completed"),
}
# Statuses in which the published hub (if any) takes the proposal's status too.
PUBLISHED = {"labelled", "completed", "withdrawn"}


@dataclass
class Change:
    """One status change: from, to, when, who, why."""

    before: str | None
    after: str
    when: str
    who: str
    reason: str | None


@dataclass
class Revision:
    """One stored revision of a proposal."""

    id: str
    number: int
    status: str
    created: str
    conforms: bool
    names: dict[str, str]
    hub: str
    source: str
    media_type: str
    changes: list[Change] = field(default_factory=list)
    report: dict[str, object] = field(default_factory=dict)
    content: str = ""

    def as_dict(self, full: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "revision": self.number,
            "status": self.status,
            "created": self.created,
            "conforms": self.conforms,
            "names": self.names,
            "hub": self.hub,
            "source": self.source,
        }
        if full:
            data["changes"] = [vars(c) for c in self.changes]
            data["report"] = self.report
            data["media_type"] = self.media_type
        return data


REVISIONS = internal_query("proposal-revisions")
TITLES = internal_query("proposal-titles")


def _status(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    return term.value.rstrip("/").rsplit("/", 1)[-1]


def revisions(store: Store, base: str) -> list[Revision]:
    """Every stored revision of every proposal, newest revision last within each proposal."""
    titles: dict[str, dict[str, str]] = {}
    for row in store.select(TITLES):
        title = row["title"]
        titles.setdefault(row["p"].value, {})[getattr(title, "language", None) or "en"] = title.value
    prefix = record_iri(base, "hub", "")
    found = [
        Revision(
            id=row["hub"].value.removeprefix(prefix),
            number=int(row["n"].value),
            status=_status(row["status"]),
            created=row["created"].value,
            conforms=row["conforms"].value == "true",
            names=titles.get(row["p"].value, {}),
            hub=row["hub"].value,
            source=row["source"].value,
            media_type=row["format"].value,
        )
        for row in store.select(REVISIONS)
    ]
    return sorted(found, key=lambda r: (r.id, r.number))


def proposals(store: Store, base: str, status: str | None = None) -> list[Revision]:
    """The latest revision of each proposal (optionally only those in one status)."""
    latest: dict[str, Revision] = {}
    for revision in revisions(store, base):
        latest[revision.id] = revision
    return [r for r in latest.values() if status is None or r.status == status]


def proposal(store: Store, proposal_id: str, base: str, number: int | None = None) -> Revision:
    """One revision (the latest by default) with its status history, report and original content."""
    own = [r for r in revisions(store, base) if r.id == proposal_id]
    if not own:
        raise UsageError(f"there is no proposal {proposal_id!r}; `l4a proposals list` shows them.")
    chosen = own[-1] if number is None else next((r for r in own if r.number == number), None)
    if chosen is None:
        raise UsageError(f"proposal {proposal_id!r} has revisions 1 to {own[-1].number}, not {number}.")
    node = ox.NamedNode(revision_iri(base, chosen.id, chosen.number))
    rows = store.select(internal_query("proposal-status-changes"), {"p": node})
    changes = sorted(rows, key=lambda row: int(row["c"].value.rsplit("/", 1)[-1]))
    chosen.changes = [
        Change(
            _status(row["before"]) if row.get("before") is not None else None,
            _status(row["after"]),
            row["when"].value,
            row["who"].value,
            row["reason"].value if row.get("reason") is not None else None,
        )
        for row in changes
    ]
    details = store.select(internal_query("proposal-details"), {"p": node})
    if details:
        chosen.report = json.loads(details[0]["report"].value)
        chosen.content = details[0]["content"].value
    return chosen


def parsed_triples(store: Store, proposal_id: str, number: int, base: str) -> list[ox.Triple]:
    """The hub record a revision was read into."""
    node = ox.NamedNode(revision_iri(base, proposal_id, number))
    rows = store.select(internal_query("proposal-parsed-data"), {"p": node})
    quads = ox.parse(rows[0]["data"].value, ox.RdfFormat.N_TRIPLES)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def own_statements(triples: list[ox.Triple], current: Revision, store: Store, base: str) -> list[ox.Triple]:
    """What `accept` may publish: the proposal's statements about its own records (proposals/confine.py), checked
    again now (a revision stored before the gate confined it, or an organisation published since); UsageError
    naming the other records it speaks about."""
    confined = confine(triples, current.hub, current.id, store, base)
    if confined.foreign:
        raise ForeignStatements(
            f"revision {current.number} of {current.id!r} cannot be accepted: "
            + foreign_message(sorted(confined.foreign))
            + " Ask for changes (`l4a proposals request-changes`) or reject it."
        )
    return confined.kept


def _graph_triples(store: Store, graph: str) -> list[ox.Triple]:
    rows = store.select(internal_query("graph-quads"), {"g": ox.NamedNode(graph)})
    return [ox.Triple(row["s"], row["p"], row["o"]) for row in rows]  # type: ignore[arg-type]


def _with_status(triples: list[ox.Triple], subject: str, status: str, base: str) -> list[ox.Triple]:
    node = ox.NamedNode(subject)
    kept = [t for t in triples if not (t.subject == node and t.predicate.value == L4A + "status")]
    status_node = ox.NamedNode(record_iri(base, "status", status))
    return [*kept, ox.Triple(ox.NamedNode(subject), ox.NamedNode(L4A + "status"), status_node)]


def transition(
    store: Store,
    proposal_id: str,
    action: str,
    base: str,
    who: str | None = None,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> Revision:
    """Apply one lifecycle action to the latest revision of a proposal, atomically; UsageError if not allowed."""
    if action not in ACTIONS:
        raise UsageError(f"unknown action {action!r}; one of: {', '.join(ACTIONS)}.")
    starts, after = ACTIONS[action]
    now = now or dt.datetime.now(dt.UTC)
    with WRITE_LOCK:
        current = proposal(store, proposal_id, base)
        if current.status not in starts:
            allowed = [name for name, (froms, _to) in ACTIONS.items() if current.status in froms]
            raise UsageError(
                f"proposal {proposal_id!r} has the status {current.status}: it cannot become {after}. "
                f"Allowed now: {', '.join(allowed) or 'none (submit a new revision)'}."
            )
        if action == "accept" and not current.conforms:
            raise UsageError(
                f"revision {current.number} of {proposal_id!r} does not pass the proposal gate; "
                "ask for changes (`l4a proposals request-changes`) or reject it."
            )
        graph = revision_graph(base, current.id, current.number)
        node = revision_iri(base, current.id, current.number)
        triples = _with_status(_graph_triples(store, graph), node, after, base)
        change = change_quads(
            ox.NamedNode(node), ox.NamedNode(graph), len(current.changes) + 1, current.status, after,
            submitter(base, who), now, reason, base,
        )  # fmt: skip
        triples += [ox.Triple(q.subject, q.predicate, q.object) for q in change]
        graphs = {graph: triples}
        hub_graph = graph_iri(base, f"hub/{current.id}")
        if action == "accept":
            hub = own_statements(parsed_triples(store, current.id, current.number, base), current, store, base)
            hub = _with_status(hub, current.hub, after, base)
            hub_node = ox.NamedNode(current.hub)
            if not any(t.subject == hub_node and t.predicate.value == L4A + "labelDate" for t in hub):
                day = ox.Literal(now.date().isoformat(), datatype=ox.NamedNode(XSD + "date"))
                hub.append(ox.Triple(hub_node, ox.NamedNode(L4A + "labelDate"), day))
            graphs[hub_graph] = hub
        elif after in PUBLISHED and current.status in PUBLISHED:
            graphs[hub_graph] = _with_status(_graph_triples(store, hub_graph), current.hub, after, base)
        store.replace_graphs(graphs)
    return proposal(store, proposal_id, base)
