"""The C heap of a long-running server (`l4a serve`): what a big answer allocated is given back to the system.

A page at 100k hubs may build tens of MB of rows and text in C memory (pyoxigraph's results, big strings, the tables
of dicts of thousands of rows). glibc keeps what is freed in its heaps, one heap per thread that allocates at once
(up to eight per core), so a server of 16 threads grew by hundreds of MB that it no longer used
(bench/serve_memory.py: 2.36 GB at 100k hubs; with two heaps 2.07 GB). `limit_heaps` caps the heaps at two, and
after a request that took long (and so likely allocated much) `trim` hands the free pages back (`malloc_trim`).
Only with glibc; elsewhere both do nothing.
"""

from __future__ import annotations

import ctypes
import threading
import time
from typing import Any

from flask import Flask, g

M_ARENA_MAX = -8  # mallopt's parameter: the most heaps (arenas) glibc makes
HEAPS = 2
SLOW = 0.25  # s: a request that took longer than this is followed by a trim
_libc: Any = None
_lock = threading.Lock()


def _glibc() -> Any:
    """The C library when it is glibc (it has malloc_trim); else None."""
    global _libc
    with _lock:
        if _libc is None:
            try:
                found = ctypes.CDLL("libc.so.6")
                _libc = found if hasattr(found, "malloc_trim") and hasattr(found, "mallopt") else False
            except OSError:
                _libc = False
    return _libc or None


def limit_heaps(count: int = HEAPS) -> bool:
    """Let glibc make at most `count` heaps from now on (before the server's threads start); whether it took it."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(M_ARENA_MAX, count) == 1)


def trim() -> bool:
    """Give the C heap's free pages back to the system; whether some were."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0) == 1)


def trim_after_slow_requests(app: Flask, slow: float = SLOW) -> None:
    """After each request that took longer than `slow` seconds, `trim` (once its answer is made: the reader does not
    wait for it)."""

    def start() -> None:
        g.l4a_heap_started = time.perf_counter()

    def end(error: BaseException | None = None) -> None:
        started = g.pop("l4a_heap_started", None)
        if started is not None and time.perf_counter() - started > slow:
            trim()

    app.before_request(start)
    app.teardown_request(end)
