"""The JSON API's own endpoints (the pages' JSON twins live with the pages): related hubs and partners of a hub."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from l4a.graph.namespaces import record_iri
from l4a.web.hub_pack import RELATED
from l4a.web.page_cache import kept_text
from l4a.web.suggested import include_suggested, sync_index

bp = Blueprint("api", __name__)
DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def _limit() -> int | None:
    """?limit=N (1 to MAX_LIMIT, default DEFAULT_LIMIT); None for anything else."""
    asked = request.args.get("limit", "")
    if not asked:
        return DEFAULT_LIMIT
    return int(asked) if asked.isdigit() and 1 <= int(asked) <= MAX_LIMIT else None


def _ranked(slug: str, partners: bool) -> ResponseReturnValue:
    """JSON errors (400 for a bad limit, 404 for a hub the index does not hold), else the ranked hubs."""
    limit = _limit()
    if limit is None:
        return jsonify({"error": f"limit must be a whole number from 1 to {MAX_LIMIT}"}), 400
    iri = record_iri(str(current_app.config["L4A_SETTINGS"].base_iri), "hub", slug)
    index = sync_index()  # ?include_suggested=1: pending suggestions counted, each counted reason marked
    if iri not in index.hubs:
        return jsonify({"error": "no such hub", "hub": iri}), 404
    key = "partners" if partners else "related"

    def answer() -> str:
        found = index.partners(iri, limit) if partners else index.related(iri, limit)
        return json.dumps({"hub": iri, "limit": limit, key: [r.as_dict() for r in found]}, ensure_ascii=False)

    # The index only changes when the app writes; the answer is kept until then (web/page_cache.py).
    variant = ":suggested" if include_suggested() else ""
    # Asked with nothing but the hub: the related list `l4a prepare` packed for every hub (web/hub_pack.py).
    pack = (RELATED, slug) if not partners else None
    return Response(kept_text(f"api:{key}:{iri}:{limit}{variant}", answer, packed=pack), mimetype="application/json")


@bp.get("/api/hubs/<slug>/related")
def related(slug: str) -> ResponseReturnValue:
    """The hubs most related to this one, best first, each with its score and the reasons that add up to it."""
    return _ranked(slug, partners=False)


@bp.get("/api/hubs/<slug>/partners")
def partners(slug: str) -> ResponseReturnValue:
    """Potential synchronization partners: related, not linked yet, active at the same time (or with a time frame
    not recorded)."""
    return _ranked(slug, partners=True)
