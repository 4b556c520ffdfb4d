"""Benchmark: the proposal form's suggestion answer, POST /api/suggest, through `l4a serve` (waitress), warm; the
CLI's per-text time on the same texts in the same run is the baseline (run by hand).

    python bench/bench_web_suggest.py [--hubs 0] [--requests 300] [--data-dir DIR] [--threads 4]

1. The store: the shipped data (plus `--hubs` synthetic hubs from bench/synth.py, so that the ranking of close hubs
   runs over them) with pending suggestions stored for the real hubs (`l4a suggest --all --store`: close hubs then
   come with suggested reasons too), in a temporary directory unless --data-dir is given.
2. Baseline, same texts: `l4a --version` (process start and imports) and `l4a suggest --input texts.jsonl`, each
   timed from start to exit; the per-text time amortised over the batch, with and without the start.
3. `l4a serve --threads T` on a free loopback port. The client reads the form's CSRF token and session cookie from
   /propose, then posts the texts one after another, on a new connection each, as the form's script does (the
   draft's name, description and theme, `"html": true`) and as a program would (no HTML); each request comes from
   a loopback address of its own (127.x.y.z), so the per-client fair share (120 a minute) does not throttle the
   run. 30 requests warm the server first (the suggester's model, labels, the index counting suggestions).
Prints a JSON line per measure and the Markdown rows for docs/benchmarks.md; the load average before and after.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
DATA = ROOT / "tests" / "data" / "suggest"
sys.path.insert(0, str(HERE))
import synth  # noqa: E402

L4A = [sys.executable, "-m", "l4a.graph.cli"]


def emit(**record: Any) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def texts() -> list[str]:
    """Paragraph-length descriptions: two calibration texts joined (as bench/bench_suggest.py makes them)."""
    found = []
    for path in sorted(DATA.glob("paragraphs-*.jsonl")):
        found += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [f"{found[i]} {found[(i * 7 + 3) % len(found)]}" for i in range(len(found))]


def ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p90_ms": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "n": len(ordered),
    }


def prepare(data_dir: Path, hubs: int, env: dict[str, str]) -> None:
    if (data_dir / "store").exists():
        emit(step="store", reused=str(data_dir))
        return
    command = [*L4A, "--data-dir", str(data_dir), "build", "--quiet"]
    if hubs:
        data = HERE / "out" / f"hubs-{hubs}.nq"
        if not data.exists():
            data.parent.mkdir(exist_ok=True)
            synth.write(data, hubs, seed=1, fmt="nquads")
        command += ["--add", str(data)]
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env)
    subprocess.run([*L4A, "--data-dir", str(data_dir), "suggest", "--all", "--store"], check=True, env=env,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    emit(step="store", hubs=hubs, seconds=round(time.perf_counter() - started, 1))


def baseline(sample: list[str], env: dict[str, str], work: Path) -> dict[str, float]:
    """The CLI on the same texts: process start alone, then the batch; per text with and without the start."""
    batch = work / "texts.jsonl"
    batch.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(sample)), encoding="utf-8")

    def timed(command: list[str]) -> float:
        started = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started

    start = min(timed([*L4A, "--version"]) for _ in range(3))
    whole = min(timed([*L4A, "suggest", "--input", str(batch)]) for _ in range(2))
    found = {
        "texts": len(sample),
        "process_start_s": round(start, 2),
        "batch_s": round(whole, 2),
        "per_text_ms_with_start": round(whole / len(sample) * 1000, 2),
        "per_text_ms_net": round((whole - start) / len(sample) * 1000, 2),
    }
    emit(measure="CLI baseline: l4a suggest --input (same texts)", **found)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(data_dir: Path, env: dict[str, str], threads: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_env = {**env, "L4A_SECRET_KEY": secrets.token_hex(32)}
    command = [*L4A, "--data-dir", str(data_dir), "serve", "--port", str(port), "--threads", str(threads)]
    process = subprocess.Popen(command, env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/stats", timeout=5) as response:
                response.read()
                return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit("l4a serve did not start") from None
            time.sleep(0.2)


SENT = [0]  # requests sent so far: each comes from a loopback address of its own (127.0.0.0/8 is all local)


def over_http(base: str, sample: list[str], requests: int, html: bool) -> list[float]:
    host, port = base.removeprefix("http://").split(":")
    first = http.client.HTTPConnection(host, int(port), timeout=30)
    first.request("GET", "/propose?lang=en")
    answer = first.getresponse()
    page = answer.read().decode()
    cookie = "; ".join(c.split(";", 1)[0] for c in answer.headers.get_all("Set-Cookie") or [])
    first.close()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    if not found:
        raise SystemExit("no CSRF token on /propose")
    headers = {"Content-Type": "application/json", "X-CSRFToken": found.group(1), "Cookie": cookie}
    times = []
    for n in range(requests):
        client = SENT[0] = SENT[0] + 1
        source = f"127.{client // 65536 % 256}.{client // 256 % 256}.{client % 254 + 1}"
        body = json.dumps({"text": sample[n % len(sample)], "name": "Villaficta", "theme": "", "html": html})
        connection = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
        started = time.perf_counter()
        connection.request("POST", "/api/suggest?lang=en", body=body.encode(), headers=headers)
        response = connection.getresponse()
        data = json.loads(response.read())
        times.append(time.perf_counter() - started)
        connection.close()
        if response.status != 200 or "suggestions" not in data:
            raise SystemExit(f"HTTP {response.status}: {data}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hubs", type=int, default=0, help="synthetic hubs added to the shipped ones")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    emit(step="start", loadavg=os.getloadavg(), cpus=os.cpu_count())
    with tempfile.TemporaryDirectory(prefix="l4a-bench-suggest-") as tmp:
        work = Path(tmp)
        data_dir = args.data_dir or work / "data"
        env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")}
        env.update({"L4A_CONFIG": str(work / "absent.toml"), "L4A_STORE": "embedded"})
        prepare(data_dir, args.hubs, env)
        sample = texts()
        words = statistics.mean(len(t.split()) for t in sample)
        emit(step="texts", count=len(sample), mean_words=round(words, 1))
        cli = baseline(sample, {**env, "L4A_DATA_DIR": str(data_dir)}, work)
        process, base = serve(data_dir, env, args.threads)
        try:
            over_http(base, sample, 30, True)  # warm: model, labels, the index counting suggestions
            rows = {}
            for html in (True, False):
                measured = ms(over_http(base, sample, args.requests, html))
                what = "POST /api/suggest, as the form's script (with its HTML)" if html else "POST /api/suggest, JSON"
                emit(measure=what, hubs=args.hubs, **measured)
                rows[what] = measured
        finally:
            process.terminate()
            process.wait(timeout=30)
    load = os.getloadavg()
    emit(step="end", loadavg=load)
    print()
    print("| measure | median | p90 | max |")
    print("| --- | ---: | ---: | ---: |")
    for what, m in rows.items():
        print(f"| {what} | {m['median_ms']} ms | {m['p90_ms']} ms | {m['max_ms']} ms |")
    with_start = cli["per_text_ms_with_start"]
    print(f"| baseline: `l4a suggest --input`, per text, process start included | {with_start} ms | | |")
    print(f"| baseline: the same, start left out | {cli['per_text_ms_net']} ms | | |")


if __name__ == "__main__":
    main()
