"""Benchmark: the default synchronization index is as fast as before the suggestions work, and the index that
counts pending suggestions (graph/sync/suggested.py) costs what it costs only when asked.

    python bench/bench_sync_suggested.py [--hubs 10000] [--samples 300] [--seed 3] [--baseline REV]

In one process, on the same synthetic hubs (Zipf-like concepts, 90 % dated, a few builds-on links):

- the default index of this tree against graph/sync/index.py as it was at REV (default: the commit before this
  work, 33a7acf), loaded from git into its own module: building it from the records (`put_hubs`), and `related`
  and `partners` with reasons for --samples hubs (median and p95, each index timed in turn, three rounds);
- `SuggestedIndex.from_index` over an in-memory embedded store holding three pending suggestions per hub for a
  third of the hubs (the suggestion records as `l4a suggest --store` writes them), and its `related`.

Prints a Markdown table; the load average before and after goes with it.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox

from l4a.graph.namespaces import DEFAULT_BASE, L4A, PROV, RDF, RDFS, SCHEMA, XSD
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.sync import index as current
from l4a.graph.sync.suggested import SuggestedIndex

ROOT = Path(__file__).resolve().parents[1]


def baseline_module(rev: str) -> ModuleType:
    text = subprocess.run(["git", "show", f"{rev}:graph/sync/index.py"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    path = Path(tempfile.mkdtemp()) / "baseline_index.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_index", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_index"] = module
    spec.loader.exec_module(module)
    return module


def records(module: ModuleType, count: int, seed: int, pool: int = 400) -> list[object]:
    rng = random.Random(seed)
    concepts = [f"urn:bench:concept:{c}" for c in range(pool)]
    weights = [1 / (rank + 1) for rank in range(pool)]
    out = []
    for number in range(count):
        start = date(2019, 1, 1) + timedelta(days=rng.randrange(2500)) if rng.random() < 0.9 else None
        end = start + timedelta(days=rng.choice([30, 365, 700, 1000])) if start else None
        earlier = {f"urn:bench:hub:{rng.randrange(number)}"} if number and rng.random() < 0.1 else set()
        chosen = set(rng.choices(concepts, weights, k=1 + rng.randrange(8)))
        out.append(module.HubRecord(f"urn:bench:hub:{number}", f"Hub {number}", chosen, start, end, earlier, set()))
    return out


def kinds(pool: int = 400) -> dict[str, str]:
    names = ["target", "manifesto", "council", "goal", "section"]
    return {f"urn:bench:concept:{c}": names[c % len(names)] for c in range(pool)}


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def suggestion_store(hubs: list[str], seed: int, pool: int = 400) -> EmbeddedStore:
    """Pending suggestion records (as graph/suggest/records.py writes them) for a third of the hubs."""
    rng = random.Random(seed)
    store = EmbeddedStore.in_memory()
    quads = []
    run = ox.NamedNode(f"{DEFAULT_BASE}id/suggestion-run/bench")
    software = ox.NamedNode(f"{DEFAULT_BASE}id/agent/bench")
    properties = [L4A + "addressesTarget", L4A + "addressesManifesto", L4A + "relevantCouncil"]
    for hub in hubs[::3]:
        g = ox.NamedNode(f"{DEFAULT_BASE}graph/suggestions/{hub.rsplit(':', 1)[1]}")
        node = ox.NamedNode(hub)
        quads.append(ox.Quad(node, ox.NamedNode(RDF + "type"), ox.NamedNode(L4A + "Hub"), g))
        for k in range(3):
            s = ox.NamedNode(f"{DEFAULT_BASE}id/suggestion/{hub.rsplit(':', 1)[1]}/{k}")
            value = ox.NamedNode(f"urn:bench:concept:{rng.randrange(pool)}")
            for p, o in ((RDF + "type", ox.NamedNode(L4A + "Suggestion")), (L4A + "suggestedFor", node),
                         (L4A + "suggestedProperty", ox.NamedNode(properties[k])), (L4A + "suggestedValue", value),
                         (L4A + "score", ox.Literal("0.700", datatype=ox.NamedNode(XSD + "decimal"))),
                         (L4A + "reviewState", ox.Literal("pending")), (PROV + "wasGeneratedBy", run)):  # fmt: skip
                quads.append(ox.Quad(s, ox.NamedNode(p), o, g))
    g = ox.NamedNode(f"{DEFAULT_BASE}graph/suggestions/run")
    quads += [ox.Quad(run, ox.NamedNode(PROV + "wasAssociatedWith"), software, g),
              ox.Quad(software, ox.NamedNode(RDFS + "label"), ox.Literal("bench"), g),
              ox.Quad(software, ox.NamedNode(SCHEMA + "softwareVersion"), ox.Literal("1"), g)]  # fmt: skip
    store.add_quads(quads)
    return store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hubs", type=int, default=10000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--baseline", default="33a7acf")
    args = parser.parse_args()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    old = baseline_module(args.baseline)
    results: dict[str, dict[str, list[float]]] = {"baseline": {}, "this tree": {}}
    indexes = {}
    for _round in range(3):
        for name, module in (("baseline", old), ("this tree", current)):
            made = module.SyncIndex()
            made.kinds.update(kinds())
            hubs = records(module, args.hubs, args.seed)
            results[name].setdefault("build", []).append(timed(lambda made=made, hubs=hubs: made.put_hubs(hubs)))
            indexes[name] = made
            sample = random.Random(args.seed).sample(sorted(made.hubs), args.samples)
            for kind in ("related", "partners"):
                call = getattr(made, kind)
                results[name].setdefault(kind, []).extend(timed(lambda h=h, c=call: c(h, 10)) for h in sample)
    same = all([r.as_dict() for r in indexes["baseline"].related(h, 10)]
               == [r.as_dict() for r in indexes["this tree"].related(h, 10)]
               for h in random.Random(1).sample(sorted(indexes["this tree"].hubs), 200))  # fmt: skip
    store = suggestion_store(sorted(indexes["this tree"].hubs), args.seed)
    default = indexes["this tree"]
    variant_builds = []
    for _ in range(3):
        variant_builds.append(timed(lambda: SuggestedIndex.from_index(default, store)))
    variant = SuggestedIndex.from_index(default, store)
    sample = random.Random(args.seed).sample(sorted(variant.hubs), args.samples)
    variant_related = [timed(lambda h=h: variant.related(h, 10)) for h in sample]
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    print(f"{args.hubs} synthetic hubs, {args.samples} sampled hubs x 3 rounds; load average {' '.join(load_before)}"
          f" before, {' '.join(load_after)} after; same related rankings as the baseline: {same}")
    print("| work | baseline (index.py at " + args.baseline + ") | this tree |")
    print("| --- | --- | --- |")
    for kind in ("build", "related", "partners"):
        cells = []
        for name in ("baseline", "this tree"):
            values = results[name][kind]
            if kind == "build":
                cells.append(f"{statistics.median(values) * 1000:.0f} ms median of 3")
            else:
                median, p95 = statistics.median(values) * 1000, percentile(values, 0.95) * 1000
                cells.append(f"{median:.3f} ms median, {p95:.3f} ms p95")
        print(f"| default index: {kind} | {cells[0]} | {cells[1]} |")
    print(f"| SuggestedIndex.from_index ({len(variant.suggested)} hubs with pending suggestions) | - | "
          f"{statistics.median(variant_builds) * 1000:.0f} ms median of 3 |")
    print(f"| suggested index: related | - | {statistics.median(variant_related) * 1000:.3f} ms median, "
          f"{percentile(variant_related, 0.95) * 1000:.3f} ms p95 |")


if __name__ == "__main__":
    main()
