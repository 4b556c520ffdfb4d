"""`kill -9` during a write: a real `l4a` subprocess is killed mid-way and the store reopens in the old or the new
state, never between. `l4a build` replaces the shipped graphs in one transaction; `l4a import` of a file whose
graphs are held in memory replaces them in one transaction too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from l4a.graph.settings import load_settings
from l4a.graph.store import open_store

MARK = "<https://example.org/durability/marker>"
L4A = [sys.executable, "-c", "from l4a.graph.cli import main; main()"]
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
    from l4a.graph.lifecycle import proposal
    from l4a.graph.namespaces import DEFAULT_BASE

    env = env_for(tmp_path)
    example = Path(__file__).parents[1] / "docs" / "examples" / "proposal-rioverde.en.yaml"
    subprocess.run([*L4A, "build", "--quiet"], env=env, check=True, timeout=120)
    subprocess.run([*L4A, "propose", str(example)], env=env, check=True, timeout=120, capture_output=True)
    pid = "rioverde-green-corridors"
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
