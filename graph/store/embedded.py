"""The default store: Oxigraph embedded in the process, persistent in the data directory."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from l4a.graph.errors import StoreError, StoreMissingError, UsageError
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Bindings, Dataset, QueryResult, Row
from l4a.graph.store.checkpoint import (
    before_load_dir,
    commit,
    committed_dir,
    keep_state,
    remove_leftovers,
    restore_state,
    switch_lock,
)
from l4a.graph.store.derived import FOLDER
from l4a.graph.store.graph_dump import dump_by_graph
from l4a.graph.store.same_data import data_key, note_same_data
from l4a.graph.store.sparql_text import iri_text
from l4a.graph.store.workers import Job, QueryWorkers, evaluate

log = logging.getLogger(__name__)

# N-Quads and N-Triples hold one statement per line, so a big file can be loaded in pieces.
LINE_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)
CHUNK_BYTES = 16 * 1024 * 1024


def _substitutions(
    bindings: Bindings | None,
) -> dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]:
    return {ox.Variable(name): value for name, value in (bindings or {}).items()}


def _open_read_only(path: Path, attempts: int = 5) -> ox.Store:
    # A writer in another process may be compacting files while we open: that race is retried.
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            if attempt == attempts - 1:
                raise StoreError(f"cannot open the store in {path} for reading: {exc}") from exc
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _state_key(path: Path, store_path: Path) -> str | None:
    """The key of the state the files in `path` hold (`store_path`: the store they belong to, whose data directory
    keeps the notes of graph/store/same_data.py)."""
    try:
        return data_key(path, store_path.parent / FOLDER)
    except OSError:
        return None  # unreadable: nothing is cached


def _settle(path: Path) -> None:
    """Open and close a store this process wrote to once more: RocksDB deletes the write-ahead logs made obsolete by
    the flush only when the store next opens, so without this the next `l4a serve` would change the store's files
    (not its data), and the values derived from it (graph/store/derived.py) would be computed again for nothing."""
    try:
        with switch_lock(path):
            before = _state_key(path, path)
            settled = ox.Store(str(path))
            del settled
            if before is not None:  # it may have compacted what this process wrote: the same data
                note_same_data(path, path.parent / FOLDER, before)
    except (OSError, RuntimeError) as exc:  # another process has it open already: it did the same
        log.debug("store in %s not reopened after writing: %s", path, exc)


def _open_writable(path: Path) -> ox.Store:
    try:
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise StoreError(
                f"the store in {path} is in use by another process (is `l4a serve` running?); "
                "stop it, or use another data directory (L4A_DATA_DIR)."
            ) from exc
        raise StoreError(
            f"cannot create or open the store in {path}: {exc.strerror or text}; "
            "set L4A_DATA_DIR to a writable directory."
        ) from exc


def line_chunks(path: Path, size: int) -> list[tuple[int, int]]:
    """Byte ranges of about `size` bytes that each end at the end of a line."""
    total = path.stat().st_size
    spans = []
    with path.open("rb") as stream:
        start = 0
        while start < total:
            stream.seek(min(start + size, total))
            stream.readline()
            end = min(stream.tell(), total)
            spans.append((start, end))
            start = end
    return spans


def nt(triple: ox.Triple) -> str:
    """A triple in N-Triples syntax (pyoxigraph escapes the terms)."""
    return f"{triple.subject} {triple.predicate} {triple.object} ."


class EmbeddedStore:
    """The Store interface over a pyoxigraph.Store."""

    def __init__(self, store: ox.Store, path: Path | None, read_only: bool = False) -> None:
        self._store = store
        self.path = path
        self.read_only = read_only
        self._generation = 0  # counts writes: query workers reopen their read-only view when it changes
        self._workers: QueryWorkers | None = None
        self._workers_lock = threading.Lock()
        self.query_workers = 0  # processes for time-limited queries (0: QueryWorkers' default)
        # The state key taken just before the store opened: a read-only snapshot's for its life, a writable store's
        # until its first write (a compaction when it opens is not a write: graph/store/same_data.py).
        self._opened_key: str | None = None
        self._noted: str | None = None  # the files last noted as the state it opened (graph/store/same_data.py)

    @classmethod
    def open(cls, path: Path, read_only: bool = False) -> EmbeddedStore:
        """Open (read-write: create) the store at `path`, with errors that say what to do.

        Read-only: the committed state (during a bulk load in another process, the state before it). Read-write:
        if a bulk load was interrupted, its half-loaded state is replaced by the state before it first.
        """
        if read_only:
            with switch_lock(path, shared=True):
                committed = committed_dir(path)
                if not (committed / "CURRENT").is_file():
                    raise StoreMissingError(f"there is no store in {path} yet; run `l4a build` first.")
                key = _state_key(committed, path)
                opened = cls(_open_read_only(committed), path, read_only=True)
                opened._opened_key = key
                return opened
        with switch_lock(path):
            key = _state_key(path, path) if (path / "CURRENT").is_file() else None  # before RocksDB may compact
            store = _open_writable(path)
            if before_load_dir(path).is_dir():  # we hold the writer's lock: the loading process is gone
                del store
                restore_state(path)
                log.warning("an interrupted bulk load in %s was rolled back: the store is as it was before it", path)
                key = _state_key(path, path)
                store = _open_writable(path)
            remove_leftovers(path)
        opened = cls(store, path)
        opened._opened_key = key
        return opened

    def state_key(self) -> str | None:
        """Which state the store is in (graph/store/derived.py): a read-only snapshot's key from when it opened; a
        writable store's from when it opened until its first write (its files may change meanwhile, its data does
        not: noted for other processes, graph/store/same_data.py), then from its files; None in memory."""
        if self.path is None:
            return None
        if self.read_only:
            return self._opened_key
        if self._generation == 0 and self._opened_key is not None:
            # Noted once per set of files (this runs for every derived value a page reads).
            self._noted = note_same_data(self.path, self.path.parent / FOLDER, self._opened_key, self._noted)
            return self._opened_key
        return _state_key(self.path, self.path)

    def is_current(self) -> bool:
        """Whether the store is still in the state it was opened in (a read-only snapshot: no write has landed since;
        a writable store always is)."""
        if self.path is None or not self.read_only:
            return True
        return _state_key(committed_dir(self.path), self.path) == self._opened_key

    def derived_dir(self) -> Path | None:
        """Where values derived from this store are kept: `derived/` beside the store in the data directory."""
        return None if self.path is None else self.path.parent / FOLDER

    @classmethod
    def in_memory(cls) -> EmbeddedStore:
        """A store that lives only in memory (for tests and scratch work)."""
        return cls(ox.Store(), None)

    def _query(self, query: str, bindings: Bindings | None) -> object:
        try:
            return self._store.query(query, use_default_graph_as_union=True, substitutions=_substitutions(bindings))
        except SyntaxError as exc:
            raise UsageError(f"the SPARQL query is not valid: {exc}") from exc
        except RuntimeError as exc:  # e.g. a bound variable that a SELECT does not project
            raise UsageError(f"the SPARQL query cannot be run with these parameters: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"the store could not answer the query: {exc}") from exc

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise UsageError("expected a SELECT query.")
        names = [v.value for v in result.variables]
        return [{n: v for n, v in zip(names, solution, strict=True) if v is not None} for solution in result]

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise UsageError("expected an ASK query.")
        return bool(result)

    def construct(self, query: str, bindings: Bindings | None = None) -> list[ox.Triple]:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise UsageError("expected a CONSTRUCT or DESCRIBE query.")
        return list(result)

    def query(
        self,
        query: str,
        dataset: Dataset | None = None,
        timeout: float | None = None,
        row_cap: int | None = None,
        byte_cap: int | None = None,
    ) -> QueryResult:
        # With a time limit and a store on disk, the query runs in a worker process that can be killed; in memory
        # it runs here and the limit is checked between rows only.
        if timeout is None or self.path is None:
            deadline = None if timeout is None else time.monotonic() + timeout
            try:
                return evaluate(self._store, query, dataset, row_cap, deadline, byte_cap)
            except OSError as exc:
                raise StoreError(f"the store could not answer the query: {exc}") from exc
        return self._query_workers().run(Job(query, dataset, row_cap, self._generation, byte_cap), timeout)

    def _query_workers(self) -> QueryWorkers:
        assert self.path is not None
        with self._workers_lock:
            if self._workers is None:
                self._workers = QueryWorkers(self.path, self.query_workers or None)
            return self._workers

    def prestart_workers(self, count: int = 2) -> None:
        """Start `count` query worker processes now (about a second each), so the first time-limited queries after
        a start do not wait for them (`l4a serve` calls it in the background)."""
        if self.path is not None:
            self._query_workers().prestart(count)

    def update(self, update: str) -> None:
        self._writable()
        self._generation += 1
        try:
            self._store.update(update)
        except SyntaxError as exc:
            raise UsageError(f"the SPARQL update is not valid: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"the update could not be written: {exc}") from exc

    def replace_graphs(self, graphs: Mapping[str, Sequence[ox.Triple]]) -> None:
        try:
            names = {iri: ox.NamedNode(iri) for iri in graphs}
        except ValueError as exc:
            raise UsageError(f"not a valid graph IRI: {exc}") from exc
        if not any(self._store.contains_named_graph(name) for name in names.values()):
            # New graphs only: one transactional insert, much faster than SPARQL text.
            self.add_quads(
                ox.Quad(t.subject, t.predicate, t.object, names[iri]) for iri, ts in graphs.items() for t in ts
            )
            return
        # One SPARQL Update is one Oxigraph transaction: readers see all the old graphs or all the new ones.
        parts = [f"DROP SILENT GRAPH {iri_text(iri)}" for iri in graphs]
        body = "\n".join(
            f"GRAPH {iri_text(iri)} {{\n" + "\n".join(nt(t) for t in triples) + "\n}" for iri, triples in graphs.items()
        )
        parts.append(f"INSERT DATA {{\n{body}\n}}")
        self.update(";\n".join(parts))

    def load_file(self, path: Path, fmt: ox.RdfFormat, graph: str | None = None, replace: Collection[str] = ()) -> int:
        self._writable()
        self._generation += 1
        if self.path is None:  # in memory: nothing outlives a crash
            return self._bulk_load(path, fmt, graph, replace)
        # The bulk loader is not transactional: the state before it is kept until the load is complete, and put back
        # if the load fails here or the process dies (at the next writable open).
        kept = keep_state(self._store, self.path)
        log.info("bulk-loading %s; the state before it is kept in %s until the load is complete", path, kept)
        try:
            loaded = self._bulk_load(path, fmt, graph, replace)
            commit(self._store, self.path)
        except BaseException:
            self._roll_back()
            raise
        log.info("bulk load committed: %s", path)
        return loaded

    def _bulk_load(self, path: Path, fmt: ox.RdfFormat, graph: str | None, replace: Collection[str]) -> int:
        if replace:
            self.drop_graphs(replace)
        before = len(self._store)
        to_graph = ox.NamedNode(graph) if graph else None
        try:
            if fmt in LINE_FORMATS and path.stat().st_size > 2 * CHUNK_BYTES:
                self._bulk_load_in_chunks(path, fmt, to_graph)
            else:
                self._store.bulk_load(path=str(path), format=fmt, to_graph=to_graph)
            # The bulk loader adds sorted files side by side; merging them now makes later reads about three times
            # faster (docs/benchmarks.md), where a read-only store would never merge them.
            self._store.optimize()
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"{path}: could not be loaded into the store: {exc}") from exc
        return len(self._store) - before

    def _roll_back(self) -> None:
        """Close the store, put the state kept before the load back and reopen it (a failure here leaves the
        kept state in place for the next writable open)."""
        assert self.path is not None
        self._generation += 1
        with switch_lock(self.path):
            del self._store
            restore_state(self.path)
            self._store = _open_writable(self.path)
        log.warning("the bulk load failed; the store in %s is as it was before it", self.path)

    def _bulk_load_in_chunks(self, path: Path, fmt: ox.RdfFormat, to_graph: ox.NamedNode | None) -> None:
        # Oxigraph's bulk loader uses one core for a batch this size, and its memory grows with the batch:
        # chunks cut at line ends, loaded by two threads (the call releases the GIL), use both cores and less memory.
        def load(span: tuple[int, int]) -> None:
            with path.open("rb") as stream:
                stream.seek(span[0])
                data = stream.read(span[1] - span[0])
            self._store.bulk_load(data, format=fmt, to_graph=to_graph)

        with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            list(pool.map(load, line_chunks(path, CHUNK_BYTES)))

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self._writable()
        self._generation += 1
        try:
            self._store.extend(quads)
        except OSError as exc:
            raise StoreError(f"the quads could not be written: {exc}") from exc

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        existing = [g for g in graphs if self._store.contains_named_graph(ox.NamedNode(g))]
        for start in range(0, len(existing), 5000):
            self.update(";\n".join(f"DROP SILENT GRAPH {iri_text(g)}" for g in existing[start : start + 5000]))

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quad_count(self) -> int:
        return len(self._store)

    def dump(self, out: BinaryIO, fmt: ox.RdfFormat) -> None:
        try:
            if fmt.supports_datasets:
                self._store.dump(out, format=fmt)
            else:
                ox.serialize(self.construct(internal_query("every-triple")), out, format=fmt)
        except OSError as exc:
            raise StoreError(f"the store could not be written out: {exc}") from exc

    def dump_by_graph(self, out: BinaryIO, fmt: ox.RdfFormat, leave_out: Collection[str] = ()) -> None:
        """Every quad as N-Quads or TriG but those of the named graphs `leave_out`, graph by graph on two threads
        (graph/store/graph_dump.py): only for a read-only store, which no write can change between two graphs."""
        if not self.read_only:
            raise UsageError("a store open for writing is dumped whole (dump), not graph by graph.")
        try:
            dump_by_graph(self._store, out, fmt, leave_out)
        except OSError as exc:
            raise StoreError(f"the store could not be written out: {exc}") from exc

    def flush(self) -> None:
        """Make every write durable on disk."""
        if not self.read_only:
            self._store.flush()

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
        last = None if self.read_only else self.state_key()  # a writable store's state as its last write left it
        self.flush()
        del self._store
        if self.read_only or self.path is None or last is None:
            return
        # Flushing the write-ahead log into tables, or compacting what its open found, changes files, not data.
        note_same_data(self.path, self.path.parent / FOLDER, last)
        if self._generation:
            _settle(self.path)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store in {self.path} was opened read-only.")
