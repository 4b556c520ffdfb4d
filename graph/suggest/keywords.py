"""The project's own keyword lists per goal, manifesto and council (keywords.toml), and how a text matches them."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files

from .language import LANGUAGES, words


@dataclass(frozen=True)
class Keyword:
    """One keyword as written and as the folded words it matches."""

    text: str
    pattern: str  # " w1 w2" (prefix of a word) or " w1 w2 " (whole words)


ByLanguage = dict[str, tuple[Keyword, ...]]
KeywordIndex = dict[str, dict[str, ByLanguage]]  # kind ("goal", "manifesto", "council") -> key -> language -> keywords


def _compile(text: str) -> Keyword:
    whole = text.endswith("=")
    pattern = " " + " ".join(words(text.rstrip("=")))
    return Keyword(text.rstrip("="), pattern + " " if whole else pattern)


def load_keywords() -> KeywordIndex:
    """kind -> key -> language -> keywords, from the packaged keywords.toml."""
    raw = tomllib.loads((files("l4a.graph.suggest") / "keywords.toml").read_text(encoding="utf-8"))
    return {
        kind: {
            key: {lang: tuple(_compile(k) for k in lists.get(lang, ())) for lang in LANGUAGES}
            for key, lists in entries.items()
        }
        for kind, entries in raw.items()
    }


def joined(text: str) -> str:
    """The text's folded words between spaces, the form keyword patterns are looked up in."""
    return " " + " ".join(words(text)) + " "


def matches(text_joined: str, keywords: tuple[Keyword, ...]) -> list[str]:
    """The keywords found in a text (as given by joined())."""
    return [k.text for k in keywords if k.pattern in text_joined]
