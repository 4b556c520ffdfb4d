"""The SPARQL 1.1 endpoint: /sparql answers queries (GET, POST form, POST application/sparql-query) for anyone,
with CORS; /sparql/update runs updates for the holder of the write token or a staff token; a browser gets a
query page."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape

import pyoxigraph as ox
from babel.numbers import get_group_symbol
from flask import Blueprint, Response, current_app, make_response, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from l4a.graph.errors import QueryLimitError, StoreError, UsageError
from l4a.graph.i18n.words import N_
from l4a.graph.namespaces import PREFIXES, sparql_prefixes
from l4a.graph.resources import internal_query, query_body
from l4a.graph.settings import Settings
from l4a.graph.sparql.check import QUERY_MAX_CHARS, UPDATE_MAX_CHARS, SparqlRefused
from l4a.graph.sparql.guard import RUN_STACK, guarded_query, guarded_update, with_stack
from l4a.graph.sparql.protocol import (
    FORMAT_NAMES,
    GRAPH_FORMATS,
    SD_PREFIXES,
    Answer,
    media_types_for,
    run_query,
    service_description,
    write_answer,
    write_graph,
)
from l4a.graph.sparql.queries import named_queries
from l4a.graph.staff import accounts, staff_for_token
from l4a.graph.store.sparql_text import iri_text
from l4a.graph.store.workers import default_size
from l4a.web.answer_cache import answer_cache, answer_key, first_asker, keep, kept_response
from l4a.web.fair_share import RETRY_AFTER_SECONDS, ClientShares
from l4a.web.i18n import chosen_language
from l4a.web.negotiate import (
    HTML,
    JSON,
    best_offer,
    chosen_type,
    content_type,
    not_acceptable,
    text_response,
)
from l4a.web.pages.catalogue import query_text, shown_in_english
from l4a.web.render import respond
from l4a.web.security import CONTENT_SECURITY_POLICY
from l4a.web.state import app_store, cached, forget_caches
from l4a.web.terms import results_table

bp = Blueprint("sparql", __name__)
# Why a request is refused, by reason (the parser's or store's own words follow where there are any).
ERRORS = {
    "missing": N_("No query was given: send one in the 'query' parameter."),
    "both": N_("A query and an update were sent together: send one or the other."),
    "several": N_("More than one query or update was sent: send exactly one."),
    "update": N_("This endpoint only answers queries. Updates go to /sparql/update, with the write token."),
    "query": N_("This is the update endpoint: send queries to /sparql."),
    "media-type": N_("This content type is not part of the SPARQL protocol; use a form "
                     "(application/x-www-form-urlencoded), application/sparql-query or application/sparql-update:"),
    "malformed": N_("The query is not valid SPARQL 1.1:"),
    "too-long": N_("The text is too long for this endpoint."),
    "service": N_("SERVICE (federated queries to other endpoints) is not allowed here."),
    "load": N_("LOAD is not allowed over HTTP: load files with `l4a import` on the server."),
    "using": N_("using-graph-uri and using-named-graph-uri are not supported: name the graphs with USING or WITH in "
                "the update."),
    "store": N_("The store could not answer this request; try again in a moment (the details are in the server's "
                "log)."),
    "updates-off": N_("Updates over HTTP are off: the server has no write token (L4A_WRITE_TOKEN)."),
    "token": N_("Updates need the write token: send the header 'Authorization: Bearer <token>'."),
    "limit-time": N_("The query ran longer than this endpoint's time limit and was stopped; ask for less (LIMIT, "
                     "narrower patterns, fewer OPTIONALs)."),
    "limit-memory": N_("The query needed more memory than one query may use and was stopped; ask for less (LIMIT, "
                       "narrower patterns, no ORDER BY over everything)."),
    "limit-busy": N_("The server is busy with other queries; try again in a moment."),
    "too-complex": N_("The text is too complex for this endpoint to read:"),
    "escape": N_("A codepoint escape (\\u or \\U) cannot be used here:"),
    "limit-size": N_("The answer is larger than this endpoint sends and was stopped; ask for less (LIMIT, fewer or "
                     "shorter columns, no GROUP_CONCAT over everything)."),
    "limit-share": N_("You are already running as many queries at once as one client may here; wait for them, then "
                      "try again."),
}  # fmt: skip
log = logging.getLogger(__name__)

PAGE_PARAMETERS = {"lang", "example"}  # the query page's own; any other parameter without a query is a 400
QUERY_TYPE, UPDATE_TYPE = "application/sparql-query", "application/sparql-update"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Type",
    "Access-Control-Max-Age": "86400",
}
STATUS = {"update": 403, "too-long": 413, "media-type": 415, "store": 500, "limit-size": 400}
STATUS |= {f"limit-{limit}": 503 for limit in ("time", "memory", "busy", "share")}
EXAMPLE_QUERY = query_body(internal_query("sparql-editor-example"))

# The site's CSP (web/security.py) with one exception, on this page only: the result table of the vendored YASGUI
# (its column-resizer) inserts one fixed <style> element of layout rules. Its hash allows exactly that text, not
# inline styles in general; with a new YASGUI build, tests/test_sparql_editor.py reports the new hash to put here.
EDITOR_STYLE_HASH = "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='"
EDITOR_CSP = CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' {EDITOR_STYLE_HASH}")


@dataclass
class ProtocolRequest:
    """What a client sent, whichever way it sent it."""

    queries: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def read_request() -> ProtocolRequest | None:
    """The request's queries, updates and graphs; None for a POST body of a type the protocol does not know."""
    args = request.args
    sent = ProtocolRequest(
        args.getlist("query"),
        args.getlist("update"),
        args.getlist("default-graph-uri"),
        args.getlist("named-graph-uri"),
    )
    if request.method != "POST":
        return sent
    if request.mimetype == QUERY_TYPE:
        sent.queries.append(request.get_data(as_text=True))
    elif request.mimetype == UPDATE_TYPE:
        sent.updates.append(request.get_data(as_text=True))
    elif request.mimetype in FORM_TYPES:
        form = request.form
        sent.queries += form.getlist("query")
        sent.updates += form.getlist("update")
        sent.default_graphs += form.getlist("default-graph-uri")
        sent.named_graphs += form.getlist("named-graph-uri")
    else:
        return None
    return sent


def settings() -> Settings:
    """The app's settings."""
    found: Settings = current_app.config["L4A_SETTINGS"]
    return found


def with_cors(response: Response) -> Response:
    """Browser clients on other sites may read what the read-only endpoint answers."""
    response.headers.update(CORS)
    return response


def endpoint_url(path: str = "sparql") -> str:
    """The endpoint's own URL, as the client reached it."""
    return request.host_url + path


def example_text(name: str) -> str | None:
    """A named query's text for the editor."""
    query = named_queries().get(name)
    return query.text if query else None


def editor_words() -> dict[str, object]:
    """The words YASGUI lets a page set, in the reader's language (static/sparql-editor.js hands them over): its tab's
    name, and the language of the results table (DataTables' `language`: the count of rows, the empty table, the
    page buttons' names, the thousands separator). YASGUI's other words (its toolbar's "Simple view", "Ellipse",
    "Filter query results", "Page size", the "Table" and "Response" tabs, "n results in s seconds") are written in
    its code with no setting: they stay English."""
    group = get_group_symbol(chosen_language())
    return {
        "tabName": gettext("Query"),
        "table": {
            "info": gettext("Rows %(start)s to %(end)s of %(total)s", start="_START_", end="_END_", total="_TOTAL_"),
            "infoEmpty": gettext("No row"),
            "infoFiltered": gettext("(filtered from %(total)s)", total="_MAX_"),
            "emptyTable": gettext("The answer has no row."),
            "zeroRecords": gettext("No row matches this filter."),
            "thousands": group,
            "aria": {
                "paginate": {"first": gettext("First page"), "previous": gettext("Previous page"),
                             "next": gettext("Next page"), "last": gettext("Last page")},
                "orderable": gettext(": activate to sort"),
                "orderableReverse": gettext(": activate to reverse the order"),
                "orderableRemove": gettext(": activate to remove the order"),
            },
        },
    }


def show_page(query: str | None = None, **extra: object) -> ResponseReturnValue:
    """The query page: editor, prefixes, examples; the answer or an error when there is one."""
    public = [q for q in named_queries().values() if not q.internal]  # internal ones serve the code, not the reader
    data = {
        "endpoint": endpoint_url(),
        "update_endpoint": endpoint_url("sparql/update") if accounts(settings()) else None,
        "prefixes": PREFIXES,
        "examples": [
            {"name": q.name, "title": query_text(q.title), "description": query_text(q.description), "text": q.text}
            for q in public
        ],
        "query": query or example_text(request.args.get("example", "")) or EXAMPLE_QUERY,
    }
    page = respond(
        "sparql.html", data, formats=FORMAT_NAMES, prefix_lines=sparql_prefixes(), prefixes_json=json.dumps(PREFIXES),
        editor_words=json.dumps(editor_words(), ensure_ascii=False),
        in_english={q.name for q in public if shown_in_english(q.description)}, **extra,
    )
    response = make_response(page)
    if response.mimetype == HTML:
        response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


def message(reason: str, detail: str = "") -> str:
    """The message for a refusal in the reader's language, followed by the parser's or store's own words."""
    return f"{gettext(ERRORS[reason])} {detail}".strip()


def refused(reason: str, detail: str = "") -> ResponseReturnValue:
    """A protocol error: on the query page for a browser, as plain text for a program (never a traceback)."""
    status = STATUS.get(reason, 400)
    text = message(reason, detail)
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else {}
    if best_offer(["text/plain", HTML]) == HTML:
        query = request.get_data(as_text=True) if request.mimetype == QUERY_TYPE else request.values.get("query")
        page = make_response(show_page(query, error=text))
        page.status_code = status
        page.headers.update(retry)
        return with_cors(page)
    answer = text_response(text, status)
    answer.headers.update(retry)
    return with_cors(answer)


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], endpoint="page")
def endpoint() -> ResponseReturnValue:
    """The SPARQL 1.1 Protocol query endpoint, and the query page for browsers."""
    if request.method == "OPTIONS":
        return with_cors(Response(status=204))
    if (request.content_length or 0) > 4 * QUERY_MAX_CHARS:  # refused before the body is read
        return refused("too-long")
    sent = read_request()
    if sent is None:
        return refused("media-type", request.mimetype)
    if sent.queries and sent.updates:
        return refused("both")
    if sent.updates:
        return refused("update")
    if len(sent.queries) > 1:
        return refused("several")
    if not sent.queries:
        if request.method == "GET" and set(request.args) <= PAGE_PARAMETERS:
            return describe_service()
        return refused("missing")  # parameters (a graph, a format) but no query: the protocol's 400
    key = answer_key(sent.queries[0], sent.default_graphs, sent.named_graphs)
    if (kept := answer_cache(current_app).get(key)) is not None:  # the same question since the last write
        return with_cors(kept_response(kept))
    with client_shares().slot(request.remote_addr or "") as allowed:
        if not allowed:  # this client already runs (or waits for) its share of the workers
            return refused("limit-share")
        # Waiting for another client's run of the same question holds this client's share: a client cannot park
        # more requests on one slow question than its share (each holds a server thread).
        with first_asker(current_app, key, settings().query_timeout) as first:
            if not first and (kept := answer_cache(current_app).get(key)) is not None:  # made meanwhile
                return with_cors(kept_response(kept))
            generation = current_app.extensions["l4a_cache_generation"]
            answer = answer_query(sent)
            if isinstance(answer, Response):
                keep(current_app, key, answer, generation, HTML)
            return answer


def client_shares() -> ClientShares:
    """The app's per-client shares of the query workers (half of them each, at least one)."""
    found = current_app.extensions.get("l4a_client_shares")
    if found is None:
        workers = settings().query_workers or default_size()
        found = current_app.extensions.setdefault("l4a_client_shares", ClientShares(workers // 2))
    assert isinstance(found, ClientShares)
    return found


def describe_service() -> ResponseReturnValue:
    """No query: the service description for RDF clients, the query page for browsers (its data as JSON)."""
    offers = [*GRAPH_FORMATS, HTML, JSON]
    chosen = chosen_type(offers)
    if chosen is None:  # e.g. a SPARQL client that forgot its query
        return refused("missing")
    if chosen in (HTML, JSON):
        return show_page()
    update = endpoint_url("sparql/update") if accounts(settings()) else None
    title, endpoint, lang = gettext("Local4Action Hub Graph"), endpoint_url(), chosen_language()
    if not (valid_iri(endpoint) and (update is None or valid_iri(update))):
        return text_response(f"The address this request was sent to is not an IRI: {endpoint}", 400)

    def make() -> bytes:  # every named graph is listed: 2 MB on 10k hubs, written once until the app writes
        service, updates = STAND_INS
        graphs = app_store(current_app).named_graphs()
        description = service_description(service, graphs, title, updates if update else None, lang)
        return write_graph(description, GRAPH_FORMATS[chosen], SD_PREFIXES)

    # Kept without the address the client used (any host name may reach the server): written in afterwards, so the
    # description made by `l4a prepare` serves every address.
    made = cached(current_app, f"service description {chosen} {update is not None} {title} {lang}", make)
    body = with_endpoints(made, chosen, endpoint, update)
    response = Response(body, content_type=content_type(chosen))
    response.vary.add("Accept")
    return with_cors(response)


# Written in the kept service description where the endpoints' addresses go (no other IRI of it looks like them).
STAND_INS = ("urn:l4a:stand-in:sparql-endpoint:4d1c", "urn:l4a:stand-in:sparql-update-endpoint:4d1c")


def valid_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def with_endpoints(made: bytes | str, chosen: str, endpoint: str, update: str | None) -> bytes:
    """The kept description with the endpoints' addresses written where their stand-ins are (escaped for
    RDF/XML; an IRI holds nothing else that any of the formats would escape)."""
    body = made.encode() if isinstance(made, str) else made
    for stand_in, address in zip(STAND_INS, (endpoint, update or ""), strict=True):
        text = xml_escape(address, {'"': "&quot;", "'": "&apos;"}) if chosen == "application/rdf+xml" else address
        body = body.replace(stand_in.encode(), text.encode())
    return body


def answer_query(sent: ProtocolRequest) -> ResponseReturnValue:
    """Check the query, choose the format, run it within the limits, write the answer."""
    current = settings()
    try:
        # Read in a worker process within the time limit, never in this one (sparql_guard).
        based = with_base(sent.queries[0])
        checked = guarded_query(based, current.query_timeout)
    except SparqlRefused as exc:  # positions on the first line as the client wrote it, without our BASE
        return refused(exc.reason, first_line_shifted(exc.detail, len(based) - len(sent.queries[0])))
    except QueryLimitError as exc:
        return refused(f"limit-{exc.limit}")
    offers = [*media_types_for(checked.form), HTML]
    chosen = chosen_type(offers)
    if chosen is None:
        return with_cors(not_acceptable(offers[:-1]))
    store = app_store(current_app)
    try:
        answer = run_query(
            store, checked, sent.default_graphs, sent.named_graphs, current.query_timeout, current.row_cap,
            current.answer_bytes,
        )
    except QueryLimitError as exc:
        return refused(f"limit-{exc.limit}")
    except UsageError as exc:
        return refused("malformed", str(exc))
    except StoreError as exc:  # the store's own words stay in the server's log
        log.error("/sparql: %s", exc)
        return refused("store")
    if chosen == HTML:
        return show_answer(answer, sent.queries[0])
    response = Response(write_answer(answer.result, chosen), content_type=content_type(chosen))
    response.vary.add("Accept")
    if answer.truncated:
        response.headers["X-SPARQL-MaxRows"] = str(current.row_cap)
    return with_cors(response)


def with_base(text: str) -> str:
    """The query with the endpoint's URL as its base, so relative IRIs resolve as the protocol tests expect (a
    BASE of the query's own, written after ours, still wins)."""
    try:
        base = iri_text(endpoint_url())
    except UsageError:  # a Host header that makes no IRI: no base
        return text
    return f"BASE {base} {text}"


FIRST_LINE = re.compile(r"(line 1, column |\b1:)(\d+)")


def first_line_shifted(detail: str, shift: int) -> str:
    """A parser's message with columns of line 1 moved back by `shift` characters (the BASE put in front)."""
    return FIRST_LINE.sub(lambda m: f"{m.group(1)}{max(1, int(m.group(2)) - shift)}", detail) if shift else detail


def show_answer(answer: Answer, text: str) -> ResponseReturnValue:
    """The answer as a table under the editor."""
    current = settings()
    table = results_table(answer.result, current.base_iri)
    downloads = [name for name, media_type in FORMAT_NAMES.items() if media_type in media_types_for(answer.query.form)]
    return show_page(
        text, table=table, truncated=answer.truncated, row_cap=current.row_cap, download_formats=downloads
    )


@bp.post("/sparql/update")
def update() -> ResponseReturnValue:
    """SPARQL 1.1 Update, for the holder of the write token or a staff member's token (Authorization: Bearer ...)."""
    if not accounts(settings()):  # no write token and no staff: updates are off
        return text_response(message("updates-off"), 403)
    if (request.content_length or 0) > 4 * UPDATE_MAX_CHARS:
        return text_response(message("too-long"), 413)
    given = request.headers.get("Authorization", "")
    scheme, _, credential = given.partition(" ")
    # Only hashes are held; staff_for_token compares them in constant time with every account's.
    if scheme.lower() != "bearer" or staff_for_token(settings(), credential.strip()) is None:
        response = text_response(message("token"), 401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="l4a"' + (', error="invalid_token"' if given else "")
        return response
    sent = read_request()
    if sent is None:
        return text_response(message("media-type", request.mimetype), 415)
    if sent.queries:
        return text_response(message("both" if sent.updates else "query"), 400)
    if request.values.getlist("using-graph-uri") or request.values.getlist("using-named-graph-uri"):
        return text_response(message("using"), 400)
    if len(sent.updates) > 1:
        return text_response(message("several"), 400)
    text = sent.updates[0] if sent.updates else None
    store = app_store(current_app)
    try:
        checked = guarded_update(text, settings().query_timeout)  # read and tried in a worker process first
        with_stack(lambda: store.update(checked), RUN_STACK)
    except SparqlRefused as exc:
        return text_response(message(exc.reason, exc.detail), STATUS.get(exc.reason, 400))
    except UsageError as exc:
        return text_response(message("malformed", str(exc)), 400)
    except QueryLimitError as exc:
        busy = text_response(message(f"limit-{exc.limit}"), 503)
        busy.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return busy
    except StoreError as exc:
        log.error("/sparql/update: %s", exc)
        return text_response(message("store"), 500)
    forget_caches(current_app)
    return Response(status=204)
