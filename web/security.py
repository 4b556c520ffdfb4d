"""Hardening of every answer: security headers, a request size limit, and error pages without tracebacks.

- Headers on every response: a Content-Security-Policy without 'unsafe-inline' (the pages have no inline script
  or style: the home page's tile colours are classes of static/style.css), frame-ancestors 'none' (and
  X-Frame-Options for old browsers), X-Content-Type-Options: nosniff, Referrer-Policy.
- MAX_CONTENT_LENGTH: a request body above it is refused with 413 before it is read.
- Errors (400, 404, 405, 413, 500, ...) are pages in the reader's language (the gettext catalogues), JSON
  for JSON clients, and never carry a traceback or an exception's text; the exception is logged on the server.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, NotFound
from werkzeug.wrappers import Response

from l4a.graph.errors import UsageError
from l4a.graph.i18n.words import N_
from l4a.web.i18n import chosen_language, languages

log = logging.getLogger(__name__)

bp = Blueprint("security", __name__)

# 8 MiB: above the longest SPARQL Update web/sparql.py takes (4 bytes a character of UPDATE_MAX_CHARS).
MAX_REQUEST_BYTES = 8 * 1024 * 1024

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Each known error's title and text (translated when shown); another code gets ERROR_OTHER.
ERROR_WORDS = {
    400: (N_("Bad request"),
          N_("The request could not be understood. Please check the address or the form and try again.")),
    401: (N_("Sign-in needed"),
          N_("This action is for the staff of this deployment: sign in, or send a valid bearer token.")),
    403: (N_("Forbidden"), N_("This action is not allowed without the right credentials.")),
    404: (N_("Page not found"), N_("There is no page at this address. It may have moved, or the link may be wrong.")),
    405: (N_("Method not allowed"), N_("This address does not accept this kind of request.")),
    406: (N_("Format not available"), N_("This resource cannot be given in the format asked for.")),
    413: (N_("Request too large"), N_("The request is larger than this site accepts.")),
    415: (N_("Unsupported format"), N_("The request's content type is not accepted here.")),
    429: (N_("Too many requests"), N_("Too many requests from your address. Please wait a moment and try again.")),
    500: (N_("Something went wrong"),
          N_("An unexpected error happened on our side. It has been logged; please try again later.")),
    503: (N_("Temporarily unavailable"), N_("The site cannot answer right now. Please try again in a moment.")),
}  # fmt: skip
ERROR_OTHER = (N_("Error %(code)s"), N_("The request could not be completed."))


@bp.record_once
def _limit_request_size(state: BlueprintSetupState) -> None:
    app = state.app
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES


@bp.after_app_request
def security_headers(response: Response) -> Response:
    """The security headers on every response (a view's own value kept)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _wants_json() -> bool:
    if request.path.startswith("/api/") or request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and (
        request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/html"]
    )


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@bp.before_app_request
def refuse_control_characters() -> None:
    """A form field or query parameter holding a control character (NUL, ESC, ...; tab and line breaks are fine)
    is refused with 400 naming the field: stored, it would break the XML answers that carry it later."""
    sources = [request.args]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
    for values in sources:
        for name, value in values.items(multi=True):
            if CONTROL.search(name) or CONTROL.search(value):
                shown = CONTROL.sub("?", name)[:60]
                raise Refused(f"The field '{shown}' holds a control character (such as NUL); remove it and send again.")


class Refused(BadRequest):
    """A 400 whose message (the core's own words: what was wrong, and where) is shown after the generic text."""

    def __init__(self, detail: str) -> None:
        super().__init__()
        self.detail = detail


@bp.app_errorhandler(UsageError)
def usage_error(error: UsageError) -> ResponseReturnValue:
    """A value from the request that the core refused (an unknown council, a malformed IRI): 400 saying why."""
    return error_page(Refused(str(error)))


@bp.app_errorhandler(ValueError)
def value_error(error: ValueError) -> ResponseReturnValue:
    """pyoxigraph refuses a text as an IRI: a path or parameter that cannot name a record is not found (404);
    any other ValueError is a fault of ours (500, logged)."""
    if str(error).startswith(("Invalid IRI", "Invalid language tag")):
        return error_page(NotFound())
    failure = InternalServerError(original_exception=error)
    return error_page(failure)


@bp.app_errorhandler(HTTPException)
def error_page(error: HTTPException) -> ResponseReturnValue:
    """An HTTP error as a page in the reader's language or as JSON; for 500, the cause is logged, never shown."""
    code = error.code or 500
    if code >= 500:
        cause = getattr(error, "original_exception", None) or error
        log.error("%s %s answered %d", request.method, request.path, code, exc_info=cause)
    dropped = ("content-type", "content-length")
    headers = {k: v for k, v in error.get_response().headers.items() if k.lower() not in dropped}
    title_words, text_words = ERROR_WORDS.get(code, ERROR_OTHER)
    try:
        title, text = gettext(title_words, code=code), gettext(text_words)
        if isinstance(error, Refused):
            text = f"{text} {error.detail}"
        if _wants_json():
            return jsonify({"error": title, "status": code, "message": text}), code, headers
        html = render_template(
            "error.html", code=code, title=title, text=text, lang=chosen_language(), languages=languages()
        )
    except Exception:  # the error page itself failed (e.g. no request language): plain text, still no traceback
        log.exception("the error page for %d failed", code)
        return Response(f"Error {code}\n", status=code, headers=headers, mimetype="text/plain")
    return html, code, headers
