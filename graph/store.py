"""The store interface every other part of l4a uses, and the function that opens the configured store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple

from .settings import Settings

Term = NamedNode | BlankNode | Literal
Row = dict[str, Term]
Bindings = Mapping[str, Term]


class Store(Protocol):
    """A quad store: SPARQL with bound parameters, updates, atomic graph replacement, bulk load, dump."""

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        """Rows of a SELECT query (the default graph is the union of all graphs); unbound cells are absent.

        Values are bound, never pasted into the text; a SELECT must project each variable it binds.
        """
        ...

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        """The answer of an ASK query."""
        ...

    def construct(self, query: str, bindings: Bindings | None = None) -> list[Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query."""
        ...

    def update(self, update: str) -> None:
        """Run a SPARQL Update, all or nothing."""
        ...

    def replace_graphs(self, graphs: Mapping[str, Sequence[Triple]]) -> None:
        """Replace each named graph by the given triples, all graphs in one step: readers see old or new."""
        ...

    def load_file(self, path: Path, fmt: RdfFormat, graph: str | None = None) -> int:
        """Bulk-load a big file already checked to parse (fast, not one transaction); returns the quads added."""
        ...

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads, all or nothing."""
        ...

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        """Remove named graphs, all or nothing."""
        ...

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs."""
        ...

    def quad_count(self) -> int:
        """How many quads the store holds."""
        ...

    def dump(self, out: BinaryIO, fmt: RdfFormat) -> None:
        """Write every quad (dataset formats) or the union of the graphs (triple formats)."""
        ...

    def close(self) -> None:
        """Flush and release the store."""
        ...


def open_store(settings: Settings, read_only: bool = False) -> Store:
    """The store the settings name; read_only opens a snapshot that other processes may keep writing."""
    from .embedded import EmbeddedStore

    return EmbeddedStore.open(settings.store_path(), read_only=read_only)
