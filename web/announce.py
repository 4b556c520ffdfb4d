"""Telling the other `l4a serve` processes on the same SPARQL server about a write of this one (a change record in
the store-generation graph: graph/store/generation.py; they read it in web/replicas.py). Nothing to do with the
embedded store, which has one process."""

from __future__ import annotations

from collections.abc import Collection

from flask import Flask

from l4a.graph.settings import Settings
from l4a.graph.store.base import Store
from l4a.graph.store.generation import record_change


def shared(app: Flask) -> bool:
    """Whether other processes may write to this app's store (a SPARQL server)."""
    settings: Settings = app.config["L4A_SETTINGS"]
    return settings.store == "sparql"


def announce(app: Flask, hubs: Collection[str] = (), sessions: Collection[str] = (), everything: bool = False) -> None:
    """Record a write of this process for the others: these hubs, these ended sessions, or anything."""
    if shared(app):
        store: Store = app.extensions["l4a_store"]
        base = app.config["L4A_SETTINGS"].base_iri
        record_change(store, base, hubs, sessions, everything or (not hubs and not sessions))
