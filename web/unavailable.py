"""The answer when the store's SPARQL server is down, too slow or answering garbage: 503 with Retry-After."""

from __future__ import annotations

import logging
from html import escape

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from l4a.graph.errors import StoreUnavailableError

log = logging.getLogger(__name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Temporarily unavailable</title></head>
<body><h1>Temporarily unavailable</h1>
<p>The graph's database did not answer in time. Please try again in {seconds} seconds.</p>
<p><small>{detail}</small></p></body></html>
"""


def store_unavailable(error: StoreUnavailableError) -> ResponseReturnValue:
    """503 Service Unavailable with a Retry-After hint, as JSON for API clients and as a page for browsers."""
    log.warning("answering 503 to %s %s: %s", request.method, request.path, error)
    seconds = error.retry_after
    headers = {"Retry-After": str(seconds)}
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        body = {"error": "store unavailable", "detail": str(error), "retry_after": seconds}
        return jsonify(body), 503, headers
    return PAGE.format(seconds=seconds, detail=escape(str(error))), 503, headers
