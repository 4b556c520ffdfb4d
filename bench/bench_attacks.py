"""Issue 15's attacks, measured against a real `l4a serve` (production mode, the shipped data): run by hand with
the `l4a` program of the tree to measure, e.g. the current tree and a baseline tree in the same session:

    python bench/bench_attacks.py --l4a /work/venv/security/bin/l4a
    python bench/bench_attacks.py --l4a /work/venv/speed-base/bin/l4a

Prints one JSON object: a trivial query's latency alone and while another client sends a 60,000-term query (and
whether the server survived that and the same as an update), the latency of /api/stats behind 105 clients sending
a header line a second, and the bytes of a GROUP_CONCAT answer with the server's resident memory around it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

TOKEN = "bench-write-token-0123456789abcdef0123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 300
) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, headers=headers or {}), timeout=timeout
        ) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError as exc:
        return 0, str(exc).encode()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


COUNTER = iter(range(1, 1_000_000))


def trivial(base: str) -> float:
    """A small query never sent before (so no cached check answers it), and its latency."""
    query = f"ASK {{ BIND({next(COUNTER)} AS ?n) }}"
    began = time.monotonic()
    request(f"{base}/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": "application/json"})
    return time.monotonic() - began


def answers(base: str) -> bool:
    return request(f"{base}/api/stats", timeout=10)[0] == 200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--l4a", required=True, help="the l4a program of the tree to measure")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bench-attacks-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")} | {
        "L4A_DATA_DIR": str(data), "L4A_CONFIG": str(data / "none.toml"), "L4A_SECRET_KEY": "k" * 48,
        "L4A_WRITE_TOKEN_SHA256": hashlib.sha256(TOKEN.encode()).hexdigest(), "L4A_PORT": str(port),
    }  # fmt: skip
    log = (data / "serve.log").open("wb")
    process = subprocess.Popen([args.l4a, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    figures: dict[str, object] = {"l4a": args.l4a, "loadavg": Path("/proc/loadavg").read_text().split()[:3]}
    try:
        for _ in range(600):
            if request(f"{base}/api/stats", timeout=5)[0] == 200:
                break
            time.sleep(0.2)
        for _ in range(3):
            trivial(base)
        figures["trivial_alone_s"] = statistics.median(trivial(base) for _ in range(9))

        hostile = "SELECT (" + "+".join(["1"] * 60_000) + " AS ?x) WHERE {}"
        outcome: list[int] = []
        thread = threading.Thread(
            target=lambda: outcome.append(
                request(f"{base}/sparql", hostile.encode(), {"Content-Type": "application/sparql-query"})[0]
            )
        )
        thread.start()
        time.sleep(1.0)
        figures["trivial_during_60k_query_s"] = trivial(base)
        thread.join(300)
        figures["60k_query_status"] = outcome[0] if outcome else None
        figures["alive_after_60k_query"] = answers(base)
        update = (
            "INSERT { <http://e.org/a> <http://e.org/b> ?x } WHERE { BIND(" + "+".join(["1"] * 60_000) + " AS ?x) }"
        )
        headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
        status, _ = request(f"{base}/sparql/update", update.encode(), headers)
        figures["60k_update_status"] = status
        figures["alive_after_60k_update"] = answers(base)
        if not figures["alive_after_60k_update"]:
            return
        sockets = []
        for _ in range(105):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            sockets.append(sock)
        for _ in range(3):
            time.sleep(1)
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Slow: 1\r\n")
        began = time.monotonic()
        status, _ = request(f"{base}/api/stats", timeout=200)
        figures["stats_behind_105_slow_clients_s"] = round(time.monotonic() - began, 3)
        figures["stats_behind_105_slow_clients_status"] = status
        for sock in sockets:
            sock.close()
        before = rss_mb(process.pid)
        concat = (
            "SELECT (GROUP_CONCAT(STR(?o); separator=' ') AS ?all) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) "
            "?h a <https://w3id.org/l4a/ontology#Hub> }"
        )
        status, body = request(f"{base}/sparql?" + urllib.parse.urlencode({"query": concat}),
                               headers={"Accept": "application/sparql-results+json"}, timeout=300)  # fmt: skip
        figures["group_concat_status"] = status
        figures["group_concat_answer_bytes"] = len(body)
        figures["rss_mb_before_after"] = [round(before), round(rss_mb(process.pid))]
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
