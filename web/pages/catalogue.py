"""The query catalogue: every named query of queries/*.rq with a form built from its parameters, its answer as a
table (IRIs by label), and downloads (CSV, TSV, JSON; Turtle for CONSTRUCT queries). Values are bound, never pasted."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from l4a.graph.errors import UsageError
from l4a.graph.i18n.words import N_
from l4a.graph.settings import Settings
from l4a.graph.sparql.catalogue import (
    RECORD_KINDS,
    CatalogueRun,
    graph_for_catalogue,
    records_of_kind,
    run_for_catalogue,
)
from l4a.graph.sparql.protocol import term_json
from l4a.graph.sparql.queries import named_queries, suggested_variants
from l4a.graph.sparql.query_file import NamedQuery
from l4a.graph.sparql.tabular import rows_as
from l4a.graph.store.base import Row
from l4a.web.i18n import chosen_language
from l4a.web.negotiate import content_type, rdf_response, split_suffix, text_response
from l4a.web.page_cache import cached_page
from l4a.web.paging import paged
from l4a.web.render import page, respond, wants_json
from l4a.web.state import app_labels, app_store, cached
from l4a.web.terms import Cell, cell, short_iri

bp = Blueprint("catalogue", __name__)

# Downloads by suffix; `.json` is the answer as SPARQL JSON results (the page's own JSON: Accept: application/json).
ROWS_PER_PAGE = 100  # rows of an answer a page shows (JSON and the downloads give every row)
DOWNLOADS = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".ttl": "text/turtle",
    ".json": "application/sparql-results+json",
}
TABULAR = {"text/csv": "csv", "text/tab-separated-values": "tsv", "application/sparql-results+json": "json"}
INPUT_TYPES = {"integer": "number", "date": "date", "iri": "url"}
FAILED = N_("The query could not be run with these values:")


def settings() -> Settings:
    """The app's settings."""
    found: Settings = current_app.config["L4A_SETTINGS"]
    return found


def query_text(english: str) -> str:
    """A query's title, description or a parameter's help in the reader's language (the catalogues hold the .rq
    files' English texts: graph/sparql/titles.py), else as its .rq file says it."""
    return str(gettext(english)) if english else ""  # gettext("") is the catalogue's header


def shown_in_english(english: str) -> bool:
    """Whether `query_text(english)` is still the .rq file's English on a page in another language: its element
    then says lang="en"."""
    return bool(english) and chosen_language() != "en" and query_text(english) == english


def parameters_json(query: NamedQuery) -> list[dict[str, Any]]:
    """A query's parameters as the page's JSON describes them."""
    return [
        {"name": p.name, "type": p.kind, "example": p.example, "help": query_text(p.help),
         "required": p.required}
        for p in query.parameters
    ]  # fmt: skip


@page(bp, "/queries")
def index() -> ResponseReturnValue:
    """Every named query, with its title, description and parameters."""
    # The internal queries are read by the code (the synchronization index), not questions for readers.
    public = [q for q in named_queries().values() if not q.internal]
    queries = [
        {
            "name": q.name,
            "title": query_text(q.title),
            "description": query_text(q.description),
            "parameters": parameters_json(q),
        }
        for q in public
    ]
    in_english = {q.name for q in public if shown_in_english(q.description)}  # their element says lang="en"
    return respond("catalogue.html", {"queries": queries}, in_english=in_english)


def suggestions(kind: str) -> list[tuple[str, str]]:
    """(slug, label) of the records a parameter of this kind can name, for the field's suggestion list."""
    if kind not in RECORD_KINDS:
        return []
    store, base, lang = app_store(current_app), settings().base_iri, chosen_language()
    iris: list[str] = cached(current_app, f"records:{kind}", lambda: records_of_kind(store, kind, base))
    labels = app_labels(current_app)
    return [(iri.rsplit("/", 1)[-1], labels.get(iri, lang)) for iri in iris]


def table_rows(run: CatalogueRun, rows: list[Row]) -> list[list[Cell | None]]:
    """These rows of the answer as cells, IRIs named by their label in the reader's language."""
    labels, lang, base = app_labels(current_app), chosen_language(), settings().base_iri

    def name(iri: str) -> str:
        return labels.get(iri, lang) if iri in labels.by_iri else short_iri(iri)

    return [[cell(row[c], base, name) if c in row else None for c in run.columns] for row in rows]


def download(run: CatalogueRun, media_type: str) -> Response:
    """The answer as a file to save."""
    name = run.query.name
    if media_type == "text/turtle":
        if not run.is_graph:
            abort(404)
        response = rdf_response(
            graph_for_catalogue(app_store(current_app), name, run.given, settings().base_iri), media_type
        )
    else:
        fmt = TABULAR[media_type]
        response = Response(rows_as(run.rows, run.columns, fmt) + "\n", content_type=content_type(media_type))
    suffix = {v: k for k, v in DOWNLOADS.items()}[media_type]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}{suffix}"'
    return response


def error_messages(run: CatalogueRun) -> dict[str, str]:
    """What is wrong with each value, in the reader's language."""
    examples = {p.name: p.example for p in run.query.parameters}
    texts = {"missing": N_("Give a value for %(name)s (for example %(example)s)."),
             "invalid": N_("This is not a valid value for %(name)s; for example: %(example)s.")}  # fmt: skip
    return {p: gettext(texts[why], name=p, example=examples[p]) for p, why in run.errors.items()}


@bp.get("/queries/<name>")
def query(name: str) -> ResponseReturnValue:
    """One named query: its form, and its answer once every required value is given."""
    stem, asked = split_suffix(name, DOWNLOADS)
    if stem not in named_queries():
        abort(404)
    if asked:
        return _query(stem, asked)
    # The page is kept once made (web/page_cache.py), per query string and language, until the app writes: at
    # 100k hubs a target's hubs are thousands of rows to read and page.
    return cached_page(lambda: _query(stem, None))


def _query(stem: str, asked: str | None) -> ResponseReturnValue:
    current = settings()
    can_suggest = stem in suggested_variants()
    include = can_suggest and request.args.get("include_suggested") == "1"
    try:
        run = run_for_catalogue(
            app_store(current_app), stem, request.args.to_dict(), current.base_iri, current.row_cap, include
        )
    except UsageError as exc:  # the store refused the query as bound (the values themselves were checked first)
        return text_response(f"{gettext(FAILED)} {exc}", 400)
    submitted = "run" in request.args or any(p.name in request.args for p in run.query.parameters)
    problems = error_messages(run)
    if asked:  # a download: CSV, TSV, SPARQL JSON results, Turtle
        if not run.ran:
            return text_response(" ".join(problems.values()), 400)
        return download(run, asked)
    data: dict[str, Any] = {
        "name": run.query.name,
        "title": query_text(run.query.title),
        "description": query_text(run.query.description),
        "parameters": parameters_json(run.query),
        "given": run.given,
        "include_suggested": include,
    }
    if run.ran:
        if wants_json():  # (the HTML page shows a page of rows: not every row made into JSON)
            bindings = [{k: term_json(v) for k, v in row.items()} for row in run.rows]
            data |= {"head": {"vars": run.columns}, "results": {"bindings": bindings}, "truncated": run.truncated}
    elif submitted:
        data["errors"] = problems
    values: dict[str, Any] = dict(run.given) | ({"include_suggested": "1"} if include else {})
    links = {
        label: url_for("catalogue.query", name=f"{stem}{suffix}", **values)
        for suffix, label in ((".csv", "CSV"), (".tsv", "TSV"), (".json", "JSON"), (".ttl", "Turtle"))
        if suffix != ".ttl" or run.is_graph
    }
    fields = [
        {"parameter": p, "input": INPUT_TYPES.get(p.kind, "text"), "value": request.args.get(p.name, ""),
         "help": query_text(p.help),
         "suggestions": suggestions(p.kind), "error": problems.get(p.name) if submitted else None}
        for p in run.query.parameters
    ]  # fmt: skip
    listed = paged(run.rows if run.ran else [], ROWS_PER_PAGE)  # the HTML shows a page; JSON and downloads every row
    return respond(
        "query.html", data, run=run, fields=fields, rows=table_rows(run, listed.items), listed=listed,
        downloads=links, row_cap=current.row_cap, can_suggest=can_suggest,
        description_in_english=shown_in_english(run.query.description),
        status=400 if submitted and not run.ran else 200,
    )  # fmt: skip
