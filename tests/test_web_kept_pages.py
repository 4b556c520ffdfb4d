"""Big answers are kept once made until the app writes: a brief lists thousands of hubs on a big store (its page,
JSON and Markdown, per language, day and toggle), and the hub list's and the evidence's downloads hold every row.
A write through the app makes the next request show the new state; a download too big to keep in memory is kept
as a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder

from l4a.web.download_files import DownloadFiles, download_files
from l4a.web.page_cache import PageCache, page_cache

from .webapp import make_app

COUNCIL = "resilient-regenerative-territories"
HUB = "https://example.org/kept-brief-test-hub"
INSERT = f"""PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT DATA {{ GRAPH <{HUB}> {{
  <{HUB}> a l4a:Hub ; dcterms:title "Kept brief test hub"@en ;
    l4a:relevantCouncil <https://w3id.org/l4a/id/council/{COUNCIL}> }} }}"""


def test_brief_pages_are_kept_until_the_app_writes(tmp_path: Path) -> None:
    app = make_app(tmp_path, write_token="s3cret-token")
    client = app.test_client()
    paths = [f"/councils/{COUNCIL}/brief", f"/councils/{COUNCIL}/brief.json", f"/councils/{COUNCIL}/brief.md"]
    try:
        first = {path: client.get(path, query_string={"lang": "fr"}) for path in paths}
        assert all(answer.status_code == 200 for answer in first.values())
        kept = len(page_cache(app))
        assert kept >= 3  # the page, its JSON twin and the Markdown
        again = {path: client.get(path, query_string={"lang": "fr"}) for path in paths}
        for path in paths:
            assert again[path].data == first[path].data
            assert again[path].headers["Content-Type"] == first[path].headers["Content-Type"]
        assert again[paths[1]].get_json()["lang"] == "fr"
        english = client.get(paths[1], query_string={"lang": "en"}).get_json()
        assert english["lang"] == "en"  # another language is another page, not the kept French one
        assert HUB not in {h["iri"] for h in english["hubs"]}

        update = {"data": INSERT, "content_type": "application/sparql-update"}
        written = client.post("/sparql/update", headers={"Authorization": "Bearer s3cret-token"}, **update)
        assert written.status_code == 204
        after = client.get(paths[1], query_string={"lang": "fr"}).get_json()
        assert HUB in {h["iri"] for h in after["hubs"]}
        assert "Kept brief test hub" in client.get(paths[0], query_string={"lang": "fr"}).get_data(as_text=True)
        assert "Kept brief test hub" in client.get(paths[2], query_string={"lang": "fr"}).get_data(as_text=True)
    finally:
        app.extensions["l4a_store"].close()


def test_downloads_are_kept_once_sent_until_the_app_writes(tmp_path: Path) -> None:
    app = make_app(tmp_path, write_token="s3cret-token")
    client = app.test_client()
    paths = ["/hubs.csv", "/hubs.json", "/evidence?format=csv", "/evidence.json"]
    try:
        def body(path: str) -> bytes:
            with client.get(path) as answer:  # a streamed answer is read whole and closed
                assert answer.status_code == 200, path
                return answer.data

        first = {path: body(path) for path in paths}
        kept = len(page_cache(app))
        assert kept >= len(paths)
        assert {path: body(path) for path in paths} == first
        assert len(page_cache(app)) == kept  # served from what was kept, nothing added
        assert body("/hubs.csv?lang=fr")
        assert len(page_cache(app)) == kept + 1  # another language is another download

        update = {"data": INSERT, "content_type": "application/sparql-update"}
        written = client.post("/sparql/update", headers={"Authorization": "Bearer s3cret-token"}, **update)
        assert written.status_code == 204
        assert len(page_cache(app)) == 0
        assert HUB in body("/hubs.csv").decode()
        assert HUB in {h["hub"] for h in json.loads(body("/hubs.json"))["hubs"]}
    finally:
        app.extensions["l4a_store"].close()


@pytest.mark.parametrize(
    "path",
    ["/hubs.csv", "/hubs.json", "/evidence?format=csv", "/monitoring.json", "/hubs?page=1",
     f"/councils/{COUNCIL}/brief.json"],
)  # fmt: skip
def test_a_download_too_big_for_memory_is_kept_as_a_file_until_the_app_writes(tmp_path: Path, path: str) -> None:
    """A download, or a page or its JSON, bigger than the memory cache takes for one answer is kept as a file and
    read back from it, until the app writes."""
    app = make_app(tmp_path, write_token="s3cret-token")
    app.extensions["l4a_pages"] = PageCache(max_page=300)  # smaller than each of the shipped data's downloads
    client = app.test_client()
    files = download_files(app)
    try:
        with client.get(path) as answer:
            whole = answer.get_data(as_text=True)
        assert len(whole) > 300 and answer.status_code == 200
        assert len(page_cache(app)) == 0 and len(files) == 1  # kept on disk, not in memory
        kept = next(files.folder.iterdir())
        assert kept.read_text(encoding="utf-8") == whole
        with client.get(path) as answer:
            assert answer.get_data(as_text=True) == whole  # read back from the file
        assert list(files.folder.iterdir()) == [kept]

        update = {"data": INSERT, "content_type": "application/sparql-update"}
        written = client.post("/sparql/update", headers={"Authorization": "Bearer s3cret-token"}, **update)
        assert written.status_code == 204
        with client.get(path) as answer:
            after = answer.get_data(as_text=True)
        assert not kept.exists()  # the file of the state before the write is gone
        if path.startswith(("/hubs", "/councils")):
            assert (HUB in after or "Kept brief test hub" in after) and HUB not in whole
        assert len(files) == 1
    finally:
        app.extensions["l4a_store"].close()


@pytest.mark.parametrize("share", [300, None])  # kept as a file, kept in memory
def test_a_write_between_the_view_and_the_first_piece_keeps_nothing_old(tmp_path: Path, share: int | None) -> None:
    """A server sends a download after its view returned, from the rows the view read: if the app writes in between,
    what is sent is of the state before, and must not be kept as if it were current."""
    app = make_app(tmp_path, write_token="s3cret-token")
    if share is not None:
        app.extensions["l4a_pages"] = PageCache(max_page=share)
    client = app.test_client()
    try:
        body = app(EnvironBuilder(path="/hubs.csv").get_environ(), lambda status, headers, exc_info=None: None)
        update = {"data": INSERT, "content_type": "application/sparql-update"}
        written = client.post("/sparql/update", headers={"Authorization": "Bearer s3cret-token"}, **update)
        assert written.status_code == 204
        old = b"".join(body)
        body.close()  # type: ignore[attr-defined]
        assert HUB.encode() not in old  # read before the write
        assert len(page_cache(app)) == 0 and len(download_files(app)) == 0
        with client.get("/hubs.csv") as answer:
            assert HUB in answer.get_data(as_text=True)
    finally:
        app.extensions["l4a_store"].close()


def test_a_download_the_client_leaves_half_read_is_not_kept(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.extensions["l4a_pages"] = PageCache(max_page=300)
    client = app.test_client()
    files = download_files(app)
    try:
        answer = client.get("/hubs.csv", buffered=False)
        first = next(iter(answer.response))
        assert first
        answer.close()  # the client goes away after the first piece
        assert len(files) == 0 and not list(files.folder.iterdir())
        with client.get("/hubs.csv") as whole:
            assert whole.get_data(as_text=True).startswith(first.decode() if isinstance(first, bytes) else first)
        assert len(files) == 1
    finally:
        app.extensions["l4a_store"].close()


def test_kept_files_are_bounded_and_the_oldest_go_first(tmp_path: Path) -> None:
    files = DownloadFiles(max_bytes=25)
    for name in ("a", "b", "c"):
        path, out = files.spool()
        with out:
            out.write(name.encode() * 10)
        files.keep(name, path, generation=0)
    assert files.open("a", 0) is None  # 30 bytes would be over 25: the least recently used went
    for name in ("b", "c"):
        stream = files.open(name, 0)
        assert stream is not None and stream.read() == name.encode() * 10
        stream.close()
    assert files.open("b", 1) is None and len(files) == 1  # made before a write: dropped
    assert len(list(files.folder.iterdir())) == 1
    path, out = files.spool()
    with out:
        out.write(b"d")
    files.keep("d", path, generation=1)  # a download kept after a write: every older file goes
    assert files.open("c", 1) is None and [p.name for p in files.folder.iterdir()] == [path.name]


TOPIC_HUB = "https://w3id.org/l4a/id/hub/kept-topic-test-hub"
TOPICS = [  # (page, the link that puts a hub on it)
    ("/councils/resilient-regenerative-territories",
     "l4a:relevantCouncil <https://w3id.org/l4a/id/council/resilient-regenerative-territories>"),
    ("/manifestos/ecology", "l4a:addressesManifesto <https://w3id.org/l4a/id/manifesto/ecology>"),
    ("/sdg/11", "l4a:addressesGoal <http://metadata.un.org/sdg/11>"),
    ("/sdg/target/11.3", "l4a:addressesTarget <http://metadata.un.org/sdg/11.3>"),
]


@pytest.mark.parametrize(("path", "link"), TOPICS)
def test_topic_pages_are_kept_until_the_app_writes(tmp_path: Path, path: str, link: str) -> None:
    app = make_app(tmp_path, write_token="s3cret-token")
    client = app.test_client()
    try:
        before = len(page_cache(app))
        page, data = client.get(path, query_string={"lang": "es"}), client.get(path + ".json")
        assert page.status_code == data.status_code == 200
        assert TOPIC_HUB not in data.get_json()["hubs"]
        kept = len(page_cache(app))
        assert kept == before + 2  # the page and its JSON
        assert client.get(path, query_string={"lang": "es"}).data == page.data
        assert client.get(path + ".json").data == data.data
        assert len(page_cache(app)) == kept  # both answered from what was kept
        insert = f"""PREFIX l4a: <https://w3id.org/l4a/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
            INSERT DATA {{ GRAPH <{TOPIC_HUB}> {{
              <{TOPIC_HUB}> a l4a:Hub ; dcterms:title "Kept topic test hub"@en ; {link} }} }}"""
        update = {"data": insert, "content_type": "application/sparql-update"}
        written = client.post("/sparql/update", headers={"Authorization": "Bearer s3cret-token"}, **update)
        assert written.status_code == 204
        assert TOPIC_HUB in client.get(path + ".json").get_json()["hubs"]
        assert "Kept topic test hub" in client.get(path, query_string={"lang": "es"}).get_data(as_text=True)
    finally:
        app.extensions["l4a_store"].close()


def test_the_monitoring_dashboard_is_kept_until_the_app_writes(tmp_path: Path) -> None:
    app = make_app(tmp_path, write_token="s3cret-token")
    client = app.test_client()
    try:
        assert client.get("/monitoring", query_string={"lang": "fr"}).status_code == 200
        first = client.get("/monitoring.json")
        assert first.status_code == 200
        kept = len(page_cache(app))
        key = next(k for k in page_cache(app).kept_keys() if k.startswith("/monitoring.json"))
        assert page_cache(app).get(key) == first.get_data(as_text=True)  # the JSON is kept as sent
        for _ in range(2):
            assert client.get("/monitoring.json").data == first.data
            assert client.get("/monitoring", query_string={"lang": "fr"}).status_code == 200
        assert len(page_cache(app)) == kept  # answered from what was kept
        insert = f"""PREFIX l4a: <https://w3id.org/l4a/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
            INSERT DATA {{ GRAPH <{TOPIC_HUB}> {{
              <{TOPIC_HUB}> a l4a:Hub ; dcterms:title "Kept topic test hub"@en }} }}"""
        update = {"data": insert, "content_type": "application/sparql-update"}
        written = client.post("/sparql/update", headers={"Authorization": "Bearer s3cret-token"}, **update)
        assert written.status_code == 204
        assert client.get("/monitoring.json").get_json()["count"] == first.get_json()["count"] + 1
    finally:
        app.extensions["l4a_store"].close()


def _answer(client: Any, path: str) -> bytes:
    with client.get(path) as answer:
        assert answer.status_code == 200, path
        return bytes(answer.data)


def _answers_of_a_new_server(data_dir: Path, paths: list[str]) -> dict[str, bytes]:
    """Each path asked once of a new app on `data_dir` (each by a new reader: no language cookie carried over)."""
    app = make_app(data_dir, write_token="s3cret-token")
    try:
        return {path: _answer(app.test_client(), path) for path in paths}
    finally:
        app.extensions["l4a_store"].close()


def test_a_whole_list_download_is_kept_beside_the_store_for_the_next_server(tmp_path: Path) -> None:
    """The hub list's and the evidence's downloads without a filter are kept for the store's state (what `l4a
    prepare` makes after a write): a server started later sends that text; a filter, or a query string a reader
    made up, keeps nothing beside the store; after a write the new state's text is sent."""
    paths = ["/hubs.csv", "/hubs.json", "/evidence?format=csv", "/hubs.csv?lang=fr"]
    kept = tmp_path / "derived"
    first = _answers_of_a_new_server(tmp_path, paths)
    names = sorted(p.name for p in kept.glob("download_*.kept"))
    assert len(names) == len(paths)  # one per download and language
    _answers_of_a_new_server(tmp_path, ["/hubs.csv?country=ES", "/hubs.csv?lang=fr&x=1", "/evidence?format=csv&sdg=11"])
    assert sorted(p.name for p in kept.glob("download_*.kept")) == names  # nothing more kept for them

    # A new server (a new app, a new process's caches): the kept text, byte for byte, read from beside the store.
    for file in kept.glob("download_*hubs.csv*.kept"):
        head, _, rest = file.read_bytes().partition(b"\n")
        file.write_bytes(head + b"\n" + rest.replace(b"hub,name", b"hub,NAME", 1))  # marks what is read from disk
    app = make_app(tmp_path, write_token="s3cret-token")
    client = app.test_client()
    try:
        again = {path: _answer(client, path) for path in paths}
        assert again["/hubs.csv"] == first["/hubs.csv"].replace(b"hub,name", b"hub,NAME", 1)
        assert again["/hubs.json"] == first["/hubs.json"] and again[paths[2]] == first[paths[2]]
        update = {"data": INSERT, "content_type": "application/sparql-update"}
        written = client.post("/sparql/update", headers={"Authorization": "Bearer s3cret-token"}, **update)
        assert written.status_code == 204
        after = _answer(client, "/hubs.csv")
        assert HUB.encode() in after and after.startswith(b"hub,name")  # the new state's, made again
    finally:
        app.extensions["l4a_store"].close()


def test_a_whole_store_page_is_kept_beside_the_store_for_the_next_server(tmp_path: Path) -> None:
    """The hub list, the evidence, a council's brief (page, JSON, Markdown), an edition's brief, the network page, and
    the pages of a goal, a target, a council, a manifesto and the monitoring dashboard (HTML and JSON), asked with
    nothing but a language: kept for the store's state and the day, so a server started later sends them without
    making them; a query string a reader made up keeps nothing; a write makes them again."""
    paths = ["/hubs", "/evidence", f"/councils/{COUNCIL}/brief", f"/councils/{COUNCIL}/brief.json",
             f"/councils/{COUNCIL}/brief.md?lang=fr", "/vcs/2021/brief.md", "/network", "/sdg/11", "/sdg/11.json",
             "/sdg/target/11.3?lang=es", f"/councils/{COUNCIL}", "/manifestos/ecology.json",
             "/monitoring?lang=fr"]  # fmt: skip
    kept = tmp_path / "derived"
    first = {path: text.decode() for path, text in _answers_of_a_new_server(tmp_path, paths).items()}
    names = sorted(p.name for p in kept.glob("page_*.kept"))
    assert len(names) == len(paths)
    _answers_of_a_new_server(tmp_path, ["/hubs?made-up=1", "/hubs?country=ES"])
    assert sorted(p.name for p in kept.glob("page_*.kept")) == names  # nothing more kept for them

    for file in kept.glob("page_*.kept"):  # marks what a new server reads from disk, rather than makes
        head, _, rest = file.read_bytes().partition(b"\n")
        file.write_bytes(head + b"\n" + rest + b"<!-- read back -->")
    app = make_app(tmp_path, write_token="s3cret-token")
    client = app.test_client()
    try:
        for path in paths:  # each reader new (no language cookie from the one before)
            assert _answer(app.test_client(), path).decode() == first[path] + "<!-- read back -->", path
        # An edition's brief by its year or by its name is one page, kept once.
        by_name = _answer(app.test_client(), "/vcs/venice-city-solutions-2021/brief.md").decode()
        assert by_name == first["/vcs/2021/brief.md"] + "<!-- read back -->"
        update = {"data": INSERT, "content_type": "application/sparql-update"}
        written = client.post("/sparql/update", headers={"Authorization": "Bearer s3cret-token"}, **update)
        assert written.status_code == 204
        after = _answer(client, f"/councils/{COUNCIL}/brief").decode()
        assert "Kept brief test hub" in after and "<!-- read back -->" not in after  # the new state's, made again
        council = _answer(client, f"/councils/{COUNCIL}").decode()
        assert "Kept brief test hub" in council and "<!-- read back -->" not in council
    finally:
        app.extensions["l4a_store"].close()


def test_the_network_downloads_are_sent_from_a_file_kept_beside_the_store(tmp_path: Path) -> None:
    """The network's node-link JSON and GraphML are files kept for the store's state (what `l4a prepare` makes):
    a server started later sends that file, the CLI copies the same one, and after a write the new state's network
    is sent."""
    from click.testing import CliRunner

    from l4a.graph.cli.main import main

    paths = {"/network.node-link.json": "network_file_json", "/network.graphml": "network_file_graphml"}
    # Built and closed first: a server that builds the store writes, and RocksDB's compaction after a write may
    # change the files (and the key) under the values kept meanwhile; a store opened as it was left keeps its key.
    _answers_of_a_new_server(tmp_path, [])
    first = _answers_of_a_new_server(tmp_path, list(paths))
    assert json.loads(first["/network.node-link.json"])["nodes"] and first["/network.graphml"].startswith(b"<?xml")
    kept = tmp_path / "derived"
    for path, stem in paths.items():
        (file,) = kept.glob(f"{stem}-*.kept")
        head, _, rest = file.read_bytes().partition(b"\n")
        assert rest == first[path]
        file.write_bytes(head + b"\n" + rest + b"\n<!-- read back -->")  # marks what is read from disk, not made
    again = _answers_of_a_new_server(tmp_path, list(paths))
    assert all(again[path] == first[path] + b"\n<!-- read back -->" for path in paths)
    cli = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "network", "--format", "graphml"])
    assert cli.exit_code == 0 and cli.stdout_bytes == again["/network.graphml"]

    app = make_app(tmp_path, write_token="s3cret-token")
    try:
        client = app.test_client()
        update = {"data": INSERT, "content_type": "application/sparql-update"}
        written = client.post("/sparql/update", headers={"Authorization": "Bearer s3cret-token"}, **update)
        assert written.status_code == 204
        with client.get("/network.node-link.json") as answer:
            assert answer.status_code == 200 and int(answer.headers["Content-Length"]) == len(answer.data)
            nodes = {node["id"] for node in json.loads(answer.data)["nodes"]}
        assert HUB in nodes  # the new state's network, made again
    finally:
        app.extensions["l4a_store"].close()


def test_waitress_sends_kept_downloads_whole_from_their_files(tmp_path: Path) -> None:
    """Under `l4a serve` (waitress), a download kept as a file (the network's, and after a restart the whole lists'
    kept beside the store) is handed to the server's file wrapper: every byte is sent, with its length, and it is
    the text the first server made."""
    import urllib.request

    from .webapp import served

    paths = ["/hubs.csv", "/hubs.json", "/evidence?format=csv", "/network.node-link.json", "/network.graphml"]

    def fetch_all(base: str) -> dict[str, bytes]:
        found = {}
        for path in paths:
            with urllib.request.urlopen(base + path, timeout=60) as answer:
                found[path] = answer.read()
                assert answer.headers["Server"] == "waitress"
                length = answer.headers["Content-Length"]
                assert length is None or int(length) == len(found[path]), path
        return found

    data = tmp_path / "data"
    _answers_of_a_new_server(data, [])  # built and closed first (see the test above)
    with served(data) as base:
        first = fetch_all(base)
    assert json.loads(first["/network.node-link.json"])["nodes"] and first["/hubs.csv"].startswith(b"hub,name")
    files = [*(data / "derived").glob("download_*.kept"), *(data / "derived").glob("network_file_*.kept")]
    assert len(files) == 5  # the whole lists and the network, kept beside the store
    for file in files:  # marks what the next server reads from disk, rather than makes
        file.write_bytes(file.read_bytes() + b"\n<!-- read back -->")
    with served(data) as base:
        again, third = fetch_all(base), fetch_all(base)
    assert again == third == {path: text + b"\n<!-- read back -->" for path, text in first.items()}
