"""Staff sign-in: writes through the web (reviewing proposals, importing files, reporting figures) need a staff
member signed in, or a bearer token in the request (`Authorization: Bearer ...`, for scripts).

Staff are listed in the `staff` setting (L4A_STAFF=name:sha256,...; environment only); each signs in with their
name and their own token. The session (signed with `secret_key`) keeps the name and a fingerprint of the token's
hash, so rotating or removing someone's token ends their sessions. Sign-in attempts are rate-limited per client
(web/ratelimit.py). Reads never need any of this.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, redirect, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from l4a.graph.settings import Settings
from l4a.graph.staff import accounts, check_sign_in, fingerprint, staff_for_token
from l4a.web.announce import announce
from l4a.web.forms import check_csrf, csrf_token, new_csrf_token
from l4a.web.render import respond, wants_json
from l4a.web.sessions import RevocableSessions, revoke, revoked

bp = Blueprint("staff", __name__)

SESSION_HOURS = 8


@bp.record_once
def _session_cookie(state: BlueprintSetupState) -> None:
    config = state.app.config
    # Flask's defaults hold these keys already (SameSite None), so setdefault would keep them: set them.
    if not config.get("SESSION_COOKIE_SAMESITE"):
        config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["SESSION_COOKIE_HTTPONLY"] = True
    cast(Flask, state.app).session_interface = RevocableSessions()
    config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=SESSION_HOURS)


def _settings() -> Settings:
    found: Settings = current_app.config["L4A_SETTINGS"]
    return found


def current_staff() -> str | None:
    """The staff member making this request (bearer token, else the signed-in session), or None."""
    if "l4a_staff" in g:
        return cast(str | None, g.l4a_staff)
    who: str | None = None
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        who = staff_for_token(_settings(), credential.strip())
        g.l4a_auth = "bearer" if who else "bad-token"
    elif "staff" in session:
        name = str(session["staff"])
        valid = session.get("staff_fp") and session.get("staff_fp") == fingerprint(_settings(), name)
        if valid and not revoked(session.get("sid")):
            who, g.l4a_auth = name, "session"
        else:  # the token was rotated or the person removed since the sign-in
            session.pop("staff", None)
            session.pop("staff_fp", None)
    g.l4a_staff = who
    return who


View = TypeVar("View", bound=Callable[..., Any])


def staff_required(view: View) -> View:
    """Only for staff: a reader asking for a page is sent to the sign-in page, anyone else gets 401."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_staff() is None:
            if request.method == "GET" and not wants_json() and g.get("l4a_auth") != "bad-token":
                return redirect(url_for("staff.sign_in", next=request.full_path.rstrip("?")))
            challenge = WWWAuthenticate("bearer", {"realm": "l4a"})
            if g.get("l4a_auth") == "bad-token":
                challenge["error"] = "invalid_token"
            raise Unauthorized(www_authenticate=challenge)
        return view(*args, **kwargs)

    return cast(View, guarded)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme: no open redirect). Control characters are removed
    first, as browsers do: '/\t/evil.example' is '//evil.example' to them."""
    cleaned = "".join(c for c in target or "" if c.isprintable())
    parts = urlsplit(cleaned)
    on_site = cleaned.startswith("/") and not cleaned.startswith("//") and "\\" not in cleaned
    if on_site and not parts.scheme and not parts.netloc:
        return cleaned
    return url_for("staff.home")


@bp.route("/staff/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    """GET: the form. POST: name and token checked against the `staff` setting; then back to where one was going."""
    configured = bool(accounts(_settings()))
    error = None
    status = 200
    if request.method == "POST":
        check_csrf()
        name = request.form.get("name", "").strip()
        token = request.form.get("token", "").strip()
        if not configured:
            error, status = gettext(
                "Writing through the web is switched off: no staff member is configured on this server (setting "
                "L4A_STAFF)."
            ), 403
        elif check_sign_in(_settings(), name, token):
            session.clear()
            session["sid"] = secrets.token_urlsafe(16)  # revoked at sign-out (web/sessions.py)
            session["staff"] = name
            session["staff_fp"] = fingerprint(_settings(), name)
            session.permanent = True
            new_csrf_token()
            return redirect(_safe_next(request.args.get("next")))
        else:
            error, status = gettext("This name and token do not match a staff member. Check both and try again."), 401
    data = {"signed_in": current_staff(), "configured": configured, "error": error}
    return respond(
        "staff_sign_in.html", data, status=status, csrf=csrf_token(), next=request.args.get("next", "")
    )


@bp.post("/staff/sign-out")
def sign_out() -> ResponseReturnValue:
    """End the session's sign-in (the CSRF token is renewed too)."""
    check_csrf()
    sid = session.get("sid")
    revoke(sid)  # a copy of the cookie kept elsewhere no longer signs anyone in
    if isinstance(sid, str):
        announce(current_app, sessions=[sid])  # ... on the other processes too
    session.pop("staff", None)
    session.pop("staff_fp", None)
    session.pop("sid", None)
    new_csrf_token()
    return redirect(url_for("home.index"))


@bp.get("/staff")
@staff_required
def home() -> ResponseReturnValue:
    """What staff can do here: review proposals, import files, report figures."""
    return respond("staff_home.html", {"staff": current_staff()}, csrf=csrf_token())
