"""The proposal form: six steps in the reader's words (no RDF term), CSRF, the same pipeline as `l4a propose`,
errors next to their fields with a summary linking to each, growing lists, SDG targets by number or words, the
confirmation with a private link, and no revision of someone else's proposal."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.proposals.lifecycle import proposal, revisions
from l4a.web.catalogues import TRANSLATIONS
from l4a.web.proposal_form import resolve_targets

from .webapp import web_app

VALID = {
    "name": "Exampleton Green Corridors",
    "description": "A fictional hub: green corridors to cool the city.",
    "city": "Exampleton",
    "country": "ZZ",
    "start_date": "2026-03-01",
    "end_date": "2028-02-29",
    "website": "https://exampleton.example.org/",
    "visual_identity_checked": "y",
    "lead_name": "Municipality of Exampleton",
    "lead_type": "local government",
    "lead_country": "ZZ",
    "sdg_target": ["11.7 — some words", "13.1"],
    "manifesto": ["https://w3id.org/l4a/id/manifesto/ecology"],
    "council": ["https://w3id.org/l4a/id/council/resilient-regenerative-territories"],
    "section": "https://w3id.org/l4a/id/section/flacma",
    "deliverables-0-title": "Green corridor plan",
    "deliverables-0-due_date": "2027-06-30",
    "deliverables-0-indicators-0-name": "Tree canopy cover",
    "deliverables-0-indicators-0-unit": "percent",
    "deliverables-0-indicators-0-baseline": "12.5",
    "deliverables-0-indicators-0-target_value": "18",
    "deliverables-0-indicators-0-due_date": "2028-02-29",
    "channels": "municipal web site\nlocal radio",
    "activities": "launch walk",
    "evidence-0-url": "https://exampleton.example.org/plan.pdf",
    "evidence-0-type": "report",
    "evidence-0-date": "2026-01-20",
    "submitted_by": "Exampleton urban ecology",
}
FIRST_ID = "exampleton-green-corridors"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    with web_app(tmp_path) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def token(client: FlaskClient, lang: str = "en") -> str:
    page = client.get(f"/propose?lang={lang}").get_data(as_text=True)
    found = re.search(r'name="csrf" type="hidden" value="([^"]+)"|name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1) or found.group(2)


def test_the_french_form_has_no_english_label_and_no_rdf_term(client: FlaskClient) -> None:
    french = client.get("/propose?lang=fr").get_data(as_text=True)
    # Names the sources give only in English are marked lang="en" (data, not the form's words): left out.
    ui = re.sub(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", french, flags=re.DOTALL)
    shown = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", ui)))
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="fr")
    english_left = [m.id for m in catalogue if m.id and isinstance(m.id, str) and m.string != m.id
                    and "%(" not in m.id and re.search(rf"(?<!\w){re.escape(m.id)}(?!\w)", shown)]  # fmt: skip
    assert not english_left, english_left
    assert "Nom du hub" in shown and "Date de début" in shown and "Ce qui est mesuré" in shown
    text = re.sub(r"<[^>]+>", " ", french)
    assert not re.search(r"\b(?:xsd|l4a|schema|sdgo|dcterms|skos):", text), re.search(
        r".{40}\b(?:xsd|l4a|schema):.{40}", text
    )
    for words in (
        "Le hub",
        "Qui le porte",
        "Thématique",
        "Calendrier et livrables",
        "Communication",
        "Sources et preuves",
    ):
        assert f"</span> {words}</h2></legend>" in french  # the six key features of a hub are the form's steps
    assert "Gouvernement local (ville, commune)" in french  # lead types in the reader's language
    assert ">Espagne<" in french and ">Argentine<" in french  # countries by name in the reader's language
    assert 'lang="en"' in french and "en anglais" in french  # English-only council names are marked as such


def test_sdg_targets_are_listed_in_numeric_order_in_the_readers_language(client: FlaskClient) -> None:
    page = client.get("/propose?lang=es").get_data(as_text=True)
    notations = re.findall(r'<option value="(\d+\.\w+) — ', page)
    assert notations[:3] == ["1.1", "1.2", "1.3"] and notations.index("1.a") > notations.index("1.5")
    assert notations.index("2.1") > notations.index("1.b") and notations.index("10.1") > notations.index("9.c")
    assert re.search(r'<option value="11\.1 — [^"]*vivienda', page)


def test_targets_are_found_by_number_or_by_words_without_accents() -> None:
    targets = [("11.1", "access to housing acceso a la vivienda logement"), ("11.2", "transport systems transporte"),
               ("6.1", "drinking water eau potable"), ("6.2", "sanitation eau assainissement")]  # fmt: skip
    found, problems = resolve_targets(["11.1 — whatever", "Lógement", "Target 6.2", "transport"], targets)
    assert found == ["11.1", "11.1", "6.2", "11.2"] and problems == []
    found, problems = resolve_targets(["eau", "moonbase"], targets)
    assert found == [] and "6.1, 6.2" in problems[0] and "moonbase" in problems[1]


def test_a_post_without_the_csrf_token_is_refused(client: FlaskClient, app: Flask) -> None:
    response = client.post("/propose", data=VALID)
    assert response.status_code == 400
    assert not revisions(app.extensions["l4a_store"], DEFAULT_BASE)


def test_a_valid_proposal_is_confirmed_with_its_number_and_a_private_link(client: FlaskClient, app: Flask) -> None:
    response = client.post("/propose?lang=fr", data={**VALID, "csrf": token(client, "fr")})
    page = response.get_data(as_text=True)
    assert response.status_code == 201, page[:2000]
    stored = proposal(app.extensions["l4a_store"], FIRST_ID, DEFAULT_BASE)
    assert stored.status == "submitted" and stored.media_type == "application/json"
    assert f'<strong class="proposal-number">{FIRST_ID}</strong>' in page
    assert "Et ensuite" in page  # what happens next, in the reader's language
    link = re.search(r'id="follow-link">([^<]+)<', page)
    assert link
    follow = client.get(html.unescape(link.group(1)).removeprefix("http://localhost"))
    assert follow.status_code == 200 and FIRST_ID in follow.get_data(as_text=True)
    assert client.get(f"/propose/follow/{FIRST_ID}?key=guessed").status_code == 404
    assert client.get(f"/propose/follow/{FIRST_ID}").status_code == 404


def test_the_same_title_from_someone_else_never_revises_the_first_proposal(client: FlaskClient, app: Flask) -> None:
    first = client.post("/propose", data={**VALID, "csrf": token(client)})
    assert first.status_code == 201
    other = app.test_client()  # another person: another session, no private link
    second = other.post("/propose", data={**VALID, "lead_name": "Someone else", "csrf": token(other)})
    assert second.status_code == 201
    store = app.extensions["l4a_store"]
    assert proposal(store, FIRST_ID, DEFAULT_BASE).number == 1  # untouched
    assert proposal(store, f"{FIRST_ID}-2", DEFAULT_BASE).number == 1
    # a posted id or a forged key does not make a revision either
    forged = other.post(
        "/propose", data={**VALID, "id": FIRST_ID, "revise": FIRST_ID, "key": "x", "csrf": token(other)}
    )
    assert forged.status_code == 403
    assert proposal(store, FIRST_ID, DEFAULT_BASE).number == 1


def test_the_private_link_revises_the_proposal(client: FlaskClient, app: Flask) -> None:
    page = client.post("/propose", data={**VALID, "csrf": token(client)}).get_data(as_text=True)
    link = html.unescape(re.search(r'id="follow-link">([^<]+)<', page).group(1))  # type: ignore[union-attr]
    key = link.split("key=", 1)[1]
    form = client.get(f"/propose?revise={FIRST_ID}&key={key}").get_data(as_text=True)
    assert 'value="Green corridor plan"' in form and 'name="revise"' in form  # filled in with the last revision
    changed = {**VALID, "theme": "Shade", "revise": FIRST_ID, "key": key, "csrf": token(client)}
    assert client.post("/propose", data=changed).status_code == 201
    assert proposal(app.extensions["l4a_store"], FIRST_ID, DEFAULT_BASE).number == 2


def test_rules_not_met_are_shown_next_to_their_fields_and_summed_up(client: FlaskClient, app: Flask) -> None:
    bad = {**VALID, "end_date": "2031-02-28", "lead_name": "", "sdg_target": ["18.1"], "csrf": token(client, "es")}
    response = client.post("/propose?lang=es", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    reports = dict(re.findall(r'data-field="([^"]*)">([^<]+)<', page))
    assert {"end_date", "sdg_target", "lead_name"} <= set(reports)
    assert "18.1" in reports["sdg_target"]
    for field in ("end_date", "sdg_target", "lead_name"):  # the summary links to each, and each target exists
        assert f'href="#{field}"' in page and f'id="{field}"' in page
    assert not re.search(r"\b(?:xsd|l4a|schema):", re.sub(r"<[^>]+>", " ", page))
    assert proposal(app.extensions["l4a_store"], FIRST_ID, DEFAULT_BASE).status == "needs-changes"
    assert 'id="follow-link"' in page and 'name="revise"' in page  # the next send is a revision of this one


def test_a_form_error_is_shown_before_anything_is_stored(client: FlaskClient, app: Flask) -> None:
    bad = {**VALID, "name": "", "end_date": "2020-01-01", "website": "not a web address", "csrf": token(client)}
    page = client.post("/propose", data=bad).get_data(as_text=True)
    assert 'class="error-summary"' in page
    for field in ("name", "end_date", "website"):
        assert f'href="#{field}"' in page and f'data-field="{field}"' in page
    assert not revisions(app.extensions["l4a_store"], DEFAULT_BASE)


def test_a_malformed_value_is_refused_without_storing(client: FlaskClient, app: Flask) -> None:
    bad = {**VALID, "deliverables-0-indicators-0-baseline": "douze", "csrf": token(client, "fr")}
    response = client.post("/propose?lang=fr", data=bad)
    assert response.status_code == 400
    reports = dict(re.findall(r'data-field="([^"]*)">([^<]+)<', response.get_data(as_text=True)))
    assert "Écrivez un nombre" in reports["deliverables-0-indicators-0-baseline"]  # in the reader's language
    assert not any("proposal" in g for g in app.extensions["l4a_store"].named_graphs())
    # a decimal comma, as French and Spanish write it, is the number it means
    good = {**VALID, "deliverables-0-indicators-0-baseline": "12,5", "csrf": token(client, "fr")}
    assert client.post("/propose?lang=fr", data=good).status_code == 201
    assert '"baseline": "12.5"' in proposal(app.extensions["l4a_store"], FIRST_ID, DEFAULT_BASE).content


def test_deliverables_and_indicators_are_added_and_removed(client: FlaskClient, app: Flask) -> None:
    csrf = token(client)
    page = client.post("/propose", data={**VALID, "action": "add-deliverables", "csrf": csrf}).get_data(as_text=True)
    assert 'name="deliverables-1-title"' in page and 'value="Green corridor plan"' in page
    page = client.post("/propose", data={**VALID, "action": "add-indicator-0", "csrf": csrf}).get_data(as_text=True)
    assert 'name="deliverables-0-indicators-1-name"' in page
    two = {**VALID, "deliverables-1-title": "Second", "action": "remove-deliverables-0", "csrf": csrf}
    page = client.post("/propose", data=two).get_data(as_text=True)
    assert 'value="Second"' in page and 'value="Green corridor plan"' not in page
    assert 'name="deliverables-0-title"' in page and 'name="deliverables-1-title"' not in page
    assert not revisions(app.extensions["l4a_store"], DEFAULT_BASE)  # growing the form stores nothing


def test_targets_typed_as_words_in_the_readers_language(client: FlaskClient, app: Flask) -> None:
    data = {**VALID, "sdg_target": ["taudis", "xyzzy"], "csrf": token(client, "fr")}
    page = client.post("/propose?lang=fr", data=data).get_data(as_text=True)
    messages = " ".join(m for f, m in re.findall(r'data-field="([^"]*)">([^<]+)<', page) if f == "sdg_target")
    assert "xyzzy" in messages and "taudis" not in messages  # "taudis" (slums) names target 11.1 alone
    data = {**VALID, "sdg_target": ["taudis"], "csrf": token(client, "fr")}
    assert client.post("/propose?lang=fr", data=data).status_code == 201
    stored = proposal(app.extensions["l4a_store"], FIRST_ID, DEFAULT_BASE)
    assert '"sdg_targets": [\n    "11.1"\n  ]' in stored.content


def test_markup_in_a_proposal_is_shown_as_text(client: FlaskClient) -> None:
    payload = "<script>alert(1)</script>"
    response = client.post("/propose", data={**VALID, "name": payload, "id": "xss", "csrf": token(client)})
    page = response.get_data(as_text=True)
    assert payload not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_growing_the_form_is_not_counted_as_sending_it(tmp_path: Path) -> None:
    with web_app(tmp_path, proposal_rate=2) as limited:
        client = limited.test_client()
        csrf = token(client)
        for _ in range(6):  # more than the rate: adding a deliverable stores nothing
            assert (
                client.post("/propose", data={**VALID, "action": "add-deliverables", "csrf": csrf}).status_code == 200
            )
        statuses = [client.post("/propose", data={**VALID, "csrf": csrf}).status_code for _ in range(3)]
        assert statuses[-1] == 429  # sending is still limited
