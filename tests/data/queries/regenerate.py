"""Rewrite the golden files expected-<n>.csv of every tests/data/queries/<query-name>/ from the current queries.

Run `python tests/data/queries/regenerate.py` and then REVIEW THE DIFF by hand (`git diff tests/data/queries`):
a golden file is only worth something if a human has checked that its rows are the right answer.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from l4a.graph.sparql.queries import get_query, run_named_query
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.exchange import import_files

HERE = Path(__file__).parent


def cases() -> list[Path]:
    """The golden folders: one per named query, each with data.trig and params.json."""
    return sorted(p for p in HERE.iterdir() if p.is_dir() and (p / "params.json").is_file())


def golden_csv(folder: Path, params: dict[str, str]) -> str:
    """The query's rows on the folder's data.trig as CSV: a header of its columns, rows sorted, values as plain text."""
    store = EmbeddedStore.in_memory()
    import_files(store, [folder / "data.trig"])
    columns = get_query(folder.name).columns
    rows = sorted(
        [row[c].value if c in row and row[c] is not None else "" for c in columns]
        for row in run_named_query(store, folder.name, params)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def parameter_sets(folder: Path) -> list[dict[str, str]]:
    """The parameter sets of params.json, in order (expected-<n>.csv belongs to the n-th)."""
    loaded: list[dict[str, str]] = json.loads((folder / "params.json").read_text(encoding="utf-8"))
    return loaded


def main() -> None:
    for folder in cases():
        for stale in folder.glob("expected-*.csv"):
            stale.unlink()
        for n, params in enumerate(parameter_sets(folder)):
            (folder / f"expected-{n}.csv").write_text(golden_csv(folder, params), encoding="utf-8")
        print(f"{folder.name}: {len(parameter_sets(folder))} golden file(s)")
    print("Now review the diff by hand: git diff tests/data/queries")


if __name__ == "__main__":
    main()
