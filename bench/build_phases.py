"""Where the time of `l4a build --add FILE` goes: the same steps as graph/build.py and graph/exchange.py, timed.

    python bench/build_phases.py FILE [--standin FOLDER]

Runs, in this process and on a fresh store in a temporary directory, the steps `l4a build --add FILE` takes, in
its order, through l4a's own functions, and prints one JSON line with the seconds and the peak RSS (MB, so far)
after each step:

- ``import``: importing l4a and pyoxigraph;
- ``open``: opening (creating) the store;
- ``shipped_read``: parsing the shipped ontology, reference data and hubs (``read_source``);
- ``shipped_write``: writing them in one transaction (``replace_graphs``);
- ``check``: the full parse pass over FILE (``plan_imports``, which keeps the triples of a file up to 16 MB);
- ``drop``: dropping the graphs FILE names (big files only; nothing to drop in a fresh store);
- ``load``: ``bulk_load`` for a file over 16 MB, else one transaction (``replace_graphs``);
- ``close``: flushing and closing the store.

``--standin FOLDER`` reads the shipped data from a folder prepared by l4a_standin.py (see there).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--standin", type=Path, default=None, help="folder prepared by l4a_standin.py")
    args = ap.parse_args(argv)

    phases: dict[str, dict[str, float]] = {}
    clock = time.perf_counter()
    start = clock

    def done(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = {"seconds": round(now - clock, 3), "peak_rss_mb": peak_mb()}
        clock = now

    from l4a.graph import sources as build_module
    from l4a.graph.namespaces import DEFAULT_BASE, graph_iri
    from l4a.graph.store.embedded import EmbeddedStore
    from l4a.graph.store.exchange import plan_imports

    if args.standin is not None:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import l4a_standin

        l4a_standin.use(args.standin.resolve())
    done("import")

    with tempfile.TemporaryDirectory(prefix="l4a-phases-") as tmp:
        store = EmbeddedStore.open(Path(tmp) / "store")
        done("open")
        graphs = {
            graph_iri(DEFAULT_BASE, s.graph_name): build_module.read_source(s) for s in build_module.shipped_sources()
        }
        done("shipped_read")
        store.replace_graphs(graphs)
        done("shipped_write")
        (plan,) = plan_imports([args.file], None, None, DEFAULT_BASE)
        done("check")
        if plan.held is not None:
            phases["drop"] = {"seconds": 0.0, "peak_rss_mb": peak_mb()}
            store.replace_graphs(plan.held)
            path = "transaction"
        else:
            store.drop_graphs(plan.graphs)
            done("drop")
            store.load_file(plan.path, plan.fmt, plan.default_graph)
            path = "bulk_load"
        done("load")
        quads = store.quad_count()
        clock = time.perf_counter()  # counting is not part of the build
        store.close()
        done("close")
    total = sum(p["seconds"] for p in phases.values())
    print(
        json.dumps(
            {
                "file": str(args.file),
                "quads_in_file": plan.quads,
                "quads_in_store": quads,
                "load_path": path,
                "seconds_total": round(total, 3),
                "wall_seconds": round(time.perf_counter() - start, 3),
                "phases": phases,
            }
        )
    )
    sys.stdout.flush()
    os._exit(0)  # like l4a_standin: do not wait for the store's background threads


if __name__ == "__main__":
    sys.exit(main())
