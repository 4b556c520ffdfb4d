"""Validation reports for people (text grouped by hub and rule), for programs (JSON) and as SHACL (Turtle)."""

from __future__ import annotations

from collections import defaultdict

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from l4a.graph.i18n.words import N_, words
from l4a.graph.shacl.shapes import SH, ShapesModel
from l4a.graph.shacl.validation import ValidationReport
from l4a.graph.text.json_text import pretty_json

# A result's severity as people read it (the catalogues translate it: "Avertissement", "Advertencia").
SEVERITY_WORDS = {"Violation": N_("Violation"), "Warning": N_("Warning"), "Info": N_("Info")}
# The engine in the Turtle report: the report was made by (prov:wasAttributedTo) a software agent with that label.
PROV = Namespace("http://www.w3.org/ns/prov#")

# Checks made before SHACL (references in a proposal that resolve to nothing), named like the shapes' rules.
RULES_OUTSIDE_SHAPES = {"https://w3id.org/l4a/shapes#proposal-known-reference": N_("Known reference")}


def report_json(report: ValidationReport) -> str:
    """{"conforms": bool, "engine": "compiler" or "pyshacl", "results": [{"focus", "path", "severity", "message",
    "value", ...}]}."""
    data = {"conforms": report.conforms, "engine": report.engine, "results": [r.as_dict() for r in report.results]}
    return pretty_json(data, ensure_ascii=True)  # a result a line (indent=2 would be json's slow Python encoder)


def report_turtle(report: ValidationReport, lang: str = "en") -> str:
    """A standard sh:ValidationReport (sh:conforms is false when there is any Violation)."""
    graph = Graph()
    graph.bind("sh", SH)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.conforms, datatype=XSD.boolean)))
    engine = BNode()
    graph.bind("prov", PROV)
    graph.add((node, PROV.wasAttributedTo, engine))
    graph.add((engine, RDF.type, PROV.SoftwareAgent))
    graph.add((engine, RDFS.label, Literal(report.engine)))
    for result in report.results:
        item = BNode()
        graph.add((node, SH.result, item))
        graph.add((item, RDF.type, SH.ValidationResult))
        graph.add((item, SH.focusNode, URIRef(result.focus)))
        if result.path and not result.path.startswith(("<", "^")):
            graph.add((item, SH.resultPath, URIRef(result.path)))
        if result.value is not None:
            graph.add((item, SH.value, Literal(result.value)))
        graph.add((item, SH.resultSeverity, SH[result.severity]))
        graph.add((item, SH.resultMessage, Literal(result.message, lang=lang)))
        graph.add((item, SH.sourceShape, URIRef(result.shape)))
        graph.add((item, SH.sourceConstraintComponent, URIRef(result.component)))
    return graph.serialize(format="turtle")


def report_text(report: ValidationReport, model: ShapesModel, owners: dict[str, str], lang: str = "en") -> str:
    """Results grouped by hub (the owner of each focus node), then by rule, in plain words."""
    w = words(lang)
    names = {severity: w.gettext(word) for severity, word in SEVERITY_WORDS.items()}
    value_word = w.gettext("value")  # (gettext calls outside f-strings, where pybabel finds them)
    by_owner: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for result in report.results:
        shape = model.shapes.get(result.shape)
        outside = RULES_OUTSIDE_SHAPES.get(result.shape)
        labels = shape.labels if shape else {}
        rule = labels.get(lang) or labels.get("en") or (w.gettext(outside) if outside else result.shape)
        line = f"{names[result.severity]}{w.colon}{result.message}"
        if result.value is not None:
            line += f" ({value_word}{w.colon}{result.value})"
        if result.focus != owners.get(result.focus, result.focus):
            line += f" [{result.focus}]"
        by_owner[owners.get(result.focus, result.focus)][rule].append(line)
    lines = []
    for owner in sorted(by_owner):
        lines.append(owner)
        for rule in sorted(by_owner[owner]):
            lines.append(f"  {rule}")
            lines += [f"    - {text}" for text in by_owner[owner][rule]]
    counts = ", ".join((
        w.ngettext("%(num)d Violation", "%(num)d Violations", report.count("Violation")),
        w.ngettext("%(num)d Warning", "%(num)d Warnings", report.count("Warning")),
        w.ngettext("%(num)d Info", "%(num)d Info", report.count("Info")),
    ))  # fmt: skip
    verdict = w.gettext("conforms") if report.conforms else w.gettext("does not conform")
    lines.append(f"{verdict} ({counts})")
    lines.append(w.gettext("engine") + w.colon + report.engine)
    return "\n".join(lines)
