"""A proposal states facts about its own records only: its hub, its deliverables, indicators, evidence and
communication plan, and organisations that are new. A published organisation it names is referred to, never
redefined (what the proposal says about it is left out); a statement about anything else (another hub, an SDG
target, ...) is refused, with a message naming its subject.

Before, a Turtle proposal could also state `<hub/bilbao-city-of-values> dcterms:title "..."`, and the web form
could give an existing organisation another type and country: `accept` published both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from l4a.graph.errors import UsageError
from l4a.graph.i18n.words import words
from l4a.graph.namespaces import L4A, graph_iri
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store

# How a hub links to the records that are parts of it, and to the organisations it names.
PART_LINKS = ("hasDeliverable", "hasEvidence", "hasCommunicationPlan")
ORG_LINKS = ("ledBy", "partner")


class ForeignStatements(UsageError):
    """A proposal to accept states facts about records that are not its own."""


@dataclass
class Confined:
    """A proposal's statements sorted: those it may make, those about published organisations (left out), and
    those about anything else (refused), each list by subject."""

    kept: list[ox.Triple] = field(default_factory=list)
    existing: dict[str, list[ox.Triple]] = field(default_factory=dict)
    foreign: dict[str, list[ox.Triple]] = field(default_factory=dict)


def is_published(store: Store | None, iri: str, slug: str, base: str) -> bool:
    """Whether a record is stated in a graph that is neither a proposal's nor this hub's own (published by
    another hub, or by the reference data)."""
    if store is None:
        return False
    own, proposals = graph_iri(base, f"hub/{slug}"), graph_iri(base, "proposal/")
    rows = store.select(internal_query("record-graphs"), {"record": ox.NamedNode(iri)})
    return any(row["g"].value != own and not row["g"].value.startswith(proposals) for row in rows)


def own_records(triples: Sequence[ox.Triple], hub: str) -> tuple[set[str], set[str]]:
    """The records a proposal describes as parts of its hub (deliverables, their indicators, evidence, the
    communication plan), and the organisations it names as lead or partners."""
    links: dict[str, set[str]] = {}
    for triple in triples:
        if isinstance(triple.subject, ox.NamedNode) and isinstance(triple.object, ox.NamedNode):
            links.setdefault(f"{triple.subject.value} {triple.predicate.value}", set()).add(triple.object.value)

    def linked(subjects: set[str], predicates: Sequence[str]) -> set[str]:
        return {o for s in subjects for p in predicates for o in links.get(f"{s} {L4A}{p}", set())}

    parts = linked({hub}, PART_LINKS)
    parts |= linked(parts, ("hasIndicator",))
    return parts, linked({hub}, ORG_LINKS)


def confine(triples: Sequence[ox.Triple], hub: str, slug: str, store: Store | None, base: str) -> Confined:
    """Sort a proposal's statements (see the module's docstring); blank nodes are the proposal's own.

    Its own records: the hub, the parts the hub links to, and organisations it names, as long as another hub (or
    the reference data) has not published them; a published organisation is referred to, any other published
    record is someone else's.
    """
    parts, orgs = own_records(triples, hub)
    published: dict[str, bool] = {}

    def elsewhere(iri: str) -> bool:
        if iri not in published:
            published[iri] = is_published(store, iri, slug, base)
        return published[iri]

    confined = Confined()
    for triple in triples:
        subject = triple.subject
        iri = subject.value if isinstance(subject, ox.NamedNode) else None
        if iri is None or iri == hub or (iri in parts and not elsewhere(iri)):
            confined.kept.append(triple)
        elif iri in orgs:
            if elsewhere(iri):
                confined.existing.setdefault(iri, []).append(triple)
            else:
                confined.kept.append(triple)
        else:
            confined.foreign.setdefault(iri, []).append(triple)
    return confined


def foreign_message(subjects: Sequence[str], lang: str = "en") -> str:
    """The refusal of statements about records that are not the proposal's own, naming each."""
    named = ", ".join(f"<{s}>" for s in subjects)
    return words(lang).gettext(
        "This proposal states facts about %(subject)s, which is not one of its own records (its hub, deliverables, "
        "indicators, evidence, communication plan or new organisations); remove those statements.",
        subject=named,
    )


def existing_message(subject: str, lang: str = "en") -> str:
    """The note that a published organisation is referred to, not redefined."""
    named = f"<{subject}>"
    return words(lang).gettext(
        "%(subject)s is a published organisation: the proposal refers to it, and its published record is kept as "
        "it is (the type, country or other details given here are not used).",
        subject=named,
    )
