"""The UI's words as gettext catalogues (web/translations/<lang>/LC_MESSAGES/messages.po, with plural forms), read
through Flask-Babel in the reader's language; also dates and country names in that language (Babel's CLDR data).

The command line reads the same catalogues without Flask (l4a.graph.i18n.words). The compiled `.mo` files are shipped
beside their `.po` (tests/test_catalogues.py checks that they match), so an installed wheel needs no build step.
How to add or change a text: docs/translations.md.
"""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations
from flask import Blueprint, Flask, g
from flask.blueprints import BlueprintSetupState
from flask_babel import Babel, get_translations

from l4a.graph.i18n.words import colon as colon_of
from l4a.graph.i18n.words import words
from l4a.graph.resources import translations_dir
from l4a.web.i18n import chosen_language
from l4a.web.words import FAMILIES

TRANSLATIONS = translations_dir()

bp = Blueprint("catalogues", __name__)


@bp.record_once
def _init_babel(state: BlueprintSetupState) -> None:
    app = state.app
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=chosen_language)
    # The templates' texts as Flask-Babel gives them, its catalogue looked up once a request (jinja2.ext.i18n)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(local_date=local_date, country_name=country_name, colon=colon, words=FAMILIES)
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["number"] = local_number


def load_languages(app: Flask, languages: tuple[str, ...]) -> None:
    """Read what a first request in each language reads of Babel's locale data and of the site's catalogues (its
    names of countries, dates, numbers, its texts): the server's warm-up does it before the port opens, so that a
    first French or Spanish request does not (about 0.1 s each, over a second while a big store's values load)."""
    for lang in languages:
        with app.test_request_context(f"/?lang={lang}"):
            request_translations().ugettext("Hubs")
            local_date(dt.date.today(), lang, "short")
            local_number(1234.5, lang)
            country_name("ES", lang)


def request_translations() -> Translations:
    """This request's catalogue, as Flask-Babel's get_translations gives it, looked up once per locale and request:
    Flask-Babel finds it again for every text of a template (a hub page has some 160; this saves about 1 ms of its
    11 ms first rendering at 10k hubs). Kept beside Flask-Babel's own choice of locale in `g`, and found again when
    that choice changes (force_locale, refresh)."""
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    kept = g.get("l4a_translations")
    if kept is not None and locale is not None and kept[0] is locale:
        found: Translations = kept[1]
        return found
    found = get_translations()
    g.l4a_translations = (getattr(g.get("_flask_babel"), "babel_locale", None), found)
    return found


def local_date(value: object, lang: str | None = None, form: str = "long") -> str:
    """A date (or its ISO text) written the reader's way: "6 December 2026", "6 décembre 2026"; other text as is."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = str(value or "").strip()
        if form == "long":  # at the precision given: "March 2023" for a month, a year or other text as recorded
            return words(lang or chosen_language()).recorded_date(text)
        try:
            day = dt.date.fromisoformat(text[:10])
        except ValueError:
            return text
    if form == "long":
        return words(lang or chosen_language()).date(day)  # written once per language and day
    return format_date(day, format=form, locale=lang or chosen_language())


def local_number(value: object, lang: str | None = None) -> str:
    """A number written the reader's way ("6,459", "6 459", "6459"; "10" for 10.0); other values as they are."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return format_decimal(value, locale=lang or chosen_language())


def country_name(code: str, lang: str | None = None) -> str:
    """A country's name from its ISO 3166-1 alpha-2 code in the reader's language ("ES" -> "Espagne"); else the
    code as given."""
    found = Locale.parse(lang or chosen_language()).territories.get(str(code or "").upper())
    return str(found) if found else str(code)


def colon(lang: str | None = None) -> str:
    """A colon and its space as the reader's language writes them: French puts a (no-break) space before it."""
    return colon_of(lang or chosen_language())
