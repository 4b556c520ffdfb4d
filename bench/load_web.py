"""Load test (issue 8): 64 concurrent clients for 60 s against `l4a serve` (waitress) over loopback, a mix of hub
pages, the related-hubs API and /sparql; no 5xx, p99 latency, and the server's memory over the run.

    python bench/load_web.py [--hubs 10000] [--data-dir DIR] [--threads 16] [--connections 64] [--seconds 60]
                             [--rounds 2] [--warm-up 15] [--samples 300] [--idle 0]

1. The store: as bench/bench_web.py (shipped data plus N synthetic hubs, `l4a build --add`; reused if there).
2. `l4a serve --threads T` on a free 127.0.0.1 port (a real process), `--idle` seconds left alone (0: none; e.g.
   90 to let its background warm-up finish and measure only the pages' first requests), then a warm-up run of the mix
   (--warm-up seconds, not measured: the sync index, labels and the background validation are made then).
3. `--rounds` measured runs of `wrk -t2 -cC -dS --latency` with a Lua script cycling through the mix, in equal
   parts: /hubs/<slug> (HTML), /api/hubs/<slug>/related (JSON) and GET /sparql (a hub's profile CONSTRUCT as
   Turtle, and a SELECT counting a goal's hubs as JSON). The script counts the answers by status code.
4. The resident memory (VmRSS) of the server and its query workers, every second, from /proc.
Prints a JSON line per run (also appended to bench/out/load.jsonl) and a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench_web import OUT, machine, prepare, serving  # noqa: E402

STATUS_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
request = function()
  i = i % #paths + 1
  if clients > 0 then
    c = c % clients + 1
    return wrk.format("GET", paths[i], {["X-Forwarded-For"] = "10.77." .. math.floor(c / 250) .. "." .. (c % 250 + 1)})
  end
  return wrk.format('GET', paths[i])
end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do all[k] = (all[k] or 0) + v end
  end
  for k, v in pairs(all) do io.write(string.format("status %d %d\\n", k, v)) end
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("percentile %g %d\\n", p, latency:percentile(p)))
  end
  io.write(string.format("max %d\\n", latency.max))
end
"""


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its descendants (the query workers), KiB."""
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
        except (OSError, AttributeError):
            continue
    return total


class MemoryWatch(threading.Thread):
    """Samples rss_kib(pid) every second until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self.stop.is_set():
            self.samples.append((round(time.monotonic() - start, 1), rss_kib(self.pid)))
            self.stop.wait(1.0)


def mix(slugs: list[str], base_iri: str = "https://w3id.org/l4a/") -> list[str]:
    """Hub pages, the related API and /sparql in equal parts, interleaved."""
    from l4a.graph.resources import read_query

    profile = read_query("hub-profile")
    paths = []
    for n, slug in enumerate(slugs):
        hub = f"<{base_iri}id/hub/{slug}>"
        construct = profile.replace("?hub a l4a:Hub", f"VALUES ?hub {{ {hub} }} ?hub a l4a:Hub", 1)
        goal = f"<http://metadata.un.org/sdg/{n % 17 + 1}>"
        select = (
            "PREFIX l4a: <https://w3id.org/l4a/ontology#> SELECT (COUNT(DISTINCT ?h) AS ?hubs) WHERE "
            f"{{ ?h a l4a:Hub ; l4a:addressesGoal {goal} }}"
        )
        sparql = (
            "/sparql?" + urllib.parse.urlencode({"query": construct, "format": "turtle"})
            if n % 2
            else "/sparql?" + urllib.parse.urlencode({"query": select, "format": "json"})
        )
        paths += [f"/hubs/{slug}", f"/api/hubs/{slug}/related", sparql]
    return paths


def run_wrk(
    base: str, paths: list[str], connections: int, seconds: int, work: Path, clients: int = 0
) -> dict[str, Any]:
    script = work / "mix.lua"
    listed = ",\n".join(json.dumps(p) for p in paths)
    script.write_text(f"paths = {{\n{listed}\n}}\ni = 0\nc = 0\nclients = {clients}\n{STATUS_SCRIPT}")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s",
               str(script), base]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found: dict[str, Any] = {"command": " ".join([*command[:-2], "<mix.lua>", base])}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    found["requests_per_s"] = float(rate.group(1)) if rate else None
    found["statuses"] = {k: int(v) for k, v in re.findall(r"^status (\d+) (\d+)$", output, re.MULTILINE)}
    found["requests"] = sum(found["statuses"].values())
    found["latency_ms"] = {
        f"p{p}": round(int(us) / 1000, 1) for p, us in re.findall(r"^percentile ([\d.]+) (\d+)$", output, re.MULTILINE)
    }
    maximum = re.search(r"^max (\d+)$", output, re.MULTILINE)
    found["latency_ms"]["max"] = round(int(maximum.group(1)) / 1000, 1) if maximum else None
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    found["socket_errors"] = [int(n) for n in errors.groups()] if errors else [0, 0, 0, 0]
    found["5xx"] = sum(v for k, v in found["statuses"].items() if k.startswith("5"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hubs", type=int, default=10000)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--threads", type=int, default=16, help="waitress threads (the server's default)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warm-up", type=int, default=15)
    parser.add_argument("--samples", type=int, default=300, help="hubs in the mix")
    parser.add_argument(
        "--idle", type=float, default=0,
        help="seconds to leave the server alone after it answers, before the first run (0: measure from the start)",
    )  # fmt: skip
    parser.add_argument(
        "--clients", type=int, default=64,
        help="distinct clients behind a trusted proxy (X-Forwarded-For, proxy_hops=1): /sparql gives each client a "
        "fair share, so one address for 64 connections would measure the refusals; 0: every request from loopback",
    )  # fmt: skip
    args = parser.parse_args()
    data_dir = args.data_dir or OUT / f"web-store-{args.hubs}"
    prepare(args.hubs, data_dir)
    slugs = random.Random(7).sample([f"synth-{n:06d}" for n in range(1, args.hubs + 1)], args.samples)
    paths = mix(slugs)
    results = []
    proxy = {"L4A_PROXY_HOPS": "1"} if args.clients else {}
    with serving(data_dir, args.threads, "load-serve.log", proxy) as (base, server):
        watch = MemoryWatch(server.pid)
        watch.start()
        time.sleep(args.idle)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            warm = (
                run_wrk(base, paths, args.connections, args.warm_up, work, args.clients) if args.warm_up > 0 else None
            )
            print(json.dumps({"warm_up": warm}), flush=True)
            for round_number in range(1, args.rounds + 1):
                rss_before = rss_kib(server.pid) / 1024
                load_before = os.getloadavg()
                found = run_wrk(base, paths, args.connections, args.seconds, work, args.clients)
                record = {
                    "measure": "load mix: hub pages, related API, /sparql", "round": round_number,
                    "hubs": args.hubs, "connections": args.connections, "seconds": args.seconds,
                    "threads": args.threads, "paths": len(paths), "clients": args.clients, **found,
                    "rss_mib_before": round(rss_before, 1), "rss_mib_after": round(rss_kib(server.pid) / 1024, 1),
                    "load_before": load_before, "load_after": os.getloadavg(), "machine": machine(),
                }  # fmt: skip
                results.append(record)
                print(json.dumps(record), flush=True)
        watch.stop.set()
        watch.join()
        peak = max(kib for _t, kib in watch.samples)
        print(json.dumps({"rss_mib_samples": [(t, round(k / 1024)) for t, k in watch.samples[::5]],
                          "rss_mib_peak": round(peak / 1024, 1)}), flush=True)  # fmt: skip
    OUT.mkdir(exist_ok=True)
    with (OUT / "load.jsonl").open("a") as out:
        for record in results:
            out.write(json.dumps(record) + "\n")
    print("\n| round | requests | req/s | 5xx | other non-2xx | p50 | p90 | p99 | p99.9 | max | RSS before → after |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        lat = r["latency_ms"]
        other = sum(v for k, v in r["statuses"].items() if not k.startswith(("2", "5")))
        print(f"| {r['round']} | {r['requests']:,} | {r['requests_per_s']:.0f} | {r['5xx']} | {other} | "
              f"{lat.get('p50')} ms | {lat.get('p90')} ms | {lat.get('p99')} ms | {lat.get('p99.9')} ms | "
              f"{lat.get('max')} ms | {r['rss_mib_before']} → {r['rss_mib_after']} MiB |")  # fmt: skip


if __name__ == "__main__":
    main()
