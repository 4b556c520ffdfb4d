"""What the app keeps, brought up to date after a write that changed a few hubs (accept, a figure, an import of hub
graphs): the synchronization index, the hub table and the validation reports are updated for those hubs only, in
the background; everything else is read again when next needed. Nothing here re-reads or re-validates the whole
store, so a write cannot be used as a lever to make the server redo seconds of work (issue 15).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Collection
from typing import Any

from flask import Flask

from l4a.graph.namespaces import graph_iri, record_iri
from l4a.graph.store.base import Store
from l4a.graph.sync.index import SyncIndex
from l4a.web.announce import announce as announce_write
from l4a.web.state import app_store

REPORTS = "reports:"


def real_app(app: Flask) -> Flask:
    """The app object itself, never the request-bound `current_app` proxy (threads outlive the request)."""
    found = getattr(app, "_get_current_object", None)
    real: Flask = found() if callable(found) else app
    return real


def hub_of_graph(graph: str, base: str) -> str | None:
    """The hub whose record a named graph holds (graph/hub/<slug>), or None."""
    prefix = graph_iri(base, "hub/")
    if not graph.startswith(prefix) or "/" in graph.removeprefix(prefix):
        return None
    return record_iri(base, "hub", graph.removeprefix(prefix))


def refresh_hubs(app: Flask, hubs: Collection[str], wait: bool = False, announce: bool = True) -> threading.Thread:
    """After a write that changed only these hubs' records: forget the cached values and rendered pages, and put
    back the expensive whole-store ones (index, hub table, reports) updated for these hubs only; `announce`: tell
    the other processes on the same SPARQL server (web/replicas.py)."""
    app = real_app(app)
    if announce:
        announce_write(app, hubs=hubs)
    extensions = app.extensions
    with extensions["l4a_cache_lock"]:
        extensions["l4a_cache_generation"] += 1
        generation = extensions["l4a_cache_generation"]
        cache: dict[str, Any] = extensions["l4a_cache"]
        kept = {k: v for k, v in cache.items() if k in ("index", "hub_table") or k.startswith(REPORTS)}
        cache.clear()
        extensions["l4a_cache_key_locks"].clear()
        if "l4a_pages" in extensions:
            extensions["l4a_pages"].clear()

    def run() -> None:
        store = app_store(app)
        base = app.config["L4A_SETTINGS"].base_iri
        updated: dict[str, Any] = {}
        for key, value in kept.items():
            if key == "index":
                updated[key] = _index_with(value, store, hubs)
            elif key == "hub_table":
                updated[key] = value.with_hubs(store, hubs)
            else:
                updated[key] = _reports_with(value, store, hubs, key.removeprefix(REPORTS), base)
        with extensions["l4a_cache_lock"]:
            if extensions["l4a_cache_generation"] == generation:  # no other write since
                for key, value in updated.items():
                    cache.setdefault(key, value)

    thread = threading.Thread(target=run, name="l4a-refresh-hubs", daemon=True)
    thread.start()
    if wait:
        thread.join()
    return thread


def _index_with(index: SyncIndex, store: Store, hubs: Collection[str]) -> SyncIndex:
    fresh = copy.deepcopy(index)  # readers keep using the old one meanwhile
    for hub in hubs:
        fresh.refresh_hub(store, hub)
    return fresh


def _reports_with(
    by_hub: dict[str, list[Any]], store: Store, hubs: Collection[str], lang: str, base: str
) -> dict[str, list[Any]]:
    from l4a.graph.shacl.validation import shipped_validator

    fresh = {hub: results for hub, results in by_hub.items() if hub not in hubs}
    validator = shipped_validator()
    for hub in hubs:
        graph = graph_iri(base, "hub/" + hub.rsplit("/", 1)[-1])
        results = validator.validate_graph(store, graph, lang).results
        if results:
            fresh[hub] = list(results)
    return fresh
