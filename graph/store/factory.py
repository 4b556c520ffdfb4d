"""Opening the store the settings name: the embedded Oxigraph store or a remote SPARQL server."""

from __future__ import annotations

from l4a.graph.settings import Settings
from l4a.graph.store.base import Store


def open_store(settings: Settings, read_only: bool = False) -> Store:
    """The store the settings name; read_only opens a snapshot that other processes may keep writing."""
    # Imported here: a command on the embedded store never loads the HTTP client, and the reverse.
    if settings.store == "sparql":
        from l4a.graph.store.remote import SparqlStore

        return SparqlStore.open(settings, read_only=read_only)
    from l4a.graph.store.embedded import EmbeddedStore

    store = EmbeddedStore.open(settings.store_path(), read_only=read_only)
    store.query_workers = settings.query_workers
    return store
