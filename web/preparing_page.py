"""The "being prepared" answer (web/preparing.py): 503 with Retry-After, a page that reloads itself."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask.typing import ResponseReturnValue

from l4a.web.i18n import chosen_language, languages
from l4a.web.preparing import RETRY_SECONDS, Preparing
from l4a.web.render import wants_json


def being_prepared(error: Preparing) -> ResponseReturnValue:
    """503 with Retry-After: a page that refreshes itself for browsers, JSON for programs."""
    headers = {"Retry-After": str(RETRY_SECONDS), "Cache-Control": "no-store"}
    if request.path.startswith("/api/") or wants_json():
        return jsonify({"preparing": True, "retry_after": RETRY_SECONDS}), 503, headers
    html = render_template("preparing.html", lang=chosen_language(), languages=languages(),
                           seconds=RETRY_SECONDS)  # fmt: skip
    return html, 503, headers
