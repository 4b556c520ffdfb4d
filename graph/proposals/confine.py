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
from l4a.graph.namespaces import graph_iri, record_iri
from l4a.graph.resources import read_query
from l4a.graph.store.base import Store

# Record kinds a proposal mints for itself, each named after the hub's id (deliverable/<id>-1, ...).
OWN_KINDS = ("deliverable", "indicator", "evidence")
MESSAGES = {
    "en": "This proposal states facts about {subject}, which is not one of its own records (its hub, deliverables, "
    "indicators, evidence, communication plan or new organisations); remove those statements.",
    "fr": "Cette proposition énonce des faits sur {subject}, qui n'est pas l'un de ses propres enregistrements (son "
    "hub, ses livrables, indicateurs, preuves, plan de communication ou nouvelles organisations) ; retirez ces "
    "énoncés.",
    "es": "Esta propuesta afirma hechos sobre {subject}, que no es uno de sus propios registros (su hub, entregables, "
    "indicadores, evidencias, plan de comunicación u organizaciones nuevas); elimine esas afirmaciones.",
}
EXISTING = {
    "en": "{subject} is a published organisation: the proposal refers to it, and its published record is kept as "
    "it is (the type, country or other details given here are not used).",
    "fr": "{subject} est une organisation publiée : la proposition y renvoie, et son enregistrement publié reste tel "
    "quel (le type, le pays ou les autres détails donnés ici ne sont pas utilisés).",
    "es": "{subject} es una organización publicada: la propuesta la menciona, y su registro publicado se mantiene "
    "tal cual (el tipo, el país u otros detalles dados aquí no se usan).",
}


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
    rows = store.select(read_query("internal/record-graphs"), {"record": ox.NamedNode(iri)})
    return any(row["g"].value != own and not row["g"].value.startswith(proposals) for row in rows)


def own_subject(subject: str, hub: str, slug: str, base: str) -> bool:
    """Whether the subject is one of the records a proposal of this hub mints for itself."""
    if subject == hub or subject == record_iri(base, "communication-plan", slug):
        return True
    return any(subject.startswith(record_iri(base, kind, f"{slug}-")) for kind in OWN_KINDS)


def confine(triples: Sequence[ox.Triple], hub: str, slug: str, store: Store | None, base: str) -> Confined:
    """Sort a proposal's statements (see the module's docstring); blank nodes are the proposal's own."""
    confined = Confined()
    orgs = record_iri(base, "org", "")
    published: dict[str, bool] = {}
    for triple in triples:
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode) or own_subject(subject.value, hub, slug, base):
            confined.kept.append(triple)
            continue
        iri = subject.value
        if iri.startswith(orgs):
            if iri not in published:
                published[iri] = is_published(store, iri, slug, base)
            if published[iri]:
                confined.existing.setdefault(iri, []).append(triple)
            else:
                confined.kept.append(triple)
            continue
        confined.foreign.setdefault(iri, []).append(triple)
    return confined


def foreign_message(subjects: Sequence[str], lang: str = "en") -> str:
    """The refusal of statements about records that are not the proposal's own, naming each."""
    return MESSAGES.get(lang, MESSAGES["en"]).format(subject=", ".join(f"<{s}>" for s in subjects))


def existing_message(subject: str, lang: str = "en") -> str:
    """The note that a published organisation is referred to, not redefined."""
    return EXISTING.get(lang, EXISTING["en"]).format(subject=f"<{subject}>")
