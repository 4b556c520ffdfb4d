"""The proposal form (web/proposal_form.py): six steps, errors next to their fields and summed up at the top, then a
confirmation with the proposal's number, what happens next and a private link to follow and revise it.

Saved through the same pipeline as `l4a propose`. A new proposal never becomes a revision of someone else's: when
its name makes an identifier already taken (by a proposal or a published hub), it gets the next free one
(`name-2`, ...). Revisions come only through the private link (an HMAC of the proposal's id with the app's secret
key, so it survives restarts and holds across processes that share the key) or a staff action.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
import threading
from typing import Any

from babel import Locale
from flask import Blueprint, abort, current_app, make_response, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_wtf.csrf import validate_csrf
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from l4a.graph.errors import InputError, UsageError
from l4a.graph.namespaces import DCTERMS, L4A, SCHEMA, graph_iri
from l4a.graph.proposals.input import MAX_PROPOSAL_BYTES
from l4a.graph.proposals.lifecycle import proposal
from l4a.graph.proposals.pipeline import latest_revisions, submit_data
from l4a.graph.proposals.rdf import slugify
from l4a.graph.resources import internal_query
from l4a.graph.shacl.validation import ValidationResult
from l4a.web.draft_panel import (
    accepted_for_store,
    build_panel,
    busy_message,
    draft_of_form,
    fair_share,
    form_options,
    merge_accepted,
    wants_panel,
)
from l4a.web.i18n import chosen_language
from l4a.web.proposal_form import (
    HELP,
    STEPS,
    ProposalForm,
    entries_to_add,
    notation_key,
    proposal_data,
    resolve_targets,
)
from l4a.web.render import respond
from l4a.web.state import app_labels, app_store, cached
from l4a.web.suggest_api import answer_suggest

bp = Blueprint("propose", __name__)


@bp.record_once
def _form_settings(state: BlueprintSetupState) -> None:
    # Flask-WTF's token travels in the field the site's other forms use (`csrf`) and keeps the same session secret
    # (web/forms.py); it holds for the session, not an hour: a long form filled in slowly must not be lost.
    state.app.config.setdefault("WTF_CSRF_FIELD_NAME", "csrf")
    state.app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)


# The ontology property of each form field, to put a rule's message next to the field it is about.
FIELDS: dict[str, str] = {
    "name": DCTERMS + "title",
    "description": DCTERMS + "description",
    "theme": L4A + "theme",
    "city": L4A + "city",
    "country": L4A + "countryCode",
    "lead_name": L4A + "ledBy",
    "partners": L4A + "partner",
    "sdg_target": L4A + "addressesTarget",
    "manifesto": L4A + "addressesManifesto",
    "council": L4A + "relevantCouncil",
    "section": L4A + "section",
    "start_date": L4A + "startDate",
    "end_date": L4A + "endDate",
    "website": SCHEMA + "url",
    "visual_identity_checked": L4A + "visualIdentityChecked",
    "deliverables": L4A + "hasDeliverable",
    "channels": L4A + "channel",
    "activities": L4A + "activity",
    "evidence": L4A + "hasEvidence",
}
# Paths of the proposal format (as an input error names them) -> the form field.
INPUT_PATHS = {
    "lead": "lead_name",
    "sdg_targets": "sdg_target",
    "manifestos": "manifesto",
    "id": "name",
    "policy_councils": "council",
    "communication": "channels",
}
# Fields the programme's rules require (checked when the form is sent); only the name is needed to store a draft.
REQUIRED_BY_RULES = {"name", "lead_name", "start_date", "end_date"}
RDF_TERM = re.compile(r"\b(?:xsd|l4a|schema|sdgo|sdg|dcterms|skos|rdfs?|owl|org|prov|time|sh):[\w.-]*")


def _options() -> dict[str, list[tuple[str, str]]]:
    rows = cached(
        current_app, "form_options", lambda: app_store(current_app).select(internal_query("form-options"))
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        kind = row["kind"].value.rsplit("#", 1)[1]
        notation = row["notation"].value if row.get("notation") is not None else ""
        found.setdefault(kind, []).append((row["thing"].value, notation))
    found.get("Target", []).sort(key=lambda item: notation_key(item[1]))
    return found


def _choices(form: ProposalForm, lang: str) -> list[tuple[str, str, str]]:
    """Fill the form's choices in the reader's language; the SDG targets as (notation, shown text, every label)."""
    labels = app_labels(current_app)
    options = _options()
    territories = Locale.parse(lang).territories
    countries = sorted(
        ((code, str(name)) for code, name in territories.items() if re.fullmatch(r"[A-Z]{2}", code)),
        key=lambda item: _sortable(item[1]),
    )
    empty = [SelectChoice("", gettext("(choose)"))]
    form.country.choices = empty + [SelectChoice(code, name) for code, name in countries]
    form.lead_country.choices = form.country.choices

    def by_name(kind: str) -> list[SelectChoice]:
        named = sorted(
            ((iri, labels.get(iri, lang)) for iri, _ in options.get(kind, [])), key=lambda i: _sortable(i[1])
        )
        return [SelectChoice(iri, name) for iri, name in named]

    form.manifesto.choices = by_name("Manifesto")
    form.council.choices = by_name("PolicyCouncil")
    form.section.choices = empty + by_name("Section")
    return [
        (notation, f"{notation} — {_short(labels.get(iri, lang))}", " ".join(labels.by_iri.get(iri, {}).values()))
        for iri, notation in options.get("Target", [])
    ]


def _sortable(text: str) -> str:
    from l4a.web.proposal_form import folded

    return folded(text)


def _short(text: str, limit: int = 90) -> str:
    text = re.sub(r"^\s*\d+\.\w+\s*", "", text)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def follow_key(proposal_id: str) -> str:
    """The private key of a proposal's follow link."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, f"l4a-follow:{proposal_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def _key_matches(proposal_id: str, key: str | None) -> bool:
    return bool(key) and hmac.compare_digest(follow_key(proposal_id).encode(), str(key).encode())


_RESERVED: set[str] = set()  # ids chosen for new proposals being stored right now (this process)
_RESERVING = threading.Lock()


def free_id(name: str) -> str:
    """An identifier for a new proposal named `name`, never one a proposal or a published hub already has, nor one
    another request of this process is storing at this moment (release it with `release_id`)."""
    store = app_store(current_app)
    base = current_app.config["L4A_SETTINGS"].base_iri
    slug = slugify(name) or "proposal"
    candidates = [slug] + [f"{slug[:76]}-{n}" for n in range(2, 10_000)]
    with _RESERVING:
        graphs = set(store.named_graphs())
        taken = latest_revisions(store, set(candidates), base)
        chosen = next(
            c for c in candidates if c not in taken and c not in _RESERVED and graph_iri(base, f"hub/{c}") not in graphs
        )
        _RESERVED.add(chosen)
    return chosen


def release_id(proposal_id: str) -> None:
    with _RESERVING:
        _RESERVED.discard(proposal_id)


def plain_words(message: str) -> str:
    """A rule's message without its RDF terms in brackets: "(l4a:ledBy)" and "(xsd:date)" mean nothing to readers."""
    text = RDF_TERM.sub("", message)
    text = re.sub(r"\((?:[^()]*?\b(?:par exemple|for example|por ejemplo)\s*)?[\s,]*\)", "", text)
    text = re.sub(r"\(\s*,\s*", "(", text)
    return re.sub(r"\s+([.,;])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


def field_of(result: ValidationResult) -> str:
    """The form field a rule's result is about (by its path), or "" for the form as a whole."""
    return next((name for name, prop in FIELDS.items() if result.path == prop), "")


def _input_field(error: InputError, form: ProposalForm) -> str:
    """The form field an input error names (`deliverables[0].indicators[0].baseline`: its id, with hyphens)."""
    text = str(error).removeprefix(f"{error.location}: ") if error.location else str(error)
    path = text.split(":", 1)[0].strip()
    field_id = re.sub(r"\[(\d+)\]\.?", r"-\1-", path).replace(".", "-").strip("-")
    ids = {f.id for f in _all_fields(form)}
    if field_id in ids:
        return field_id
    head = re.split(r"[\[.]", path, maxsplit=1)[0]
    return INPUT_PATHS.get(head, head if head in ids else "")


def _all_fields(form: Any) -> list[Any]:
    found = []
    for field in form:
        found.append(field)
        if hasattr(field, "entries"):
            for entry in field.entries:
                found.extend(_all_fields(entry.form) if hasattr(entry, "form") else [entry])
    return found


def _revision_data(proposal_id: str) -> dict[str, Any]:
    """The latest revision's answers, to fill the form in again (the web form keeps them as JSON)."""
    base = current_app.config["L4A_SETTINGS"].base_iri
    revision = proposal(app_store(current_app), proposal_id, base)
    try:  # kept as text when it is UTF-8 (the web form's JSON always is), else base64
        data = json.loads(revision.content)
    except ValueError:
        try:
            data = json.loads(base64.b64decode(revision.content))
        except (binascii.Error, ValueError):
            return {}
    return data if isinstance(data, dict) else {}


def _prefill(data: dict[str, Any]) -> dict[str, Any]:
    """A proposal in the documented format -> the form's fields (the reverse of proposal_data)."""

    def day(value: Any) -> dt.date | None:
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return None

    lead = (data.get("lead") or [{}])[0]
    communication = data.get("communication") or {}
    return {
        **{
            k: data.get(k)
            for k in ("name", "description", "theme", "city", "country", "website", "section", "submitted_by")
            if data.get(k)
        },
        "lead_name": lead.get("name"),
        "lead_type": lead.get("type"),
        "lead_country": lead.get("country"),
        "partners": data.get("partners") or [{}],
        "sdg_target": data.get("sdg_targets") or [],
        "accept_goal": [str(g) for g in data.get("sdg_goals") or []],  # the form has no goal field of its own
        "manifesto": data.get("manifestos") or [],
        "council": data.get("policy_councils") or [],
        "start_date": day(data.get("start_date")),
        "end_date": day(data.get("end_date")),
        "deliverables": [
            {
                "title": d.get("title"),
                "due_date": day(d.get("due_date")),
                "indicators": [{**i, "due_date": day(i.get("due_date"))} for i in d.get("indicators") or [{}]],
            }
            for d in data.get("deliverables") or [{}]
        ],
        "channels": "\n".join(communication.get("channels") or []),
        "activities": "\n".join(communication.get("activities") or []),
        "visual_identity_checked": bool(data.get("visual_identity_checked")),
        "evidence": [{**e, "date": day(e.get("date"))} for e in data.get("evidence") or [{}]],
    }


# Limits of the form, as the CLI's for a file (1 MB a proposal, graph/proposals/input.py): a 7 MB description was
# stored twice before. Characters per field; fields not named here take DEFAULT_FIELD_CHARS.
FIELD_CHARS = {"description": 20_000, "channels": 5_000, "activities": 5_000}
DEFAULT_FIELD_CHARS = 2_000


def length_problems(form: MultiDict[str, str], content_length: int) -> dict[str, list[str]]:
    """The fields over their limit (and "" for a form over the proposal's limit), each with its message."""
    problems: dict[str, list[str]] = {}
    if content_length > MAX_PROPOSAL_BYTES:
        most, given = f"{MAX_PROPOSAL_BYTES:,}", f"{content_length:,}"
        problems[""] = [
            gettext("A proposal is at most %(limit)s bytes; this one has %(given)s. Shorten the texts.", limit=most,
                    given=given)
        ]  # fmt: skip
    for name, value in form.items(multi=True):
        limit = FIELD_CHARS.get(name, DEFAULT_FIELD_CHARS)
        if len(value) > limit:
            most, given = f"{limit:,}", f"{len(value):,}"
            problems.setdefault(name, []).append(
                gettext("At most %(limit)s characters here (%(given)s given).", limit=most, given=given)
            )
    return problems


@bp.route("/propose", methods=["GET", "POST"])
def form() -> ResponseReturnValue:
    """GET: the form (filled in again with ?revise=ID&key=KEY). POST: check, then store and confirm."""
    lang = chosen_language()
    revise = request.values.get("revise") or None
    key = request.values.get("key")
    if revise and not _key_matches(revise, key):
        abort(403)
    if request.method == "GET" and revise:
        proposal_form = ProposalForm(formdata=None, data=_prefill(_revision_data(revise)))
    else:
        proposal_form = ProposalForm(formdata=request.form if request.method == "POST" else None)
    targets = _choices(proposal_form, lang)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf"))
        except ValidationError:
            abort(400, description="csrf")
        too_long = length_problems(request.form, request.content_length or 0)  # refused before anything is read
        if too_long:
            return _show(proposal_form, targets, too_long, revise, key, status=413)
        action = request.form.get("action", "")
        if action == "suggest":  # suggestions asked for: the form again, nothing checked yet, nothing stored
            return _show(proposal_form, targets, errors, revise, key, suggest=True)
        if action and entries_to_add(proposal_form, action):
            return _show(proposal_form, targets, errors, revise, key)
        valid = proposal_form.validate()
        notations, problems = resolve_targets(proposal_form.sdg_target.data, [(n, w) for n, _, w in targets])
        for field in _all_fields(proposal_form):
            if field.errors and field.name != "csrf":
                errors.setdefault(field.id, []).extend(str(e) for e in field.errors if not isinstance(e, dict))
        if problems:
            errors.setdefault("sdg_target", []).extend(problems)
        if valid and not problems:
            return _store(proposal_form, notations, lang, targets, revise, key)
        status = 400
    return _show(proposal_form, targets, errors, revise, key, status=status)


def _store(
    form: ProposalForm, notations: list[str], lang: str, targets: Any, revise: str | None, key: str | None
) -> ResponseReturnValue:
    settings = current_app.config["L4A_SETTINGS"]
    # Suggestions the applicant ticked go in as if typed; the revision records that they came from a suggestion.
    accepted, provenance = accepted_for_store(draft_of_form(form, revise), targets, form, lang)
    data = merge_accepted(proposal_data(form, notations, lang), accepted)
    data["id"] = revise or free_id(str(data["name"]))
    errors: dict[str, list[str]] = {}
    try:
        stored = submit_data(
            app_store(current_app), data, "web form", settings.base_iri, data.get("submitted_by"), lang, provenance
        )
    except InputError as exc:
        errors.setdefault(_input_field(exc, form), []).append(str(exc).removeprefix(f"{exc.location}: "))
        return _show(form, targets, errors, revise, key, status=400)
    finally:
        release_id(data["id"])
    # A submission changes no published graph: no cache is touched (a lever for a flood otherwise).
    follow = url_for("propose.follow", proposal_id=stored.id, key=follow_key(stored.id), _external=True)
    result = {**stored.as_dict(), "follow": follow, "name": data["name"]}
    if stored.report.conforms:
        return respond("propose_done.html", result, status=201, steps=STEPS)
    # Stored as "needs changes": the form again, as a revision of this proposal, each rule next to its field.
    for r in stored.report.results:
        if r.severity == "Violation":
            errors.setdefault(field_of(r), []).append(plain_words(r.message))
    return _show(form, targets, errors, stored.id, follow_key(stored.id), stored=result)


def _show(
    form: ProposalForm,
    targets: Any,
    errors: dict[str, list[str]],
    revise: str | None,
    key: str | None,
    status: int = 200,
    stored: dict[str, Any] | None = None,
    suggest: bool = False,
) -> ResponseReturnValue:
    labels = {f.id: str(f.label.text) for f in _all_fields(form) if hasattr(f, "label")}
    labels.update(
        {"partners": gettext("Partners"), "deliverables": gettext("Deliverables"), "evidence": gettext("Evidence")}
    )
    summary = [{"field": name, "label": labels.get(name, ""), "message": m} for name, ms in errors.items() for m in ms]
    data = {"errors": summary, "revise": revise, "result": stored}
    lang = chosen_language()
    panel, busy, headers = None, None, {}
    if suggest or wants_panel(form):  # asked for now or before (kept by a hidden field), or some ticked already
        with fair_share() as (wait, allowed):
            if wait or not allowed:  # over the client's share: the form as typed, with a word on when to ask again
                busy, status = busy_message(wait), 429 if wait else 503
                headers = {"Retry-After": str(wait or 5)}
            else:
                options = form_options(targets, form)
                panel = build_panel(draft_of_form(form, revise), targets, options, lang).context
    by_iri = app_labels(current_app).by_iri
    # The language each choice's name is written in: a council named only in English is marked lang="en".
    name_lang = {
        iri: lang if lang in by_iri.get(iri, {}) else "en"
        for iri in [c.value for c in [*form.manifesto.choices, *form.council.choices]]
    }
    page = respond(
        "propose.html",
        data,
        status=status,
        form=form,
        steps=STEPS,
        help=HELP,
        errors=errors,
        targets=targets,
        revise=revise,
        key=key,
        stored=stored,
        required=REQUIRED_BY_RULES,
        name_lang=name_lang,
        councils_in_english=any(name_lang[c.value] != lang for c in form.council.choices),
        panel=panel,
        busy=busy,
    )
    if headers:
        page = make_response(page)
        page.headers.update(headers)
    return page


@bp.post("/api/suggest")
def suggest() -> ResponseReturnValue:
    """JSON for the form's script: the suggestions and similar hubs for the draft sent (web/suggest_api.py)."""
    lang = chosen_language()

    def offered() -> tuple[list[tuple[str, str, str]], dict[str, set[str]]]:
        form = ProposalForm(formdata=None)
        targets = _choices(form, lang)
        return targets, form_options(targets, form)

    # What the form offers depends on the store and the language only: made once, kept until the app writes.
    targets, options = cached(current_app, f"draft_options:{lang}", offered)
    return answer_suggest(targets, options)


@bp.get("/propose/follow/<proposal_id>")
def follow(proposal_id: str) -> ResponseReturnValue:
    """The private page of one proposal: its status, its history, what the rules ask, and a way to revise it."""
    key = request.args.get("key")
    if not _key_matches(proposal_id, key):
        abort(404)
    base = current_app.config["L4A_SETTINGS"].base_iri
    try:
        revision = proposal(app_store(current_app), proposal_id, base)
    except UsageError:
        abort(404)
    found = revision.report.get("results") if isinstance(revision.report, dict) else None
    results: list[Any] = found if isinstance(found, list) else []
    needs = [
        plain_words(str(r.get("message", "")))
        for r in results
        if isinstance(r, dict) and r.get("severity") == "Violation"
    ]
    data = {
        "id": revision.id,
        "revision": revision.number,
        "status": revision.status,
        "conforms": revision.conforms,
        "names": revision.names,
        "changes": [c.__dict__ for c in revision.changes],
        "needs_changes": needs,
        "revise": url_for("propose.form", revise=proposal_id, key=key),
    }
    return respond("propose_follow.html", data)
