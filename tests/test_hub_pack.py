"""The hub pack (web/hub_pack.py): after `l4a prepare`, a server started later answers a hub's page and its related
list from the file, byte for byte what it would render, and never once the store or the day has moved on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from werkzeug.test import TestResponse

from l4a.web import hub_pack
from l4a.web.pages import hubs as hub_pages
from l4a.web.state import app_index, app_store, forget_caches

from .webapp import prepared_app as _app

PREFIX = "https://w3id.org/l4a/id/hub/"


def _prepare(data_dir: Path) -> Path:
    """A data directory built with the examples and prepared (`l4a prepare`)."""
    from click.testing import CliRunner

    from l4a.graph.cli.main import main

    env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml")}
    for args in (["build", "--with-examples", "--quiet"], ["prepare"]):
        done: Result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
        assert done.exit_code == 0, done.output
    return data_dir


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by the tests that only read (a copied store is another state: its pack is not current)."""
    return _prepare(tmp_path_factory.mktemp("pack") / "data")


@pytest.fixture
def app(prepared: Path) -> Iterator[Flask]:
    made = _app(prepared)
    yield made
    app_store(made).close()


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hubs whose page was rendered (not read from the pack) from now on."""
    names: list[str] = []
    original = hub_pages._hub_page

    def counting(slug: str, staff: bool = False) -> object:
        names.append(slug)
        return original(slug, staff)

    monkeypatch.setattr(hub_pages, "_hub_page", counting)
    return names


def _slugs(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(iri.removeprefix(PREFIX) for iri in app_index(app).hubs if iri.startswith(PREFIX))


def test_every_hub_is_answered_from_the_pack_as_it_would_be_rendered(
    app: Flask, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    slugs = _slugs(app)
    assert len(slugs) > 5
    client = app.test_client()
    pages = {slug: client.get(f"/hubs/{slug}") for slug in slugs}
    related = {slug: client.get(f"/api/hubs/{slug}/related") for slug in slugs}
    assert rendered == [], "a hub page was rendered though the pack holds it"
    assert all(a.status_code == 200 and a.mimetype == "text/html" for a in pages.values())
    assert all(a.status_code == 200 and a.mimetype == "application/json" for a in related.values())
    # Byte for byte, and with the same headers, what the app renders with no pack and nothing kept in memory.
    monkeypatch.setattr(hub_pack, "open_kept", lambda *args, **kwargs: None)
    forget_caches(app, announce=False)
    for slug in slugs:
        page = client.get(f"/hubs/{slug}")
        assert page.get_data() == pages[slug].get_data()
        assert _headers(page) == _headers(pages[slug])
        assert client.get(f"/api/hubs/{slug}/related").get_data() == related[slug].get_data()
    assert rendered == slugs


def _headers(answer: TestResponse) -> dict[str, str]:
    return {k: v for k, v in answer.headers.items() if k not in ("Date", "Set-Cookie")}


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?lang=fr", {}),
        ("?include_suggested=1", {}),
        ("", {"Accept-Language": "es"}),
        ("", {"Accept": "application/json"}),
    ],
)
def test_a_page_the_pack_does_not_hold_is_rendered(
    app: Flask, rendered: list[str], query: str, headers: dict[str, str]
) -> None:
    """Only the site's first language, with no query string, as HTML is packed; anything else is rendered."""
    slug = _slugs(app)[0]
    answer = app.test_client().get(f"/hubs/{slug}{query}", headers=headers)
    assert answer.status_code == 200
    assert rendered == [slug]


@pytest.fixture
def own_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on a data directory of its own, prepared, for a test that writes."""
    made = _app(_prepare(tmp_path / "data"))
    yield made
    app_store(made).close()


def test_after_a_write_or_on_another_day_the_pack_is_not_read(
    own_app: Flask, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = own_app
    slug = _slugs(app)[0]
    client = app.test_client()
    assert client.get(f"/hubs/{slug}").status_code == 200 and rendered == []
    today = hub_pack._today
    monkeypatch.setattr(hub_pack, "_today", lambda: "2999-01-01")
    forget_caches(app, announce=False)  # the pages kept in memory go too: the pack is all that is left
    assert client.get(f"/hubs/{slug}").status_code == 200 and rendered == [slug]
    monkeypatch.setattr(hub_pack, "_today", today)
    forget_caches(app, announce=False)
    assert client.get(f"/hubs/{slug}").status_code == 200 and rendered == [slug]  # today's pack again
    store = app_store(app)
    store.update(f'INSERT DATA {{ GRAPH <urn:test:pack> {{ <{PREFIX}{slug}> <urn:test:p> "written" }} }}')
    forget_caches(app, announce=False)
    assert client.get(f"/hubs/{slug}").status_code == 200 and rendered == [slug, slug]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_pack_is_not_read_and_the_page_is_rendered(tmp_path: Path, rendered: list[str], damage: str) -> None:
    """A pack cut short or emptied is not read at all; one whose first answer is garbage is read for the others."""
    data_dir = _prepare(tmp_path / "data")  # its own: a copied store is another state, whose pack is never read
    rendered.clear()  # the preparation rendered every page to pack it
    (packed,) = (data_dir / "derived").glob("hub_pages_en-*.kept")
    first, rest = packed.read_bytes().split(b"\n", 1)
    changed = {"truncate": rest[: len(rest) // 2], "garbage": b"\x00" * 64 + rest[64:], "empty": b""}[damage]
    packed.write_bytes(first + b"\n" + changed)
    made = _app(data_dir)
    try:
        client = made.test_client()
        slugs = _slugs(made)
        answers = [client.get(f"/hubs/{slug}") for slug in slugs[:3]]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert rendered == (slugs[:1] if damage == "garbage" else slugs[:3])
        assert all(b"</html>" in a.get_data() for a in answers)
    finally:
        app_store(made).close()


def test_a_related_list_is_read_from_the_pack_whatever_the_readers_language(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from l4a.graph.sync.index import SyncIndex

    slug = _slugs(app)[0]
    expected = app.test_client().get(f"/api/hubs/{slug}/related").get_data()
    forget_caches(app, announce=False)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the related list was computed though the pack holds it")

    monkeypatch.setattr(SyncIndex, "related", refuse)
    for lang in ("fr", "es"):
        answer = app.test_client().get(f"/api/hubs/{slug}/related", headers={"Accept-Language": lang})
        assert answer.status_code == 200 and answer.get_data() == expected


def test_the_warm_up_opens_the_pack_and_sets_what_it_read_apart_before_the_port_opens(prepared: Path) -> None:
    """A server's warm-up reads the pack's index (a few tenths of a second at 100k hubs) before it says it is ready,
    and sets everything it read apart from the garbage collector (whose full passes over millions of objects held
    every request for about a second at 100k hubs)."""
    import gc

    from l4a.web.state import warm_reports

    app = _app(prepared)
    try:
        gc.unfreeze()
        thread = warm_reports(app)
        assert app.extensions["l4a_ready"].wait(60)
        packs = app.extensions["l4a_hub_packs"]
        assert packs.packs.get("en") is not None and len(packs.packs["en"].index) > 5
        assert gc.get_freeze_count() > 0
        thread.join(120)
    finally:
        gc.unfreeze()
        app_store(app).close()
