"""A value the app keeps in `app.extensions`, made on first use (caches, rate buckets, kept files): one per app,
made once even when several threads ask at once, and of the type its users expect."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from flask import Flask

T = TypeVar("T")
_made = threading.Lock()


def app_value(app: Flask, name: str, kind: type[T], make: Callable[[], T]) -> T:
    """`app.extensions[name]`, made by `make()` the first time (under a lock: made once, never twice)."""
    found = app.extensions.get(name)
    if found is None:
        with _made:
            found = app.extensions.get(name)
            if found is None:
                found = app.extensions[name] = make()
    assert isinstance(found, kind)
    return found
