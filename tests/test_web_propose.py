"""The proposal form: CSRF, the same pipeline as `l4a propose`, the report next to each field, in three languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.proposals.lifecycle import proposal

from .webapp import web_app

VALID = {
    "name": "Exampleton Green Corridors",
    "description": "A fictional hub: green corridors to cool the city.",
    "city": "Exampleton",
    "country": "ZZ",
    "start_date": "2026-03-01",
    "end_date": "2028-02-29",
    "website": "https://exampleton.example.org/",
    "visual_identity_checked": "true",
    "lead_name": "Municipality of Exampleton",
    "lead_type": "local government",
    "lead_country": "ZZ",
    "sdg_target": ["11.7 — some words", "13.1"],
    "manifesto": ["https://w3id.org/l4a/id/manifesto/ecology"],
    "council": ["https://w3id.org/l4a/id/council/resilient-regenerative-territories"],
    "section": "https://w3id.org/l4a/id/section/flacma",
    "deliverable_1_title": "Green corridor plan",
    "deliverable_1_due_date": "2027-06-30",
    "indicator_1_name": "Tree canopy cover",
    "indicator_1_unit": "percent",
    "indicator_1_baseline": "12.5",
    "indicator_1_target_value": "18",
    "indicator_1_due_date": "2028-02-29",
    "channels": "municipal web site\nlocal radio",
    "activities": "launch walk",
    "evidence_url": "https://exampleton.example.org/plan.pdf",
    "evidence_date": "2026-01-20",
    "submitted_by": "Exampleton urban ecology",
}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    with web_app(tmp_path) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def token(client: FlaskClient, lang: str = "en") -> str:
    page = client.get(f"/propose?lang={lang}").get_data(as_text=True)
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_form_labels_and_help_come_from_the_ontology_and_shapes(client: FlaskClient) -> None:
    page = client.get("/propose?lang=fr").get_data(as_text=True)
    assert "date de début" in page.lower()  # l4a:startDate's French label
    assert "11.3 — " in page  # the target picker lists targets by notation and name, searchable in en/fr/es
    option = re.search(r'<option value="11\.3 — [^"]*" label="([^"]*)"', page)
    assert option and "urbanisation" in option.group(1).lower() and "urbanización" in option.group(1).lower()
    assert "Référence" in page or "porteur" in page.lower()


def test_a_post_without_the_csrf_token_is_refused(client: FlaskClient, app: Flask) -> None:
    response = client.post("/propose", data=VALID)
    assert response.status_code == 400
    assert "exampleton" not in str(app.extensions["l4a_store"].named_graphs())


def test_a_valid_proposal_is_stored_as_submitted(client: FlaskClient, app: Flask) -> None:
    response = client.post("/propose", data={**VALID, "csrf": token(client)})
    assert response.status_code == 201, response.get_data(as_text=True)[:2000]
    stored = proposal(app.extensions["l4a_store"], "exampleton-green-corridors", DEFAULT_BASE)
    assert stored.status == "submitted" and stored.media_type == "application/json"


def test_an_invalid_proposal_shows_the_report_next_to_the_fields(client: FlaskClient, app: Flask) -> None:
    bad = {**VALID, "end_date": "2031-02-28", "lead_name": "", "sdg_target": ["18.1"], "csrf": token(client, "es")}
    response = client.post("/propose?lang=es", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    reports = dict(re.findall(r'data-field="([^"]*)">([^<]+)<', page))
    assert "end_date" in reports and "sdg_target" in reports and "lead_name" in reports
    assert "18.1" in reports["sdg_target"]
    assert "requiere cambios" in page
    assert proposal(app.extensions["l4a_store"], "exampleton-green-corridors", DEFAULT_BASE).status == "needs-changes"


def test_a_malformed_value_is_refused_without_storing(client: FlaskClient, app: Flask) -> None:
    response = client.post("/propose", data={**VALID, "indicator_1_baseline": "twelve", "csrf": token(client)})
    assert response.status_code == 400
    reports = dict(re.findall(r'data-field="([^"]*)">([^<]+)<', response.get_data(as_text=True)))
    assert "expected a number" in reports["indicator_baseline"]
    assert not any("proposal" in g for g in app.extensions["l4a_store"].named_graphs())


def test_markup_in_a_proposal_is_shown_as_text(client: FlaskClient) -> None:
    payload = "<script>alert(1)</script>"
    response = client.post("/propose", data={**VALID, "name": payload, "id": "xss", "csrf": token(client)})
    page = response.get_data(as_text=True)
    assert payload not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
