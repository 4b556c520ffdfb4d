"""One hub's monitoring data (`load_monitoring(store, base, hub=iri)`, the hub page's) against reading every hub's
(`load_monitoring(store, base)`), on a store of synthetic hubs; optionally against an older one-hub loader given
as a file (`--baseline FILE`, a module with load_hub_monitoring(store, iri), e.g.
`git show REV:graph/monitoring/hub.py`;
`--baseline-all FILE`, a module with load_monitoring(store, base), e.g. `git show REV:graph/monitoring/load.py`).

    python bench/bench_monitoring.py --hubs 10000 --baseline /tmp/old_hub.py --baseline-all /tmp/old_load.py
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import tempfile
import time
from pathlib import Path

from synth import hub_iri, write

from l4a.graph.build import build
from l4a.graph.monitoring.load import load_monitoring
from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.rdf_formats import FORMATS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hubs", type=int, default=10000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--baseline-all", type=Path, help="a module with load_monitoring(store, base), read all hubs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "hubs.nq"
        write(str(data), args.hubs, 1, "nquads")
        store = EmbeddedStore.open(Path(tmp) / "store")
        build(store)
        store.load_file(data, FORMATS["nquads"])
        iris = [hub_iri(1 + i * (args.hubs // args.samples)) for i in range(args.samples)]

        def timed(run: object) -> list[float]:
            times = []
            for iri in iris:
                start = time.perf_counter()
                run(iri)  # type: ignore[operator]
                times.append((time.perf_counter() - start) * 1000)
            return times

        timed(lambda iri: load_monitoring(store, DEFAULT_BASE, iri)[iri])  # a first pass warms the store's caches
        one = timed(lambda iri: load_monitoring(store, DEFAULT_BASE, iri)[iri])
        median, worst = statistics.median(one), max(one)
        print(f"load_monitoring(hub=...): {median:.2f} ms median, {worst:.2f} ms max ({len(one)} hubs)")
        if args.baseline:
            spec = importlib.util.spec_from_file_location("baseline_hub", args.baseline)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            old = timed(lambda iri: module.load_hub_monitoring(store, iri))
            print(f"baseline load_hub_monitoring: {statistics.median(old):.2f} ms median, {max(old):.2f} ms max")
        start = time.perf_counter()
        everything = load_monitoring(store, DEFAULT_BASE)
        print(f"load_monitoring(all): {time.perf_counter() - start:.2f} s ({len(everything)} hubs)")
        if args.baseline_all:
            spec = importlib.util.spec_from_file_location("baseline_all", args.baseline_all)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            start = time.perf_counter()
            module.load_monitoring(store, DEFAULT_BASE)
            print(f"baseline load_monitoring(all): {time.perf_counter() - start:.2f} s")
        store.close()
    print("load average:", Path("/proc/loadavg").read_text().strip())


if __name__ == "__main__":
    main()
