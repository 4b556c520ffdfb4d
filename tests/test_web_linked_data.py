"""Record IRIs dereference: RDF by Accept or suffix (the same graph in every format), browsers sent to the record's
page or shown a generic description, 404 for unknown records, 406 for formats that cannot be given."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib.compare import isomorphic

from .webapp import served, web_app

BILBAO = "https://w3id.org/l4a/id/hub/bilbao-city-of-values"
L4A = rdflib.Namespace("https://w3id.org/l4a/ontology#")
SUFFIXES = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
            ".rdf": "application/rdf+xml"}  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("linked")) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def parsed(body: bytes, media_type: str) -> rdflib.Graph:
    """An answer in any RDF format as an rdflib graph (read by pyoxigraph: rdflib's own JSON-LD and N-Triples
    parsers warn about a deprecation of theirs)."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    assert fmt is not None
    turtle = ox.serialize(ox.parse(body, format=fmt), format=ox.RdfFormat.TURTLE)
    return rdflib.Graph().parse(data=turtle, format="turtle")


def test_hub_iri_gives_turtle_with_the_hub_profile(client: FlaskClient) -> None:
    response = client.get("/id/hub/bilbao-city-of-values", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert "Accept" in response.vary
    graph = parsed(response.data, "text/turtle")
    hub = rdflib.URIRef(BILBAO)
    assert (hub, rdflib.RDF.type, L4A.Hub) in graph
    # What the hub links to is described too, not just named (queries/hub-profile.rq): evidence, leaders.
    for link in (L4A.hasEvidence, L4A.ledBy):
        linked = list(graph.objects(hub, link))
        assert linked and all((thing, rdflib.RDF.type, None) in graph for thing in linked)
    evidence = next(graph.objects(hub, L4A.hasEvidence))
    assert list(graph.objects(evidence, rdflib.URIRef("http://schema.org/url")))


def test_every_format_gives_the_same_graph(client: FlaskClient) -> None:
    graphs = {}
    for suffix, media_type in SUFFIXES.items():
        by_suffix = client.get(f"/id/hub/bilbao-city-of-values{suffix}")
        assert by_suffix.status_code == 200 and by_suffix.mimetype == media_type
        by_accept = client.get("/id/hub/bilbao-city-of-values", headers={"Accept": media_type})
        assert by_accept.data == by_suffix.data
        assert by_accept.headers["Content-Location"] == f"/id/hub/bilbao-city-of-values{suffix}"
        graphs[suffix] = parsed(by_suffix.data, media_type)
    first = graphs[".ttl"]
    assert len(first) > 20
    assert all(isomorphic(first, other) for other in graphs.values())


def test_browsers_go_to_the_hub_page(app: Flask, client: FlaskClient) -> None:
    response = client.get("/id/hub/bilbao-city-of-values", headers={"Accept": "text/html,*/*;q=0.8"})
    if "hubs" in app.blueprints:
        assert response.status_code == 303 and response.headers["Location"] == "/hubs/bilbao-city-of-values"
    else:  # without the hub pages, the generic description
        assert response.status_code == 200 and response.mimetype == "text/html"


def test_records_without_their_own_page_get_a_description(client: FlaskClient) -> None:
    response = client.get("/id/org/ikcest?lang=fr", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "International Knowledge Centre for Engineering Sciences and Technology" in page
    assert 'href="/ontology#OtherOrganisation">Autre organisation</a>' in page  # the type, labelled in French
    assert 'href="/id/hub/xian-youth-education-dialogue"' in page  # what points here
    assert 'href="/id/org/ikcest.ttl"' in page


def test_description_as_json(client: FlaskClient) -> None:
    data = client.get("/id/org/ikcest.json").get_json()
    assert data["iri"] == "https://w3id.org/l4a/id/org/ikcest"
    predicates = {s["predicate"] for s in data["statements"]}
    assert "http://purl.org/dc/terms/source" in predicates
    same = client.get("/id/org/ikcest", headers={"Accept": "application/json"}).get_json()
    assert same == data


@pytest.mark.parametrize(
    "path",
    [
        "/id/manifesto/local-finance",
        "/id/evidence/bilbao-city-of-values-2",
        "/id/status/labelled",
        "/id/section/metropolis",
    ],
)
def test_other_kinds_dereference(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = parsed(response.data, "text/turtle")
    assert (rdflib.URIRef("https://w3id.org/l4a" + path), rdflib.RDF.type, None) in graph


def test_unknown_records_are_404_and_unknown_formats_406(client: FlaskClient) -> None:
    assert client.get("/id/hub/no-such-hub", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/id/hub/bad<iri>", headers={"Accept": "text/turtle"}).status_code == 404
    refused = client.get("/id/hub/bilbao-city-of-values", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.get_data(as_text=True)


def test_a_real_client_gets_turtle_from_the_hub_iri(tmp_path: Path) -> None:
    """The issue's `curl -H 'Accept: text/turtle'` on a hub IRI, against a real server (`l4a serve`)."""
    with served(tmp_path / "data") as base:
        request = urllib.request.Request(f"{base}/id/hub/bilbao-city-of-values", headers={"Accept": "text/turtle"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200 and response.headers["Content-Type"].startswith("text/turtle")
            graph = parsed(response.read(), "text/turtle")
        assert (rdflib.URIRef(BILBAO), rdflib.RDF.type, L4A.Hub) in graph
