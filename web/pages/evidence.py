"""The evidence page: evidence records with their sources, filtered, and downloads to cite them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from flask import Blueprint, Response, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from l4a.graph.errors import UsageError
from l4a.graph.reports.citations import citations_bibtex, citations_markdown
from l4a.graph.sparql.compact_rows import CompactRows, plain_rows
from l4a.graph.sparql.queries import named_query_compact, run_named_query
from l4a.graph.sparql.tabular import plain_csv, rows_as
from l4a.graph.store.base import Row
from l4a.web.page_cache import cached_page, download_key, kept_download, whole_download
from l4a.web.render import page as register
from l4a.web.render import respond, wants_json
from l4a.web.state import app_store, cached

bp = Blueprint("evidence", __name__)
PARAMETERS = ("sdg", "manifesto", "council", "section", "from", "to")
COLUMNS = ["evidence", "url", "type", "date", "language", "publisher", "hub", "title"]
PER_PAGE = 50  # records a page in HTML; JSON and the downloads give them all
CHUNK = 500  # rows a piece of a streamed CSV download
DOWNLOADS: dict[str, tuple[str, Callable[[Sequence[Row]], str]]] = {
    "csv": ("text/csv", lambda rows: rows_as(rows, COLUMNS, "csv")),
    "md": ("text/markdown", citations_markdown),
    "bib": ("application/x-bibtex", citations_bibtex),
}


@register(bp, "/evidence")
def page() -> ResponseReturnValue:
    """Evidence for a target, goal, manifesto, council, section or period; CSV, JSON, Markdown, BibTeX. The page
    and its JSON are kept once made (web/page_cache.py), and the CSV once sent, until the app writes."""
    return cached_page(_page, beside_store=True)


def _page() -> ResponseReturnValue:
    given = {name: request.args[name] for name in PARAMETERS if request.args.get(name)}
    wanted = request.args.get("format")
    if wanted in DOWNLOADS:
        return _download(given, wanted)
    error = None
    try:  # the page and its JSON show values: read as text, no term made (graph/sparql/compact_rows.py)
        found = _compact(given)
    except UsageError as exc:
        found, error = CompactRows(tuple(COLUMNS), []), str(exc)
    asked = request.args.get("page") or "1"
    number = max(1, int(asked)) if asked.isdigit() else 1
    pages = max(1, -(-len(found.rows) // PER_PAGE))
    start, stop = (0, None) if wants_json() else ((number - 1) * PER_PAGE, number * PER_PAGE)
    items = [{c: row[c] for c in COLUMNS if c in row} for row in plain_rows(found, start, stop)]
    data = {"filters": given, "count": len(found.rows), "page": number, "per_page": PER_PAGE, "evidence": items}
    if error:
        data["error"] = error
        problem = gettext("A filter could not be used: %(detail)s", detail=error)
        return respond("evidence.html", data, status=400, error=problem, pages=1)
    return respond("evidence.html", data, error=None, pages=pages)


def _download(given: dict[str, str], wanted: str) -> ResponseReturnValue:
    """CSV (streamed from the rows as text, kept once sent; the whole list's, beside the store too), Markdown or
    BibTeX citations of the records."""
    try:  # a bad filter is told before anything is sent; the whole list is read only when nothing is kept
        found = _compact(given) if wanted == "csv" and given else None
        rows = _rows(given) if wanted != "csv" else []
    except UsageError as exc:
        problem = gettext("A filter could not be used: %(detail)s", detail=str(exc))
        data = {"filters": given, "count": 0, "page": 1, "per_page": PER_PAGE, "evidence": [], "error": str(exc)}
        return respond("evidence.html", data, status=400, error=problem, pages=1)
    mimetype, render = DOWNLOADS[wanted]
    if wanted == "csv":

        def pieces() -> Iterator[str]:
            return _csv_pieces(found if found is not None else _compact(given))

        response = kept_download(download_key("evidence.csv"), pieces, mimetype, whole_download("evidence.csv"))
    else:
        response = Response(render(rows), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="evidence.{wanted}"'
    return response


def _compact(given: dict[str, str]) -> CompactRows:
    """The evidence-for rows as text; the unfiltered ones kept until the next write (and by `l4a prepare`)."""

    def run() -> CompactRows:
        base = current_app.config["L4A_SETTINGS"].base_iri
        return named_query_compact(app_store(current_app), "evidence-for", given, base)

    found: CompactRows = cached(current_app, "evidence compact", run) if not given else run()
    return found


def _rows(given: dict[str, str]) -> list[Row]:
    """The evidence-for rows; the unfiltered list (every record: seconds on 10k hubs) is kept until the next write."""

    def run() -> list[Row]:
        return run_named_query(
            app_store(current_app), "evidence-for", given, current_app.config["L4A_SETTINGS"].base_iri
        )

    rows: list[Row] = cached(current_app, "evidence all", run) if not given else run()
    return rows


def _csv_pieces(found: CompactRows) -> Iterator[str]:
    """The CSV download in pieces of CHUNK rows (the same text as rows_as gives for the rows as terms), sent as they
    are made; no term is made."""
    count = len(found.rows)
    for start in range(0, max(count, 1), CHUNK):
        text = plain_csv(plain_rows(found, start, start + CHUNK), COLUMNS, header=start == 0)
        yield text if start + CHUNK < count else text.rstrip("\n")
