"""The web app on a store in a test's directory: built from the shipped data if empty, no config, no environment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask

from l4a.graph.settings import load_settings
from l4a.web import create_app


def make_app(data_dir: Path, **overrides: Any) -> Flask:
    """An app for tests; settings overrides as keyword arguments (e.g. row_cap=5)."""
    settings = load_settings({"data_dir": data_dir, **overrides}, environ={}, config_file=data_dir / "none.toml")
    return create_app({"TESTING": True}, settings=settings, build_if_empty=True)


@contextmanager
def web_app(data_dir: Path, **overrides: Any) -> Iterator[Flask]:
    """make_app, with the store closed at the end."""
    made = make_app(data_dir, **overrides)
    try:
        yield made
    finally:
        made.extensions["l4a_store"].close()
