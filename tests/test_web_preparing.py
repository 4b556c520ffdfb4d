"""Under `l4a serve`, a page whose whole-store values are still being computed (after a start or a write, seconds on
a big store) answers "being prepared" (503, Retry-After, a page that reloads itself) instead of keeping the reader
waiting, and the real page once they are ready. Without the setting (scripts, tests) a request waits."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser

from l4a.graph.settings import load_settings
from l4a.graph.store.embedded import EmbeddedStore
from l4a.web.app import create_app
from l4a.web.state import forget_caches

from .webapp import make_app, served, synth_quads

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def big_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the shipped data and 3,000 synthetic hubs (the hub table takes a while to read)."""
    data_dir = tmp_path_factory.mktemp("preparing")
    settings = load_settings({"data_dir": data_dir}, environ={}, config_file=data_dir / "none.toml")
    app = create_app({"TESTING": True}, settings=settings, build_if_empty=True)
    store: EmbeddedStore = app.extensions["l4a_store"]
    store.add_quads(synth_quads(3000, seed=4))
    store.close()
    return data_dir


def app_with(data_dir: Path, seconds: float | None) -> Flask:
    settings = load_settings({"data_dir": data_dir}, environ={}, config_file=data_dir / "none.toml")
    return create_app({"TESTING": True, "L4A_PREPARE_SECONDS": seconds}, settings=settings)


@pytest.fixture
def preparing_app(big_data: Path) -> Iterator[Flask]:
    app = app_with(big_data, 0.001)  # a budget no computation of the hub table meets
    forget_caches(app, announce=False)
    yield app
    for job in list(app.extensions.get("l4a_prepare_jobs", {}).values()):  # let the computations end first
        job.done.wait(120)
    app.extensions["l4a_store"].close()


def test_a_page_says_it_is_being_prepared_then_shows_itself(preparing_app: Flask) -> None:
    client = preparing_app.test_client()
    first = client.get("/hubs?lang=fr")
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "2" and first.headers["Cache-Control"] == "no-store"
    html = first.get_data(as_text=True)
    assert 'data-reload-seconds="2"' in html and '<html lang="fr">' in html
    assert '<script src="/static/preparing.js" defer></script>' in html and "http-equiv" not in html  # no timed meta
    assert "Cette page est en préparation" in html and "Recharger maintenant" in html
    programs = client.get("/hubs.json")
    assert programs.status_code == 503 and programs.get_json() == {"preparing": True, "retry_after": 2}
    deadline = time.monotonic() + 120
    while (answer := client.get("/hubs.json")).status_code == 503:  # computed once, on its own thread
        assert time.monotonic() < deadline, "the hub table was never ready"
        time.sleep(0.2)
    assert answer.status_code == 200 and answer.get_json()["count"] > 3000
    page = client.get("/hubs?lang=fr")
    assert page.status_code == 200 and "data-reload-seconds" not in page.get_data(as_text=True)


def test_pages_that_need_nothing_being_computed_answer_at_once(preparing_app: Flask) -> None:
    client = preparing_app.test_client()
    assert client.get("/hubs").status_code == 503  # the hub table is now being computed
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/sparql", headers={"Accept": "text/html"}).status_code in (200, 503)  # may need labels


def test_without_a_budget_a_request_waits_for_what_it_needs(big_data: Path) -> None:
    app = app_with(big_data, None)
    try:
        forget_caches(app, announce=False)
        answer = app.test_client().get("/hubs.json")
        assert answer.status_code == 200 and answer.get_json()["count"] > 3000
    finally:
        app.extensions["l4a_store"].close()


def test_in_a_browser_a_page_being_prepared_reloads_itself_into_the_real_page(tmp_path: Path, browser: Browser) -> None:
    """A real `l4a serve` with a budget nothing meets: the search page (whose index no warm-up makes) first answers
    "being prepared", then the site's own script reloads it into the results, with no CSP violation and no timed
    <meta> refresh (axe-core's meta-refresh rule)."""
    with served(tmp_path / "data", extra_env={"L4A_PREPARE_SECONDS": "0.001"}) as base:
        page = browser.new_page()
        statuses: list[int] = []
        blocked: list[str] = []
        page.on("response", lambda r: statuses.append(r.status) if "/search" in r.url else None)
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{base}/search?q=bilbao&lang=es")
        assert statuses[0] == 503 and page.locator("[data-reload-seconds]").count() == 1
        assert page.locator('meta[http-equiv="refresh"]').count() == 0
        page.wait_for_selector("a[href='/hubs/bilbao-city-of-values']", timeout=60_000)  # the results, reloaded
        assert statuses[-1] == 200 and page.locator("[data-reload-seconds]").count() == 0
        assert blocked == []
        page.close()



def test_l4a_serve_opens_its_port_with_what_every_page_needs_already_read(big_data: Path, tmp_path: Path) -> None:
    """A real `l4a serve` reads the labels, the index and the hub table (and compiles the templates) before it opens
    its port (for `ready_seconds` at most; long enough here for a copy of the 3,000-hub store, whose values are then
    computed, not read back): with a budget no computation meets, a hub page and the hub list asked the moment the
    port opens answer at once, not "being prepared"."""
    import shutil
    import urllib.request

    data = tmp_path / "data"
    shutil.copytree(big_data, data)
    with served(data, extra_env={"L4A_PREPARE_SECONDS": "0.001", "L4A_READY_SECONDS": "300"}) as base:
        for path in ("/hubs/bilbao-city-of-values", "/hubs", "/hubs.json"):
            with urllib.request.urlopen(base + path, timeout=60) as answer:
                assert answer.status == 200, path


def test_the_warm_up_after_a_start_gives_way_to_readers(tmp_path: Path) -> None:
    """`l4a serve`'s warm-up reads its values from disk in moments when no request runs: while one runs it waits
    (for `longest` at most, when given), and a moment after the last one ends it goes on."""
    from l4a.web.preparing import track_requests, wait_for_quiet

    app = make_app(tmp_path)
    try:
        track_requests(app)
        client = app.test_client()
        assert client.get("/stats").status_code == 200  # a request ran: its end was noted
        activity = app.extensions["l4a_activity"]
        assert activity.running == 0 and 0 <= activity.quiet_for() < 5
        activity.start()  # a request still running (as one would, on another thread)
        started = time.monotonic()
        wait_for_quiet(app, quiet=0.05, longest=0.6)
        assert time.monotonic() - started >= 0.6  # it waited its longest
        activity.end()
        started = time.monotonic()
        wait_for_quiet(app, quiet=0.2, longest=5)
        waited = time.monotonic() - started
        assert 0.15 <= waited < 2  # about the quiet moment asked for, not its longest
        activity.start()  # by default it waits however long the site is busy
        import threading

        waiting = threading.Thread(target=wait_for_quiet, args=(app,), kwargs={"quiet": 0.05}, daemon=True)
        waiting.start()
        waiting.join(1.5)
        assert waiting.is_alive()
        activity.end()
        waiting.join(5)
        assert not waiting.is_alive()
    finally:
        app.extensions["l4a_store"].close()


def test_prepared_validation_results_are_read_before_the_port_opens(tmp_path: Path) -> None:
    """When the whole store's validation results in the default language are kept on disk (`l4a prepare`), the
    warm-up reads them before it says the app is ready: the first hub pages of a busy start use them rather than
    validating their own hub. Not kept, they are not computed then (seconds on a big store): later, when quiet."""
    from l4a.web.preparing import Activity
    from l4a.web.state import ready_reports, reports_kept, warm_reports

    def ready_with_a_reader_at_work(app: Flask) -> tuple[bool, bool]:
        """Whether the English and the French results are there when the app says it is ready."""
        app.extensions["l4a_activity"] = busy = Activity()
        busy.start()  # a reader at work: the warm-up's later reading waits for quiet
        thread = warm_reports(app)
        assert app.extensions["l4a_ready"].wait(60)
        found = ready_reports(app, "en") is not None, ready_reports(app, "fr") is not None
        busy.end()  # quiet: the warm-up reads (here: computes and keeps) the rest
        thread.join(120)
        return found

    for expected in [(False, False), (True, False)]:  # nothing kept yet; then what the first run kept
        app = make_app(tmp_path)
        try:
            assert reports_kept(app, "en") == expected[0]
            assert ready_with_a_reader_at_work(app) == expected
        finally:
            app.extensions["l4a_store"].close()


@pytest.mark.parametrize("path", ["/network.node-link.json", "/hubs.csv"])
def test_a_download_sent_from_a_file_counts_as_running_until_it_is_sent(tmp_path: Path, path: str) -> None:
    """A kept download is handed to waitress's file wrapper and sent after the view returned: the request counts as
    running until waitress closes that file, so the warm-up does not take the interpreter in the middle of it."""
    from waitress.buffers import ReadOnlyFileBasedBuffer
    from werkzeug.test import EnvironBuilder

    from l4a.web.page_cache import PageCache
    from l4a.web.preparing import track_requests

    app = make_app(tmp_path)
    app.extensions["l4a_pages"] = PageCache(max_page=300)  # the shipped data's downloads kept as files
    try:
        track_requests(app)
        activity = app.extensions["l4a_activity"]
        for _ in range(2):  # the first request makes and keeps it; the second sends the kept one from its file
            environ = EnvironBuilder(path=path).get_environ()
            environ["wsgi.file_wrapper"] = ReadOnlyFileBasedBuffer
            body = app(environ, lambda status, headers, exc_info=None: None)
            sent_from_file = isinstance(body, ReadOnlyFileBasedBuffer)
            assert activity.running == (1 if sent_from_file else 0)
            if sent_from_file:  # as waitress sends it
                body.prepare()
                data = b"".join(iter(functools.partial(body.get, 1 << 20, skip=True), b""))
            else:
                data = b"".join(body)
            body.close()  # type: ignore[attr-defined]
            assert activity.running == 0 and len(data) > 100
        assert sent_from_file
        environ = EnvironBuilder(path=path).get_environ()
        environ["wsgi.file_wrapper"] = ReadOnlyFileBasedBuffer
        body = app(environ, lambda status, headers, exc_info=None: None)
        assert activity.running == 1
        body.file._file.close()  # type: ignore[attr-defined]  # (only to keep the test free of an unclosed file)
        del body  # dropped unsent and never closed (an error after the view, say): not running for ever
        __import__("gc").collect()
        assert activity.running == 0
    finally:
        app.extensions["l4a_store"].close()


@pytest.mark.parametrize("preloaded_hubs", [0, 1_000_000])
def test_a_big_store_s_warm_up_reads_only_what_first_requests_need(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, preloaded_hubs: int
) -> None:
    """On a store of more than PRELOADED_HUBS hubs, the warm-up reads no language's validation results nor what the
    filtered named queries are cut from (hundreds of MB at 100k hubs, where the hub pack answers the hub pages):
    a hub page then checks its own hub. On a smaller store it reads them, in quiet moments."""
    from click.testing import CliRunner

    from l4a.graph.cli.main import main
    from l4a.graph.store import derived
    from l4a.web import state
    from l4a.web.state import ready_reports, warm_reports

    env = {"L4A_DATA_DIR": str(tmp_path), "L4A_CONFIG": str(tmp_path / "none.toml")}
    for args in (["build", "--quiet"], ["prepare"]):  # everything kept on disk, for the warm-up to read
        assert CliRunner().invoke(main, args, env=env, catch_exceptions=False).exit_code == 0
    monkeypatch.setattr(state, "PRELOADED_HUBS", preloaded_hubs)
    derived._memory.clear()
    app = make_app(tmp_path)
    try:
        warm_reports(app).join(120)
        preloaded = preloaded_hubs > 0
        assert (ready_reports(app, "en") is not None) == preloaded
        assert (ready_reports(app, "fr") is not None) == preloaded
        assert (ready_reports(app, "es") is not None) == preloaded
        assert any("narrow" in str(key) for key in derived._memory) == preloaded
        for lang in ("en", "fr"):  # each validates its own hub when the whole store's results are not read
            page = app.test_client().get(f"/hubs/bilbao-city-of-values?lang={lang}")
            assert page.status_code == 200 and "Bilbao" in page.get_data(as_text=True)
    finally:
        app.extensions["l4a_store"].close()


def test_the_warm_up_reads_every_language_s_locale_data_before_the_port_opens(tmp_path: Path) -> None:
    """Babel's locale data and the site's catalogues of each language are read before the app says it is ready: a
    first French or Spanish request does not read them (over a second on a busy 100k-hub start). In a new process,
    as a server starts (Babel keeps what it read for the process)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "sys.path.insert(0, sys.argv[2])\n"
        "from babel import localedata\n"
        "from tests.webapp import make_app\n"
        "from l4a.web.state import warm_reports\n"
        "app = make_app(Path(sys.argv[1]))\n"
        "thread = warm_reports(app)\n"
        "assert app.extensions['l4a_ready'].wait(60)\n"
        "print(sorted(localedata._cache))\n"
        "thread.join(120)\n"
        "app.extensions['l4a_store'].close()\n"
    )
    root = str(Path(__file__).resolve().parents[1])
    command = [sys.executable, "-c", code, str(tmp_path), root]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = done.stdout.strip().splitlines()[-1]
    assert all(f"'{lang}'" in loaded for lang in ("en", "fr", "es")), loaded
