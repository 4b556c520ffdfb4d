"""Reporting a monitoring figure through the web (web/observe.py): staff only, CSRF-checked, the same checks and
shapes as `l4a monitor add`, a new named graph per figure (history kept), errors next to their field in the reader's
language, hostile input refused or shown as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.build import build
from l4a.graph.shacl.validation import shipped_validator
from l4a.graph.store.embedded import EmbeddedStore

from .test_web_staff import ANA_TOKEN, sha, sign_in
from .webapp import web_app

SLUG = "demo-exampleton-green-corridors"
FORM = f"/monitoring/hubs/{SLUG}/observations/new"
ID = "https://w3id.org/l4a/id/"
CANOPY = f"{ID}indicator/demo-exampleton-canopy"
GARDENS = f"{ID}indicator/demo-exampleton-gardens"
GRAPHS = f"https://w3id.org/l4a/graph/monitoring/{SLUG}/"
GOOD = {"indicator": CANOPY, "value": "15.5", "date": "2026-11-20", "source": "https://exampleton.example.org/figures"}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    store = EmbeddedStore.open(tmp_path / "store")
    build(store, with_examples=True)
    store.close()
    with web_app(tmp_path, staff=f"ana:{sha(ANA_TOKEN)}") as made:
        yield made


@pytest.fixture
def staff(app: Flask) -> FlaskClient:
    client = app.test_client()
    sign_in(client)
    return client


def form_csrf(client: FlaskClient, lang: str = "en") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(f"{FORM}?lang={lang}").get_data(as_text=True))
    assert found
    return found.group(1)


def figure_graphs(app: Flask) -> list[str]:
    return sorted(g for g in app.extensions["l4a_store"].named_graphs() if g.startswith(GRAPHS) and g[-1].isdigit())


def canopy_values(client: FlaskClient) -> list[tuple[str, str, str | None]]:
    data = client.get(f"/monitoring/hubs/{SLUG}.json").get_json()
    (canopy,) = [i for d in data["deliverables"] for i in d["indicators"] if i["indicator"] == CANOPY]
    return [(o["date"], o["value"], o["reported_by"]) for o in canopy["observations"]]


def test_anonymous_get_goes_to_sign_in_and_post_is_refused(app: Flask) -> None:
    client = app.test_client()
    before = app.extensions["l4a_store"].quad_count()
    answer = client.get(FORM)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/staff/sign-in?next=")
    assert client.post(FORM, data={**GOOD, "csrf": "x"}).status_code == 401
    assert app.extensions["l4a_store"].quad_count() == before and figure_graphs(app) == []


def test_staff_add_figures_and_the_history_is_kept(app: Flask, staff: FlaskClient) -> None:
    page = staff.get(FORM).get_data(as_text=True)
    assert f'<option value="{CANOPY}"' in page and f'<option value="{GARDENS}"' in page
    assert "Reported by: ana" in page and "<script" not in page and "style=" not in page
    answer = staff.post(FORM, data={**GOOD, "csrf": form_csrf(staff)})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/monitoring/hubs/{SLUG}"
    assert ("2026-11-20", "15.5", "ana") in canopy_values(staff)  # shown on the hub's monitoring page at once
    assert "15.5" in staff.get(f"/monitoring/hubs/{SLUG}").get_data(as_text=True)
    again = staff.post(FORM, data={**GOOD, "value": "15.75", "csrf": form_csrf(staff)})
    assert again.status_code == 303
    same_day = [v for day, v, _who in canopy_values(staff) if day == "2026-11-20"]
    assert sorted(same_day) == ["15.5", "15.75"]  # the second figure for the same date did not replace the first
    graphs = figure_graphs(app)
    assert graphs == [f"{GRAPHS}1", f"{GRAPHS}2"]
    for graph in graphs:  # written through the shapes: each graph validates clean
        assert shipped_validator().validate_graph(app.extensions["l4a_store"], graph).results == []


def test_a_bad_csrf_token_is_400_and_writes_nothing(app: Flask, staff: FlaskClient) -> None:
    before = app.extensions["l4a_store"].quad_count()
    assert staff.post(FORM, data={**GOOD, "csrf": "forged"}).status_code == 400
    assert staff.post(FORM, data=GOOD).status_code == 400
    assert app.extensions["l4a_store"].quad_count() == before


def test_a_bad_value_is_shown_next_to_its_field_in_french(app: Flask, staff: FlaskClient) -> None:
    before = app.extensions["l4a_store"].quad_count()
    data = {**GOOD, "value": "douze", "date": "2026-02-30", "csrf": form_csrf(staff, "fr")}
    answer = staff.post(f"{FORM}?lang=fr", data=data)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert 'data-field="value">Écrivez un nombre, par exemple 13.9, et non «\u00a0douze\u00a0».</p>' in page
    assert 'data-field="date">Indiquez une date comme 2027-03-31, et non «\u00a02026-02-30\u00a0».</p>' in page
    assert 'id="f-value" name="value" inputmode="decimal" required value="douze" aria-invalid="true"' in page
    assert app.extensions["l4a_store"].quad_count() == before


def test_hostile_input_is_refused_and_shown_as_text(app: Flask, staff: FlaskClient) -> None:
    before = app.extensions["l4a_store"].quad_count()
    hostile = 'https://x.example/"><script>alert(1)</script>'
    answer = staff.post(FORM, data={**GOOD, "source": hostile, "indicator": "<b>x</b>", "csrf": form_csrf(staff)})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "<script>alert" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown back as text, in the error and the field
    assert 'data-field="source">Give a full web address starting with http:// or https://' in page
    assert app.extensions["l4a_store"].quad_count() == before


def test_another_hubs_indicator_or_a_future_date_is_refused_in_spanish(app: Flask, staff: FlaskClient) -> None:
    before = app.extensions["l4a_store"].quad_count()
    other = {**GOOD, "indicator": f"{ID}indicator/not-this-hubs", "csrf": form_csrf(staff, "es")}
    page = staff.post(f"{FORM}?lang=es", data=other).get_data(as_text=True)
    assert 'data-field="indicator">Elija uno de los indicadores de este hub.</p>' in page
    future = {**GOOD, "date": "2999-01-01", "csrf": form_csrf(staff, "es")}
    page = staff.post(f"{FORM}?lang=es", data=future).get_data(as_text=True)
    assert 'data-field="date">2999-01-01 está en el futuro: informe lo que se observó.</p>' in page
    assert app.extensions["l4a_store"].quad_count() == before


def test_a_shape_violation_is_shown_with_the_shapes_message(app: Flask, staff: FlaskClient) -> None:
    """The second gate from the web: the gardens indicator is the hub's, but no longer recorded as an indicator."""
    store = app.extensions["l4a_store"]
    store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{GARDENS}> a <https://w3id.org/l4a/ontology#Indicator> }} }}")
    before = store.quad_count()
    data = {**GOOD, "indicator": GARDENS, "value": "5", "csrf": form_csrf(staff, "fr")}
    page = staff.post(f"{FORM}?lang=fr", data=data).get_data(as_text=True)
    assert 'data-field="indicator">Indicateur enregistré\u00a0: ' in page
    assert store.quad_count() == before


def test_an_unknown_hub_is_404_for_staff(staff: FlaskClient) -> None:
    assert staff.get("/monitoring/hubs/nowhere/observations/new").status_code == 404
