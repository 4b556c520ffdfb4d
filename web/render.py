"""Every page answers as HTML or as JSON (`Accept: application/json`, or the same path with `.json`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from l4a.graph.labels import Labels
from l4a.web.i18n import chosen_language, languages
from l4a.web.state import app_labels


def wants_json() -> bool:
    """True for `.json` URLs and for clients that prefer JSON to HTML."""
    if request.path.endswith(".json") or request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/html"]
    )


def respond(template: str, data: Mapping[str, Any], **page: Any) -> ResponseReturnValue:
    """`data` as JSON, or the template rendered with it and the page's extras; `status=` sets the HTTP status."""
    status = int(page.pop("status", 200))
    if wants_json():
        return jsonify(data), status
    labels: Labels = app_labels(current_app)
    lang = chosen_language()
    html = render_template(
        template,
        data=data,
        lang=lang,
        languages=languages(),
        label=lambda iri: labels.get(iri, lang),
        short_name=lambda iri: labels.short_name(iri, lang),
        all_labels=lambda iri: " / ".join(dict.fromkeys(labels.by_iri.get(iri, {}).values())),
        has_label=lambda iri: lang == "en" or labels.has(iri, lang),  # else the label shown is another language's
        **page,
    )
    return html, status


View = TypeVar("View", bound=Callable[..., Any])


def page(bp: Blueprint, rule: str, *extra: str) -> Callable[[View], View]:
    """Register a GET page at `rule` and its JSON twin at `rule.json` (endpoint `<view>_json`), and extra rules."""

    def register(view: View) -> View:
        bp.add_url_rule(rule, view_func=view, methods=["GET"])
        json_rule = "/index.json" if rule == "/" else f"{rule}.json"
        bp.add_url_rule(json_rule, endpoint=f"{view.__name__}_json", view_func=view, methods=["GET"])
        for number, other in enumerate(extra):
            bp.add_url_rule(other, endpoint=f"{view.__name__}_{number}", view_func=view, methods=["GET"])
        return view

    return register
