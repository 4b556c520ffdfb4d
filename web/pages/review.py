"""Reviewing proposals through the web, for signed-in staff: the list, one proposal with its report and history,
and the lifecycle actions (the same `transition` as `l4a proposals accept|reject|...`, recorded with PROV under
the staff member's name). Each action is a POST with the form's CSRF token."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from l4a.graph.errors import UsageError
from l4a.graph.i18n.words import N_
from l4a.graph.proposals.confine import ForeignStatements
from l4a.graph.proposals.lifecycle import ACTIONS, STATUS_WORDS, STATUSES, proposal, proposals, transition
from l4a.web.forms import check_csrf, csrf_token
from l4a.web.pages.staff import current_staff, staff_required
from l4a.web.refresh import refresh_hubs
from l4a.web.render import respond
from l4a.web.state import app_store
from l4a.web.words import ACTION_WORDS

bp = Blueprint("review", __name__)
CHANGED = N_("Someone changed this proposal in the meantime; here is its current state.")

REASON_MAX = 2000


def _base() -> str:
    return str(current_app.config["L4A_SETTINGS"].base_iri)


def allowed_actions(status: str, conforms: bool) -> list[str]:
    """The actions a proposal in `status` allows (accepting only a revision that passes the gate)."""
    return [a for a, (starts, _to) in ACTIONS.items() if status in starts and (a != "accept" or conforms)]


@bp.get("/staff/proposals")
@staff_required
def proposal_list() -> ResponseReturnValue:
    """The latest revision of every proposal, optionally of one status (?status=submitted)."""
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        abort(404)
    found = sorted(proposals(app_store(current_app), _base(), status), key=lambda r: r.created, reverse=True)
    rows = [r.as_dict() for r in found]
    return respond("review_list.html", {"status": status, "proposals": rows}, statuses=STATUSES, csrf=csrf_token())


def _show(proposal_id: str, status: int = 200, error: str | None = None) -> ResponseReturnValue:
    try:
        found = proposal(app_store(current_app), proposal_id, _base())
    except UsageError:
        abort(404)
    data = {**found.as_dict(full=True), "actions": allowed_actions(found.status, found.conforms), "error": error}
    return respond("review_proposal.html", data, status=status, content=found.content, csrf=csrf_token())


@bp.get("/staff/proposals/<proposal_id>")
@staff_required
def proposal_page(proposal_id: str) -> ResponseReturnValue:
    """One proposal: its latest revision's report, original content, history and the actions it allows now."""
    return _show(proposal_id)


@bp.post("/staff/proposals/<proposal_id>/<action>")
@staff_required
def act(proposal_id: str, action: str) -> ResponseReturnValue:
    """Apply a lifecycle action; 409 with the reason shown when the proposal's status does not allow it."""
    check_csrf()
    if action not in ACTIONS:
        abort(404)
    reason = request.form.get("reason", "").strip()[:REASON_MAX] or None
    store = app_store(current_app)
    try:
        current = proposal(store, proposal_id, _base())
    except UsageError:
        abort(404)
    if action not in allowed_actions(current.status, current.conforms):
        action_words, status_words = gettext(ACTION_WORDS[action]), gettext(STATUS_WORDS[current.status])
        message = gettext("“%(action)s” is not possible while the proposal is %(status)s.",
                          action=action_words, status=status_words)  # fmt: skip
        return _show(proposal_id, 409, message)
    try:
        transition(store, proposal_id, action, _base(), current_staff(), reason)
    except ForeignStatements as exc:  # it speaks about other records: say which
        return _show(proposal_id, 409, str(exc))
    except UsageError:  # changed by someone else in between: show the new state
        return _show(proposal_id, 409, gettext(CHANGED))
    refresh_hubs(current_app, [current.hub])  # only this hub's part of what the app keeps
    return redirect(url_for("review.proposal_page", proposal_id=proposal_id), code=303)
