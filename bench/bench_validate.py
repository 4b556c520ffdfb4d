"""Benchmark: validating one hub and all hubs with l4a's engine, and the same with pySHACL, in one run.

    python bench/bench_validate.py [--hubs 10000] [--samples 200] [--pyshacl-samples 20] [--skip-pyshacl-all]

Builds a store with the shipped data plus N synthetic hubs (bench/synth.py) in a temporary directory, then:
  * l4a one hub: Validator.validate_graph on random hubs (median, p95), the store as context;
  * l4a all hubs: Validator.validate_store (median of 3);
  * pySHACL one hub: pyshacl.validate(focus_nodes=[hub, its deliverables, ...]) over the whole graph (baseline);
  * pySHACL all hubs: pyshacl.validate over the whole graph, once (baseline).
Prints a JSON line per measure and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyshacl
from rdflib import Graph

from l4a.graph.namespaces import DEFAULT_BASE, graph_iri
from l4a.graph.shacl.shapes import shapes_graph
from l4a.graph.shacl.validation import owners, shipped_validator
from l4a.graph.store.embedded import EmbeddedStore

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402


def build_store(hubs: int, workdir: Path) -> Path:
    data = workdir / f"hubs-{hubs}.nq"
    synth.write(data, hubs, seed=1, fmt="nquads")
    env_dir = workdir / "data"
    subprocess.run(
        [sys.executable, "-m", "l4a.graph.cli", "--data-dir", str(env_dir), "build", "--quiet",
         "--add", str(data)],
        check=True,
    )
    return env_dir / "store"


def timed(function, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hubs", type=int, default=10000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--pyshacl-samples", type=int, default=3)
    parser.add_argument("--pyshacl-all-hubs", type=int, default=100, help="store size for pySHACL over all hubs")
    args = parser.parse_args()
    rows = Rows(args.hubs)
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore.open(build_store(args.hubs, Path(tmp)), read_only=True)
        validator = shipped_validator()
        rng = random.Random(7)
        picks = [rng.randint(1, args.hubs) for _ in range(args.samples)]
        graphs = [graph_iri(DEFAULT_BASE, f"hub/{synth.hub_slug(i)}") for i in picks]
        validator.validate_graph(store, graphs[0])  # warm up (compiled once per process anyway)
        one = [timed(validator.validate_graph, store, g)[0] for g in graphs]
        rows.append({"measure": "l4a one hub", "median_ms": statistics.median(one) * 1000,
                     "p95_ms": sorted(one)[int(0.95 * len(one)) - 1] * 1000, "samples": len(one)})
        all_runs = [timed(validator.validate_store, store) for _ in range(3)]
        report = all_runs[0][1]
        rows.append({"measure": "l4a all hubs", "median_s": statistics.median(t for t, _ in all_runs),
                     "results": len(report.results), "violations": report.count("Violation")})

        union = Graph()
        union.parse(data=dump_union(store), format="nt")
        shapes = shapes_graph()
        owned = owners(store)
        focus_sets = []
        for i in picks[: args.pyshacl_samples]:
            hub = synth.hub_iri(i).strip("<>")
            focus_sets.append([hub] + [node for node, owner in owned.items() if owner == hub and node != hub])
        base_one = []
        for focus in focus_sets:
            seconds, _ = timed(lambda f=focus: pyshacl.validate(union, shacl_graph=shapes, inference="none",
                                                                focus_nodes=f))
            base_one.append(seconds)
        rows.append({"measure": "pySHACL one hub (focus_nodes, whole graph)",
                     "median_ms": statistics.median(base_one) * 1000, "samples": len(base_one)})
        store.close()
        # pySHACL over a whole graph of 10k hubs would run for hours with these SPARQL-based shapes (it re-parses
        # each query for every focus node), so it is measured on a smaller store, beside l4a on the same store.
        small_dir = Path(tmp) / "small"
        small_dir.mkdir()
        small = EmbeddedStore.open(build_store(args.pyshacl_all_hubs, small_dir), read_only=True)
        small_union = Graph()
        small_union.parse(data=dump_union(small), format="nt")
        seconds, _ = timed(lambda: pyshacl.validate(small_union, shacl_graph=shapes, inference="none"))
        rows.append({"measure": f"pySHACL all hubs (whole graph of {args.pyshacl_all_hubs} hubs)", "median_s": seconds})
        seconds, _ = timed(validator.validate_store, small)
        rows.append({"measure": f"l4a all hubs (store of {args.pyshacl_all_hubs} hubs)", "median_s": seconds})
        small.close()


class Rows(list[dict[str, object]]):
    """Measures, printed as each is taken (pySHACL runs take minutes)."""

    def __init__(self, hubs: int) -> None:
        super().__init__()
        self.hubs = hubs

    def append(self, row: dict[str, object]) -> None:
        super().append(row)
        print(json.dumps({"hubs": self.hubs, **row}), flush=True)


def dump_union(store: EmbeddedStore) -> str:
    import io

    out = io.BytesIO()
    from pyoxigraph import RdfFormat

    store.dump(out, RdfFormat.N_TRIPLES)
    return out.getvalue().decode()


if __name__ == "__main__":
    main()
