"""A busy server's memory and first requests beyond each page's defaults: `l4a serve` asked, in turn, for every page
type in three languages, then hundreds of hubs, filters of the lists, filtered named queries with many values, and
searches; its resident memory after each group, the issue's goal being 2 GB at 100k hubs (issue 19).

    python bench/serve_memory.py --data DIR [--python PY]... [--data DIR]... [--groups REGEX] [-o FILE]

* `--data`: a data directory per `--python` (in order), prepared by that version's `l4a prepare` (a copy: the
  server keeps pages beside the store). The hubs asked for are the synthetic ones of bench/synth.py (`synth-NNNNNN`).
* Each version in turn: a server started on 127.0.0.1 (bench/sweep.py `serving`), the groups asked one path at a
  time as soon as its port answers, with `Accept-Encoding: gzip`. Every path is a first request (none repeats).
* Prints, per group and version: paths, median and slowest request (ms), answers other than 200, resident memory
  after the group (VmRSS, and its parts: anonymous memory and mapped files) and the highest so far (VmHWM), and
  the three slowest paths; writes every request to the
  JSON file.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import statistics
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from sweep import ASKED_AS, OUT, PAGES, serving  # noqa: E402

LANGS = ("en", "fr", "es")
SECTIONS = ("cemr", "flacma", "metropolis", "uclg-africa", "uclg-aspac", "uclg-eurasia", "uclg-mewa", "uclg-noram",
            "uclg-regions")  # fmt: skip
COUNTRIES = ("UY", "BE", "TR", "PT", "FR", "ES", "BR", "MX", "KE", "ZA", "IN", "CN", "JP", "DE", "IT")
WORDS = ("water", "energy", "housing", "youth", "gender", "mobility", "waste", "culture", "health", "climate", "food",
         "migration", "finance", "data", "heritage")  # fmt: skip


def groups(hub_count: int, councils: list[str], manifestos: list[str]) -> dict[str, list[str]]:
    """The paths of each group (a fixed seed: the same paths for every version)."""
    pick = random.Random(7)
    hubs = [f"synth-{n:06d}" for n in pick.sample(range(1, hub_count + 1), 400)]
    years = range(2019, 2027)
    pages = [path for _, path, _ in PAGES]
    defaults = [*pages, *(json_path for _, _, json_path in PAGES if json_path)]
    defaults += [f"{p}{'&' if '?' in p else '?'}lang={lang}" for p in pages for lang in ("fr", "es")]
    return {
        "every page type, three languages": defaults,
        "hub pages (300 hubs, en/fr/es)": [f"/hubs/{h}?lang={LANGS[i % 3]}" for i, h in enumerate(hubs[:300])],
        "related and partners (300 hubs)": [f"/api/hubs/{h}/{'related' if i % 2 else 'partners'}"
                                            for i, h in enumerate(hubs[:300])],
        "hub JSON, linked data, monitoring (150)": [
            p for h in hubs[300:350] for p in (f"/hubs/{h}.json", f"/id/hub/{h}", f"/monitoring/hubs/{h}?lang=fr")],
        "hub list filters": [*(f"/hubs?goal={g}" for g in range(1, 18)),
                             *(f"/hubs?page={p}" for p in pick.sample(range(2, max(3, hub_count // 50)), 30)),
                             *(f"/hubs?section={s}&lang={LANGS[i % 3]}" for i, s in enumerate(SECTIONS)),
                             *(f"/hubs?country={c}" for c in COUNTRIES), *(f"/hubs?q={w}" for w in WORDS),
                             *(f"/hubs?council={c}" for c in councils)],
        "hub list downloads, filtered": [*(f"/hubs.json?goal={g}" for g in range(1, 18)),
                                         *(f"/hubs.csv?section={s}" for s in SECTIONS)],
        "evidence filters": [*(f"/evidence?section={s}" for s in SECTIONS),
                             *(f"/evidence?council={c}&lang=es" for c in councils),
                             *(f"/evidence?page={p}" for p in pick.sample(range(2, 2000), 20)),
                             *(f"/evidence.json?section={s}" for s in SECTIONS)],
        "named queries, every goal and some targets": [
            *(f"/queries/hubs-by-sdg?sdg={g}" for g in range(1, 18)),
            *(f"/queries/hubs-by-sdg?sdg={g}.{t}" for g in (1, 5, 11, 13) for t in (1, 2, 3)),
            *(f"/queries/evidence-for?sdg={g}" for g in range(1, 18, 2)),
            *(f"/queries/hubs-by-manifesto?manifesto={m}" for m in manifestos),
            *(f"/queries/hubs-by-council?council={c}" for c in councils)],
        "named queries, sections and places": [
            *(f"/queries/evidence-for?section={s}" for s in SECTIONS[:4]),
            *(f"/queries/hubs-by-place?section={s}" for s in SECTIONS),
            *(f"/queries/hubs-by-place?country={c}" for c in COUNTRIES[:6]),
            *(f"/queries/{q}?section={s}" for q in ("sdg-gaps", "manifesto-gaps", "goal-only-links")
              for s in SECTIONS[:4]),
            *(f"/queries/hub-profile?hub={h}" for h in hubs[350:370]),
            *(f"/queries/builds-on-chain?hub={h}" for h in hubs[370:380])],
        "named queries, periods": [
            *(f"/queries/evidence-for?from={y}-01-01&to={y}-12-31" for y in years),
            *(f"/queries/deliverables-due?from={y}-01-01&to={y}-06-30" for y in years),
            *(f"/queries/hubs-active-between?from={y}-01-01&to={y}-12-31" for y in years)],
        "search": [*(f"/search?q={w}&lang={LANGS[i % 3]}" for i, w in enumerate(WORDS)),
                   *(f"/search.json?q={w}+{v}" for w, v in itertools.pairwise(WORDS))],
        "gaps and monitoring filters": [*(f"/gaps?council={c}" for c in councils),
                                        *(f"/gaps?section={s}&lang=fr" for s in SECTIONS),
                                        *(f"/monitoring?status={s}" for s in ("on-track", "late", "not-recorded"))],
    }


def memory(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
            found[line.split(":")[0]] = int(line.split()[1]) // 1024
    return found


def ask(url: str) -> tuple[float, int]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=ASKED_AS), timeout=600) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return (time.perf_counter() - start) * 1000, status


def slugs(base: str, path: str, key: str, field: str) -> list[str]:
    with urllib.request.urlopen(base + path, timeout=600) as answer:
        items = json.loads(answer.read()).get(key, [])
    return [str(item[field]).rstrip("/").rsplit("/", 1)[-1] for item in items if item.get(field)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", action="append", help="interpreter of a version of l4a (repeatable)")
    parser.add_argument("--data", type=Path, action="append", required=True, help="one per --python, in order")
    parser.add_argument("--hubs", type=int, default=100_000, help="synthetic hubs in the store")
    parser.add_argument("--groups", default="", help="a regular expression on the group names")
    parser.add_argument("-o", "--output", type=Path, default=OUT / "serve_memory.json")
    options = parser.parse_args()
    pythons = options.python or [sys.executable]
    if len(options.data) != len(pythons):
        parser.error("give one --data per --python")
    wanted = re.compile(options.groups) if options.groups else None
    records: list[dict[str, Any]] = []
    for number, (python, data) in enumerate(zip(pythons, options.data, strict=True)):
        with serving(python, data) as (base, server, opened):
            held = memory(server.pid)
            print(f"v{number} ({python}): port open after {opened:.1f} s, {held['VmRSS']} MB (anonymous "
                  f"{held['RssAnon']})", flush=True)  # fmt: skip
            councils = slugs(base, "/councils.json", "councils", "council")
            manifestos = slugs(base, "/manifestos.json", "manifestos", "manifesto")
            for name, paths in groups(options.hubs, councils, manifestos).items():
                if wanted and not wanted.search(name):
                    continue
                asked = []
                for path in paths:
                    ms, status = ask(base + path)
                    asked.append({"path": path, "ms": round(ms, 1), "status": status})
                times = [a["ms"] for a in asked]
                slowest = sorted(asked, key=lambda a: -a["ms"])[:3]
                other = sum(a["status"] != 200 for a in asked)
                held = memory(server.pid)
                records.append({"version": number, "group": name, "asked": asked, **held})
                print(f"v{number} | {name} | {len(paths)} | median {statistics.median(times):.0f} ms | slowest "
                      f"{max(times):.0f} ms | not 200: {other} | RSS {held['VmRSS']} MB (anonymous "
                      f"{held['RssAnon']}, files {held['RssFile']}) | peak {held['VmHWM']} MB | "
                      + ", ".join(f"{a['path']} {a['ms']:.0f}" for a in slowest), flush=True)  # fmt: skip
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(records, indent=1))


if __name__ == "__main__":
    main()
