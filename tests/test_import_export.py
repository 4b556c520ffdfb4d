"""Import and export: every RDF format in, a faithful dataset out, and a malformed file changes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, RdfFormat, parse

from l4a.graph.build import build
from l4a.graph.errors import InputError
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.exchange import export_store, import_files, import_graph_for

DATA = Path(__file__).parent / "data"
EX = "http://example.org/"


def canonical(data: bytes, fmt: RdfFormat) -> Dataset:
    dataset = Dataset(parse(data, format=fmt))
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def dump(store: EmbeddedStore, fmt: str = "nquads") -> bytes:
    out = io.BytesIO()
    export_store(store, out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_export_then_import_into_an_empty_store_is_isomorphic(
    built_store: EmbeddedStore, tmp_path: Path, fmt: str
) -> None:
    suffix = {"trig": ".trig", "nquads": ".nq", "jsonld": ".jsonld"}[fmt]
    exported = tmp_path / f"backup{suffix}"
    exported.write_bytes(dump(built_store, fmt))
    restored = EmbeddedStore.open(tmp_path / "restored")
    import_files(restored, [exported])
    assert restored.named_graphs() == built_store.named_graphs()
    assert canonical(dump(restored), RdfFormat.N_QUADS) == canonical(dump(built_store), RdfFormat.N_QUADS)
    restored.close()


def test_named_graphs_are_kept_and_loose_triples_go_to_the_file_graph(store: EmbeddedStore) -> None:
    import_files(store, [DATA / "two-graphs.trig"])
    loose = import_graph_for(DATA / "two-graphs.trig")
    assert store.named_graphs() == sorted([EX + "g1", EX + "g2", loose])
    assert store.ask(f'ASK {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}name> "Ana"@es }} }}')


def test_graph_option_receives_the_triples(store: EmbeddedStore) -> None:
    import_files(store, [DATA / "one-graph.ttl"], graph=EX + "mine")
    assert store.named_graphs() == [EX + "mine"]
    assert store.quad_count() == 3


@pytest.mark.parametrize("name", ["sample.jsonld", "sample.rdf", "sample.nt", "one-graph.ttl", "two-graphs.trig"])
def test_every_format_imports(store: EmbeddedStore, name: str) -> None:
    reports = import_files(store, [DATA / name])
    assert reports[0].quads == store.quad_count() > 0


def test_importing_again_replaces_rather_than_duplicates(store: EmbeddedStore, tmp_path: Path) -> None:
    path = tmp_path / "g.trig"
    path.write_text(f"<{EX}g> {{ <{EX}a> <{EX}p> 1 . }}")
    import_files(store, [path])
    path.write_text(f"<{EX}g> {{ <{EX}a> <{EX}p> 2 . }}")
    import_files(store, [path])
    assert store.quad_count() == 1
    assert store.ask(f"ASK {{ <{EX}a> <{EX}p> 2 }}")


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("malformed.ttl", "malformed.ttl, line 4, column 11"),
        ("malformed.nq", "malformed.nq, line 3, column 1"),
    ],
)
def test_malformed_file_names_the_place_and_changes_nothing(tmp_path: Path, name: str, where: str) -> None:
    store = EmbeddedStore.open(tmp_path / "s")
    build(store)
    before = dump(store)
    with pytest.raises(InputError, match=where):
        # The good file comes first: it must not be loaded either.
        import_files(store, [DATA / "one-graph.ttl", DATA / name])
    assert dump(store) == before
    store.close()


def test_missing_file_and_unknown_extension(store: EmbeddedStore, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        import_files(store, [tmp_path / "absent.ttl"])
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n")
    with pytest.raises(InputError, match="cannot tell the RDF format"):
        import_files(store, [odd])
    assert store.quad_count() == 0


def test_big_files_take_the_bulk_path_and_still_replace_graphs(
    store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("l4a.graph.store.exchange.SMALL_FILE_BYTES", 0)
    path = tmp_path / "big.nq"
    path.write_text(f"<{EX}a> <{EX}p> <{EX}b> <{EX}g> .\n<{EX}c> <{EX}p> <{EX}d> <{EX}h> .\n")
    import_files(store, [path])
    path.write_text(f"<{EX}a> <{EX}p> <{EX}z> <{EX}g> .\n")
    import_files(store, [path])
    assert sorted(r["o"].value for r in store.select("SELECT ?o WHERE { ?s ?p ?o }")) == [EX + "d", EX + "z"]


def test_big_line_files_load_in_chunks_completely(
    store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("l4a.graph.store.exchange.SMALL_FILE_BYTES", 0)
    monkeypatch.setattr("l4a.graph.store.embedded.CHUNK_BYTES", 200)  # many chunks, cut at line ends
    path = tmp_path / "many.nq"
    lines = [f'<{EX}s{i}> <{EX}p> "value {i} with spaces" <{EX}g{i % 7}> .\n' for i in range(500)]
    path.write_text("".join(lines))
    import_files(store, [path])
    assert store.quad_count() == 500
    assert len(store.named_graphs()) == 7
