"""Names of things in the reader's language: every label of the store, read once, with a fallback order."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store
from l4a.graph.store.derived import derived

LABEL_QUERY = internal_query("labels")


@dataclass
class Labels:
    """For each IRI, its label per language (preferred labels first, then rdfs:label, then titles)."""

    by_iri: dict[str, dict[str, str]] = field(default_factory=dict)
    short: dict[str, dict[str, str]] = field(default_factory=dict)  # skos:altLabel (e.g. an SDG goal's short name)

    @classmethod
    def from_store(cls, store: Store) -> Labels:
        """Every label of the store, read once per write and kept (graph/store/derived.py): at 100k hubs reading
        them took 12 s and half a gigabyte of a server's memory at each start, for 200 MB of labels."""
        return derived(store, "labels", lambda: cls.read(store))

    @classmethod
    def read(cls, store: Store) -> Labels:
        """Every label of the store, from the store (a language tag is one string for all its labels)."""
        found: dict[str, dict[str, tuple[int, str]]] = {}
        short: dict[str, dict[str, str]] = {}
        intern = sys.intern
        for row in store.select(LABEL_QUERY):
            label = row["label"]
            lang = intern(getattr(label, "language", None) or "")
            kind = int(row["kind"].value)
            if kind == 4:
                short.setdefault(row["s"].value, {}).setdefault(lang, label.value)
                continue
            own = found.setdefault(row["s"].value, {})
            if lang not in own or kind < own[lang][0]:
                own[lang] = (kind, label.value)
        labels = {iri: {lang: text for lang, (_kind, text) in langs.items()} for iri, langs in found.items()}
        return cls(labels, short)

    def get(self, iri: str, lang: str = "en") -> str:
        """The label in `lang`, else English, else without language, else any, else the IRI's last segment."""
        own = self.by_iri.get(iri)
        if own:
            for choice in (lang, "en", ""):
                if choice in own:
                    return own[choice]
            return next(iter(own.values()))
        return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def short_name(self, iri: str, lang: str = "en") -> str:
        """The short name (skos:altLabel) in `lang` or English, else the label."""
        own = self.short.get(iri, {})
        return own.get(lang) or own.get("en") or self.get(iri, lang)

    def has(self, iri: str, lang: str) -> bool:
        """Whether there is a label in exactly this language (the page can say it fell back)."""
        return lang in self.by_iri.get(iri, {})
