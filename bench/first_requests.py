"""The first request of every path of bench/load_web.py's mix, one at a time, on a server just started: what each
kind of path costs before anything is kept in memory (the load test's first seconds ask for all of them at once).

    python bench/first_requests.py [--hubs 10000] [--data-dir DIR] [--samples 300] [--idle 0]

`l4a serve` (the Python running this script) on a free 127.0.0.1 port over DIR (see bench_web.py `prepare`), then
each path of the mix once, in the mix's order, and the first 90 again (warm). Prints a JSON line per kind of path
(hub page, related list, SPARQL SELECT, SPARQL CONSTRUCT) with the median, p90, max and sum in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench_web import OUT, prepare, serving  # noqa: E402
from load_web import mix  # noqa: E402


def kind(path: str) -> str:
    if path.startswith("/hubs/"):
        return "hub page"
    if path.endswith("/related"):
        return "related list"
    return "SPARQL CONSTRUCT" if "format=turtle" in path else "SPARQL SELECT"


def timed(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as answer:
        answer.read()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hubs", type=int, default=10000)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--samples", type=int, default=300, help="hubs in the mix (as load_web.py)")
    parser.add_argument("--idle", type=float, default=0, help="seconds to leave the server alone first")
    args = parser.parse_args()
    data_dir = args.data_dir or OUT / f"web-store-{args.hubs}"
    prepare(args.hubs, data_dir)
    slugs = random.Random(7).sample([f"synth-{n:06d}" for n in range(1, args.hubs + 1)], args.samples)
    paths = mix(slugs)
    spent: dict[str, list[float]] = {}
    load = os.getloadavg()
    with serving(data_dir, 16, "first-requests.log") as (base, _server):
        time.sleep(args.idle)
        for path in paths:
            spent.setdefault(kind(path), []).append(timed(base + path))
        warm = [timed(base + path) for path in paths[:90]]
    for name, times in spent.items():
        ordered = sorted(times)
        print(json.dumps({"kind": name, "n": len(ordered), "median_ms": round(statistics.median(ordered), 1),
                          "p90_ms": round(ordered[int(0.9 * len(ordered))], 1), "max_ms": round(ordered[-1], 1),
                          "sum_s": round(sum(ordered) / 1000, 2)}))  # fmt: skip
    print(json.dumps({"warm_median_ms": round(statistics.median(warm), 1), "load_before": load,
                      "load_after": os.getloadavg()}))  # fmt: skip


if __name__ == "__main__":
    main()
