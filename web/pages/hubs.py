"""The hubs: a list with filters, text search, paging and downloads; a page per hub with related hubs and partners."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from flask import Blueprint, Response, abort, current_app, request
from flask.typing import ResponseReturnValue

from l4a.graph.namespaces import record_iri
from l4a.graph.reports.derived import derived_goals, read_derived_links
from l4a.graph.reports.hub_table import OPTION_KEYS, HubFilter, HubRow
from l4a.graph.reports.hub_view import hub_view, period_ended
from l4a.graph.reports.rules_summary import summarize
from l4a.graph.sdg_order import sdg_key
from l4a.graph.shacl.validation import ValidationReport, hub_graph, shipped_validator
from l4a.graph.sparql.tabular import spreadsheet_safe
from l4a.graph.store.base import Store
from l4a.graph.suggest.records import list_suggestions
from l4a.graph.sync.suggested import PendingLink, pending_links
from l4a.web.hub_charts import hub_charts, hub_monitoring_data, hub_summary
from l4a.web.i18n import chosen_language
from l4a.web.page_cache import cached_page, download_key, kept_download, whole_download
from l4a.web.pages.staff import current_staff
from l4a.web.render import page, respond, wants_json
from l4a.web.state import app_labels, app_store, cached, hub_table, ready_reports
from l4a.web.suggested import include_suggested, sync_index

bp = Blueprint("hubs", __name__)
PER_PAGE = 50
FILTERS = ("goal", "target", "manifesto", "council", "section", "country", "status", "year", "q")


def _base() -> str:
    return str(current_app.config["L4A_SETTINGS"].base_iri)


def _iri(kind: str, value: str | None) -> str | None:
    """A filter value given as an IRI, or as a slug/notation of that kind."""
    if not value:
        return None
    if value.startswith(("http://", "https://")):
        return value
    if kind in ("goal", "target"):
        return f"http://metadata.un.org/sdg/{value}"
    if kind == "country":
        return value.upper()
    return record_iri(_base(), kind, value)


def asked_filter() -> HubFilter:
    args = request.args
    year = args.get("year", "")
    return HubFilter(
        goal=_iri("goal", args.get("goal")),
        target=_iri("target", args.get("target")),
        manifesto=_iri("manifesto", args.get("manifesto")),
        council=_iri("council", args.get("council")),
        section=_iri("section", args.get("section")),
        country=_iri("country", args.get("country")),
        status=_iri("status", args.get("status")),
        year=int(year) if year.isdigit() else None,
        text=args.get("q") or None,
    )


@page(bp, "/hubs", "/hubs.csv")
def hub_list() -> ResponseReturnValue:
    """Hubs matching the filters, 50 a page; every list downloads as CSV or JSON (all pages). The page is kept once
    rendered, the downloads once sent (web/page_cache.py), until the app writes."""
    return cached_page(_hub_list, beside_store=True)


def _hub_list() -> ResponseReturnValue:
    table = hub_table()
    asked = asked_filter()
    lang = chosen_language()
    labels = app_labels(current_app)
    if request.path.endswith(".csv") or request.args.get("format") == "csv":  # the rows chosen only if not kept
        return _csv(lambda: table.select(asked), labels, lang)
    page = max(1, int(request.args.get("page", "1") or 1)) if (request.args.get("page") or "1").isdigit() else 1
    if wants_json():
        return _json(lambda: table.select(asked), page)
    rows = table.select(asked)
    shown = rows[(page - 1) * PER_PAGE : page * PER_PAGE]
    data = {"count": len(rows), "page": page, "per_page": PER_PAGE, "hubs": [row.as_dict() for row in shown]}
    options = {key: table.options(key) for key in OPTION_KEYS}
    pages = max(1, -(-len(rows) // PER_PAGE))
    store = app_store(current_app)
    # (a small query: derived links are few; not a "prepared" value, so the list never waits on a thread for it)
    derived = cached(current_app, "hub list: derived goals", lambda: derived_goals(read_derived_links(store)))
    return respond("hubs.html", data, rows=shown, options=options, pages=pages, args=request.args,
                   agendas={row.iri: agendas(row, derived.get(row.iri, set())) for row in shown})  # fmt: skip


def agendas(row: HubRow, derived: set[str]) -> dict[str, list[str]]:
    """What the list shows of a hub's SDG links: its targets, the goals it is linked to without one of their targets
    (both in numeric order), and apart the goals it is linked to only by a link the project derives."""
    targets = sorted(row.values("targets"), key=sdg_key)
    covered = {t.rsplit("/", 1)[1].split(".")[0] for t in targets}
    goals = [g for g in sorted(row.values("goals"), key=sdg_key) if g.rsplit("/", 1)[1] not in covered]
    return {"targets": targets, "goals": [g for g in goals if g not in derived],
            "derived": [g for g in goals if g in derived]}


def _json(select: Callable[[], list[Any]], page: int) -> Response:
    """Every hub of the list as JSON (the same object the page's data would be), sent in pieces as it is made."""

    def pieces() -> Iterator[str]:
        rows = select()
        head = json.dumps({"count": len(rows), "page": page, "per_page": PER_PAGE}, ensure_ascii=False)
        yield head[:-1] + ', "hubs": ['
        for start in range(0, len(rows), 500):
            batch = [row.as_dict() for row in rows[start : start + 500]]  # plain values: no cycle to look for
            text = json.dumps(batch, ensure_ascii=False, check_circular=False)[1:-1]
            yield text if start == 0 else ", " + text  # the batch's items without its brackets
        yield "]}"

    return kept_download(download_key("hubs.json"), pieces, "application/json", whole_download("hubs.json"))


def _csv(select: Callable[[], list[Any]], labels: Any, lang: str) -> Response:
    def lines() -> Iterator[str]:  # sent as made: every hub of the list, without holding the whole text
        rows = select()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["hub", "name", "city", "country", "start", "end", "targets", "manifestos", "councils",
                         "section"])  # fmt: skip
        for number, row in enumerate(rows, 1):
            writer.writerow(
                spreadsheet_safe(cell)
                for cell in [
                    row.iri,
                    labels.get(row.iri, lang),
                    row.city,
                    ";".join(sorted(row.values("countries"))),
                    row.start,
                    row.end,
                    ";".join(t.rsplit("/", 1)[-1] for t in sorted(row.values("targets"))),
                    ";".join(labels.get(m, lang) for m in sorted(row.values("manifestos"))),
                    ";".join(labels.get(c, lang) for c in sorted(row.values("councils"))),
                    ";".join(labels.get(s, lang) for s in sorted(row.values("sections"))),
                ]
            )
            if number % 500 == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    response = kept_download(download_key("hubs.csv"), lines, "text/csv", whole_download("hubs.csv"))
    response.headers["Content-Disposition"] = 'attachment; filename="hubs.csv"'
    return response


@page(bp, "/hubs/<slug>")
def hub_page(slug: str) -> ResponseReturnValue:
    """One hub: every fact with its sources, links, deliverables, evidence, validation, related hubs, partners, and
    its monitoring: timeline and indicator charts, or "no figures reported". The HTML is kept once rendered
    (web/page_cache.py) until the app writes."""
    if current_staff():  # staff see the rules' full list unfolded: a page of their own, not kept for others
        return _hub_page(slug, staff=True)
    return cached_page(lambda: _hub_page(slug), packed=slug)


def _hub_page(slug: str, staff: bool = False) -> ResponseReturnValue:
    store = app_store(current_app)
    iri = record_iri(_base(), "hub", slug)
    view = cached(current_app, f"hub:{iri}", lambda: hub_view(store, iri, _base()))
    if view is None:
        abort(404)
    lang = chosen_language()
    warm = ready_reports(current_app, lang)
    if warm is not None:  # the background validation of the whole store has finished
        report = ValidationReport(warm.get(iri, []))
    else:
        report = cached(
            current_app,
            f"report:{iri}:{lang}",
            lambda: shipped_validator().validate_graph(store, hub_graph(store, iri), lang),
        )
    index = sync_index()
    related = index.related(iri, limit=10) if iri in index.hubs else []
    partners = index.partners(iri, limit=5) if iri in index.hubs else []
    suggested, confirmed = cached(current_app, f"suggestions:{iri}", lambda: hub_suggestions(store, iri, _base()))
    today = dt.date.today()
    followed = hub_monitoring_data(iri)
    monitoring = hub_summary(followed, today) if followed is not None else None
    ended = period_ended(view.get("end"), today)  # the status stays as last recorded; nothing is inferred from it
    data = {
        **view,
        "period_ended": ended,
        "validation": {"conforms": report.conforms, "results": [r.as_dict() for r in report.results]},
        "related": [r.as_dict() for r in related],
        "partners": [r.as_dict() for r in partners],
        "monitoring": monitoring,
        "suggested": [x.as_dict() for x in suggested],
        "confirmed": confirmed,
        "include_suggested": include_suggested(),
    }
    charts = hub_charts(followed, today) if followed is not None else {}
    groups = summarize(report.results)
    data["validation"]["summary"] = [g.as_dict() for g in groups]
    return respond("hub.html", data, hub=view, report=report, related=related, partners=partners,
                   monitoring=monitoring, charts=charts, rule_groups=groups, staff=staff, period_ended=ended,
                   suggested=suggested, confirmed=confirmed, derived_why=derived_why(view, lang))  # fmt: skip


def derived_why(view: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The reasons of the hub's derived links, each once with the goals it derives (a charter mapping its values to
    all 17 goals is one reason, not 17): its text in the reader's language, else in the language the data has."""
    found: dict[str, dict[str, Any]] = {}
    for goal, texts in view.get("derived", {}).items():
        own = lang if lang in texts else "en" if "en" in texts else next(iter(texts), "")
        text = texts.get(own, "")
        found.setdefault(text, {"text": text, "lang": own, "goals": []})["goals"].append(goal)
    return list(found.values())


def hub_suggestions(store: Store, iri: str, base: str) -> tuple[list[PendingLink], list[dict[str, object]]]:
    """The hub's pending suggested links (never facts, shown apart) and the links confirmed from suggestions,
    with who confirmed them and when."""
    confirmed: list[dict[str, object]] = [
        {"value": r.value, "property": r.property, "by": r.reviewed_by, "on": (r.reviewed_at or "")[:10]}
        for r in list_suggestions(store, base, hub=iri, state="confirmed")
    ]
    return pending_links(store, iri), confirmed
