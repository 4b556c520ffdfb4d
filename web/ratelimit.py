"""Proposal submission stays open to anyone, but limited per client (and so are staff sign-in attempts): an
in-process token bucket keyed by the endpoint and the client's address (`proposal_rate` requests a minute, in a
burst of as many); above it, 429 with Retry-After.

In-process: each `l4a serve` process counts on its own. Behind a reverse proxy, `proxy_hops` makes the client's
address the one the proxy forwarded (SECURITY.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from flask import Blueprint, current_app, request
from werkzeug.exceptions import TooManyRequests

from l4a.web.extensions import app_value

bp = Blueprint("ratelimit", __name__)

# Requests limited: POST to these endpoints (each counted apart: signing in does not use up proposals).
LIMITED = ("propose.form", "staff.sign_in")
MAX_CLIENTS = 10_000  # buckets kept; beyond, the full (idle) ones are dropped


class TokenBuckets:
    """One bucket per key, `capacity` tokens refilled at `rate` tokens a second; thread-safe."""

    def __init__(self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = capacity
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)

    def take(self, key: str) -> float:
        """Take one token for `key`: 0 if there was one, else the seconds until there will be."""
        now = self.clock()
        with self._lock:
            tokens, when = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - when) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if len(self._buckets) > MAX_CLIENTS:
                    self._forget_idle(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        for key, (tokens, when) in list(self._buckets.items()):
            if tokens + (now - when) * self.rate >= self.capacity:
                del self._buckets[key]


def buckets() -> TokenBuckets:
    """The app's buckets, made from the `proposal_rate` setting on first use."""
    per_minute = float(current_app.config["L4A_SETTINGS"].proposal_rate)
    return app_value(current_app, "l4a_rate_buckets", TokenBuckets,
                     lambda: TokenBuckets(per_minute / 60.0, max(1.0, per_minute)))  # fmt: skip


@bp.before_app_request
def limit_submissions() -> None:
    """429 Too Many Requests (with Retry-After) for a client above its rate of submissions."""
    if request.method != "POST" or request.endpoint not in LIMITED:
        return
    if request.endpoint == "propose.form" and request.form.get("action"):
        return  # growing or shrinking the form's lists stores nothing: as free as reading the form
    wait = buckets().take(f"{request.endpoint} {request.remote_addr or 'unknown'}")
    if wait > 0:
        raise TooManyRequests(retry_after=max(1, math.ceil(wait)))
