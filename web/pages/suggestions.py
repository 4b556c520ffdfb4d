"""Reviewing suggested links through the web, for signed-in staff: the suggestions grouped by hub, with the hub's
text and the matched words, and confirm or reject in one click each (the same `review` as `l4a suggestions
confirm|reject`, recorded under the staff member's name). Each decision is a POST with the form's CSRF token."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from l4a.graph.errors import UsageError
from l4a.graph.i18n.words import N_
from l4a.graph.namespaces import record_iri
from l4a.graph.suggest.records import STATES, SuggestionRecord, list_suggestions, review
from l4a.graph.sync.suggested import KINDS
from l4a.web.forms import check_csrf, csrf_token
from l4a.web.pages.staff import current_staff, staff_required
from l4a.web.refresh import refresh_hubs
from l4a.web.render import respond
from l4a.web.state import app_store
from l4a.web.words import SUGGESTION_STATE_WORDS

bp = Blueprint("suggestions", __name__)
CHANGED = N_("This suggestion was already reviewed by someone else; the list shows its state now.")

REASON_MAX = 2000
DECISIONS = ("confirmed", "rejected")


def _base() -> str:
    return str(current_app.config["L4A_SETTINGS"].base_iri)


def _asked_state() -> str | None:
    """The state to list: pending unless ?state= names another (or `all`)."""
    state = request.args.get("state") or "pending"
    if state == "all":
        return None
    if state not in STATES:
        abort(404)
    return state


def _row(record: SuggestionRecord) -> dict[str, Any]:
    kind = KINDS.get(record.property, ("", ""))[0]
    return {**record.as_json(), "kind": kind, "slug": record.id.split("/", 1)[0]}


def _list(status: int = 200, message: str | None = None, error: str | None = None) -> ResponseReturnValue:
    state = _asked_state()
    records = list_suggestions(app_store(current_app), _base(), state=state)
    hubs = []
    for hub, group in groupby(records, key=lambda r: r.hub):
        rows = [_row(r) for r in group]
        hubs.append({"hub": hub, "slug": rows[0]["slug"], "text": rows[0]["text"], "suggestions": rows})
    data = {"state": state or "all", "count": len(records), "hubs": hubs, "message": message, "error": error}
    return respond("suggestions_review.html", data, status=status, states=STATES, csrf=csrf_token())


@bp.get("/staff/suggestions")
@staff_required
def suggestion_list() -> ResponseReturnValue:
    """The stored suggestions of one state (pending by default; ?state=confirmed|rejected|all), grouped by hub."""
    done = request.args.get("done")
    message = None
    if done:
        try:
            found = list_suggestions(app_store(current_app), _base(), iri=record_iri(_base(), "suggestion", done))
        except (UsageError, ValueError):  # not an IRI: no message to show
            found = []
        if found:
            message = gettext(
                "%(id)s: %(state)s.", id=done, state=gettext(SUGGESTION_STATE_WORDS[found[0].state])
            )
    return _list(message=message)


@bp.post("/staff/suggestions/review")
@staff_required
def decide() -> ResponseReturnValue:
    """Confirm or reject one suggestion (fields `suggestion`, `decision`, optional `reason`) under the signed-in
    staff member's name; 409 with the list shown again when someone else decided it otherwise in between."""
    check_csrf()
    given = request.form.get("suggestion", "").strip().strip("/")
    decision = request.form.get("decision", "")
    if decision not in DECISIONS or not given:
        abort(400, description="decision")
    reason = request.form.get("reason", "").strip()[:REASON_MAX] or None
    store, base = app_store(current_app), _base()
    try:
        found = list_suggestions(store, base, iri=record_iri(base, "suggestion", given))
    except (UsageError, ValueError):  # not an IRI pyoxigraph accepts
        found = []
    if not found:
        return _list(404, error=gettext("There is no such suggestion."))
    if found[0].state not in ("pending", decision):
        return _list(409, error=gettext(CHANGED))
    try:
        review(store, base, [given], decision, current_staff() or "", reason, dt.datetime.now(dt.UTC))
    except UsageError:  # changed by someone else in between
        return _list(409, error=gettext(CHANGED))
    refresh_hubs(current_app, [found[0].hub])  # only this hub's part of what the app keeps
    state = request.args.get("state") or "pending"
    anchor = f"hub-{given.split('/', 1)[0]}"
    return redirect(url_for("suggestions.suggestion_list", state=state, done=given, _anchor=anchor), code=303)
