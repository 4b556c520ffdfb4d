"""The Flask front end of the Local4Action Hub Graph: the app factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from l4a.graph.build import build
from l4a.graph.namespaces import graph_iri
from l4a.graph.settings import Settings, load_settings
from l4a.graph.store import Store, open_store


def create_app(
    test_config: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
    build_if_empty: bool = False,
) -> Flask:
    """Make the app: settings from the environment unless given, one store opened for the app's life."""
    current_settings = settings or load_settings()
    # Paths given explicitly: Flask's own search for them does not handle the `l4a` namespace package.
    here = str(Path(__file__).parent)
    app = Flask(__name__, root_path=here, instance_path=str(current_settings.data_dir / "instance"))
    app.config.from_mapping(L4A_SETTINGS=current_settings)
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

    from . import home

    app.register_blueprint(home.bp)
    return app


def app_store(app: Flask) -> Store:
    """The store the app was made with."""
    store: Store = app.extensions["l4a_store"]
    return store
