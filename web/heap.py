"""The C heap of a long-running server (`l4a serve`): what a big answer allocated is given back to the system.

A page at 100k hubs may build tens of MB of rows and text in C memory (pyoxigraph's results, big strings, the tables
of dicts of thousands of rows). glibc keeps what is freed in its heaps, one heap per thread that allocates at once
(up to eight per core), so a server of 16 threads grew by hundreds of MB that it no longer used
(bench/serve_memory.py: 2.36 GB at 100k hubs; with two heaps 2.07 GB). `limit_heaps` caps the heaps at two, and
after a request that took long (and so likely allocated much) `trim` hands the free pages back (`malloc_trim`).

`limit_heaps` also fixes the size from which a block is mapped on its own (and unmapped when freed) at 4 MB. glibc
raises it by itself, up to 32 MB, each time such a block is freed: a server making big downloads then took the
pieces of each one (a few MB each) from its heaps, where they stayed scattered. At 100k hubs, five filtered
downloads of the hub list left 120 MB behind with glibc's rule, 35 MB with a fixed 4 MB, as quick (each about 1.2 s),
and the server held 170 MB less before them.
Only with glibc; elsewhere both do nothing.
"""

from __future__ import annotations

import ctypes
import threading
import time
from typing import Any

from flask import Flask, g

M_ARENA_MAX = -8  # mallopt's parameter: the most heaps (arenas) glibc makes
M_MMAP_THRESHOLD = -3  # mallopt's parameter: blocks from this size are mapped on their own (fixed once set)
HEAPS = 2
OWN_MAP_FROM = 4 * 2**20  # bytes
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


def limit_heaps(count: int = HEAPS, own_map_from: int = OWN_MAP_FROM) -> bool:
    """Let glibc make at most `count` heaps from now on (before the server's threads start), and map each block of
    `own_map_from` bytes or more on its own (given back when freed); whether it took both."""
    libc = _glibc()
    if libc is None:
        return False
    heaps = libc.mallopt(M_ARENA_MAX, count) == 1
    mapped = libc.mallopt(M_MMAP_THRESHOLD, own_map_from) == 1
    return bool(heaps and mapped)


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
