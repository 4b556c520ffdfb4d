"""The Flask app factory: settings, the store, and the explicit list of blueprints."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from l4a.graph.build import build
from l4a.graph.namespaces import graph_iri
from l4a.graph.settings import Settings, load_settings
from l4a.graph.store.base import Store
from l4a.graph.store.factory import open_store
from l4a.web import catalogues, ratelimit, security
from l4a.web.heap import limit_heaps, trim_after_slow_requests
from l4a.web.pages import (
    api,
    brief,
    catalogue,
    evidence,
    home,
    hubs,
    imports,
    linked_data,
    monitoring,
    network,
    observe,
    ontology,
    openapi,
    propose,
    review,
    sdg,
    search,
    sparql,
    staff,
    suggestions,
    topics,
)
from l4a.web.state import lang_url, warm_reports
from l4a.web.suggested import include_suggested, toggle_url

BLUEPRINTS = [
    security.bp,
    catalogues.bp,
    ratelimit.bp,
    home.bp,
    search.bp,
    hubs.bp,
    sdg.bp,
    topics.bp,
    network.bp,
    evidence.bp,
    catalogue.bp,
    sparql.bp,
    linked_data.bp,
    ontology.bp,
    openapi.bp,
    api.bp,
    monitoring.bp,
    brief.bp,
    propose.bp,
    staff.bp,
    review.bp,
    suggestions.bp,
    imports.bp,
    observe.bp,
]


class IsoDatesJSON(DefaultJSONProvider):
    """Flask's JSON, but a date or a time in ISO 8601 ("2021-06-28"): Flask's own default writes an HTTP date with
    a time and a zone no source gave ("Mon, 28 Jun 2021 00:00:00 GMT")."""

    @staticmethod
    def default(o: object) -> object:
        if isinstance(o, dt.date):  # a datetime is a date too
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def create_app(
    test_config: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
    build_if_empty: bool = False,
    warm: bool = False,
    store: Store | None = None,
) -> Flask:
    """Make the app: settings from the environment unless given, one store opened for the app's life.

    With `warm` (what `l4a serve` asks for), the whole store is validated in the background after the start and
    after each write, so that hub pages find their reports ready. `store`: this store rather than one opened from
    the settings (`l4a prepare` asks for pages on its read-only snapshot: web/prepare_pages.py).
    """
    current_settings = settings or load_settings()
    # Paths given explicitly: Flask's own search for them does not handle the `l4a` namespace package.
    here = str(Path(__file__).parent)
    # Absolute, as Flask requires: the data directory may be given relative to the working directory (`--data-dir d`)
    instance = (current_settings.data_dir / "instance").absolute()
    app = Flask("l4a.web", root_path=here, instance_path=str(instance))
    app.json = IsoDatesJSON(app)
    app.config.from_mapping(L4A_SETTINGS=current_settings, JSON_SORT_KEYS=False)
    # Signs the session (the forms' CSRF token): the `secret_key` setting (L4A_SECRET_KEY), which `l4a serve`
    # requires; tests and development get a random key per process, so their sessions do not survive a restart.
    app.config["SECRET_KEY"] = current_settings.secret_key or secrets.token_hex(32)
    if test_config:
        app.config.from_mapping(test_config)
    current: Settings = app.config["L4A_SETTINGS"]
    from l4a.graph.errors import StoreUnavailableError
    from l4a.web.unavailable import store_unavailable

    # A SPARQL server that is down, slow or answering garbage: 503 with Retry-After, never a hang or a 500.
    app.register_error_handler(StoreUnavailableError, store_unavailable)
    from l4a.web.preparing import Preparing, track_requests
    from l4a.web.preparing_page import being_prepared

    app.register_error_handler(Preparing, being_prepared)  # a page waiting for a value still being computed
    store = store if store is not None else open_store(current)
    if build_if_empty and graph_iri(current.base_iri, "ontology") not in store.named_graphs():
        build(store, current.base_iri)
    app.extensions["l4a_store"] = store
    app.extensions["l4a_cache"] = {}
    app.extensions["l4a_cache_lock"] = threading.Lock()  # guards the per-key locks and the generation
    app.extensions["l4a_cache_key_locks"] = {}
    app.extensions["l4a_cache_generation"] = 0  # counts forget_caches: a value read before a write is not kept

    from l4a.web.i18n import remember_language
    from l4a.web.page_cache import remember_generation

    app.before_request(remember_generation)  # what a download sent later was made from (web/page_cache.py)
    app.after_request(remember_language)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.config["L4A_BLUEPRINTS"] = sorted(app.blueprints)
    app.jinja_env.globals["lang_url"] = lang_url
    app.jinja_env.globals["include_suggested"] = include_suggested
    app.jinja_env.globals["suggested_toggle_url"] = toggle_url
    app.config["L4A_WARM"] = warm
    # l4a serve: a page that would wait longer for a whole-store value says "being prepared" (web/preparing.py)
    app.config.setdefault("L4A_PREPARE_SECONDS", current.prepare_seconds if warm else None)
    if current.proxy_hops:  # the client's address and scheme as the trusted proxies saw them (rate limits, logs)
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = current.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if warm:
        limit_heaps()  # before the warm-up's and the server's threads: at most two C heaps (web/heap.py)
        trim_after_slow_requests(app)
        track_requests(app)  # the warm-up gives way to readers (web/preparing.py)
        warm_reports(app)
    from l4a.web.replicas import install

    install(app)  # with a SPARQL server: see the writes of other `l4a serve` processes on it
    return app
