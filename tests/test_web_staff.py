"""Writes through the web are for staff only: sign-in with a personal token or a bearer token, then proposal
review and RDF import through the same core as the CLI. Anonymous and forged requests change nothing."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.errors import ConfigError
from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.proposals.lifecycle import proposal
from l4a.graph.settings import load_settings

from .test_web_propose import VALID
from .webapp import web_app

ANA_TOKEN = "ana-personal-token-0123456789"
BEN_TOKEN = "ben-personal-token-9876543210"
WRITE_TOKEN = "a-script-token-for-updates-42"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    staff = f"ana:{sha(ANA_TOKEN)},ben.lopez@uclg:{sha(BEN_TOKEN)}"
    with web_app(tmp_path, staff=staff, write_token=WRITE_TOKEN) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf(client: FlaskClient, path: str = "/staff/sign-in") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, path
    return found.group(1)


def sign_in(client: FlaskClient, name: str = "ana", token: str = ANA_TOKEN) -> None:
    response = client.post("/staff/sign-in", data={"csrf": csrf(client), "name": name, "token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def submit(client: FlaskClient, **changes: str) -> str:
    response = client.post("/propose", data={**VALID, **changes, "csrf": csrf(client, "/propose")})
    assert response.status_code in (200, 201)
    return "exampleton-green-corridors"


def hub_graph(app: Flask) -> str:
    return f"{DEFAULT_BASE}graph/hub/exampleton-green-corridors"


# Settings


def test_staff_entries_are_checked_and_kept_out_of_config_files(tmp_path: Path) -> None:
    good = load_settings(environ={"L4A_STAFF": f"ana:{sha('x')}"}, config_file=tmp_path / "none.toml")
    assert good.staff == (f"ana:{sha('x')}",)
    with pytest.raises(ConfigError, match="NAME:SHA256"):
        load_settings(environ={"L4A_STAFF": "ana:not-a-hash"}, config_file=tmp_path / "none.toml")
    with pytest.raises(ConfigError, match="twice"):
        load_settings(environ={"L4A_STAFF": f"ana:{sha('x')},ana:{sha('y')}"}, config_file=tmp_path / "none.toml")
    config = tmp_path / "config.toml"
    config.write_text(f'staff = ["ana:{sha("x")}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="environment"):
        load_settings(environ={}, config_file=config)


# Signing in


def test_anonymous_pages_go_to_sign_in_and_writes_get_401(client: FlaskClient) -> None:
    response = client.get("/staff/proposals")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/sign-in?next=/staff/proposals")
    for path in ("/staff/proposals/exampleton-green-corridors/accept", "/staff/import"):
        response = client.post(path, data={"csrf": "x"})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert client.get("/staff/proposals.json", headers={"Accept": "application/json"}).status_code in (401, 404)


def test_a_wrong_token_or_name_does_not_sign_in(client: FlaskClient) -> None:
    for name, token in (("ana", BEN_TOKEN), ("ben.lopez@uclg", ANA_TOKEN), ("nobody", ANA_TOKEN), ("ana", "")):
        response = client.post("/staff/sign-in?lang=fr", data={"csrf": csrf(client), "name": name, "token": token})
        assert response.status_code == 401
        assert "ne correspondent" in response.get_data(as_text=True)
    assert client.get("/staff").status_code == 302  # still not signed in


def test_sign_in_needs_the_csrf_token(client: FlaskClient) -> None:
    response = client.post("/staff/sign-in", data={"name": "ana", "token": ANA_TOKEN})
    assert response.status_code == 400
    assert client.get("/staff").status_code == 302


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(client: FlaskClient) -> None:
    response = client.post(
        "/staff/sign-in?next=/staff/import", data={"csrf": csrf(client), "name": "ana", "token": ANA_TOKEN}
    )
    assert response.headers["Location"] == "/staff/import"
    client.post("/staff/sign-out", data={"csrf": csrf(client, "/staff")})
    for target in ("//evil.example.org/x", "https://evil.example.org/", "/\\evil.example.org"):
        form = {"csrf": csrf(client), "name": "ana", "token": ANA_TOKEN}
        response = client.post("/staff/sign-in", query_string={"next": target}, data=form)
        assert response.headers["Location"] == "/staff", target


def test_signing_out_ends_the_session(client: FlaskClient) -> None:
    sign_in(client)
    assert client.get("/staff").status_code == 200
    assert client.post("/staff/sign-out", data={"csrf": "forged"}).status_code == 400
    assert client.get("/staff").status_code == 200
    client.post("/staff/sign-out", data={"csrf": csrf(client, "/staff")})
    assert client.get("/staff").status_code == 302


def test_rotating_a_token_ends_the_sessions_made_with_the_old_one(app: Flask, client: FlaskClient) -> None:
    sign_in(client)
    assert client.get("/staff").status_code == 200
    settings = app.config["L4A_SETTINGS"]
    app.config["L4A_SETTINGS"] = dataclasses.replace(settings, staff=(f"ana:{sha('a-new-token-for-ana-000')}",))
    assert client.get("/staff").status_code == 302


def test_sign_in_attempts_are_rate_limited(tmp_path: Path) -> None:
    with web_app(tmp_path, staff=f"ana:{sha(ANA_TOKEN)}", proposal_rate=3) as made:
        client = made.test_client()
        token = csrf(client)
        codes = [
            client.post("/staff/sign-in", data={"csrf": token, "name": "ana", "token": f"guess-{n}"}).status_code
            for n in range(5)
        ]
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]


def test_without_staff_the_web_cannot_write(tmp_path: Path) -> None:
    with web_app(tmp_path) as made:
        client = made.test_client()
        response = client.post("/staff/sign-in", data={"csrf": csrf(client), "name": "ana", "token": ANA_TOKEN})
        assert response.status_code == 403
        assert "L4A_STAFF" in response.get_data(as_text=True)


# Reviewing proposals


def test_staff_review_and_accept_a_proposal_with_prov(app: Flask, client: FlaskClient) -> None:
    proposal_id = submit(client)
    store = app.extensions["l4a_store"]
    assert hub_graph(app) not in store.named_graphs()
    sign_in(client, "ben.lopez@uclg", BEN_TOKEN)
    listing = client.get("/staff/proposals?status=submitted").get_data(as_text=True)
    assert "Exampleton Green Corridors" in listing
    page = client.get(f"/staff/proposals/{proposal_id}").get_data(as_text=True)
    assert "Accept and publish" in page and "Exampleton urban ecology" in page  # an action, and the history
    token = csrf(client, f"/staff/proposals/{proposal_id}")
    response = client.post(f"/staff/proposals/{proposal_id}/accept", data={"csrf": token, "reason": "complete"})
    assert response.status_code == 303
    found = proposal(store, proposal_id, DEFAULT_BASE)
    assert found.status == "labelled"
    assert (found.changes[-1].who, found.changes[-1].reason) == ("ben.lopez@uclg", "complete")
    assert hub_graph(app) in store.named_graphs()  # published
    assert "Exampleton Green Corridors" in client.get("/hubs/exampleton-green-corridors").get_data(as_text=True)


def test_an_action_the_status_does_not_allow_is_refused_in_the_readers_language(
    app: Flask, client: FlaskClient
) -> None:
    proposal_id = submit(client)
    sign_in(client)
    token = csrf(client, f"/staff/proposals/{proposal_id}")
    assert client.post(f"/staff/proposals/{proposal_id}/reject", data={"csrf": token}).status_code == 303
    response = client.post(f"/staff/proposals/{proposal_id}/accept?lang=fr", data={"csrf": token})
    assert response.status_code == 409
    assert "rejetée" in response.get_data(as_text=True)
    assert proposal(app.extensions["l4a_store"], proposal_id, DEFAULT_BASE).status == "rejected"
    assert hub_graph(app) not in app.extensions["l4a_store"].named_graphs()


def test_a_forged_or_anonymous_review_action_changes_nothing(app: Flask, client: FlaskClient) -> None:
    proposal_id = submit(client)
    anonymous = app.test_client()
    assert anonymous.post(f"/staff/proposals/{proposal_id}/accept", data={"csrf": "x"}).status_code == 401
    sign_in(client)
    assert client.post(f"/staff/proposals/{proposal_id}/accept", data={"csrf": "forged"}).status_code == 400
    assert client.post(f"/staff/proposals/{proposal_id}/accept", data={}).status_code == 400
    assert proposal(app.extensions["l4a_store"], proposal_id, DEFAULT_BASE).status == "submitted"
    assert hub_graph(app) not in app.extensions["l4a_store"].named_graphs()


def test_scripts_act_with_a_bearer_token_without_a_session(app: Flask) -> None:
    client = app.test_client()
    proposal_id = submit(client)
    bad = client.post(f"/staff/proposals/{proposal_id}/review", headers={"Authorization": "Bearer not-the-token"})
    assert bad.status_code == 401 and "invalid_token" in bad.headers["WWW-Authenticate"]
    script = app.test_client()  # no cookie, no CSRF token: the bearer token is the credential
    response = script.post(
        f"/staff/proposals/{proposal_id}/review", headers={"Authorization": f"Bearer {WRITE_TOKEN}"}
    )
    assert response.status_code == 303
    found = proposal(app.extensions["l4a_store"], proposal_id, DEFAULT_BASE)
    assert (found.status, found.changes[-1].who) == ("under-review", "write-token")
    response = script.post(
        f"/staff/proposals/{proposal_id}/request-changes", headers={"Authorization": f"Bearer {ANA_TOKEN}"}
    )
    assert response.status_code == 303
    assert proposal(app.extensions["l4a_store"], proposal_id, DEFAULT_BASE).changes[-1].who == "ana"


def test_review_pages_show_submitted_text_as_text(app: Flask, client: FlaskClient) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    submit(client, name=f"Exampleton Green Corridors {payload}", description=payload)
    sign_in(client)
    listing = client.get("/staff/proposals").get_data(as_text=True)
    links = re.findall(r'href="/staff/proposals/([^"?]+)"', listing)
    assert len(links) == 1
    for path in ("/staff/proposals", f"/staff/proposals/{links[0]}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


# Importing


TURTLE = """@prefix ex: <https://example.org/notes/> .
ex:note1 ex:says "first" .
ex:note2 ex:says "second" .
"""


def test_staff_import_a_file_into_a_graph(app: Flask, client: FlaskClient) -> None:
    sign_in(client)
    token = csrf(client, "/staff/import")
    graph = "https://example.org/graph/notes"
    response = client.post(
        "/staff/import",
        data={"csrf": token, "graph": graph, "file": (__import__("io").BytesIO(TURTLE.encode()), "notes.ttl")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "notes.ttl" in response.get_data(as_text=True)
    store = app.extensions["l4a_store"]
    rows = store.select(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert sorted(r["o"].value for r in rows) == ["first", "second"]


def test_a_broken_file_is_refused_with_its_line_and_nothing_changes(app: Flask, client: FlaskClient) -> None:
    import io

    sign_in(client)
    graph = "https://example.org/graph/notes"
    token = csrf(client, "/staff/import")
    ok = {"csrf": token, "graph": graph, "file": (io.BytesIO(TURTLE.encode()), "notes.ttl")}
    assert client.post("/staff/import", data=ok, content_type="multipart/form-data").status_code == 200
    broken = TURTLE.replace('"second" .', '"second" ;\nex:x "unfinished')
    data = {"csrf": token, "graph": graph, "file": (io.BytesIO(broken.encode()), "notes-v2.ttl")}
    response = client.post("/staff/import?lang=es", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "notes-v2.ttl, line " in page and "No se cargó nada" in page
    assert "/tmp" not in page and "l4a-import-" not in page  # the server's paths are not shown
    rows = app.extensions["l4a_store"].select(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert sorted(r["o"].value for r in rows) == ["first", "second"]  # the old graph is intact


def test_import_refuses_a_bad_graph_or_an_unknown_extension(app: Flask, client: FlaskClient) -> None:
    import io

    sign_in(client)
    token = csrf(client, "/staff/import")
    before = app.extensions["l4a_store"].quad_count()
    for data in (
        {"graph": "not an iri> { }", "file": (io.BytesIO(TURTLE.encode()), "notes.ttl")},
        {"graph": "", "file": (io.BytesIO(TURTLE.encode()), "notes.docx")},
        {"graph": ""},
    ):
        response = client.post("/staff/import", data={"csrf": token, **data}, content_type="multipart/form-data")
        assert response.status_code == 400
    assert app.extensions["l4a_store"].quad_count() == before


# Every route that accepts a write method is either open on purpose or for staff only.

OPEN_POSTS = {
    "propose.form",  # open, rate-limited, stored as a pending proposal
    "propose.suggest",  # open, CSRF-bound to the form, rate-limited, stores nothing
    "staff.sign_in",  # rate-limited
    "staff.sign_out",  # ends one's own session (CSRF-checked)
    "sparql.page",  # SPARQL queries by POST (updates refused there)
}


def test_every_other_write_route_refuses_anonymous_requests(app: Flask) -> None:
    client = app.test_client()
    before = app.extensions["l4a_store"].quad_count()
    checked = []
    for rule in app.url_map.iter_rules():
        writes = (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
        if not writes or rule.endpoint in OPEN_POSTS or rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "accept" if m[1] == "action" else "some-hub", rule.rule)
        for method in sorted(writes):
            response = client.open(path, method=method, data={"csrf": "x"})
            assert response.status_code in (401, 403), (rule.rule, method, response.status_code)
            checked.append(rule.endpoint)
    assert {"review.act", "imports.form", "sparql.update", "suggestions.decide"} <= set(checked)
    assert app.extensions["l4a_store"].quad_count() == before


def test_serve_dev_prints_a_staff_token_for_the_run_that_signs_in(tmp_path: Path) -> None:
    import http.cookiejar
    import urllib.parse
    import urllib.request

    from .webapp import served

    with served(tmp_path / "dev") as base:
        log = (tmp_path / "dev" / "serve.log").read_text(encoding="utf-8")
        found = re.search(r"name dev, token (\S+)", log)
        assert found, log
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/staff/sign-in").read().decode()
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token
        form = urllib.parse.urlencode({"csrf": token.group(1), "name": "dev", "token": found.group(1)}).encode()
        with opener.open(f"{base}/staff/sign-in", data=form) as response:  # redirected to /staff
            assert response.url.endswith("/staff") and "dev" in response.read().decode()
