"""Briefs on the web: a Policy Council's brief (graph/brief.py) and a Venice City Solutions edition's brief
(graph/brief_vcs.py), as `l4a brief` makes them, each as a printable page of the site and as a Markdown download, in
the reader's language.

A page shows the body of `brief_html` inside the site's layout: the CLI's HTML is a self-contained file with its own
<style>, which the site's Content-Security-Policy (no inline style) would refuse; the site's style sheet has the
print rules instead (links followed by their address, no navigation).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup

from l4a.graph.errors import UsageError
from l4a.graph.i18n.words import LANGUAGES
from l4a.graph.namespaces import L4A, record_iri
from l4a.graph.reports.brief import Brief, HubBrief, brief_html, brief_markdown, make_brief
from l4a.graph.reports.brief_vcs import edition_words, make_edition_brief, read_editions, resolve_edition
from l4a.graph.resources import internal_query
from l4a.web.catalogues import colon
from l4a.web.i18n import chosen_language
from l4a.web.page_cache import cached_page, kept_response
from l4a.web.render import page, respond, wants_json
from l4a.web.state import app_store, cached
from l4a.web.suggested import include_suggested

bp = Blueprint("brief", __name__)

IS_A = internal_query("is-a")


def _base() -> str:
    return str(current_app.config["L4A_SETTINGS"].base_iri)


def body_of(document: str) -> str:
    """What is between <body> and </body> of a whole HTML document (the brief's content without its head)."""
    start, end = document.find("<body>"), document.rfind("</body>")
    if start < 0 or end < start:
        raise ValueError("the brief's HTML has no <body> element")
    return document[start + len("<body>") : end].strip()


def _made_today(iri: str, make: Callable[[str, dt.date], Brief], variant: str = "") -> Brief:
    """A brief in the reader's language (English if the briefs do not have it), made once a day (and again after
    the app writes)."""
    lang = brief_language()
    today = dt.date.today()
    found: Brief = cached(current_app, f"brief:{iri}:{lang}:{today.isoformat()}{variant}", lambda: make(lang, today))
    return found


def brief_language() -> str:
    """The reader's language, if the briefs have it; else English."""
    return chosen_language() if chosen_language() in LANGUAGES else "en"


def council_brief_of(slug: str) -> Brief:
    """The brief of the council with this slug (404 if there is no such council)."""
    iri = record_iri(_base(), "council", slug)
    store = app_store(current_app)
    if not store.ask(IS_A, {"thing": ox.NamedNode(iri), "class": ox.NamedNode(L4A + "PolicyCouncil")}):
        abort(404)
    include = include_suggested()
    return _made_today(
        iri, lambda lang, day: make_brief(store, iri, lang, _base(), day, include), ":suggested" if include else ""
    )


def edition_brief_of(edition: str) -> Brief:
    """The brief of the edition given by slug, number or year (404 if there is none, or several)."""
    store = app_store(current_app)
    try:
        iri = resolve_edition(store, edition, _base()).iri
    except UsageError:
        abort(404)
    return _made_today(iri, lambda lang, day: make_edition_brief(store, iri, lang, _base(), day))


HUB_FIELDS = dataclasses.fields(HubBrief)


def _as_data(brief: Brief) -> dict[str, Any]:
    """The brief as JSON-ready data: its day in ISO 8601, each hub's period as its source records it ("2023-03").
    (Not dataclasses.asdict: its deep copy of thousands of hubs' sections was most of the JSON's first request at
    10k hubs.)"""
    data = {f.name: getattr(brief, f.name) for f in dataclasses.fields(brief)}
    data["day"] = brief.day.isoformat()
    data["hubs"] = [{f.name: getattr(h, f.name) for f in HUB_FIELDS} for h in brief.hubs]
    return data


def _page(brief: Brief, extra: Mapping[str, str] | None, links: dict[str, str]) -> ResponseReturnValue:
    if wants_json():  # the brief's data; its page shows the brief's own HTML instead
        return respond("brief.html", _as_data(brief))
    content = Markup(body_of(brief_html(brief, extra)))
    return respond("brief.html", {}, brief=brief, content=content, links=links)


def _markdown(
    make: Callable[[], Brief], extra: Mapping[str, str] | None, name: str, path: bool | str = True
) -> Response:
    """The brief `make` gives, as Markdown: kept once written (beside the store too, under its one `path` when
    several lead to it: the brief itself is not read again for it after a restart)."""
    lang, today = brief_language(), dt.date.today()
    key = f"brief.md:{request.path}?{request.query_string.decode('latin-1')}|{lang}|{today.isoformat()}"
    response = kept_response(key, lambda: brief_markdown(make(), extra), "text/markdown", beside_store=path)
    response.headers["Content-Type"] = "text/markdown; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="brief-{name}-{lang}.md"'
    return response


@page(bp, "/councils/<slug>/brief")
def council_brief(slug: str) -> ResponseReturnValue:
    """A Policy Council's brief: its hubs across both terms with their progress or "no figures reported", the
    evidence cited with address, publisher and date, related hubs of other councils, and the gaps; printable. Kept
    once rendered (web/page_cache.py): at 10k hubs a brief lists thousands of hubs."""
    return cached_page(lambda: _council_brief(slug), beside_store=True)


def _council_brief(slug: str) -> ResponseReturnValue:
    brief = council_brief_of(slug)
    lang = brief.lang
    toggle: dict[str, Any] = {"include_suggested": "1"} if brief.include_suggested else {}
    links = {
        "back": url_for("topics.council", slug=slug, **toggle),
        "back_label": gettext("Council page"),
        "markdown": url_for("brief.council_brief_markdown", slug=slug, lang=lang, **toggle),
        "json": url_for("brief.council_brief_json", slug=slug, lang=lang, **toggle),
        "toggle": "suggested",
    }
    return _page(brief, None, links)


@bp.get("/councils/<slug>/brief.md")
def council_brief_markdown(slug: str) -> ResponseReturnValue:
    """The same brief as a Markdown file."""
    return _markdown(lambda: council_brief_of(slug), None, slug)


@page(bp, "/vcs")
def editions() -> ResponseReturnValue:
    """The Venice City Solutions 2030 editions, each with a link to its brief."""
    found = sorted(read_editions(app_store(current_app)).values(), key=lambda e: (e.number or 0, e.iri))
    items = [{"edition": e.iri, "slug": e.iri.rsplit("/", 1)[-1], "number": e.number, "label": e.label,
              "about": e.about(gettext("to"), colon())} for e in found]  # fmt: skip
    return respond("vcs.html", {"editions": items})


@page(bp, "/vcs/<edition>/brief")
def edition_brief(edition: str) -> ResponseReturnValue:
    """A Venice City Solutions edition's brief: the hubs presented at it or active during it, their progress or
    "no figures reported", the evidence cited with address and date, related hubs, and the gaps; printable. Kept
    once rendered."""
    return cached_page(lambda: _edition_brief(edition), beside_store=f"/vcs/{_edition_slug(edition)}/brief")


def _edition_slug(edition: str) -> str:
    """The edition given by slug, number or year, by its slug (404 if there is none, or several)."""
    try:
        return resolve_edition(app_store(current_app), edition, _base()).iri.rsplit("/", 1)[-1]
    except UsageError:
        abort(404)


def _edition_brief(edition: str) -> ResponseReturnValue:
    brief = edition_brief_of(edition)
    lang = brief.lang
    links = {
        "back": url_for("brief.editions"),
        "back_label": gettext("Venice City Solutions 2030 editions"),
        "markdown": url_for("brief.edition_brief_markdown", edition=edition, lang=lang),
        "json": url_for("brief.edition_brief_json", edition=edition, lang=lang),
    }
    return _page(brief, edition_words(lang), links)


@bp.get("/vcs/<edition>/brief.md")
def edition_brief_markdown(edition: str) -> ResponseReturnValue:
    """The same brief as a Markdown file."""
    slug = _edition_slug(edition)
    words = edition_words(brief_language())
    return _markdown(lambda: edition_brief_of(edition), words, slug, f"/vcs/{slug}/brief.md")
