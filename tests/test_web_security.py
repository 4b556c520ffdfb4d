"""Hardening of the web app's answers: security headers on every response (a CSP without 'unsafe-inline', no
inline style or script in the pages), a request size limit, and error pages in the reader's language (JSON for
JSON clients) that never show a traceback or an exception's text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from l4a.web.security import MAX_REQUEST_BYTES

from .webapp import web_app

SECRET = "kaboom-internal-detail-3141"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("security")) as made:
        made.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an exception becomes the 500 page

        @made.route("/test-only/boom")
        def boom() -> str:
            raise RuntimeError(SECRET)

        @made.route("/api/test-only/boom")
        def api_boom() -> str:
            raise KeyError(SECRET)

        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


PAGES = ["/", "/hubs", "/sdg", "/sparql", "/propose", "/api/stats", "/no-such-page", "/static/style.css"]


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_has_the_security_headers(client: FlaskClient, path: str) -> None:
    answer = client.get(path)
    answer.close()  # a static file's answer holds the file open
    headers = answer.headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "style-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_style_or_script() -> None:
    templates = Path(__file__).parent.parent / "web" / "templates"
    for path in templates.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\sstyle\s*=", text), path.name
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), path.name
        assert not re.search(r"\son[a-z]+\s*=", text), path.name


def test_home_tiles_use_classes_not_inline_style(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "style=" not in page
    tiles = re.findall(r'class="tile sdg-(\d+) heat-(\d+)', page)
    assert len(tiles) == 17 and all(0 <= int(level) <= 10 for _, level in tiles)
    with client.get("/static/style.css") as answer:
        css = answer.get_data(as_text=True)
    assert all(f".tile.sdg-{n} " in css for n in range(1, 18)) and all(f".tile.heat-{n} " in css for n in range(11))


def test_a_view_that_raises_gives_a_500_page_without_the_exception(client: FlaskClient) -> None:
    answer = client.get("/test-only/boom", headers={"Accept": "text/html"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 500 and answer.mimetype == "text/html"
    assert SECRET not in body and "Traceback" not in body and "RuntimeError" not in body
    assert "Something went wrong" in body and "<html" in body
    assert answer.headers["Content-Security-Policy"]
    french = client.get("/test-only/boom?lang=fr").get_data(as_text=True)
    assert "Une erreur est survenue" in french and SECRET not in french
    api = client.get("/api/test-only/boom")
    assert api.status_code == 500 and api.is_json and SECRET not in api.get_data(as_text=True)
    assert api.get_json()["status"] == 500


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "Page not found"), ("fr", "Page introuvable"), ("es", "Página no encontrada")]
)
def test_404_is_a_page_in_the_readers_language(client: FlaskClient, lang: str, words: str) -> None:
    answer = client.get(f"/no-such-page?lang={lang}")
    assert answer.status_code == 404 and words in answer.get_data(as_text=True)
    assert f'<html lang="{lang}">' in answer.get_data(as_text=True)


def test_404_is_json_for_json_clients(client: FlaskClient) -> None:
    answer = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert answer.status_code == 404 and answer.get_json() == {
        "error": "Page not found",
        "status": 404,
        "message": answer.get_json()["message"],
    }


def test_405_keeps_the_allow_header_and_is_a_page(client: FlaskClient) -> None:
    answer = client.delete("/hubs", headers={"Accept": "text/html"})
    assert answer.status_code == 405 and "GET" in answer.headers["Allow"]
    assert "Method not allowed" in answer.get_data(as_text=True)


def test_400_is_a_page_in_the_readers_language(client: FlaskClient) -> None:
    answer = client.post("/propose?lang=es", data={"csrf": "forged"}, headers={"Accept": "text/html"})
    assert answer.status_code == 400 and "Solicitud incorrecta" in answer.get_data(as_text=True)


def test_a_body_above_the_limit_is_refused_with_413(app: Flask, client: FlaskClient) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == MAX_REQUEST_BYTES
    big = b"x" * (MAX_REQUEST_BYTES + 1)
    answer = client.post("/propose", data=big, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413 and "Request too large" in answer.get_data(as_text=True)
