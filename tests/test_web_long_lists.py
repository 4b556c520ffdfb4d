"""Long lists on pages (a goal's, a target's, a manifesto's and a council's hubs; a named query's rows) show one page
at a time with links to the others, and a link to the whole list in the hub list; the JSON twin holds every item."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from l4a.graph.store.embedded import EmbeddedStore
from l4a.web.state import forget_caches
from tests.webapp import synth_quads, web_app

ROOT = Path(__file__).parents[1]
HUB_LINK = re.compile(r'<li><a href="/hubs/([^"]+)"')


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    with web_app(tmp_path_factory.mktemp("long-lists")) as made:  # the shipped data and 400 synthetic hubs
        store: EmbeddedStore = made.extensions["l4a_store"]
        store.add_quads(synth_quads(400, seed=3))
        forget_caches(made)
        yield made.test_client()


def listed(html: str) -> list[str]:
    """The slugs of the hubs a page's list shows (not the links in tables or navigation)."""
    return HUB_LINK.findall(html)


def most_common(client: FlaskClient, key: str) -> tuple[str, int]:
    """The value of a hub-table column held by most hubs, and how many hold it."""
    hubs = json.loads(client.get("/hubs.json").get_data(as_text=True))["hubs"]
    counts: dict[str, int] = {}
    for hub in hubs:
        for value in hub[key]:
            counts[value] = counts.get(value, 0) + 1
    return max(counts.items(), key=lambda item: (item[1], item[0]))


@pytest.mark.parametrize(
    ("kind", "path", "filter_name"),
    [("goals", "/sdg/{n}", "goal"), ("targets", "/sdg/target/{n}", "target"),
     ("manifestos", "/manifestos/{n}", "manifesto")],
)  # fmt: skip
def test_a_long_list_of_hubs_is_paged_and_links_to_the_whole_list(
    client: FlaskClient, kind: str, path: str, filter_name: str
) -> None:
    value, total = most_common(client, kind)
    assert total > 50, "the synthetic data should give one value more than a page of hubs"
    name = value.rsplit("/", 1)[-1]
    url = path.format(n=name)
    every = client.get(f"{url}.json").get_json()["hubs"]
    assert len(every) >= total  # the JSON twin: every hub (a goal's own list also counts hubs linked to it alone)
    pages = -(-len(every) // 50)
    seen: list[str] = []
    for number in range(1, pages + 1):
        html = client.get(f"{url}?lang=en&page={number}").get_data(as_text=True)
        shown = listed(html)
        assert len(shown) == (50 if number < pages else len(every) - 50 * (pages - 1))
        assert ('rel="next"' in html) == (number < pages) and ('rel="prev"' in html) == (number > 1)
        seen += shown
    assert seen == [hub.rsplit("/", 1)[-1] for hub in every]  # every hub once, in the JSON's order
    first = client.get(f"{url}?lang=en").get_data(as_text=True)
    whole = re.search(r'<a href="(/hubs\?[^"]+)">All (\d+) hubs in the hub list', first)
    assert whole is not None and int(whole.group(2)) == len(every)
    target_url = whole.group(1).replace("&amp;", "&")
    assert f"{filter_name}=" in target_url
    assert json.loads(client.get(target_url + "&format=json").get_data(as_text=True))["count"] == len(every)


def test_a_page_past_the_end_or_not_a_number_shows_a_real_page(client: FlaskClient) -> None:
    value, _total = most_common(client, "goals")
    url = f"/sdg/{value.rsplit('/', 1)[-1]}"
    assert listed(client.get(f"{url}?page=9999").get_data(as_text=True))  # the last page, not an empty one
    for bad in ("abc", "-1", "0", "1e3", "99999999999999999999"):
        answer = client.get(f"{url}?page={bad}")
        assert answer.status_code == 200 and listed(answer.get_data(as_text=True)), bad


def test_a_goal_page_names_a_few_hubs_per_target_and_links_to_the_rest(client: FlaskClient) -> None:
    value, _total = most_common(client, "targets")
    notation = value.rsplit("/", 1)[-1]
    goal = notation.split(".")[0]
    every = client.get(f"/sdg/target/{notation}.json").get_json()["hubs"]
    html = client.get(f"/sdg/{goal}?lang=en").get_data(as_text=True)
    assert f'<a href="/sdg/target/{notation}">and {len(every) - 3} more hubs</a>' in html
    goal_json = client.get(f"/sdg/{goal}.json").get_json()
    assert next(t for t in goal_json["targets"] if t["notation"] == notation)["hubs"] == every


def test_a_council_page_pages_its_hubs(client: FlaskClient) -> None:
    value, total = most_common(client, "councils")
    slug = value.rsplit("/", 1)[-1]
    every = client.get(f"/councils/{slug}.json").get_json()["hubs"]
    assert len(every) >= total > 50
    html = client.get(f"/councils/{slug}?lang=fr").get_data(as_text=True)
    assert len(listed(html)) == 50 and 'rel="next"' in html


def test_a_named_query_answer_is_paged_in_html_and_whole_in_json(client: FlaskClient) -> None:
    value, total = most_common(client, "goals")
    goal = value.rsplit("/", 1)[-1]
    answer = client.get(f"/queries/hubs-by-sdg.json?sdg={goal}").get_json()["results"]["bindings"]
    assert len(answer) >= total > 0
    html = client.get(f"/queries/hubs-by-sdg?sdg={goal}&lang=en").get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == min(100, len(answer))
    assert f"{len(answer)} rows" in html
    if len(answer) > 100:
        assert 'rel="next"' in html


def test_the_hub_list_json_streams_every_hub(client: FlaskClient) -> None:
    answer = client.get("/hubs.json")
    assert answer.is_streamed and answer.mimetype == "application/json"
    data = json.loads(answer.get_data(as_text=True))
    assert data["count"] == len(data["hubs"]) > 400
    empty = json.loads(client.get("/hubs.json?q=no-such-words-anywhere").get_data(as_text=True))
    assert empty == {"count": 0, "page": 1, "per_page": 50, "hubs": []}


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_the_network_names_a_big_communitys_first_members_and_the_downloads_hold_them_all(
    client: FlaskClient, lang: str
) -> None:
    from l4a.web.pages.network import NAMES_LISTED

    data = client.get(f"/network.json?lang={lang}").get_json()
    groups = data["communities"]
    assert max(len(g) for g in groups) > NAMES_LISTED, "400 hubs should make a community bigger than the page names"
    page = client.get(f"/network?lang={lang}").get_data(as_text=True)
    section = page[page.index('id="communities"') : page.index('id="bridges"')]
    items = re.findall(r"<li>(.*?)</li>", section)
    assert len(items) == len(groups)  # every community, in order, with its size
    for group, item in zip(groups, items, strict=True):
        named = re.findall(r'<a href="/hubs/([^"]+)"', item)
        assert named == [h.rsplit("/", 1)[1] for h in group[:NAMES_LISTED]]
        assert re.search(rf"\b{len(group)}\b", item)  # "412 hubs" (the number as the reader's language writes it)
        more = len(group) - NAMES_LISTED
        assert (str(more) in item.rsplit("</a>", 1)[1]) == (more > 0)  # "and 7 more hubs" only when some are left
    graphml = client.get("/network.graphml").get_data(as_text=True)
    assert all(f'"{hub}"' in graphml for group in groups for hub in group)  # every member in the download
