"""Sweep: every `l4a` command, every named query with its example parameters and every page type, timed on stores
of synthetic hubs, cold and warm, for one or more versions of the code side by side (interleaved, same run).

    python bench/sweep.py [--sizes 10000,100000] [--only REGEX] [--python PY]... [--timeout 60] [--page-timeout 30]
                          [--repeat 3] [--no-write] [--after-prepare] [-o bench/out/sweep.json]

* Stores: `bench/out/store-N` (built with `l4a build --quiet --add bench/out/hubs-N.nq`, the file written by
  bench/synth.py with seed 1, when missing; reused otherwise). Every version reads the same store.
* `--python`: the interpreter of a version of l4a (e.g. the venv of the previous commit); give it several times to
  compare; default this interpreter. Each row is measured for each version in turn (interleaved).
* CLI rows: the command in a new process (interpreter start and imports included), wall time: "cold" is its
  first run after a write (the values derived from the store, graph/store/derived.py, removed first), "warm" the
  median of `--repeat` runs after it (a version without such values gives the same twice). Commands that write
  (import, monitor add, propose, proposals) run on a scratch copy of the store (`--no-write` leaves them out);
  `build` builds a fresh store from the synthetic file, judged by the issue's goal for a build: at most 1.25 times the
  engine's own `bulk_load` plus `optimize` of the same file, run beside it (bench/build_vs_raw.py's RAW). `export`
  is judged by the CLI goal, with the engine's own one-call dump of the same store (a new process) shown beside it.
* `--after-prepare`: the last version's CLI "cold" runs come after a write and the `l4a prepare` it starts in the
  background, waited for (what a user meets who runs a command some time after a write): on its own copy of the
  store, prepared once per size and timed as the row "prepare (after a write, background)". The other versions'
  cold runs stay the first run after a write. Without it, no row is disturbed by a background run: every command
  runs with L4A_PREPARE_AFTER_WRITE=off.
* Page rows: `l4a serve` started by the script on 127.0.0.1 for each page type; "cold" is the first request of that
  page as soon as the port answers TCP (while the server's warm-up runs). Each version serves its own copy of the
  store (the values kept beside a store are kept per name, so two versions sharing one would replace each other's).
  Before the first page row each version's server is run once until no page answers "being prepared" (`prime`), so
  the rows measure a restart with what earlier runs kept on disk, not the first start after a write; a "being
  prepared" answer shows as HTTP 503. `--pages-after-prepare` instead: each version's copy has its derived values
  removed (a write) and `l4a prepare` run on it, and no server primes it: a start after a write and its preparation.
  "warm" is the median of `--repeat` later requests of the same HTML and of the JSON; "fr/es" beside the cold
  figure is the slower of the page's first requests in French and in Spanish (a page made per language is a first
  request there too, judged by the first-request goal). After the last page the server's peak RSS (VmHWM).
  Every page is asked with `Accept-Encoding: gzip`, as a browser asks (`--no-gzip`: without), and timed to its
  last byte as sent (a big download kept beside the store then comes from its gzip twin: web/compressed.py).
* `--prepared DIR` (one per `--python`): the CLI rows' first runs on each version's own data directory, prepared
  beforehand by that version's `l4a prepare` (at 100k hubs a preparation takes about 35 minutes: run them side by
  side before the sweep), so that every version is measured after a write and its preparation in the same run.
* `--pages-data DIR` (one per `--python`): the page rows serve these data directories as they are, e.g. a copy
  an earlier `--pages-after-prepare` run prepared (kept with `cp -al` before that run ended), for a version whose
  `l4a.graph` code (the key of what is prepared) is the same.
* `suggest --all` suggests for every hub (a batch of one text per hub): it is judged by issue 17's goal for a
  batch, at most 100 ms a text, process start included.
* A command or request still running after its timeout is stopped and reported as "timeout".
Prints one Markdown table (seconds for CLI rows, milliseconds for pages) with the load average of each row, and
writes every measure to the JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
import synth  # noqa: E402
from build_vs_raw import RAW  # noqa: E402

HUB = "synth-000001"
CSV = ["--format", "csv"]
COUNCIL = "resilient-regenerative-territories"


@dataclass
class Item:
    kind: str  # "cli" or "page"
    name: str
    args: list[str] = field(default_factory=list)  # cli: arguments after `l4a --data-dir D`; page: [path]
    writes: bool = False
    json_path: str | None = None  # page: the JSON twin, when there is one


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cli_items(size: int, example: Path) -> list[Item]:
    nq = str(OUT / f"hubs-{size}.nq")
    items = [
        Item("cli", "--version", ["--version"]),
        Item("cli", "stats", ["stats", "--format", "json"]),
        Item("cli", "query list", ["query", "list"]),
        Item("cli", "query show sdg-gaps", ["query", "show", "sdg-gaps"]),
        Item("cli", "validate --hub", ["validate", "--hub", HUB, "--format", "json"]),
        Item("cli", "validate (whole store)", ["validate", "--format", "json"]),
        Item("cli", "related", ["related", HUB]),
        Item("cli", "partners", ["partners", HUB]),
        Item("cli", "communities", ["communities", "--format", "json"]),
        Item("cli", "network json", ["network", "--format", "json", "-o", os.devnull]),
        Item("cli", "network graphml", ["network", "--format", "graphml", "-o", os.devnull]),
        Item("cli", "evidence (all, md)", ["evidence"]),
        Item("cli", "evidence --sdg 11 csv", ["evidence", "--sdg", "11", "--format", "csv"]),
        Item("cli", "evidence --from --to csv", ["evidence", "--from", "2021-03-01", "--to", "2022-02-28", *CSV]),
        Item("cli", "evidence --council --from csv", ["evidence", "--council", COUNCIL, "--from", "2020-06-01", *CSV]),
        Item("cli", "gaps", ["gaps"]),
        Item("cli", "gaps --council", ["gaps", "--council", COUNCIL, "--format", "json"]),
        Item("cli", "gaps --section", ["gaps", "--section", "flacma"]),
        Item("cli", "monitor status", ["monitor", "status"]),
        Item("cli", "monitor status --hub", ["monitor", "status", "--hub", HUB]),
        Item("cli", "monitor links", ["monitor", "links"]),
        Item("cli", "brief --council", ["brief", "--council", COUNCIL, "-o", os.devnull]),
        Item("cli", "brief --vcs", ["brief", "--vcs", "2021", "--format", "md", "-o", os.devnull]),
        Item("cli", "export nquads", ["export", "--format", "nquads", "-o", os.devnull]),
        Item("cli", "export (TriG, to a file)", ["export", "-o", str(OUT / "sweep-export.trig")]),
        Item("cli", "export jsonld", ["export", "--format", "jsonld", "-o", os.devnull]),
        Item("cli", "proposals list", ["proposals", "list"]),
        Item("cli", "hubs", ["hubs"]),
        Item("cli", "hubs --format json", ["hubs", "--format", "json"]),
        Item("cli", "suggest TEXT", ["suggest", SUGGEST_TEXT]),
        Item("cli", "suggest --hub", ["suggest", "--hub", HUB]),
        Item("cli", "suggest --all (not stored)", ["suggest", "--all"]),
        Item("cli", "suggestions list", ["suggestions", "list"]),
        Item("cli", "suggest --all --store", ["suggest", "--all", "--store"], writes=True),
        Item("cli", "import (one file)", ["import", str(ROOT / "tests" / "data" / "one-graph.ttl")], writes=True),
        Item(
            "cli",
            "monitor add",
            ["monitor", "add", str(OUT / "sweep-observations.yaml")],
            writes=True,
        ),
        Item("cli", "propose", ["propose", str(example), "--by", "sweep"], writes=True),
        Item("cli", "build --add (fresh store)", ["build", "--quiet", "--add", nq], writes=True),
    ]
    for name, params in named_query_examples().items():
        args = ["query", "run", name, "--format", "csv"]
        for key, value in params.items():
            args += ["-p", f"{key}={value}"]
        items.append(Item("cli", f"query run {name}", args))
    # a period open on one side: more rows than the example's year
    for side, value in (("from", "2024-02-01"), ("to", "2022-05-31")):
        args = ["query", "run", "deliverables-due", "--format", "csv", "-p", f"{side}={value}"]
        items.append(Item("cli", f"query run deliverables-due ({side} only)", args))
    return items


SUGGEST_TEXT = (  # a proposal's description, as an applicant would type it
    "The city will retrofit social housing blocks for energy efficiency and install rooftop solar, cutting tenants' "
    "energy bills and the emissions of the housing stock, with training for local workers."
)

SYNTH_OBSERVATIONS = f"""# Synthetic figures for the synthetic hub {HUB} (bench/sweep.py), not real data.
hub: {HUB}
reported_by: bench/sweep.py (synthetic)
source: https://example.org/synth/source/{HUB}
observations:
  - indicator: {HUB}-1-1
    value: 1
    date: 2024-01-15
"""


def named_query_examples() -> dict[str, dict[str, str]]:
    """Each named query's example parameters, read by the l4a under test (this interpreter's)."""
    code = "\n".join(
        [
            "import json",
            "try:",
            "    from l4a.graph.sparql.queries import named_queries",
            "except ImportError:  # the layout before graph/ had subpackages",
            "    from l4a.graph.queries import named_queries",
            "found = {n: {p.name: p.example for p in q.parameters} for n, q in sorted(named_queries().items())}",
            "print(json.dumps(found))",
        ]
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    found: dict[str, dict[str, str]] = json.loads(done.stdout)
    return found


PAGES = [
    ("home", "/", "/index.json"),
    ("hubs (list)", "/hubs", "/hubs.json"),
    ("hubs.csv", "/hubs.csv", None),
    ("hub", f"/hubs/{HUB}", f"/hubs/{HUB}.json"),
    ("sdg", "/sdg", "/sdg.json"),
    ("sdg goal", "/sdg/11", "/sdg/11.json"),
    ("sdg target", "/sdg/target/11.3", "/sdg/target/11.3.json"),
    ("gaps", "/gaps", "/gaps.json"),
    ("manifestos", "/manifestos", "/manifestos.json"),
    ("manifesto", "/manifestos/ecology", "/manifestos/ecology.json"),
    ("councils", "/councils", "/councils.json"),
    ("council", f"/councils/{COUNCIL}", f"/councils/{COUNCIL}.json"),
    ("council brief", f"/councils/{COUNCIL}/brief", f"/councils/{COUNCIL}/brief.json"),
    ("council brief.md", f"/councils/{COUNCIL}/brief.md", None),
    ("vcs", "/vcs", "/vcs.json"),
    ("vcs brief", "/vcs/2021/brief", "/vcs/2021/brief.json"),
    ("queries", "/queries", "/queries.json"),
    ("query page", "/queries/hubs-by-sdg?sdg=11.3", None),
    ("evidence", "/evidence", "/evidence.json"),
    ("evidence.csv", "/evidence?format=csv", None),
    ("monitoring", "/monitoring", "/monitoring.json"),
    ("monitoring hub", f"/monitoring/hubs/{HUB}", f"/monitoring/hubs/{HUB}.json"),
    ("network", "/network", "/network.json"),
    ("network.node-link.json", "/network.node-link.json", None),
    ("network.graphml", "/network.graphml", None),
    ("linked data (id/hub)", f"/id/hub/{HUB}", None),
    ("ontology", "/ontology", None),
    ("sparql page", "/sparql", None),
    ("api stats", "/api/stats", None),
    ("api related", f"/api/hubs/{HUB}/related", None),
    ("api partners", f"/api/hubs/{HUB}/partners", None),
    ("openapi.json", "/openapi.json", None),
    ("propose (form)", "/propose", None),
    ("search", "/search?q=water", "/search.json?q=water"),
    ("stats", "/stats", "/stats.json"),
    ("vcs brief.md", "/vcs/2021/brief.md", None),
]


def page_items() -> list[Item]:
    return [Item("page", name, [path], json_path=json_path) for name, path, json_path in PAGES]


def ensure_store(size: int, python: str) -> Path:
    data = OUT / f"store-{size}"
    nq = OUT / f"hubs-{size}.nq"
    if not nq.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        synth.write(str(nq), size, 1, "nquads")
    if not (data / "store").exists():
        print(f"building {data} ...", file=sys.stderr, flush=True)
        subprocess.run(
            [*l4a(python), "--data-dir", str(data), "build", "--quiet", "--add", str(nq)],
            check=True,
            env=environment(data),
        )
    return data


def l4a(python: str) -> list[str]:
    # The console script of that interpreter's environment when there is one: before the CLI was a package, some
    # command groups registered themselves on the module `l4a` imports, which `python -m` runs under another name.
    script = Path(python).parent / "l4a"
    return [str(script)] if script.exists() else [python, "-m", "l4a.graph.cli"]


def environment(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")}
    env["L4A_CONFIG"] = str(data / "none.toml")
    env["L4A_SECRET_KEY"] = secrets.token_hex(32)
    env["L4A_PREPARE_AFTER_WRITE"] = "off"  # a write's background run would slow the rows after it
    return env


def raw_load(work: Path, nq: str) -> float:
    """Seconds of pyoxigraph's own `bulk_load` plus `optimize` of `nq` into a fresh folder, in a new process (the
    limit `build --add` is judged against, bench/build_vs_raw.py), measured beside it in the same run."""
    folder = work / "raw"
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", RAW, str(folder), nq], check=True)
    seconds = time.perf_counter() - start
    shutil.rmtree(folder, ignore_errors=True)
    return seconds


ENGINE_DUMP = """
import os, sys
import pyoxigraph as ox
with open(os.devnull, "wb") as out:
    ox.Store.read_only(sys.argv[1]).dump(out, ox.RdfFormat.N_QUADS)
"""


def engine_dump(data: Path) -> float:
    """Seconds of pyoxigraph's own one-call N-Quads dump of the store in `data`, in a new process."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", ENGINE_DUMP, str(data / "store")], check=True)
    return time.perf_counter() - start


def run_cli(python: str, data: Path, item: Item, timeout: float) -> tuple[float | None, str]:
    """Seconds of the whole process (None: timeout) and a note (exit code when not 0)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [*l4a(python), "--data-dir", str(data), *item.args],
        env=environment(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None, "timeout"
    seconds = time.perf_counter() - start
    note = "" if process.returncode == 0 else f"exit {process.returncode}: {err.decode()[-120:].strip()}"
    return seconds, note


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(python: str, data: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """`l4a serve` on a free port; yields (base URL, process, seconds until the port accepted a connection)."""
    port = free_port()
    log = (data / "sweep-serve.log").open("ab")
    start = time.perf_counter()
    server = subprocess.Popen(
        [*l4a(python), "--data-dir", str(data), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment(data),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"l4a serve did not start (see {data / 'sweep-serve.log'})") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", server, time.perf_counter() - start
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


ASKED_AS = {"Accept-Encoding": "gzip"}  # as a browser asks (--no-gzip: none); the body is timed as it is sent


def fetch(url: str, timeout: float) -> tuple[float | None, str]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=ASKED_AS), timeout=timeout) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (TimeoutError, OSError) as error:
        if "timed out" in str(error):
            return None, "timeout"
        return None, f"error {error}"
    seconds = time.perf_counter() - start
    return seconds, "" if status == 200 else f"HTTP {status}"


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def run_page(python: str, data: Path, item: Item, timeout: float, repeat: int) -> dict[str, Any]:
    path = item.args[0]
    join = "&" if "?" in path else "?"
    with serving(python, data) as (base, server, started):
        cold, note = fetch(base + path, timeout)
        warm: list[float] = []
        warm_json: list[float] = []
        other: list[float] = []
        if cold is not None:
            for _ in range(repeat):  # the same page again: what every later reader of it waits
                seconds, more = fetch(base + path, timeout)
                note = note or more
                if seconds is None:
                    break
                warm.append(seconds)
            for lang in ("fr", "es"):  # the first request of the page in another language: a first request too
                seconds, more = fetch(f"{base}{path}{join}lang={lang}", timeout)
                note = note or more
                if seconds is None:
                    break
                other.append(seconds)
            if item.json_path:
                for _ in range(repeat):
                    seconds, more = fetch(base + item.json_path, timeout)
                    note = note or more
                    if seconds is None:
                        break
                    warm_json.append(seconds)
        rss = peak_rss_mb(server.pid)
    return {
        "port_open_s": round(started, 2),
        "cold_ms": None if cold is None else round(cold * 1000, 1),
        "warm_ms": round(statistics.median(warm) * 1000, 1) if warm else None,
        "warm_json_ms": round(statistics.median(warm_json) * 1000, 1) if warm_json else None,
        "other_lang_first_ms": round(max(other) * 1000, 1) if other else None,
        "rss_mb": rss,
        "note": note,
    }


def prime(python: str, data: Path, paths: list[str], seconds: float = 600) -> float:
    """A server started and asked for every page until none answers "being prepared" (503), then stopped: the
    values derived from the store are then on disk, as after any earlier run of the site (a version without them
    keeps nothing). Seconds it took."""
    start = time.perf_counter()
    with serving(python, data) as (base, _server, _started):
        waiting = list(paths)
        while waiting and time.perf_counter() - start < seconds:
            waiting = [path for path in waiting if fetch(base + path, 60)[1] == "HTTP 503"]
            if waiting:
                time.sleep(1)
    return time.perf_counter() - start


def scratch_copy(data: Path, work: Path) -> Path:
    copy = work / "scratch"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(data, copy, ignore=shutil.ignore_patterns("sweep-serve.log", "LOG.old.*"))
    return copy


def version_copy(data: Path, work: Path, number: int) -> Path:
    """A copy of the store (and of the values kept beside it) for one version's page rows."""
    copy = work / f"pages-v{number}"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(data, copy, ignore=shutil.ignore_patterns("sweep-serve.log", "LOG.old.*"))
    return copy


def prepare_copy(python: str, data: Path, work: Path, number: int, timeout: float) -> tuple[Path, dict[str, Any]]:
    """A copy of the store for the last version, its derived values removed (a write) and then `l4a prepare` run
    on it, as the background run after a write does; the copy and the prepare's record."""
    copy = work / f"prepared-v{number}"
    if copy.exists():  # prepared for this version already (the CLI rows and the page rows share it)
        return copy, {"median_s": None, "note": "already prepared"}
    shutil.copytree(data, copy, ignore=shutil.ignore_patterns("sweep-serve.log", "LOG.old.*", "derived"))
    item = Item("cli", "prepare (after a write, background)", ["prepare"])
    record: dict[str, Any] = {"kind": "cli", "name": item.name, "python": python, "load_before": load()}
    seconds, note = run_cli(python, copy, item, max(timeout, 7200.0))
    record |= {"seconds": [seconds] if seconds else [], "median_s": seconds, "first_s": None, "note": note,
               "first_measured": False, "background": True, "load_after": load()}  # fmt: skip
    return copy, record


PER_TEXT = {"suggest --all (not stored)", "suggest --all --store"}  # one text per hub: judged per text
SUGGEST_PER_TEXT = 0.1  # s: issue 17's goal, amortised over a batch, process start included
GOALS = {10_000: (1.5, 300.0, 50.0), 100_000: (5.0, 1000.0, 100.0)}  # CLI s, first page ms, warm page ms
BUILD_RATIO = 1.25  # `build --add` of a fresh store: at most this times the engine's own bulk load (issue 19)


def verdict(record: dict[str, Any]) -> str:
    """Whether a row of the last version meets the issue's goals at its size."""
    cli, first, warm = GOALS.get(record["size"], GOALS[100_000])
    if record["kind"] == "cli":
        seconds = record.get("median_s")
        if seconds is not None and record["name"] in PER_TEXT:  # a batch: issue 17's goal, per text
            return "yes (per hub)" if seconds / record["size"] <= SUGGEST_PER_TEXT else "no"
        if seconds is not None and record.get("raw_s"):  # a build: judged against the engine's own load
            ratio = seconds / record["raw_s"]
            return f"{'yes' if ratio <= BUILD_RATIO else 'no'} ({ratio:.2f} x raw {record['raw_s']:.2f} s)"
        if record.get("background"):  # `l4a prepare` after a write: nobody waits for it as a whole
            return "background"
        if record.get("engine_dump_s"):  # an export: judged by the goal, the engine's own dump shown beside it
            if record.get("after_prepare") and seconds is not None:
                seconds = max(seconds, record.get("first_s") or seconds)
            met = "no" if seconds is None or seconds > cli else "yes"
            return f"{met} (the engine's own dump: {record['engine_dump_s']:.2f} s)"
        if record.get("after_prepare") and seconds is not None:  # a first run a user meets after a write and its
            seconds = max(seconds, record.get("first_s") or seconds)  # preparation: judged too
        return "no" if seconds is None or seconds > cli else "yes"
    cold, hot = record.get("cold_ms"), [v for v in (record.get("warm_ms"), record.get("warm_json_ms")) if v]
    if cold is None or record.get("note"):
        return "no"
    firsts = [cold] + ([record["other_lang_first_ms"]] if record.get("other_lang_first_ms") is not None else [])
    return "yes" if all(v <= first for v in firsts) and all(v <= warm for v in hot) else "no"


def cell(record: dict[str, Any]) -> tuple[str, str]:
    if record["kind"] == "cli":
        seconds = record.get("median_s")
        text = "timeout" if seconds is None else f"{seconds:.2f} s"
        if record.get("note") and record["note"] != "timeout":
            text += " " + record["note"][:40]
        if not record.get("first_measured"):  # a command that writes, or a record from before first runs
            return text, ""
        first = record["first_s"]
        return ("timeout" if first is None else f"{first:.2f} s"), text  # first after a write, then again
    cold, warm, warm_json = record.get("cold_ms"), record.get("warm_ms"), record.get("warm_json_ms")
    first = "timeout" if cold is None else f"{cold:.0f} ms"
    if record.get("other_lang_first_ms") is not None:
        first += f" (fr/es {record['other_lang_first_ms']:.0f})"
    later = "" if warm is None else f"{warm:.0f} ms" + (f" (json {warm_json:.0f})" if warm_json else "")
    if record.get("note") and record["note"] != "timeout":
        later = (later + " " + record["note"][:40]).strip()
    return first, later


def table(records: list[dict[str, Any]]) -> str:
    """One Markdown row per (size, row): each version's cold and warm figures, the goal for the last one, load."""
    versions = sorted({r["version"] for r in records})
    keyed: dict[tuple[int, str, str], dict[int, dict[str, Any]]] = {}
    for r in records:
        keyed.setdefault((r["size"], r["kind"], r["name"]), {})[r["version"]] = r
    heading = " | ".join(f"v{n} cold | v{n} warm" for n in versions)
    lines = [f"| hubs | kind | row | {heading} | goal met (v{versions[-1]}) | load after (1, 5, 15 min) |",
             "| --- | --- | --- |" + " ---: | ---: |" * len(versions) + " --- | --- |"]  # fmt: skip
    for (size, kind, name), by_version in keyed.items():
        cells = []
        for n in versions:
            cells += list(cell(by_version[n])) if n in by_version else ["", ""]
        last = by_version.get(versions[-1])
        goal = verdict(last) if last else ""
        load_after = last["load_after"] if last else ""
        lines.append(f"| {size:,} | {kind} | {name} | {' | '.join(cells)} | {goal} | {load_after} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--only", default="", help="a regular expression on the row names")
    parser.add_argument("--python", action="append", help="interpreter of a version of l4a (repeatable)")
    parser.add_argument("--timeout", type=float, default=60.0, help="per CLI command, seconds")
    parser.add_argument("--page-timeout", type=float, default=30.0, help="per page request, seconds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="leave out the commands that write")
    parser.add_argument("--after-prepare", action="store_true", help="the last version's first runs after prepare")
    parser.add_argument("--prepared", type=Path, action="append",
                        help="CLI: each version's first runs on this data directory, prepared by that version's `l4a "
                        "prepare` beforehand (one per --python, in order): every version after a write and its "
                        "preparation, none prepared by this run")  # fmt: skip
    parser.add_argument("--pages-after-prepare", action="store_true",
                        help="pages: each version's copy after a write and its `l4a prepare`, not primed by a server")
    parser.add_argument("--pages-data", type=Path, action="append",
                        help="pages: serve this data directory as it is (one per --python, in order; e.g. a copy an "
                        "earlier --pages-after-prepare run left prepared): no copy, no preparation, no priming")
    parser.add_argument("--gzip", action=argparse.BooleanOptionalAction, default=True,
                        help="pages asked with Accept-Encoding: gzip, as a browser asks (default)")  # fmt: skip
    parser.add_argument("--no-pages", action="store_true")
    parser.add_argument("--no-cli", action="store_true")
    parser.add_argument("-o", "--output", type=Path, default=OUT / "sweep.json")
    parser.add_argument("--table", type=Path, nargs="+", help="only print the table of these JSON files")
    options = parser.parse_args()
    if not options.gzip:
        ASKED_AS.clear()
    if options.table:
        print(table([r for path in options.table for r in json.loads(path.read_text())]))
        return
    pythons = options.python or [sys.executable]
    if options.prepared and len(options.prepared) != len(pythons):
        parser.error("give one --prepared per --python")
    only = re.compile(options.only) if options.only else None
    records: list[dict[str, Any]] = []
    for number, python in enumerate(pythons):
        print(f"v{number}: {python}", file=sys.stderr)
    (OUT / "sweep-observations.yaml").write_text(SYNTH_OBSERVATIONS, encoding="utf-8")
    for size in (int(s) for s in options.sizes.split(",")):
        data = ensure_store(size, pythons[-1])
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            work = Path(tmp)
            example = ROOT / "docs" / "examples" / "proposal-exampleton.en.yaml"
            items: list[Item] = []
            if not options.no_cli:
                items += [i for i in cli_items(size, example) if not (i.writes and options.no_write)]
            if not options.no_pages:
                items += page_items()
            primed: set[str] = set()
            own: dict[str, Path] = {}  # per version: its own copy of the store for the page rows
            prepared: Path | None = None  # --after-prepare: the last version's copy, prepared after a write
            if options.after_prepare and not options.no_cli:
                prepared, record = prepare_copy(pythons[-1], data, work, len(pythons) - 1, options.timeout)
                record |= {"size": size, "version": len(pythons) - 1}
                records.append(record)
                print(json.dumps(record), file=sys.stderr, flush=True)
            for item in items:
                if only and not only.search(item.name):
                    continue
                if item.kind == "page" and not primed and options.pages_data:  # served as they are
                    own.update(zip(pythons, options.pages_data, strict=True))
                    primed.add("done")
                if item.kind == "page" and not primed:  # pages: a restart, with what earlier runs kept on disk
                    paths = [i.args[0] for i in items if i.kind == "page" and (not only or only.search(i.name))]
                    if options.pages_after_prepare:  # what a restart finds after a write and its preparation
                        # The versions' preparations side by side (minutes each at 100k; their times are not rows).
                        with ThreadPoolExecutor(len(pythons)) as pool:
                            made = list(pool.map(prepare_copy, pythons, [data] * len(pythons),
                                                 [work] * len(pythons), range(len(pythons)),
                                                 [options.timeout] * len(pythons)))  # fmt: skip
                        for python, (copy, done) in zip(pythons, made, strict=True):
                            own[python] = copy
                            print(f"prepared {python} in {done['median_s']} s", file=sys.stderr, flush=True)
                    for number, python in enumerate(pythons):
                        # Each version keeps its derived values in its own copy: they are kept per value name, so
                        # two versions on one folder would replace each other's at every row.
                        if options.pages_after_prepare:
                            continue
                        own[python] = version_copy(data, work, number)
                        took = prime(python, own[python], paths)
                        print(f"primed {python} in {took:.0f} s", file=sys.stderr, flush=True)
                    primed.add("done")
                for number, python in enumerate(pythons):
                    record: dict[str, Any] = {
                        "size": size,
                        "kind": item.kind,
                        "name": item.name,
                        "version": number,
                        "python": python,
                        "load_before": load(),
                    }
                    if item.kind == "cli":
                        times: list[float] = []
                        note = ""
                        first = None
                        source = prepared if prepared is not None and number == len(pythons) - 1 else data
                        if options.prepared:  # each version's own copy, prepared beforehand
                            source = options.prepared[number]
                        if not item.writes and (source is prepared or options.prepared):  # after a write and prepare
                            first, note = run_cli(python, source, item, options.timeout)
                        elif not item.writes:  # the first run after a write: no value derived from the store yet
                            shutil.rmtree(data / "derived", ignore_errors=True)
                            first, note = run_cli(python, data, item, options.timeout)
                        for _ in range(1 if item.writes else options.repeat):
                            target = source
                            if item.writes:
                                target = work / "fresh" if item.args[0] == "build" else scratch_copy(data, work)
                                shutil.rmtree(work / "fresh", ignore_errors=True)
                            seconds, note = run_cli(python, target, item, options.timeout)
                            if seconds is None:
                                break
                            times.append(seconds)
                        median = (
                            statistics.median(times)
                            if times and len(times) == (1 if item.writes else options.repeat)
                            else None
                        )
                        after = not item.writes and (source is prepared or bool(options.prepared))
                        record |= {"seconds": times, "median_s": median, "first_s": first, "note": note,
                                   "first_measured": not item.writes, "after_prepare": after}  # fmt: skip
                        if item.args[0] == "build":  # its goal: the engine's own load of the file, this run
                            record["raw_s"] = raw_load(work, item.args[-1])
                        if item.args[0] == "export":  # the engine's own one-call dump of the same store, beside it
                            record["engine_dump_s"] = engine_dump(data)
                    else:
                        record |= run_page(python, own[python], item, options.page_timeout, options.repeat)
                    record["load_after"] = load()
                    records.append(record)
                    print(json.dumps(record), file=sys.stderr, flush=True)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(records, indent=1))
    print(table(records))


if __name__ == "__main__":
    main()
