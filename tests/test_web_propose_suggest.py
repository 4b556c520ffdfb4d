"""The proposal form's suggestions, on the real app over the embedded store built from the shipped data: "Suggest from
my description" reposts the form (everything kept, nothing checked, nothing stored) and shows unticked choices;
what the applicant ticks goes into the proposal as if typed, with the revision recording that it came from a
suggestion; what is not ticked stays out; a text about nothing in the SDGs gets no suggestion and says why; French
and Spanish texts get choices labelled in the reader's language; hubs close to the draft come with their reasons,
suggested ones marked; /api/suggest answers the script and refuses bad requests with clear JSON errors."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.namespaces import DEFAULT_BASE, L4A, PROV, RDF, RDFS, SCHEMA, SDG
from l4a.graph.proposals.lifecycle import proposal, revisions
from l4a.graph.resources import internal_query
from l4a.graph.suggest.model import METHOD, VERSION
from l4a.graph.suggest.records import list_suggestions

from .test_web_propose import VALID, token
from .webapp import web_app

HOUSING = (
    "The city plants trees along its streets to cool the neighbourhoods during heat waves, and builds social "
    "housing for the families who live in slums."
)
MANIFESTO_HOUSING = f"{DEFAULT_BASE}id/manifesto/housing"
# A draft with its topic left to the suggestions: no target, manifesto or council of its own.
DRAFT = {k: v for k, v in VALID.items() if k not in ("sdg_target", "manifesto", "council")}
DRAFT.update({"name": "Villaficta Cool Streets", "description": HOUSING, "theme": "Heat and housing"})
STORED_ID = "villaficta-cool-streets"
NOTHING = "A bakery opens a second shop on the main square and changes its opening hours on Sundays."
UNCLEAR = (  # goals 11 and 15 are clear, none of their targets stands out
    "The city plants trees along streets to cool neighbourhoods in heat waves, restores wetlands and protects the "
    "forest habitats of endangered species; social housing for slum dwellers"
)
WOMEN = (
    "The province trains women councillors and candidates so that more women take part in local political "
    "leadership and decision-making."
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("suggest-form")) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.extensions.pop("l4a_suggest_buckets", None)  # each test starts with a full share
    return app.test_client()


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[Flask]:
    with web_app(tmp_path) as made:
        yield made


def offered(page: str) -> list[tuple[str, str]]:
    """The (kind, value) of every suggested choice on the page."""
    return re.findall(r'name="accept_(\w+)" value="([^"]+)"', page)


def ticked(page: str) -> list[tuple[str, str]]:
    return re.findall(r'name="accept_(\w+)" value="([^"]+)"[^>]*\bchecked\b', page)


def revision_triples(store: Any) -> list[ox.Triple]:
    """Every triple of the first revision's graph of the proposal stored."""
    graph = ox.NamedNode(f"{DEFAULT_BASE}graph/proposal/{STORED_ID}/1")
    found: list[ox.Triple] = store.construct(internal_query("graph-triples"), {"g": graph})
    return found


def suggest(client: FlaskClient, data: dict[str, Any], lang: str = "en") -> tuple[int, str]:
    response = client.post(f"/propose?lang={lang}", data={**data, "action": "suggest", "csrf": token(client, lang)})
    return response.status_code, response.get_data(as_text=True)


def api(client: FlaskClient, body: Any, lang: str = "en", **headers: str) -> Any:
    sent = {"X-CSRFToken": token(client, lang), **headers}
    return client.post(f"/api/suggest?lang={lang}", json=body, headers=sent)


# --- Without JavaScript: the button reposts the form -----------------------------------------------------------------


def test_the_button_reposts_the_form_keeping_everything_and_shows_unticked_choices(
    app: Flask, client: FlaskClient
) -> None:
    unfinished = {**DRAFT, "website": "https://", "end_date": "2026-01-01", "lead_name": "", "partners-0-name": "Uni X"}
    status, page = suggest(client, unfinished)
    assert status == 200
    for value in ("Villaficta Cool Streets", "Heat and housing", "Uni X", "Green corridor plan", "https://"):
        assert f'value="{value}"' in page  # everything typed is kept
    assert HOUSING in page and 'name="csrf"' in page
    assert 'class="error-summary"' not in page and "data-field=" not in page  # unfinished fields: no error yet
    choices = offered(page)
    assert ("target", "11.1") in choices and ("manifesto", MANIFESTO_HOUSING) in choices
    assert ticked(page) == []  # nothing is ticked for the applicant
    assert 'name="suggestions_shown" value="1"' in page
    assert not revisions(app.extensions["l4a_store"], DEFAULT_BASE)  # nothing stored
    # a tick survives the next repost (another suggestion, adding a deliverable)
    again = {**unfinished, "accept_target": ["11.1"], "suggestions_shown": "1"}
    _, page = suggest(client, again)
    assert ticked(page) == [("target", "11.1")]
    grown = client.post("/propose", data={**again, "action": "add-deliverables", "csrf": token(client)})
    assert ticked(grown.get_data(as_text=True)) == [("target", "11.1")]


def test_a_clear_goal_with_no_clear_target_is_offered_as_the_goal_never_as_a_weak_target(client: FlaskClient) -> None:
    _, page = suggest(client, {**DRAFT, "theme": "", "description": UNCLEAR})
    goals = [value for kind, value in offered(page) if kind == "goal"]
    targets = [value for kind, value in offered(page) if kind == "target"]
    assert goals, page[page.index('id="suggestions"') :][:3000]
    assert not [t for t in targets if t.split(".")[0] in goals]  # no target of a goal offered as unclear
    assert "<legend>SDG goals whose target is unclear</legend>" in page


def test_a_text_about_nothing_in_the_sdgs_gets_no_suggestion_and_says_why(client: FlaskClient) -> None:
    for lang, text, why in (
        ("en", NOTHING, "use no words the method links to an SDG goal"),
        ("fr", "La boulangerie ouvre une deuxième boutique sur la place et change ses horaires le dimanche.",
         "n'emploient aucun mot que la méthode relie"),
        ("es", "La panadería abre una segunda tienda en la plaza y cambia su horario los domingos.",
         "no usan palabras que el método vincule"),
    ):  # fmt: skip
        status, page = suggest(client, {**DRAFT, "name": "Shop", "theme": "", "description": text}, lang)
        assert status == 200 and offered(page) == []
        assert why in html.unescape(page)
        assert 'id="similar-empty"' in page  # and why no hub is close: no link to compare by
    _, page = suggest(client, {**DRAFT, "name": "", "theme": "", "description": ""})
    assert "write the hub's description in step 1" in html.unescape(page)


@pytest.mark.parametrize(
    ("lang", "text", "legend", "target_words", "manifesto", "says"),
    [
        ("fr", "La commune rénove les logements sociaux des quartiers de taudis et plante des arbres dans les rues.",
         "Cibles des ODD", "un logement", "Logement", "Votre texte dit"),
        ("es", "El municipio construye viviendas sociales en los barrios marginales y planta árboles en las calles.",
         "Metas de los ODS", "viviendas", "Vivienda", "Su texto dice"),
    ],
)  # fmt: skip
def test_french_and_spanish_texts_get_choices_labelled_in_that_language(
    client: FlaskClient, lang: str, text: str, legend: str, target_words: str, manifesto: str, says: str
) -> None:
    _, page = suggest(client, {**DRAFT, "name": "", "theme": "", "description": text}, lang)
    assert ("target", "11.1") in offered(page)
    panel = page[page.index('id="suggestion-choices"') :]
    assert f"<legend>{legend}</legend>" in panel
    label = re.search(r'for="accept-target-11-1">(.*?)</label>', panel, re.S)
    assert label and target_words in label.group(1)
    assert re.search(rf'for="accept-manifesto-housing"><span>{manifesto}</span>', panel)
    assert says in panel
    # a council named only in English says so to the reader's browser and screen reader
    assert re.search(r'for="accept-council-[^"]+"><span lang="en">', panel)


# --- Accepting and dropping ------------------------------------------------------------------------------------------


def test_a_ticked_suggestion_is_sent_as_if_typed_and_recorded_as_accepted(writable: Flask) -> None:
    client = writable.test_client()
    _, page = suggest(client, DRAFT)
    assert ("target", "11.1") in offered(page) and ("manifesto", MANIFESTO_HOUSING) in offered(page)
    councils = [value for kind, value in offered(page) if kind == "council"]
    assert councils  # offered, and left unticked below: they must stay out
    sent = {**DRAFT, "accept_target": ["11.1"], "accept_manifesto": [MANIFESTO_HOUSING], "csrf": token(client)}
    response = client.post("/propose", data=sent)
    assert response.status_code == 201, response.get_data(as_text=True)[:2000]
    store = writable.extensions["l4a_store"]
    stored = proposal(store, STORED_ID, DEFAULT_BASE)
    content = json.loads(stored.content)
    assert content["sdg_targets"] == ["11.1"] and content["manifestos"] == [MANIFESTO_HOUSING]
    assert "policy_councils" not in content  # dropped: never in the proposal
    triples = revision_triples(store)

    def objects(subject: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, predicate: str) -> list[Any]:
        return [t.object for t in triples if t.subject == subject and t.predicate.value == predicate]

    [parsed] = [t.object.value for t in triples if t.predicate.value == L4A + "parsedData"]
    assert f"<{L4A}addressesTarget> <{SDG}11.1>" in parsed and f"<{L4A}relevantCouncil>" not in parsed
    revision = ox.NamedNode(f"{DEFAULT_BASE}id/proposal/{STORED_ID}/1")
    items = objects(revision, L4A + "acceptedSuggestion")
    assert len(items) == 2
    values = set()
    for item in items:
        assert ox.NamedNode(L4A + "AcceptedSuggestion") in objects(item, RDF + "type")
        values |= {v.value for v in objects(item, L4A + "suggestedValue")}
        assert objects(item, L4A + "score")  # the method suggests it for the text sent
        [run] = objects(item, PROV + "wasGeneratedBy")
        [software] = objects(run, PROV + "wasAssociatedWith")
        assert [v.value for v in objects(software, SCHEMA + "softwareVersion")] == [VERSION]
        assert [v.value for v in objects(software, RDFS + "label")] == [METHOD]
    assert values == {f"{SDG}11.1", MANIFESTO_HOUSING}
    assert list_suggestions(store, DEFAULT_BASE) == []  # no suggestion record to review: it is the applicant's claim


def test_nothing_ticked_keeps_every_suggestion_out_of_the_proposal(writable: Flask) -> None:
    client = writable.test_client()
    sent = {**DRAFT, "suggestions_shown": "1", "csrf": token(client)}
    assert client.post("/propose", data=sent).status_code == 201
    store = writable.extensions["l4a_store"]
    content = json.loads(proposal(store, STORED_ID, DEFAULT_BASE).content)
    assert not {"sdg_targets", "sdg_goals", "manifestos", "policy_councils"} & set(content)
    assert not [t for t in revision_triples(store) if t.predicate.value == L4A + "acceptedSuggestion"]


def test_an_accepted_goal_goes_in_as_the_goal_and_comes_back_ticked_on_revision(writable: Flask) -> None:
    client = writable.test_client()
    draft = {**DRAFT, "theme": "", "description": UNCLEAR}
    _, page = suggest(client, draft)
    assert ("goal", "15") in offered(page)
    sent = {**draft, "accept_goal": ["15"], "csrf": token(client)}
    page = client.post("/propose", data=sent).get_data(as_text=True)
    stored = proposal(writable.extensions["l4a_store"], STORED_ID, DEFAULT_BASE)
    assert json.loads(stored.content)["sdg_goals"] == ["15"]
    link = re.search(r'id="follow-link">([^<]+)<', page)
    assert link
    key = link.group(1).split("key=", 1)[1]
    form = client.get(f"/propose?revise={STORED_ID}&key={key}").get_data(as_text=True)
    assert ("goal", "15") in ticked(form)  # kept: the form has no goal field of its own


# --- Hubs close to the draft ------------------------------------------------------------------------------------------


def test_hubs_close_to_the_draft_come_with_reasons_and_suggested_ones_are_marked(client: FlaskClient) -> None:
    answer = api(client, {"text": WOMEN}).get_json()
    assert ("target", "5.5") in [(t["kind"], t["key"]) for t in answer["suggestions"]["targets"]]
    hubs = answer["similar"]["hubs"]
    names = [h["hub"].rsplit("/", 1)[-1] for h in hubs]
    assert "xian-youth-education-dialogue" in names  # it states goal 5 (shared through the suggested 5.5)
    reasons = [r for h in hubs for r in h["reasons"] if r["concept"] == f"{SDG}5"]
    assert reasons and all(r["suggested"] for r in reasons)  # the draft has goal 5 only by a suggestion
    # once ticked, the same link is the draft's own: no longer marked
    chosen = api(client, {"text": WOMEN, "accepted": {"target": ["5.5"]}}).get_json()
    reasons = [r for h in chosen["similar"]["hubs"] for r in h["reasons"] if r["concept"] == f"{SDG}5"]
    assert reasons and not any(r.get("suggested") for r in reasons)
    # the page shows them as links to the hubs' pages, with the mark
    _, page = suggest(client, {**DRAFT, "description": WOMEN})
    similar = page[page.index('id="similar-hubs"') :]
    assert 'href="/hubs/xian-youth-education-dialogue?lang=en"' in similar
    assert "suggested, not confirmed" in similar and "SDG 5" in similar


def test_no_hub_close_says_why_and_what_would_find_some(client: FlaskClient) -> None:
    answer = api(client, {"text": NOTHING, "manifestos": [MANIFESTO_HOUSING]}).get_json()
    assert answer["similar"]["hubs"] == [] and answer["similar"]["empty"] == "no-hub-shares"
    assert re.search(r"only \d+ of \d+ published hubs record any such link", answer["messages"]["similar"])
    answer = api(client, {"text": NOTHING}).get_json()
    assert answer["similar"]["empty"] == "no-links" and "Pick some" in answer["messages"]["similar"]


# --- /api/suggest -----------------------------------------------------------------------------------------------------


def test_the_endpoint_answers_the_script_with_data_and_the_forms_html(client: FlaskClient) -> None:
    response = api(client, {"text": HOUSING, "name": "Cool streets", "html": True}, lang="fr")
    assert response.status_code == 200
    body = response.get_json()
    assert body["suggestions"]["suggested_not_confirmed"] is True
    assert body["suggestions"]["method"] == f"l4a-lexical {VERSION}"
    assert "11.1" in [t["key"] for t in body["suggestions"]["targets"]]
    assert "Cibles des ODD" in body["html"]["choices"] and "checked" not in body["html"]["choices"]
    assert "similar-title" in body["html"]["similar"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"text": ""}, 400, "text"),
        ({"text": "   ", "name": "", "theme": None}, 400, "text"),
        ({"text": "x" * 20_001}, 413, "text"),
        ({"text": 123}, 400, "text"),
        ({"text": HOUSING, "name": ["a"]}, 400, "name"),
        ({"text": HOUSING, "sdg_targets": "11.1"}, 400, "sdg_targets"),
        ({"text": HOUSING, "accepted": {"target": [{"x": 1}]}}, 400, "accepted.target"),
        ({"text": HOUSING, "accepted": ["11.1"]}, 400, "accepted"),
        ({"text": "a\x00b"}, 400, "text"),
        (["a list"], 400, None),
    ],
)
def test_the_endpoint_refuses_bad_input_naming_the_field(
    client: FlaskClient, body: Any, status: int, field: str | None
) -> None:
    response = api(client, body)
    assert response.status_code == status
    answer = response.get_json()
    assert answer["status"] == status and answer["error"] and "Traceback" not in answer["error"]
    assert answer.get("field") == field


def test_the_endpoint_refuses_requests_without_the_forms_token_or_not_json(client: FlaskClient) -> None:
    missing = client.post("/api/suggest", json={"text": HOUSING})
    assert missing.status_code == 400 and missing.get_json()["field"] == "csrf"
    forged = client.post("/api/suggest", json={"text": HOUSING}, headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400 and forged.get_json()["field"] == "csrf"
    csrf = token(client)
    form = client.post("/api/suggest", data={"text": HOUSING}, headers={"X-CSRFToken": csrf})
    assert form.status_code == 415 and "application/json" in form.get_json()["error"]
    broken = client.post("/api/suggest", data="{not json", content_type="application/json",
                         headers={"X-CSRFToken": csrf})  # fmt: skip
    assert broken.status_code == 400 and "JSON" in broken.get_json()["error"]
    huge = client.post("/api/suggest", data=json.dumps({"text": "x" * 200_000}), content_type="application/json",
                       headers={"X-CSRFToken": csrf})  # fmt: skip
    assert huge.status_code == 413 and "131,072" in huge.get_json()["error"]
    french = client.post("/api/suggest?lang=fr", json={"text": HOUSING})
    assert "jeton de sécurité" in french.get_json()["error"]  # in the reader's language


def test_a_client_above_its_share_is_told_when_to_ask_again(tmp_path: Path) -> None:
    with web_app(tmp_path) as limited:
        client = limited.test_client()
        csrf = token(client)
        statuses = []
        for _ in range(40):
            response = client.post("/api/suggest", json={"text": HOUSING}, headers={"X-CSRFToken": csrf})
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert int(response.headers["Retry-After"]) >= 1
                assert "wait" in response.get_json()["error"]
                break
        assert statuses[0] == 200 and statuses[-1] == 429
        # the form's button is limited the same way, and answers with the form as typed
        response = client.post("/propose", data={**DRAFT, "action": "suggest", "csrf": csrf})
        page = response.get_data(as_text=True)
        assert response.status_code == 429 and 'id="suggestions-busy"' in page and HOUSING in page
