"""Staff sessions that can be ended on the server: the cookie carries a random session id, and signing out revokes
it, so a copy of the cookie kept elsewhere (a shared computer, a stolen cookie) stops working at sign-out.
The cookie is also marked Secure whenever the request came over HTTPS (directly, or through a proxy that said so).

Revoked ids are kept in this process for the session's lifetime (8 hours), at most MAX_REVOKED of them; with
several `l4a serve` processes, each keeps its own list (docs/deploy.md): sign-out ends the session on every
process only if they share it, so behind a load balancer use sticky sessions or accept that caveat.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

SESSION_SECONDS = 8 * 3600
MAX_REVOKED = 100_000

_revoked: dict[str, float] = {}
_lock = threading.Lock()


class RevocableSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the Secure flag on every HTTPS request."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def revoke(sid: object) -> None:
    """End a session id for good (until it would have expired anyway)."""
    if not isinstance(sid, str) or not sid:
        return
    now = time.monotonic()
    with _lock:
        _revoked[sid] = now + SESSION_SECONDS
        if len(_revoked) > MAX_REVOKED:
            for key in [k for k, until in _revoked.items() if until < now] or list(_revoked)[: len(_revoked) // 10]:
                _revoked.pop(key, None)


def revoked(sid: object) -> bool:
    """Whether a session id was signed out (a session without an id predates ids: it is not trusted)."""
    if not isinstance(sid, str) or not sid:
        return True
    with _lock:
        until = _revoked.get(sid)
    return until is not None and until > time.monotonic()
