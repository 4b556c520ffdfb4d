"""Clients' SPARQL queries on the embedded store, run in worker processes that are killed when they overrun.

pyoxigraph has no time limit of its own and a running query cannot be interrupted from Python. A second process
can open the store read-only (it replays the writer's log, so it sees every committed write); a query that
overruns is stopped by killing its process, and a fresh one takes its place. The parent and a worker exchange one
length-prefixed pickle message each way over the worker's stdin and stdout (both sides are this module).
"""

from __future__ import annotations

import importlib
import logging
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from l4a.graph.errors import QueryLimitError, StoreError, UsageError
from l4a.graph.store.base import Dataset, QueryResult, Row, Solutions, Triples
from l4a.graph.store.sandbox import deny_network

log = logging.getLogger(__name__)

HEADER = struct.Struct(">Q")
START_SECONDS = 30.0  # a worker must be ready within this (Python and pyoxigraph start in well under a second)
REOPEN_SECONDS = 60.0  # a worker's read-only view is renewed at least this often, so it never pins old files long


def memory_limit() -> int:
    """Bytes of address space a worker may use: a quarter of the machine's memory, at least 1 GiB.

    A query that needs more (a huge sort or join) makes its worker abort instead of the server swapping or dying.
    """
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return max(1 << 30, total // 4)


@dataclass(frozen=True)
class Job:
    """One query for a worker; `generation` counts the writer's writes, so the worker knows to reopen its view."""

    query: str
    dataset: Dataset | None
    row_cap: int | None
    generation: int
    byte_cap: int | None = None


def _query_options(dataset: Dataset | None) -> dict[str, Any]:
    if dataset is None:
        return {}
    if not dataset.default_graphs and not dataset.named_graphs:
        return {"use_default_graph_as_union": True}
    try:
        return {
            "default_graph": [ox.NamedNode(g) for g in dataset.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in dataset.named_graphs],
        }
    except ValueError as exc:
        raise UsageError(f"a graph of the dataset is not a valid IRI: {exc}") from exc


def evaluate(
    store: ox.Store,
    query: str,
    dataset: Dataset | None,
    row_cap: int | None,
    deadline: float | None = None,
    byte_cap: int | None = None,
) -> QueryResult:
    """A query's answer from a pyoxigraph store: at most `row_cap` rows, the deadline checked between rows, and
    QueryLimitError("size") once its terms pass `byte_cap` bytes (one GROUP_CONCAT made 237 MB before)."""
    try:
        result = store.query(query, **_query_options(dataset))
    except SyntaxError as exc:
        raise UsageError(f"the SPARQL query is not valid: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    cap = sys.maxsize if row_cap is None else row_cap
    items: list[Any] = []
    truncated = False
    size = 0
    for item in result:
        if len(items) >= cap:
            truncated = True
            break
        if deadline is not None and time.monotonic() > deadline:
            raise QueryLimitError("the query ran past its time limit and was stopped.")
        if byte_cap is not None:
            size += sum(term_bytes(term) for term in (item if isinstance(item, ox.QuerySolution) else [item]))
            if size > byte_cap:
                raise too_big(byte_cap)
        items.append(item)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows: list[Row] = [{n: v for n, v in zip(names, s, strict=True) if v is not None} for s in items]
        return Solutions(names, rows, truncated)
    return Triples(items, truncated)


def term_bytes(term: object) -> int:
    """About how many bytes a term takes in an answer (its text; a triple's three terms)."""
    if term is None:
        return 0
    if isinstance(term, ox.Triple):
        return term_bytes(term.subject) + term_bytes(term.predicate) + term_bytes(term.object)
    return len(getattr(term, "value", "")) + 8


def too_big(byte_cap: int) -> QueryLimitError:
    """The error for an answer past the byte cap."""
    return QueryLimitError(
        f"the answer is larger than this endpoint sends ({byte_cap / 1e6:g} MB) and was stopped; "
        "ask for less (LIMIT, fewer or shorter columns, no GROUP_CONCAT over everything).",
        "size",
    )


# --- the wire: length-prefixed pickles --------------------------------------------------------------------------


def _send(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exact(stream: IO[bytes], size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _receive(stream: IO[bytes]) -> Any:
    header = _read_exact(stream, HEADER.size)
    if header is None:
        return None
    body = _read_exact(stream, HEADER.unpack(header)[0])
    return None if body is None else pickle.loads(body)  # our own parent process wrote it


# --- the worker process -----------------------------------------------------------------------------------------

VIEW_ATTEMPTS = 4  # a query is tried on up to this many fresh read-only views


def _file_vanished(exc: Exception) -> bool:
    """Whether RocksDB could not find a file of the view (the writer removed it after a compaction): pyoxigraph
    raises OSError, or RuntimeError "Corruption: IO error: No such file ..." when the view's MANIFEST names it."""
    return isinstance(exc, OSError) or "No such file" in str(exc)


def serve(path: str, requests: IO[bytes], replies: IO[bytes]) -> None:
    """A worker's life: answer jobs until the parent closes the pipe."""
    store: ox.Store | None = None
    generation, opened_at = -1, 0.0
    _send(replies, ("ready", None))
    while (job := _receive(requests)) is not None:
        try:
            if hasattr(job, "run"):  # a task that needs no store (sparql_guard's checks of client text)
                _send(replies, ("ok", job.run()))
                continue
            if job.generation != generation or time.monotonic() - opened_at > REOPEN_SECONDS:
                store = None
            for attempt in range(VIEW_ATTEMPTS):
                try:
                    if store is None:
                        store, generation, opened_at = ox.Store.read_only(path), job.generation, time.monotonic()
                    answer = evaluate(store, job.query, job.dataset, job.row_cap, None, job.byte_cap)
                    reply: tuple[str, Any] = ("ok", answer)
                    break
                except (OSError, RuntimeError) as exc:
                    if not _file_vanished(exc) or attempt == VIEW_ATTEMPTS - 1:
                        raise
                    # Files the writer compacted away since this view was opened (or while it was opening):
                    # again, on a new view.
                    store = None
                    time.sleep(0.01 * (attempt + 1))
        except UsageError as exc:
            reply = ("usage", str(exc))
        except QueryLimitError as exc:  # the answer's size
            reply = ("limit", (str(exc), exc.limit))
        except Exception as exc:  # reported to the parent, which raises StoreError
            reply = ("error", f"{type(exc).__name__}: {exc}")
        _send(replies, reply)


def main() -> None:
    """`python -m l4a.graph.store.workers STORE_PATH MEMORY_BYTES [MODULE]`: started by QueryWorkers, never by
    hand; MODULE is imported before the worker says it is ready (the code its tasks need, loaded once)."""
    limit = int(sys.argv[2])
    if len(sys.argv) > 3:
        importlib.import_module(sys.argv[3])
    deny_network()  # SERVICE or LOAD slipping past every check still reaches nothing
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the replies
    serve(sys.argv[1], requests, replies)


# --- the parent's side ------------------------------------------------------------------------------------------


class Worker:
    """One worker process and its pipes."""

    def __init__(self, path: Path | None, preload: str | None = None) -> None:
        self.fresh = True  # started for the job at hand: its start does not count against the job's time limit
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(path or ""), str(memory_limit()), *([preload] if preload else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        if self.ask(None, time.monotonic() + START_SECONDS) != ("ready", None):
            self.kill()
            raise StoreError("a query worker did not start properly.")

    def ask(self, job: Job | None, deadline: float) -> Any:
        """Send a job (None: only read) and wait for the reply until the deadline (TimeoutError after it)."""
        assert self.process.stdin is not None
        if job is not None:
            _send(self.process.stdin, job)
        header = self._read(HEADER.size, deadline)
        return pickle.loads(self._read(HEADER.unpack(header)[0], deadline))  # our own worker wrote it

    def _read(self, size: int, deadline: float) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        chunks: list[bytes] = []
        while size > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(size, 1 << 20))
            if not chunk:
                raise EOFError("the query worker stopped")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None

    def kill(self) -> None:
        """Stop it now (a query that overran), and reap it."""
        self.process.kill()
        self._reap(10)

    def close(self) -> None:
        """Let it finish: it exits when its input closes."""
        try:
            self._reap(5)
        except subprocess.TimeoutExpired:
            self.kill()

    def _reap(self, seconds: float) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self.process.wait(timeout=seconds)


def default_size() -> int:
    """Two workers per core, at most 8: a request waiting for a worker holds one of the web server's threads, and
    with one per core, queries queued behind each other kept the threads from pages (load test: with 64 clients
    on 2 cores, 4 workers gave 638 requests/s and p99 242 ms, 2 workers 353 requests/s and p99 383 ms)."""
    return max(2, min(8, 2 * (os.cpu_count() or 1)))


class _Waiter:
    """A request waiting for a worker: handed one (or leave to start one) by the request that frees it."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.worker: Worker | None = None
        self.start_new = False
        self.closed = False


class QueryWorkers:
    """A few worker processes over one store path; a query waits for a free one within its own time limit.

    Waiting requests are served in their order of arrival: a freed worker is handed to the oldest waiter, so a
    request that arrives later cannot take it first (under load, barging left some queries waiting seconds).
    """

    def __init__(self, path: Path | None, size: int | None = None, preload: str | None = None) -> None:
        self.path = path
        self.preload = preload
        self.size = size or default_size()
        self._idle: list[Worker] = []
        self._out = 0  # workers running a job or starting
        self._closed = False
        self._lock = threading.Lock()
        self._waiting: deque[_Waiter] = deque()

    def run(self, job: Job, timeout: float) -> QueryResult:
        """The job's answer, or QueryLimitError once `timeout` seconds have passed (its worker is killed)."""
        deadline = time.monotonic() + timeout
        worker = self._acquire(deadline)
        if worker.fresh:  # the time limit is the job's, not the new process's start
            worker.fresh = False
            deadline = max(deadline, time.monotonic() + timeout)
        healthy = False
        try:
            kind, value = worker.ask(job, deadline)
            healthy = True
        except TimeoutError:
            raise QueryLimitError(
                f"the query ran longer than the time limit ({timeout:g} s) and was stopped; "
                "ask for less (LIMIT, fewer OPTIONALs, narrower patterns)."
            ) from None
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            status = worker.process.wait(timeout=10)
            if status == -signal.SIGSEGV:  # the parser's stack overflowed: a text nested or chained too deeply
                raise UsageError(
                    "the text is nested or chained too deeply for the store's parser (for example thousands of "
                    "terms joined by + or ||); write it with fewer levels."
                ) from None
            if status == -signal.SIGABRT:  # Rust aborts when an allocation fails
                raise QueryLimitError(
                    f"the query needed more than the memory allowed to one query ({memory_limit() >> 20} MiB) "
                    "and was stopped; ask for less (LIMIT, narrower patterns, no ORDER BY over everything).",
                    "memory",
                ) from None
            raise StoreError(f"the query worker stopped unexpectedly ({exc}); try again.") from exc
        finally:
            self._release(worker, healthy)
        if kind == "ok":
            result: QueryResult = value
            return result
        if kind == "limit":
            raise QueryLimitError(value[0], value[1])
        if kind == "usage":
            raise UsageError(str(value))
        raise StoreError(f"the store could not answer the query: {value}")

    def _acquire(self, deadline: float) -> Worker:
        waiter = _Waiter()
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed.")
            if not self._waiting:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        self._out += 1
                        return worker
                    worker.close()
                if self._out < self.size:
                    self._out += 1
                    waiter.start_new = True
            if not waiter.start_new:
                self._waiting.append(waiter)
        if waiter.start_new:
            return self._start()  # outside the lock: a process takes a moment to start
        if not waiter.event.wait(max(0.0, deadline - time.monotonic())):
            with self._lock:
                if waiter in self._waiting:  # still waiting: nothing was handed to it
                    self._waiting.remove(waiter)
                    raise QueryLimitError("the server is busy with other queries; try again in a moment.", "busy")
        if waiter.closed:
            raise StoreError("the store is closed.")
        handed = waiter.worker
        if handed is not None and handed.alive():
            return handed
        if handed is not None:
            handed.close()
        return self._start()  # its slot is counted in _out already

    def _start(self) -> Worker:
        """A new worker for a slot already counted in _out (given back if it cannot start)."""
        try:
            return Worker(self.path, self.preload)
        except BaseException:
            self._release(None, False)
            raise

    def _release(self, worker: Worker | None, healthy: bool) -> None:
        if worker is not None and not healthy:
            worker.kill()
        stop = None
        with self._lock:
            if self._waiting and not self._closed:  # hand the slot to the oldest waiter
                waiter = self._waiting.popleft()
                if healthy:
                    waiter.worker = worker
                else:
                    waiter.start_new = True
                waiter.event.set()
                return
            self._out -= 1
            if healthy and worker is not None and not self._closed:
                self._idle.append(worker)
            elif healthy:
                stop = worker
        if stop is not None:
            stop.close()

    def prestart(self, count: int) -> None:
        """Start up to `count` idle workers now (in this thread), so that the first jobs do not wait for one."""
        started: list[Worker] = []
        for _ in range(count):
            with self._lock:
                if self._closed or self._out + len(self._idle) >= self.size:
                    break
                self._out += 1
            started.append(self._start())
        for worker in started:
            self._release(worker, True)

    def close(self) -> None:
        """Stop the idle workers; busy ones stop when their job ends; waiting requests are told the store closed."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            waiting, self._waiting = list(self._waiting), deque()
        for waiter in waiting:
            waiter.closed = True
            waiter.event.set()
        for worker in idle:
            worker.close()


if __name__ == "__main__":
    main()
