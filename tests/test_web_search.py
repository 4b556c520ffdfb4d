"""The search box of every page, the statistics and API pages, and what the home page and catalogue leave out."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .webapp import web_app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("search")) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize("path", ["/", "/hubs", "/sdg/11", "/propose", "/sparql", "/no-such-page"])
def test_every_page_has_the_search_box(client: FlaskClient, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert re.search(r'<form role="search" method="get" action="/search"', page), path


@pytest.mark.parametrize(
    ("words", "kind", "expected"),
    [
        ("logement", "target", "/sdg/target/11.1"),  # French words
        ("vivienda asequible", "target", "/sdg/target/11.1"),  # Spanish, two words
        ("EDUCACION", "goal", "/sdg/4"),  # accents and case ignored
        ("11.3", "target", "/sdg/target/11.3"),  # an SDG number
        ("balioen", "hub", "/hubs/bilbao-city-of-values"),  # a word of a hub's name in Basque
        ("metropoli", "organisation", "/id/org/bilbao-metropoli-30"),
        ("Écologie", "manifesto", "/manifestos/ecology"),
        ("regaining trust", "council", "/councils/multilevel-governance-regaining-trust"),
    ],
)
def test_search_finds_each_kind_by_words_in_three_languages(
    client: FlaskClient, words: str, kind: str, expected: str
) -> None:
    found = client.get("/search.json", query_string={"q": words}).get_json()
    assert expected in [item["url"] for item in found["results"].get(kind, [])], (words, found["results"].keys())


def test_nothing_found_says_what_to_try(client: FlaskClient) -> None:
    page = client.get("/search?q=xyzzyq&lang=fr").get_data(as_text=True)
    assert "0 résultat pour «\u00a0xyzzyq\u00a0»" in page and "11.3" in page


def test_home_speaks_to_people_and_the_figures_of_the_store_are_on_the_stats_page(client: FlaskClient) -> None:
    home = client.get("/?lang=en").get_data(as_text=True)
    assert "Named graphs" not in home and "Triples" not in home and "named graphs" not in home.lower()
    stats = client.get("/stats?lang=en").get_data(as_text=True)
    assert "Named graphs" in stats and "Triples" in stats and "Local4Action HUBs" in stats
    assert 'href="/stats"' in home


def test_openapi_is_linked_from_the_footer_and_the_api_page(client: FlaskClient) -> None:
    home = client.get("/").get_data(as_text=True)
    footer = home[home.index("<footer") :]
    assert 'href="/openapi.json"' in footer and 'href="/api"' in footer
    api = client.get("/api").get_data(as_text=True)
    assert 'href="/openapi.json"' in api and "/hubs/{slug}.json" in api
    assert client.get("/openapi.json").get_json()["openapi"].startswith("3.")


def test_internal_queries_are_not_in_the_catalogue(client: FlaskClient) -> None:
    names = [q["name"] for q in client.get("/queries.json").get_json()["queries"]]
    assert "hubs-by-sdg" in names and not any(n.startswith("sync-") for n in names)
    editor = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    examples = re.findall(r'data-example="([^"]+)"', editor)
    assert "hubs-by-sdg" in examples and "sync-links" not in examples


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/manifestos/ecology?lang=en", "No hub addresses this manifesto yet"),
        ("/evidence?manifesto=ecology&lang=fr", "Aucune preuve n'appuie un hub correspondant à ces filtres"),
        ("/hubs?q=xyzzyq&lang=es", "Ningún hub cumple todos los filtros"),
        ("/councils/implementation-new-urban-agenda?lang=en", "No hub is linked to this council yet"),
    ],
)
def test_an_empty_list_says_why_and_what_would_fill_it(client: FlaskClient, path: str, words: str) -> None:
    page = client.get(path).get_data(as_text=True)
    assert words in page, path


def test_the_index_finds_what_testing_every_thing_finds_in_the_same_order() -> None:
    """The search's text per kind gives the same things, in the same order, as testing every thing's words: every
    word held, an exact SDG number first, then SDG numbers in numeric order and words; PER_KIND at most."""
    import random

    from l4a.graph.reports.search import KINDS, PER_KIND, SearchIndex, Thing
    from l4a.graph.sdg_order import sdg_key

    def every(things: list[Thing], text: str) -> dict[str, list[Thing]]:  # the plain rule, thing by thing
        words = text.lower().split()
        exact = text.strip().lower().removeprefix("sdg").strip()
        found: dict[str, list[Thing]] = {}
        for thing in things:
            if (thing.notation and thing.notation == exact) or all(w in thing.words for w in words):
                found.setdefault(thing.kind, []).append(thing)
        for kind, some in found.items():
            some.sort(key=lambda t: (t.notation != exact, sdg_key(t.notation) if t.notation else ((9, ""),), t.words))
            found[kind] = some[:PER_KIND]
        return {kind: found[kind] for kind in KINDS if kind in found}

    pick = random.Random(7)
    vocabulary = ["water", "waste", "city", "wat", "er", "11", "11.1", "1.1", "women", "sea", "ea", "gender", "1"]
    things = []
    for number in range(3000):
        kind = pick.choice(KINDS)
        notation = pick.choice(["", "", f"{pick.randint(1, 17)}", f"{pick.randint(1, 17)}.{pick.randint(1, 9)}"])
        words = " ".join([*pick.choices(vocabulary, k=pick.randint(1, 6)), notation, f"thing{number}"])
        things.append(Thing(f"https://example.org/{number}", kind, notation, words))
    index = SearchIndex.of(things)
    texts = [*vocabulary, "water city", "city water", "sdg 11", "sdg11", "11.1", "wat sea", "thing12", "nothing",
             "ea er 1", "waste women gender", "thing299 water"]  # fmt: skip
    for text in texts:
        assert index.search(text) == every(things, text), text
    assert any(len(found) == PER_KIND for found in index.search("water").values())  # cut where the plain rule cuts
