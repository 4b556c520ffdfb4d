"""N-Quads and TriG of an embedded store written graph by graph on two threads, some graphs left out if asked.

pyoxigraph's `Store.dump` spends its time turning the stored ids back into text (about 6 µs a quad), on one core.
It lets go of the interpreter lock while it works, so the graphs are dumped one by one (N-Triples given their graph
name on every line, or Turtle in a TriG graph block) in batches on a small pool, and the batches written in order
with at most a few held at once. The default graph, and any graph of more than BIG_GRAPH triples, is dumped alone,
straight to the output, so memory stays flat whatever the graphs' sizes. The quads are those of the whole store's
dump in another order: the default graph first, then the named graphs sorted by IRI. A graph left out is never
read, so leaving out the fictional examples costs nothing. Blank nodes keep the engine's labels, so one shared by
two graphs stays one.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

import pyoxigraph as ox

from l4a.graph.resources import internal_query

WORKERS = 2  # the machine the project is measured on has two cores; the dump does not gain beyond them
BATCH_GRAPHS = 64  # small graphs dumped together (one hub's graph is about 50 quads)
BIG_GRAPH = 50_000  # triples: the figure of queries/internal/big-graphs.rq
END = b" .\n"  # how every N-Triples line ends: a raw line break never occurs inside one (literals escape it)

Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
Named = ox.NamedNode | ox.BlankNode  # a graph's name: an IRI, or (written by code, never by l4a) a blank node


def dump_by_graph(store: ox.Store, out: BinaryIO, fmt: ox.RdfFormat, leave_out: Collection[str] = ()) -> None:
    """Every quad of `store` as N-Quads or TriG (`fmt`), but those of the named graphs in `leave_out` (graph IRIs)."""
    if fmt not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        raise ValueError(f"only N-Quads and TriG are written graph by graph, not {fmt.name}")
    sizes = store.query(internal_query("big-graphs"), use_default_graph_as_union=True)
    rows = sizes if isinstance(sizes, ox.QuerySolutions) else ()
    big = {row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode)}
    named = sorted((g for g in store.named_graphs() if isinstance(g, ox.BlankNode)
                    or (isinstance(g, ox.NamedNode) and g.value not in leave_out)),
                   key=lambda g: (isinstance(g, ox.BlankNode), g.value))  # fmt: skip
    _write_graph(store, ox.DefaultGraph(), out, fmt)  # written as it is dumped, whatever its size
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="l4a-dump") as pool:
        waiting: deque[Future[bytes]] = deque()
        for batch in _batches(named, big):
            if batch is None:  # a big graph: what came before it is written first, then it streams alone
                while waiting:
                    out.write(waiting.popleft().result())
                continue
            if isinstance(batch, (ox.NamedNode, ox.BlankNode)):
                _stream_graph(store, batch, out, fmt)
                continue
            waiting.append(pool.submit(_dump_batch, store, batch, fmt))
            if len(waiting) > WORKERS:
                out.write(waiting.popleft().result())
        while waiting:
            out.write(waiting.popleft().result())


def _batches(graphs: Sequence[Named], big: Collection[str]) -> Iterator[list[Graph] | Named | None]:
    """Small graphs in lists of BATCH_GRAPHS; a big one as itself, after a None."""
    batch: list[Graph] = []
    for graph in graphs:
        if isinstance(graph, ox.NamedNode) and graph.value in big:
            if batch:
                yield batch
                batch = []
            yield None
            yield graph
            continue
        batch.append(graph)
        if len(batch) >= BATCH_GRAPHS:
            yield batch
            batch = []
    if batch:
        yield batch


def _dump_batch(store: ox.Store, graphs: Sequence[Graph], fmt: ox.RdfFormat) -> bytes:
    text = io.BytesIO()
    for graph in graphs:
        _write_graph(store, graph, text, fmt)
    return text.getvalue()


def _write_graph(store: ox.Store, graph: Graph, out: BinaryIO, fmt: ox.RdfFormat) -> None:
    if isinstance(graph, ox.DefaultGraph):  # N-Triples and Turtle are N-Quads and TriG with no graph name, streamed
        plain = ox.RdfFormat.N_TRIPLES if fmt == ox.RdfFormat.N_QUADS else ox.RdfFormat.TURTLE
        store.dump(out, plain, from_graph=graph)
        return
    triples = io.BytesIO()
    if fmt == ox.RdfFormat.TRIG:
        store.dump(triples, ox.RdfFormat.TURTLE, from_graph=graph)
        if triples.tell():
            out.write(b"%s {\n%s}\n" % (str(graph).encode(), triples.getvalue()))
        return
    store.dump(triples, ox.RdfFormat.N_TRIPLES, from_graph=graph)
    out.write(triples.getvalue().replace(END, b" " + str(graph).encode() + END))


def _stream_graph(store: ox.Store, graph: Named, out: BinaryIO, fmt: ox.RdfFormat) -> None:
    """A big graph written as it is dumped, never held whole."""
    if fmt == ox.RdfFormat.TRIG:
        out.write(b"%s {\n" % str(graph).encode())
        store.dump(out, ox.RdfFormat.TURTLE, from_graph=graph)
        out.write(b"}\n")
        return
    named_out = _Named(out, graph)
    store.dump(named_out, ox.RdfFormat.N_TRIPLES, from_graph=graph)  # type: ignore[arg-type]
    out.write(named_out.rest)  # nothing: the last line ended with a line break


class _Named:  # only `write` and `flush` are asked of it
    """A writer that gives every N-Triples line written through it a graph name, whatever the chunks' bounds."""

    def __init__(self, out: BinaryIO, graph: Named) -> None:
        self.out, self.end, self.rest = out, b" " + str(graph).encode() + END, b""

    def write(self, data: bytes) -> int:
        given = len(data)
        data = self.rest + bytes(data)
        cut = data.rfind(b"\n") + 1
        self.out.write(data[:cut].replace(END, self.end))
        self.rest = data[cut:]
        return given

    def flush(self) -> None:
        """What came so far is written (only whole lines: a line's end may still be on its way)."""
