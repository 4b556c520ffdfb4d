"""The query worker pool (graph/query_workers.py) on a real store on disk: waiting requests are served in order of
arrival, a busy pool answers "busy" at the deadline, a killed worker's slot goes to the next request, and closing
the pool releases every waiting request."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from l4a.graph.errors import QueryLimitError, StoreError
from l4a.graph.store.workers import Job, QueryWorkers

# On 1,500 triples: 1,500³ solutions to count, far more than any test waits; the tests stop it with a time limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g <urn:p> ?i }"
QUICK = "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:p> ?o }"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    store = ox.Store(str(path))
    store.extend(
        ox.Quad(ox.NamedNode(f"urn:s{n}"), ox.NamedNode("urn:p"), ox.Literal(str(n)), ox.DefaultGraph())
        for n in range(1500)
    )
    store.flush()
    del store
    return path


def job(text: str) -> Job:
    return Job(text, None, None, 0)


def test_a_full_pool_answers_busy_at_the_deadline_and_a_killed_slot_goes_on(store_path: Path) -> None:
    pool = QueryWorkers(store_path, size=1)
    try:
        outcome: list[str] = []

        def runaway() -> None:
            with pytest.raises(QueryLimitError):
                pool.run(job(SLOW), 1.5)
            outcome.append("killed")

        first = threading.Thread(target=runaway)
        first.start()
        time.sleep(0.5)  # the runaway holds the only worker
        with pytest.raises(QueryLimitError, match="busy"):
            pool.run(job(QUICK), 0.3)
        answer = pool.run(job(QUICK), 20)  # waits for the runaway to be killed, then gets a new worker
        first.join()
        assert outcome == ["killed"]
        assert answer.rows[0]["n"].value == "1500"  # type: ignore[union-attr]
    finally:
        pool.close()


def test_waiting_requests_are_served_in_order_of_arrival(store_path: Path) -> None:
    pool = QueryWorkers(store_path, size=1)
    order: list[int] = []
    lock = threading.Lock()
    try:
        pool.run(job(QUICK), 20)  # the worker is started and idle

        def holder() -> None:
            with pytest.raises(QueryLimitError):
                pool.run(job(SLOW), 1.0)

        def quick(number: int) -> None:
            pool.run(job(QUICK), 30)
            with lock:
                order.append(number)

        threads = [threading.Thread(target=holder)]
        threads[0].start()
        time.sleep(0.3)
        for number in range(5):
            threads.append(threading.Thread(target=quick, args=(number,)))
            threads[-1].start()
            time.sleep(0.05)  # each arrives after the one before
        for thread in threads:
            thread.join()
        assert order == [0, 1, 2, 3, 4]
    finally:
        pool.close()


def test_closing_the_pool_releases_the_waiting_requests(store_path: Path) -> None:
    pool = QueryWorkers(store_path, size=1)
    errors: list[BaseException] = []

    def wait_for_a_worker() -> None:
        try:
            pool.run(job(QUICK), 30)
        except BaseException as exc:  # recorded for the assertion below
            errors.append(exc)

    def hold() -> None:
        with contextlib.suppress(QueryLimitError):  # stopped at its time limit (closing does not stop it)
            pool.run(job(SLOW), 2.0)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.5)
    waiting = threading.Thread(target=wait_for_a_worker)
    waiting.start()
    time.sleep(0.2)
    started = time.monotonic()
    pool.close()
    waiting.join(10)
    assert not waiting.is_alive() and time.monotonic() - started < 5
    assert len(errors) == 1 and isinstance(errors[0], StoreError) and "closed" in str(errors[0])
    holder.join()


def test_the_setting_sizes_the_pool_of_the_embedded_store(tmp_path: Path, store_path: Path) -> None:
    from l4a.graph.settings import load_settings
    from l4a.graph.store.factory import open_store

    settings = load_settings(
        {"data_dir": store_path.parent, "query_workers": 3}, environ={}, config_file=tmp_path / "none.toml"
    )
    store = open_store(settings, read_only=True)
    try:
        assert store.query(QUICK, timeout=20).rows[0]["n"].value == "1500"  # type: ignore[union-attr]
        assert store._workers is not None and store._workers.size == 3  # type: ignore[attr-defined]
    finally:
        store.close()
    assert QueryWorkers(store_path).size >= 2  # automatic: two per core, at least two
