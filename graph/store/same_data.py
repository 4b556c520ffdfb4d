"""Store files that hold the same data as an earlier state: a compaction is not a write.

The state key of an embedded store (graph/store/derived.py `files_key`) is a digest of its files, so that any
write, by l4a or by anything else, makes a new key. RocksDB also rewrites its files without any write: a process
that opens the store for writing may compact it at once (after a few small writes, the next writable open does).
Without this, `l4a serve` started after a write and its `l4a prepare` changed the key in its first seconds, and every
value prepared for its first requests was computed again.

Only one process at a time may open the store for writing. So while it has made no write of its own, the data in
the files is the data of the state it opened: it notes "these files are that state" in `derived/same-data.tsv`, and
every process reading those files takes the state's key (`data_key`). A write makes a new key, as before.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from l4a.graph.store.derived import files_key

FILE = "same-data.tsv"
MAX_LINES = 64  # noted pairs kept (a long-running server compacts now and then); the oldest go first
KEPT_LINES = 32


def _pairs(folder: Path) -> dict[str, str]:
    try:
        text = (folder / FILE).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return {}
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        files, _, data = line.partition("\t")
        if len(files) == 64 and len(data) == 64:  # two sha256 digests; anything else is ignored
            pairs[files] = data
    return pairs


def data_key(directory: Path, folder: Path) -> str:
    """The key of the state whose data the store files in `directory` hold: their own key, unless a writer noted
    them as the same data as an earlier state (OSError if the directory cannot be read)."""
    files = files_key(directory)
    return _pairs(folder).get(files, files)


def note_same_data(directory: Path, folder: Path, data: str, noted: str | None = None) -> str | None:
    """Note that the files now in `directory` hold the data of the state `data` (called by the one writer, before
    it writes); the files' key (`noted`: the key noted last time, then nothing is read or written). A failure to
    note only means values are computed again."""
    try:
        files = files_key(directory)
    except OSError:
        return noted
    if files in (data, noted):
        return files
    pairs = _pairs(folder)
    if pairs.get(files) == data:
        return files
    line = f"{files}\t{data}\n"
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        if len(pairs) < MAX_LINES:
            with (folder / FILE).open("a", encoding="ascii") as stream:  # one short line: appended whole
                stream.write(line)
            return files
        kept = list(pairs.items())[-KEPT_LINES:]
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".partial")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as stream:
                stream.writelines(f"{f}\t{d}\n" for f, d in kept)
                stream.write(line)
            os.replace(temporary, folder / FILE)
        finally:
            Path(temporary).unlink(missing_ok=True)
        return files
    return noted
