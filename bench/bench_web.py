"""Benchmark: the web app over the shipped data plus N synthetic hubs: pages server-side, and /api/.../related under
load through `l4a serve` (waitress) with wrk.

    python bench/bench_web.py [--hubs 10000] [--samples 200] [--data-dir DIR] [--threads 8] [--connections 32]
                              [--seconds 20] [--skip-wrk]

1. The store: `l4a --data-dir DIR build --quiet --add bench/out/hubs-N.nq` (the file is generated with
   bench/synth.py, seed 1, when it is missing). With --data-dir and a store already there, it is reused.
2. In-process (Flask's test client, no HTTP), one app:
   * the first request of the app (every cache cold: labels, the sync index, the hub's view and report);
   * the hub page of `--samples` random hubs, each asked twice: its first visit (the app's caches warm, the hub's
     own view and validation report computed) and a repeat visit (everything cached);
   * baselines: the hub page with every cache forgotten before each request (5 hubs: labels read and the sync index
     built each time), and the hub's profile (queries/hub-profile.rq, CONSTRUCT) through /sparql for the same hubs;
   * the home page (first request, then warm; meanwhile a hub page's first visit in another thread), the hub
     list, /api/hubs/<slug>/related.
3. Over HTTP: `l4a serve --threads T` on a free loopback port, then `wrk -t2 -cC -dS --latency` with a Lua script
   that cycles through the sampled hubs: /api/hubs/<slug>/related, and as baselines /api/stats (a cached JSON
   document: the server's ceiling) and the hub-profile CONSTRUCT through /sparql.
Prints a JSON line per measure (also written to bench/out/web.jsonl) and the Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
import synth  # noqa: E402

L4A = [sys.executable, "-m", "l4a.graph.cli"]
RECORDS: list[dict[str, Any]] = []


def emit(**record: Any) -> None:
    RECORDS.append(record)
    print(json.dumps(record), flush=True)


def ms(seconds: list[float]) -> dict[str, float]:
    """Median, p90, min and max in milliseconds."""
    ordered = sorted(seconds)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p90_ms": round(p90 * 1000, 2),
        "min_ms": round(ordered[0] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "n": len(ordered),
    }


def machine() -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True)  # fmt: skip
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" [")[0]
    return {
        "commit": commit.stdout.strip() + ("+uncommitted changes" if dirty.stdout.strip() else ""),
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "python": sys.version.split()[0],
        **{name: metadata.version(name) for name in ("flask", "pyoxigraph", "waitress")},
        "wrk": wrk_version,
    }


def prepare(hubs: int, data_dir: Path) -> None:
    """The store of the shipped data plus `hubs` synthetic hubs in data_dir (kept if it is there already)."""
    if (data_dir / "store").exists():
        emit(step="store", reused=str(data_dir))
        return
    data = OUT / f"hubs-{hubs}.nq"
    if not data.exists():
        OUT.mkdir(exist_ok=True)
        synth.write(data, hubs, seed=1, fmt="nquads")
    start = time.perf_counter()
    subprocess.run([*L4A, "--data-dir", str(data_dir), "build", "--quiet", "--add", str(data)], check=True)
    emit(step="build", seconds=round(time.perf_counter() - start, 2), file=str(data))


def in_process(data_dir: Path, samples: int, seed: int) -> list[str]:
    """Server-side times through Flask's test client; returns the sampled slugs."""
    from l4a.graph.settings import load_settings
    from l4a.graph.sparql.queries import get_query
    from l4a.web.app import create_app
    from l4a.web.state import app_index, forget_caches, warm_reports

    settings = load_settings({"data_dir": data_dir}, environ={}, config_file=data_dir / "none.toml")
    app = create_app(settings=settings)
    client = app.test_client()

    def timed(path: str, method: Callable[..., Any] | None = None, **kwargs: Any) -> float:
        start = time.perf_counter()
        response = (method or client.get)(path, **kwargs)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}: {response.get_data(as_text=True)[:500]}")
        return elapsed

    first = "/hubs/bilbao-city-of-values"
    emit(measure="first request of the app (hub page, every cache cold)", path=first, ms=round(timed(first) * 1000))
    index = app_index(app)
    slugs = sorted(iri.rsplit("/", 1)[1] for iri in index.hubs)
    chosen = random.Random(seed).sample(slugs, min(samples, len(slugs)))
    emit(step="sample", hubs_in_index=len(slugs), sampled=len(chosen))

    # A slow cold value (the home page's counts) must not hold up requests that need other values.
    def home_first() -> None:
        start = time.perf_counter()
        assert app.test_client().get("/").status_code == 200
        emit(measure="home page, first request (its counts computed; labels warm)",
             ms=round((time.perf_counter() - start) * 1000, 1))  # fmt: skip

    home = threading.Thread(target=home_first)
    home.start()
    time.sleep(0.3)
    other = next(slug for slug in slugs if slug not in chosen)
    emit(measure="hub page first visit while the home page's counts are computed (another thread)",
         ms=round(timed(f"/hubs/{other}") * 1000, 1))  # fmt: skip
    home.join()
    first_visit = [timed(f"/hubs/{slug}") for slug in chosen]
    repeat_visit = [timed(f"/hubs/{slug}") for slug in chosen]
    emit(measure="hub page, first visit (app caches warm; the hub's view and report computed)", **ms(first_visit))
    emit(measure="hub page, repeat visit (all cached)", **ms(repeat_visit))
    breakdown(app, [s for s in random.Random(seed + 1).sample(slugs, 60) if s not in chosen][:50])
    # What `l4a serve` does (create_app(warm=True)): validate the whole store in the background, then a hub page's
    # first visit takes its report from there.
    start = time.perf_counter()
    app.config["L4A_WARM"] = True
    warm_reports(app, ("en",)).join()
    emit(measure="background validation of the whole store (l4a serve, once per language)",
         ms=round((time.perf_counter() - start) * 1000))  # fmt: skip
    fresh = [s for s in random.Random(seed + 2).sample(slugs, min(len(slugs), samples + 120)) if s not in chosen]
    served = [timed(f"/hubs/{slug}?lang=en") for slug in fresh[:samples]]
    emit(measure="hub page, first visit once the background validation is done (as l4a serve runs)", **ms(served))
    app.config["L4A_WARM"] = False  # the measures below empty the caches: no validation in the background then
    related = [timed(f"/api/hubs/{slug}/related") for slug in chosen]
    emit(measure="/api/hubs/<slug>/related in-process", **ms(related))

    profile = get_query("hub-profile").text
    base = str(settings.base_iri)
    constructs = []
    for slug in chosen:
        query = profile.replace("?hub a l4a:Hub", f"VALUES ?hub {{ <{base}id/hub/{slug}> }} ?hub a l4a:Hub", 1)
        constructs.append(timed("/sparql", client.post, data={"query": query}, headers={"Accept": "text/turtle"}))
    emit(measure="baseline: hub profile CONSTRUCT through /sparql (Turtle)", **ms(constructs))

    emit(measure="home page, warm", **ms([timed("/") for _ in range(50)]))
    emit(measure="hub list /hubs, first request", ms=round(timed("/hubs") * 1000, 1))
    emit(measure="hub list /hubs, warm", **ms([timed("/hubs") for _ in range(20)]))
    emit(measure="hub list /hubs?goal=11&year=2024, warm", **ms([timed("/hubs?goal=11&year=2024") for _ in range(20)]))
    uncached = []  # last: it empties every cache
    for slug in chosen[:5]:
        forget_caches(app)
        uncached.append(timed(f"/hubs/{slug}"))
    emit(measure="baseline: hub page with every cache forgotten before each request", **ms(uncached))
    app.extensions["l4a_store"].close()
    return chosen


def breakdown(app: Any, slugs: list[str]) -> None:
    """Where a hub page's first visit goes, part by part, on hubs not visited yet."""
    from l4a.graph.reports.hub_view import hub_view
    from l4a.graph.shacl.validation import hub_graph, shipped_validator
    from l4a.web.state import app_index, app_store

    store, index = app_store(app), app_index(app)
    base = str(app.config["L4A_SETTINGS"].base_iri)
    parts: dict[str, list[float]] = {"hub view (hub-profile query)": [], "validation (validate_graph)": [],
                                     "related + partners": []}  # fmt: skip
    client = app.test_client()
    pages = []
    for slug in slugs:
        iri = f"{base}id/hub/{slug}"
        start = time.perf_counter()
        hub_view(store, iri, base)
        parts["hub view (hub-profile query)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        shipped_validator().validate_graph(store, hub_graph(store, iri), "en")
        parts["validation (validate_graph)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        index.related(iri, limit=10)
        index.partners(iri, limit=5)
        parts["related + partners"].append(time.perf_counter() - start)
        client.get(f"/hubs/{slug}")
        start = time.perf_counter()
        client.get(f"/hubs/{slug}")
        pages.append(time.perf_counter() - start)
    for name, seconds in parts.items():
        emit(measure=f"first visit, part: {name}", **ms(seconds))
    emit(measure="first visit, part: the rest = the same page again (view and report cached)", **ms(pages))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float = 60) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return bytes(response.read())


def wrk(url: str, paths: list[str], connections: int, seconds: int, work: Path, name: str) -> dict[str, Any]:
    script = work / f"{name}.lua"
    listed = ",\n".join(json.dumps(p) for p in paths)
    script.write_text(
        f"paths = {{\n{listed}\n}}\ni = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", str(script),
               url]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found: dict[str, Any] = {"command": " ".join([*command[:-2], "<script>", url])}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    found["requests_per_s"] = float(rate.group(1)) if rate else None
    found["requests"] = int(total.group(1)) if total else None
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    found["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    found["socket_errors"] = [int(n) for n in errors.groups()] if errors else [0, 0, 0, 0]
    found["errors"] = found["non_2xx"] + sum(found["socket_errors"])
    for percent in ("50", "90", "99"):
        latency = re.search(rf"^\s+{percent}%\s+(\S+)", output, re.MULTILINE)
        found[f"latency_p{percent}"] = latency.group(1) if latency else None
    return found


@contextmanager
def serving(
    data_dir: Path, threads: int, log_name: str = "serve.log", extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`l4a serve --threads T` on a free loopback port over data_dir, stopped at the end: (base URL, process)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")}
    env["L4A_CONFIG"] = str(data_dir / "none.toml")
    env["L4A_SECRET_KEY"] = secrets.token_hex(32)  # `l4a serve` refuses to start without one
    env.update(extra_env or {})
    log = data_dir / log_name
    command = [*L4A, "--data-dir", str(data_dir), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--threads", str(threads)]  # fmt: skip
    with log.open("ab") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                get(f"{base}/api/stats", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"l4a serve did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.3)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def over_http(data_dir: Path, slugs: list[str], threads: int, connections: int, seconds: int) -> None:
    with serving(data_dir, threads) as (base, _server):
        start = time.perf_counter()
        get(f"{base}/api/hubs/{slugs[0]}/related")  # builds the sync index once
        emit(step="server warm-up (sync index)", seconds=round(time.perf_counter() - start, 2), threads=threads)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            related = [f"/api/hubs/{slug}/related" for slug in slugs]
            emit(measure="wrk /api/hubs/<slug>/related", load=os.getloadavg(),
                 **wrk(base, related, connections, seconds, work, "related"))  # fmt: skip
            emit(measure="wrk baseline /api/stats (cached JSON: the server's ceiling)", load=os.getloadavg(),
                 **wrk(base, ["/api/stats"], connections, seconds, work, "stats"))  # fmt: skip
            from l4a.graph.sparql.queries import get_query

            profile = get_query("hub-profile").text
            constructs = []
            for slug in slugs:
                query = profile.replace(
                    "?hub a l4a:Hub", f"VALUES ?hub {{ <https://w3id.org/l4a/id/hub/{slug}> }} ?hub a l4a:Hub", 1
                )
                constructs.append("/sparql?" + urllib.parse.urlencode({"query": query}))
            emit(measure="wrk baseline hub profile CONSTRUCT via GET /sparql", load=os.getloadavg(),
                 **wrk(base, constructs, connections, seconds, work, "sparql"))  # fmt: skip
            pages = [f"/hubs/{slug}" for slug in slugs]
            emit(measure="wrk hub pages /hubs/<slug> (HTML)", load=os.getloadavg(),
                 **wrk(base, pages, connections, seconds, work, "pages"))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hubs", type=int, default=10000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, help="reuse (or build once into) this data directory")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of `l4a serve`")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=20, help="duration of each wrk run")
    parser.add_argument("--skip-wrk", action="store_true")
    args = parser.parse_args()
    emit(step="machine", **machine())
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        prepare(args.hubs, data_dir)
        slugs = in_process(data_dir, args.samples, args.seed)
        if not args.skip_wrk:
            over_http(data_dir, slugs, args.threads, args.connections, args.seconds)
    emit(step="done", loadavg=os.getloadavg())
    OUT.mkdir(exist_ok=True)
    with (OUT / "web.jsonl").open("w") as out:
        out.writelines(json.dumps(r) + "\n" for r in RECORDS)


if __name__ == "__main__":
    main()
