"""The gettext catalogues: shipped .mo files match their .po, every text the code and templates mark is translated,
plurals follow each language's rule ("1 hub", "2 hubs"), French puts a space before a colon, and dates and country
names come out in the reader's language."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from l4a.web.catalogues import TRANSLATIONS, country_name, local_date

from .webapp import web_app

ROOT = Path(__file__).parents[1]
LANGS = ("fr", "es")


def catalogue(lang: str) -> object:
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_shipped_mo_is_the_compiled_po(lang: str) -> None:
    po = catalogue(lang)
    compiled = io.BytesIO()
    write_mo(compiled, po)  # type: ignore[arg-type]
    shipped = (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").read_bytes()
    assert len(list(read_mo(io.BytesIO(shipped)))) == len(list(po))  # type: ignore[call-overload]
    assert compiled.getvalue() == shipped, f"run: pybabel compile -d web/translations (the {lang} .mo is stale)"


@pytest.mark.parametrize("lang", LANGS)
def test_every_marked_text_is_translated(lang: str) -> None:
    po = catalogue(lang)
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    missing = []
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "web", method_map=method_map, keywords=keywords
    ):
        key = message if isinstance(message, str) else message[0]
        found = po.get(key)  # type: ignore[attr-defined]
        if found is None or not (found.string if isinstance(found.string, str) else all(found.string)):
            missing.append(key)
    assert not missing, f"add to web/translations/{lang}/LC_MESSAGES/messages.po: {missing[:10]}"


@pytest.mark.parametrize(
    ("lang", "forms"), [("fr", "nplurals=2; plural=(n > 1);"), ("es", "nplurals=2; plural=(n != 1);")]
)
def test_plural_forms_and_french_colons(lang: str, forms: str) -> None:
    text = (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert f'"Plural-Forms: {forms}\\n"' in text
    if lang == "fr":
        for message in catalogue("fr"):  # type: ignore[attr-defined]
            if not message.id:  # the header
                continue
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            for s in strings:
                assert not re.search(r"[^\s\u00a0\u202f]:(\s|$)", s or ""), f"a space before the colon: {s!r}"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("catalogues")) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_counts_say_one_hub_not_one_hubs(client: FlaskClient) -> None:
    page = client.get("/hubs?lang=en").get_data(as_text=True)
    count = int(re.search(r"(\d+) hubs?\b", page).group(1))  # type: ignore[union-attr]
    assert f"{count} hubs" in page and count > 1
    one = client.get("/sparql", query_string={"query": "ASK {}", "lang": "en"}, headers={"Accept": "text/html"})
    assert one.status_code == 200
    single = client.get(
        "/sparql",
        query_string={"query": "SELECT (1 AS ?n) WHERE {}", "lang": "fr"},
        headers={"Accept": "text/html"},
    ).get_data(as_text=True)
    assert "1 ligne" in single and "1 lignes" not in single
    home = client.get("/?lang=es").get_data(as_text=True)
    assert not re.search(r"\b1 hubs\b", home) and not re.search(r"\b0 hub\b(?!s)", home)


def test_dates_and_countries_in_the_readers_language(app: Flask) -> None:
    with app.test_request_context("/?lang=fr"):
        assert local_date("2026-12-06") == "6 décembre 2026"
        assert country_name("ES") == "Espagne"
        assert local_date("not a date") == "not a date"
    with app.test_request_context("/?lang=es"):
        assert local_date(dt.date(2026, 3, 1)) == "1 de marzo de 2026"
        assert country_name("de") == "Alemania" and country_name("ZZZ") == "ZZZ"
