"""Benchmark `l4a build --add FILE` (shipped data + N synthetic hubs) against rdflib's in-memory parse.

    python bench/bench_build.py [--sizes 1000,10000,100000] [--seed 1] [--repeat 3] [--no-rdflib] [--no-phases]

For each N it writes the synthetic hubs once to bench/out/hubs-N.nq (N-Quads, kept while synth.py, the seed and
the SDG/UCLG inputs are unchanged), then runs, each in its own process:

- `l4a build --quiet --add bench/out/hubs-N.nq` into a fresh L4A_DATA_DIR: wall time of the whole process
  (interpreter start and imports included) and that process's peak RSS (``ru_maxrss`` from ``os.wait4``);
  ``--repeat`` times (default 3) up to 10k hubs, once above;
- bench/baseline_rdflib.py on the same file plus the shipped data files (rdflib's default in-memory Dataset):
  its parsing seconds, the whole process's wall time and peak RSS; as often as the l4a run;
- bench/build_phases.py once: the same build, step by step, to show where the time goes.

It also runs `l4a build` once with no extra file (the shipped data only: the floor). While some shipped files
are still missing from ontology/, `l4a` runs through bench/l4a_standin.py with stand-ins for them (the shared
SDG file for sdg.ttl, empty files for the rest), and the rdflib baseline loads the same files; the JSON says so.

Prints a Markdown table on stdout (median wall time; the largest peak RSS of the repeats) and writes every
measurement to bench/out/build.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import l4a_standin  # noqa: E402
import synth  # noqa: E402

GOALS = {  # hubs -> (seconds, peak RSS MB or None), from the issue
    10_000: (2.0, None),
    100_000: (20.0, 1536.0),
}
LARGE = 10_000  # above this, one run instead of --repeat


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command; return its exit code, wall seconds, peak RSS (MB) and stdout/stderr text."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = {
            "returncode": proc.returncode,
            "seconds": round(wall, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
        }
    if result["returncode"] != 0:
        raise SystemExit(f"failed ({result['returncode']}): {' '.join(cmd)}\n{result['stderr'][-3000:]}")
    return result


def fingerprint(n: int, seed: int) -> str:
    """What the synthetic file depends on: synth.py, its SDG and council inputs, n and the seed."""
    h = hashlib.sha256(f"{n} {seed}".encode())
    sdg = synth.DEFAULT_SDG if synth.DEFAULT_SDG.exists() else synth.FALLBACK_SDG
    for path in (HERE / "synth.py", sdg, synth.DEFAULT_UCLG):
        h.update(path.read_bytes() if path.exists() else b"-")
    return h.hexdigest()


def synthetic_file(n: int, seed: int) -> tuple[Path, int]:
    """bench/out/hubs-N.nq, written unless an up-to-date one is there; return it and its triple count."""
    path = OUT / f"hubs-{n}.nq"
    meta = OUT / f"hubs-{n}.json"
    fp = fingerprint(n, seed)
    if path.exists() and meta.exists():
        info = json.loads(meta.read_text())
        if info.get("fingerprint") == fp and path.stat().st_size == info.get("bytes"):
            return path, int(info["triples"])
    log(f"writing {path} ({n} hubs)")
    t0 = time.perf_counter()
    triples = synth.write(path, n, seed, "nquads")
    secs = time.perf_counter() - t0
    meta.write_text(
        json.dumps(
            {"hubs": n, "seed": seed, "triples": triples, "bytes": path.stat().st_size, "seconds": round(secs, 2)}
            | {"fingerprint": fp}
        )
    )
    return path, triples


class L4ARunner:
    """Runs `l4a` (or the stand-in wrapper while shipped files are missing) on fresh data directories."""

    def __init__(self) -> None:
        self.missing = l4a_standin.missing_files()
        if self.missing:
            self.folder = OUT / "standin-ontology"
            self.shipped = l4a_standin.prepare(self.folder)
            self.prefix = [sys.executable, str(HERE / "l4a_standin.py"), str(self.folder)]
            self.reference_files = l4a_standin.standin_files(self.folder)
        else:
            self.shipped = {str(f.relative_to(l4a_standin.ONTOLOGY)): str(f) for f in l4a_standin.shipped_files()}
            exe = Path(sys.executable).parent / "l4a"
            self.prefix = [str(exe)] if exe.exists() else [sys.executable, "-m", "l4a.graph.cli.main"]
            self.reference_files = l4a_standin.shipped_files()

    def build(self, extra: Path | None) -> tuple[dict[str, Any], int]:
        """One `l4a build --quiet [--add extra]` into a fresh data directory; the run and the store's quads."""
        with tempfile.TemporaryDirectory(prefix="l4a-bench-", dir=OUT) as tmp:
            env = dict(os.environ, L4A_DATA_DIR=tmp, L4A_CONFIG=str(Path(tmp) / "absent.toml"))
            cmd = [*self.prefix, "build", "--quiet"] + (["--add", str(extra)] if extra else [])
            run = run_child(cmd, env)
            count = run_child(
                [
                    sys.executable,
                    "-c",
                    "import sys, pyoxigraph; print(len(pyoxigraph.Store.read_only(sys.argv[1])))",
                    str(Path(tmp) / "store"),
                ]
            )
            return run, int(count["stdout"].strip())


def rdflib_run(files: list[Path]) -> dict[str, Any]:
    run = run_child([sys.executable, str(HERE / "baseline_rdflib.py"), *map(str, files)])
    report = json.loads(run["stdout"].strip().splitlines()[-1])
    return {
        "parse_seconds": report["seconds"],
        "wall_seconds": run["seconds"],
        "triples": report["triples"],
        "peak_rss_mb": run["peak_rss_mb"],
    }


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_gib, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyoxigraph": version("pyoxigraph"),
        "rdflib": version("rdflib"),
        "l4a": version("l4a"),
        "commit": commit,
    }


def fmt_goal(n: int) -> str:
    if n not in GOALS:
        return "—"
    secs, rss = GOALS[n]
    return f"≤ {secs:g} s" + (f", ≤ {rss / 1024:g} GB" if rss else "")


def met(n: int, seconds: float, rss: float) -> str:
    if n not in GOALS:
        return "—"
    secs, max_rss = GOALS[n]
    misses = []
    if seconds > secs:
        misses.append(f"time x{seconds / secs:.1f}")
    if max_rss and rss > max_rss:
        misses.append(f"RSS x{rss / max_rss:.2f}")
    return "yes" if not misses else "no (" + ", ".join(misses) + ")"


def table(results: dict[str, Any]) -> str:
    head = (
        "| hubs | triples | l4a build s | peak RSS MB | rdflib s | rdflib peak MB | goal | met? |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n"
    )
    rows = []
    floor = results["floor"]
    rows.append(
        f"| 0 (shipped data only) | {floor['store_quads']:,} | {floor['seconds']:.2f} | {floor['peak_rss_mb']:.0f} "
        "| | | — | — |"
    )
    for r in results["sizes"]:
        rd = r.get("rdflib")
        rd_s = f"{rd['parse_seconds']:.2f}" if rd else "not run"
        rd_m = f"{rd['peak_rss_mb']:.0f}" if rd else ""
        secs, rss = r["l4a"]["seconds"], r["l4a"]["peak_rss_mb"]
        rows.append(
            f"| {r['hubs']:,} | {r['store_quads']:,} | {secs:.2f} | {rss:.0f} "
            f"| {rd_s} | {rd_m} | {fmt_goal(r['hubs'])} | {met(r['hubs'], secs, rss)} |"
        )
    return head + "\n".join(rows) + "\n"


def phases_table(results: dict[str, Any]) -> str:
    names = ["import", "open", "shipped_read", "shipped_write", "check", "drop", "load", "close"]
    head = "| hubs | load path | " + " | ".join(names) + " | sum | peak RSS MB |\n"
    head += "| ---: | --- |" + " ---: |" * (len(names) + 2) + "\n"
    rows = []
    for r in results["sizes"]:
        ph = r.get("phases")
        if not ph:
            continue
        cells = " | ".join(f"{ph['phases'][n]['seconds']:.2f}" for n in names)
        peak = max(p["peak_rss_mb"] for p in ph["phases"].values())
        rows.append(f"| {r['hubs']:,} | {ph['load_path']} | {cells} | {ph['seconds_total']:.2f} | {peak:.0f} |")
    return head + "\n".join(rows) + "\n" if rows else ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated hub counts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help=f"runs per size up to {LARGE:,} hubs (one above)")
    ap.add_argument("--no-rdflib", action="store_true", help="skip the rdflib baseline")
    ap.add_argument("--no-phases", action="store_true", help="skip the step-by-step profile")
    ap.add_argument("-o", "--output", type=Path, default=OUT / "build.json")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    OUT.mkdir(exist_ok=True)

    runner = L4ARunner()
    if runner.missing:
        log(f"shipped files missing, using stand-ins: {', '.join(runner.missing)}")
    results: dict[str, Any] = {
        "machine": machine(),
        "command": " ".join(["python", "bench/bench_build.py", *(argv if argv is not None else sys.argv[1:])]),
        "l4a_command": [*runner.prefix, "build", "--quiet", "--add", "FILE"],
        "shipped_data": runner.shipped,
        "standins": runner.missing,
        "reference_files_for_rdflib": [str(f) for f in runner.reference_files],
        "seed": args.seed,
    }

    log("floor: l4a build, shipped data only")
    floor_run, floor_quads = runner.build(None)
    results["floor"] = {"seconds": floor_run["seconds"], "peak_rss_mb": floor_run["peak_rss_mb"]}
    results["floor"]["store_quads"] = floor_quads

    results["sizes"] = []
    for n in sizes:
        path, triples = synthetic_file(n, args.seed)
        repeat = args.repeat if n <= LARGE else 1
        entry: dict[str, Any] = {"hubs": n, "file": str(path), "file_bytes": path.stat().st_size}
        entry["synthetic_triples"] = triples
        runs = []
        quads = 0
        for k in range(repeat):
            log(f"{n} hubs: l4a build, run {k + 1}/{repeat}")
            run, quads = runner.build(path)
            runs.append({"seconds": run["seconds"], "peak_rss_mb": run["peak_rss_mb"], "store_quads": quads})
        entry["store_quads"] = quads
        if quads != floor_quads + triples:
            log(f"warning: store holds {quads} quads, expected {floor_quads} + {triples}")
        entry["l4a"] = {
            "seconds": round(statistics.median(r["seconds"] for r in runs), 3),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "runs": runs,
        }
        if not args.no_rdflib:
            rd_runs = []
            for k in range(repeat):
                log(f"{n} hubs: rdflib, run {k + 1}/{repeat}")
                rd_runs.append(rdflib_run([path, *runner.reference_files]))
            entry["rdflib"] = {
                "parse_seconds": round(statistics.median(r["parse_seconds"] for r in rd_runs), 3),
                "wall_seconds": round(statistics.median(r["wall_seconds"] for r in rd_runs), 3),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in rd_runs),
                "triples": rd_runs[0]["triples"],
                "runs": rd_runs,
            }
        if not args.no_phases:
            log(f"{n} hubs: step-by-step profile")
            cmd = [sys.executable, str(HERE / "build_phases.py"), str(path)]
            if runner.missing:
                cmd += ["--standin", str(runner.folder)]
            entry["phases"] = json.loads(run_child(cmd)["stdout"].strip().splitlines()[-1])
        results["sizes"].append(entry)
        args.output.write_text(json.dumps(results, indent=2) + "\n")  # keep what is done if a later size fails

    results["table"] = table(results)
    results["phases_table"] = phases_table(results)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(results["table"])
    if results["phases_table"]:
        print(results["phases_table"])
    log(f"wrote {args.output}")
    if runner.missing:
        shutil.rmtree(runner.folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
