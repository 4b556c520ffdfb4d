"""`l4a export` (N-Quads and TriG) of a read-only store, written graph by graph on two threads: the same dataset as
the engine's own one-call dump, whatever the graphs hold, the graphs left out never written, a big graph streamed."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest

from l4a.graph.errors import UsageError
from l4a.graph.store import exchange, graph_dump
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.exchange import export_store

EX = "http://example.org/"
AWKWARD = [  # literals that look like the end of a line or a graph block, or hold breaks, quotes and other scripts
    'ends like a line .\n<http://example.org/x> <http://example.org/y> "z" .',
    "two\nlines\r\nand a tab\t and a brace }\n}",
    'a "quoted" . word \\ and a backslash """',
    "Ciudad de México · Île-de-France · 東京 · 🌍",
    " .",
]
FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


def canonical(quads: Iterable[ox.Quad]) -> ox.Dataset:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def engine(path: Path) -> ox.Dataset:
    """What the engine's own dump of the whole store holds."""
    out = io.BytesIO()
    ox.Store.read_only(str(path)).dump(out, ox.RdfFormat.N_QUADS)
    return canonical(ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS))


def exported(path: Path, fmt: str, leave_out: set[str] | None = None) -> bytes:
    store = EmbeddedStore.open(path, read_only=True)
    out = io.BytesIO()
    export_store(store, out, fmt, (lambda g: g in leave_out) if leave_out else None)
    store.close()
    return out.getvalue()


def read(data: bytes, fmt: str) -> ox.Dataset:
    return canonical(ox.parse(data, format=FORMATS[fmt]))


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A store on disk with loose triples, 150 small graphs (more than two batches), awkward literals, a blank
    node that two graphs share, and a graph named by a blank node."""
    path = tmp_path / "store"
    writable = ox.Store(str(path))
    writable.add(ox.Quad(ox.NamedNode(EX + "loose"), ox.NamedNode(EX + "p"), ox.Literal("in the default graph")))
    unnamed = ox.BlankNode()  # a graph named by a blank node: l4a never writes one, other code may
    writable.add(ox.Quad(ox.NamedNode(EX + "odd"), ox.NamedNode(EX + "p"), ox.Literal("in a blank graph"), unnamed))
    shared = ox.BlankNode()
    for number in range(150):
        graph = ox.NamedNode(f"{EX}graph/{number}")
        for index, text in enumerate(AWKWARD):
            subject = ox.NamedNode(f"{EX}hub/{number}") if index % 2 else ox.BlankNode()
            writable.add(ox.Quad(subject, ox.NamedNode(EX + "text"), ox.Literal(text, language="es"), graph))
        writable.add(ox.Quad(ox.NamedNode(f"{EX}hub/{number}"), ox.NamedNode(EX + "n"), ox.Literal(number), graph))
        if number in (7, 140):
            writable.add(ox.Quad(ox.NamedNode(f"{EX}hub/{number}"), ox.NamedNode(EX + "shares"), shared, graph))
    writable.flush()
    del writable
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_dataset_as_the_engines_own_dump(store_path: Path, fmt: str) -> None:
    mine = exported(store_path, fmt)
    assert read(mine, fmt) == engine(store_path)
    assert exported(store_path, fmt) == mine  # the same bytes every time: the graphs in IRI order


def test_no_quad_twice(store_path: Path) -> None:
    lines = exported(store_path, "nquads").splitlines()
    assert len(lines) == len(set(lines)) == len(engine(store_path))


@pytest.mark.parametrize("fmt", FORMATS)
def test_graphs_left_out_are_not_written(store_path: Path, fmt: str) -> None:
    left = {f"{EX}graph/{n}" for n in range(0, 150, 3)}
    kept = exported(store_path, fmt, left)
    assert not any(f"<{graph}>".encode() in kept for graph in left)
    whole = ox.Store.read_only(str(store_path))
    expected = [q for q in whole if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in left)]
    assert read(kept, fmt) == canonical(expected)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_big_graph_streams_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    path = tmp_path / "store"
    writable = ox.Store(str(path))
    big = ox.NamedNode(EX + "graph/big")
    writable.extend(ox.Quad(ox.NamedNode(f"{EX}s/{n}"), ox.NamedNode(EX + "text"), ox.Literal(f"{AWKWARD[n % 5]} {n}"),
                            big) for n in range(graph_dump.BIG_GRAPH + 5))  # fmt: skip
    for name in ("a", "z"):  # one small graph before the big one, one after
        writable.add(ox.Quad(ox.NamedNode(EX + name), ox.NamedNode(EX + "p"), ox.Literal(name),
                             ox.NamedNode(f"{EX}graph/{name}")))  # fmt: skip
    writable.flush()
    del writable
    streamed: list[str] = []
    original = graph_dump._stream_graph

    def spy(store: ox.Store, graph: ox.NamedNode, out: io.BytesIO, how: ox.RdfFormat) -> None:
        streamed.append(graph.value)
        original(store, graph, out, how)

    monkeypatch.setattr(graph_dump, "_stream_graph", spy)
    mine = exported(path, fmt)
    assert streamed == [big.value]  # the big graph was written as it was dumped, the small ones in batches
    assert read(mine, fmt) == engine(path)


def test_a_writable_store_is_dumped_whole_not_graph_by_graph(store_path: Path) -> None:
    store = EmbeddedStore.open(store_path)
    with pytest.raises(UsageError):
        store.dump_by_graph(io.BytesIO(), ox.RdfFormat.N_QUADS)
    out = io.BytesIO()
    export_store(store, out, "nquads", lambda g: g == f"{EX}graph/1")  # the one-snapshot path, filtered
    store.close()
    assert f"<{EX}graph/1>".encode() not in out.getvalue() and f"<{EX}graph/2>".encode() in out.getvalue()


def test_a_store_of_many_graphs_is_dumped_in_one_call_unless_graphs_are_left_out(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past BY_GRAPH_MAX_GRAPHS named graphs, reading graph by graph costs more than the second thread gives back:
    the engine's one-call dump is used, unless graphs are left out (then they are still never read)."""
    monkeypatch.setattr(exchange, "BY_GRAPH_MAX_GRAPHS", 100)  # the fixture has 150
    used: list[bool] = []
    by_graph = EmbeddedStore.dump_by_graph

    def spy(self: EmbeddedStore, *args: object) -> None:
        used.append(True)
        by_graph(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(EmbeddedStore, "dump_by_graph", spy)
    whole = exported(store_path, "nquads")
    assert not used and read(whole, "nquads") == engine(store_path)
    left = {f"{EX}graph/1"}
    kept = exported(store_path, "nquads", left)
    assert used and f"<{EX}graph/1>".encode() not in kept
