"""The site's search: hubs, SDG goals and targets, Durban manifestos, Policy Councils and organisations, found by
words in any of the three languages (every label is searched, accents and case ignored) or by an SDG number."""

from __future__ import annotations

import bisect
import sys
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from l4a.graph.labels import Labels
from l4a.graph.reports.hub_table import fold
from l4a.graph.resources import internal_query
from l4a.graph.sdg_order import sdg_key
from l4a.graph.store.base import Store

KINDS = ("hub", "goal", "target", "manifesto", "council", "organisation")
PER_KIND = 50


@dataclass(frozen=True, slots=True)
class Thing:
    """One thing the search can find: its IRI, kind, SDG notation (if any) and the folded words of all its labels."""

    iri: str
    kind: str
    notation: str
    words: str


@dataclass
class SearchIndex:
    """Everything searchable, read once from the store (and again after a write).

    Each kind's things are kept in the order results are shown (SDG numbers in numeric order, then by their words),
    and their words joined in one text: a search finds its longest word in that text (a C loop over the whole text,
    where testing each of 100k hubs in Python took 0.14 s), tests the thing it falls in, and stops after PER_KIND
    things, which are then the first PER_KIND in that order. A thing's words are kept only in that text (100k hubs'
    words are tens of MB), and a thing found is made again from it."""

    kinds: dict[str, _Kind] = field(default_factory=dict)

    @classmethod
    def of(cls, things: Iterable[Thing]) -> SearchIndex:
        by_kind: dict[str, list[Thing]] = {}
        for thing in things:
            by_kind.setdefault(thing.kind, []).append(thing)
        return cls({kind: _Kind.of(kind, by_kind[kind]) for kind in KINDS if kind in by_kind})

    @classmethod
    def from_store(cls, store: Store, labels: Labels, extra: Mapping[str, str] | None = None) -> SearchIndex:
        """`extra` adds words to some IRIs (e.g. a hub's description and city)."""
        things = []
        for row in store.select(internal_query("search-things")):
            iri, kind = row["thing"].value, row["kind"].value
            notation = row["notation"].value if row.get("notation") is not None else ""
            texts = [*labels.by_iri.get(iri, {}).values(), *labels.short.get(iri, {}).values(), notation,
                     iri.rsplit("/", 1)[-1].replace("-", " "), (extra or {}).get(iri, "")]  # fmt: skip
            things.append(Thing(iri, kind, notation, fold(" ".join(texts)).replace(SEPARATOR, " ")))
        return cls.of(things)

    def search(self, text: str) -> dict[str, list[Thing]]:
        """The things whose labels hold every word of `text` (an SDG number finds its goal or target first),
        by kind, each kind in a readable order (SDG numbers in numeric order), PER_KIND at most."""
        words = fold(text).split()
        if not words:
            return {}
        exact = text.strip().lower().removeprefix("sdg").strip()
        found = {kind: self.kinds[kind].search(words, exact) for kind in KINDS if kind in self.kinds}
        return {kind: things for kind, things in found.items() if things}


SEPARATOR = "\x00"  # between two things' words in a kind's text (never in a thing's words)


def _order(thing: Thing) -> tuple[object, ...]:
    return (sdg_key(thing.notation) if thing.notation else ((9, ""),), thing.words)


@dataclass
class _Kind:
    """One kind's things in the order shown (their IRIs and notations), their words joined by SEPARATOR, where each
    one's words start, and which things have each SDG notation."""

    kind: str
    iris: list[str]
    notations: list[str]
    text: str
    starts: array[int]
    by_notation: dict[str, list[int]]

    @classmethod
    def of(cls, kind: str, things: list[Thing]) -> _Kind:
        order = sorted(things, key=_order)
        starts, at = array("q"), 0
        for thing in order:
            starts.append(at)
            at += len(thing.words) + len(SEPARATOR)
        by_notation: dict[str, list[int]] = {}
        for number, thing in enumerate(order):
            if thing.notation:
                by_notation.setdefault(thing.notation, []).append(number)
        notations = [sys.intern(t.notation) for t in order]
        text = SEPARATOR.join(t.words for t in order)
        return cls(kind, [t.iri for t in order], notations, text, starts, by_notation)

    def words(self, number: int) -> str:
        end = self.starts[number + 1] - len(SEPARATOR) if number + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[number]:end]

    def thing(self, number: int) -> Thing:
        return Thing(self.iris[number], self.kind, self.notations[number], self.words(number))

    def search(self, words: list[str], exact: str) -> list[Thing]:
        """The first PER_KIND things holding every word, those whose notation is `exact` first."""
        first = self.by_notation.get(exact, [])
        hits = list(first[:PER_KIND])
        probe = max(words, key=len)
        at = 0
        while len(hits) < PER_KIND:
            at = self.text.find(probe, at)
            if at < 0:
                break
            number = bisect.bisect_right(self.starts, at) - 1
            held = self.words(number)
            if all(word in held for word in words) and number not in first:
                hits.append(number)
            at = self.starts[number + 1] if number + 1 < len(self.starts) else len(self.text)
        return [self.thing(number) for number in hits]
