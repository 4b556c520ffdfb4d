"""The proposal form: labels and help from the ontology and the shapes, an SDG target picker, CSRF protection,
and the SHACL report shown next to each field; saved through the same pipeline as `l4a propose`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from l4a.graph.errors import InputError
from l4a.graph.namespaces import DCTERMS, L4A, SCHEMA
from l4a.graph.proposals.input import MAX_PROPOSAL_BYTES
from l4a.graph.proposals.pipeline import submit_data
from l4a.graph.resources import internal_query
from l4a.graph.shacl.validation import ValidationResult, shipped_validator
from l4a.web.forms import check_csrf, csrf_token
from l4a.web.i18n import chosen_language, translate
from l4a.web.render import respond
from l4a.web.state import app_labels, app_store, cached

bp = Blueprint("propose", __name__)
TARGET_SLOTS = 6
DELIVERABLE_SLOTS = 2
# Form field -> the ontology property that names it (its label and the shapes' help text come from there).
FIELDS: dict[str, str] = {
    "name": DCTERMS + "title",
    "description": DCTERMS + "description",
    "theme": L4A + "theme",
    "city": L4A + "city",
    "country": L4A + "countryCode",
    "lead_name": L4A + "ledBy",
    "lead_type": L4A + "ledBy",
    "partner_name": L4A + "partner",
    "sdg_target": L4A + "addressesTarget",
    "manifesto": L4A + "addressesManifesto",
    "council": L4A + "relevantCouncil",
    "section": L4A + "section",
    "start_date": L4A + "startDate",
    "end_date": L4A + "endDate",
    "website": SCHEMA + "url",
    "visual_identity_checked": L4A + "visualIdentityChecked",
    "deliverable_title": L4A + "hasDeliverable",
    "deliverable_due_date": L4A + "dueDate",
    "indicator_name": L4A + "hasIndicator",
    "indicator_unit": L4A + "unit",
    "indicator_baseline": L4A + "baseline",
    "indicator_target_value": L4A + "targetValue",
    "channels": L4A + "channel",
    "activities": L4A + "activity",
    "evidence_url": L4A + "hasEvidence",
}
ORG_TYPES = ("local government", "regional government", "association of local governments", "university",
             "national government", "UN agency", "network", "civil society organisation", "other")  # fmt: skip
OPTIONS = internal_query("proposal-form-options")


def _options() -> dict[str, list[tuple[str, str]]]:
    rows = cached(current_app, "form_options", lambda: app_store(current_app).select(OPTIONS))
    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        kind = row["kind"].value.rsplit("#", 1)[1]
        notation = row["notation"].value if row.get("notation") is not None else ""
        found.setdefault(kind, []).append((row["thing"].value, notation))
    for values in found.values():
        values.sort(key=lambda item: [int(p) if p.isdigit() else 99 for p in item[1].split(".")] if item[1] else [0])
    return found


def _help() -> dict[str, dict[str, str]]:
    """For each form field: its label (from the ontology) and help (from the shapes) in the reader's language."""
    lang = chosen_language()
    labels = app_labels(current_app)
    shapes = shipped_validator().model.shapes.values()
    texts = {}
    for name, prop in FIELDS.items():
        comment = next(
            (s.comments.get(lang) or s.comments.get("en") for s in shapes if s.path and s.path.steps == (prop,)), ""
        )
        texts[name] = {"label": labels.get(prop, lang), "help": comment or ""}
    return texts


def form_data(form: MultiDict[str, str]) -> dict[str, Any]:
    """The form's fields as a proposal in the documented format (docs/proposals.md)."""
    lang = form.get("language", "en")
    data: dict[str, Any] = {"language": lang}
    for key in ("id", "name", "description", "theme", "city", "country", "section", "start_date", "end_date",
                "website", "submitted_by"):  # fmt: skip
        if form.get(key, "").strip():
            data[key] = form[key].strip()
    if form.get("lead_name", "").strip():
        lead = {"name": form["lead_name"].strip(), "type": form.get("lead_type", "")}
        if form.get("lead_country", "").strip():
            lead["country"] = form["lead_country"].strip()
        data["lead"] = [lead]
    if form.get("partner_name", "").strip():
        data["partners"] = [{"name": form["partner_name"].strip(), "type": form.get("partner_type", "other")}]
    targets = [v.strip() for v in form.getlist("sdg_target") if v.strip()]
    if targets:
        data["sdg_targets"] = [t.split(" ", 1)[0] for t in targets]  # "11.3 — Affordable housing" -> "11.3"
    for key, field in (("manifestos", "manifesto"), ("policy_councils", "council")):
        if form.getlist(field):
            data[key] = form.getlist(field)
    data["visual_identity_checked"] = form.get("visual_identity_checked") == "true"
    deliverables = []
    for n in range(1, DELIVERABLE_SLOTS + 1):
        title = form.get(f"deliverable_{n}_title", "").strip()
        if not title:
            continue
        deliverable: dict[str, Any] = {"title": title}
        if form.get(f"deliverable_{n}_due_date"):
            deliverable["due_date"] = form[f"deliverable_{n}_due_date"]
        indicator = {
            key: form[f"indicator_{n}_{key}"].strip()
            for key in ("name", "unit", "baseline", "target_value", "due_date")
            if form.get(f"indicator_{n}_{key}", "").strip()
        }
        if indicator:
            deliverable["indicators"] = [indicator]
        deliverables.append(deliverable)
    if deliverables:
        data["deliverables"] = deliverables
    channels = [line.strip() for line in form.get("channels", "").splitlines() if line.strip()]
    activities = [line.strip() for line in form.get("activities", "").splitlines() if line.strip()]
    if channels or activities:
        data["communication"] = {"channels": channels, "activities": activities}
    if form.get("evidence_url", "").strip():
        evidence = {"url": form["evidence_url"].strip(), "type": form.get("evidence_type", "report")}
        if form.get("evidence_date"):
            evidence["date"] = form["evidence_date"]
        data["evidence"] = [evidence]
    return data


def field_of(result: ValidationResult) -> str:
    """The form field a validation result is about (by its path), or "" for the form as a whole."""
    for name, prop in FIELDS.items():
        if result.path == prop:
            return name
    return ""


def _input_field(error: InputError) -> str:
    """The form field an input error names (after its location, the message starts with the field path)."""
    text = str(error).removeprefix(f"{error.location}: ") if error.location else str(error)
    path = text.split(":", 1)[0]
    mapping = {
        "start_date": "start_date",
        "end_date": "end_date",
        "website": "website",
        "country": "country",
        "lead": "lead_name",
        "partners": "partner_name",
        "baseline": "indicator_baseline",
        "target_value": "indicator_target_value",
        "deliverables": "deliverable_title",
        "evidence": "evidence_url",
        "id": "name",
    }
    return next((name for prefix, name in mapping.items() if prefix in path), "")


# Limits of the form, as the CLI's for a file (1 MB a proposal, graph/proposals/input.py): a 7 MB description was
# stored twice before. Characters per field; fields not named here take DEFAULT_FIELD_CHARS.
FIELD_CHARS = {"description": 20_000, "channels": 5_000, "activities": 5_000}
DEFAULT_FIELD_CHARS = 2_000


def length_problems(form: MultiDict[str, str], content_length: int) -> dict[str, list[str]]:
    """The fields over their limit (and "" for a form over the proposal's limit), each with its message."""
    problems: dict[str, list[str]] = {}
    if content_length > MAX_PROPOSAL_BYTES:
        problems[""] = [translate("propose.too_big", limit=f"{MAX_PROPOSAL_BYTES:,}", given=f"{content_length:,}")]
    for name, value in form.items(multi=True):
        limit = FIELD_CHARS.get(name, DEFAULT_FIELD_CHARS)
        if len(value) > limit:
            problems.setdefault(name, []).append(
                translate("propose.too_long", limit=f"{limit:,}", given=f"{len(value):,}")
            )
    return problems


@bp.route("/propose", methods=["GET", "POST"])
def form() -> ResponseReturnValue:
    """GET: the empty form. POST: check the CSRF token, then submit; the report is shown next to each field."""
    values: Mapping[str, Any] = request.form if request.method == "POST" else MultiDict()
    by_field: dict[str, list[str]] = {}
    outcome = None
    status = 200
    if request.method == "POST":
        check_csrf()
        settings = current_app.config["L4A_SETTINGS"]
        too_long = length_problems(request.form, request.content_length or 0)
        if too_long:
            return respond(
                "propose.html", {"result": None, "field_reports": too_long}, status=413, values=values,
                reports=too_long, help=_help(), options=_options(), csrf=csrf_token(), org_types=ORG_TYPES,
                target_slots=range(TARGET_SLOTS), deliverable_slots=range(1, DELIVERABLE_SLOTS + 1),
            )  # fmt: skip
        try:
            stored = submit_data(
                app_store(current_app), form_data(request.form), "web form", settings.base_iri,
                request.form.get("submitted_by") or None, chosen_language(),
            )  # fmt: skip
        except InputError as exc:
            by_field.setdefault(_input_field(exc), []).append(str(exc))
            status = 400
        else:  # a submission changes no published graph: no cache is touched (a lever for a flood otherwise)
            outcome = stored.as_dict()
            for result in stored.report.results:
                by_field.setdefault(field_of(result), []).append(result.message)
            status = 201 if stored.report.conforms else 200
    data = {"result": outcome, "field_reports": by_field}
    return respond(
        "propose.html", data, status=status, values=values, reports=by_field, help=_help(), options=_options(),
        csrf=csrf_token(), org_types=ORG_TYPES, target_slots=range(TARGET_SLOTS),
        deliverable_slots=range(1, DELIVERABLE_SLOTS + 1),
    )  # fmt: skip
