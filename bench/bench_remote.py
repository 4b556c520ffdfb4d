"""Benchmark the store backends on the same data in one run: embedded Oxigraph, the Oxigraph server, Virtuoso.

    python bench/bench_remote.py [--hubs 10000] [--repeat 3] [--backends embedded,oxigraph,virtuoso] [--no-rebuild]

For each backend, on a fresh store (a new data directory, or a new server in a temporary folder under bench/out/
started as the tests start theirs: tests/conftest.py, 127.0.0.1, free ports):

- `l4a build --quiet --add bench/out/hubs-N.nq` (shipped data + N synthetic hubs, made by synth.py if missing):
  wall time of the whole command, then the same command again on the built store (a rebuild replaces every
  graph: on a server the existing graphs are staged and moved into place);
- `l4a related HUB --format json` as a command (it builds the synchronization index from the store each time):
  median wall time of --repeat runs, and the ranking, which must equal the embedded store's;
- in one process: the synchronization index read from the store (`SyncIndex.from_store`, what `related`, the
  hub pages and `partners` need), median of --repeat; the hub profile (`hub-profile`, the CONSTRUCT behind a hub
  page) and `hubs-by-sdg` for 30 hubs, median and 90th percentile.

Prints a Markdown table and writes bench/out/remote.json (every run, the machine, the load average before and
after, versions, commit). The machine may be shared: the load average says how busy it was.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

import synth  # noqa: E402
from conftest import SparqlServer, start_oxigraph, start_virtuoso  # noqa: E402

from l4a.graph.settings import load_settings  # noqa: E402
from l4a.graph.sparql.queries import run_named_graph_query, run_named_query  # noqa: E402
from l4a.graph.store.factory import open_store  # noqa: E402
from l4a.graph.sync.index import SyncIndex  # noqa: E402


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def l4a_command() -> list[str]:
    found = shutil.which("l4a", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return [found] if found else [sys.executable, "-m", "l4a.graph.cli"]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-3000:]}")
    return seconds, done.stdout


def milliseconds(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 2),
    }


def measure(name: str, env: dict[str, str], data: Path, hubs: list[str], repeat: int, rebuild: bool) -> dict[str, Any]:
    command = l4a_command()
    result: dict[str, Any] = {"backend": name}
    log(f"[{name}] l4a build --add {data.name}")
    result["build_s"], _ = timed([*command, "build", "--quiet", "--add", str(data)], env)
    if rebuild:
        log(f"[{name}] the same build again (every graph replaced)")
        result["rebuild_s"], _ = timed([*command, "build", "--quiet", "--add", str(data)], env)
    _, stats = timed([*command, "stats", "--format", "json"], env)
    result["stats"] = json.loads(stats)
    runs = []
    for _ in range(repeat):
        seconds, ranking = timed([*command, "related", hubs[0], "--format", "json"], env)
        runs.append(seconds)
    result["related_command_s"] = round(statistics.median(runs), 3)
    result["related_ranking"] = [r["hub"] for r in json.loads(ranking)]
    settings = load_settings({}, environ=env)
    store = open_store(settings, read_only=True)
    index_runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        SyncIndex.from_store(store)
        index_runs.append(time.perf_counter() - start)
    result["sync_index_s"] = round(statistics.median(index_runs), 3)
    profile, by_sdg = [], []
    run_named_graph_query(store, "hub-profile", {"hub": hubs[1]})  # warm up
    for hub in hubs[1:]:
        start = time.perf_counter()
        run_named_graph_query(store, "hub-profile", {"hub": hub})
        profile.append(time.perf_counter() - start)
    for goal in range(1, 18):
        start = time.perf_counter()
        run_named_query(store, "hubs-by-sdg", {"sdg": f"{goal}.1"})
        by_sdg.append(time.perf_counter() - start)
    result["hub_profile"] = milliseconds(profile)
    result["hubs_by_sdg"] = milliseconds(by_sdg)
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hubs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="embedded,oxigraph,virtuoso")
    parser.add_argument("--no-rebuild", action="store_true")
    parser.add_argument("-o", "--output", type=Path, default=OUT / "remote.json")
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    data = OUT / f"hubs-{args.hubs}.nq"
    if not data.exists():
        log(f"writing {data}")
        synth.write(str(data), args.hubs, args.seed, "nquads")
    rng = random.Random(7)
    hubs = ["synth-000012"] + [f"synth-{rng.randint(1, args.hubs):06d}" for _ in range(30)]
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")}
    results = []
    load_before = os.getloadavg()
    for name in args.backends.split(","):
        with tempfile.TemporaryDirectory(dir=OUT, prefix=f"remote-{name}-") as folder:
            env = {
                **base_env,
                "L4A_DATA_DIR": str(Path(folder) / "data"),
                "L4A_CONFIG": str(Path(folder) / "none.toml"),
            }
            server: SparqlServer | None = None
            if name == "oxigraph":
                server = start_oxigraph(Path(folder) / "server")
            elif name == "virtuoso":
                server = start_virtuoso(Path(folder) / "server")
            if server is not None:
                env |= server.env() | {"L4A_UPDATE_TIMEOUT": "1800", "L4A_QUERY_TIMEOUT": "300"}
            try:
                results.append(measure(name, env, data, hubs, args.repeat, not args.no_rebuild))
            finally:
                if server is not None:
                    server.stop()
    load_after = os.getloadavg()

    reference = results[0]
    for result in results[1:]:
        result["same_stats"] = result["stats"] == reference["stats"]
        result["same_ranking"] = result["related_ranking"] == reference["related_ranking"]
    versions = {}
    for package in ("pyoxigraph", "oxigraph", "SPARQLWrapper"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    virtuoso = shutil.which("virtuoso-t")
    if virtuoso:
        about = subprocess.run([virtuoso, "-?"], capture_output=True, text=True, check=False)
        versions["virtuoso"] = (about.stdout + about.stderr).split("\n")[1]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout
    document = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "load_average_before": load_before,
        "load_average_after": load_after,
        "versions": versions,
        "commit": commit.strip(),
        "hubs": args.hubs,
        "results": results,
    }
    args.output.write_text(json.dumps(document, indent=2) + "\n")

    rows = [
        "| backend | build | rebuild | `related` command | sync index | hub profile (median/p90) | by SDG | same |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        same = "reference" if r is reference else ("yes" if r["same_stats"] and r["same_ranking"] else "NO")
        rebuild = f"{r['rebuild_s']:.1f} s" if "rebuild_s" in r else "-"
        rows.append(
            f"| {r['backend']} | {r['build_s']:.1f} s | {rebuild} | {r['related_command_s']:.2f} s | "
            f"{r['sync_index_s']:.2f} s | {r['hub_profile']['median_ms']:.1f} / {r['hub_profile']['p90_ms']:.1f} ms | "
            f"{r['hubs_by_sdg']['median_ms']:.1f} ms | {same} |"
        )
    print("\n".join(rows))
    print(f"\nload average before {load_before[0]:.2f}, after {load_after[0]:.2f}; {args.hubs} hubs; {args.output}")


if __name__ == "__main__":
    main()
