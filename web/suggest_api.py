"""`POST /api/suggest`: the proposal form's suggestions and similar hubs as JSON, for the site's own script
(static/propose-suggest.js) while the applicant types. Same answer as the form's "Suggest from my description"
button (web/draft_panel.py), with the form's two parts rendered as HTML when asked (`"html": true`).

Bound to the form: the request carries the form's CSRF token in the `X-CSRFToken` header (a page of another site
cannot read it, and a cross-site JSON POST needs a CORS preflight this app never grants). Hostile or broken input
gets a JSON error naming the field: 415 (not JSON), 400 (bad JSON, a field of the wrong type, no text, no token),
413 (too big), and the fair share of web/draft_panel.py: 429 with Retry-After above the client's rate, 503 when the
client already runs its share.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from l4a.web.draft_panel import KINDS, Draft, build_panel, busy_message, fair_share, render_panel
from l4a.web.i18n import chosen_language
from l4a.web.security import CONTROL

MAX_BODY_BYTES = 128 * 1024
MAX_ITEMS = 100  # values in one list (targets typed, boxes ticked)
FIELD_CHARS = {"text": 20_000, "name": 300, "theme": 300}  # as the form's own limits
OTHER_CHARS = 2_000


class Refusal(Exception):
    """A request this endpoint refuses: its status, the field at fault (if one) and what to do."""

    def __init__(self, status: int, message: str, field: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field, self.retry_after = status, message, field, retry_after


def refused(error: Refusal) -> ResponseReturnValue:
    body: dict[str, Any] = {"error": error.message, "status": error.status}
    if error.field:
        body["field"] = error.field
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
    return jsonify(body), error.status, headers


def answer_suggest(targets: Any, options: Any) -> ResponseReturnValue:
    """The suggestions and similar hubs for the draft in the request's JSON body, or a JSON error (`targets` and
    `options`: what the form offers, web/draft_panel.form_options)."""
    try:
        draft, html = read_request()
        with fair_share() as (wait, allowed):
            if wait or not allowed:
                raise Refusal(429 if wait else 503, busy_message(wait), retry_after=wait or 5)
            lang = chosen_language()
            panel = build_panel(draft, targets, options, lang)
            body = panel.as_json()
            if html:
                body["html"] = render_panel(panel, lang)
            return jsonify(body)
    except Refusal as error:
        return refused(error)


def read_request() -> tuple[Draft, bool]:
    """The draft sent, and whether the form's HTML is wanted; a Refusal saying what is wrong otherwise."""
    if (request.content_length or 0) > MAX_BODY_BYTES:  # refused before the body is read
        raise Refusal(413, too_big(request.content_length or 0))
    if request.mimetype != "application/json":
        raise Refusal(415, gettext("Send the draft as JSON (Content-Type: application/json)."))
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except ValidationError as exc:
        raise Refusal(
            400,
            gettext(
                "The form's security token is missing or expired: send the form's csrf value in the X-CSRFToken "
                "header, or reload the form."
            ),
            "csrf",
        ) from exc
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY_BYTES:
        raise Refusal(413, too_big(len(raw)))
    try:
        data = json.loads(raw)
    except ValueError as exc:  # also text that is not UTF-8
        raise Refusal(400, gettext("The body is not valid JSON: %(reason)s.", reason=str(exc)[:200])) from exc
    if not isinstance(data, dict):
        raise Refusal(400, gettext('Send a JSON object, such as {"text": "…"}.'))
    texts = {name: _text(data, name) for name in ("text", "name", "theme")}
    if not any(t.strip() for t in texts.values()):
        raise Refusal(400, gettext("There is no text to suggest from: write the hub's description."), "text")
    accepted = data.get("accepted") or {}
    if not isinstance(accepted, dict):
        raise Refusal(400, _wrong_type("accepted", gettext("an object of lists")), "accepted")
    draft = Draft(
        name=texts["name"],
        description=texts["text"],
        theme=texts["theme"],
        targets=_list(data, "sdg_targets"),
        manifestos=_list(data, "manifestos"),
        councils=_list(data, "policy_councils"),
        section=_text(data, "section") or None,
        accepted={kind: _list(accepted, kind, f"accepted.{kind}") for kind in KINDS},
        start=_date(_text(data, "start_date")),
        end=_date(_text(data, "end_date")),
        country=_text(data, "country").upper() or None,
        revise=_text(data, "revise") or None,
    )
    return draft, data.get("html") is True


def too_big(given: int) -> str:
    return str(
        gettext(
            "The request is %(given)s bytes; at most %(limit)s are read. Send the name, description and theme only.",
            given=f"{given:,}",
            limit=f"{MAX_BODY_BYTES:,}",
        )
    )


def _wrong_type(name: str, wanted: str) -> str:
    return str(gettext("The field “%(field)s” must be %(wanted)s.", field=name, wanted=wanted))


def _checked(value: str, name: str) -> str:
    limit = FIELD_CHARS.get(name, OTHER_CHARS)
    if len(value) > limit:
        raise Refusal(
            413,
            gettext(
                "The field “%(field)s” has %(given)s characters; at most %(limit)s are read.",
                field=name,
                given=f"{len(value):,}",
                limit=f"{limit:,}",
            ),
            name,
        )
    if CONTROL.search(value):
        raise Refusal(400, gettext("The field “%(field)s” holds a control character: remove it.", field=name), name)
    return value


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refusal(400, _wrong_type(name, gettext("a string")), name)
    return _checked(value, name)


def _list(data: dict[str, Any], name: str, shown: str | None = None) -> list[str]:
    shown = shown or name
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        raise Refusal(400, _wrong_type(shown, gettext("a list of strings")), shown)
    if len(value) > MAX_ITEMS:
        raise Refusal(413, gettext("The field “%(field)s” has more than %(limit)d values.", field=shown,
                                   limit=MAX_ITEMS), shown)  # fmt: skip
    return [_checked(str(v), shown) for v in value if str(v).strip()]


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:  # a date being typed: no time frame yet
        return None
