"""Answers of the SPARQL endpoint kept until the app writes: the same query text, graphs and asked format give the
same bytes until the store changes, so a repeated query (a dashboard's, a notebook run again, a crawler) is served
without running it again, without taking the client's share of the query workers.

Only complete answers in a data format (JSON, XML, CSV, TSV, Turtle, ...), of at most MAX_ANSWER_BYTES, are kept,
in a least-recently-used cache of at most MAX_TOTAL_BYTES; never the HTML page, an error, or an answer computed
while the app was writing (the generation count of web/state.py).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Flask, Response, request

MAX_ANSWER_BYTES = 1 << 20
MAX_TOTAL_BYTES = 64 << 20
KEPT_HEADERS = ("Content-Type", "Vary", "X-SPARQL-MaxRows")


@dataclass(frozen=True)
class Kept:
    body: bytes
    headers: tuple[tuple[str, str], ...]


class AnswerCache:
    """A thread-safe LRU of answers, bounded in bytes."""

    def __init__(self, total: int = MAX_TOTAL_BYTES) -> None:
        self.total = total
        self.size = 0
        self._answers: OrderedDict[str, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Kept | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def put(self, key: str, kept: Kept) -> None:
        with self._lock:
            old = self._answers.pop(key, None)
            self.size -= len(old.body) if old else 0
            self._answers[key] = kept
            self.size += len(kept.body)
            while self.size > self.total and self._answers:
                _key, dropped = self._answers.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self.size = 0


def answer_cache(app: Flask) -> AnswerCache:
    found = app.extensions.get("l4a_answers")
    if found is None:
        found = app.extensions.setdefault("l4a_answers", AnswerCache())
    assert isinstance(found, AnswerCache)
    return found


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
