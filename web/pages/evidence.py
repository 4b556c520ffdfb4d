"""The evidence page: evidence records with their sources, filtered, and downloads to cite them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Blueprint, Response, current_app, request
from flask.typing import ResponseReturnValue

from l4a.graph.errors import UsageError
from l4a.graph.reports.citations import citations_bibtex, citations_markdown
from l4a.graph.sparql.queries import run_named_query
from l4a.graph.sparql.tabular import rows_as
from l4a.graph.store.base import Row
from l4a.web.i18n import translate
from l4a.web.render import page as register
from l4a.web.render import respond
from l4a.web.state import app_store

bp = Blueprint("evidence", __name__)
PARAMETERS = ("sdg", "manifesto", "council", "section", "from", "to")
COLUMNS = ["evidence", "url", "type", "date", "language", "publisher", "hub", "title"]
DOWNLOADS: dict[str, tuple[str, Callable[[Sequence[Row]], str]]] = {
    "csv": ("text/csv", lambda rows: rows_as(rows, COLUMNS, "csv")),
    "md": ("text/markdown", citations_markdown),
    "bib": ("application/x-bibtex", citations_bibtex),
}


@register(bp, "/evidence")
def page() -> ResponseReturnValue:
    """Evidence for a target, goal, manifesto, council, section or period; CSV, JSON, Markdown, BibTeX."""
    given = {name: request.args[name] for name in PARAMETERS if request.args.get(name)}
    error = None
    try:
        rows = run_named_query(
            app_store(current_app), "evidence-for", given, current_app.config["L4A_SETTINGS"].base_iri
        )
    except UsageError as exc:
        rows, error = [], str(exc)
    wanted = request.args.get("format")
    if wanted in DOWNLOADS and error is None:
        mimetype, render = DOWNLOADS[wanted]
        response = Response(render(rows), mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="evidence.{wanted}"'
        return response
    items = [{c: row[c].value for c in COLUMNS if c in row} for row in rows]
    data = {"filters": given, "evidence": items}
    if error:
        data["error"] = error
        return respond("evidence.html", data, status=400, error=translate("evidence.bad_filter", detail=error))
    return respond("evidence.html", data, error=None)
