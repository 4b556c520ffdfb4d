"""The locally-driven rule lists the eligible lead classes; the list must be the ontology's subclass closure."""

from __future__ import annotations

import re
from importlib.resources import files

from rdflib import Graph, Namespace
from rdflib.namespace import RDFS

L4A = Namespace("https://w3id.org/l4a/ontology#")


def test_listed_lead_classes_are_exactly_the_eligible_classes() -> None:
    ontology = Graph().parse(data=(files("l4a.ontology") / "l4a.ttl").read_text(encoding="utf-8"), format="turtle")
    eligible = set()
    for top in (L4A.LocalOrRegionalGovernment, L4A.LRGAssociation):
        eligible |= {str(c) for c in ontology.transitive_subjects(RDFS.subClassOf, top)}
    shapes = (files("l4a.shapes") / "hub.ttl").read_text(encoding="utf-8")
    listed = re.search(r"FILTER \(\?leadType IN \(([^)]*)\)\)", shapes)
    assert listed is not None
    names = {str(L4A) + name.strip().removeprefix("l4a:") for name in listed.group(1).split(",")}
    assert names == eligible
