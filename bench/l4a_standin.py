"""Run `l4a` with stand-ins for shipped data files that are not in the repository yet (benchmarks only).

`l4a build` reads ontology/l4a.ttl, ontology/vocabularies.ttl, ontology/reference/sdg.ttl,
ontology/reference/uclg.ttl and ontology/hubs/*.ttl, and fails if one of the first four is missing. While the
ontology is being written, the benchmarks still need a build to time, so this script

- prepares a folder (``prepare(folder)``) holding each shipped file that exists (a symbolic link to it) and, for
  each one that does not, a stand-in: the project's SDG source for sdg.ttl (ontology/sources/sdg/sdg.ttl, the bulk
  of the reference data) and an empty Turtle file for the others;
- runs the real `l4a` command line with that folder in place of the packaged ontology folder::

      python bench/l4a_standin.py FOLDER build --quiet --add /tmp/hubs-10k.nq

Nothing else changes: the same click command, build(), import and store code run. Once every shipped file exists,
the harness calls the real `l4a` executable instead and this script is not used.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY = REPO / "ontology"
SHARED_SDG = REPO / "ontology" / "sources" / "sdg" / "sdg.ttl"
REQUIRED = ("l4a.ttl", "vocabularies.ttl", "reference/sdg.ttl", "reference/uclg.ttl")


def missing_files(ontology: Path = ONTOLOGY) -> list[str]:
    """The shipped files `l4a build` requires that do not exist yet (relative to ontology/)."""
    return [name for name in REQUIRED if not (ontology / name).is_file()]


def shipped_files(ontology: Path = ONTOLOGY) -> list[Path]:
    """The shipped data files that exist: ontology, vocabularies, reference data, hubs."""
    files = [ontology / name for name in ("l4a.ttl", "vocabularies.ttl")]
    files += sorted((ontology / "reference").glob("*.ttl"))
    files += sorted((ontology / "hubs").glob("*.ttl"))
    return [f for f in files if f.is_file()]


def prepare(folder: Path, ontology: Path = ONTOLOGY) -> dict[str, str]:
    """Fill `folder` with the shipped files or their stand-ins; return {relative name: what it is}."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "reference").mkdir(parents=True)
    (folder / "hubs").mkdir()
    used: dict[str, str] = {}
    for name in REQUIRED:
        real = ontology / name
        dest = folder / name
        if real.is_file():
            dest.symlink_to(real)
            used[name] = str(real)
        elif name == "reference/sdg.ttl" and SHARED_SDG.is_file():
            dest.symlink_to(SHARED_SDG)
            used[name] = f"stand-in: {SHARED_SDG}"
        else:
            dest.write_text("", encoding="utf-8")
            used[name] = "stand-in: empty"
    for hub in sorted((ontology / "hubs").glob("*.ttl")):
        (folder / "hubs" / hub.name).symlink_to(hub)
        used[f"hubs/{hub.name}"] = str(hub)
    return used


def standin_files(folder: Path) -> list[Path]:
    """The non-empty data files of a prepared folder (what an rdflib baseline should load too)."""
    files = [folder / name for name in REQUIRED] + sorted((folder / "hubs").glob("*.ttl"))
    return [f.resolve() for f in files if f.is_file() and f.stat().st_size > 0]


def use(folder: Path) -> None:
    """Make l4a's build read the shipped data from `folder` (in this process)."""
    import l4a.graph.build as build_module

    build_module.ontology_dir = lambda: folder  # a Path is a Traversable


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    use(Path(argv[0]).resolve())
    from l4a.graph.cli.main import main as l4a_main

    sys.argv = ["l4a", *argv[1:]]
    try:
        l4a_main()
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


if __name__ == "__main__":
    # The store's background threads must not keep the interpreter alive: leave as the CLI would.
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
