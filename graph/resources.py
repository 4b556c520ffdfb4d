"""Where the shipped ontology, reference data, hubs, shapes and queries are, found through the package."""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from importlib.util import find_spec
from pathlib import Path


def ontology_dir() -> Traversable:
    """The folder of the ontology, its vocabularies, the reference data and the hub records."""
    return files("l4a.ontology")


def shapes_dir() -> Traversable:
    """The folder of the SHACL shapes."""
    return files("l4a.shapes")


def queries_dir() -> Traversable:
    """The folder of the named SPARQL queries."""
    return files("l4a.queries")


def read_query(name: str) -> str:
    """The text of queries/<name>.rq."""
    return (queries_dir() / f"{name}.rq").read_text(encoding="utf-8")


def internal_queries_dir() -> Traversable:
    """The folder of the queries the code runs itself (queries/internal/, not in the catalogue)."""
    return queries_dir() / "internal"


@cache
def internal_query(name: str) -> str:
    """The text of queries/internal/<name>.rq, read once: values are bound when it runs, never pasted into it."""
    return (internal_queries_dir() / f"{name}.rq").read_text(encoding="utf-8")


def query_body(text: str) -> str:
    """A query's text without its header comments (# title:, # description: ...), as shown to a user."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "".join(lines[start:])


def local_path(item: Traversable) -> Path:
    """A real file-system path for a packaged file (the package is installed unzipped, so this is direct)."""
    with as_file(item) as path:
        return Path(path)


def translations_dir() -> Path:
    """The gettext catalogues of the UI's words (web/translations/<lang>/LC_MESSAGES/messages.po and .mo). They ship
    with the web package, where Flask-Babel reads them; the core and the command line read the same files, found
    here without importing the web package (find_spec only locates it)."""
    spec = find_spec("l4a.web")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the l4a.web package (and its translations) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "translations"
