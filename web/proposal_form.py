"""The proposal form as WTForms classes (Flask-WTF: CSRF included), in six steps named after the six key features of a
hub, and its mapping to a proposal in the documented format (docs/proposals.md).

Labels and help are plain words in the reader's language (gettext catalogues, web/translations/); no RDF term
appears in them. Deliverables, their indicators, partners, SDG targets and evidence are lists the reader can grow
and shrink (buttons that post the form back, so it works without JavaScript).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

# The organisation types of docs/proposals.md (values stored as given) with their words for the reader.
ORG_TYPES: list[SelectChoice] = [
    SelectChoice("local government", _l("Local government (city, municipality)")),
    SelectChoice("regional government", _l("Regional government (region, province, state)")),
    SelectChoice("association of local governments", _l("Association of local or regional governments")),
    SelectChoice("university", _l("University or research centre")),
    SelectChoice("national government", _l("National government")),
    SelectChoice("UN agency", _l("United Nations agency")),
    SelectChoice("network", _l("Network")),
    SelectChoice("civil society organisation", _l("Civil society organisation")),
    SelectChoice("other", _l("Other")),
]
EVIDENCE_TYPES: list[SelectChoice] = [
    SelectChoice("report", _l("Report")),
    SelectChoice("web page", _l("Web page")),
    SelectChoice("news", _l("News article")),
    SelectChoice("publication", _l("Publication")),
    SelectChoice("declaration", _l("Declaration")),
    SelectChoice("video", _l("Video")),
    SelectChoice("dataset", _l("Dataset")),
]
# The six key features of a hub, in order: each is one step (a fieldset) of the form.
STEPS: list[tuple[str, Any, Any]] = [
    ("hub", _l("The hub"), _l("What the hub is, where it takes place and where to read about it.")),
    ("lead", _l("Who leads it"), _l("A hub is led by a local or regional government, or an association of them.")),
    ("topic", _l("Topic"), _l("What the hub works on: the SDG targets, Durban manifestos and Policy Councils.")),
    ("time", _l("Time and deliverables"), _l("A hub runs one to three years and commits to deliverables.")),
    ("communication", _l("Communication"), _l("How the hub tells people about its work.")),
    ("evidence", _l("Evidence"), _l("Documents or pages that show the hub's work.")),
]
TARGET = re.compile(r"^\s*(?:(?:sdg|ods|target|cible|meta)\s*)?(\d{1,2}\.(?:\d{1,2}|[a-z]))\b", re.IGNORECASE)


def folded(text: str) -> str:
    """Lower case without accents, for matching words in any of the three languages ("Énergie" -> "energie")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class MultiTextField(Field):
    """A list of texts posted under one name (several inputs named alike): the form adds inputs, never renames them."""

    data: list[str]

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [str(v).strip() for v in valuelist if str(v).strip()]

    def _value(self) -> str:
        return ""


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a few choices (manifestos, councils): each visible, no Ctrl-click needed."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OrganisationForm(Form):
    name = StringField(_l("Name of the organisation"), validators=[Optional(), Length(max=300)])
    type = SelectField(_l("Kind of organisation"), choices=ORG_TYPES, default="university")


# A number as people write it in the three languages: 12, 12.5 or 12,5 (the comma becomes a point when stored).
NUMBER = Regexp(r"^\s*-?\d+(?:[.,]\d+)?\s*$", message=_l("Write a number, such as 12 or 12.5."))


class IndicatorForm(Form):
    name = StringField(_l("What is measured"), validators=[Optional(), Length(max=300)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=100)])
    baseline = StringField(_l("Value at the start"), validators=[Optional(), Length(max=40), NUMBER])
    target_value = StringField(_l("Value aimed for"), validators=[Optional(), Length(max=40), NUMBER])
    due_date = DateField(_l("Date to reach it"), validators=[Optional()])


class DeliverableForm(Form):
    title = StringField(_l("What will be delivered"), validators=[Optional(), Length(max=300)])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    indicators = FieldList(FormField(IndicatorForm), min_entries=1, max_entries=10)


class EvidenceForm(Form):
    url = StringField(_l("Address (URL)"), validators=[Optional(), URL(require_tld=False), Length(max=2000)])
    type = SelectField(_l("Kind of document"), choices=EVIDENCE_TYPES, default="report")
    date = DateField(_l("Date of the document"), validators=[Optional()])


class ProposalForm(FlaskForm):
    """The whole form; its choices (countries, targets, manifestos, councils, sections) are set per request."""

    # 1. The hub
    name = StringField(_l("Name of the hub"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000)])
    theme = StringField(_l("Theme"), validators=[Optional(), Length(max=300)])
    city = StringField(_l("City or place"), validators=[Optional(), Length(max=200)])
    country = SelectField(_l("Country"), validators=[Optional()])
    website = StringField(_l("Web site of the hub"), validators=[Optional(), URL(require_tld=False)])
    # 2. Who leads it
    lead_name = StringField(_l("Leading government or association"), validators=[Optional(), Length(max=300)])
    lead_type = SelectField(_l("Kind of organisation"), choices=ORG_TYPES[:3], default="local government")
    lead_country = SelectField(_l("Its country"), validators=[Optional()])
    partners = FieldList(FormField(OrganisationForm), min_entries=1, max_entries=20)
    # 3. Topic
    sdg_target = MultiTextField(_l("SDG targets"))
    manifesto = MultiCheckboxField(_l("Durban manifestos"), choices=[])
    council = MultiCheckboxField(_l("UCLG Policy Councils"), choices=[])
    section = SelectField(_l("UCLG section"), validators=[Optional()])
    # Suggestions from the hub's own text that the applicant ticked (web/draft_panel.py): nothing is ticked for them;
    # once sent, each is the applicant's own claim, recorded as accepted from a suggestion.
    accept_target = MultiTextField(_l("Suggested SDG targets you accept"))
    accept_goal = MultiTextField(_l("Suggested SDG goals you accept"))
    accept_manifesto = MultiTextField(_l("Suggested Durban manifestos you accept"))
    accept_council = MultiTextField(_l("Suggested Policy Councils you accept"))
    # 4. Time and deliverables
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    deliverables = FieldList(FormField(DeliverableForm), min_entries=1, max_entries=20)
    # 5. Communication
    channels = TextAreaField(_l("Channels"), validators=[Optional(), Length(max=5_000)])
    activities = TextAreaField(_l("Activities"), validators=[Optional(), Length(max=5_000)])
    visual_identity_checked = BooleanField(_l("We checked our communication against the Local4Action visual identity"))
    # 6. Evidence
    evidence = FieldList(FormField(EvidenceForm), min_entries=1, max_entries=20)
    submitted_by = StringField(_l("Your name or office"), validators=[Optional(), Length(max=200)])

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data <= self.start_date.data:
            raise ValidationError(_l("The end date must come after the start date."))


# Help under each field, in plain words (no RDF term): the reader's language through the catalogues.
HELP: dict[str, Any] = {
    "name": _l("The hub's name as people know it."),
    "description": _l("A few sentences: what the hub does, for whom, and what it shares with other cities."),
    "theme": _l("In a few words, for example: urban greening and heat resilience."),
    "city": _l("Where the hub takes place."),
    "website": _l("A page about the hub, starting with https://"),
    "lead_name": _l("The government or association that leads the hub and answers for it."),
    "partners": _l("Universities, UN agencies, networks and others that take part. Leave empty if none."),
    "sdg_target": _l("Type a target's number (11.3) or words from it (housing), then pick it from the list."),
    "manifesto": _l("The Durban 2019 manifestos the hub works on."),
    "council": _l("The UCLG Policy Councils the hub's work concerns."),
    "start_date": _l("When the hub's work begins."),
    "end_date": _l("A hub runs between one and three years."),
    "deliverables": _l("What the hub commits to deliver, each with a date and a way to measure progress."),
    "channels": _l("One per line, for example: city web site, local radio."),
    "activities": _l("One per line, for example: launch event with the neighbourhoods."),
    "evidence": _l("Documents or pages that show the work: a plan, a report, a news article."),
    "submitted_by": _l("So that the secretariat knows whom the proposal comes from."),
}


def entries_to_add(form: ProposalForm, action: str) -> bool:
    """Grow or shrink a list when the reader pressed "add ..." or "remove ..."; True when the form changed.

    Actions: add-deliverables, add-partners, add-evidence, add-sdg_target, add-indicator-N (deliverable N),
    remove-deliverables-N, remove-partners-N, remove-evidence-N, remove-indicator-N-M.
    """
    parts = action.split("-")
    if len(parts) < 2 or parts[0] not in ("add", "remove"):
        return False
    verb, what, numbers = parts[0], parts[1], [int(p) for p in parts[2:] if p.isdigit()]
    lists: dict[str, FieldList] = {
        "deliverables": form.deliverables,
        "partners": form.partners,
        "evidence": form.evidence,
    }
    if what == "sdg_target" and verb == "add":
        form.sdg_target.data = [*form.sdg_target.data, ""]
        return True
    if what == "indicator" and numbers and numbers[0] < len(form.deliverables.entries):
        indicators = form.deliverables.entries[numbers[0]].form.indicators
        if verb == "add" and len(indicators.entries) < (indicators.max_entries or 10):
            indicators.append_entry()
        elif verb == "remove" and len(numbers) == 2:
            _remove(indicators, numbers[1])
        return True
    if what in lists:
        if verb == "add" and len(lists[what].entries) < (lists[what].max_entries or 20):
            lists[what].append_entry()
        elif verb == "remove" and numbers:
            _remove(lists[what], numbers[0])
        return True
    return False


def _remove(entries: FieldList, index: int) -> None:
    if 0 <= index < len(entries.entries):
        del entries.entries[index]
        entries.last_index = len(entries.entries) - 1
        for n, entry in enumerate(entries.entries):  # renumber, so the posted names stay 0..n-1
            _rename(entry, f"{entries.name}-{n}")
    if not entries.entries:
        entries.append_entry()


def _rename(field: Field, name: str) -> None:
    old = field.name
    field.name = field.id = name
    for sub in getattr(field, "form", None) or ():
        _rename(sub, sub.name.replace(old, name, 1))


def resolve_targets(given: Iterable[str], targets: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The notations of the SDG targets typed (by number, "11.3 — words", or words in any of the three languages)
    and, for each text that names no single target, a message saying why and what would fix it.

    `targets` are (notation, words) pairs, the words being every label of the target, for matching.
    """
    notations: list[str] = []
    problems: list[str] = []
    known = {notation for notation, _ in targets}
    for text in given:
        numbered = TARGET.match(text)
        if numbered:
            notations.append(numbered.group(1).lower())  # an unknown number is left to the rules (exact message)
            continue
        words = folded(text).split()
        found = [n for n, labels in targets if all(w in folded(labels) for w in words)] if words else []
        if len(found) == 1:
            notations.append(found[0])
        elif not found:
            problems.append(str(_l("No SDG target matches “%(text)s”: type its number, for example 11.3.", text=text)))
        else:
            shown = ", ".join(sorted(found, key=notation_key)[:8])
            problems.append(
                str(
                    _l(
                        "“%(text)s” matches several targets (%(found)s): pick one from the list.",
                        text=text,
                        found=shown,
                    )
                )
            )
    del known
    return notations, problems


def notation_key(notation: str) -> tuple[tuple[int, int | str], ...]:
    """Sort SDG notations as people count: 1, 2, ... 17; 1.1 ... 1.9, 1.10, 1.a, 1.b."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in notation.split("."))


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def proposal_data(form: ProposalForm, targets: list[str], lang: str) -> dict[str, Any]:
    """The form's answers as a proposal in the documented format (the same pipeline as `l4a propose`)."""
    data: dict[str, Any] = {"language": lang}
    for key in ("name", "description", "theme", "city", "country", "website", "submitted_by", "section"):
        value = getattr(form, key).data
        if value and str(value).strip():
            data[key] = str(value).strip()
    if (form.lead_name.data or "").strip():
        lead: dict[str, Any] = {"name": form.lead_name.data.strip(), "type": form.lead_type.data}
        if form.lead_country.data:
            lead["country"] = form.lead_country.data
        data["lead"] = [lead]
    partners = [
        {"name": e.form.name.data.strip(), "type": e.form.type.data}
        for e in form.partners.entries
        if (e.form.name.data or "").strip()
    ]
    if partners:
        data["partners"] = partners
    if targets:
        data["sdg_targets"] = targets
    if form.manifesto.data:
        data["manifestos"] = list(form.manifesto.data)
    if form.council.data:
        data["policy_councils"] = list(form.council.data)
    for key in ("start_date", "end_date"):
        if getattr(form, key).data:
            data[key] = getattr(form, key).data.isoformat()
    data["visual_identity_checked"] = bool(form.visual_identity_checked.data)
    deliverables = []
    for entry in form.deliverables.entries:
        sub = entry.form
        if not (sub.title.data or "").strip():
            continue
        deliverable: dict[str, Any] = {"title": sub.title.data.strip()}
        if sub.due_date.data:
            deliverable["due_date"] = sub.due_date.data.isoformat()
        indicators = []
        for item in sub.indicators.entries:
            indicator = {
                k: str(getattr(item.form, k).data).strip()
                for k in ("name", "unit", "baseline", "target_value")
                if (getattr(item.form, k).data or "").strip()
            }
            for k in ("baseline", "target_value"):  # 12,5 as written in French or Spanish is the number 12.5
                if k in indicator:
                    indicator[k] = indicator[k].replace(",", ".")
            if item.form.due_date.data:
                indicator["due_date"] = item.form.due_date.data.isoformat()
            if indicator:
                indicators.append(indicator)
        if indicators:
            deliverable["indicators"] = indicators
        deliverables.append(deliverable)
    if deliverables:
        data["deliverables"] = deliverables
    channels, activities = lines(form.channels.data), lines(form.activities.data)
    if channels or activities:
        data["communication"] = {"channels": channels, "activities": activities}
    evidence = []
    for entry in form.evidence.entries:
        if (entry.form.url.data or "").strip():
            document: dict[str, Any] = {"url": entry.form.url.data.strip(), "type": entry.form.type.data}
            if entry.form.date.data:
                document["date"] = entry.form.date.data.isoformat()
            evidence.append(document)
    if evidence:
        data["evidence"] = evidence
    return data
