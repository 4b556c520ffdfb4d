"""Reporting a monitoring figure through the web, for signed-in staff: one observation of one of the hub's
indicators, checked and written by the same pipeline as `l4a monitor add` (the same field checks, the same shapes,
a new named graph graph/monitoring/<hub>/<n>, so earlier figures are kept). "Reported by" is the staff member."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from l4a.graph.errors import UsageError
from l4a.graph.i18n.words import N_
from l4a.graph.monitoring.load import Entry, ObservationError, entry_errors, store_observations
from l4a.graph.namespaces import record_iri
from l4a.web.forms import check_csrf, csrf_token
from l4a.web.hub_charts import hub_monitoring_data
from l4a.web.i18n import chosen_language
from l4a.web.pages.staff import current_staff, staff_required
from l4a.web.refresh import refresh_hubs
from l4a.web.render import respond
from l4a.web.state import app_store

bp = Blueprint("observe", __name__)
FORM_FIELDS = ("indicator", "value", "date", "source")
WHERE = "web form"  # how errors name the input (the form has no file and no lines)
# The form's own words for each kind of observation error (graph/monitoring/input.py's codes; "shape": the shape's
# message, which the validator gave in the reader's language already).
ERRORS = {
    "missing": N_("This field is needed."),
    "not_number": N_("Write a number, such as 13.9, not “%(given)s”."),
    "not_date": N_("Give a date such as 2027-03-31, not “%(given)s”."),
    "future": N_("%(given)s is in the future: report what was observed."),
    "no_source": N_("Give the address where the figure can be checked."),
    "not_url": N_("Give a full web address starting with http:// or https://, not “%(given)s”."),
    "no_reporter": N_("Sign in again: a figure needs to say who reported it."),
    "not_hub_indicator": N_("Choose one of this hub's indicators."),
    "unknown_field": N_("Unknown field “%(given)s”."),
}


def message(error: ObservationError) -> str:
    """An observation error in the reader's language: the form's own words for each kind of error, or the shape's
    message, which the validator gave in that language already."""
    if error.code == "shape":
        return str(error.params.get("message", ""))
    return str(gettext(ERRORS[error.code], **error.params))


@bp.route("/monitoring/hubs/<slug>/observations/new", methods=["GET", "POST"])
@staff_required
def new_observation(slug: str) -> ResponseReturnValue:
    """GET: the form (the hub's indicators, value, date, source). POST: check the CSRF token, then check and store
    the observation; on success back to the hub's monitoring page, else each error next to its field."""
    base = str(current_app.config["L4A_SETTINGS"].base_iri)
    hub_iri = record_iri(base, "hub", slug)
    hub = hub_monitoring_data(hub_iri)
    if hub is None:
        abort(404)
    indicators = [
        {"iri": i.iri, "label": f"{d.label}: {i.label}" + (f" ({i.unit})" if i.unit else "")}
        for d in hub.deliverables
        for i in d.indicators
    ]
    values = {name: request.form.get(name, "") for name in FORM_FIELDS} if request.method == "POST" else {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        check_csrf()
        who = current_staff()
        entry = Entry({**{k: v for k, v in values.items() if v.strip()}, "reported_by": who or ""})
        observation, problems = entry_errors(entry, WHERE, base)
        if observation is not None:
            try:
                added = store_observations(app_store(current_app), hub_iri, [observation], WHERE, base,
                                           chosen_language())  # fmt: skip
            except ObservationError as exc:
                problems = [exc]
            except UsageError:  # the hub went away meanwhile
                abort(404)
            else:
                refresh_hubs(current_app, [hub_iri])
                current_app.logger.info("observation for %s by %s in %s", hub_iri, who, added.graph)
                return redirect(url_for("monitoring.hub_monitoring", slug=slug), code=303)
        for problem in problems:
            errors.setdefault(problem.field if problem.field in FORM_FIELDS else "", []).append(message(problem))
        status = 400
    data = {"hub": hub_iri, "title": hub.label, "indicators": indicators, "errors": errors}
    return respond(
        "observe.html", data, status=status, csrf=csrf_token(), values=values, errors=errors, slug=slug,
        reporter=current_staff(),
    )  # fmt: skip
