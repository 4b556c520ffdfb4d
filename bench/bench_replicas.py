"""Two `l4a serve` processes on one Oxigraph server: how long a proposal accepted through one takes to show on the
other's hub page (docs/deploy.md). Run by hand from the repository root:

    python bench/bench_replicas.py --rounds 5
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.attacks import WRITE_TOKEN, Browser, call, free_port, production_server
from tests.test_attacks_proposals import FORM


def oxigraph(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    program = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    assert program, "the oxigraph server program (pip install oxigraph)"
    port = free_port()
    process = subprocess.Popen([program, "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            time.sleep(0.1)
    return process, base


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    root = Path(tempfile.mkdtemp(prefix="bench-replicas-"))
    server, url = oxigraph(root)
    env = {"L4A_STORE": "sparql", "L4A_SPARQL_QUERY_URL": f"{url}/query", "L4A_SPARQL_UPDATE_URL": f"{url}/update",
           "L4A_SPARQL_STORE_URL": f"{url}/store"}  # fmt: skip
    seen: list[float] = []
    try:
        with production_server(root / "a", **env) as a, production_server(root / "b", **env) as b:
            for n in range(rounds):
                name = f"Villaficta Replica Bench {chr(97 + n)}"
                slug = name.lower().replace(" ", "-")
                assert Browser(a.base).post_form("/propose", {**FORM, "name": name}).status == 201
                call(f"{b.base}/hubs/{slug}")
                accepted = call(
                    f"{a.base}/staff/proposals/{slug}/accept", b"", {"Authorization": f"Bearer {WRITE_TOKEN}"}
                )
                assert accepted.status == 303, accepted.text[:200]
                began = time.monotonic()
                while call(f"{b.base}/hubs/{slug}").status != 200:
                    time.sleep(0.05)
                seen.append(round(time.monotonic() - began, 3))
    finally:
        server.terminate()
        server.wait(30)
    print(
        json.dumps({"seconds_until_seen_on_the_other": seen, "loadavg": Path("/proc/loadavg").read_text().split()[:3]})
    )


if __name__ == "__main__":
    main()
