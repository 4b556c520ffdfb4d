"""The proposal pipeline shared by `l4a propose` and the web form: parse, map to RDF, the SHACL gate, store.

Every submission is kept as a numbered revision in a named graph of its own (graph/proposal/<id>/<n>): its
original bytes, the hub record it was read into (as N-Triples text, apart from the published graph until it is
accepted), its validation report and its status history. A file that cannot be read stores nothing; each write is
one store transaction, so it either completes or leaves the store as it was.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from l4a.graph.errors import InputError, Location
from l4a.graph.i18n.words import N_, words
from l4a.graph.namespaces import DCTERMS, L4A, PROV, RDF, RDFS, XSD, graph_iri, record_iri
from l4a.graph.proposals.accepted import AcceptedSuggestion, accepted_quads
from l4a.graph.proposals.confine import confine, existing_message, foreign_message
from l4a.graph.proposals.input import MEDIA_TYPES, RawProposal, input_kind, read_proposals
from l4a.graph.proposals.rdf import Mapped, Unresolved, map_proposal, slugify, typed
from l4a.graph.proposals.references import References, shipped_references
from l4a.graph.resources import internal_query
from l4a.graph.shacl.report import report_json
from l4a.graph.shacl.validation import (
    DRAFT_PROPOSAL,
    PROPOSES,
    ValidationReport,
    ValidationResult,
    collapse_proposal_twins,
    owners,
    proposal_scratch,
    shipped_validator,
)
from l4a.graph.store.base import Store
from l4a.graph.store.rdf_formats import guess_format, iter_quads

KNOWN_REFERENCE = "https://w3id.org/l4a/shapes#proposal-known-reference"
OWN_RECORDS = "https://w3id.org/l4a/shapes#proposal-own-records"
KNOWN_REFERENCE_COMPONENT = "https://w3id.org/l4a/shapes#KnownReferenceComponent"
# The kinds of reference a proposal names, as people read them (translated where shown).
KIND_NAMES = {
    "target": N_("SDG target"), "goal": N_("SDG goal"), "manifesto": N_("Durban manifesto"),
    "council": N_("Policy Council"), "section": N_("UCLG section"), "evidence type": N_("evidence type"),
    "event": N_("event"), "organisation type": N_("organisation type"),
}  # fmt: skip
# One lock per process: finding a proposal's next revision number and writing it happen together.
WRITE_LOCK = threading.Lock()


@dataclass
class Submission:
    """One proposal read from a file and mapped, ready for the gate."""

    raw: RawProposal
    mapped: Mapped
    report: ValidationReport = field(default_factory=ValidationReport)
    accepted: tuple[AcceptedSuggestion, ...] = ()  # links the applicant ticked among suggestions (the web form)


@dataclass(frozen=True)
class Stored:
    """What happened to one submitted proposal."""

    id: str
    revision: int
    status: str
    hub: str
    source: str
    report: ValidationReport

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "revision": self.revision,
            "status": self.status,
            "hub": self.hub,
            "source": self.source,
            "conforms": self.report.conforms,
            "results": [r.as_dict() for r in self.report.results],
        }


def read_submissions(
    paths: Sequence[Path], base: str, refs: References | None = None, kind: str | None = None
) -> list[Submission]:
    """Every proposal in the files, mapped to RDF; InputError (nothing stored) if any cannot be read."""
    refs = refs or shipped_references(base)
    submissions = []
    for path in paths:
        form = input_kind(path, kind)
        raws = _read_rdf(path) if form == "rdf" else read_proposals(path, form)
        for raw in raws:
            mapped = raw.data["__mapped__"] if "__mapped__" in raw.data else map_proposal(raw, refs, base)
            submissions.append(Submission(raw, mapped))
    return submissions


def _read_rdf(path: Path) -> list[RawProposal]:
    """A Turtle, JSON-LD, RDF/XML, N-Triples or TriG file describing one hub, taken as it is."""
    quads = list(iter_quads(path, guess_format(path)))
    hub_type = ox.NamedNode(L4A + "Hub")
    hubs = sorted({q.subject.value for q in quads if q.object == hub_type and isinstance(q.subject, ox.NamedNode)})
    if len(hubs) != 1:
        raise InputError(
            f"an RDF proposal describes exactly one l4a:Hub; this file describes {len(hubs)}.",
            Location(path),
            "Put each hub in a file of its own.",
        )
    hub = hubs[0]
    slug = slugify(hub.rstrip("/").rsplit("/", 1)[-1])
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    names = {
        q.object.language or "en": q.object.value
        for q in quads
        if q.subject == ox.NamedNode(hub)
        and q.predicate == ox.NamedNode(DCTERMS + "title")
        and isinstance(q.object, ox.Literal)
    }
    mapped = Mapped(slug, hub, triples, [], None, names)
    media = "text/turtle" if path.suffix.lower() in (".ttl", ".turtle") else "application/octet-stream"
    raw = RawProposal({"__mapped__": mapped}, str(path), 0, path.read_bytes(), media)
    return [raw]


def gate(submissions: Sequence[Submission], context: Store | None, base: str, lang: str = "en") -> None:
    """Validate every submission as a proposal (all in one pass), filling in each one's report."""
    validator = shipped_validator()
    confinement = {id(s): _confine(s, context, base, lang) for s in submissions}
    for batch in _batches(submissions):
        candidates = {i: s.mapped.triples for i, s in enumerate(batch)}
        hubs = {s.mapped.hub for s in batch}
        scratch = proposal_scratch(candidates, hubs, context, base)
        markers = [
            ox.Quad(ox.NamedNode(DRAFT_PROPOSAL), ox.NamedNode(PROPOSES), ox.NamedNode(h), ox.DefaultGraph())
            for h in sorted(hubs)
        ]
        scratch.add_quads(markers)
        report = collapse_proposal_twins(validator.validate_store(scratch, lang))
        owner = owners(scratch)
        by_hub: dict[str, list[ValidationResult]] = {}
        for result in report.results:
            by_hub.setdefault(owner.get(result.focus, result.focus), []).append(result)
        for submission in batch:
            results = by_hub.get(submission.mapped.hub, [])
            results += [_reference_result(submission.mapped.hub, u, lang) for u in submission.mapped.unresolved]
            results += confinement[id(submission)]
            submission.report = ValidationReport(results)


def _confine(submission: Submission, context: Store | None, base: str, lang: str) -> list[ValidationResult]:
    """Keep only the statements a proposal may make (proposals/confine.py); what was left out, as results: a
    Violation naming each other record it spoke about, an Info for each published organisation it names."""
    mapped = submission.mapped
    confined = confine(mapped.triples, mapped.hub, mapped.id, context, base)
    mapped.triples = confined.kept
    results = [
        ValidationResult(subject, None, None, "Violation", foreign_message([subject], lang), OWN_RECORDS, OWN_RECORDS)
        for subject in sorted(confined.foreign)
    ]
    results += [
        ValidationResult(subject, None, None, "Info", existing_message(subject, lang), OWN_RECORDS, OWN_RECORDS)
        for subject in sorted(confined.existing)
    ]
    return results


def _batches(submissions: Sequence[Submission]) -> Iterator[list[Submission]]:
    """Groups in which no two submissions describe the same hub (their data must not mix)."""
    pending = list(submissions)
    while pending:
        seen: set[str] = set()
        batch: list[Submission] = []
        rest: list[Submission] = []
        for submission in pending:
            (rest if submission.mapped.hub in seen else batch).append(submission)
            seen.add(submission.mapped.hub)
        yield batch
        pending = rest


def _reference_result(hub: str, unresolved: Unresolved, lang: str) -> ValidationResult:
    w = words(lang)
    kind = w.gettext(KIND_NAMES[unresolved.kind])
    closest = ", ".join(unresolved.suggestions_by_lang.get(lang) or unresolved.suggestions)
    message = w.gettext("Known reference: there is no %(kind)s %(given)s.", kind=kind, given=repr(unresolved.given))
    if closest:
        message += " " + w.gettext("The closest: %(names)s.", names=closest)
    message += " " + w.gettext("Use one of the programme's own values.")
    return ValidationResult(
        focus=hub,
        path=unresolved.predicate,
        value=unresolved.given,
        severity="Violation",
        message=message,
        shape=KNOWN_REFERENCE,
        component=KNOWN_REFERENCE_COMPONENT,
    )


def store_submissions(
    store: Store, submissions: Sequence[Submission], base: str, who: str | None = None, now: dt.datetime | None = None
) -> list[Stored]:
    """Store each submission as the next revision of its proposal, all in one transaction."""
    now = now or dt.datetime.now(dt.UTC)
    stored: list[Stored] = []
    with WRITE_LOCK:
        revisions = latest_revisions(store, {s.mapped.id for s in submissions}, base)
        plan = []
        for submission in submissions:
            number = revisions.get(submission.mapped.id, 0) + 1
            revisions[submission.mapped.id] = number
            status = "submitted" if submission.report.conforms else "needs-changes"
            plan.append((submission, number, status))
            mapped = submission.mapped
            stored.append(Stored(mapped.id, number, status, mapped.hub, submission.raw.source, submission.report))
        store.add_quads(
            q
            for s, n, status in plan
            for q in revision_quads(s, n, status, submitter(base, who or s.mapped.submitted_by), now, base)
        )
    return stored


def latest_revisions(store: Store, ids: set[str], base: str) -> dict[str, int]:
    """The highest revision number stored for each proposal id."""
    found: dict[str, int] = {}
    prefix = record_iri(base, "hub", "")
    for row in store.select(internal_query("proposal-latest-revisions")):
        slug = row["hub"].value.removeprefix(prefix)
        if slug in ids:
            found[slug] = int(row["latest"].value)
    return found


def revision_iri(base: str, proposal: str, number: int) -> str:
    return record_iri(base, "proposal", f"{proposal}/{number}")


def revision_graph(base: str, proposal: str, number: int) -> str:
    return graph_iri(base, f"proposal/{proposal}/{number}")


def submitter(base: str, who: str | None) -> tuple[ox.NamedNode, str]:
    name = (who or "anonymous").strip() or "anonymous"
    return ox.NamedNode(record_iri(base, "agent", slugify(name) or "anonymous")), name


def revision_quads(
    submission: Submission, number: int, status: str, agent: tuple[ox.NamedNode, str], now: dt.datetime, base: str
) -> Iterator[ox.Quad]:
    """The quads of one stored revision: the record, its content, the parsed hub, the report, the first change."""
    mapped = submission.mapped
    graph = ox.NamedNode(revision_graph(base, mapped.id, number))
    node = ox.NamedNode(revision_iri(base, mapped.id, number))

    def quad(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(s, ox.NamedNode(p), o, graph)

    yield quad(node, RDF + "type", ox.NamedNode(L4A + "Proposal"))
    yield quad(node, L4A + "revision", ox.Literal(str(number), datatype=ox.NamedNode(XSD + "integer")))
    yield quad(node, L4A + "proposedHub", ox.NamedNode(mapped.hub))
    yield quad(node, L4A + "status", ox.NamedNode(record_iri(base, "status", status)))
    yield quad(node, DCTERMS + "created", _timestamp(now))
    yield quad(node, DCTERMS + "source", ox.Literal(Path(submission.raw.source).name))
    yield quad(node, DCTERMS + "format", ox.Literal(submission.raw.media_type))
    yield quad(node, L4A + "submittedContent", _content(submission.raw.original))
    for lang, name in sorted(mapped.names.items()):
        yield quad(node, DCTERMS + "title", ox.Literal(name, language=lang))
    if number > 1:
        yield quad(node, PROV + "wasRevisionOf", ox.NamedNode(revision_iri(base, mapped.id, number - 1)))
    yield quad(node, L4A + "parsedData", ox.Literal(_ntriples(mapped.triples)))
    yield quad(node, L4A + "conforms", typed(str(submission.report.conforms).lower(), "boolean"))
    yield quad(node, L4A + "validationReport", ox.Literal(report_json(submission.report)))
    yield from accepted_quads(node, graph, submission.accepted, now, base)
    yield from change_quads(node, graph, 1, None, status, agent, now, "submitted", base)


def change_quads(
    proposal: ox.NamedNode,
    graph: ox.NamedNode,
    number: int,
    before: str | None,
    after: str,
    agent: tuple[ox.NamedNode, str],
    when: dt.datetime,
    reason: str | None,
    base: str,
) -> Iterator[ox.Quad]:
    """A status change of a proposal, with PROV: who (an agent), when, and why."""
    change = ox.NamedNode(f"{proposal.value}/change/{number}")

    def quad(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(s, ox.NamedNode(p), o, graph)

    yield quad(proposal, L4A + "statusChange", change)
    yield quad(change, RDF + "type", ox.NamedNode(L4A + "StatusChange"))
    if before:
        yield quad(change, L4A + "fromStatus", ox.NamedNode(record_iri(base, "status", before)))
    yield quad(change, L4A + "toStatus", ox.NamedNode(record_iri(base, "status", after)))
    yield quad(change, PROV + "endedAtTime", _timestamp(when))
    yield quad(change, PROV + "wasAssociatedWith", agent[0])
    yield quad(agent[0], RDF + "type", ox.NamedNode(PROV + "Agent"))
    yield quad(agent[0], RDFS + "label", ox.Literal(agent[1]))
    if reason:
        yield quad(change, L4A + "reason", ox.Literal(reason))


def _timestamp(when: dt.datetime) -> ox.Literal:
    return ox.Literal(when.astimezone(dt.UTC).isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))


def _content(original: bytes) -> ox.Literal:
    try:
        return ox.Literal(original.decode("utf-8"))
    except UnicodeDecodeError:
        return ox.Literal(base64.b64encode(original).decode(), datatype=ox.NamedNode(XSD + "base64Binary"))


def _ntriples(triples: Sequence[ox.Triple]) -> str:
    return "".join(f"{t} .\n" for t in triples)


def submit(
    store: Store, paths: Sequence[Path], base: str, who: str | None = None, lang: str = "en", kind: str | None = None
) -> list[Stored]:
    """The whole pipeline: read every file (InputError: nothing stored), gate, store each proposal."""
    submissions = read_submissions(paths, base, kind=kind)
    gate(submissions, store, base, lang)
    return store_submissions(store, submissions, base, who)


def submit_data(
    store: Store,
    data: dict[str, object],
    source: str,
    base: str,
    who: str | None = None,
    lang: str = "en",
    accepted: Sequence[AcceptedSuggestion] = (),
) -> Stored:
    """One proposal given as data (the web form), through the same pipeline; its JSON is kept as submitted, and the
    links `accepted` among suggestions (already in `data`, as the applicant's own) are recorded as such."""
    original = json.dumps(data, ensure_ascii=False, indent=2).encode()
    raw = RawProposal(dict(data), source, 0, original, MEDIA_TYPES["json"])
    submission = Submission(raw, map_proposal(raw, shipped_references(base), base), accepted=tuple(accepted))
    gate([submission], store, base, lang)
    return store_submissions(store, [submission], base, who)[0]


__all__ = [
    "MEDIA_TYPES",
    "Stored",
    "Submission",
    "gate",
    "read_submissions",
    "store_submissions",
    "submit",
    "submit_data",
]
