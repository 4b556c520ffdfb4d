"""Forgiving references: an SDG target as `11.3`, `SDG 11.3`, `Cible 11.3` or its IRI; a manifesto, council,
section or evidence type by a name in English, French or Spanish, its short name or its IRI.

Unknown values are not guessed: they come back unresolved, with the closest valid ones as suggestions.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox

from l4a.graph.namespaces import DEFAULT_BASE, L4A, RDF, RDFS, SDG, SDGO, SKOS

LABELS = (SKOS + "prefLabel", SKOS + "altLabel", RDFS + "label", SKOS + "notation")
KINDS = {
    "target": SDGO + "Target",
    "goal": SDGO + "Goal",
    "manifesto": L4A + "Manifesto",
    "council": L4A + "PolicyCouncil",
    "section": L4A + "Section",
    "evidence type": L4A + "EvidenceType",
    "event": L4A + "Event",
}
# Words people put before a goal or target number, in English, French and Spanish.
SDG_WORDS = re.compile(r"^(sdg|sdgs|odd|ods|un|goal|objective|objectif|objetivo|target|cible|meta|:|#|\s)+")


def normalize(text: str) -> str:
    """Lower case, no accents, words separated by single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


@dataclass(frozen=True)
class Resolved:
    """A reference made to a known record (iri), or not (suggestions)."""

    given: str
    iri: str | None
    suggestions: tuple[str, ...] = ()  # in English (or SDG numbers)
    suggestions_by_lang: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # fr, es: the same, translated


@dataclass
class Vocabulary:
    """The records of one kind and every name they can be referred to by."""

    kind: str
    names: dict[str, str] = field(default_factory=dict)  # normalized name -> IRI
    display: dict[str, str] = field(default_factory=dict)  # IRI -> a name to show in suggestions
    display_by_lang: dict[str, dict[str, str]] = field(default_factory=dict)  # IRI -> language -> name
    iris: set[str] = field(default_factory=set)

    def resolve(self, given: str) -> Resolved:
        text = given.strip()
        if text.startswith(("http://", "https://")):
            return Resolved(given, text) if text in self.iris else self._unresolved(given, text)
        if self.kind in ("target", "goal"):
            return self._resolve_sdg(given)
        iri = self.names.get(normalize(text))
        return Resolved(given, iri) if iri else self._unresolved(given, text)

    def _unresolved(self, given: str, text: str) -> Resolved:
        if self.kind in ("target", "goal"):  # SDG numbers read the same in every language
            numbers = self._suggest(text)
            return Resolved(given, None, numbers, {"fr": numbers, "es": numbers})
        closest = self._closest(text)
        english = tuple(self.display[iri] for iri in closest)
        by_lang = {
            lang: tuple(self.display_by_lang.get(iri, {}).get(lang) or self.display[iri] for iri in closest)
            for lang in ("fr", "es")
        }
        return Resolved(given, None, english, by_lang)

    def _resolve_sdg(self, given: str) -> Resolved:
        number = SDG_WORDS.sub("", given.strip().lower()).strip().rstrip(".")
        iri = SDG + number
        if iri in self.iris:
            return Resolved(given, iri)
        return self._unresolved(given, number)

    def _suggest(self, text: str) -> tuple[str, ...]:
        """SDG numbers close to `text`."""
        numbers = sorted(iri.removeprefix(SDG) for iri in self.iris)
        wanted = SDG_WORDS.sub("", text.lower().removeprefix(SDG)).strip()
        return tuple(difflib.get_close_matches(wanted, numbers, n=3, cutoff=0.5))

    def _closest(self, text: str) -> tuple[str, ...]:
        """The IRIs of the (at most three) records whose names are closest to `text`."""
        matches = difflib.get_close_matches(normalize(text), list(self.names), n=6, cutoff=0.4)
        return tuple(dict.fromkeys(self.names[match] for match in matches))[:3]


@dataclass
class References:
    """Every vocabulary a proposal can point into."""

    vocabularies: dict[str, Vocabulary]

    def resolve(self, kind: str, given: str) -> Resolved:
        return self.vocabularies[kind].resolve(given)


def references_from(quads: Iterable[ox.Quad]) -> References:
    """The vocabularies found in reference data (the shipped ontology, SDG and UCLG graphs)."""
    types: dict[str, set[str]] = {}
    labels: dict[str, list[tuple[str, str, str]]] = {}
    for quad in quads:
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if not isinstance(subject, ox.NamedNode):
            continue
        if predicate == RDF + "type" and isinstance(obj, ox.NamedNode):
            types.setdefault(subject.value, set()).add(obj.value)
        elif predicate in LABELS and isinstance(obj, ox.Literal):
            labels.setdefault(subject.value, []).append((predicate, obj.language or "", obj.value))
    vocabularies = {kind: Vocabulary(kind) for kind in KINDS}
    for iri, classes in types.items():
        for kind, cls in KINDS.items():
            if cls not in classes:
                continue
            vocabulary = vocabularies[kind]
            vocabulary.iris.add(iri)
            names = labels.get(iri, [])
            english = [v for p, lang, v in names if lang in ("en", "") and p == SKOS + "prefLabel"]
            vocabulary.display[iri] = (english or [v for _p, _l, v in names] or [iri])[0]
            for lang in ("fr", "es"):
                own = [v for p, label_lang, v in names if label_lang == lang and p == SKOS + "prefLabel"]
                if own:
                    vocabulary.display_by_lang.setdefault(iri, {})[lang] = own[0]
            slug = iri.rstrip("/").rsplit("/", 1)[-1]
            for name in [slug, *(v for _p, _l, v in names)]:
                vocabulary.names.setdefault(normalize(name), iri)
    return References(vocabularies)


@cache
def shipped_references(base: str = DEFAULT_BASE) -> References:
    """The vocabularies of the shipped reference data."""
    from l4a.graph.shacl.validation import reference_quads

    return references_from(reference_quads(base))
