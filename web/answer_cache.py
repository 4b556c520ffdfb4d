"""Answers of the SPARQL endpoint kept until the app writes: the same query text, graphs and asked format give the
same bytes until the store changes, so a repeated query (a dashboard's, a notebook run again, a crawler) is served
without running it again, without taking the client's share of the query workers.

Two requests for the same answer at once run it once: the second waits for the first (`first_asker`) and reads what
it kept (a burst of identical queries, e.g. a dashboard opened by many people after a restart, costs one run).

Only complete answers in a data format (JSON, XML, CSV, TSV, Turtle, ...), of at most MAX_ANSWER_BYTES, are kept,
in a least-recently-used cache of at most MAX_TOTAL_BYTES; never the HTML page, an error, or an answer computed
while the app was writing (the generation count of web/state.py).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, Response, request

from l4a.web.extensions import app_value
from l4a.web.lru import SizedLRU

MAX_ANSWER_BYTES = 1 << 20
MAX_TOTAL_BYTES = 64 << 20
MAX_ANSWERS = 100_000  # the bytes bound first; this only caps the bookkeeping of many tiny answers
KEPT_HEADERS = ("Content-Type", "Vary", "X-SPARQL-MaxRows")


@dataclass(frozen=True)
class Kept:
    body: bytes
    headers: tuple[tuple[str, str], ...]


class AnswerCache(SizedLRU[Kept]):
    """The answers, bounded in bytes."""

    def __init__(self, total: int = MAX_TOTAL_BYTES) -> None:
        super().__init__(MAX_ANSWERS, total, lambda kept: len(kept.body), MAX_ANSWER_BYTES)

    @property
    def size(self) -> int:
        """The bytes of all answers kept."""
        return self.kept_size


def answer_cache(app: Flask) -> AnswerCache:
    return app_value(app, "l4a_answers", AnswerCache, AnswerCache)


def answer_key(query: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """What the answer depends on besides the store: the text, the graphs, and how the client asked for a format."""
    asked = request.values.get("format", "")  # ?format= or a form's format field
    parts = [query, "\x00".join(default_graphs), "\x00".join(named_graphs), request.headers.get("Accept", ""), asked,
             request.host_url]  # fmt: skip
    return hashlib.sha256("\x01".join(parts).encode()).hexdigest()


def kept_response(kept: Kept) -> Response:
    response = Response(kept.body)
    for name, value in kept.headers:
        response.headers[name] = value
    return response


def keep(app: Flask, key: str, response: Response, generation: int, html: str) -> None:
    """Keep a complete data answer made with no write since `generation`."""
    if response.status_code != 200 or response.is_streamed or response.mimetype == html:
        return
    body = response.get_data()
    if len(body) > MAX_ANSWER_BYTES or app.extensions["l4a_cache_generation"] != generation:
        return
    headers = tuple((name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers)
    answer_cache(app).put(key, Kept(body, headers))


class Running:
    """The answers being made now, by key: an event each, set when its first asker is done."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: dict[str, threading.Event] = {}


@contextmanager
def first_asker(app: Flask, key: str, wait: float) -> Iterator[bool]:
    """Whether this request is the first to ask for the answer of `key` now: if not, it has waited (at most `wait`
    seconds) for the first one to be done, and finds in the cache what that one kept (if it kept it: an error, or
    an answer too big, is not kept; then it makes the answer itself)."""
    running = app_value(app, "l4a_answers_running", Running, Running)
    with running.lock:
        event = running.events.get(key)
        first = event is None
        if first:
            event = running.events[key] = threading.Event()
    assert event is not None
    if not first:
        event.wait(wait)
        yield False
        return
    try:
        yield True
    finally:
        with running.lock:
            running.events.pop(key, None)
        event.set()
