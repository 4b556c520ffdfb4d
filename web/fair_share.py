"""Query workers shared fairly between clients: one client (one address) may run at most a share of them at once,
so a client sending many slow queries in parallel cannot make everyone else wait (a trivial query from someone
else waited 9 s behind one client's flood). Above its share a client is told to retry (503 with Retry-After).
Per process, like the workers themselves."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

RETRY_AFTER_SECONDS = 5


class ClientShares:
    """How many queries each client is running, against the share each may have."""

    def __init__(self, share: int) -> None:
        self.share = max(1, share)
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, client: str) -> Iterator[bool]:
        """Yields whether the client may run a query now (False: over its share); the slot is given back after."""
        with self._lock:
            running = self._running.get(client, 0)
            allowed = running < self.share
            if allowed:
                self._running[client] = running + 1
        try:
            yield allowed
        finally:
            if allowed:
                with self._lock:
                    left = self._running[client] - 1
                    if left:
                        self._running[client] = left
                    else:
                        del self._running[client]
