"""A thread-safe least-recently-used map bounded in entries and in total size, shared by the app's kept answers
(web/page_cache.py for pages, web/answer_cache.py for SPARQL answers)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class SizedLRU(Generic[V]):
    """At most `max_entries` values and `max_size` in all (each value's size by `size_of`); a value bigger than
    `max_entry` is not kept (it would push out everything else). The least recently used go first."""

    def __init__(
        self, max_entries: int, max_size: int, size_of: Callable[[V], int], max_entry: int | None = None
    ) -> None:
        self.max_entries, self.max_size, self.size_of = max_entries, max_size, size_of
        self.max_entry = max_size if max_entry is None else max_entry
        self._values: OrderedDict[str, V] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
            return found

    def put(self, key: str, value: V) -> None:
        size = self.size_of(value)
        if size > self.max_entry:
            return
        with self._lock:
            old = self._values.pop(key, None)
            self._size -= self.size_of(old) if old is not None else 0
            self._values[key] = value
            self._size += size
            while self._values and (len(self._values) > self.max_entries or self._size > self.max_size):
                _key, dropped = self._values.popitem(last=False)
                self._size -= self.size_of(dropped)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._size = 0

    def kept_keys(self) -> list[str]:
        """The keys kept, least recently used first."""
        with self._lock:
            return list(self._values)

    @property
    def kept_size(self) -> int:
        """The sizes of all values kept, added up."""
        return self._size

    def __len__(self) -> int:
        return len(self._values)
