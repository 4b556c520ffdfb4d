"""The texts the suggester matches against: the UN's goal, target and indicator labels (en/fr/es) and the labels
of the Durban manifestos and the Policy Councils, read from the shipped reference data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from l4a.graph.namespaces import L4A, RDF, RDFS, SDG, SDGO, SKOS
from l4a.graph.resources import local_path, ontology_dir

from .language import LANGUAGES

LangTexts = dict[str, list[str]]


@dataclass
class Concept:
    """One goal, target, manifesto or council: its IRI, short key ("5", "5.5", "housing") and texts per language."""

    iri: str
    key: str
    texts: LangTexts = field(default_factory=lambda: {lang: [] for lang in LANGUAGES})


@dataclass
class Reference:
    """Goals and targets (with their indicators' texts kept apart), manifestos and councils."""

    goals: dict[int, Concept]
    targets: dict[str, Concept]
    target_goal: dict[str, int]
    indicators: dict[str, LangTexts]  # target key -> its indicators' texts per language
    manifestos: dict[str, Concept]
    councils: dict[str, Concept]


def _literals(path_name: str) -> tuple[dict[str, set[str]], dict[tuple[str, str], list[Literal]], dict[str, str]]:
    """Types, literal values by (subject, predicate), and skos:broader of each subject of a reference file."""
    types: dict[str, set[str]] = defaultdict(set)
    values: dict[tuple[str, str], list[Literal]] = defaultdict(list)
    broader: dict[str, str] = {}
    path = local_path(ontology_dir() / "reference" / path_name)
    for quad in parse(path=path, format=RdfFormat.TURTLE):
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if not isinstance(subject, NamedNode):
            continue
        if predicate == RDF + "type" and isinstance(obj, NamedNode):
            types[subject.value].add(obj.value)
        elif isinstance(obj, Literal):
            values[(subject.value, predicate)].append(obj)
        elif predicate == SKOS + "broader" and isinstance(obj, NamedNode):
            broader.setdefault(subject.value, obj.value)  # an indicator repeated under two targets keeps the first
    return types, values, broader


def _add(concept: Concept, literals: list[Literal]) -> None:
    for literal in literals:
        lang = literal.language or "en"
        if lang in concept.texts:
            concept.texts[lang].append(literal.value)


def load_reference() -> Reference:
    """Read sdg.ttl and uclg.ttl from the installed package."""
    types, values, broader = _literals("sdg.ttl")
    goals: dict[int, Concept] = {}
    targets: dict[str, Concept] = {}
    target_goal: dict[str, int] = {}
    indicators: dict[str, LangTexts] = defaultdict(lambda: {lang: [] for lang in LANGUAGES})
    for iri, kinds in types.items():
        key = iri.removeprefix(SDG)
        labels = values.get((iri, SKOS + "prefLabel"), []) + values.get((iri, SKOS + "altLabel"), [])
        if SDGO + "Goal" in kinds:
            goals[int(key)] = concept = Concept(iri, key)
            _add(concept, labels)
        elif SDGO + "Target" in kinds:
            targets[key] = concept = Concept(iri, key)
            _add(concept, labels)
            target_goal[key] = int(broader[iri].removeprefix(SDG))
        elif SDGO + "Indicator" in kinds and iri in broader:
            target = broader[iri].removeprefix(SDG)
            for literal in values.get((iri, SKOS + "prefLabel"), []):
                if (literal.language or "en") in LANGUAGES:
                    indicators[target][literal.language or "en"].append(literal.value)
    types, values, _ = _literals("uclg.ttl")
    manifestos: dict[str, Concept] = {}
    councils: dict[str, Concept] = {}
    for iri, kinds in types.items():
        slug = iri.rsplit("/", 1)[-1]
        if L4A + "Manifesto" in kinds:
            manifestos[slug] = concept = Concept(iri, slug)
            for predicate in (SKOS + "prefLabel", SKOS + "altLabel", SKOS + "definition"):
                _add(concept, values.get((iri, predicate), []))
        elif L4A + "PolicyCouncil" in kinds:
            councils[slug] = concept = Concept(iri, slug)
            _add(concept, values.get((iri, RDFS + "label"), []))
    return Reference(goals, targets, target_goal, dict(indicators), manifestos, councils)
