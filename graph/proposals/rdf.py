"""Map a proposal (the documented YAML/JSON/CSV format, read by proposal_input.py) to RDF in the l4a ontology.

Values of the wrong kind (a date that is not a date, a number that is not a number, an unknown field) are input
errors that name the field path and its line; references that do not resolve (SDG 18.1) are returned as
`Unresolved` so that the report can name the value and suggest the closest valid ones.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from l4a.graph.errors import InputError
from l4a.graph.namespaces import DCTERMS, L4A, OWL, RDF, RDFS, SCHEMA, XSD, record_iri
from l4a.graph.proposals.input import RawProposal
from l4a.graph.proposals.references import References, normalize

LANGUAGES = ("en", "fr", "es")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Organisation types as people write them, in English, French and Spanish (normalized), to ontology classes.
ORG_TYPES = {
    "LocalGovernment": "local government, municipality, city, town, city council, gouvernement local, collectivite "
    "locale, commune, municipalite, ville, gobierno local, municipio, ayuntamiento, ciudad, alcaldia",
    "RegionalGovernment": "regional government, region, province, state government, gouvernement regional, "
    "collectivite regionale, departement, gobierno regional, provincia, gobernacion, diputacion",
    "LocalOrRegionalGovernment": "local or regional government, collectivite territoriale, gobierno subnacional",
    "LRGAssociation": "association, association of local governments, association of local and regional "
    "governments, lrg association, association de collectivites, association de villes, asociacion de municipios, "
    "asociacion de gobiernos locales, federacion de municipios",
    "NationalGovernment": "national government, ministry, gouvernement national, ministere, gobierno nacional, "
    "ministerio",
    "University": "university, research centre, research center, universite, centre de recherche, universidad, "
    "centro de investigacion",
    "UNAgency": "un agency, united nations agency, agence des nations unies, agencia de naciones unidas",
    "Network": "network, reseau, red",
    "CivilSocietyOrganisation": "civil society organisation, civil society organization, ngo, societe civile, ong, "
    "sociedad civil",
    "OtherOrganisation": "other, autre, otra, otro",
}
ORG_NAMES = {
    normalize(name): cls for cls, names in ORG_TYPES.items() for name in [cls, *names.split(", ")] if name.strip()
}
ORG_FIELDS = {"name", "type", "country", "wikidata", "website"}
DELIVERABLE_FIELDS = {"title", "due_date", "indicators", "description"}
INDICATOR_FIELDS = {"name", "unit", "baseline", "target_value", "due_date"}
EVIDENCE_FIELDS = {"url", "type", "date", "publisher", "language", "title"}
COMMUNICATION_FIELDS = {"channels", "activities"}
TOP_FIELDS = {
    "id", "language", "name", "description", "theme", "city", "region", "country", "lead", "partners",
    "sdg_targets", "sdg_goals", "manifestos", "policy_councils", "section", "pact_axes", "events", "builds_on",
    "start_date", "end_date", "launch_date", "deliverables", "communication", "evidence", "website",
    "visual_identity_checked", "submitted_by",
}  # fmt: skip


@dataclass(frozen=True)
class Unresolved:
    """A reference that points at nothing known: where, what kind, the value given, the closest valid ones."""

    path: str
    predicate: str
    kind: str
    given: str
    suggestions: tuple[str, ...]
    suggestions_by_lang: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Mapped:
    """One proposal in RDF: its id, hub IRI, triples, unresolved references and who submitted it."""

    id: str
    hub: str
    triples: list[ox.Triple] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    submitted_by: str | None = None
    names: dict[str, str] = field(default_factory=dict)


def typed(text: str, xsd_name: str) -> ox.Literal:
    """A literal of an XML Schema datatype, e.g. typed("12", "integer")."""
    return ox.Literal(text, datatype=ox.NamedNode(XSD + xsd_name))


def slugify(text: str) -> str:
    """A lower-case, hyphenated identifier made of a text's words (at most 80 characters)."""
    return "-".join(normalize(text).split())[:80].strip("-")


class _Mapper:
    def __init__(self, raw: RawProposal, refs: References, base: str) -> None:
        self.raw, self.refs, self.base = raw, refs, base
        self.data = raw.data
        self.language = "en"
        self.triples: list[ox.Triple] = []
        self.unresolved: list[Unresolved] = []

    # --- errors and checks -------------------------------------------------------------------------------------

    def fail(self, path: str, message: str, hint: str | None = None) -> InputError:
        return InputError(f"{path or 'the proposal'}: {message}", self.raw.location(path), hint)

    def fields(self, value: Any, path: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a set of fields ({', '.join(sorted(allowed))}), found {value!r}.")
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f"Did you mean {close[0]!r}?" if close else f"Known fields: {', '.join(sorted(allowed))}."
                raise self.fail(f"{path}.{key}" if path else str(key), "unknown field.", hint)
        return value

    def listed(self, value: Any, path: str) -> list[tuple[str, Any]]:
        items = value if isinstance(value, list) else [value]
        return [(f"{path}[{i}]" if isinstance(value, list) else path, item) for i, item in enumerate(items)]

    def text(self, value: Any, path: str) -> list[ox.Literal]:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return [ox.Literal(str(value).strip(), language=self.language)] if str(value).strip() else []
        if isinstance(value, dict):
            literals = []
            for lang, text in value.items():
                if lang not in LANGUAGES:
                    raise self.fail(f"{path}.{lang}", "texts are given in en, fr or es.", "Use en, fr or es keys.")
                if not isinstance(text, (str, int, float)) or isinstance(text, bool):
                    raise self.fail(f"{path}.{lang}", f"expected a text, found {text!r}.")
                if str(text).strip():
                    literals.append(ox.Literal(str(text).strip(), language=lang))
            return literals
        raise self.fail(path, f"expected a text (or en/fr/es texts), found {value!r}.")

    def plain(self, value: Any, path: str) -> str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value).strip()
        raise self.fail(path, f"expected a text, found {value!r}.")

    def date(self, value: Any, path: str) -> ox.Literal:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
        text = str(value).strip() if isinstance(value, (str, int)) else ""
        for pattern, datatype, check in (
            (r"^\d{4}-\d{2}-\d{2}$", "date", "%Y-%m-%d"),
            (r"^\d{4}-\d{2}$", "gYearMonth", "%Y-%m"),
            (r"^\d{4}$", "gYear", "%Y"),
        ):
            if re.match(pattern, text):
                try:
                    dt.datetime.strptime(text, check)
                except ValueError:
                    break
                return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))
        raise self.fail(path, f"{value!r} is not a date.", "Write dates as YYYY-MM-DD (or YYYY-MM, or YYYY).")

    def number(self, value: Any, path: str) -> ox.Literal:
        if isinstance(value, bool):
            raise self.fail(path, f"expected a number, found {value!r}.")
        text = str(value).strip().replace(",", ".") if isinstance(value, str) else value
        if isinstance(text, int) or (isinstance(text, str) and re.match(r"^[+-]?\d+$", text)):
            return typed(str(int(text)), "integer")
        if isinstance(text, float) or (isinstance(text, str) and re.match(r"^[+-]?(\d+\.\d*|\.\d+)$", text)):
            return typed(repr(float(text)) if isinstance(text, float) else text, "decimal")
        raise self.fail(path, f"expected a number, found {value!r}.", "Write the number alone; put the unit in 'unit'.")

    def url(self, value: Any, path: str) -> ox.NamedNode:
        text = self.plain(value, path)
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", text):
            raise self.fail(path, f"{text!r} is not a web address.", "Write the full address, starting with https://.")
        try:
            return ox.NamedNode(text)
        except ValueError as exc:
            raise self.fail(path, f"{text!r} is not a valid web address.") from exc

    def add(self, subject: ox.NamedNode, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(subject, ox.NamedNode(predicate), obj))

    def reference(self, subject: ox.NamedNode, predicate: str, kind: str, value: Any, path: str) -> None:
        given = self.plain(value, path)
        resolved = self.refs.resolve(kind, given)
        if resolved.iri is not None:
            self.add(subject, predicate, ox.NamedNode(resolved.iri))
        else:
            self.unresolved.append(
                Unresolved(path, predicate, kind, given, resolved.suggestions, resolved.suggestions_by_lang)
            )

    # --- the proposal ------------------------------------------------------------------------------------------

    def run(self) -> Mapped:
        data = self.fields(self.data, "", TOP_FIELDS)
        if "language" in data:
            self.language = self.plain(data["language"], "language")
            if self.language not in LANGUAGES:
                raise self.fail("language", f"{self.language!r} is not one of en, fr, es.")
        names = self.text(data.get("name", ""), "name")
        slug = self._id(data, names)
        hub = ox.NamedNode(record_iri(self.base, "hub", slug))
        self.add(hub, RDF + "type", ox.NamedNode(L4A + "Hub"))
        self.add(hub, L4A + "status", ox.NamedNode(record_iri(self.base, "status", "submitted")))
        for literal in names:
            self.add(hub, DCTERMS + "title", literal)
        for key, predicate in (("description", DCTERMS + "description"), ("theme", L4A + "theme")):
            for literal in self.text(data.get(key, ""), key):
                self.add(hub, predicate, literal)
        for key, predicate in (("city", L4A + "city"), ("region", L4A + "region")):
            if key in data:
                self.add(hub, predicate, ox.Literal(self.plain(data[key], key)))
        if "country" in data:
            self.add(hub, L4A + "countryCode", self._country(data["country"], "country"))
        for key, predicate in (("lead", L4A + "ledBy"), ("partners", L4A + "partner")):
            for path, org in self.listed(data.get(key, []), key):
                self.add(hub, predicate, self._organisation(org, path))
        for key, predicate, kind in (
            ("sdg_targets", L4A + "addressesTarget", "target"),
            ("sdg_goals", L4A + "addressesGoal", "goal"),
            ("manifestos", L4A + "addressesManifesto", "manifesto"),
            ("policy_councils", L4A + "relevantCouncil", "council"),
            ("section", L4A + "section", "section"),
            ("events", L4A + "presentedAt", "event"),
        ):
            for path, value in self.listed(data.get(key, []), key):
                self.reference(hub, predicate, kind, value, path)
        for path, value in self.listed(data.get("builds_on", []), "builds_on"):
            other = self.plain(value, path)
            iri = other if other.startswith(("http://", "https://")) else record_iri(self.base, "hub", other)
            self.add(hub, L4A + "buildsOn", self._iri(iri, path))
        for key, predicate in (("start_date", "startDate"), ("end_date", "endDate"), ("launch_date", "launchDate")):
            if key in data:
                self.add(hub, L4A + predicate, self.date(data[key], key))
        if "visual_identity_checked" in data:
            checked = data["visual_identity_checked"]
            if not isinstance(checked, bool) and str(checked).lower() not in ("true", "false", "yes", "no"):
                raise self.fail("visual_identity_checked", f"expected true or false, found {checked!r}.")
            flag = checked if isinstance(checked, bool) else str(checked).lower() in ("true", "yes")
            self.add(hub, L4A + "visualIdentityChecked", typed(str(flag).lower(), "boolean"))
        if "website" in data:
            self.add(hub, SCHEMA + "url", self.url(data["website"], "website"))
        for n, (path, deliverable) in enumerate(self.listed(data.get("deliverables", []), "deliverables"), 1):
            self._deliverable(hub, slug, n, deliverable, path)
        if "communication" in data:
            self._communication(hub, slug, data["communication"])
        for n, (path, evidence) in enumerate(self.listed(data.get("evidence", []), "evidence"), 1):
            self._evidence(hub, slug, n, evidence, path)
        who = self.plain(data["submitted_by"], "submitted_by") if "submitted_by" in data else None
        shown = {lit.language or self.language: lit.value for lit in names}
        return Mapped(slug, hub.value, self.triples, self.unresolved, who, shown)

    def _id(self, data: dict[str, Any], names: list[ox.Literal]) -> str:
        if "id" in data:
            slug = self.plain(data["id"], "id")
            if not SLUG.match(slug):
                raise self.fail("id", f"{slug!r} is not an identifier.", "Use lower-case letters, digits and hyphens.")
            return slug
        if not names:
            raise self.fail("name", "a proposal needs a name (or an id).", "Add name: with the hub's name.")
        return slugify(names[0].value)

    def _iri(self, text: str, path: str) -> ox.NamedNode:
        try:
            return ox.NamedNode(text)
        except ValueError as exc:
            raise self.fail(path, f"{text!r} is not a valid identifier.") from exc

    def _country(self, value: Any, path: str) -> ox.Literal:
        code = self.plain(value, path).upper()
        if not re.match(r"^[A-Z]{2}$", code):
            raise self.fail(path, f"{value!r} is not a country code.", "Use the two-letter ISO code, such as ES or TR.")
        return ox.Literal(code)

    def _organisation(self, value: Any, path: str) -> ox.NamedNode:
        org = self.fields({"name": value} if isinstance(value, str) else value, path, ORG_FIELDS)
        if "name" not in org:
            raise self.fail(path, "an organisation needs a name.")
        name = self.plain(org["name"], f"{path}.name")
        node = ox.NamedNode(record_iri(self.base, "org", slugify(name) or "organisation"))
        self.add(node, RDFS + "label", ox.Literal(name, language=self.language))
        if "type" in org:
            given = self.plain(org["type"], f"{path}.type")
            cls = ORG_NAMES.get(normalize(given))
            if cls:
                self.add(node, RDF + "type", ox.NamedNode(L4A + cls))
            else:
                close = difflib.get_close_matches(normalize(given), list(ORG_NAMES), n=3, cutoff=0.5)
                missing = Unresolved(f"{path}.type", RDF + "type", "organisation type", given, tuple(close))
                self.unresolved.append(missing)
        if "country" in org:
            self.add(node, L4A + "countryCode", self._country(org["country"], f"{path}.country"))
        if "wikidata" in org:
            qid = self.plain(org["wikidata"], f"{path}.wikidata").rsplit("/", 1)[-1]
            if not re.match(r"^Q\d+$", qid):
                raise self.fail(f"{path}.wikidata", f"{qid!r} is not a Wikidata item.", "Give its Q-number: Q1492.")
            self.add(node, OWL + "sameAs", ox.NamedNode(f"http://www.wikidata.org/entity/{qid}"))
        if "website" in org:
            self.add(node, SCHEMA + "url", self.url(org["website"], f"{path}.website"))
        return node

    def _deliverable(self, hub: ox.NamedNode, slug: str, n: int, value: Any, path: str) -> None:
        fields = self.fields(value, path, DELIVERABLE_FIELDS)
        node = ox.NamedNode(record_iri(self.base, "deliverable", f"{slug}-{n}"))
        self.add(hub, L4A + "hasDeliverable", node)
        self.add(node, RDF + "type", ox.NamedNode(L4A + "Deliverable"))
        for literal in self.text(fields.get("title", ""), f"{path}.title"):
            self.add(node, DCTERMS + "title", literal)
        for literal in self.text(fields.get("description", ""), f"{path}.description"):
            self.add(node, DCTERMS + "description", literal)
        if "due_date" in fields:
            self.add(node, L4A + "dueDate", self.date(fields["due_date"], f"{path}.due_date"))
        for m, (ipath, indicator) in enumerate(self.listed(fields.get("indicators", []), f"{path}.indicators"), 1):
            self._indicator(node, f"{slug}-{n}-{m}", indicator, ipath)

    def _indicator(self, deliverable: ox.NamedNode, slug: str, value: Any, path: str) -> None:
        fields = self.fields(value, path, INDICATOR_FIELDS)
        node = ox.NamedNode(record_iri(self.base, "indicator", slug))
        self.add(deliverable, L4A + "hasIndicator", node)
        self.add(node, RDF + "type", ox.NamedNode(L4A + "Indicator"))
        for literal in self.text(fields.get("name", ""), f"{path}.name"):
            self.add(node, RDFS + "label", literal)
        if "unit" in fields:
            self.add(node, L4A + "unit", ox.Literal(self.plain(fields["unit"], f"{path}.unit")))
        for key, predicate in (("baseline", "baseline"), ("target_value", "targetValue")):
            if key in fields:
                self.add(node, L4A + predicate, self.number(fields[key], f"{path}.{key}"))
        if "due_date" in fields:
            self.add(node, L4A + "dueDate", self.date(fields["due_date"], f"{path}.due_date"))

    def _communication(self, hub: ox.NamedNode, slug: str, value: Any) -> None:
        fields = self.fields(value, "communication", COMMUNICATION_FIELDS)
        node = ox.NamedNode(record_iri(self.base, "communication-plan", slug))
        self.add(hub, L4A + "hasCommunicationPlan", node)
        self.add(node, RDF + "type", ox.NamedNode(L4A + "CommunicationPlan"))
        for key, predicate in (("channels", "channel"), ("activities", "activity")):
            for path, item in self.listed(fields.get(key, []), f"communication.{key}"):
                for literal in self.text(item, path):
                    self.add(node, L4A + predicate, literal)

    def _evidence(self, hub: ox.NamedNode, slug: str, n: int, value: Any, path: str) -> None:
        fields = self.fields({"url": value} if isinstance(value, str) else value, path, EVIDENCE_FIELDS)
        node = ox.NamedNode(record_iri(self.base, "evidence", f"{slug}-{n}"))
        self.add(hub, L4A + "hasEvidence", node)
        self.add(node, RDF + "type", ox.NamedNode(L4A + "Evidence"))
        self.add(node, L4A + "supports", hub)
        if "url" in fields:
            url = self.url(fields["url"], f"{path}.url")
            self.add(node, SCHEMA + "url", url)
            self.add(node, DCTERMS + "source", url)
        if "type" in fields:
            self.reference(node, L4A + "evidenceType", "evidence type", fields["type"], f"{path}.type")
        if "date" in fields:
            self.add(node, DCTERMS + "date", self.date(fields["date"], f"{path}.date"))
        if "publisher" in fields:
            self.add(node, DCTERMS + "publisher", ox.Literal(self.plain(fields["publisher"], f"{path}.publisher")))
        if "language" in fields:
            lang = self.plain(fields["language"], f"{path}.language").lower()
            if not re.match(r"^[a-z]{2,3}(-[a-z0-9]+)*$", lang):
                raise self.fail(f"{path}.language", f"{lang!r} is not a language code.", "Use e.g. en, fr or es.")
            self.add(node, DCTERMS + "language", ox.Literal(lang, datatype=ox.NamedNode(XSD + "language")))
        for literal in self.text(fields.get("title", ""), f"{path}.title"):
            self.add(node, DCTERMS + "title", literal)


def map_proposal(raw: RawProposal, refs: References, base: str) -> Mapped:
    """The proposal as RDF (InputError naming the field and line when a value is of the wrong kind)."""
    return _Mapper(raw, refs, base).run()
