"""Suggestions on the web, through the app's test client over a real embedded store holding the shipped data and
`l4a suggest --all --store`: pages show pending suggestions apart and marked, count them only with
?include_suggested=1, and signed-in staff confirm or reject each in one click at /staff/suggestions."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.cli.main import main
from l4a.graph.namespaces import DEFAULT_BASE, L4A
from l4a.graph.suggest.records import list_suggestions
from l4a.graph.sync.suggested import pending_links

from .webapp import web_app

TOKEN = "ana-personal-token-0123456789"
MARKS = {"en": "suggested, not confirmed", "fr": "suggéré, non confirmé", "es": "sugerido, no confirmado"}


@pytest.fixture(scope="module")
def stored_dir(built_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("web-suggestions") / "data"
    shutil.copytree(built_dir, copy)
    env = {"L4A_DATA_DIR": str(copy), "L4A_CONFIG": str(copy / "absent.toml")}
    result = CliRunner().invoke(main, ["suggest", "--all", "--store"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return copy


@pytest.fixture
def app(stored_dir: Path, tmp_path: Path) -> Iterator[Flask]:
    copy = tmp_path / "data"
    shutil.copytree(stored_dir, copy)
    with web_app(copy, staff=f"ana:{hashlib.sha256(TOKEN.encode()).hexdigest()}") as made:
        yield made


def csrf(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, path
    return found.group(1)


def sign_in(client: FlaskClient) -> None:
    response = client.post("/staff/sign-in", data={"csrf": csrf(client, "/staff/sign-in"), "name": "ana",
                                                  "token": TOKEN})  # fmt: skip
    assert response.status_code == 302


def council_suggestions(app: Flask) -> dict[str, set[str]]:
    """council IRI -> the hubs a pending suggestion links to it."""
    found: dict[str, set[str]] = {}
    for link in pending_links(app.extensions["l4a_store"]):
        if link.kind == "council":
            found.setdefault(link.value, set()).add(link.hub)
    return found


def current_councils(app: Flask) -> set[str]:
    rows = app.extensions["l4a_store"].select(
        "SELECT ?c ?kind ?continues WHERE { ?c a ?kind FILTER NOT EXISTS { ?next ?continues ?c } }",
        {"kind": _node(L4A + "PolicyCouncil"), "continues": _node(L4A + "continues")},
    )
    return {row["c"].value for row in rows}


def _node(iri: str) -> object:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def test_a_current_council_page_lists_suggested_hubs_apart_marked_in_each_language(app: Flask) -> None:
    client = app.test_client()
    suggested = council_suggestions(app)
    councils = sorted(set(suggested) & current_councils(app))
    assert councils
    for council in councils:
        slug = council.rsplit("/", 1)[1]
        data = client.get(f"/councils/{slug}.json").get_json()
        either_term = set().union(*(suggested.get(c, set()) for c in data["lineage"]))  # both terms count
        assert {x["hub"] for x in data["suggested"]} == either_term - set(data["hubs"])
        assert not set(data["hubs"]) & {x["hub"] for x in data["suggested"]}  # not counted as its hubs
        assert data["counted"] == []
        for lang, mark in MARKS.items():
            page = client.get(f"/councils/{slug}?lang={lang}").get_data(as_text=True)
            section = page.split('id="suggested"', 1)[1].split("</section>", 1)[0]
            assert mark in section
            for hub in either_term - set(data["hubs"]):
                assert f'/hubs/{hub.rsplit("/", 1)[1]}#suggested' in section
    slug = councils[0].rsplit("/", 1)[1]
    counted = client.get(f"/councils/{slug}.json?include_suggested=1").get_json()
    assert set(counted["counted"]) == {x["hub"] for x in counted["suggested"]}
    page = client.get(f"/councils/{slug}?include_suggested=1&lang=en").get_data(as_text=True)
    hubs_list = page.split("<h2>Hubs", 1)[1].split('id="suggested"', 1)[0]
    assert hubs_list.count(MARKS["en"]) >= len(counted["counted"]) > 0


def test_hub_page_shows_its_suggestions_apart_and_counts_them_only_with_the_toggle(app: Flask) -> None:
    client = app.test_client()
    store = app.extensions["l4a_store"]
    hub = next(link.hub for link in pending_links(store))
    slug = hub.rsplit("/", 1)[1]
    plain = client.get(f"/hubs/{slug}.json").get_json()
    assert {x["value"] for x in plain["suggested"]} == {x.value for x in pending_links(store, hub)}
    assert not any(r.get("suggested") for r in plain["related"] + plain["partners"])
    counted = client.get(f"/hubs/{slug}.json?include_suggested=1").get_json()
    assert counted["include_suggested"] and any(r.get("suggested") for r in counted["related"])
    for r in counted["related"]:
        assert r.get("suggested", False) == any(x.get("suggested") for x in r["reasons"])
    page = client.get(f"/hubs/{slug}?include_suggested=1&lang=fr").get_data(as_text=True)
    assert "Ne compter que les faits" in page and MARKS["fr"] in page.split('id="related"', 1)[1]
    assert MARKS["fr"] not in client.get(f"/hubs/{slug}?lang=fr").get_data(as_text=True).split('id="related"', 1)[1]


def test_gaps_page_marks_what_suggestions_would_fill(app: Flask) -> None:
    client = app.test_client()
    shown = client.get("/gaps.json").get_json()
    counted = client.get("/gaps.json?include_suggested=1").get_json()
    filled = {x["gap"] for x in shown["suggested"]}
    assert filled and filled <= {t["target"] for t in shown["targets"]} | {m["manifesto"] for m in shown["manifestos"]}
    assert not filled & ({t["target"] for t in counted["targets"]} | {m["manifesto"] for m in counted["manifestos"]})
    for lang, mark in MARKS.items():
        assert mark in client.get(f"/gaps?lang={lang}").get_data(as_text=True).split('id="suggested"', 1)[1]


def test_council_brief_page_lists_them_apart_and_counts_them_with_the_toggle(app: Flask) -> None:
    client = app.test_client()
    council = sorted(set(council_suggestions(app)) & current_councils(app))[0]
    slug = council.rsplit("/", 1)[1]
    plain = client.get(f"/councils/{slug}/brief.json").get_json()
    counted = client.get(f"/councils/{slug}/brief.json?include_suggested=1").get_json()
    assert plain["suggested"] and not plain["include_suggested"]
    assert len(counted["hubs"]) == len(plain["hubs"]) + len(plain["suggested"])
    assert {h["iri"] for h in counted["hubs"] if h["mark"] == "suggested"} == {s[0] for s in plain["suggested"]}
    page = client.get(f"/councils/{slug}/brief?lang=es").get_data(as_text=True)
    assert "Hubs sugeridos, no confirmados" in page


def test_named_query_page_takes_the_toggle(app: Flask) -> None:
    client = app.test_client()
    council = max(council_suggestions(app).items(), key=lambda item: len(item[1]))[0]
    slug = council.rsplit("/", 1)[1]
    url = f"/queries/hubs-by-council?council={slug}&run=1"
    assert 'name="include_suggested"' in client.get(url).get_data(as_text=True)
    plain = client.get(url, headers={"Accept": "application/json"}).get_json()
    counted = client.get(url + "&include_suggested=1", headers={"Accept": "application/json"}).get_json()
    assert "suggested" not in plain["head"]["vars"] and "suggested" in counted["head"]["vars"]
    assert any(b["suggested"]["value"] == "true" for b in counted["results"]["bindings"])
    assert 'name="include_suggested"' not in client.get("/queries/stats").get_data(as_text=True)


# Review by staff


def test_anonymous_visitors_cannot_see_or_review_suggestions(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/staff/suggestions").status_code == 302
    before = app.extensions["l4a_store"].quad_count()
    one = pending_links(app.extensions["l4a_store"])[0]
    ident = one.suggestion.removeprefix(f"{DEFAULT_BASE}id/suggestion/")
    form = {"csrf": "x", "suggestion": ident, "decision": "confirmed"}
    response = client.post("/staff/suggestions/review", data=form)
    assert response.status_code == 401
    assert app.extensions["l4a_store"].quad_count() == before


def test_staff_see_suggestions_grouped_by_hub_with_text_and_words(app: Flask) -> None:
    client = app.test_client()
    sign_in(client)
    records = list_suggestions(app.extensions["l4a_store"], DEFAULT_BASE, state="pending")
    for lang in MARKS:
        page = client.get(f"/staff/suggestions?lang={lang}").get_data(as_text=True)
        assert page.count('class="suggestion-decision"') == len(records)
    page = client.get("/staff/suggestions?lang=en").get_data(as_text=True)
    for hub in {r.hub for r in records}:
        group = page.split(f'id="hub-{hub.rsplit("/", 1)[1]}"', 1)[1].split("</section>", 1)[0]
        mine = [r for r in records if r.hub == hub]
        assert all(r.id in group for r in mine)
        assert mine[0].text.split("\n")[0][:40].replace("'", "&#39;") in group
        assert all(r.words.replace("'", "&#39;") in group for r in mine if r.words)
    assert client.get("/staff/suggestions?state=nonsense").status_code == 404


def test_staff_confirm_and_reject_in_one_click_each_under_their_name(app: Flask) -> None:
    client = app.test_client()
    sign_in(client)
    store = app.extensions["l4a_store"]
    council = sorted(set(council_suggestions(app)) & current_councils(app))[0]
    slug = council.rsplit("/", 1)[1]
    link = next(x for x in pending_links(store) if x.kind == "council" and x.value == council)
    ident = link.suggestion.removeprefix(f"{DEFAULT_BASE}id/suggestion/")
    assert link.hub not in client.get(f"/councils/{slug}.json").get_json()["hubs"]
    token = csrf(client, "/staff/suggestions")
    unsigned = client.post("/staff/suggestions/review", data={"suggestion": ident, "decision": "confirmed"})
    assert unsigned.status_code == 400  # no CSRF token
    response = client.post("/staff/suggestions/review",
                           data={"csrf": token, "suggestion": ident, "decision": "confirmed"})  # fmt: skip
    assert response.status_code == 303
    kept = list_suggestions(store, DEFAULT_BASE, iri=link.suggestion)[0]
    assert kept.state == "confirmed" and kept.reviewed_by == "ana"
    # a link now, everywhere: the council page counts the hub, the hub page says who confirmed it
    assert link.hub in client.get(f"/councils/{slug}.json").get_json()["hubs"]
    hub_page = client.get(f"/hubs/{link.hub.rsplit('/', 1)[1]}?lang=en").get_data(as_text=True)
    assert "confirmed by ana on" in hub_page
    assert "confirmed." in client.get(response.headers["Location"]).get_data(as_text=True)
    # deciding it the other way now is refused, and nothing changes
    form = {"csrf": token, "suggestion": ident, "decision": "rejected"}
    again = client.post("/staff/suggestions/review", data=form)
    assert again.status_code == 409
    assert list_suggestions(store, DEFAULT_BASE, iri=link.suggestion)[0].state == "confirmed"
    other = next(x for x in pending_links(store) if x.suggestion != link.suggestion)
    other_id = other.suggestion.removeprefix(f"{DEFAULT_BASE}id/suggestion/")
    rejected = client.post("/staff/suggestions/review",
                           data={"csrf": token, "suggestion": other_id, "decision": "rejected"})  # fmt: skip
    assert rejected.status_code == 303
    assert list_suggestions(store, DEFAULT_BASE, iri=other.suggestion)[0].state == "rejected"
    assert other.suggestion not in {x.suggestion for x in pending_links(store)}
    form = {"csrf": token, "suggestion": "no-such-hub/target-1.1", "decision": "rejected"}
    missing = client.post("/staff/suggestions/review", data=form)
    assert missing.status_code == 404
    for hostile in ("a b<c>", "x\ny", "../../etc", "é" * 3000):
        form = {"csrf": token, "suggestion": hostile, "decision": "rejected"}
        assert client.post("/staff/suggestions/review", data=form).status_code == 404, hostile
        assert client.get("/staff/suggestions", query_string={"done": hostile}).status_code == 200
    odd = client.post("/staff/suggestions/review", data={"csrf": token, "suggestion": ident, "decision": "maybe"})
    assert odd.status_code == 400
