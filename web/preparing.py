"""Pages that need a whole-store value still being computed (the hub table, the index, the counts: seconds on 10k
hubs after a write) do not keep the reader waiting: after a short wait the answer is "being prepared", a page
that refreshes itself (503 with Retry-After for programs), while the value is computed once in the background.

The page itself is web/preparing_page.py. Only for `l4a serve` (the app's config L4A_PREPARE_SECONDS, the longest
a request waits in all, from the settings' `prepare_seconds`); without it (tests, scripts) a request computes what
it needs and waits for it.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from flask import Flask, g, has_request_context

RETRY_SECONDS = 2


class Preparing(Exception):
    """A value this page needs is still being computed."""

    def __init__(self, key: str) -> None:
        super().__init__(f"{key} is being prepared")
        self.key = key


@dataclass
class Job:
    """One value computed in the background; requests wait for `done` as long as their budget allows."""

    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    value: Any = None


def budget(app: Flask) -> float | None:
    """What this request may still wait, in seconds; None when the app computes while the request waits."""
    limit = app.config.get("L4A_PREPARE_SECONDS")
    if not limit or not has_request_context():
        return None
    deadline: float | None = g.get("l4a_prepare_deadline")
    if deadline is None:
        deadline = g.l4a_prepare_deadline = time.monotonic() + float(limit)
    return max(0.0, deadline - time.monotonic())


def in_background(app: Flask, key: str, compute: Callable[[], Any], wait: float) -> Any:
    """The value of `compute` (run once, on a thread of its own, in the app's context), if it is ready within
    `wait` seconds; else Preparing."""
    getter = getattr(app, "_get_current_object", None)  # the app itself, not the request's proxy of it
    app = getter() if callable(getter) else app
    jobs: dict[str, Job] = app.extensions.setdefault("l4a_prepare_jobs", {})
    with app.extensions["l4a_cache_lock"]:
        job = jobs.get(key)
        if job is None:
            job = jobs[key] = Job()

            def run(job: Job = job) -> None:
                try:
                    with app.app_context():
                        job.value = compute()
                except BaseException as exc:  # handed to the requests that wait for it
                    job.error = exc
                finally:
                    job.done.set()
                    with app.extensions["l4a_cache_lock"]:
                        if jobs.get(key) is job:
                            del jobs[key]

            threading.Thread(target=run, name=f"l4a-prepare-{key[:40]}", daemon=True).start()
    if not job.done.wait(wait):
        raise Preparing(key)
    if job.error is not None:
        raise job.error
    return job.value


QUIET = 1.0  # seconds with no request running before the warm-up reads its next value
LONGEST: float | None = None  # the warm-up waits for such a moment however long the site is busy (see wait_for_quiet)


@dataclass
class Activity:
    """The requests running now and when the last one ended: the warm-up after a start gives way to readers."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    running: int = 0
    ended: float = 0.0

    def start(self) -> None:
        with self.lock:
            self.running += 1

    def end(self, _error: BaseException | None = None) -> None:
        with self.lock:
            self.running = max(0, self.running - 1)
            self.ended = time.monotonic()

    def quiet_from_now(self) -> None:
        """Count the quiet from now (the port opens: the first readers come in its first moments)."""
        with self.lock:
            self.ended = time.monotonic()

    def quiet_for(self) -> float:
        """Seconds since the last request ended (0 while one runs)."""
        with self.lock:
            return 0.0 if self.running else time.monotonic() - self.ended


def track_requests(app: Flask) -> None:
    """Count the app's running requests (for `wait_for_quiet`): from its start until its answer is sent, which for
    a body the WSGI server sends from a file after the view returned is when that file is closed (`sent_later`)."""
    activity = app.extensions.setdefault("l4a_activity", Activity())
    app.before_request(activity.start)

    def end(error: BaseException | None = None) -> None:
        if not g.pop("l4a_sent_later", False):
            activity.end(error)

    app.teardown_request(end)


def sent_later(app: Flask, body: BinaryIO) -> BinaryIO:
    """`body` (a file the WSGI server sends after the view returned), so that this request counts as running until
    the server closes it: a long download is not a quiet moment for the warm-up, whose reading of a big value from
    disk holds the interpreter for seconds (a 17 MB brief took 0.7 s to send beside it at 100k hubs)."""
    activity: Activity | None = app.extensions.get("l4a_activity")
    if activity is None or not has_request_context() or g.get("l4a_sent_later"):
        return body
    g.l4a_sent_later = True
    return _ClosedThen(body, activity.end)  # type: ignore[return-value]


class _ClosedThen:
    """A file that calls `then()` once when it is closed (the file wrappers of WSGI servers close what they send),
    or, should a response be dropped unsent and never closed, when it is collected."""

    def __init__(self, file: BinaryIO, then: Callable[[], None]) -> None:
        self._file = file
        self._then = weakref.finalize(self, then)  # called once: at close, else when collected
        self.read, self.seek, self.tell = file.read, file.seek, file.tell

    def seekable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        try:
            self._file.close()
        finally:
            self._then()


def wait_for_quiet(app: Flask, quiet: float = QUIET, longest: float | None = LONGEST) -> None:
    """Wait until no request has run for `quiet` seconds (for `longest` at most; None: however long): the warm-up's
    values are read from disk in one piece, holding the interpreter all along (a few hundred ms each on 10k hubs,
    seconds on 100k), which would stop every reader's request meanwhile. What it reads only makes later pages
    quicker (a page needing one reads it itself), so on a busy site it waits: with a cap, a load test's first minute
    at 10k hubs had every request stopped at its tenth second."""
    activity: Activity | None = app.extensions.get("l4a_activity")
    if activity is None:
        return
    if not activity.ended:  # nothing asked yet: the quiet counts from the first wait (the port just opened)
        activity.quiet_from_now()
    deadline = None if longest is None else time.monotonic() + longest
    while activity.quiet_for() < quiet and (deadline is None or time.monotonic() < deadline):
        time.sleep(0.05)
