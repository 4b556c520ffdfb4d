"""CSRF protection shared by every form: a per-session token in a hidden field, checked in constant time.

A request authenticated by a bearer token (no cookie involved, so no cross-site forgery possible) needs none.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, g, request, session


def csrf_token() -> str:
    """The session's token, made on first use; put it in a hidden field named `csrf`."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def check_csrf() -> None:
    """400 unless the form's `csrf` field (or the X-CSRF-Token header) is the session's token."""
    if g.get("l4a_auth") == "bearer":
        return
    expected = str(session.get("csrf", ""))
    given = request.form.get("csrf") or request.headers.get("X-CSRF-Token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(400, description="csrf")


def new_csrf_token() -> str:
    """A fresh token (at sign-in and sign-out, so that a token seen before does not carry over)."""
    session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])
