"""Text normalisation, word stems and the choice among English, French and Spanish."""

from __future__ import annotations

import re
import unicodedata

LANGUAGES = ("en", "fr", "es")

# Short function words only: they tell the languages apart and carry no topic.


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS: dict[str, frozenset[str]] = {
    "en": _set(
        "the a an and or of to in on for with by from at as is are was were be been being this that these those "
        "it its their our we they he she which who whom whose will would can could should may might must has have "
        "had not no nor but if than then so such into over under between through during about against also all "
        "any each more most other some only own same very both every including per"
    ),
    "fr": _set(
        "le la les un une des du de d l et ou en au aux dans sur pour par avec sans sous entre est sont etait "
        "etaient etre ete ce cet cette ces qui que quoi dont ou il elle ils elles nous vous leur leurs son sa ses "
        "notre nos votre vos se ne pas plus moins tres tout tous toute toutes aussi ainsi comme afin qu s y a "
        "lors selon chaque"
    ),
    "es": _set(
        "el la los las un una unos unas de del al y o e u en con por para sin sobre entre es son era eran ser sido "
        "este esta estos estas ese esa esos esas que quien cual cuyo su sus nuestro nuestra nuestros nuestras se "
        "no mas menos muy todo todos toda todas tambien asi como a lo le les ha han hay cada segun durante"
    ),
}

# Words that say which language a text is in (function words that the other two languages do not share).
_MARKERS: dict[str, frozenset[str]] = {
    "en": _set("the and of to in is are for with that this by from will its their which"),
    "fr": _set("le les des du et est sont pour avec dans une aux sur cette ces qui leur"),
    "es": _set("el los las del y es son para con en una al sobre esta estos que su sus"),
}

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
STEM_LENGTH = 6


def fold(text: str) -> str:
    """Lower case without accents, ligatures or typographic apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'").replace("œ", "oe").replace("Œ", "oe"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def words(text: str) -> list[str]:
    """The folded words of a text, in order (hyphenated words split, elided articles dropped)."""
    out: list[str] = []
    for match in _WORD.finditer(fold(text)):
        for part in re.split(r"[-']", match.group()):
            if part:
                out.append(part)
    return out


def stem(word: str) -> str:
    """A crude prefix stem, shared by the three languages ("energy", "energie", "energia" -> "energi")."""
    return word[:STEM_LENGTH]


def content_stems(text: str) -> list[str]:
    """The stems of a text's content words (no stopwords of any of the three languages, no short words)."""
    return [stem(w) for w in words(text) if len(w) > 2 and not _is_stopword(w) and not w.isdigit()]


def _is_stopword(word: str) -> bool:
    return any(word in STOPWORDS[lang] for lang in LANGUAGES)


def detect_language(text: str, fallback: str = "en") -> str:
    """The one of en/fr/es whose function words the text uses most; `fallback` when none is found (a title or a
    list of keywords has none: the reader's own language is then the better guess)."""
    counts = dict.fromkeys(LANGUAGES, 0)
    for word in words(text):
        for lang in LANGUAGES:
            if word in _MARKERS[lang]:
                counts[lang] += 1
    if not any(counts.values()) and fallback in LANGUAGES:
        return fallback
    best = max(LANGUAGES, key=lambda lang: (counts[lang], lang == "en"))
    return best
