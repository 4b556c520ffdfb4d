"""Gzip twins of the big files kept beside the store (the whole lists' CSV and JSON, the network's files, a page of
the whole store too big for memory): sent, with `Content-Encoding: gzip`, to a client that accepts it.

At 100k hubs those files hold 25 to 270 MB, and sending one took 0.2 to 1.5 s on the loopback alone; compressed
they are a tenth of that or less (JSON and CSV repeat their keys and IRIs). A twin is made once per state of the
store, from the kept file itself: by `l4a prepare` (its walk of the pages asks for them as a browser does), or, in a
server, on a thread of its own after the first request that could have used it (that request gets the plain file).
It is kept like the plain file (graph/store/kept_files.py): its first line names the state, the code and the day it
is for, so a twin never outlives its plain file's state. Files under TWIN_MIN bytes get no twin.

A response that may come from a twin says `Vary: Accept-Encoding`, whichever it sent, so a shared cache keeps the
two apart.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Callable
from typing import BinaryIO

from flask import Flask, Response, current_app, request

from l4a.graph.store.kept_files import keep, open_kept
from l4a.web.extensions import app_value

TWIN_MIN = 2**20  # bytes: a smaller file is sent as it is
LEVEL = 6
CHUNK = 2**20


class _NoPlain(Exception):
    """The plain file was not kept for the state the twin is being made for (a write came in between)."""


def accepts_gzip() -> bool:
    """Whether this request's client takes a gzip-encoded answer (its Accept-Encoding, q-values honoured)."""
    return bool(request.accept_encodings["gzip"])


def big_enough(stream: BinaryIO) -> bool:
    """Whether the rest of the open file `stream` is big enough to be worth a twin (TWIN_MIN bytes)."""
    return worth_twin(os.fstat(stream.fileno()).st_size - stream.tell())


def worth_twin(size: int) -> bool:
    """Whether a text of `size` bytes is big enough to be worth a twin (TWIN_MIN bytes)."""
    return size >= TWIN_MIN


def twin_name(name: str) -> str:
    return f"{name}\tgzip"


def open_twin(
    store: object, name: str, open_plain: Callable[[], BinaryIO | None], variant: str = ""
) -> BinaryIO | None:
    """The gzip twin of the kept file `name` (opened at its text), for a request that accepts gzip and a store
    that keeps one for its state; None otherwise. When there is none yet, it is made: at once under `l4a prepare`
    (the app's L4A_TWINS_AT_ONCE), else on a thread of its own, once per name and state (this request then gets the
    plain file). `open_plain` opens the plain file for the store's current state (None when it is not kept)."""
    if not accepts_gzip():
        return None
    found = kept_twin(store, name, variant)
    if found is not None:
        return found
    if twin_soon(store, name, open_plain, variant):
        return open_kept(store, twin_name(name), variant=variant)
    return None


def kept_twin(store: object, name: str, variant: str = "") -> BinaryIO | None:
    """The gzip twin of `name` kept for the store's current state (opened at its text), for a request that accepts
    gzip; None otherwise (nothing is made)."""
    return open_kept(store, twin_name(name), variant=variant) if accepts_gzip() else None


def twin_soon(store: object, name: str, open_plain: Callable[[], BinaryIO | None], variant: str = "") -> bool:
    """Make the twin of `name` now under `l4a prepare` (the app's L4A_TWINS_AT_ONCE), else on a thread of its own
    (once per name, variant and write); whether it was made now."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("L4A_TWINS_AT_ONCE"):
        return make_twin(store, name, open_plain, variant)
    _later(app, store, name, open_plain, variant)
    return False


def make_twin(store: object, name: str, open_plain: Callable[[], BinaryIO | None], variant: str = "") -> bool:
    """Keep the gzip twin of `name` for the store's current state, when its plain file is kept and holds at least
    TWIN_MIN bytes; whether a twin is kept now."""

    def write(out: BinaryIO) -> None:
        # Opened here, after `keep` named the state the twin is for: a plain file of a newer state cannot be
        # opened under an older state's name (its first line differs), so a twin never holds another state's text.
        plain = open_plain()
        if plain is None:
            raise _NoPlain
        with plain:
            if not big_enough(plain):
                raise _NoPlain
            packer = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)  # 31: the gzip container
            while data := plain.read(CHUNK):
                out.write(packer.compress(data))
            out.write(packer.flush())

    try:
        return keep(store, twin_name(name), write, variant=variant) is not None
    except (_NoPlain, OSError):
        return False


class _Making:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started: set[tuple[str, str, int]] = set()


def _later(app: Flask, store: object, name: str, open_plain: Callable[[], BinaryIO | None], variant: str) -> None:
    """Make the twin on a thread of its own, once per name, variant and app generation."""
    making = app_value(app, "l4a_gzip_twins", _Making, _Making)
    key = (name, variant, int(app.extensions.get("l4a_cache_generation", 0)))
    with making.lock:
        if key in making.started:
            return
        making.started.add(key)
    threading.Thread(
        target=make_twin, args=(store, name, open_plain, variant), name="l4a-gzip-twin", daemon=True
    ).start()


def encoded(response: Response, gzip: bool) -> Response:
    """`response` marked as sent gzip-encoded (when it is) and as varying with the client's Accept-Encoding."""
    if gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
