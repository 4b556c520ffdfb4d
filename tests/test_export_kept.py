"""`l4a export` keeps what it wrote for the store's state: the next export of that state is a copy of it, the first
one after a write is the new data, and a file that cannot be kept, or is not the state's, is never what is copied."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from pyoxigraph import RdfFormat, parse

from l4a.graph.namespaces import DEFAULT_BASE, is_example_graph
from l4a.graph.store import exchange, kept_files
from l4a.graph.store.embedded import EmbeddedStore

HUB = "https://w3id.org/l4a/id/hub/kept-export-test"
ADDED = f'<{HUB}> <http://purl.org/dc/terms/title> "Added after the first export"@en .\n'


def _calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How many times the store itself was read for an export (each call appends its format)."""
    calls: list[str] = []
    original = exchange.export_store

    def counting(store: object, out: object, fmt: str = "trig", leave_out: object = None) -> None:
        calls.append(fmt)
        original(store, out, fmt, leave_out)  # type: ignore[arg-type]

    monkeypatch.setattr(exchange, "export_store", counting)
    return calls


def _export(cli: Callable[..., Result], path: Path, *args: str) -> bytes:
    result = cli("export", "-o", str(path), *args)
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def _straight(data_dir: Path, fmt: str) -> bytes:
    """The export written straight from the store, nothing kept (the fictional demo left out)."""
    store = EmbeddedStore.open(data_dir / "store", read_only=True)
    try:
        out = io.BytesIO()
        exchange.export_store(store, out, fmt, lambda graph: is_example_graph(graph, DEFAULT_BASE))
        return out.getvalue()
    finally:
        store.close()


def _kept(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "derived").glob("*.kept"))


def test_a_second_export_of_a_state_is_a_copy_and_a_write_makes_a_new_one(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("build", "--quiet").exit_code == 0
    calls = _calls(monkeypatch)
    first = _export(cli, tmp_path / "one.trig")
    again = _export(cli, tmp_path / "two.trig")
    assert first == again
    assert calls == ["trig"], "the second export of the same state read the store again"
    assert len(_kept(tmp_path / "data")) == 1

    # Another format, and the fictional demo asked for: each its own file, each read once.
    nquads = _export(cli, tmp_path / "one.nq", "--format", "nquads")
    assert _export(cli, tmp_path / "two.nq", "--format", "nquads") == nquads
    assert calls == ["trig", "nquads"]
    dataset = {str(q) for q in parse(nquads, format=RdfFormat.N_QUADS)}
    assert dataset == {str(q) for q in parse(first, format=RdfFormat.TRIG)}

    # A write: the next export holds it, read from the store again, then kept for the new state.
    (tmp_path / "added.nt").write_text(ADDED, encoding="utf-8")
    assert cli("import", str(tmp_path / "added.nt")).exit_code == 0
    after = _export(cli, tmp_path / "three.trig")
    assert HUB.encode() in after and HUB.encode() not in first
    assert calls == ["trig", "nquads", "trig"]
    assert _export(cli, tmp_path / "four.trig") == after
    assert calls == ["trig", "nquads", "trig"]


def test_to_standard_output_and_with_the_examples(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("build", "--with-examples", "--quiet").exit_code == 0
    calls = _calls(monkeypatch)
    plain = cli("export", "--format", "nquads").stdout_bytes
    examples = cli("export", "--format", "nquads", "--with-examples").stdout_bytes
    assert b"/graph/examples/" not in plain and b"/graph/examples/" in examples
    assert cli("export", "--format", "nquads").stdout_bytes == plain
    assert cli("export", "--format", "nquads", "--with-examples").stdout_bytes == examples
    assert calls == ["nquads", "nquads"]


def test_a_kept_file_of_another_state_or_damaged_is_never_copied(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("build", "--quiet").exit_code == 0
    right = _export(cli, tmp_path / "right.nq", "--format", "nquads")
    [kept] = _kept(tmp_path / "data")
    header, _, body = kept.read_bytes().partition(b"\n")
    assert body == right
    for damaged in (header[:-1] + (b"1" if header.endswith(b"0") else b"0") + b"\n" + body,  # another state's line
                    b"l4a-kept \n" + body, body, b""):  # fmt: skip
        kept.write_bytes(damaged)
        assert _export(cli, tmp_path / "again.nq", "--format", "nquads") == right
        assert kept.read_bytes() == header + b"\n" + right  # written again for the state


def test_an_unwritable_data_folder_still_exports(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("build", "--quiet").exit_code == 0
    right = _export(cli, tmp_path / "right.nq", "--format", "nquads")
    for kept in _kept(tmp_path / "data"):
        kept.unlink()
    folder = tmp_path / "data" / "derived"
    if os.geteuid() == 0:  # root writes anywhere: make the folder a file instead, which nobody can write into
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()
        folder.write_text("not a folder", encoding="utf-8")
    else:
        folder.chmod(0o500)
    try:
        calls = _calls(monkeypatch)
        assert _export(cli, tmp_path / "again.nq", "--format", "nquads") == right
        assert _export(cli, tmp_path / "third.nq", "--format", "nquads") == right
        assert calls == ["nquads", "nquads"]  # not kept: read from the store each time
    finally:
        if folder.is_dir():
            folder.chmod(0o700)


def test_prepare_keeps_the_default_export(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("build", "--quiet").exit_code == 0
    done = cli("prepare")
    assert done.exit_code == 0, done.output
    assert "export (TriG, N-Quads, Turtle, JSON-LD): " in done.stderr
    calls = _calls(monkeypatch)
    exported = _export(cli, tmp_path / "backup.trig")
    for fmt in exchange.EXPORT_FORMATS[1:]:  # every other format of the command
        _export(cli, tmp_path / f"backup.{fmt}", "--format", fmt)
    assert calls == [], "an export after `l4a prepare` read the store"
    assert exported == _straight(tmp_path / "data", "trig")


def test_a_full_output_is_an_error_and_keeps_nothing_half_written(cli: Callable[..., Result], tmp_path: Path) -> None:
    assert cli("build", "--quiet").exit_code == 0
    for _ in range(2):  # the first writes from the store, the second copies what the first kept (if any)
        result = cli("export", "--format", "nquads", "-o", "/dev/full")
        assert result.exit_code == 2, result.output
        assert "/dev/full" in result.output
        assert _kept(tmp_path / "data") == [], "a kept file was made from an export whose output failed"
    assert list((tmp_path / "data" / "derived").glob(".*.partial")) == []
    right = _export(cli, tmp_path / "right.nq", "--format", "nquads")
    assert right and len(_kept(tmp_path / "data")) == 1
    copied = cli("export", "--format", "nquads", "-o", "/dev/full")  # the kept file, copied by the kernel
    assert copied.exit_code == 2 and "/dev/full" in copied.output and "Free some space" in copied.output


def test_a_kept_file_that_fails_midway_still_gives_the_whole_export(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills up under the kept file (a fault not caused for real here) stops keeping it, not the
    export."""
    assert cli("build", "--quiet").exit_code == 0
    direct = _straight(tmp_path / "data", "nquads")
    written = 0
    original = kept_files._Tee.keep

    def filling(self: kept_files._Tee, data: bytes) -> None:
        nonlocal written
        written += len(data)
        if written > 4096 and self.failed is None:
            self.failed = OSError(errno.ENOSPC, "No space left on device")
        original(self, data)

    monkeypatch.setattr(kept_files._Tee, "keep", filling)
    assert _export(cli, tmp_path / "out.nq", "--format", "nquads") == direct
    assert _kept(tmp_path / "data") == []
    assert list((tmp_path / "data" / "derived").glob(".*.partial")) == []
    monkeypatch.undo()
    assert _export(cli, tmp_path / "again.nq", "--format", "nquads") == direct
    assert len(_kept(tmp_path / "data")) == 1


@pytest.mark.parametrize("args", [("--format", "nquads"), ("--format", "turtle", "--with-examples"), ()])
def test_a_reader_that_stops_early_ends_the_export_quietly(
    cli: Callable[..., Result], tmp_path: Path, args: tuple[str, ...]
) -> None:
    """`l4a export | head`: the reader gets what it asked for; the export exits 0 with no message, whether it
    writes from the store (the first export of a state, the demo included or not) or copies the kept file."""
    assert cli("build", "--with-examples", "--quiet").exit_code == 0
    env = {**os.environ, "L4A_DATA_DIR": str(tmp_path / "data"), "L4A_CONFIG": str(tmp_path / "absent.toml"),
           "L4A_PREPARE_AFTER_WRITE": "off"}  # fmt: skip
    for _ in range(2):  # written from the store, then copied from the kept file
        process = subprocess.Popen(
            [sys.executable, "-m", "l4a.graph.cli", "export", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.read(100)
        process.stdout.close()  # as `head -c 100` does
        stderr = process.stderr.read()
        process.stderr.close()
        assert process.wait(timeout=60) == 0, stderr
        assert first and stderr == b""


def test_a_kept_export_copied_into_a_pipe_or_a_file_is_the_whole_export(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """The copy of a kept file is made by the kernel into a real pipe (sendfile) and a real file (copy_file_range):
    byte for byte what the store gives, past the kept file's first line."""
    assert cli("build", "--with-examples", "--quiet").exit_code == 0
    direct = _straight(tmp_path / "data", "nquads")
    env = {**os.environ, "L4A_DATA_DIR": str(tmp_path / "data"), "L4A_CONFIG": str(tmp_path / "absent.toml")}
    command = [sys.executable, "-m", "l4a.graph.cli", "export", "--format", "nquads"]
    for round_ in ("written from the store", "copied from the kept file"):
        piped = subprocess.run(command, capture_output=True, env=env, check=True)
        assert piped.stdout == direct and piped.stderr == b"", round_
        assert len(_kept(tmp_path / "data")) == 1
        out = tmp_path / f"{round_}.nq"
        subprocess.run([*command, "-o", str(out)], env=env, check=True)
        assert out.read_bytes() == direct, round_
