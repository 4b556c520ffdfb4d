"""The Flask front end of the Local4Action Hub Graph: the app factory.

Every module of this package that defines a blueprint `bp` is registered, so that pages live in small files
of their own (web/hubs.py, web/sdg.py, ...) over the plain core in graph/.
"""

from __future__ import annotations

import importlib
import pkgutil
import secrets
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask

from l4a.graph.build import build
from l4a.graph.labels import Labels
from l4a.graph.namespaces import graph_iri
from l4a.graph.settings import Settings, load_settings
from l4a.graph.store import Store, open_store
from l4a.graph.sync import SyncIndex


def create_app(
    test_config: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
    build_if_empty: bool = False,
    warm: bool = False,
) -> Flask:
    """Make the app: settings from the environment unless given, one store opened for the app's life.

    With `warm` (what `l4a serve` asks for), the whole store is validated in the background after the start and
    after each write, so that hub pages find their reports ready.
    """
    current_settings = settings or load_settings()
    # Paths given explicitly: Flask's own search for them does not handle the `l4a` namespace package.
    here = str(Path(__file__).parent)
    app = Flask(__name__, root_path=here, instance_path=str(current_settings.data_dir / "instance"))
    app.config.from_mapping(L4A_SETTINGS=current_settings, JSON_SORT_KEYS=False)
    # Signs the session (the forms' CSRF token): the `secret_key` setting (L4A_SECRET_KEY), which `l4a serve`
    # requires; tests and development get a random key per process, so their sessions do not survive a restart.
    app.config["SECRET_KEY"] = current_settings.secret_key or secrets.token_hex(32)
    if test_config:
        app.config.from_mapping(test_config)
    current: Settings = app.config["L4A_SETTINGS"]
    from l4a.graph.errors import StoreUnavailableError

    from .unavailable import store_unavailable

    # A SPARQL server that is down, slow or answering garbage: 503 with Retry-After, never a hang or a 500.
    app.register_error_handler(StoreUnavailableError, store_unavailable)
    store = open_store(current)
    if build_if_empty and graph_iri(current.base_iri, "ontology") not in store.named_graphs():
        build(store, current.base_iri)
    app.extensions["l4a_store"] = store
    app.extensions["l4a_cache"] = {}
    app.extensions["l4a_cache_lock"] = threading.Lock()  # guards the per-key locks and the generation
    app.extensions["l4a_cache_key_locks"] = {}
    app.extensions["l4a_cache_generation"] = 0  # counts forget_caches: a value read before a write is not kept

    from .i18n import remember_language

    app.after_request(remember_language)
    for module in sorted(m.name for m in pkgutil.iter_modules([here])):
        blueprint = getattr(importlib.import_module(f"{__name__}.{module}"), "bp", None)
        if isinstance(blueprint, Blueprint):
            app.register_blueprint(blueprint)
    app.config["L4A_BLUEPRINTS"] = sorted(app.blueprints)
    app.jinja_env.globals["lang_url"] = lang_url
    app.config["L4A_WARM"] = warm
    if current.proxy_hops:  # the client's address and scheme as the trusted proxies saw them (rate limits, logs)
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = current.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if warm:
        warm_reports(app)
    return app


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
    with app.extensions["l4a_cache_lock"]:
        lock = app.extensions["l4a_cache_key_locks"].setdefault(key, threading.RLock())
        generation = app.extensions["l4a_cache_generation"]
    with lock:
        if key in cache:
            return cache[key]
        value = make()
        with app.extensions["l4a_cache_lock"]:
            if app.extensions["l4a_cache_generation"] == generation:  # no write since: keep it
                cache[key] = value
        return value


def warm_reports(app: Flask, languages: tuple[str, ...] = ("en", "fr", "es")) -> threading.Thread:
    """Read what every page needs (labels, the synchronization index, the hub table: seconds on 10k hubs) and
    validate the whole store (about 2.6 s a language on 10k hubs) in the background, so that the first visitors
    after a start or a write find them ready. A request that needs one of them meanwhile waits for the same
    computation (per-key locks of `cached`), never starts a second one."""

    def run() -> None:
        from l4a.graph.validation import owners, shipped_validator

        from .hubs import hub_table

        app_labels(app)
        app_index(app)
        with app.app_context():
            hub_table()
        store = app_store(app)
        for lang in languages:
            cached(app, f"reports:{lang}", lambda lang=lang: _reports_by_hub(store, lang, shipped_validator(), owners))

    thread = threading.Thread(target=run, name="l4a-warm-reports", daemon=True)
    thread.start()
    return thread


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


def forget_caches(app: Flask) -> None:
    """After the app wrote to the store: labels and the index are read again when next needed."""
    with app.extensions["l4a_cache_lock"]:
        app.extensions["l4a_cache_generation"] += 1
        app.extensions["l4a_cache"].clear()
        app.extensions["l4a_cache_key_locks"].clear()
        if "l4a_pages" in app.extensions:  # rendered pages (web/page_cache.py)
            app.extensions["l4a_pages"].clear()
    if app.config.get("L4A_WARM"):
        warm_reports(app)
