"""The ontology at its IRI: documentation in en/fr/es with every class and property, the RDF in four formats
(the same graph as the shipped files), JSON, and 406."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib.compare import isomorphic

from l4a.graph.resources import local_path, ontology_dir

from .webapp import web_app

L4A = rdflib.Namespace("https://w3id.org/l4a/ontology#")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("ontology")) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def shipped() -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in ("l4a.ttl", "vocabularies.ttl"):
        graph.parse(local_path(ontology_dir() / name), format="turtle")
    return graph


@pytest.mark.parametrize(
    ("suffix", "media_type"),
    [(".ttl", "text/turtle"), (".nt", "application/n-triples"), (".jsonld", "application/ld+json"),
     (".rdf", "application/rdf+xml")],
)  # fmt: skip
def test_the_ontology_in_rdf_is_the_shipped_graph(client: FlaskClient, suffix: str, media_type: str) -> None:
    by_accept = client.get("/ontology", headers={"Accept": media_type})
    by_suffix = client.get(f"/ontology{suffix}")
    assert by_accept.status_code == by_suffix.status_code == 200
    assert by_accept.mimetype == by_suffix.mimetype == media_type
    fmt = ox.RdfFormat.from_media_type(media_type)
    assert fmt is not None
    turtle = ox.serialize(ox.parse(by_suffix.data, format=fmt), format=ox.RdfFormat.TURTLE)
    assert isomorphic(rdflib.Graph().parse(data=turtle, format="turtle"), shipped())


def test_documentation_has_every_class_and_property(client: FlaskClient) -> None:
    page = client.get("/ontology", headers={"Accept": "text/html"}).get_data(as_text=True)
    graph = shipped()
    kinds = (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty)
    terms = {t for kind in kinds for t in graph.subjects(rdflib.RDF.type, kind) if str(t).startswith(str(L4A))}
    assert len(terms) > 50
    missing = [t for t in terms if f'id="{str(t).removeprefix(str(L4A))}"' not in page]
    assert missing == []
    assert 'href="/ontology#Hub"' in page and 'href="/ontology.ttl"' in page


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "Local4Action HUB"), ("fr", "HUB Local4Action"), ("es", "Organización")]
)
def test_documentation_in_each_language(client: FlaskClient, lang: str, label: str) -> None:
    page = client.get(f"/ontology?lang={lang}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and label in page
    hub_definitions = {d.language: str(d) for d in shipped().objects(L4A.Hub, rdflib.SKOS.definition)}
    assert hub_definitions[lang][:60].replace("'", "&#39;") in page


def test_documentation_as_json(client: FlaskClient) -> None:
    data = client.get("/ontology.json?lang=es").get_json()
    assert data["iri"] == "https://w3id.org/l4a/ontology" and data["version"] == "0.1.0"
    hub = next(t for t in data["terms"] if t["iri"] == str(L4A.Hub))
    assert hub["kind"] == "class" and hub["definition"].startswith("Iniciativa")
    assert client.get("/ontology", headers={"Accept": "application/json"}).get_json()["iri"] == data["iri"]


def test_a_format_it_cannot_give_is_406(client: FlaskClient) -> None:
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
