"""Baseline: load RDF files into rdflib's default in-memory Dataset; print time and peak RSS as one JSON line.

    python bench/baseline_rdflib.py /tmp/hubs-10k.nq [MORE FILES...]

Prints {"tool": "rdflib", "files": [...], "triples": N, "seconds": S, "peak_rss_mb": M} on stdout.
"seconds" covers the parsing only; "triples" counts the statements held over all graphs (quads), counted
after the clock stops. Peak RSS is the whole process's (ru_maxrss), so run this in a fresh process for each
measurement: the harness spawns it, one run per process.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

FORMATS = {
    ".nq": "nquads",
    ".nquads": "nquads",
    ".trig": "trig",
    ".ttl": "turtle",
    ".nt": "nt",
    ".rdf": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
}


def rdf_format(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise SystemExit(f"{path}: unknown RDF syntax (known extensions: {', '.join(FORMATS)})")
    return FORMATS[suffix]


def main(argv: list[str] | None = None) -> int:
    files = list(sys.argv[1:] if argv is None else argv)
    if not files or any(f in ("-h", "--help") for f in files):
        print(__doc__, file=sys.stderr)
        return 2
    formats = [rdf_format(f) for f in files]

    import rdflib  # imported before the clock starts: its import time is not parsing time

    ds = rdflib.Dataset()
    t0 = time.perf_counter()
    for path, fmt in zip(files, formats, strict=True):
        ds.parse(path, format=fmt)
    seconds = time.perf_counter() - t0
    triples = sum(len(g) for g in ds.graphs())  # graphs() includes the default graph
    # Linux reports ru_maxrss in KiB.
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "tool": "rdflib",
                "files": files,
                "triples": triples,
                "seconds": round(seconds, 3),
                "peak_rss_mb": round(peak_rss_mb, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
