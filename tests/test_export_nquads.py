"""`l4a export --format nquads` of a read-only store, written graph by graph on two threads: the same quads as the
engine's own one-call dump, whatever the graphs hold, the graphs left out never written, a big graph streamed."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from l4a.graph.errors import UsageError
from l4a.graph.store import nquads_dump
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.exchange import export_store

EX = "http://example.org/"
AWKWARD = [  # literals that look like the end of an N-Triples line, or hold line breaks, quotes and other scripts
    'ends like a line .\n<http://example.org/x> <http://example.org/y> "z" .',
    "two\nlines\r\nand a tab\t",
    'a "quoted" . word \\ and a backslash',
    "Ciudad de México · Île-de-France · 東京 · 🌍",
    " .",
]


def quads_of(data: bytes) -> set[ox.Quad]:
    return set(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def engine_dump(path: Path) -> bytes:
    out = io.BytesIO()
    ox.Store.read_only(str(path)).dump(out, ox.RdfFormat.N_QUADS)
    return out.getvalue()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A store on disk with loose triples, 150 small graphs (more than two batches) and awkward literals."""
    path = tmp_path / "store"
    writable = ox.Store(str(path))
    writable.add(ox.Quad(ox.NamedNode(EX + "loose"), ox.NamedNode(EX + "p"), ox.Literal("in the default graph")))
    for number in range(150):
        graph = ox.NamedNode(f"{EX}graph/{number}")
        for index, text in enumerate(AWKWARD):
            subject = ox.NamedNode(f"{EX}hub/{number}") if index % 2 else ox.BlankNode(f"b{number}x{index}")
            writable.add(ox.Quad(subject, ox.NamedNode(EX + "text"), ox.Literal(text, language="es"), graph))
        writable.add(ox.Quad(ox.NamedNode(f"{EX}hub/{number}"), ox.NamedNode(EX + "n"), ox.Literal(number), graph))
    writable.flush()
    del writable
    return path


def threaded(path: Path, leave_out: set[str] | None = None) -> bytes:
    store = EmbeddedStore.open(path, read_only=True)
    out = io.BytesIO()
    export_store(store, out, "nquads", (lambda g: g in leave_out) if leave_out else None)
    store.close()
    return out.getvalue()


def test_the_same_quads_as_the_engines_own_dump(store_path: Path) -> None:
    whole = engine_dump(store_path)
    mine = threaded(store_path)
    assert quads_of(mine) == quads_of(whole)
    assert len(mine.splitlines()) == len(whole.splitlines())  # no quad twice
    assert threaded(store_path) == mine  # the same bytes every time: graphs in IRI order


def test_graphs_left_out_are_not_written(store_path: Path) -> None:
    left = {f"{EX}graph/{n}" for n in range(0, 150, 3)}
    kept = quads_of(threaded(store_path, left))
    whole = quads_of(engine_dump(store_path))
    assert kept == {q for q in whole if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in left)}
    assert any(isinstance(q.graph_name, ox.DefaultGraph) for q in kept)


def test_a_big_graph_streams_alone_and_keeps_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store"
    writable = ox.Store(str(path))
    big = ox.NamedNode(EX + "graph/big")
    writable.extend(ox.Quad(ox.NamedNode(f"{EX}s/{n}"), ox.NamedNode(EX + "text"), ox.Literal(f"{AWKWARD[n % 5]} {n}"),
                            big) for n in range(nquads_dump.BIG_GRAPH + 5))  # fmt: skip
    writable.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("small"), ox.NamedNode(EX + "g")))
    writable.flush()
    del writable
    streamed: list[str] = []
    original = nquads_dump._Named.__init__

    def spy(self: nquads_dump._Named, out: io.BytesIO, graph: ox.NamedNode) -> None:
        streamed.append(graph.value)
        original(self, out, graph)

    monkeypatch.setattr(nquads_dump._Named, "__init__", spy)
    mine = threaded(path)
    assert streamed == [big.value]  # the big graph went through the streaming writer, the small one did not
    assert quads_of(mine) == quads_of(engine_dump(path))


def canonical(quads: object) -> ox.Dataset:
    dataset = ox.Dataset(quads)  # type: ignore[arg-type]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def test_the_export_loads_back_as_the_same_dataset(store_path: Path) -> None:
    restored = ox.Store()
    restored.load(threaded(store_path), format=ox.RdfFormat.N_QUADS)
    assert canonical(restored) == canonical(ox.Store.read_only(str(store_path)))


def test_a_writable_store_is_not_dumped_graph_by_graph(store_path: Path) -> None:
    store = EmbeddedStore.open(store_path)
    with pytest.raises(UsageError):
        store.dump_nquads(io.BytesIO())
    out = io.BytesIO()
    export_store(store, out, "nquads", lambda g: g == f"{EX}graph/1")  # the one-snapshot path, filtered
    store.close()
    assert f"<{EX}graph/1>".encode() not in out.getvalue() and f"<{EX}graph/2>".encode() in out.getvalue()
