"""The app's cache of values read from the store: computed once per key, a slow value does not hold up the others
(the home page's counts took 14 s on 10k hubs and every hub page's first visit waited for them), and a value read
before a write is not kept after it."""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from l4a.graph.settings import load_settings
from l4a.web import state
from l4a.web.app import create_app
from l4a.web.state import cached, forget_caches


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    settings = load_settings({"data_dir": tmp_path}, environ={}, config_file=tmp_path / "none.toml")
    made = create_app({"TESTING": True}, settings=settings)
    yield made
    made.extensions["l4a_store"].close()


def test_a_slow_value_does_not_hold_up_another(app: Flask) -> None:
    release = threading.Event()
    started = threading.Event()

    def slow() -> str:
        started.set()
        release.wait(10)
        return "slow"

    worker = threading.Thread(target=lambda: cached(app, "slow", slow))
    worker.start()
    try:
        assert started.wait(5)
        began = time.monotonic()
        assert cached(app, "quick", lambda: "quick") == "quick"
        assert time.monotonic() - began < 1  # not blocked behind "slow"
    finally:
        release.set()
        worker.join(10)
    assert cached(app, "slow", lambda: "again") == "slow"


def test_one_key_is_computed_once_by_concurrent_requests(app: Flask) -> None:
    calls: list[int] = []
    barrier = threading.Barrier(8)

    def make() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    def ask() -> None:
        barrier.wait()
        assert cached(app, "value", make) == 42

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1


def test_a_value_read_before_a_write_is_not_kept(app: Flask) -> None:
    reading = threading.Event()
    written = threading.Event()
    got: list[str] = []

    def stale() -> str:
        reading.set()
        written.wait(10)  # the app writes (and forgets its caches) while this value is being read
        return "before the write"

    worker = threading.Thread(target=lambda: got.append(cached(app, "value", stale)))
    worker.start()
    assert reading.wait(5)
    forget_caches(app)
    written.set()
    worker.join(10)
    assert got == ["before the write"]  # the request that read it still gets it
    assert cached(app, "value", lambda: "after the write") == "after the write"


def test_a_cached_value_may_need_another(app: Flask) -> None:
    assert cached(app, "outer", lambda: cached(app, "inner", lambda: 1) + 1) == 2


# Rendered pages and API answers (web/page_cache.py)


def test_the_page_cache_keeps_the_most_recently_used_pages() -> None:
    from l4a.web.page_cache import PageCache

    pages = PageCache(size=2)
    pages.put("a", "A")
    pages.put("b", "B")
    assert pages.get("a") == "A"  # a is now the most recent
    pages.put("c", "C")
    assert (pages.get("a"), pages.get("b"), pages.get("c")) == ("A", None, "C")
    assert len(pages) == 2


def test_the_page_cache_is_bounded_in_size_too() -> None:
    """Big pages (a brief of thousands of hubs) push out the oldest pages; one bigger than a page's share is never
    kept; replacing a page counts its new size only."""
    from l4a.web.page_cache import PageCache

    pages = PageCache(size=100, max_bytes=10, max_page=6)
    pages.put("a", "aaaa")
    pages.put("b", "bbbb")
    pages.put("a", "AAA")  # replaced: 3 + 4 characters kept
    assert pages.kept_bytes == 7 and len(pages) == 2
    pages.put("c", "ccccc")  # 12 > 10: the least recently used ("b") goes
    assert (pages.get("a"), pages.get("b"), pages.get("c")) == ("AAA", None, "ccccc")
    assert pages.kept_bytes == 8
    pages.put("huge", "x" * 7)
    assert pages.get("huge") is None and pages.kept_bytes == 8
    pages.clear()
    assert pages.kept_bytes == 0 and len(pages) == 0


def test_a_hub_page_and_its_related_hubs_change_after_a_write(tmp_path: Path) -> None:
    from .webapp import web_app

    hub = "https://w3id.org/l4a/id/hub/bilbao-city-of-values"
    with web_app(tmp_path, write_token="t0ken-for-this-test") as made:
        client = made.test_client()
        first = client.get("/hubs/bilbao-city-of-values?lang=fr").get_data(as_text=True)
        related = client.get("/api/hubs/bilbao-city-of-values/related").get_json()
        assert client.get("/hubs/bilbao-city-of-values?lang=fr").get_data(as_text=True) == first  # kept
        other = "https://w3id.org/l4a/id/hub/xian-youth-education-dialogue"
        insert = (
            "INSERT DATA { GRAPH <https://w3id.org/l4a/graph/test-note> { "
            f"<{hub}> <https://w3id.org/l4a/ontology#buildsOn> <{other}> }} }}"
        )
        headers = {"Authorization": "Bearer t0ken-for-this-test"}
        response = client.post("/sparql/update", data={"update": insert}, headers=headers)
        assert response.status_code == 204
        after = client.get("/hubs/bilbao-city-of-values?lang=fr").get_data(as_text=True)
        # The write emptied the cache: the page shows the new link (a fact, and a reason of the related hub).
        first, after = html.unescape(first), html.unescape(after)
        assert "S'appuie sur" not in first and "S'appuie sur" in after
        assert "s'appuie sur" not in first and "s'appuie sur" in after
        assert client.get("/api/hubs/bilbao-city-of-values/related").get_json() != related
        as_json = client.get("/hubs/bilbao-city-of-values", headers={"Accept": "application/json"})
        assert as_json.is_json and as_json.get_json()["hub"] == hub  # JSON is not served from the HTML cache


def test_values_of_single_requests_are_bounded_by_what_they_hold(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Values made for one request (a filter's rows, a council's brief) are forgotten oldest first once they hold
    more than CACHE_CELLS values together, and one holding more than a quarter of that is not kept at all; the
    whole store's values (the hub table, the index) always stay."""
    monkeypatch.setattr(state, "CACHE_CELLS", 4000)
    rows = [{"a": 1, "b": 2} for _ in range(450)]  # 900 values
    whole = [{"a": 1, "b": 2} for _ in range(5000)]
    assert state.cached(app, "hub_table", lambda: whole) is whole
    for number in range(5):  # 4,500 values: one too many
        state.cached(app, f"filter {number}", lambda: list(rows))
    cache = app.extensions["l4a_cache"]
    assert "filter 0" not in cache and {"filter 1", "filter 2", "filter 3", "filter 4", "hub_table"} <= set(cache)
    made: list[int] = []
    big = [{"a": 1, "b": 2} for _ in range(1500)]  # 3,000 values: over a quarter of 4,000
    for _ in range(2):
        state.cached(app, "big filter", lambda: made.append(1) or big)
    assert made == [1, 1] and "big filter" not in cache  # made for each request, never kept
    assert state.cached(app, "hub_table", lambda: []) is whole


def test_a_served_app_gives_back_the_heap_after_slow_requests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`l4a serve`'s app (warm) caps glibc's heaps before its threads start and trims the heap after a request that
    took long, never after a quick one; the calls work on this machine's C library (glibc)."""
    from l4a.web import heap

    assert heap.limit_heaps() and isinstance(heap.trim(), bool)  # the real C library answers
    capped: list[int] = []
    trimmed: list[int] = []
    monkeypatch.setattr("l4a.web.app.limit_heaps", lambda: capped.append(1) or True)
    monkeypatch.setattr(heap, "trim", lambda: trimmed.append(1) or True)
    settings = load_settings({"data_dir": tmp_path}, environ={}, config_file=tmp_path / "none.toml")
    for warm, slow, expected in ((False, None, (0, 0)), (True, None, (1, 0)), (False, 0.0, (0, 1))):
        capped.clear()
        trimmed.clear()
        app = create_app(settings=settings, warm=warm)
        try:
            if slow is not None:  # every request counts as slow
                heap.trim_after_slow_requests(app, slow=slow)
            assert app.test_client().get("/openapi.json").status_code == 200
            assert (len(capped), len(trimmed)) == expected, (warm, slow)
        finally:
            for thread in threading.enumerate():  # the warm-up reads the store until it is done
                if thread.name == "l4a-warm-reports":
                    thread.join(120)
            app.extensions["l4a_store"].close()
