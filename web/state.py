"""What the app keeps between requests: the store, cached values (labels, the sync index, reports) and their
refresh after writes."""

from __future__ import annotations

import gc
import threading
from typing import Any

from flask import Flask

from l4a.graph.labels import Labels
from l4a.graph.reports.hub_table import HubTable
from l4a.graph.store.base import Store
from l4a.graph.store.derived import cells, derived
from l4a.graph.sync.index import SyncIndex
from l4a.web.announce import announce as announce_write
from l4a.web.catalogues import load_languages
from l4a.web.hub_pack import open_pack
from l4a.web.preparing import budget, in_background, wait_for_quiet


def lang_url(code: str) -> str:
    """This page in another language (its other query parameters kept)."""
    from urllib.parse import urlencode

    from flask import request

    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def app_store(app: Flask) -> Store:
    """The store the app was made with."""
    store: Store = app.extensions["l4a_store"]
    return store


def cached(app: Flask, key: str, make: Any) -> Any:
    """A value computed once from the store and kept until the app writes (forget_caches).

    One lock per key: two requests needing the same value compute it once, while a value that takes long (the
    home page's counts: seconds on 10k hubs) does not hold up requests that need other values. A cached value may
    need another (the network needs the index); none needs itself, so per-key locks cannot deadlock.
    """
    cache: dict[str, Any] = app.extensions["l4a_cache"]
    try:
        return cache[key]
    except KeyError:
        pass
    # Under `l4a serve`, a page that would wait long for a whole-store value answers "being prepared" instead.
    if key.startswith(PREPARED) and not key.startswith(DRAWN) and (wait := budget(app)) is not None:
        return in_background(app, key, lambda: cached(app, key, make), wait)
    with app.extensions["l4a_cache_lock"]:
        lock = app.extensions["l4a_cache_key_locks"].setdefault(key, threading.RLock())
        generation = app.extensions["l4a_cache_generation"]
    with lock:
        if key in cache:
            return cache[key]
        # Whole-store values are also kept on disk for the next start (graph/store/derived.py).
        persisted = key.startswith(PERSISTED)
        value = derived(app_store(app), _persisted_name(app, key), make) if persisted else make()
        weight = 0 if key.startswith(WHOLE_STORE) else cells(value)
        if weight > CACHE_CELLS // 4:  # a value of one request too big to keep beside the others (see _bound)
            return value
        with app.extensions["l4a_cache_lock"]:
            if app.extensions["l4a_cache_generation"] == generation:  # no write since: keep it
                cache[key] = value
                weights = app.extensions.setdefault("l4a_cache_weights", {})
                weights[key] = weight
                _bound(cache, app.extensions["l4a_cache_key_locks"], weights)
        return value


# Values of the whole store that the pages compute, kept on disk too (graph/store/derived.py): a start finds them
# ready when the store has not changed since. (The hub table, the index and the network keep themselves.)
PERSISTED = (
    *("reports:", "labels", "targets", "goal_counts", "derived_goals", "gaps ", "gaps:", "evidence all"),
    *("dashboard:", "stats", "newest", "ontology_doc", "search", "topic_kinds", "coverage", "records:"),
    *("network page", "network layout", "manifesto counts", "council counts", "service description", "form_options"),
)
# Values that take seconds on a big store: under `l4a serve`, a page waiting for one answers "being prepared".
PREPARED = (*PERSISTED, "index", "hub_table", "network", "evidence compact")  # (the last kept by graph/sparql)
DRAWN = ("network page",)  # drawn in the reader's language, with the request's links: not on a thread of its own
MAX_CACHED = 2048  # values kept per app: keys made from requests (a hub, a council, a day) cannot grow it further
WHOLE_STORE = ("labels", "index", "hub_table", "stats", "goal_counts", "newest", "network", "reports:", "search",
               "evidence compact")  # fmt: skip
CACHE_CELLS = 1_000_000  # values (a term, a cell) the per-request values may hold together: about 100 MB
PRELOADED_HUBS = 20_000  # up to this many hubs, the warm-up also reads what no first request needs (warm_reports)


def _bound(cache: dict[str, Any], key_locks: dict[str, Any], weights: dict[str, int]) -> None:
    """Forget the oldest per-request values (a council's brief, a filter's rows) once there are more than MAX_CACHED
    or they hold more than CACHE_CELLS values (graph/store/derived.py `cells`): at 100k hubs one filter's evidence
    is 30k rows, and a server that kept each one asked for would outgrow its memory. Whole-store ones stay."""
    for gone in [key for key in weights if key not in cache]:  # forgotten by a write (forget_caches)
        del weights[gone]
    total = sum(weights.values())
    if len(cache) <= MAX_CACHED and total <= CACHE_CELLS:
        return
    for key in [k for k in cache if not k.startswith(WHOLE_STORE)]:
        if len(cache) <= MAX_CACHED and total <= CACHE_CELLS:
            break
        del cache[key]
        total -= weights.pop(key, 0)
        key_locks.pop(key, None)


def warm_reports(app: Flask, languages: tuple[str, ...] = ("en", "fr", "es")) -> threading.Thread:
    """Read what every page needs (labels, the sync index, the hub table, the shapes: seconds on 10k hubs) and
    validate the whole store (about 2.6 s a language on 10k hubs) in the background, so that the first visitors
    after a start or a write find them ready. A request that needs one of them meanwhile waits for the same
    computation (per-key locks of `cached`), never starts a second one. `app.extensions["l4a_ready"]` is set once
    the labels, the index, the hub table and the compiled templates are there (`l4a serve` waits for it, for
    `ready_seconds` at most, before it opens its port)."""

    ready = app.extensions.setdefault("l4a_ready", threading.Event())

    def run() -> None:
        from l4a.graph.shacl.validation import shipped_validator
        from l4a.graph.sparql.queries import load_narrowings

        try:
            app_labels(app)
            app_index(app)
            app_hub_table(app)
            for name in app.jinja_env.list_templates(extensions=["html"]):  # compiled once, not by a first reader
                app.jinja_env.get_template(name)
            load_languages(app, languages)  # Babel's locale data and the catalogues, not read by a first reader
            shipped_validator()  # the shapes (0.4 s): a hub page validates its own hub until the whole store's are read
            # Prepared: one read (0.1-0.3 s on 10k hubs) spares every hub page of the default language its own hundred
            # checks (about 15 ms). Not on a store of more than PRELOADED_HUBS hubs: there the hub pack answers those
            # pages (web/hub_pack.py), and the results would take 450 MB at 100k hubs.
            if len(app_index(app).hubs) <= PRELOADED_HUBS and reports_kept(app, languages[0]):
                store_reports(app, languages[0])
            open_pack(app, app.config["L4A_SETTINGS"].languages[0])  # every hub's page, when prepared for today
            _freeze()
        finally:
            ready.set()  # what every page needs is there (or failed: a page then says so itself)
        # Then, in moments when no reader waits: what makes later pages quicker but none needs to answer (a hub
        # page validates its own hub until the whole store's results are read; a filtered named query reads what
        # it is cut from when first asked). The validation results and the named queries' cuts only on a store of
        # at most PRELOADED_HUBS hubs: they take about 100 MB of memory per 10k hubs a language, which at 100k hubs
        # would take a server past 2 GB for pages that may never be asked for (`l4a prepare` keeps every filter
        # value's answer of the named queries there: graph/sparql/queries.py prepare_filter_values).
        small = len(app_index(app).hubs) <= PRELOADED_HUBS
        wait_for_quiet(app)
        if small:
            load_narrowings(app_store(app), app.config["L4A_SETTINGS"].base_iri)
        read = False
        for lang in languages if small else ():
            if ready_reports(app, lang) is None:
                wait_for_quiet(app)
                store_reports(app, lang)
                read = True
        if small or read:
            wait_for_quiet(app)
            _freeze()

    thread = threading.Thread(target=run, name="l4a-warm-reports", daemon=True)
    thread.start()
    return thread


def _freeze() -> None:
    """Set what the warm-up read apart from the cyclic garbage collector: it stays until a write, and each of the
    collector's full passes would otherwise walk it all (millions of objects at 100k hubs: a second during which
    every request waits). Garbage is collected first, so none is kept for good."""
    gc.collect()
    gc.freeze()


def store_reports(app: Flask, lang: str) -> dict[str, list[Any]]:
    """The whole store's validation results by hub in `lang` (kept on disk: `l4a prepare` makes them too)."""
    from l4a.graph.shacl.validation import owners, shipped_validator

    store = app_store(app)
    found: dict[str, list[Any]] = cached(
        app, f"reports:{lang}", lambda: _reports_by_hub(store, lang, shipped_validator(), owners)
    )
    return found


def reports_kept(app: Flask, lang: str) -> bool:
    """Whether the whole store's validation results in `lang` are kept on disk for its state (`l4a prepare`)."""
    from l4a.graph.store.derived import is_kept

    return is_kept(app_store(app), _persisted_name(app, f"reports:{lang}"))


def _persisted_name(app: Flask, key: str) -> str:
    """The name a PERSISTED value is kept under on disk (graph/store/derived.py)."""
    base = app.config["L4A_SETTINGS"].base_iri if "L4A_SETTINGS" in app.config else ""
    return f"web:{base}:{key}"


def _reports_by_hub(store: Store, lang: str, validator: Any, owners_of: Any) -> dict[str, list[Any]]:
    report = validator.validate_store(store, lang)
    owner = owners_of(store)
    by_hub: dict[str, list[Any]] = {}
    for result in report.results:
        by_hub.setdefault(owner.get(result.focus, result.focus), []).append(result)
    return by_hub


def ready_reports(app: Flask, lang: str) -> dict[str, list[Any]] | None:
    """The whole store's results by hub in `lang`, if the background validation has finished."""
    found: dict[str, list[Any]] | None = app.extensions["l4a_cache"].get(f"reports:{lang}")
    return found


def app_labels(app: Flask) -> Labels:
    """Every label of the store, read once (and again after the app writes)."""
    labels: Labels = cached(app, "labels", lambda: Labels.from_store(app_store(app)))
    return labels


def app_index(app: Flask) -> SyncIndex:
    """The synchronization index (related hubs, partners), built once and kept current by the app's writes."""
    index: SyncIndex = cached(app, "index", lambda: SyncIndex.from_store(app_store(app)))
    return index


def app_suggested_index(app: Flask) -> SyncIndex:
    """The index counting pending suggestions as links (each reason that counted one marked), built from the default
    index only when a reader asks for it (`?include_suggested=1`), and kept like it until the app writes."""
    from l4a.graph.sync.suggested import SuggestedIndex

    index: SyncIndex = cached(
        app, "index:suggested", lambda: SuggestedIndex.from_index(app_index(app), app_store(app))
    )
    return index


def forget_caches(app: Flask, announce: bool = True) -> None:
    """After the app wrote to the store: labels and the index are read again when next needed (and, `announce`,
    other processes on the same SPARQL server are told: web/replicas.py)."""
    getter = getattr(app, "_get_current_object", None)  # the app itself: the warm-up thread outlives the request
    app = getter() if callable(getter) else app
    if announce:
        announce_write(app, everything=True)
    with app.extensions["l4a_cache_lock"]:
        app.extensions["l4a_cache_generation"] += 1
        app.extensions["l4a_cache"].clear()
        app.extensions["l4a_cache_key_locks"].clear()
        if "l4a_pages" in app.extensions:  # rendered pages (web/page_cache.py)
            app.extensions["l4a_pages"].clear()
        if "l4a_answers" in app.extensions:  # SPARQL answers (web/answer_cache.py)
            app.extensions["l4a_answers"].clear()
    if app.config.get("L4A_WARM"):
        warm_reports(app)


def app_hub_table(app: Flask) -> HubTable:
    """The table of every hub (lists, filters, counts), read once and again after the app writes."""
    table: HubTable = cached(app, "hub_table", lambda: HubTable.from_store(app_store(app)))
    return table


def hub_table() -> HubTable:
    """The hub table of the app serving this request."""
    from flask import current_app

    return app_hub_table(current_app)


def evidence_items(given: dict[str, str]) -> list[dict[str, str]]:
    """The rows of the named query evidence-for with these filters, as plain values, kept until the app writes
    (read as text where `l4a prepare` kept the answer: no term is made for a page that shows values)."""
    from flask import current_app

    from l4a.graph.sparql.compact_rows import plain_rows
    from l4a.graph.sparql.queries import named_query_compact

    def make() -> list[dict[str, str]]:
        base = current_app.config["L4A_SETTINGS"].base_iri
        return plain_rows(named_query_compact(app_store(current_app), "evidence-for", given, base))

    found: list[dict[str, str]] = cached(current_app, f"evidence-for {sorted(given.items())}", make)
    return found
