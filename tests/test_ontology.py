"""The OWL ontology and its vocabularies: they parse, declare every planned term and speak en, fr and es."""

from __future__ import annotations

from importlib.resources import as_file, files

import pyoxigraph
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS

ONTOLOGY_DIR = files("l4a.ontology")

FILES = ["l4a.ttl", "vocabularies.ttl"]
LANGUAGES = ["en", "fr", "es"]

L4A = Namespace("https://w3id.org/l4a/ontology#")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
SCHEMA = Namespace("http://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
ONTOLOGY = URIRef("https://w3id.org/l4a/ontology")
VERSION = URIRef("https://w3id.org/l4a/ontology/0.1.0")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
ID = "https://w3id.org/l4a/id/"

# The terms listed in docs/vocabulary-plan.md: other people write data with exactly these names.
CLASSES = [
    "Hub",
    "Organisation",
    "LocalOrRegionalGovernment",
    "LocalGovernment",
    "RegionalGovernment",
    "LRGAssociation",
    "NationalGovernment",
    "University",
    "UNAgency",
    "Network",
    "CivilSocietyOrganisation",
    "OtherOrganisation",
    "PolicyCouncil",
    "CouncilTerm",
    "Section",
    "Manifesto",
    "PactAxis",
    "Event",
    "VeniceCitySolutionsEdition",
    "Deliverable",
    "Indicator",
    "Observation",
    "Evidence",
    "EvidenceType",
    "DerivedLink",
    "CommunicationPlan",
    "Proposal",
    "StatusChange",
    "Status",
    "Suggestion",
    "AcceptedSuggestion",
]
OBJECT_PROPERTIES = [
    "ledBy",
    "partner",
    "addressesTarget",
    "addressesGoal",
    "addressesManifesto",
    "addressesPactAxis",
    "relevantCouncil",
    "section",
    "status",
    "hasDeliverable",
    "hasIndicator",
    "observationOf",
    "hasEvidence",
    "supports",
    "evidenceType",
    "hasCommunicationPlan",
    "presentedAt",
    "buildsOn",
    "synchronizesWith",
    "term",
    "continues",
    "proposes",
    "proposedHub",
    "statusChange",
    "fromStatus",
    "toStatus",
    "reportedBy",
    "suggestedFor",
    "suggestedProperty",
    "suggestedValue",
    "review",
    "acceptedSuggestion",
]
DATATYPE_PROPERTIES = [
    "startDate",
    "endDate",
    "launchDate",
    "labelDate",
    "visualIdentityChecked",
    "theme",
    "countryCode",
    "city",
    "region",
    "unit",
    "baseline",
    "targetValue",
    "dueDate",
    "value",
    "observedOn",
    "channel",
    "activity",
    "editionNumber",
    "startYear",
    "endYear",
    "confidence",
    "reason",
    "fictional",
    "revision",
    "submittedContent",
    "parsedData",
    "conforms",
    "validationReport",
    "score",
    "matchedWords",
    "sourceText",
    "reviewState",
    "reviewReason",
]
PLANNED = (
    [(name, OWL.Class) for name in CLASSES]
    + [(name, OWL.ObjectProperty) for name in OBJECT_PROPERTIES]
    + [(name, OWL.DatatypeProperty) for name in DATATYPE_PROPERTIES]
)
DECLARATION_TYPES = [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty]

STATUSES = [
    "submitted",
    "needs-changes",
    "under-review",
    "labelled",
    "completed",
    "withdrawn",
    "rejected",
    "self-described",
]
EVIDENCE_TYPES = ["web-page", "report", "news", "publication", "declaration", "video", "dataset"]
CONCEPTS = [("status", slug, L4A.Status) for slug in STATUSES] + [
    ("evidence-type", slug, L4A.EvidenceType) for slug in EVIDENCE_TYPES
]


def parse_with_pyoxigraph(name: str) -> list[pyoxigraph.Triple]:
    """The triples of a shipped file, read by pyoxigraph from a real path."""
    with as_file(ONTOLOGY_DIR / name) as path:
        return list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))


def parse_with_rdflib(name: str) -> Graph:
    """A shipped file, parsed by rdflib."""
    return Graph().parse(data=(ONTOLOGY_DIR / name).read_text(encoding="utf-8"), format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    """l4a.ttl, parsed by rdflib."""
    return parse_with_rdflib("l4a.ttl")


@pytest.fixture(scope="module")
def vocabularies() -> Graph:
    """vocabularies.ttl, parsed by rdflib."""
    return parse_with_rdflib("vocabularies.ttl")


def declared_terms(graph: Graph) -> set[URIRef]:
    """The l4a: classes and properties that the graph declares."""
    return {
        s for t in DECLARATION_TYPES for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef) and s.startswith(L4A)
    }


def texts(graph: Graph, subject: URIRef, predicate: URIRef, language: str) -> list[Literal]:
    """The values of predicate on subject tagged with the language."""
    return [o for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language == language]


@pytest.mark.parametrize("name", FILES)
def test_parses_with_rdflib(name: str) -> None:
    assert len(parse_with_rdflib(name)) > 50


@pytest.mark.parametrize("name", FILES)
def test_parses_with_pyoxigraph(name: str) -> None:
    assert len(parse_with_pyoxigraph(name)) > 50


@pytest.mark.parametrize("name", FILES)
def test_both_parsers_read_the_same_number_of_triples(name: str) -> None:
    assert len(set(parse_with_pyoxigraph(name))) == len(parse_with_rdflib(name))


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    assert list(ontology.objects(ONTOLOGY, OWL.versionIRI)) == [VERSION]
    assert list(ontology.objects(ONTOLOGY, OWL.versionInfo)) == [Literal("0.1.0")]
    assert list(ontology.objects(ONTOLOGY, DCTERMS.license)) == [CC_BY]
    assert list(ontology.objects(ONTOLOGY, DCTERMS.created)) == [Literal("2026-11-25", datatype=XSD.date)]
    assert list(ontology.objects(ONTOLOGY, DCTERMS.creator))
    vann = Namespace("http://purl.org/vocab/vann/")
    assert list(ontology.objects(ONTOLOGY, vann.preferredNamespacePrefix)) == [Literal("l4a")]
    assert [str(o) for o in ontology.objects(ONTOLOGY, vann.preferredNamespaceUri)] == [str(L4A)]
    for language in LANGUAGES:
        assert len(texts(ontology, ONTOLOGY, DCTERMS.title, language)) == 1
        assert len(texts(ontology, ONTOLOGY, DCTERMS.description, language)) == 1


def test_only_one_ontology_is_declared(ontology: Graph) -> None:
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY]


@pytest.mark.parametrize(("name", "kind"), PLANNED, ids=[name for name, _ in PLANNED])
def test_planned_term_is_declared_with_its_kind(ontology: Graph, name: str, kind: URIRef) -> None:
    assert (L4A[name], RDF.type, kind) in ontology


def test_nothing_beyond_the_plan_is_declared(ontology: Graph) -> None:
    assert declared_terms(ontology) == {L4A[name] for name, _ in PLANNED}


def test_every_l4a_term_used_is_declared(ontology: Graph, vocabularies: Graph) -> None:
    declared = declared_terms(ontology)
    for graph in (ontology, vocabularies):
        used = {node for triple in graph for node in triple if isinstance(node, URIRef) and node.startswith(L4A)}
        assert used <= declared, sorted(used - declared)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_term_has_one_label_and_one_definition_per_language(ontology: Graph, language: str) -> None:
    for term in sorted(declared_terms(ontology)):
        assert len(texts(ontology, term, RDFS.label, language)) == 1, (term, "label", language)
        assert len(texts(ontology, term, SKOS.definition, language)) == 1, (term, "definition", language)


def test_terms_carry_no_untagged_labels_or_definitions(ontology: Graph) -> None:
    for term in declared_terms(ontology):
        for predicate in (RDFS.label, SKOS.definition, SKOS.scopeNote):
            assert all(isinstance(o, Literal) and o.language for o in ontology.objects(term, predicate))


def test_every_term_is_defined_by_the_ontology(ontology: Graph) -> None:
    for term in declared_terms(ontology):
        assert list(ontology.objects(term, RDFS.isDefinedBy)) == [ONTOLOGY], term


def test_labels_of_one_kind_are_distinct_per_language(ontology: Graph) -> None:
    for kind in DECLARATION_TYPES:
        terms = [t for t in ontology.subjects(RDF.type, kind) if isinstance(t, URIRef) and t.startswith(L4A)]
        for language in LANGUAGES:
            labels = [str(texts(ontology, t, RDFS.label, language)[0]).lower() for t in terms]
            assert len(labels) == len(set(labels)), (kind, language)


def test_reused_terms_are_not_redescribed(ontology: Graph) -> None:
    """Only the ontology itself, its own terms and anonymous class expressions are subjects."""
    for subject in set(ontology.subjects()) - {ONTOLOGY}:
        assert isinstance(subject, BNode) or (isinstance(subject, URIRef) and subject.startswith(L4A)), subject


def test_synchronizes_with_is_symmetric(ontology: Graph) -> None:
    assert (L4A.synchronizesWith, RDF.type, OWL.SymmetricProperty) in ontology


@pytest.mark.parametrize(
    ("subject", "predicate", "obj"),
    [
        (L4A.Hub, RDFS.subClassOf, SCHEMA.Project),
        (L4A.Hub, RDFS.subClassOf, PROV.Activity),
        (L4A.Organisation, RDFS.subClassOf, ORG.Organization),
        (L4A.LRGAssociation, RDFS.subClassOf, ORG.FormalOrganization),
        (L4A.LocalGovernment, RDFS.subClassOf, L4A.LocalOrRegionalGovernment),
        (L4A.PolicyCouncil, RDFS.subClassOf, ORG.OrganizationalUnit),
        (L4A.CouncilTerm, RDFS.subClassOf, TIME.ProperInterval),
        (L4A.Manifesto, RDFS.subClassOf, SKOS.Concept),
        (L4A.Status, RDFS.subClassOf, SKOS.Concept),
        (L4A.Evidence, RDFS.subClassOf, SCHEMA.CreativeWork),
        (L4A.CommunicationPlan, RDFS.subClassOf, PROV.Plan),
        (L4A.ledBy, RDFS.subPropertyOf, PROV.wasAssociatedWith),
        (L4A.addressesTarget, RDFS.subPropertyOf, DCTERMS.subject),
        (L4A.addressesTarget, RDFS.range, SDGO.Target),
        (L4A.addressesGoal, RDFS.range, SDGO.Goal),
        (L4A.evidenceType, RDFS.subPropertyOf, DCTERMS.type),
        (L4A.buildsOn, RDFS.subPropertyOf, PROV.wasInfluencedBy),
        (L4A.reportedBy, RDFS.subPropertyOf, PROV.wasAttributedTo),
        (L4A.startDate, RDFS.subPropertyOf, SCHEMA.startDate),
        (L4A.endDate, RDFS.subPropertyOf, SCHEMA.endDate),
        (L4A.startDate, RDFS.range, RDFS.Literal),
        (L4A.labelDate, RDFS.range, XSD.date),
        (L4A.startYear, RDFS.range, XSD.gYear),
    ],
)
def test_links_to_reused_vocabularies(ontology: Graph, subject: URIRef, predicate: URIRef, obj: URIRef) -> None:
    assert (subject, predicate, obj) in ontology


def test_schema_org_is_used_over_http(ontology: Graph, vocabularies: Graph) -> None:
    for graph in (ontology, vocabularies):
        assert not any(isinstance(n, URIRef) and n.startswith("https://schema.org/") for t in graph for n in t)


def test_union_domains_name_declared_classes(ontology: Graph) -> None:
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    for union in ontology.objects(None, OWL.unionOf):
        members = list(Collection(ontology, union))
        assert len(members) >= 2
        assert set(members) <= classes


def test_confidence_takes_three_values(ontology: Graph) -> None:
    (datatype,) = ontology.objects(L4A.confidence, RDFS.range)
    values = ontology.value(datatype, OWL.oneOf)
    assert values is not None
    assert {str(v) for v in Collection(ontology, values)} == {"high", "medium", "low"}


@pytest.mark.parametrize(
    ("scheme", "kind", "slugs"),
    [("status", L4A.Status, STATUSES), ("evidence-type", L4A.EvidenceType, EVIDENCE_TYPES)],
)
def test_each_scheme_has_exactly_its_concepts(vocabularies: Graph, scheme: str, kind: URIRef, slugs: list[str]) -> None:
    scheme_iri = URIRef(f"{ID}scheme/{scheme}")
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in vocabularies
    expected = {URIRef(f"{ID}{scheme}/{slug}") for slug in slugs}
    assert set(vocabularies.subjects(SKOS.inScheme, scheme_iri)) == expected
    assert set(vocabularies.subjects(RDF.type, kind)) == expected
    assert set(vocabularies.objects(scheme_iri, SKOS.hasTopConcept)) == expected
    for language in LANGUAGES:
        assert len(texts(vocabularies, scheme_iri, SKOS.prefLabel, language)) == 1


@pytest.mark.parametrize(("scheme", "slug", "kind"), CONCEPTS, ids=[f"{s}/{slug}" for s, slug, _ in CONCEPTS])
def test_concept_is_labelled_and_defined(vocabularies: Graph, scheme: str, slug: str, kind: URIRef) -> None:
    concept = URIRef(f"{ID}{scheme}/{slug}")
    assert (concept, RDF.type, SKOS.Concept) in vocabularies
    assert (concept, RDF.type, kind) in vocabularies
    assert list(vocabularies.objects(concept, SKOS.inScheme)) == [URIRef(f"{ID}scheme/{scheme}")]
    assert list(vocabularies.objects(concept, SKOS.notation)) == [Literal(slug)]
    for language in LANGUAGES:
        assert len(texts(vocabularies, concept, SKOS.prefLabel, language)) == 1, (concept, language)
        assert len(texts(vocabularies, concept, SKOS.definition, language)) == 1, (concept, language)


@pytest.mark.parametrize("scheme", ["status", "evidence-type"])
def test_pref_labels_are_unique_within_a_scheme(vocabularies: Graph, scheme: str) -> None:
    concepts = [URIRef(f"{ID}{scheme}/{slug}") for s, slug, _ in CONCEPTS if s == scheme]
    for language in LANGUAGES:
        labels = [str(texts(vocabularies, c, SKOS.prefLabel, language)[0]) for c in concepts]
        assert len(labels) == len(set(labels)), (scheme, language)
