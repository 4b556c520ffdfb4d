"""The reader's toggle for pending suggestions (`?include_suggested=1`): off unless asked, the same page with it
switched, and the index to use. Suggestions are never counted silently: a page that counts them says so."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, request

from l4a.graph.sync.index import SyncIndex
from l4a.web.state import app_index, app_suggested_index

PARAMETER = "include_suggested"


def include_suggested() -> bool:
    """Whether this request asks to count pending suggestions."""
    return request.args.get(PARAMETER) == "1"


def toggle_url() -> str:
    """This page with the toggle switched (its other query parameters kept)."""
    args = request.args.to_dict(flat=False)
    if include_suggested():
        args.pop(PARAMETER, None)
    else:
        args[PARAMETER] = ["1"]
    query = urlencode(args, doseq=True)
    return f"{request.path}?{query}" if query else request.path


def sync_index() -> SyncIndex:
    """The default index, or the one counting suggestions when the reader asked for it."""
    return app_suggested_index(current_app) if include_suggested() else app_index(current_app)
