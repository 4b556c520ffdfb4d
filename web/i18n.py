"""The reader's language (the UI's words themselves are in the gettext catalogues: web/catalogues.py).

The language comes from `?lang=` (then remembered in a cookie), else the cookie, else the browser's preference
among the configured languages, else the first configured one.
"""

from __future__ import annotations

from flask import current_app, g, request
from werkzeug.wrappers import Response

COOKIE = "l4a_lang"


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


def remember_language(response: Response) -> Response:
    """Keep the language chosen with ?lang= for the next pages (a cookie for a year)."""
    asked = request.args.get("lang")
    if asked in languages() and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, str(asked), max_age=365 * 24 * 3600, samesite="Lax")
    return response
