"""/openapi.json: the JSON API described in OpenAPI 3.1 (every page answers as JSON with a .json suffix)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("openapi", __name__)

FILTERS = ("goal", "target", "manifesto", "council", "section", "country", "status", "year", "q", "page")
SUMMARIES = {
    "/index.json": "Counts, hubs per SDG goal, the newest hubs",
    "/api/stats": "Counts of what the graph holds",
    "/hubs.json": "Hubs matching the filters (all pages)",
    "/hubs/{slug}.json": "One hub: facts, links, deliverables, evidence, validation, related hubs and partners",
    "/api/hubs/{slug}/related": "The hubs most related to one hub, best first, with scores and reasons (?limit=1-100)",
    "/api/hubs/{slug}/partners": "Potential synchronization partners of one hub: related, not linked yet, active at "
    "the same time or with a time frame not recorded (?limit=1-100)",
    "/sdg.json": "The 17 SDG goals with their numbers of hubs",
    "/sdg/{number}.json": "One goal: its targets with their hubs",
    "/sdg/target/{notation}.json": "One target: its hubs, evidence, and whether it is a gap",
    "/gaps.json": (
        "SDG targets and manifestos no hub records a link to, and goals linked without a target recorded "
        "(optionally within a council or section)"
    ),
    "/manifestos.json": "The Durban manifestos with their numbers of hubs",
    "/manifestos/{slug}.json": "One manifesto: its hubs and evidence",
    "/councils.json": "The Policy Councils of both terms with their numbers of hubs",
    "/councils/{slug}.json": "One council: its hubs across terms, the council x goal coverage, its gaps",
    "/network.json": "Communities and bridge hubs of the hub network",
    "/evidence.json": "Evidence records, filtered by SDG, manifesto, council, section or period",
    "/queries.json": "The named SPARQL queries with their parameters",
    "/ontology.json": "The ontology's classes and properties with their labels and definitions",
}
PARAMETERS: dict[str, list[str]] = {
    "/hubs.json": list(FILTERS),
    "/hubs/{slug}.json": ["include_suggested"],
    "/api/hubs/{slug}/related": ["limit", "include_suggested"],
    "/api/hubs/{slug}/partners": ["limit", "include_suggested"],
    "/gaps.json": ["council", "section", "include_suggested"],
    "/councils/{slug}.json": ["include_suggested"],
    "/evidence.json": ["sdg", "manifesto", "council", "section", "from", "to"],
}


def _operation(path: str) -> dict[str, Any]:
    parameters = [
        {"name": name[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
        for name in path.split("/")
        if name.startswith("{")
        for name in [name.removesuffix(".json")]
    ]
    parameters += [
        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in PARAMETERS.get(path, [])
    ]
    parameters.append({"name": "lang", "in": "query", "required": False, "schema": {"enum": ["en", "fr", "es"]}})
    return {
        "get": {
            "summary": SUMMARIES[path],
            "parameters": parameters,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {}}},
                "404": {"description": "Not found"},
            },
        }
    }


@bp.get("/api")
def api_page() -> ResponseReturnValue:
    """The API for people: every JSON endpoint with what it answers, and the OpenAPI document to give to tools."""
    from l4a.web.render import respond

    endpoints = [{"path": path, "summary": summary, "parameters": PARAMETERS.get(path, [])}
                 for path, summary in SUMMARIES.items()]  # fmt: skip
    return respond("api.html", {"endpoints": endpoints, "openapi": "/openapi.json"})


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI document of the JSON API."""
    paths = {path: _operation(path) for path in SUMMARIES}
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Local4Action Hub Graph API",
            "version": "1",
            "description": "Every HTML page of the site "
            "also answers as JSON with a .json suffix or Accept: application/json. The SPARQL endpoint is /sparql.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
    }
    current_app.logger.debug("openapi: %d paths", len(paths))
    return jsonify(document)
