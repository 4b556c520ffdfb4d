"""The UI's words in one language, from the same gettext catalogues as the web pages
(web/translations/<lang>/LC_MESSAGES/messages.mo, with plural forms), for the core and the command line.

Code marks a text where it is written: `w.gettext("Progress")`, `w.ngettext("%(num)d hub", "%(num)d hubs", n)`
with `w = words(lang)`; a family of words chosen by key at run time is written with `N_("done")` and translated
where it is shown (`w.gettext(STATUS_WORDS[key])`). `pybabel extract` finds all of them (web/translations/babel.cfg).
English is the texts themselves; a language without a catalogue gets them too.
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from babel.dates import format_date, format_skeleton
from babel.numbers import format_percent
from babel.support import Translations

from l4a.graph.resources import translations_dir

LANGUAGES = ("en", "fr", "es")
# French puts a no-break space before a colon (and a narrow one before ; ! ?); English and Spanish put none.
NO_BREAK_SPACE = "\u00a0"
NARROW_NO_BREAK_SPACE = "\u202f"


def N_(message: str) -> str:
    """Mark a text for the catalogues where it is written; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Words:
    """The catalogue of one language, with `%(name)s` placeholders filled the way Flask-Babel fills them."""

    lang: str
    catalogue: gettext_module.NullTranslations

    def gettext(self, message: str, **values: object) -> str:
        """`message` in this language (as it is when the catalogue lacks it), its placeholders filled."""
        text = self.catalogue.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values: object) -> str:
        """The form of `num` in this language's plural rule ("1 hub", "2 hubs"; French: "0 hub"), `%(num)d` filled."""
        values.setdefault("num", num)
        return self.catalogue.ngettext(singular, plural, num) % values

    def pgettext(self, context: str, message: str, **values: object) -> str:
        """`message` in a context that tells two meanings of the same English text apart."""
        text = self.catalogue.pgettext(context, message)
        return text % values if values else text

    @property
    def colon(self) -> str:
        """A colon and the space after it, as this language writes them ("Progress: 40%", "Avancement : 40 %")."""
        return colon(self.lang)

    def date(self, day: dt.date) -> str:
        """A day written this language's way: "6 December 2026", "6 décembre 2026", "6 de diciembre de 2026"."""
        return _long_date(self.lang, day)

    def recorded_date(self, text: str) -> str:
        """A date as a source records it, written this language's way at the precision the source gives: a day
        ("28 June 2021"), a month ("March 2023", never the last day the monitoring rules read into it), a year
        ("2023"); any other text as recorded."""
        return _recorded_date(self.lang, text.strip())

    def percent(self, share: Decimal | float) -> str:
        """A share as a whole percentage written this language's way: "40%", "40 %" (a no-break space in French)."""
        return format_percent(share, locale=self.lang)

    @property
    def semicolon(self) -> str:
        """A semicolon that separates the items of a list, with its spaces ("a; b", French "a ; b")."""
        return f"{NARROW_NO_BREAK_SPACE}; " if self.lang == "fr" else "; "


# Babel parses the locale and its pattern again on every call (about 30 µs): a brief of 2,500 hubs writes 5,000
# dates, and many hubs share theirs. Each (language, date) is written once per process.
@lru_cache(maxsize=16384)
def _long_date(lang: str, day: dt.date) -> str:
    return format_date(day, format="long", locale=lang)


@lru_cache(maxsize=16384)
def _recorded_date(lang: str, text: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return format_skeleton("yMMMM", dt.date(int(text[:4]), int(text[5:]), 1), locale=lang)
    try:
        return _long_date(lang, dt.date.fromisoformat(text[:10]))
    except ValueError:
        return text  # a year alone, or text that is not a date: as recorded


def colon(lang: str) -> str:
    """A colon and its space in `lang`: French puts a no-break space before it."""
    return f"{NO_BREAK_SPACE}: " if lang == "fr" else ": "


@cache
def words(lang: str) -> Words:
    """The UI's words in `lang` (en, fr, es; another language gets the English texts), read once per process."""
    catalogue = Translations.load(str(translations_dir()), [lang], domain="messages")
    return Words(lang, catalogue)
