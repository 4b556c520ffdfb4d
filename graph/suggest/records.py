"""Suggestions as records: stored pending in `graph/suggestions/<slug>`, listed, confirmed into the hub's graph
(with who and when, the suggestion kept as origin) or rejected (with a reason), never reopened once rejected."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from l4a.graph.errors import UsageError
from l4a.graph.namespaces import DCTERMS, L4A, PROV, RDF, RDFS, SCHEMA, SDG, XSD, graph_iri, record_iri
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Row, Store

from .language import words
from .model import METHOD, VERSION, Suggestions

STATES = ("pending", "confirmed", "rejected")

# kind of suggested thing -> the property that states it as a link in a hub's graph
PROPERTIES = {
    "goal": L4A + "addressesGoal",
    "target": L4A + "addressesTarget",
    "manifesto": L4A + "addressesManifesto",
    "council": L4A + "relevantCouncil",
}


@dataclass(frozen=True)
class HubText:
    """A hub's own sourced title, description and theme, joined, with the graph they are stated in."""

    iri: str
    slug: str
    graph: str
    text: str


@dataclass(frozen=True)
class SuggestionRecord:
    """One stored suggestion."""

    iri: str
    id: str  # "<hub slug>/<kind>-<key>", what the CLI takes
    hub: str
    property: str
    value: str
    score: float
    words: str
    text: str
    state: str
    generated: str
    method: str
    version: str
    reviewed_by: str | None
    reviewed_at: str | None
    reason: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "iri": self.iri,
            "hub": self.hub,
            "property": self.property,
            "value": self.value,
            "score": self.score,
            "why": self.words,
            "state": self.state,
            "generated": self.generated,
            "method": f"{self.method} {self.version}",
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at,
            "reason": self.reason,
            "text": self.text,
        }


@dataclass(frozen=True)
class Stored:
    """What storing one hub's suggestions did."""

    hub: str
    added: list[str]
    already: int  # suggestions stored before (in any state), left as they are
    stated: int  # suggestions left out because the hub already states the link as a fact


def _node(iri: str, what: str) -> ox.NamedNode:
    """An IRI given by a user, or a UsageError saying which value is not one."""
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise UsageError(f"{what} {iri!r} is not a valid IRI or slug: {exc}") from exc


def suggestions_graph(base: str, slug: str) -> str:
    return graph_iri(base, f"suggestions/{slug}")


def hub_graph(base: str, slug: str) -> str:
    return graph_iri(base, f"hub/{slug}")


def suggestion_iri(base: str, slug: str, kind: str, key: str) -> str:
    return record_iri(base, "suggestion", f"{slug}/{kind}-{key}")


def hub_texts(store: Store, base: str, hub: str | None = None) -> list[HubText]:
    """The text of each real hub (or of one, by IRI) found in its own graph `graph/hub/<slug>`."""
    bindings = {"hub": _node(hub, "hub")} if hub else None
    prefix = graph_iri(base, "hub/")
    parts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in store.select(internal_query("hub-texts"), bindings):
        graph = row["g"].value
        if graph.startswith(prefix):
            parts[(row["hub"].value, graph)].append(row["text"].value)
    return [
        HubText(iri, graph.removeprefix(prefix), graph, "\n".join(texts))
        for (iri, graph), texts in sorted(parts.items())
    ]


def _stated(store: Store, hub: str) -> set[tuple[str, str]]:
    rows = store.select(internal_query("hub-links"), {"hub": ox.NamedNode(hub)})
    return {(row["p"].value, row["o"].value) for row in rows}


def _graph_triples(store: Store, graph: str) -> list[ox.Triple]:
    return store.construct(internal_query("graph-triples"), {"g": ox.NamedNode(graph)})


def _items(result: Suggestions, base: str) -> Iterable[tuple[str, str, str, float, str]]:
    """(kind, key, value IRI, score, matched words) of everything a result suggests; manifestos and councils under
    the store's base IRI (the suggester knows them by their shipped IRIs)."""
    for goal in result.goals:
        yield "goal", str(goal.goal), f"{SDG}{goal.goal}", goal.score, goal.why
    for target in result.targets:
        yield "target", target.target, f"{SDG}{target.target}", target.score, target.why
    for m in result.manifestos:
        yield "manifesto", m.key, record_iri(base, "manifesto", m.key), m.score, m.why
    for c in result.councils:
        yield "council", c.key, record_iri(base, "council", c.key), c.score, c.why


def _timestamp(when: dt.datetime) -> ox.Literal:
    return ox.Literal(when.astimezone(dt.UTC).isoformat(timespec="seconds"), datatype=ox.NamedNode(XSD + "dateTime"))


def _agent(base: str, name: str) -> tuple[ox.NamedNode, list[ox.Triple]]:
    """A person's agent record, with the IRI the proposal lifecycle gives the same name."""
    clean = " ".join(name.split())
    if not clean:
        raise UsageError("--by needs the name of the person who reviews the suggestion.")
    node = ox.NamedNode(record_iri(base, "agent", "-".join(words(clean))[:80].strip("-") or "anonymous"))
    return node, [
        ox.Triple(node, ox.NamedNode(RDF + "type"), ox.NamedNode(PROV + "Agent")),
        ox.Triple(node, ox.NamedNode(RDFS + "label"), ox.Literal(clean)),
    ]


def store_suggestions(store: Store, base: str, hub: HubText, result: Suggestions, now: dt.datetime) -> Stored:
    """Add the result's suggestions for a hub as pending records; existing ones (any state) and links the hub
    already states are left alone, so running it again adds nothing twice and never reopens a rejected one."""
    graph = suggestions_graph(base, hub.slug)
    existing = {t.subject.value for t in _graph_triples(store, graph) if isinstance(t.subject, ox.NamedNode)}
    stated = _stated(store, hub.iri)
    run = ox.NamedNode(record_iri(base, "suggestion-run", f"{METHOD}-{VERSION}/{now.strftime('%Y%m%dT%H%M%SZ')}"))
    software = ox.NamedNode(record_iri(base, "agent", f"{METHOD}-{VERSION}"))
    quads: list[ox.Quad] = []
    added: list[str] = []
    already = left_out = 0
    g = ox.NamedNode(graph)

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(s, ox.NamedNode(p), o, g))

    for kind, key, value, score, why in _items(result, base):
        iri = suggestion_iri(base, hub.slug, kind, key)
        if iri in existing:
            already += 1
            continue
        if (PROPERTIES[kind], value) in stated:
            left_out += 1
            continue
        node = ox.NamedNode(iri)
        add(node, RDF + "type", ox.NamedNode(L4A + "Suggestion"))
        add(node, L4A + "suggestedFor", ox.NamedNode(hub.iri))
        add(node, L4A + "suggestedProperty", ox.NamedNode(PROPERTIES[kind]))
        add(node, L4A + "suggestedValue", ox.NamedNode(value))
        add(node, L4A + "score", ox.Literal(f"{score:.3f}", datatype=ox.NamedNode(XSD + "decimal")))
        if why:
            add(node, L4A + "matchedWords", ox.Literal(why))
        add(node, L4A + "sourceText", ox.Literal(hub.text))
        add(node, L4A + "reviewState", ox.Literal("pending"))
        add(node, PROV + "wasGeneratedBy", run)
        added.append(iri)
    if added:
        add(run, RDF + "type", ox.NamedNode(PROV + "Activity"))
        add(run, PROV + "endedAtTime", _timestamp(now))
        add(run, PROV + "wasAssociatedWith", software)
        add(software, RDF + "type", ox.NamedNode(PROV + "SoftwareAgent"))
        add(software, RDFS + "label", ox.Literal(METHOD))
        add(software, SCHEMA + "softwareVersion", ox.Literal(VERSION))
        store.add_quads(quads)
    return Stored(hub.iri, added, already, left_out)


def _record(row: Row, base: str) -> SuggestionRecord:
    def text(name: str) -> str | None:
        term = row.get(name)
        return term.value if term is not None else None

    iri = row["suggestion"].value
    return SuggestionRecord(
        iri=iri,
        id=iri.removeprefix(record_iri(base, "suggestion", "")),
        hub=row["hub"].value,
        property=row["property"].value,
        value=row["value"].value,
        score=float(row["score"].value),
        words=text("words") or "",
        text=row["text"].value,
        state=row["state"].value,
        generated=row["generated"].value,
        method=row["method"].value,
        version=row["version"].value,
        reviewed_by=text("reviewedBy"),
        reviewed_at=text("reviewedAt"),
        reason=text("reason"),
    )


def list_suggestions(
    store: Store, base: str, hub: str | None = None, state: str | None = None, iri: str | None = None
) -> list[SuggestionRecord]:
    """Stored suggestions, by hub (IRI) and/or state, best first within each hub."""
    if state is not None and state not in STATES:
        raise UsageError(f"unknown state {state!r}; use one of {', '.join(STATES)}.")
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    if hub:
        bindings["hub"] = _node(hub, "hub")
    if state:
        bindings["state"] = ox.Literal(state)
    if iri:
        bindings["suggestion"] = _node(iri, "suggestion")
    return [_record(row, base) for row in store.select(internal_query("suggestions"), bindings or None)]


@dataclass(frozen=True)
class Reviewed:
    """What a review did to one suggestion: its id, its state before and after."""

    id: str
    before: str
    after: str


def _resolve(store: Store, base: str, ids: Sequence[str]) -> list[SuggestionRecord]:
    out = []
    for given in ids:
        iri = given if given.startswith(("http://", "https://")) else record_iri(base, "suggestion", given.strip("/"))
        found = list_suggestions(store, base, iri=iri)
        if not found:
            raise UsageError(
                f"no suggestion {given!r}; `l4a suggestions list` shows the ids "
                "(like bilbao-city-of-values/target-5.5)."
            )
        out.append(found[0])
    return out


def review(
    store: Store, base: str, ids: Sequence[str], decision: str, by: str, reason: str | None, now: dt.datetime
) -> list[Reviewed]:
    """Confirm or reject suggestions, all in one step: a confirmed one becomes a link in the hub's graph with
    prov:wasAttributedTo the person and the date, derived from the suggestion; a rejected one keeps its reason.

    A suggestion already in the asked state is left as it is; confirming a rejected one, or rejecting a confirmed
    one, is an error (nothing is written).
    """
    if decision not in ("confirmed", "rejected"):
        raise UsageError(f"unknown decision {decision!r}.")
    agent, agent_triples = _agent(base, by)
    records = _resolve(store, base, ids)
    for record in records:
        if record.state not in ("pending", decision):
            raise UsageError(
                f"suggestion {record.id} was {record.state} by {record.reviewed_by} on {record.reviewed_at}; "
                "it cannot be changed to "
                f"{decision}. Nothing was written."
            )
    graphs: dict[str, list[ox.Triple]] = {}
    outcomes = []
    for record in records:
        if record.state == decision:
            outcomes.append(Reviewed(record.id, record.state, record.state))
            continue
        slug = record.id.split("/", 1)[0]
        sgraph = suggestions_graph(base, slug)
        triples = graphs.get(sgraph) or _graph_triples(store, sgraph)
        node = ox.NamedNode(record.iri)
        state_p = ox.NamedNode(L4A + "reviewState")
        review_node = ox.NamedNode(record.iri + "/review")
        triples = [t for t in triples if not (t.subject == node and t.predicate == state_p)]
        triples += [
            ox.Triple(node, state_p, ox.Literal(decision)),
            ox.Triple(node, ox.NamedNode(L4A + "review"), review_node),
            ox.Triple(review_node, ox.NamedNode(RDF + "type"), ox.NamedNode(PROV + "Activity")),
            ox.Triple(review_node, ox.NamedNode(PROV + "endedAtTime"), _timestamp(now)),
            ox.Triple(review_node, ox.NamedNode(PROV + "wasAssociatedWith"), agent),
            *agent_triples,
        ]
        if reason:
            triples.append(ox.Triple(review_node, ox.NamedNode(L4A + "reviewReason"), ox.Literal(reason)))
        graphs[sgraph] = triples
        if decision == "confirmed":
            hgraph = hub_graph(base, slug)
            hub_triples = graphs.get(hgraph) or _graph_triples(store, hgraph)
            if not hub_triples:
                raise UsageError(f"hub graph {hgraph} is missing: build or import the hub first. Nothing was written.")
            graphs[hgraph] = hub_triples + _link_triples(base, record, agent, agent_triples, now)
        outcomes.append(Reviewed(record.id, record.state, decision))
    if graphs:
        store.replace_graphs(graphs)
    return outcomes


def _link_triples(
    base: str, record: SuggestionRecord, agent: ox.NamedNode, agent_triples: list[ox.Triple], now: dt.datetime
) -> list[ox.Triple]:
    """The confirmed link, and a statement about it saying who confirmed it, when, and from which suggestion."""
    hub, prop, value = ox.NamedNode(record.hub), ox.NamedNode(record.property), ox.NamedNode(record.value)
    statement = ox.NamedNode(record_iri(base, "link", record.id))
    day = ox.Literal(now.astimezone(dt.UTC).date().isoformat(), datatype=ox.NamedNode(XSD + "date"))
    return [
        ox.Triple(hub, prop, value),
        ox.Triple(statement, ox.NamedNode(RDF + "type"), ox.NamedNode(RDF + "Statement")),
        ox.Triple(statement, ox.NamedNode(RDF + "subject"), hub),
        ox.Triple(statement, ox.NamedNode(RDF + "predicate"), prop),
        ox.Triple(statement, ox.NamedNode(RDF + "object"), value),
        ox.Triple(statement, ox.NamedNode(PROV + "wasAttributedTo"), agent),
        ox.Triple(statement, ox.NamedNode(DCTERMS + "date"), day),
        ox.Triple(statement, ox.NamedNode(PROV + "wasDerivedFrom"), ox.NamedNode(record.iri)),
        *agent_triples,
    ]


def confirmed_links(store: Store, base: str) -> dict[str, list[ox.Triple]]:
    """The links people confirmed, by hub graph, as `review` wrote them (who, the day, the suggestion as origin).

    `l4a build` replaces each shipped hub's graph from its file; it adds these back in the same step, so a confirmed
    link is never lost to a rebuild.
    """
    out: dict[str, list[ox.Triple]] = defaultdict(list)
    for record in list_suggestions(store, base, state="confirmed"):
        if not (record.reviewed_by and record.reviewed_at):
            continue
        agent, agent_triples = _agent(base, record.reviewed_by)
        when = dt.datetime.fromisoformat(record.reviewed_at)
        slug = record.id.split("/", 1)[0]
        out[hub_graph(base, slug)] += _link_triples(base, record, agent, agent_triples, when)
    return dict(out)
