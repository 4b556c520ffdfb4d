"""Importing RDF through the web, for signed-in staff: the same checks and the same transaction as `l4a import`
(the whole file is parsed first; if it is malformed nothing is loaded; each named graph it holds replaces the graph
of that name). The request size limit (web/security.py) keeps web imports on the one-transaction path; bigger
files go through `l4a import` on the server."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.utils import secure_filename

from l4a.graph.errors import InputError, Location, UsageError
from l4a.graph.i18n.words import N_
from l4a.graph.store.exchange import import_files
from l4a.graph.store.rdf_formats import EXTENSIONS, FORMATS
from l4a.web.forms import check_csrf, csrf_token
from l4a.web.pages.staff import current_staff, staff_required
from l4a.web.refresh import hub_of_graph, refresh_hubs
from l4a.web.render import respond
from l4a.web.state import app_store, forget_caches

bp = Blueprint("imports", __name__)
NOTHING_LOADED = N_("Nothing was loaded. Fix the file and send it again.")


def _graph_field(value: str) -> str | None:
    """The optional target graph: an absolute http(s) IRI without spaces or angle brackets."""
    value = value.strip()
    if not value:
        return None
    if not value.startswith(("http://", "https://")) or any(c in value for c in ' <>"{}|\\^`\n\r\t'):
        raise UsageError(gettext(
            "The graph must be an absolute http(s) address without spaces; got %(value)s.", value=repr(value)
        ))
    return value


@bp.route("/staff/import", methods=["GET", "POST"])
@staff_required
def form() -> ResponseReturnValue:
    """GET: the form. POST: check and load one file; the outcome (or where the file is broken) is shown."""
    outcome: dict[str, object] | None = None
    error: dict[str, str] | None = None
    status = 200
    if request.method == "POST":
        check_csrf()
        upload = request.files.get("file")
        fmt = request.form.get("format") or None
        try:
            graph = _graph_field(request.form.get("graph", ""))
            if upload is None or not upload.filename:
                raise UsageError(gettext("Choose a file to import."))
            if fmt is not None and fmt not in FORMATS:
                raise UsageError(gettext("Unknown format %(value)s.", value=repr(fmt)))
            name = secure_filename(upload.filename) or "upload"
            if fmt is None and Path(name).suffix.lower() not in EXTENSIONS:
                raise UsageError(gettext(
                    "Cannot tell the format of %(name)s from its extension; choose the format, or use one of "
                    "%(known)s.", name=name, known=", ".join(sorted(EXTENSIONS)),
                ))  # fmt: skip
            with tempfile.TemporaryDirectory(prefix="l4a-import-") as folder:
                path = Path(folder) / name  # the file's own name, so that errors name it
                upload.save(path)
                settings = current_app.config["L4A_SETTINGS"]
                reports = import_files(app_store(current_app), [path], graph, fmt, settings.base_iri)
        except InputError as exc:
            at = exc.location  # the temporary folder left out: the file as the user named it
            where = str(Location(name, at.line, at.column)) if at else ""
            error, status = {"where": where, "message": exc.message, "hint": gettext(NOTHING_LOADED)}, 400
        except UsageError as exc:
            error, status = {"where": "", "message": str(exc), "hint": gettext(NOTHING_LOADED)}, 400
        else:
            report = reports[0]
            hubs = [hub_of_graph(g, settings.base_iri) for g in report.graphs]
            if hubs and all(hubs):  # hub records only: refresh those hubs; anything else may touch every page
                refresh_hubs(current_app, [h for h in hubs if h])
            else:
                forget_caches(current_app)
            outcome = {"file": name, "quads": report.quads, "graphs": report.graphs, "by": current_staff()}
            current_app.logger.info("web import of %s by %s: %d quads", name, current_staff(), report.quads)
    data = {"result": outcome, "error": error}
    return respond("import.html", data, status=status, csrf=csrf_token(), formats=list(FORMATS))
