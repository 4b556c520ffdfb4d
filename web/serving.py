"""How `l4a serve` runs the app under waitress: its connection limits and timeouts set on purpose, and logs that a
client cannot forge or flood.

- Logs: every record's text has its control characters escaped (a `%0A` in a path could otherwise write a line
  that looks like another event, e.g. "web import ... by ana"). Waitress's "Task queue depth" warning, which came
  52,000 times in a minute of load, is written at most once every QUEUE_LOG_SECONDS with the count left out.
- Waitress: up to CONNECTION_LIMIT open connections (105 slow clients starved the default 100), idle ones closed
  after CHANNEL_TIMEOUT seconds, request headers at most HEADER_BYTES. Waitress reads a request as it trickles in
  and cannot bound the time a client takes to send it: put a buffering proxy in front (docs/deploy.md).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

CONNECTION_LIMIT = 1000
CHANNEL_TIMEOUT = 30
HEADER_BYTES = 64 * 1024
BODY_BYTES = 9 * 1024 * 1024  # above the app's own 8 MiB limit, which answers with a proper 413
QUEUE_LOG_SECONDS = 10.0

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """The text with each control character written as an escape (\\n, \\x00, ...): one log record, one line."""
    return CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


class SafeText(logging.Filter):
    """Escapes control characters in a record's message (its arguments included); tracebacks stay as they are."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: logging's own handler reports it
            return True
        record.msg, record.args = escape_controls(message), None
        return True


class OncePer(logging.Filter):
    """Lets one record through every `seconds`; the next one says how many were left out meanwhile."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self._next = 0.0
        self._dropped = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._next:
                self._dropped += 1
                return False
            self._next = now + self.seconds
            dropped, self._dropped = self._dropped, 0
        if dropped:
            record.msg = f"{record.getMessage()} (and {dropped} more such warnings in the last {self.seconds:g} s)"
            record.args = None
        return True


def configure_logging() -> None:
    """Log to stderr with times; every handler escapes control characters; the queue warning is rate-limited."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from flask.logging import default_handler

    for handler in [*logging.getLogger().handlers, default_handler]:
        if not any(isinstance(f, SafeText) for f in handler.filters):
            handler.addFilter(SafeText())
    queue = logging.getLogger("waitress.queue")
    if not any(isinstance(f, OncePer) for f in queue.filters):
        queue.addFilter(OncePer(QUEUE_LOG_SECONDS))


def prestart_checkers(store: object = None) -> None:
    """Start the workers that read clients' SPARQL text (and the embedded store's query workers) in the background,
    so that the first queries after a start (or while one worker reads a hostile text) do not wait for a process to
    start (about a second)."""
    from l4a.graph.sparql.guard import checkers

    def start() -> None:
        checkers().prestart(2)
        prestart = getattr(store, "prestart_workers", None)
        if callable(prestart):
            prestart(2)

    threading.Thread(target=start, name="l4a-prestart-checkers", daemon=True).start()


def waitress_options(host: str, port: int, threads: int, proxy_hops: int = 0) -> dict[str, Any]:
    """The options `l4a serve` gives waitress. With trusted proxies in front (`proxy_hops`), waitress leaves their
    X-Forwarded-* headers to the app, whose ProxyFix trusts exactly that many hops (waitress would otherwise remove
    them from every peer it was not told to trust, and all clients would share one rate limit)."""
    return {
        **({"clear_untrusted_proxy_headers": False} if proxy_hops else {}),
        "host": host,
        "port": port,
        "threads": threads,
        "connection_limit": CONNECTION_LIMIT,
        "channel_timeout": CHANNEL_TIMEOUT,
        "cleanup_interval": 10,
        "max_request_header_size": HEADER_BYTES,
        "max_request_body_size": BODY_BYTES,
        "expose_tracebacks": False,
    }


def wait_until_ready(app: object, seconds: float) -> bool:
    """Wait until the labels, the index and the hub table are read (web/state.py warm_reports), at most `seconds`
    (the setting `ready_seconds`):
    kept on disk, they take about half a second on 10k hubs, and the first readers would otherwise wait for them or
    be told "being prepared". On a big store, or after a write (they are then computed, which takes longer), the
    port opens anyway and the rest goes on in the background. Whether they were ready."""
    extensions = getattr(app, "extensions", {})
    ready = extensions.get("l4a_ready") if isinstance(extensions, dict) else None
    return bool(ready.wait(seconds)) if ready is not None else True
