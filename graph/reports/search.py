"""The site's search: hubs, SDG goals and targets, Durban manifestos, Policy Councils and organisations, found by
words in any of the three languages (every label is searched, accents and case ignored) or by an SDG number."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from l4a.graph.labels import Labels
from l4a.graph.reports.hub_table import fold
from l4a.graph.resources import internal_query
from l4a.graph.sdg_order import sdg_key
from l4a.graph.store.base import Store

KINDS = ("hub", "goal", "target", "manifesto", "council", "organisation")
PER_KIND = 50


@dataclass(frozen=True)
class Thing:
    """One thing the search can find: its IRI, kind, SDG notation (if any) and the folded words of all its labels."""

    iri: str
    kind: str
    notation: str
    words: str


@dataclass
class SearchIndex:
    """Everything searchable, read once from the store (and again after a write)."""

    things: list[Thing] = field(default_factory=list)

    @classmethod
    def from_store(cls, store: Store, labels: Labels, extra: Mapping[str, str] | None = None) -> SearchIndex:
        """`extra` adds words to some IRIs (e.g. a hub's description and city)."""
        things = []
        for row in store.select(internal_query("search-things")):
            iri, kind = row["thing"].value, row["kind"].value
            notation = row["notation"].value if row.get("notation") is not None else ""
            texts = [*labels.by_iri.get(iri, {}).values(), *labels.short.get(iri, {}).values(), notation,
                     iri.rsplit("/", 1)[-1].replace("-", " "), (extra or {}).get(iri, "")]  # fmt: skip
            things.append(Thing(iri, kind, notation, fold(" ".join(texts))))
        return cls(things)

    def search(self, text: str) -> dict[str, list[Thing]]:
        """The things whose labels hold every word of `text` (an SDG number finds its goal or target first),
        by kind, each kind in a readable order (SDG numbers in numeric order)."""
        words = fold(text).split()
        if not words:
            return {}
        exact = text.strip().lower().removeprefix("sdg").strip()
        found: dict[str, list[Thing]] = {}
        for thing in self.things:
            if (thing.notation and thing.notation == exact) or all(w in thing.words for w in words):
                found.setdefault(thing.kind, []).append(thing)
        for kind, things in found.items():
            things.sort(key=lambda t: (t.notation != exact, sdg_key(t.notation) if t.notation else ((9, ""),), t.words))
            found[kind] = things[:PER_KIND]
        return {kind: found[kind] for kind in KINDS if kind in found}
