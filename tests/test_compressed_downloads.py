"""Gzip twins of the big files kept beside the store (web/compressed.py): after `l4a prepare`, a client that takes
gzip gets the whole lists' downloads, the network's files and a page too big for memory compressed, and exactly
the same text once decompressed; a client that does not gets the plain file; a twin is never sent for a state of
the store other than its own."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from l4a.graph.cli.main import main
from l4a.web import compressed
from l4a.web.page_cache import PageCache
from l4a.web.state import app_store

from .webapp import prepared_app as _app

DOWNLOADS = ["/hubs.json", "/hubs.csv", "/evidence?format=csv", "/network.graphml", "/network.node-link.json"]
GZIP = {"Accept-Encoding": "gzip, deflate"}
SMALL = 64  # bytes: every download of the examples is bigger, so each gets its twin
SHIPPED_MIN = compressed.TWIN_MIN


def _cli(data_dir: Path, *args: str) -> None:
    env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml"), "L4A_PREPARE_AFTER_WRITE": "off"}
    done: Result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert done.exit_code == 0, done.output


@pytest.fixture(scope="module")
def small_twins() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compressed, "TWIN_MIN", SMALL)
        yield


def _prepared(data_dir: Path) -> Path:
    _cli(data_dir, "build", "--with-examples", "--quiet")
    _cli(data_dir, "prepare")
    return data_dir


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, small_twins: None) -> Path:
    """Shared by the tests that do not write to the store."""
    return _prepared(tmp_path_factory.mktemp("twins") / "data")


@pytest.fixture
def app(prepared: Path) -> Iterator[Flask]:
    made = _app(prepared)
    yield made
    app_store(made).close()


def _twins(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / "derived").glob("*gzip*.kept"))


def test_prepare_keeps_a_twin_of_each_big_download_and_a_client_taking_gzip_gets_it(app: Flask, prepared: Path) -> None:
    assert len(_twins(prepared)) >= len(DOWNLOADS)
    client = app.test_client()
    for path in DOWNLOADS:
        plain = client.get(path)
        packed = client.get(path, headers=GZIP)
        assert plain.status_code == packed.status_code == 200, path
        assert "Content-Encoding" not in plain.headers, path
        assert packed.headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"], path
        assert packed.mimetype == plain.mimetype, path
        assert packed.headers.get("Content-Disposition") == plain.headers.get("Content-Disposition"), path
        body = packed.get_data()
        assert int(packed.headers["Content-Length"]) == len(body), path
        assert gzip.decompress(body) == plain.get_data(), path
        assert len(plain.get_data()) > SMALL


@pytest.mark.parametrize("accept", ["identity", "gzip;q=0, identity", "br", ""])
def test_a_client_that_does_not_take_gzip_gets_the_plain_file(app: Flask, accept: str) -> None:
    client = app.test_client()
    expected = client.get("/hubs.csv").get_data()
    for path in ("/hubs.csv", "/network.graphml"):
        answer = client.get(path, headers={"Accept-Encoding": accept})
        assert "Content-Encoding" not in answer.headers, (path, accept)
        if path == "/hubs.csv":
            assert answer.get_data() == expected


def test_a_page_too_big_for_memory_is_sent_from_its_twin(app: Flask) -> None:
    app.extensions["l4a_pages"] = PageCache(max_page=200)  # the evidence page is kept as a file, not in memory
    client = app.test_client()
    plain = client.get("/evidence")
    first = client.get("/evidence", headers=GZIP)  # no twin of the page yet: made under the request... or not
    assert first.status_code == 200
    deadline = time.monotonic() + 20
    while (answer := client.get("/evidence", headers=GZIP)).headers.get("Content-Encoding") != "gzip":
        assert time.monotonic() < deadline, "the page's twin was never made"
        time.sleep(0.05)
    assert gzip.decompress(answer.get_data()) == plain.get_data()
    assert "Accept-Encoding" in answer.headers["Vary"]


def test_after_a_write_the_old_twin_is_not_sent_and_the_new_one_is_made_from_the_new_text(
    tmp_path: Path, small_twins: None
) -> None:
    prepared = _prepared(tmp_path / "data")
    app = _app(prepared)
    try:
        before = gzip.decompress(app.test_client().get("/hubs.csv", headers=GZIP).get_data())
    finally:
        app_store(app).close()  # the write below is another process's: the store must be free
    slug = "fictional-twin-test-hub"
    graph = f"https://w3id.org/l4a/graph/hub/{slug}"
    _cli(prepared, "import", _one_hub(prepared.parent / "hub.ttl", slug), "--graph", graph)
    changed = _app(prepared)  # a server started after the write (no `l4a prepare` since)
    try:
        fresh = changed.test_client()
        first = fresh.get("/hubs.csv", headers=GZIP)
        assert "Content-Encoding" not in first.headers  # the old state's twin is not used
        text = first.get_data()
        assert slug.encode() in text and slug.encode() not in before
        deadline = time.monotonic() + 20  # the new state's twin is made on a thread of its own
        while (answer := fresh.get("/hubs.csv", headers=GZIP)).headers.get("Content-Encoding") != "gzip":
            assert time.monotonic() < deadline, "no twin made for the new state"
            time.sleep(0.05)
        assert gzip.decompress(answer.get_data()) == text
    finally:
        app_store(changed).close()


def test_a_small_file_gets_no_twin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compressed, "TWIN_MIN", SHIPPED_MIN)  # as shipped: the examples' files are far smaller
    data_dir = _prepared(tmp_path / "data")
    assert _twins(data_dir) == []
    app = _app(data_dir)
    try:
        answer = app.test_client().get("/hubs.csv", headers=GZIP)
        assert answer.status_code == 200 and "Content-Encoding" not in answer.headers
        time.sleep(0.5)
        assert _twins(data_dir) == []  # nor later, on a thread
    finally:
        app_store(app).close()


def _one_hub(path: Path, slug: str) -> str:
    iri = f"https://w3id.org/l4a/id/hub/{slug}"
    path.write_text(f'<{iri}> a <https://w3id.org/l4a/ontology#Hub> ; <http://purl.org/dc/terms/title> "Twin"@en .\n')
    return str(path)


@pytest.mark.parametrize(
    "path", ["/evidence", "/councils/resilient-regenerative-territories/brief.json", "/sdg/11", "/monitoring.json"]
)
def test_a_page_kept_beside_the_store_is_sent_from_its_twin_even_when_it_is_in_memory(app: Flask, path: str) -> None:
    """Pages of the whole store (asked with nothing but a language) are kept beside the store; a big one gets its
    twin (by `l4a prepare`, or on a thread once a server keeps it), sent to a client that takes gzip even while the
    server also holds the page in memory."""
    client = app.test_client()
    plain = client.get(path)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    deadline = time.monotonic() + 20
    while (packed := client.get(path, headers=GZIP)).headers.get("Content-Encoding") != "gzip":
        assert time.monotonic() < deadline, f"{path}: no twin sent"
        time.sleep(0.05)
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert packed.mimetype == plain.mimetype and "Accept-Encoding" in packed.headers["Vary"]
    again = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in again.headers and again.get_data() == plain.get_data()


def test_a_page_kept_without_its_twin_gets_one_when_it_is_next_read(tmp_path: Path, small_twins: None) -> None:
    """A page kept beside the store by code that made no twins (or whose twin was lost) gets its twin once it is read
    again by a client taking gzip: `l4a prepare` run again on an unchanged store, or a server."""
    prepared = _prepared(tmp_path / "data")
    for twin in _twins(prepared):
        twin.unlink()
    app = _app(prepared)
    try:
        client = app.test_client()
        first = client.get("/sdg/11", headers=GZIP)
        assert first.status_code == 200 and "Content-Encoding" not in first.headers  # read from its kept file
        deadline = time.monotonic() + 20
        while (packed := app.test_client().get("/sdg/11", headers=GZIP)).headers.get("Content-Encoding") != "gzip":
            assert time.monotonic() < deadline, "no twin made"
            time.sleep(0.05)
        assert gzip.decompress(packed.get_data()) == first.get_data()
    finally:
        app_store(app).close()
