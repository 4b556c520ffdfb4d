"""The hub page as people read it: goals and targets in numeric order, the rules check folded into a few grouped
lines (the full list on demand), evidence and sources in one list, country names and dates in the reader's language."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.reports.rules_summary import summarize
from l4a.graph.sdg_order import sdg_sorted
from l4a.graph.shacl.validation import ValidationResult

from .webapp import web_app

BILBAO = "/hubs/bilbao-city-of-values"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("hubpage")) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_sdg_order_is_numeric() -> None:
    given = ["10", "1.b", "2", "1.10", "1.a", "1.2", "17", "1", "11.3", "x"]
    assert sdg_sorted(given) == ["1", "1.2", "1.10", "1.a", "1.b", "2", "10", "11.3", "17", "x"]
    iris = [f"http://metadata.un.org/sdg/{n}" for n in ("12", "3", "1")]
    assert sdg_sorted(iris) == iris[::-1]


def test_goals_are_listed_in_numeric_order(client: FlaskClient) -> None:
    page = client.get(f"{BILBAO}?lang=en").get_data(as_text=True)
    goals = [int(n) for n in re.findall(r'href="/sdg/(\d+)"', page)]
    assert goals == sorted(goals) and goals[:3] == [1, 2, 3] and len(goals) == 17
    as_json = client.get(f"{BILBAO}.json").get_json()
    assert [g.rsplit("/", 1)[1] for g in as_json["goals"]][:3] == ["1", "2", "3"]


def test_the_rules_check_is_a_short_grouped_summary(client: FlaskClient) -> None:
    page = client.get(f"{BILBAO}?lang=en").get_data(as_text=True)
    summary = page[
        page.index('<ul class="rule-summary">') : page.index("</ul>", page.index('<ul class="rule-summary">'))
    ]
    lines = summary.count("<li>")
    assert lines < 12  # 25 results, 17 of them one rule about goals
    assert re.search(r"17 cases \(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17\)", summary)
    full = page[page.index('<details class="rule-details"') :]
    assert "<summary>The full list: 25 results</summary>" in full and full.count("<li>") >= 25
    assert '<details class="rule-details" open' not in page  # unfolded for staff only


def test_results_of_one_rule_fold_into_one_group() -> None:
    def result(goal: str, severity: str = "Warning") -> ValidationResult:
        return ValidationResult(
            "h", "p", f"http://metadata.un.org/sdg/{goal}", severity, f"Refine: goal {goal}", "s", "c"
        )

    groups = summarize([result("10"), result("2"), result("1", "Violation"), result("9")])
    assert [(g.severity, g.count) for g in groups] == [("Violation", 1), ("Warning", 3)]
    assert [v.rsplit("/", 1)[1] for v in groups[1].values] == ["2", "9", "10"]


def test_evidence_and_sources_are_one_list(client: FlaskClient) -> None:
    page = client.get(f"{BILBAO}?lang=es").get_data(as_text=True)
    assert page.count('<ul class="sources">') == 1 and "Evidencias y fuentes" in page
    listed = re.findall(r'<ul class="sources">(.*?)</ul>', page, flags=re.S)[0]
    urls = re.findall(r'<a href="([^"]+)"', listed)
    assert len(urls) == len(set(urls)) >= 4  # each source once, whether or not it is also an evidence record


@pytest.mark.parametrize(("lang", "country", "start", "end"), [
    ("en", "Spain", "June 28, 2021", "March 2023"),
    ("fr", "Espagne", "28 juin 2021", "mars 2023"),
    ("es", "España", "28 de junio de 2021", "marzo de 2023"),
])  # fmt: skip
def test_country_and_dates_in_the_readers_language(client: FlaskClient, lang: str, country: str, start: str,
                                                    end: str) -> None:  # fmt: skip
    page = client.get(f"{BILBAO}?lang={lang}").get_data(as_text=True)
    assert f"<td>{country}</td>" in page
    assert f'<time datetime="2021-06-28">{start}</time>' in page and f'<time datetime="2023-03">{end}</time>' in page


@pytest.mark.parametrize("path", ["/gaps", "/sdg/11", "/hubs"])
def test_targets_and_goals_are_in_numeric_order_on_other_pages(client: FlaskClient, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    found = re.findall(r'(?:href="/sdg/target/|<option value=")(\d+\.[0-9a-z]+)"', page)
    goals = re.findall(r'<option value="(\d+)"', page)
    assert found == sdg_sorted(found) and goals == sdg_sorted(goals), path
