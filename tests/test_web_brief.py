"""Briefs on the web: a Policy Council's brief as a page of the site (the CLI brief's content, without its inline
style, which the CSP forbids) and as a Markdown download, in the reader's language; linked from the council page."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from l4a.graph.build import build
from l4a.graph.store.embedded import EmbeddedStore

from .webapp import web_app

COUNCIL = "demo-exampleton-council"  # the fictional demo hub's council (2023-2026 term)
DEMO = "https://w3id.org/l4a/id/hub/demo-exampleton-green-corridors"
EVIDENCE = "https://exampleton.example.org/green-corridors/plan.pdf"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    data_dir = tmp_path_factory.mktemp("brief") / "data"
    store = EmbeddedStore.open(data_dir / "store")
    build(store, with_examples=True)
    store.close()
    with web_app(data_dir) as app:
        yield app.test_client()


def article(page: str) -> str:
    return page.split('<article class="brief"', 1)[1].split("</article>", 1)[0]


def test_brief_page_lists_the_councils_hubs_with_evidence(client: FlaskClient) -> None:
    answer = client.get(f"/councils/{COUNCIL}/brief?lang=en")
    assert answer.status_code == 200 and "script-src 'self'" in answer.headers["Content-Security-Policy"]
    page = answer.get_data(as_text=True)
    assert "<style" not in page and "style=" not in page and "<script" not in page  # passes the CSP
    text = article(page)
    assert "Brief for the Policy Council: DEMO (fictional): Council on Green Exampleton" in text
    assert "DEMO (fictional): Exampleton Green Corridors" in text and "Progress: 33%" in text
    cited = f'<a class="url" href="{EVIDENCE}">{EVIDENCE}</a> (Municipality of Exampleton (fictional), 2026-01-20)'
    assert cited in text
    # Each hub of the council (either term), and no other, has a section.
    council = client.get(f"/councils/{COUNCIL}.json").get_json()
    sections = re.findall(r'<section class="hub"><h3><a href="([^"]+)"', text)
    assert sorted(sections) == sorted(council["hubs"]) == [DEMO]
    assert 'href="/static/style.css"' in page  # the print rules come from the site's style sheet
    data = client.get(f"/councils/{COUNCIL}/brief.json").get_json()
    assert [h["iri"] for h in data["hubs"]] == [DEMO] and data["hubs"][0]["evidence"][0][0] == EVIDENCE


def test_brief_in_french_and_as_markdown(client: FlaskClient) -> None:
    page = client.get(f"/councils/{COUNCIL}/brief?lang=fr").get_data(as_text=True)
    assert "Note pour le Conseil politique" in article(page) and "Sources et preuves" in article(page)
    assert f'href="/councils/{COUNCIL}/brief.md?lang=fr"' in page  # the download in the same language
    md = client.get(f"/councils/{COUNCIL}/brief.md?lang=es")
    assert md.status_code == 200 and md.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert md.headers["Content-Disposition"] == f'attachment; filename="brief-{COUNCIL}-es.md"'
    text = md.get_data(as_text=True)
    assert text.startswith("# Nota para el Consejo Político: ") and "### DEMO (ficticio)" in text
    assert f"- <{EVIDENCE}> (Municipality of Exampleton (fictional), 2026-01-20)" in text


def test_a_real_council_without_hubs_and_an_unknown_council(client: FlaskClient) -> None:
    page = client.get("/councils/resilient-regenerative-territories/brief?lang=en").get_data(as_text=True)
    # Absence is not a fact: no link is recorded, which says nothing about the council's work.
    assert "No hub's link to this council is recorded." in html.unescape(article(page))
    for path in ("/councils/nowhere/brief", "/councils/nowhere/brief.md", "/councils/nowhere/brief.json"):
        assert client.get(path).status_code == 404, path


def test_council_page_links_to_its_brief(client: FlaskClient) -> None:
    page = client.get(f"/councils/{COUNCIL}?lang=es").get_data(as_text=True)
    assert f'href="/councils/{COUNCIL}/brief"' in page and "Nota para este consejo" in page
    assert f'href="/councils/{COUNCIL}/brief.md?lang=es"' in page


def test_venice_city_solutions_edition_briefs(client: FlaskClient) -> None:
    listing = client.get("/vcs?lang=en").get_data(as_text=True)
    assert listing.count('/brief">brief</a>') == 4 and 'href="/vcs/venice-city-solutions-2021/brief"' in listing
    assert 'href="/vcs"' in client.get("/monitoring?lang=en").get_data(as_text=True)  # reachable from the dashboard
    page = client.get("/vcs/venice-city-solutions-2021/brief?lang=en").get_data(as_text=True)
    assert "<style" not in page and "style=" not in page and "<script" not in page
    text = article(page)
    assert "Brief: Venice City Solutions 2030, 4th edition (2021)" in text
    # Bilbao (2021-06-28 to 2023-03) was active during the edition (2021-12-02/03); no presentation is recorded.
    sections = re.findall(r'<section class="hub"><h3><a href="([^"]+)"', text)
    assert sections == ["https://w3id.org/l4a/id/hub/bilbao-city-of-values"]
    assert "Active at the time of this edition" in text and "Progress: no figures reported" in text
    data = client.get("/vcs/4/brief.json").get_json()
    assert data["council"].endswith("/event/venice-city-solutions-2021")
    # The hub's period as its source records it: a day, and a month (not the month's last day, nor an HTTP date)
    assert (data["hubs"][0]["start"], data["hubs"][0]["end"]) == ("2021-06-28", "2023-03")
    for lang, period in (("en", "June 28, 2021 \u2013 March 2023"), ("fr", "28 juin 2021 \u2013 mars 2023"),
                         ("es", "28 de junio de 2021 \u2013 marzo de 2023")):  # fmt: skip
        assert period in html.unescape(client.get(f"/vcs/4/brief?lang={lang}").get_data(as_text=True))
        assert period in client.get(f"/vcs/4/brief.md?lang={lang}").get_data(as_text=True)
    md = client.get("/vcs/2021/brief.md?lang=fr")
    assert md.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert md.headers["Content-Disposition"] == 'attachment; filename="brief-venice-city-solutions-2021-fr.md"'
    title = "# Note\u00a0: Venice City Solutions 2030, 4th edition (2021)"  # a no-break space before the colon
    assert md.get_data(as_text=True).startswith(title)
    for path in ("/vcs/9/brief", "/vcs/1999/brief.md", "/vcs/nowhere/brief.json"):
        assert client.get(path).status_code == 404, path


def test_json_answers_write_dates_in_iso_8601(client: FlaskClient) -> None:
    """Any date a JSON answer carries is an ISO 8601 day, never an HTTP date with a time no source gave."""
    import datetime as dt

    from flask import current_app

    with client.application.app_context():
        assert current_app.json.dumps({"day": dt.date(2021, 6, 28)}) == '{"day": "2021-06-28"}'
