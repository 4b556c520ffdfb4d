"""Validate hubs against the shapes: the whole store, one hub's graph, or candidate data (files, proposals).

The shapes are compiled once into SPARQL checks (shacl_sparql.py) that Oxigraph runs over all focus nodes at
once; tests prove the results equal pySHACL's on every fixture and on synthetic hubs with injected faults.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import pyoxigraph as ox

from l4a.graph.errors import UsageError
from l4a.graph.namespaces import DEFAULT_BASE, L4A, graph_iri
from l4a.graph.resources import internal_query
from l4a.graph.settings import Settings
from l4a.graph.shacl.compiler import Check, Focus, compile_model
from l4a.graph.shacl.shapes import Shape, ShapesModel, shipped_shapes
from l4a.graph.sources import read_source, shipped_sources
from l4a.graph.store.base import Store, Term
from l4a.graph.store.derived import derived
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.factory import open_store
from l4a.graph.store.rdf_formats import guess_format, iter_quads

SEVERITIES = ("Violation", "Warning", "Info")
CANDIDATE_GRAPH = "urn:l4a:candidate"


@dataclass(frozen=True)
class ValidationResult:
    """One thing wrong (or worth noting) about one node."""

    focus: str
    path: str | None
    value: str | None
    severity: str
    message: str
    shape: str
    component: str

    def as_dict(self) -> dict[str, str | None]:
        """The result as JSON-ready data."""
        return {
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "severity": self.severity,
            "message": self.message,
            "shape": self.shape,
            "component": self.component,
        }


@dataclass
class ValidationReport:
    """The results of one validation; it conforms when no result is a Violation."""

    results: list[ValidationResult] = field(default_factory=list)
    engine: str = "compiler"  # what ran the shapes: the project's compiler, or pyshacl (graph/shacl/user_shapes.py)

    @property
    def conforms(self) -> bool:
        """True when there is no Violation (Warnings and Infos do not fail validation)."""
        return not any(r.severity == "Violation" for r in self.results)

    def count(self, severity: str) -> int:
        """How many results have this severity."""
        return sum(r.severity == severity for r in self.results)


def _message(texts: dict[str, str], lang: str, row: Mapping[str, str], fallback: str) -> str:
    text = texts.get(lang) or texts.get("en") or fallback

    def fill(match: re.Match[str]) -> str:
        return row.get(match.group(1), match.group(0))

    return re.sub(r"\{[?$](\w+)\}", fill, text)


def _path_text(shape: Shape) -> str | None:
    """A predicate IRI for a simple path, else the path in SPARQL syntax."""
    if shape.path is None:
        return None
    if len(shape.path.steps) == 1 and not shape.path.inverse:
        return shape.path.steps[0]
    return shape.path.sparql()


def _default_message(check: Check) -> str:
    name = check.component.rsplit("#", 1)[1].removesuffix("ConstraintComponent")
    return f"{name} constraint of {check.shape.iri.rsplit('#', 1)[-1]} not satisfied"


BLANK_NODE_NAME = re.compile(r"BNode\('[^']*'\)")


class Validator:
    """The compiled shapes, ready to run against a store."""

    engine = "compiler"

    def __init__(self, model: ShapesModel) -> None:
        self.model = model
        self.store_plan = compile_model(model, graph_mode=False)
        self.graph_plan = compile_model(model, graph_mode=True)

    def validate_store(self, store: Store, lang: str = "en") -> ValidationReport:
        """Every focus node in the store. The checks run once per state of the store and shapes, whatever the
        language (store/derived.py); only the messages are worded per language, from the rows kept."""
        plan = self._plan(store, graph_mode=False)
        key = f"validation:{self.engine}:{self._plan_key(plan)}"
        found = derived(store, f"{key}:rows", lambda: self._rows(store, plan, {}))
        return derived(store, f"{key}:{lang}", lambda: self._report(plan, found, lang))

    def _plan_key(self, plan: list[tuple[Shape, Focus, list[Check]]]) -> str:
        """A digest of the shapes and their compiled checks (queries and messages): other shapes, another key. (The
        focus part holds a function, and blank nodes of the shapes file get new names in every process: neither is
        part of the text digested; the checks' queries say it all.)"""
        text = BLANK_NODE_NAME.sub("BNode", repr([(shape, checks) for shape, _focus, checks in plan]))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _plan(self, store: Store, graph_mode: bool) -> list[tuple[Shape, Focus, list[Check]]]:
        """The compiled checks; for a SPARQL server that mis-evaluates `*` paths in joins, a form without them."""
        dialect = getattr(store, "dialect", None)  # a SPARQL server's quirks (graph/sparql_dialects.py)
        if dialect is not None and not dialect.star_paths_in_joins:
            return self._no_star_plans[graph_mode]
        return self.graph_plan if graph_mode else self.store_plan

    @cached_property
    def _no_star_plans(self) -> dict[bool, list[tuple[Shape, Focus, list[Check]]]]:
        return {mode: compile_model(self.model, graph_mode=mode, star_path=False) for mode in (False, True)}

    def validate_graph(self, store: Store, graph: str, lang: str = "en") -> ValidationReport:
        """The focus nodes described in one named graph (e.g. a hub's), with the whole store as context."""
        plan = self._plan(store, graph_mode=True)
        return self._report(plan, self._rows(store, plan, {"fg": ox.NamedNode(graph)}), lang)

    def validate_candidate(
        self, quads: Iterable[ox.Quad], context: Store | None = None, lang: str = "en", base: str = DEFAULT_BASE
    ) -> ValidationReport:
        """Data not in the store yet (files, proposals), with the reference data and what it points to."""
        scratch = EmbeddedStore.in_memory()
        candidate = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(CANDIDATE_GRAPH)) for q in quads]
        scratch.add_quads(reference_quads(base))
        scratch.add_quads(candidate)
        if context is not None:
            scratch.add_quads(_context_types(context, candidate))
        return self.validate_graph(scratch, CANDIDATE_GRAPH, lang)

    @staticmethod
    def _checks(plan: list[tuple[Shape, Focus, list[Check]]]) -> list[Check]:
        checks = [check for _shape, _focus, shape_checks in plan for check in shape_checks]
        checks.sort(key=lambda check: not check.raw_sparql)  # the SPARQL-based checks, the longest, first
        return checks

    def _rows(
        self, store: Store, plan: list[tuple[Shape, Focus, list[Check]]], bindings: dict[str, Term]
    ) -> list[list[dict[str, str]]]:
        """What each check found (in the order of `_checks`), language-free: each row's variables as text."""
        # Oxigraph releases the GIL while a query runs: two threads keep both cores busy on a big store.
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(lambda check: self._check_rows(store, check, bindings), self._checks(plan)))

    @staticmethod
    def _check_rows(store: Store, check: Check, bindings: dict[str, Term]) -> list[dict[str, str]]:
        rows = store.select(check.query, bindings)
        if check.node_shape_checks:
            failing = {row["this"] for inner in check.node_shape_checks for row in store.select(inner.query, bindings)}
            rows = [row for row in rows if row.get("value") in failing]
        return [{name: term.value for name, term in row.items()} for row in rows]

    def _report(
        self, plan: list[tuple[Shape, Focus, list[Check]]], found: list[list[dict[str, str]]], lang: str
    ) -> ValidationReport:
        """The results of `_rows`, their messages worded in `lang`, each once, in a stable order."""
        results = []
        for check, rows in zip(self._checks(plan), found, strict=True):
            shape = check.shape
            texts = check.constraint.messages or shape.messages
            fallback = _default_message(check)
            for row in rows:
                value = row.get("value") if check.value_from_row else None
                if value is None and check.raw_sparql and shape.path is None:
                    value = row["this"]  # SHACL-SPARQL: a node shape's result without ?value is about the focus node
                results.append(
                    ValidationResult(
                        focus=row["this"],
                        path=row["path"] if "path" in row else _path_text(shape),
                        value=value,
                        severity=shape.severity,
                        message=_message(texts, lang, row, fallback),
                        shape=shape.iri,
                        component=check.component,
                    )
                )
        unique = {(r.focus, r.path, r.value, r.severity, r.shape, r.component): r for r in results}
        ordered = sorted(unique.values(), key=lambda r: (r.focus, r.shape, r.path or "", r.value or "", r.message))
        return ValidationReport(ordered, engine=self.engine)


def proposal_scratch(
    candidates: Mapping[int, Sequence[ox.Triple]], hubs: set[str], context: Store | None, base: str = DEFAULT_BASE
) -> EmbeddedStore:
    """An in-memory store with the reference data and each candidate in a graph of its own, ready to validate.

    A shipped hub that a candidate revises is left out, so that the old and the new record do not mix.
    """
    scratch = EmbeddedStore.in_memory()
    revised = {ox.NamedNode(graph_iri(base, "hub/" + hub.rsplit("/", 1)[-1])) for hub in hubs}
    scratch.add_quads(q for q in reference_quads(base) if q.graph_name not in revised)
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(f"{CANDIDATE_GRAPH}:{key}"))
        for key, triples in candidates.items()
        for t in triples
    ]
    scratch.add_quads(quads)
    if context is not None:
        known = {q.subject for q in reference_quads(base)}
        scratch.add_quads(_context_types(context, [q for q in quads if q.object not in known]))
    return scratch


def _context_types(context: Store, candidate: Sequence[ox.Quad]) -> list[ox.Quad]:
    """The rdf:type triples the store knows for the IRIs the candidate points to (e.g. other hubs)."""
    pointed = {q.object for q in candidate if isinstance(q.object, ox.NamedNode)}
    quads = []
    for node in pointed:
        for row in context.select(internal_query("types-of"), {"x": node}):
            quads.append(ox.Quad(node, ox.NamedNode(RDF_TYPE), row["type"], ox.DefaultGraph()))
    return quads


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
HUB = L4A + "Hub"


@cache
def reference_quads(base: str = DEFAULT_BASE) -> tuple[ox.Quad, ...]:
    """The ontology, the SDG and UCLG reference data and the shipped hubs, as quads in their graphs."""
    quads = []
    for source in shipped_sources():
        graph = ox.NamedNode(graph_iri(base, source.graph_name))
        quads += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in read_source(source, base)]
    return tuple(quads)


def subclass_closures(quads: Iterable[ox.Quad]) -> dict[str, list[str]]:
    """Every class with itself and all its subclasses, from rdfs:subClassOf statements."""
    children: dict[str, set[str]] = {}
    for quad in quads:
        subject, obj = quad.subject, quad.object
        if quad.predicate.value == SUBCLASS_OF and isinstance(obj, ox.NamedNode) and isinstance(subject, ox.NamedNode):
            children.setdefault(obj.value, set()).add(subject.value)
    closures = {}
    for top in children:
        seen, todo = {top}, [top]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        closures[top] = sorted(seen)
    return closures


@cache
def shipped_validator() -> Validator:
    """The validator of the shipped shapes, compiled once per process, with the ontology's class hierarchy."""
    model = shipped_shapes()
    ontology = graph_iri(DEFAULT_BASE, "ontology")
    closures = subclass_closures(q for q in reference_quads() if q.graph_name == ox.NamedNode(ontology))
    used = {str(c.value) for s in model.shapes.values() for c in s.constraints if c.parameter.endswith("#class")}
    model.class_closures = {cls: closures.get(cls, [cls]) for cls in used}
    return Validator(model)


PROPOSES = "https://w3id.org/l4a/ontology#proposes"
DRAFT_PROPOSAL = "urn:l4a:draft-proposal"
OWNED_BY_HUB = internal_query("owned-by-hub")


def owners(store: Store) -> dict[str, str]:
    """Which hub each hub, deliverable, indicator, evidence record and communication plan belongs to (read once per
    state of the store)."""
    return derived(store, "owners", lambda: {row["node"].value: row["hub"].value for row in store.select(OWNED_BY_HUB)})


def hub_owners(store: Store, report: ValidationReport, hub: str) -> dict[str, str]:
    """Which hub each focus node of one hub's report belongs to: what the hub owns, read alone; the whole store's
    owners (seconds on a big store after a write) only when a result is about something the hub does not own."""
    mine = {row["node"].value: row["hub"].value for row in store.select(OWNED_BY_HUB, {"hub": ox.NamedNode(hub)})}
    if all(r.focus in mine for r in report.results):
        return mine
    return owners(store)


def hub_iri_of(hub: str, base: str) -> str:
    """A hub's IRI from its slug or IRI."""
    return hub if hub.startswith(("http://", "https://")) else f"{base}id/hub/{hub}"


def read_candidate(paths: Sequence[Path], as_proposal: bool = False) -> list[ox.Quad]:
    """The quads of files to validate (InputError if one cannot be read); as_proposal marks their hubs proposed."""
    quads = [q for path in paths for q in iter_quads(path, guess_format(path))]
    if as_proposal:
        hubs = {q.subject for q in quads if q.predicate.value == RDF_TYPE and q.object == ox.NamedNode(HUB)}
        proposal = ox.NamedNode(DRAFT_PROPOSAL)
        quads += [ox.Quad(proposal, ox.NamedNode(PROPOSES), hub, ox.DefaultGraph()) for hub in sorted(hubs, key=str)]
    return quads


def hub_graph(store: Store, hub: str, base: str = DEFAULT_BASE) -> str:
    """The named graph of a hub given by slug or IRI."""
    iri = hub_iri_of(hub, base)
    rows = store.select(internal_query("graph-of-typed"), {"hub": ox.NamedNode(iri), "cls": ox.NamedNode(HUB)})
    if not rows:
        raise UsageError(f"there is no hub {hub!r} in the store; `l4a query run ...` or the web app list the hubs.")
    return rows[0]["g"].value


def collapse_proposal_twins(report: ValidationReport) -> ValidationReport:
    """Drop a Warning or Info that a proposal's gate (shape `proposed-X` of rule `X`) repeats, as a Violation (the
    programme's rules) or a Warning (the project's own), with the message meant for a proposal."""
    gated = {
        (r.focus, r.path, r.value, r.shape.replace("#proposed-", "#"))
        for r in report.results
        if "#proposed-" in r.shape
    }
    kept = [r for r in report.results if r.severity == "Violation" or (r.focus, r.path, r.value, r.shape) not in gated]
    return ValidationReport(kept, report.engine)


def run_validation(
    settings: Settings,
    files: Sequence[Path],
    hub: str | None,
    as_proposal: bool,
    lang: str,
    validator: Validator | None = None,
    with_owners: bool = True,
) -> tuple[ValidationReport, dict[str, str]]:
    """What `l4a validate` does: files against the reference data (and the store, if there is one), or the store;
    with the shipped shapes, or `validator` (a user's shapes: graph/shacl/user_shapes.py). Also the hub that owns
    each node, to group the results by hub, unless `with_owners` is false (the JSON and Turtle reports do not group
    them; reading every node's owner of 100k hubs takes seconds)."""
    validator = validator or shipped_validator()
    if files:
        quads = read_candidate(files, as_proposal)
        context = open_store(settings, read_only=True) if (settings.store_path() / "CURRENT").exists() else None
        try:
            report = collapse_proposal_twins(validator.validate_candidate(quads, context, lang, settings.base_iri))
        finally:
            if context is not None:
                context.close()
        scratch = EmbeddedStore.in_memory()
        scratch.add_quads(q for q in quads if not isinstance(q.graph_name, ox.BlankNode))
        return report, owners(scratch) if with_owners else {}
    store = open_store(settings, read_only=True)
    try:
        if hub:
            report = collapse_proposal_twins(
                validator.validate_graph(store, hub_graph(store, hub, settings.base_iri), lang)
            )
            return report, hub_owners(store, report, hub_iri_of(hub, settings.base_iri)) if with_owners else {}
        report = validator.validate_store(store, lang)
        return collapse_proposal_twins(report), owners(store) if with_owners else {}
    finally:
        store.close()
