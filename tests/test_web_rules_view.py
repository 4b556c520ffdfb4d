"""The rules check of a hub page: the public sees a short grouped summary and the full list on demand (folded);
signed-in staff see the full list unfolded, every rule result in it; neither page is kept and served to the other."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .test_web_staff import ANA_TOKEN, sha, sign_in
from .webapp import web_app

BILBAO = "/hubs/bilbao-city-of-values"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("rules-view"), staff=f"ana:{sha(ANA_TOKEN)}") as made:
        yield made


def rules_part(page: str) -> tuple[str, str, list[str]]:
    """The summary's items, the <details> opening tag, and the full list's items (as text) of a hub page."""
    start = page.index('<h2 id="rules">')
    part = page[start : page.index("</details>", start)]
    summary = re.findall(r"<li>(.*?)</li>", part[part.index('<ul class="rule-summary">') : part.index("</ul>")], re.S)
    details = re.search(r"<details class=\"rule-details\"[^>]*>", part)
    assert details, "the full list is on the page, folded or not"
    listed = re.findall(r"<li>(.*?)</li>", part[details.end() :], re.S)
    text = [html.unescape(re.sub(r"<[^>]+>", " ", item)).split() for item in listed]
    return " ".join(summary), details.group(0), [" ".join(words) for words in text]


def expected_results(client: FlaskClient) -> list[dict[str, str]]:
    results = client.get(f"{BILBAO}.json").get_json()["validation"]["results"]
    assert len(results) > 10  # Bilbao's record has gaps: 17 goals without targets, and more
    return list(results)


def test_the_public_sees_the_summary_and_the_full_list_on_demand(app: Flask) -> None:
    client = app.test_client()
    results = expected_results(client)
    summary, details, listed = rules_part(client.get(f"{BILBAO}?lang=en").get_data(as_text=True))
    assert " open" not in details  # folded: one click shows it
    assert summary.count("<span class=\"badge") < len(results)  # grouped: fewer lines than results
    assert "17 cases" in summary
    assert len(listed) == len(results)
    for result in results:  # every result is in the list on demand, with its severity
        assert any(" ".join(result["message"].split()) in item for item in listed), result["message"]


def test_signed_in_staff_see_every_rule_result_unfolded(app: Flask) -> None:
    public, staff = app.test_client(), app.test_client()
    results = expected_results(public)
    public.get(f"{BILBAO}?lang=en")  # the public page is now kept (web/page_cache.py)
    sign_in(staff, "ana", ANA_TOKEN)
    _summary, details, listed = rules_part(staff.get(f"{BILBAO}?lang=en").get_data(as_text=True))
    assert re.search(r"\bopen\b", details)  # unfolded for staff
    assert len(listed) == len(results)
    severities = {"Violation": "Violation", "Warning": "Warning", "Info": "Info"}
    for result in results:
        line = next(item for item in listed if " ".join(result["message"].split()) in item)
        assert line.startswith(severities[result["severity"]])
    # The staff's page is theirs: the public still gets the folded one, and staff never get the kept public one.
    assert " open" not in rules_part(public.get(f"{BILBAO}?lang=en").get_data(as_text=True))[1]
    assert re.search(r"\bopen\b", rules_part(staff.get(f"{BILBAO}?lang=en").get_data(as_text=True))[1])


def test_staff_see_the_full_list_in_their_language(app: Flask) -> None:
    staff = app.test_client()
    sign_in(staff, "ana", ANA_TOKEN)
    _summary, details, listed = rules_part(staff.get(f"{BILBAO}?lang=fr").get_data(as_text=True))
    assert re.search(r"\bopen\b", details)
    assert listed and all(item.split()[0] in ("Violation", "Avertissement", "Information") for item in listed)
    assert any("Préciser les objectifs en cibles" in item for item in listed)
