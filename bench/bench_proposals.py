"""Benchmark: `l4a propose` on a generated CSV file of 1,000 proposals, against a store of 10k synthetic hubs.

    python bench/bench_proposals.py [--hubs 10000] [--proposals 1000] [--repeat 3]

Builds the store (bench/synth.py hubs, `l4a build --add`), writes the CSV (every proposal complete and valid,
except one in ten with a five-year time frame and one in ten with an unknown SDG target), then times the
command end to end (a new process: reading, mapping, the SHACL gate, storing) and, in-process, each stage.
Each repeat proposes into a fresh copy of the store, so every run stores 1,000 first revisions.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import bench_validate  # noqa: E402

TARGETS = ["11.1", "11.2", "11.3", "11.6", "11.7", "13.1", "13.2", "6.1", "6.3", "7.2", "5.5", "16.7", "17.17"]
MANIFESTOS = ["Ecology", "Biodiversity", "Housing", "Mobility", "Equality", "Local finance", "Culture"]
COUNCILS = ["Resilient and Regenerative Territories: Renaturalizing", "Right to the City: Reclaiming the Commons"]
SECTIONS = ["FLACMA", "CEMR", "UCLG Africa", "UCLG ASPAC", "Metropolis"]


def write_csv(path: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    header = [
        "id", "name_en", "name_fr", "description_en", "theme", "city", "country", "lead_name", "lead_type",
        "lead_country", "partner_name", "partner_type", "sdg_targets", "manifestos", "policy_councils", "section",
        "start_date", "end_date", "website", "visual_identity_checked", "channels", "activities",
        "deliverable_1_title", "deliverable_1_due_date", "deliverable_1_indicator", "deliverable_1_unit",
        "deliverable_1_baseline", "deliverable_1_target_value", "deliverable_1_indicator_due_date",
        "deliverable_2_title", "deliverable_2_due_date", "deliverable_2_indicator", "deliverable_2_unit",
        "deliverable_2_baseline", "deliverable_2_target_value", "deliverable_2_indicator_due_date",
        "evidence_url", "evidence_type", "evidence_date", "evidence_publisher", "evidence_language",
    ]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for i in range(count):
            targets = rng.sample(TARGETS, rng.randint(1, 4))
            if i % 10 == 3:
                targets.append("SDG 18.1")  # unknown: stored as "needs changes"
            end = "2031-02-28" if i % 10 == 7 else "2028-02-29"  # five years: "needs changes"
            town = f"Synthville {i}"
            writer.writerow([
                f"bench-proposal-{i:04d}", f"{town} climate action hub", f"Hub climat de {town}",
                f"A fictional benchmark hub in {town}: green corridors, cool roofs and shared mobility.",
                "Climate adaptation", town, rng.choice(["AR", "ES", "KE", "FR", "ID"]), f"Municipality of {town}",
                "local government", "AR", f"University of {town}", "university", "; ".join(targets),
                "; ".join(rng.sample(MANIFESTOS, rng.randint(1, 2))), rng.choice(COUNCILS), rng.choice(SECTIONS),
                "2026-03-01", end, f"https://synthville-{i}.example.org/", "true", "web site; radio",
                "launch event; open day", "Adopted plan", "2027-06-30", "Tree canopy cover", "percent", "12.5", "18",
                "2028-02-29", "Community gardens", "2027-12-31", "Gardens open", "gardens", "0", "10", "2027-12-31",
                f"https://synthville-{i}.example.org/plan.pdf", "report", "2026-01-20", f"Municipality of {town}",
                "en",
            ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hubs", type=int, default=10000)
    parser.add_argument("--proposals", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from l4a.graph.namespaces import DEFAULT_BASE
    from l4a.graph.proposals.pipeline import gate, read_submissions, store_submissions
    from l4a.graph.store.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store_dir = bench_validate.build_store(args.hubs, work)
        data = work / "proposals.csv"
        write_csv(data, args.proposals)
        runs = []
        for run in range(args.repeat):
            copy = work / f"run-{run}"
            shutil.copytree(store_dir.parent, copy)
            start = time.perf_counter()
            command = [sys.executable, "-m", "l4a.graph.cli", "--data-dir", str(copy)]
            command += ["propose", str(data), "--format", "json"]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            runs.append(time.perf_counter() - start)
            stored = json.loads(result.stdout)
            statuses = {s: sum(1 for p in stored if p["status"] == s) for s in ("submitted", "needs-changes")}
            print(json.dumps({"run": run, "seconds": runs[-1], "exit": result.returncode, **statuses}), flush=True)
        copy = work / "stages"
        shutil.copytree(store_dir.parent, copy)
        store = EmbeddedStore.open(copy / "store")
        stages = {}
        start = time.perf_counter()
        submissions = read_submissions([data], DEFAULT_BASE)
        stages["read and map"] = time.perf_counter() - start
        start = time.perf_counter()
        gate(submissions, store, DEFAULT_BASE)
        stages["SHACL gate"] = time.perf_counter() - start
        start = time.perf_counter()
        store_submissions(store, submissions, DEFAULT_BASE)
        stages["store"] = time.perf_counter() - start
        store.close()
        print(json.dumps({"stages_s": stages}), flush=True)
        print(
            f"| `l4a propose` {args.proposals} proposals (CSV) | store of {args.hubs:,} hubs | "
            f"{statistics.median(runs):.2f} s median of {len(runs)} ({min(runs):.2f}-{max(runs):.2f}) |"
        )


if __name__ == "__main__":
    main()
