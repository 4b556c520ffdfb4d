"""The store interface every other part of l4a uses: the Store protocol and the shapes of its answers."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple

Term = NamedNode | BlankNode | Literal
Row = dict[str, Term]
Bindings = Mapping[str, Term]


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a client's query runs on (the SPARQL Protocol's default-graph-uri and named-graph-uri).

    Both empty, `Dataset()`: the store's usual view, the union of all graphs as the default graph and every
    named graph. Otherwise exactly the graphs given (no named graph at all if `named_graphs` is empty).
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Solutions:
    """The answer to a SELECT: the projected variables and the rows (unbound cells absent)."""

    variables: list[str]
    rows: list[Row]
    truncated: bool = False  # the row cap cut the answer


@dataclass(frozen=True)
class Triples:
    """The answer to a CONSTRUCT or DESCRIBE."""

    triples: list[Triple]
    truncated: bool = False  # the row cap cut the answer


QueryResult = Solutions | bool | Triples


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

    def query(
        self,
        query: str,
        dataset: Dataset | None = None,
        timeout: float | None = None,
        row_cap: int | None = None,
        byte_cap: int | None = None,
    ) -> QueryResult:
        """A client's query, as written (never an update): for the SPARQL endpoint.

        `dataset` None: the dataset the query declares itself (FROM, FROM NAMED). At most `row_cap` rows or triples
        (`truncated` says more were left out); stopped after `timeout` seconds with QueryLimitError, and with
        QueryLimitError("size") once the terms of the answer pass `byte_cap` bytes.
        A query the store cannot parse is a UsageError.
        """
        ...

    def replace_graphs(self, graphs: Mapping[str, Sequence[Triple]]) -> None:
        """Replace each named graph by the given triples, all graphs in one step: readers see old or new."""
        ...

    def load_file(self, path: Path, fmt: RdfFormat, graph: str | None = None, replace: Collection[str] = ()) -> int:
        """Bulk-load a big file already checked to parse; returns the quads loaded.

        Triples outside a graph go to `graph` (None: the default graph); the graphs in `replace` are emptied
        first. Embedded: bulk-loaded, the old state kept beside the store until the load is complete, so readers,
        a failure and a crash (`kill -9`) see the old state or the new one. SPARQL server: staged, then moved into
        place.
        """
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


def is_current(store: object) -> bool:
    """Whether no write has landed on `store` since it was opened (an embedded store's read-only snapshot can be
    overtaken; any other store is always current)."""
    check = getattr(store, "is_current", None)
    return bool(check()) if callable(check) else True
