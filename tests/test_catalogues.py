"""The gettext catalogues: shipped .mo files match their .po, every text the code, templates and named queries mark
is translated (pybabel's own extraction, from web/translations/babel.cfg), plurals follow each language's rule
("1 hub", "2 hubs"), French puts a no-break space before : ; ! ?, and dates and country names come out in the
reader's language."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
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


def marked_texts() -> dict[object, str]:
    """Every text the code, the templates and the named queries mark for the catalogues, found the way
    `pybabel extract -F web/translations/babel.cfg -k _l` finds them: msgid (or (context, msgid)) -> first place."""
    # The repository's configuration (it is a tool's, not the package's: an installed package does not carry it).
    with (ROOT / "web" / "translations" / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    found: dict[object, str] = {}
    for file, line, message, _comments, context in extract_from_dir(ROOT, method_map, options_map, keywords):
        key = message if isinstance(message, str) else message[0]
        found.setdefault((context, key) if context else key, f"{file}:{line}")
    return found


def test_extraction_finds_texts_in_the_web_the_core_and_the_queries() -> None:
    """The mapping reaches every place that shows words: a template, a page, the CLI's core, a query's title."""
    texts = marked_texts()
    assert {place.split("/")[0] for place in texts.values()} >= {"web", "graph", "queries"}
    assert texts["Brief for the Policy Council"].startswith("graph/reports/")  # a brief's words, for the CLI too
    assert texts["Hubs by SDG target or goal"].startswith("queries/")  # a named query's title
    assert texts[("navigation", "Evidence")].startswith("web/templates/")


@pytest.mark.parametrize("lang", LANGS)
def test_every_marked_text_is_translated(lang: str) -> None:
    """Not missing, not empty, not fuzzy, and with the same placeholders as the English (Babel's own checks)."""
    po = catalogue(lang)
    missing, fuzzy = [], []
    for key, place in marked_texts().items():
        context, text = key if isinstance(key, tuple) else (None, key)
        found = po.get(text, context=context)  # type: ignore[attr-defined]
        strings = [] if found is None else [found.string] if isinstance(found.string, str) else list(found.string)
        if not strings or not all(strings):
            missing.append(f"{place}: {text!r}")
        elif found.fuzzy:
            fuzzy.append(f"{place}: {text!r}")
    assert not missing, f"add to web/translations/{lang}/LC_MESSAGES/messages.po: {missing[:10]}"
    assert not fuzzy, f"check, then unflag fuzzy in web/translations/{lang}/LC_MESSAGES/messages.po: {fuzzy[:10]}"
    problems = [(message.id, [str(e) for e in errors]) for message, errors in po.check()]  # type: ignore[attr-defined]
    assert not problems, problems[:10]


# French puts a no-break space (U+00A0, or the narrow U+202F) before : ; ! ? (punctuation: followed by a space or
# the end, so that "https://" and "?lang=" are left alone).
FRENCH_PUNCTUATION = re.compile(r"(?<![\u00a0\u202f])[:;!?](?=\s|$)")


def french_typography_problems(text: str) -> list[str]:
    """The places in `text` where French typography wants a no-break space before : ; ! ? and has none."""
    return [text[max(0, m.start() - 30) : m.end() + 10] for m in FRENCH_PUNCTUATION.finditer(text)]


def test_the_typography_check_can_fail() -> None:
    assert len(french_typography_problems("Avertissement: titre manquant ; voir ci-dessous!")) == 3
    assert not french_typography_problems("Avertissement\u00a0: voir https://example.org/?q=1\u202f; ok\u202f!")


@pytest.mark.parametrize(
    ("lang", "forms"), [("fr", "nplurals=2; plural=(n > 1);"), ("es", "nplurals=2; plural=(n != 1);")]
)
def test_plural_forms_and_french_typography(lang: str, forms: str) -> None:
    text = (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert f'"Plural-Forms: {forms}\\n"' in text
    if lang == "fr":
        problems = []
        for message in catalogue("fr"):  # type: ignore[attr-defined]
            if not message.id:  # the header
                continue
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            problems += [p for s in strings for p in french_typography_problems(s or "")]
        assert not problems, f"a no-break space before : ; ! ? in French: {problems[:10]}"


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


def test_templates_speak_the_language_chosen_even_when_it_changes_within_a_request(app: Flask) -> None:
    """Templates find the request's catalogue once (web/catalogues.py), yet follow Flask-Babel's choice of language:
    the reader's, then another one forced for a part of the answer, then the reader's again."""
    from flask import render_template_string
    from flask_babel import force_locale

    text = "{{ _('Home') }} / {{ ngettext('%(num)d hub', '%(num)d hubs', 2) }}"
    for asked, said in (("fr", "Accueil / 2 hubs"), ("es", "Inicio / 2 hubs"), ("en", "Home / 2 hubs")):
        with app.test_request_context(f"/?lang={asked}"):
            assert render_template_string(text) == said
            with force_locale("fr" if asked != "fr" else "es"):
                assert render_template_string(text) == ("Accueil / 2 hubs" if asked != "fr" else "Inicio / 2 hubs")
            assert render_template_string(text) == said
