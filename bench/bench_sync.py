"""Benchmark the synchronization index (graph/sync.py) against the same ranking as one SPARQL query.

    python bench/bench_sync.py [--sizes 10000,100000] [--seed 1] [--samples 200] [--changes 30]
                               [--sparql-samples 10] [--rdflib-samples 3] [--rdflib-budget 900] [--no-rdflib]

For each N it takes bench/out/hubs-N.nq (written by bench_build.synthetic_file if missing or stale), builds a store
from it with `l4a build --quiet --add FILE` into bench/out/sync-store-N (kept until the next run), then runs, each
in its own process (so each peak RSS is its own):

- the index: `SyncIndex.from_store` (median of 3 builds up to 10k hubs, one above); `related` and `partners` with
  explanations for --samples hubs (median, p95); one-hub changes for --changes hubs: the hub's graph replaced (its
  targets swapped for 14.1), dropped, and put back, each followed by `refresh_hub` (the index's share is timed,
  the store write reported beside it); then a rebuild from the store, which must give the same rankings; and the
  index's shared-concept scores checked against the SPARQL query's on 3 hubs;
- pyoxigraph: the SPARQL query below on the same store (read-only), for --sparql-samples hubs, and the simpler
  "hubs sharing targets with X" (the design sketch's reference query);
- rdflib: the same files loaded into an in-memory Dataset (the synthetic hubs and the shipped data, as the store
  holds), then the same two queries for --rdflib-samples hubs, giving up once --rdflib-budget seconds are spent
  (load included; a query still running then is abandoned and reported as such).

The SPARQL query ranks the hubs sharing concepts with ?hub by the same weights as the index's shared concepts (kind
weight x ln((N + 1) / hubs with the concept); SPARQL has no logarithm, so both engines get the same custom function
bench:ln). Time overlap and builds-on, which the index adds, are left out: the baseline is the concept part.
The hub is bound (pyoxigraph substitutions, rdflib initBindings), never pasted into the text.

Prints a Markdown table and writes every figure to bench/out/sync.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import bench_build  # noqa: E402
import l4a_standin  # noqa: E402
import synth  # noqa: E402

GOALS = {10_000: {"related_ms": 2.0}, 100_000: {"related_ms": 10.0, "build_s": 10.0}}
CHANGE_GOAL_MS = 50.0
LN = "urn:l4a:bench:ln"
KIND_WEIGHTS = (("addressesTarget", "1.0"), ("addressesManifesto", "1.0"), ("relevantCouncil", "0.6"))
KIND_WEIGHTS += (("section", "0.2"), ("addressesGoal", "0.4"))


def links(x: str) -> str:
    """A hub ?x and its concepts ?c with their kind weight ?kw (goals of its targets too, weighted as goals).

    ?x is not checked to be an l4a:Hub (that join doubles pyoxigraph's time and stalls rdflib): on the benchmark's
    data only hubs have these links, which the index worker checks (only_hubs_have_concept_links)."""
    values = " ".join(f"(l4a:{p} {w})" for p, w in KIND_WEIGHTS)
    return (
        f"{{ VALUES (?p{x} ?kw) {{ {values} }} ?{x} ?p{x} ?c }}\n"
        f"      UNION {{ ?{x} l4a:addressesTarget/skos:broader ?c BIND (0.4 AS ?kw) }}"
    )


RANKING = f"""PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX bench: <urn:l4a:bench:>
SELECT ?hub ?other (SUM(?w) AS ?score) WHERE {{
  {{ SELECT (COUNT(?h0) AS ?n) WHERE {{ ?h0 a l4a:Hub }} }}
  {{ SELECT ?hub ?c ?kw (COUNT(DISTINCT ?h) AS ?df) WHERE {{
      {{ SELECT DISTINCT ?hub ?c ?kw WHERE {{ {links("hub")} }} }}
      {links("h")}
    }} GROUP BY ?hub ?c ?kw }}
  {{ SELECT DISTINCT ?hub ?other ?c ?kw WHERE {{
      {{ SELECT DISTINCT ?hub ?c ?kw WHERE {{ {links("hub")} }} }}
      {links("other")}
      FILTER (?other != ?hub) }} }}
  BIND (?kw * bench:ln((?n + 1) / ?df) AS ?w)
}}
GROUP BY ?hub ?other
ORDER BY DESC(?score) ?other
LIMIT 10
"""

ONLY_HUBS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
ASK {
  VALUES ?p { l4a:addressesTarget l4a:addressesManifesto l4a:relevantCouncil l4a:section l4a:addressesGoal }
  ?x ?p ?c FILTER NOT EXISTS { ?x a l4a:Hub }
}
"""

SHARED_TARGETS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
SELECT ?hub ?other (COUNT(?t) AS ?score) WHERE {
  ?hub l4a:addressesTarget ?t . ?other l4a:addressesTarget ?t . FILTER (?other != ?hub)
}
GROUP BY ?hub ?other
ORDER BY DESC(?score) ?other
LIMIT 10
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sample_hubs(n: int, count: int, seed: int) -> list[str]:
    """The same synthetic hubs for every worker, without reading the store."""
    return [synth.hub_iri(k) for k in random.Random(seed).sample(range(1, n + 1), min(count, n))]


def ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(p95 * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
        "count": len(ordered),
    }


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def oxigraph_ln() -> dict[Any, Any]:
    import pyoxigraph as ox

    double = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
    return {ox.NamedNode(LN): lambda x: ox.Literal(repr(math.log(float(x.value))), datatype=double)}


def oxigraph_rows(store: Any, query: str, hub: str) -> list[tuple[str, float]]:
    import pyoxigraph as ox

    solutions = store.query(
        query,
        use_default_graph_as_union=True,
        substitutions={ox.Variable("hub"): ox.NamedNode(hub)},
        custom_functions=oxigraph_ln(),
    )
    return [(row["other"].value, float(row["score"].value)) for row in solutions]


# Workers (each runs in its own process)


def worker_index(args: argparse.Namespace) -> dict[str, Any]:
    import pyoxigraph as ox

    from l4a.graph.store.embedded import EmbeddedStore
    from l4a.graph.sync.index import SyncIndex

    store = EmbeddedStore.open(args.store)
    builds = []
    index = SyncIndex()
    for _ in range(3 if args.hubs <= 10_000 else 1):
        t0 = time.perf_counter()
        index = SyncIndex.from_store(store)
        builds.append(time.perf_counter() - t0)
    result: dict[str, Any] = {"hubs_in_index": len(index.hubs), "build_s": round(statistics.median(builds), 3)}
    result["build_runs_s"] = [round(b, 3) for b in builds]
    result["peak_rss_mb_after_build"] = peak_mb()
    hubs = sample_hubs(args.hubs, args.samples, args.seed)
    index.related(hubs[0])  # warm-up
    for name, call in (("related", index.related), ("partners", index.partners)):
        times = []
        for hub in hubs:
            t0 = time.perf_counter()
            call(hub, 10)
            times.append(time.perf_counter() - t0)
        result[name] = ms(times)

    # The index's shared-concept scores against the SPARQL query's, on the same store.
    checks = []
    for hub in hubs[:3]:
        concept_only = {
            r.hub: sum(x.contribution for x in r.reasons if x.kind not in ("overlap", "buildsOn"))
            for r in index.related_exhaustive(hub, len(index.hubs))
        }
        best = sorted(((-s, h) for h, s in concept_only.items() if s > 0))[:10]
        rows = oxigraph_rows(store._store, RANKING, hub)
        checks.append(
            len(rows) == len(best)
            and all(abs(concept_only.get(h, -1.0) - s) < 1e-9 for h, s in rows)
            and abs(rows[-1][1] + best[-1][0]) < 1e-9
        )
    result["sparql_scores_agree"] = all(checks)
    result["only_hubs_have_concept_links"] = not store.ask(ONLY_HUBS)

    # One-hub changes: replace, remove, put back; each followed by refresh_hub.
    target = ox.NamedNode("https://w3id.org/l4a/ontology#addressesTarget")
    refresh: list[float] = []
    writes: list[float] = []
    changed = sample_hubs(args.hubs, args.changes, args.seed + 1)
    for hub in changed:
        graph = hub.replace("/id/hub/", "/graph/hub/")
        original = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": ox.NamedNode(graph)})
        swapped = [t for t in original if t.predicate != target]
        swapped.append(ox.Triple(ox.NamedNode(hub), target, ox.NamedNode("http://metadata.un.org/sdg/14.1")))
        for change in ("replace", "drop", "restore"):
            t0 = time.perf_counter()
            if change == "drop":
                store.drop_graphs([graph])
            else:
                store.replace_graphs({graph: swapped if change == "replace" else original})
            writes.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            index.refresh_hub(store, hub)
            refresh.append(time.perf_counter() - t0)
    result["change_refresh"] = ms(refresh)
    result["change_store_write"] = ms(writes)
    rebuilt = SyncIndex.from_store(store)
    compared = changed + hubs[:20]
    result["incremental_equals_rebuild"] = set(index.hubs) == set(rebuilt.hubs) and all(
        index.related(h, 10) == rebuilt.related(h, 10) and index.partners(h, 10) == rebuilt.partners(h, 10)
        for h in compared
    )
    result["compared_hubs"] = len(compared)
    result["peak_rss_mb"] = peak_mb()
    store.close()
    return result


def worker_oxigraph(args: argparse.Namespace) -> dict[str, Any]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(args.store))
    hubs = sample_hubs(args.hubs, args.sparql_samples, args.seed)
    result: dict[str, Any] = {}
    for name, query in (("ranking", RANKING), ("shared_targets", SHARED_TARGETS)):
        oxigraph_rows(store, query, hubs[0])  # warm-up
        times, tops = [], {}
        for hub in hubs:
            t0 = time.perf_counter()
            rows = oxigraph_rows(store, query, hub)
            times.append(time.perf_counter() - t0)
            tops[hub] = rows[:3]
        result[name] = ms(times) | {"top": tops}
    result["peak_rss_mb"] = peak_mb()
    return result


def rdflib_rows(dataset: Any, query: Any, bindings: dict[str, Any], into: list[list[tuple[str, float]]]) -> None:
    into.append([(str(row[1]), float(row[2])) for row in dataset.query(query, initBindings=bindings)])


def worker_rdflib(args: argparse.Namespace) -> dict[str, Any]:
    import rdflib
    from rdflib.namespace import XSD
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.operators import register_custom_function

    files = [Path(f) for f in args.files]
    started = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    for path in files:
        dataset.parse(str(path), format={".nq": "nquads", ".ttl": "turtle", ".trig": "trig"}[path.suffix])
    result: dict[str, Any] = {"load_s": round(time.perf_counter() - started, 3), "rss_mb_after_load": peak_mb()}
    register_custom_function(rdflib.URIRef(LN), lambda x: rdflib.Literal(math.log(float(x)), datatype=XSD.double))
    hubs = sample_hubs(args.hubs, args.rdflib_samples, args.seed)
    for name, text in (("shared_targets", SHARED_TARGETS), ("ranking", RANKING)):
        query = prepareQuery(text)
        times, tops = [], {}
        for hub in hubs:
            left = args.rdflib_budget - (time.perf_counter() - started)
            if left <= 0:
                result.setdefault("stopped", f"budget of {args.rdflib_budget:g} s spent before {name} on {hub}")
                break
            answer: list[list[tuple[str, float]]] = []
            bindings = {"hub": rdflib.URIRef(hub)}
            # A thread, so that a query longer than the budget can be given up (the process ends with it).
            thread = threading.Thread(target=rdflib_rows, args=(dataset, query, bindings, answer), daemon=True)
            t0 = time.perf_counter()
            thread.start()
            thread.join(left)
            if not answer:
                result["stopped"] = f"{name} on {hub} still running after {time.perf_counter() - t0:.0f} s (budget)"
                break
            times.append(time.perf_counter() - t0)
            tops[hub] = answer[0][:3]
        if times:
            result[name] = ms(times) | {"top": tops}
        if "stopped" in result:
            break
    result["peak_rss_mb"] = peak_mb()
    return result


WORKERS = {"index": worker_index, "oxigraph": worker_oxigraph, "rdflib": worker_rdflib}


# The harness


def run_worker(name: str, args: argparse.Namespace, n: int, store: Path, files: list[Path]) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--hubs", str(n), "--store", str(store)]
    cmd += ["--seed", str(args.seed), "--samples", str(args.samples), "--changes", str(args.changes)]
    cmd += ["--sparql-samples", str(args.sparql_samples), "--rdflib-samples", str(args.rdflib_samples)]
    cmd += ["--rdflib-budget", str(args.rdflib_budget), "--files", *map(str, files)]
    log(f"{n} hubs: {name}")
    run = bench_build.run_child(cmd)
    report: dict[str, Any] = json.loads(run["stdout"].strip().splitlines()[-1])
    return report | {"process_s": run["seconds"], "process_peak_rss_mb": run["peak_rss_mb"]}


def agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two engines' top rows for the hubs both ran: the same scores."""
    common = set(a["top"]) & set(b["top"])
    return bool(common) and all(
        [round(s, 9) for _, s in a["top"][h]] == [round(s, 9) for _, s in b["top"][h]] for h in common
    )


def table(results: dict[str, Any]) -> str:
    lines = [
        "| hubs | work | l4a index | pyoxigraph, one SPARQL query | rdflib, one SPARQL query | goal | met? |",
        "| ---: | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for entry in results["sizes"]:
        n, ix, ox_, rd = entry["hubs"], entry["index"], entry["oxigraph"], entry.get("rdflib", {})
        goal = GOALS.get(n, {})

        def q(engine: dict[str, Any], name: str) -> str:
            if name not in engine:
                return engine.get("stopped", "not run") if engine else "not run"
            return f"{engine[name]['median_ms']:,.1f} ms median ({engine[name]['count']} hubs)"

        rel = ix["related"]
        met_rel = "yes" if "related_ms" in goal and rel["median_ms"] <= goal["related_ms"] else "no"
        lines.append(
            f"| {n:,} | related, with reasons | {rel['median_ms']:.2f} ms median, {rel['p95_ms']:.2f} ms p95 "
            f"| {q(ox_, 'ranking')} | {q(rd, 'ranking')} | ≤ {goal.get('related_ms', '—')} ms | "
            f"{met_rel if 'related_ms' in goal else '—'} |"
        )
        lines.append(
            f"| {n:,} | hubs sharing targets (design's query) | | {q(ox_, 'shared_targets')} "
            f"| {q(rd, 'shared_targets')} | | |"
        )
        build_goal = goal.get("build_s")
        build_goal_text = f"≤ {build_goal:g} s" if build_goal else "—"
        load = f"load {rd['load_s']:.1f} s, {rd['rss_mb_after_load']:,.0f} MB" if "load_s" in rd else "not run"
        lines.append(
            f"| {n:,} | index built from the store | {ix['build_s']:.2f} s, {ix['peak_rss_mb_after_build']:,.0f} MB "
            f"| (store built by l4a in {entry['store_build_s']:.1f} s) | {load} "
            f"| {build_goal_text} "
            f"| {('yes' if ix['build_s'] <= build_goal else 'no') if build_goal else '—'} |"
        )
        ch = ix["change_refresh"]
        lines.append(
            f"| {n:,} | one-hub change (refresh_hub) | {ch['median_ms']:.2f} ms median, {ch['max_ms']:.2f} ms max "
            f"| (store write {ix['change_store_write']['median_ms']:.1f} ms median) | | ≤ {CHANGE_GOAL_MS:g} ms "
            f"| {'yes' if ch['max_ms'] <= CHANGE_GOAL_MS else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated hub counts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--samples", type=int, default=200, help="hubs for related/partners")
    ap.add_argument("--changes", type=int, default=30, help="hubs changed (three changes each)")
    ap.add_argument("--sparql-samples", type=int, default=10, help="hubs for the pyoxigraph queries")
    ap.add_argument("--rdflib-samples", type=int, default=3, help="hubs for the rdflib queries")
    ap.add_argument("--rdflib-budget", type=float, default=900.0, help="seconds for one rdflib process, load included")
    ap.add_argument("--no-rdflib", action="store_true")
    ap.add_argument("-o", "--output", type=Path, default=OUT / "sync.json")
    ap.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    ap.add_argument("--hubs", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--files", nargs="*", default=[], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)), flush=True)
        sys.stderr.flush()
        os._exit(0)  # without waiting for an rdflib query given up on (a daemon thread)

    OUT.mkdir(exist_ok=True)
    exe = Path(sys.executable).parent / "l4a"
    l4a = [str(exe)] if exe.exists() else [sys.executable, "-m", "l4a.graph.cli.main"]
    results: dict[str, Any] = {
        "machine": bench_build.machine() | {"numpy": __import__("numpy").__version__},
        "command": " ".join(["python", "bench/bench_sync.py", *(argv if argv is not None else sys.argv[1:])]),
        "ranking_query": RANKING,
        "shared_targets_query": SHARED_TARGETS,
        "sizes": [],
    }
    for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
        path, _ = bench_build.synthetic_file(n, args.seed)
        data_dir = OUT / f"sync-store-{n}"
        shutil.rmtree(data_dir, ignore_errors=True)
        log(f"{n} hubs: l4a build --add {path.name}")
        built = bench_build.run_child([*l4a, "--data-dir", str(data_dir), "build", "--quiet", "--add", str(path)])
        store = data_dir / "store"
        files = [path, *l4a_standin.shipped_files()]
        entry: dict[str, Any] = {"hubs": n, "file": str(path), "store_build_s": built["seconds"]}
        entry["index"] = run_worker("index", args, n, store, files)
        entry["oxigraph"] = run_worker("oxigraph", args, n, store, files)
        if not args.no_rdflib:
            try:
                entry["rdflib"] = run_worker("rdflib", args, n, store, files)
            except (SystemExit, subprocess.SubprocessError) as exc:  # e.g. killed for memory: say so, keep the rest
                entry["rdflib"] = {"stopped": f"failed: {str(exc)[-1500:]}"}
            if "ranking" in entry["rdflib"]:
                entry["rdflib_agrees_with_oxigraph"] = agree(entry["rdflib"]["ranking"], entry["oxigraph"]["ranking"])
        results["sizes"].append(entry)
        args.output.write_text(json.dumps(results, indent=2) + "\n")  # keep what is done if a later size fails
    results["table"] = table(results)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(results["table"])
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
