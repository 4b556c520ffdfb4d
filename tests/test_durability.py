"""`kill -9` during a write: a real `l4a` subprocess is killed mid-way and the store reopens in the old or the new
state, never between. `l4a build` replaces the shipped graphs in one transaction; `l4a import` of a file whose
graphs are held in memory replaces them in one transaction too; a bigger file is bulk-loaded with the store's old
state kept beside it until the load is complete (graph/embedded_checkpoint.py), which readers see meanwhile."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyoxigraph import RdfFormat

from l4a.graph.errors import StoreError
from l4a.graph.settings import load_settings
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.factory import open_store

MARK = "<https://example.org/durability/marker>"
L4A = [sys.executable, "-m", "l4a.graph.cli"]
DELAYS = (0.0, 0.003, 0.01, 0.03, 0.06, 0.1, 0.2, 3.0)  # after the write began (the last: after the commit)


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")}
    return env | {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "none.toml")}


def state(data_dir: Path, graph: str) -> tuple[int, bool]:
    """The store's quad count and whether the marker is in `graph` (the store opened afresh, then closed)."""
    store = open_store(load_settings({"data_dir": data_dir}, environ={}, config_file=data_dir / "none.toml"))
    try:
        marked = store.ask(f"ASK {{ GRAPH <{graph}> {{ {MARK} {MARK} {MARK} }} }}")
        return store.quad_count(), marked
    finally:
        store.close()


def mark(data_dir: Path, graph: str) -> None:
    """Put the marker into `graph`: a change the next build or import (which replaces the graph) takes away."""
    store = open_store(load_settings({"data_dir": data_dir}, environ={}, config_file=data_dir / "none.toml"))
    try:
        store.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {MARK} {MARK} {MARK} }} }}")
    finally:
        store.close()


def kill_during(command: list[str], env: dict[str, str], started: str | None, delay: float) -> None:
    """Run `command`, SIGKILL it `delay` s after the line `started` (or its start) appears on stderr."""
    with subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as process:
        try:
            if started is not None:
                assert process.stderr is not None
                for line in process.stderr:
                    if started in line:
                        break
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait(timeout=60)


def test_kill_9_during_build_leaves_the_old_or_the_new_store(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    subprocess.run([*L4A, "build", "--quiet"], env=env, check=True, timeout=120)
    graph = "https://w3id.org/l4a/graph/ontology"
    new_count, marked = state(tmp_path, graph)
    assert not marked
    outcomes = []
    for delay in DELAYS:
        mark(tmp_path, graph)
        kill_during([*L4A, "build"], env, "writing the shipped graphs", delay)
        count, marked = state(tmp_path, graph)
        assert (count, marked) in ((new_count + 1, True), (new_count, False)), (delay, count, marked)
        outcomes.append("old" if marked else "new")
    # The write takes about 0.1-0.2 s here: the first kills land inside it, the last one after the commit.
    assert outcomes[0] == "old" and outcomes[-1] == "new", outcomes


def test_kill_9_during_import_leaves_the_old_or_the_new_graph(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    subprocess.run([*L4A, "build", "--quiet"], env=env, check=True, timeout=120)
    graph = "https://example.org/durability/imported"
    data = tmp_path / "hubs.trig"
    lines = [f"<https://example.org/s{i}> <https://example.org/p> {i} ." for i in range(20000)]
    data.write_text(f"<{graph}> {{\n" + "\n".join(lines) + "\n}\n", encoding="utf-8")
    subprocess.run([*L4A, "import", str(data)], env=env, check=True, timeout=120)
    new_count, marked = state(tmp_path, graph)
    assert not marked
    outcomes = []
    for delay in (0.3, 0.5, 0.7, 0.9, 1.2, 1.6, 6.0):  # from the process start: parsing, then the write
        mark(tmp_path, graph)
        kill_during([*L4A, "import", str(data)], env, None, delay)
        count, marked = state(tmp_path, graph)
        assert (count, marked) in ((new_count + 1, True), (new_count, False)), (delay, count, marked)
        outcomes.append("old" if marked else "new")
    assert outcomes[-1] == "new", outcomes  # the last kill comes after the commit


def test_kill_9_during_a_proposal_acceptance_leaves_it_under_review_or_published(tmp_path: Path) -> None:
    from l4a.graph.namespaces import DEFAULT_BASE
    from l4a.graph.proposals.lifecycle import proposal

    env = env_for(tmp_path)
    example = Path(__file__).parents[1] / "docs" / "examples" / "proposal-exampleton.en.yaml"
    subprocess.run([*L4A, "build", "--quiet"], env=env, check=True, timeout=120)
    subprocess.run([*L4A, "propose", str(example)], env=env, check=True, timeout=120, capture_output=True)
    pid = "exampleton-green-corridors"
    review = [*L4A, "proposals", "review", pid, "--by", "t"]
    subprocess.run(review, env=env, check=True, timeout=60, capture_output=True)
    hub_graph = f"{DEFAULT_BASE}graph/hub/{pid}"

    def accepted() -> bool:
        store = open_store(load_settings({"data_dir": tmp_path}, environ={}, config_file=tmp_path / "none.toml"))
        try:
            status = proposal(store, pid, DEFAULT_BASE).status
            published = hub_graph in store.named_graphs()
        finally:
            store.close()
        assert (status, published) in (("under-review", False), ("labelled", True)), (status, published)
        return published

    outcomes = []
    for delay in (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 5.0):  # from the process start
        kill_during([*L4A, "proposals", "accept", pid, "--by", "t"], env, None, delay)
        outcomes.append(accepted())
        if outcomes[-1]:
            break
    assert outcomes[-1], outcomes  # the last kill comes after the commit


# --- bulk imports (files above SMALL_FILE_BYTES) ---------------------------------------------------------------------

EX = "https://example.org/durability/"
# `l4a` with its log on stderr, so the test knows when the bulk load begins ("bulk-loading ...") and ends
# ("bulk load committed: ...").
LOGGED = "import logging\nlogging.basicConfig(level=logging.INFO, format='%(name)s: %(message)s')\n"
RUN = "from l4a.graph.cli.main import main\nmain()\n"
# Every file takes the bulk path, whatever its size, so the file can stay small.
ALL_BULK = "from l4a.graph.store import exchange\nexchange.SMALL_FILE_BYTES = 0\n"
# The load is done, the old graphs dropped and the new ones written, but not committed: wait for a line on stdin.
PAUSE_BEFORE_COMMIT = """import sys
from l4a.graph.store import embedded
real_commit = embedded.commit
def commit(store, path):
    print('loaded, not committed', file=sys.stderr, flush=True)
    sys.stdin.readline()
    real_commit(store, path)
embedded.commit = commit
"""


def l4a_with(*parts: str) -> list[str]:
    return [sys.executable, "-c", LOGGED + "".join(parts) + RUN]


def write_quads(path: Path, graphs: int, per_graph: int, filler: int = 0) -> None:
    """N-Quads spread over `graphs` named graphs; `filler` characters in each literal make the file bigger."""
    pad = "x" * filler
    with path.open("w", encoding="utf-8") as out:
        for g in range(graphs):
            out.writelines(f'<{EX}s{g}-{i}> <{EX}p> "{i} {pad}" <{EX}g{g}> .\n' for i in range(per_graph))


def seen(data_dir: Path, graph: str, read_only: bool = False) -> tuple[int, int, bool]:
    """What a user sees: the store's quad count, the rows of a query over the union of the graphs, the marker."""
    settings = load_settings({"data_dir": data_dir}, environ={}, config_file=data_dir / "none.toml")
    store = open_store(settings, read_only=read_only)
    try:
        rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        marked = store.ask(f"ASK {{ GRAPH <{graph}> {{ {MARK} {MARK} {MARK} }} }}")
        return store.quad_count(), int(rows[0]["n"].value), marked
    finally:
        store.close()


def store_dirs(data_dir: Path) -> list[str]:
    """The store and anything beside it (a kept state, a half-made checkpoint, a discarded state)."""
    return sorted(p.name for p in data_dir.iterdir() if p.name.startswith("store"))


def old_or_new(data_dir: Path, graph: str, new: tuple[int, int, bool]) -> str:
    """Check a store after a kill: readers (before any writable open) and the writer see the same state, the old
    one (the new plus the marker) or the new one, and nothing is left beside the store once the writer opened it."""
    old = (new[0] + 1, new[1] + 1, True)
    reader = seen(data_dir, graph, read_only=True)
    writer = seen(data_dir, graph)
    assert reader == writer, (reader, writer)
    assert writer in (old, new), (writer, old, new)
    assert store_dirs(data_dir) == ["store"]
    return "old" if writer == old else "new"


@pytest.mark.slow
def test_kill_9_during_a_bulk_import_leaves_the_old_or_the_new_graphs(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    data = tmp_path / "hubs.nq"
    write_quads(data, graphs=30, per_graph=2000)  # 60k quads: dropping and loading them takes a second or two
    command = [*l4a_with(ALL_BULK), "import", str(data)]
    subprocess.run(command, env=env, check=True, timeout=120, capture_output=True)
    graph = f"{EX}g0"
    new = seen(tmp_path, graph)
    assert new[0] == 60000 and not new[2]
    outcomes = []
    for delay in (0.0, 0.02, 0.1, 0.3, 0.6, 1.0, 1.5, 2.5):  # after the checkpoint: drop, load, compaction, commit
        mark(tmp_path, graph)
        kill_during(command, env, "bulk-loading", delay)
        outcomes.append(old_or_new(tmp_path, graph, new))
    mark(tmp_path, graph)
    kill_during(command, env, "bulk load committed", 0.0)
    outcomes.append(old_or_new(tmp_path, graph, new))
    assert outcomes[0] == "old" and outcomes[-1] == "new", outcomes
    # After all these crashes an import still runs to the end and gives the new state.
    mark(tmp_path, graph)
    subprocess.run(command, env=env, check=True, timeout=120, capture_output=True)
    assert seen(tmp_path, graph) == new


def test_a_bulk_import_killed_after_its_load_and_before_its_commit_leaves_the_old_graphs(tmp_path: Path) -> None:
    # The most "between" moment there is: the old graphs are dropped and the new ones loaded into the store
    # files, only the commit is missing. Readers see the old state meanwhile; after the kill, everyone does.
    env = env_for(tmp_path)
    data = tmp_path / "hubs.nq"
    write_quads(data, graphs=5, per_graph=200)
    subprocess.run([*l4a_with(ALL_BULK), "import", str(data)], env=env, check=True, timeout=120, capture_output=True)
    graph = f"{EX}g0"
    new = seen(tmp_path, graph)
    old = (new[0] + 1, new[1] + 1, True)
    extra = tmp_path / "more.nq"  # the paused import adds a graph, so that its uncommitted state is visible
    write_quads(extra, graphs=1, per_graph=10)
    data.write_text(data.read_text(encoding="utf-8") + extra.read_text(encoding="utf-8").replace("g0>", "g9>"))
    for finish in ("kill", "continue"):
        mark(tmp_path, graph)
        command = [*l4a_with(ALL_BULK, PAUSE_BEFORE_COMMIT), "import", str(data)]
        with subprocess.Popen(
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        ) as process:
            assert process.stdin is not None and process.stderr is not None
            for line in process.stderr:
                if "loaded, not committed" in line:
                    break
            assert seen(tmp_path, graph, read_only=True) == old  # a reader while the load waits for its commit
            if finish == "kill":
                process.send_signal(signal.SIGKILL)
            else:
                process.stdin.write("\n")
                process.stdin.flush()
            process.stdin.close()
            process.stderr.read()
            process.wait(timeout=60)
        if finish == "kill":
            assert seen(tmp_path, graph, read_only=True) == old  # before any writable open: the kept state
            assert seen(tmp_path, graph) == old
            assert store_dirs(tmp_path) == ["store"]
        else:
            assert process.returncode == 0
            assert seen(tmp_path, graph) == (new[0] + 10, new[1] + 10, False)


@pytest.mark.slow
def test_kill_9_during_a_bulk_import_of_a_file_over_the_threshold(tmp_path: Path) -> None:
    # The real path, no threshold changed: a file just over SMALL_FILE_BYTES (16 MiB), few but long triples.
    from l4a.graph.store.exchange import SMALL_FILE_BYTES

    env = env_for(tmp_path)
    data = tmp_path / "big.nq"
    write_quads(data, graphs=4, per_graph=4300, filler=1000)
    assert data.stat().st_size > SMALL_FILE_BYTES
    command = [*l4a_with(), "import", str(data)]
    subprocess.run(command, env=env, check=True, timeout=120, capture_output=True)
    graph = f"{EX}g0"
    new = seen(tmp_path, graph)
    assert new[0] == 4 * 4300
    outcomes = []
    for started, delay in (
        ("bulk-loading", 0.0),
        ("bulk-loading", 0.2),
        ("bulk-loading", 0.5),
        ("bulk load committed", 0.0),
    ):
        mark(tmp_path, graph)
        kill_during(command, env, started, delay)
        outcomes.append(old_or_new(tmp_path, graph, new))
    assert outcomes[0] == "old" and outcomes[-1] == "new", outcomes


def test_a_bulk_load_that_fails_puts_the_old_state_back(tmp_path: Path) -> None:
    # In the loading process itself: the store is rolled back and stays usable, nothing is left beside it.
    path = tmp_path / "store"
    store = EmbeddedStore.open(path)
    try:
        store.replace_graphs({f"{EX}g0": []})
        store.update(f"INSERT DATA {{ GRAPH <{EX}g0> {{ {MARK} {MARK} {MARK} }} }}")
        broken = tmp_path / "broken.nq"
        write_quads(broken, graphs=2, per_graph=3000)
        with broken.open("a", encoding="utf-8") as out:
            out.write(f'<{EX}s> <{EX}p> "unterminated <{EX}g0> .\n')
        with pytest.raises(StoreError, match=r"broken\.nq"):
            store.load_file(broken, RdfFormat.N_QUADS, None, replace=[f"{EX}g0", f"{EX}g1"])
        assert store.quad_count() == 1
        assert store.named_graphs() == [f"{EX}g0"]
        assert store_dirs(tmp_path) == ["store"]
        good = tmp_path / "good.nq"
        write_quads(good, graphs=2, per_graph=10)
        assert store.load_file(good, RdfFormat.N_QUADS, None, replace=[f"{EX}g0", f"{EX}g1"]) == 20
        assert store.named_graphs() == [f"{EX}g0", f"{EX}g1"]
    finally:
        store.close()
    reopened = EmbeddedStore.open(path)
    try:
        assert reopened.quad_count() == 20
    finally:
        reopened.close()
    assert store_dirs(tmp_path) == ["store"]


def test_a_reader_opens_the_kept_state_and_a_writer_puts_it_back(tmp_path: Path) -> None:
    # The files a crash leaves, made by hand: a kept state beside a store changed after it, and a discarded
    # state and a half-made checkpoint from earlier crashes. Readers see the kept state; the writer restores it.
    from l4a.graph.store.checkpoint import before_load_dir

    path = tmp_path / "store"
    store = EmbeddedStore.open(path)
    store.update(f"INSERT DATA {{ GRAPH <{EX}old> {{ {MARK} {MARK} {MARK} }} }}")
    store.close()
    shutil.copytree(path, before_load_dir(path))
    half = ox.Store(str(path))  # pyoxigraph itself: an l4a writer would restore the kept state on opening
    half.update(f"DROP GRAPH <{EX}old> ; INSERT DATA {{ GRAPH <{EX}half> {{ {MARK} {MARK} {MARK} }} }}")
    del half
    (tmp_path / "store.discarded").mkdir()
    (tmp_path / "store.before-load.partial").mkdir()
    reader = EmbeddedStore.open(path, read_only=True)
    try:
        assert reader.named_graphs() == [f"{EX}old"]
    finally:
        reader.close()
    writer = EmbeddedStore.open(path)
    try:
        assert writer.named_graphs() == [f"{EX}old"]
    finally:
        writer.close()
    assert store_dirs(tmp_path) == ["store"]
