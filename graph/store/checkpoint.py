"""The embedded store's old state, kept beside it while a bulk load runs, so a crash leaves the old or the new state.

Oxigraph's bulk loader writes outside any transaction, and moving a million staged quads into place in one SPARQL
Update takes eight times the load and 2 GB of memory (docs/benchmarks.md). So before a bulk load the store is
checkpointed (RocksDB hard-links its immutable files: milliseconds, no copy) into `<store>.before-load`, a
directory whose presence means "a load is under way or was interrupted: this is the committed state".

- The load commits by renaming that directory away (then deleting it), after the store is flushed.
- A writable open that finds it (the loading process is gone: the writer's lock was free) puts it back in place of
  the half-loaded store; a failed load does the same in its own process.
- A read-only open that finds it opens the checkpoint: readers see the old state until the commit.

Every step that changes which directory is the committed state, and every reader's choice of directory, happens
under an advisory lock (flock) on the store's parent directory, so no one sees a half-made switch.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from l4a.graph.errors import StoreError

log = logging.getLogger(__name__)


def before_load_dir(path: Path) -> Path:
    """Where the state before a bulk load is kept: present means the load has not committed."""
    return path.with_name(path.name + ".before-load")


def _partial_dir(path: Path) -> Path:
    # A checkpoint being made (its presence alone means nothing: it is only renamed into place once complete).
    return path.with_name(path.name + ".before-load.partial")


def _discarded_dir(path: Path) -> Path:
    # A state no longer needed (the old one after a commit, the half-loaded one after a rollback): deleted.
    return path.with_name(path.name + ".discarded")


@contextmanager
def switch_lock(path: Path, shared: bool = False) -> Iterator[None]:
    """Hold the lock that orders switches of the committed state against opens (shared: a reader's open)."""
    try:
        if not shared:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        if not shared:
            raise StoreError(f"cannot create the store in {path}; set L4A_DATA_DIR to a writable directory.") from None
        yield  # no directory, no store: nothing to order
        return
    except OSError as exc:
        raise StoreError(
            f"cannot create or open the store in {path}: {exc.strerror or exc}; "
            "set L4A_DATA_DIR to a writable directory."
        ) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def committed_dir(path: Path) -> Path:
    """The directory that holds the committed state: the checkpoint while a load runs or after it was
    interrupted, else the store itself. Call it under `switch_lock`."""
    kept = before_load_dir(path)
    return kept if kept.is_dir() else path


def _sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_leftovers(path: Path) -> None:
    """Delete a half-made checkpoint and discarded states left by a crash. Only the writer may call it."""
    for leftover in (_partial_dir(path), _discarded_dir(path)):
        if leftover.exists():
            log.info("removing %s, left by an interrupted load", leftover)
            shutil.rmtree(leftover)


def keep_state(store: ox.Store, path: Path) -> Path:
    """Checkpoint the open store (at `path`) before a bulk load; from now on a crash means the old state."""
    kept = before_load_dir(path)
    if kept.exists():
        raise StoreError(f"{kept} is left by a load that was neither committed nor rolled back; reopen the store.")
    remove_leftovers(path)
    partial = _partial_dir(path)
    partial.mkdir()
    store.backup(str(partial / "store"))
    with switch_lock(path):
        (partial / "store").rename(kept)
        _sync_dir(path.parent)
    partial.rmdir()
    return kept


def commit(store: ox.Store, path: Path) -> None:
    """Make the loaded state the committed one, then delete the old state."""
    store.flush()
    discarded = _discarded_dir(path)
    if discarded.exists():
        shutil.rmtree(discarded)
    with switch_lock(path):
        before_load_dir(path).rename(discarded)
        _sync_dir(path.parent)
    # A reader that opened the checkpoint keeps its open files (Linux frees them when they are closed).
    shutil.rmtree(discarded)


def restore_state(path: Path) -> bool:
    """Put the kept state back in place of the store, if there is one; the store must be closed and the caller
    must hold `switch_lock` (exclusive). True if it was restored. Safe to repeat after a crash part-way."""
    kept = before_load_dir(path)
    if not kept.is_dir():
        return False
    discarded = _discarded_dir(path)
    if path.exists():
        if discarded.exists():
            shutil.rmtree(discarded)
        path.rename(discarded)
    kept.rename(path)
    _sync_dir(path.parent)
    shutil.rmtree(discarded, ignore_errors=True)
    return True
