"""`l4a build --add` against the engine's own limit: pyoxigraph's `bulk_load` plus `optimize` of the same file.

    python bench/build_vs_raw.py [--sizes 10000,100000] [--repeat 3] [--python PY]...

For each size, `bench/out/hubs-N.nq` (bench/synth.py, seed 1; written when missing), then, interleaved, `--repeat`
times each, every run in its own process on a fresh folder under bench/out/ (removed afterwards), wall time of the
whole process (interpreter start and imports included) and its peak RSS:

* raw: `Store(dir).bulk_load(path=file, format=N_QUADS)` then `optimize()`, nothing else (no reference data);
* `l4a build --quiet --add file` for each `--python` given (default this interpreter): the shipped ontology and
  reference data (about 30k triples) plus the file, with l4a's checks and its crash-safe state handling.

Prints a Markdown table: the median seconds of each, the ratio to raw, peak RSS, and the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
import synth  # noqa: E402

RAW = """
import sys
import pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)
store.optimize()
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{command} failed ({status})")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--python", action="append")
    options = parser.parse_args()
    pythons = options.python or [sys.executable]
    env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")}
    print("| hubs | what | median s | x raw | peak RSS MB | runs | load (1, 5, 15 min) |")
    print("| --- | --- | ---: | ---: | ---: | --- | --- |")
    for size in (int(s) for s in options.sizes.split(",")):
        nq = OUT / f"hubs-{size}.nq"
        if not nq.exists():
            OUT.mkdir(parents=True, exist_ok=True)
            synth.write(str(nq), size, 1, "nquads")
        names = ["raw bulk_load + optimize"] + [f"l4a build --add ({p})" for p in pythons]
        times: dict[str, list[float]] = {n: [] for n in names}
        rss: dict[str, float] = {n: 0.0 for n in names}
        for _ in range(options.repeat):
            for name in names:
                with tempfile.TemporaryDirectory(dir=OUT) as tmp:
                    folder = Path(tmp)
                    if name.startswith("raw"):
                        command = [pythons[0], "-c", RAW, str(folder / "store"), str(nq)]
                    else:
                        python = pythons[names.index(name) - 1]
                        env["L4A_CONFIG"] = str(folder / "none.toml")
                        command = [python, "-m", "l4a.graph.cli", "--data-dir", str(folder), "build", "--quiet",
                                   "--add", str(nq)]  # fmt: skip
                    seconds, peak = timed(command, env)
                    shutil.rmtree(folder, ignore_errors=True)
                times[name].append(seconds)
                rss[name] = max(rss[name], peak)
        raw = statistics.median(times[names[0]])
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        for name in names:
            median = statistics.median(times[name])
            runs = ", ".join(f"{t:.1f}" for t in times[name])
            print(f"| {size:,} | {name} | {median:.2f} | {median / raw:.2f} | {rss[name]:.0f} | {runs} | {load} |",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
