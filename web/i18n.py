"""The UI's words in English, French and Spanish (web/messages/<area>.<lang>.json), and the reader's language.

The language comes from `?lang=` (then remembered in a cookie), else the cookie, else the browser's preference
among the configured languages, else the first configured one.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import current_app, g, request
from werkzeug.wrappers import Response

MESSAGES = Path(__file__).parent / "messages"
COOKIE = "l4a_lang"


@cache
def messages(lang: str) -> dict[str, str]:
    """The UI's words in one language, from every area's file (base.en.json, sparql.en.json, ...)."""
    data: dict[str, str] = {}
    for path in sorted(MESSAGES.glob(f"*.{lang}.json")):
        data.update(json.loads(path.read_text(encoding="utf-8")))
    return data


def languages() -> list[str]:
    """The configured languages (en, fr, es by default)."""
    return list(current_app.config["L4A_SETTINGS"].languages)


def chosen_language() -> str:
    """The reader's language for this request."""
    if "lang" in g:
        return str(g.lang)
    allowed = languages()
    for asked in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if asked in allowed:
            g.lang = asked
            return str(asked)
    g.lang = request.accept_languages.best_match(allowed) or allowed[0]
    return str(g.lang)


def translate(key: str, **values: object) -> str:
    """A UI text in the reader's language (English if missing), with {placeholders} filled in."""
    lang = chosen_language()
    text = messages(lang).get(key) or messages("en").get(key) or key
    return text.format(**values) if values else text


def remember_language(response: Response) -> Response:
    """Keep the language chosen with ?lang= for the next pages (a cookie for a year)."""
    asked = request.args.get("lang")
    if asked in languages() and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, str(asked), max_age=365 * 24 * 3600, samesite="Lax")
    return response
