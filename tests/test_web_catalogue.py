"""The query catalogue: every named query listed and runnable from a form built from its parameters; answers as
tables and downloads (CSV, TSV, SPARQL JSON, Turtle); bad values reported by field in en/fr/es; values bound."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from l4a.graph.sparql.queries import named_queries
from l4a.web.catalogues import TRANSLATIONS
from l4a.web.pages.catalogue import shown_in_english

from .webapp import make_app, web_app

BILBAO = "https://w3id.org/l4a/id/hub/bilbao-city-of-values"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("catalogue")) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_every_named_query_is_listed_but_the_internal_ones(client: FlaskClient) -> None:
    public = [name for name, q in named_queries().items() if not q.internal]
    page = client.get("/queries").get_data(as_text=True)
    assert all(f'href="/queries/{name}"' in page for name in public)
    listed = client.get("/queries.json").get_json()["queries"]
    assert [q["name"] for q in listed] == public
    assert not {"sync-links", "sync-titles", "sync-concept"} & {q["name"] for q in listed}  # read by the code only


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_runs_with_its_examples(client: FlaskClient, name: str) -> None:
    query = named_queries()[name]
    examples = {p.name: p.example for p in query.parameters if p.required}
    response = client.get(f"/queries/{name}", query_string=examples, headers={"Accept": "application/json"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["head"]["vars"] and isinstance(data["results"]["bindings"], list)
    assert client.get(f"/queries/{name}", query_string=examples).status_code == 200


def test_the_form_is_built_from_the_parameters(client: FlaskClient) -> None:
    page = client.get("/queries/evidence-for").get_data(as_text=True)
    for parameter in named_queries()["evidence-for"].parameters:
        assert f'name="{parameter.name}"' in page
    assert 'type="date"' in page and " required" not in page  # every parameter of evidence-for is optional
    council = client.get("/queries/hubs-by-council").get_data(as_text=True)
    assert 'list="list-council"' in council and "required" in council
    assert '<option value="safer-resilient-sustainable-cities">' in council  # suggestions, by slug, with labels


def test_answer_as_a_table_with_labels(client: FlaskClient) -> None:
    page = client.get("/queries/hubs-by-sdg", query_string={"sdg": "11"}).get_data(as_text=True)
    assert '<a href="/id/hub/bilbao-city-of-values">Local4Action HUB Bilbao' in page
    assert 'href="/queries/hubs-by-sdg.csv?sdg=11"' in page


def test_downloads(client: FlaskClient) -> None:
    columns = named_queries()["hubs-by-sdg"].columns
    as_csv = client.get("/queries/hubs-by-sdg.csv?sdg=11")
    assert as_csv.mimetype == "text/csv" and "attachment" in as_csv.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert list(rows[0]) == columns and BILBAO in {r["hub"] for r in rows}
    as_tsv = client.get("/queries/hubs-by-sdg.tsv?sdg=11")
    assert as_tsv.mimetype == "text/tab-separated-values"
    assert as_tsv.get_data(as_text=True).splitlines()[0].split("\t") == columns
    as_json = client.get("/queries/hubs-by-sdg.json?sdg=11")
    solutions = ox.parse_query_results(as_json.data, ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    assert BILBAO in {s["hub"].value for s in solutions}
    profile = client.get("/queries/hub-profile.ttl?hub=bilbao-city-of-values")
    assert profile.mimetype == "text/turtle"
    assert any(t.subject.value == BILBAO for t in ox.parse(profile.data, format=ox.RdfFormat.TURTLE))
    assert client.get("/queries/hubs-by-sdg.ttl?sdg=11").status_code == 404  # a SELECT has no Turtle


def test_bad_values_are_reported_by_field(client: FlaskClient) -> None:
    response = client.get("/queries/hubs-by-sdg", query_string={"sdg": "banana", "lang": "fr"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page and "pas valide pour sdg" in page
    missing = client.get("/queries/hubs-by-council", query_string={"run": "1"}, headers={"Accept": "application/json"})
    assert missing.status_code == 400 and "council" in missing.get_json()["errors"]
    assert client.get("/queries/hubs-by-sdg.csv?sdg=banana").status_code == 400
    fresh = client.get("/queries/hubs-by-council")  # a form not yet sent is not an error
    assert fresh.status_code == 200 and 'aria-invalid="true"' not in fresh.get_data(as_text=True)


def test_values_are_bound_not_pasted(client: FlaskClient) -> None:
    sneaky = 'PT" ) } } ; DROP ALL ; SELECT * { ?s ?p ?o # '
    response = client.get(
        "/queries/hubs-by-place", query_string={"country": sneaky}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200 and response.get_json()["results"]["bindings"] == []
    assert client.get("/queries/hubs-by-sdg.json?sdg=11").status_code == 200  # still all there
    assert client.get("/queries/hubs-by-sdg", query_string={"sdg": "11> } #"}).status_code == 400


def test_unknown_query_is_404(client: FlaskClient) -> None:
    assert client.get("/queries/no-such-query").status_code == 404


def test_row_cap(tmp_path: Path) -> None:
    app = make_app(tmp_path, row_cap=2)
    try:
        data = app.test_client().get("/queries/council-coverage", headers={"Accept": "application/json"}).get_json()
        assert len(data["results"]["bindings"]) == 2 and data["truncated"] is True
    finally:
        app.extensions["l4a_store"].close()


def test_titles_and_help_in_french_and_spanish(client: FlaskClient) -> None:
    french = client.get("/queries?lang=fr").get_data(as_text=True)
    assert "Hubs par cible ou objectif des ODD" in french
    spanish = client.get("/queries/hubs-by-sdg?lang=es").get_data(as_text=True)
    assert "Hubs por meta u objetivo de los ODS" in spanish and "por la IRI de la ONU" in spanish
    english = client.get("/queries/hubs-by-sdg?lang=en").get_data(as_text=True)
    assert named_queries()["hubs-by-sdg"].title in english  # English comes from the .rq file itself


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_every_query_title_and_parameter_help_is_in_the_catalogue(lang: str) -> None:
    """A query's title, description and each parameter's help come out in the reader's language: each is a text of
    the gettext catalogues (extracted from the .rq files), so a new or changed query without its translation fails
    here."""
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as file:
        po = read_po(file, locale=lang)
    texts = {q.title for q in named_queries().values()} | {
        p.help for q in named_queries().values() for p in q.parameters
    } | {q.description for q in named_queries().values() if q.description}
    untranslated = [t for t in texts if po.get(t) is None or not po.get(t).string]
    assert untranslated == []


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_descriptions_in_french_and_spanish(client: FlaskClient, lang: str) -> None:
    """A query's description is a text of the catalogues too: the query page, the catalogue and the SPARQL editor's
    examples show its translation, with no lang="en" on it (that marks a description still in English)."""
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as file:
        po = read_po(file, locale=lang)
    english = named_queries()["hubs-by-sdg"].description
    translated = po.get(english).string
    assert translated and translated != english
    shown = str(escape(translated))  # as the templates write it (l'objectif: l&#39;objectif)
    query_page = client.get(f"/queries/hubs-by-sdg?lang={lang}").get_data(as_text=True)
    assert f"<p>{shown}</p>" in query_page and str(escape(english)) not in query_page
    listing = client.get(f"/queries?lang={lang}").get_data(as_text=True)
    assert f"<td>{shown}</td>" in listing and "<td lang=\"en\">" not in listing
    editor = client.get(f"/sparql?lang={lang}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'<span class="muted">{shown}</span>' in editor and '<span class="muted" lang="en">' not in editor
    listed = client.get(f"/queries.json?lang={lang}").get_json()["queries"]
    assert {q["name"]: q["description"] for q in listed}["hubs-by-sdg"] == translated
    english_page = client.get("/queries/hubs-by-sdg?lang=en").get_data(as_text=True)
    assert f"<p>{escape(english)}</p>" in english_page


def test_a_description_not_yet_translated_says_it_is_english(app: Flask) -> None:
    """lang="en" only where the text shown is still the .rq file's English on a French or Spanish page."""
    has_one = named_queries()["hubs-by-sdg"].description  # the catalogues translate it
    with app.test_request_context("/queries?lang=fr"):
        assert shown_in_english("A description no catalogue holds yet.")
        assert not shown_in_english(has_one) and not shown_in_english("")
    with app.test_request_context("/queries?lang=en"):
        assert not shown_in_english("A description no catalogue holds yet.")
