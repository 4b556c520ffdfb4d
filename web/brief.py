"""Briefs on the web: a Policy Council's brief (graph/brief.py, as `l4a brief --council` makes it) as a printable page
of the site and as a Markdown download, in the reader's language.

The page shows the body of `brief_html` inside the site's layout: the CLI's HTML is a self-contained file with its own
<style>, which the site's Content-Security-Policy (no inline style) would refuse; the site's style sheet has the
print rules instead (links followed by their address, no navigation).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from l4a.graph.brief import Brief, brief_html, brief_markdown, make_brief
from l4a.graph.namespaces import record_iri

from . import app_store, cached
from .i18n import chosen_language
from .render import page, respond

bp = Blueprint("brief", __name__)

IS_COUNCIL = "PREFIX l4a: <https://w3id.org/l4a/ontology#> ASK { ?council a l4a:PolicyCouncil }"


def body_of(document: str) -> str:
    """What is between <body> and </body> of a whole HTML document (the brief's content without its head)."""
    start, end = document.find("<body>"), document.rfind("</body>")
    if start < 0 or end < start:
        raise ValueError("the brief's HTML has no <body> element")
    return document[start + len("<body>") : end].strip()


def council_brief_of(slug: str) -> Brief:
    """The brief of the council with this slug in the reader's language, made once a day (404 if no council)."""
    base = str(current_app.config["L4A_SETTINGS"].base_iri)
    iri = record_iri(base, "council", slug)
    store = app_store(current_app)
    if not store.ask(IS_COUNCIL, {"council": ox.NamedNode(iri)}):
        abort(404)
    lang, today = chosen_language(), dt.date.today()
    found: Brief = cached(
        current_app, f"brief:{iri}:{lang}:{today.isoformat()}", lambda: make_brief(store, iri, lang, base, today)
    )
    return found


def _as_data(brief: Brief) -> dict[str, Any]:
    data = dataclasses.asdict(brief)
    data["day"] = brief.day.isoformat()
    return data


@page(bp, "/councils/<slug>/brief")
def council_brief(slug: str) -> ResponseReturnValue:
    """A Policy Council's brief: its hubs across both terms with their progress or "no figures reported", the
    evidence cited with address, publisher and date, related hubs of other councils, and the gaps; printable."""
    brief = council_brief_of(slug)
    content = Markup(body_of(brief_html(brief)))
    return respond("brief.html", _as_data(brief), brief=brief, content=content, slug=slug)


@bp.get("/councils/<slug>/brief.md")
def council_brief_markdown(slug: str) -> ResponseReturnValue:
    """The same brief as a Markdown file."""
    brief = council_brief_of(slug)
    response = Response(brief_markdown(brief), mimetype="text/markdown")
    response.headers["Content-Type"] = "text/markdown; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="brief-{slug}-{brief.lang}.md"'
    return response
