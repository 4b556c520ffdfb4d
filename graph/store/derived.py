"""Results derived from the whole store, computed once per write and kept on disk for every process.

Reading the hub table, the synchronization index, the monitoring figures or the network's measures of 10k hubs
takes seconds; each `l4a` command is a new process and each `l4a serve` start an empty cache, so without this
every command and every first page paid those seconds again. `derived(store, name, compute)` keeps the value in
`<data dir>/derived/<name>.pickle` with the key of the state it was computed from, and gives it back to any
process that opens the store in the same state.

The key (`EmbeddedStore.state_key`) is a digest of the store's data files (the sorted tables and the non-empty
write-ahead logs, by name and size): any write, by `l4a` or by anything else, grows a log or adds a table, so a
value is never used for a state other than its own. Opening, reading and closing leave the key unchanged; a
compaction changes it (the value is computed again, once). The key of a read-only store is taken before its
snapshot opens, so a write that lands during the computation makes the value newer than its key, never older:
that key cannot come back, and the value is not used again.

Also part of the key: the value's name and a digest of the code that computes it (the package's Python and
SPARQL files, by path, size and time), so an upgrade never reads a value made by other code. Stores without a
state key (in memory, or a SPARQL server that other clients may write to) are not cached here.

The files are written whole to a temporary name and renamed into place, so a reader never sees half a value and
two processes computing at once both succeed (the last one stays). A process that needs a value another one is
computing for the same state waits for it under a file lock and reads it back (`_computing`). They are pickles:
the data directory is trusted like the store itself (whoever can write it can change the data). Any failure to
read or write the cache (a full disk, a read-only directory, a file from another version) only means computing the
value again.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import hashlib
import itertools
import logging
import os
import pickle
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar, runtime_checkable

log = logging.getLogger(__name__)
_memory: OrderedDict[tuple[object, ...], Any] = OrderedDict()
_weights: dict[tuple[object, ...], int] = {}
_memory_lock = threading.Lock()

T = TypeVar("T")
FORMAT = 1
FOLDER = "derived"
MEMORY_VALUES = 32  # shared values kept in a process
# And their weight: a cell (a term of a row, about 100 characters of text) takes 150-200 bytes in memory (a
# literal's tuple and string, the row's pointer): about 200 MB in all. (At 2M cells the named queries' answers
# alone took 440 MB of a 100k-hub server.)
MEMORY_CELLS = 1_000_000
TEXT_CELL = 100  # characters of a text weighed as one cell
MAX_FILES = 4000  # about 1,800 after `l4a prepare` at 100k hubs (a value per target, council, brief, language, part)
KEPT_AFTER_PRUNE = 3000
LOCK_WAIT = 1800.0  # seconds a process waits for another one computing the same value
LOCK_POLL = 0.02
SAMPLE = 16  # items of a value looked at to weigh it
SKIPPED = ("LOG", "OPTIONS", "MANIFEST", "CURRENT", "LOCK", "IDENTITY")  # rewritten by opening, not by writes


@runtime_checkable
class HasStateKey(Protocol):
    """A store that can say which state it is in (the embedded store)."""

    def state_key(self) -> str | None: ...

    def derived_dir(self) -> Path | None: ...


def files_key(directory: Path) -> str:
    """The digest of a RocksDB directory's data files (tables and non-empty logs, by name and size) and of the
    directory itself (a store replaced by another one is another directory)."""
    digest = hashlib.sha256()
    digest.update(f"{os.stat(directory).st_ino}\n".encode())
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if entry.name.startswith(SKIPPED) or not entry.is_file():
            continue
        size = entry.stat().st_size
        if size:
            digest.update(f"{entry.name}\t{size}\n".encode())
    return digest.hexdigest()


@functools.cache
def code_key() -> str:
    """A digest of the package's code, queries and shapes (path, size, modification time), once per process."""
    root = Path(__file__).resolve().parents[1]  # the l4a.graph package
    digest = hashlib.sha256(f"{FORMAT}".encode())
    for folder in (root, root.parent / "queries", root.parent / "shapes"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".rq", ".ttl"}:
                stat = path.stat()
                digest.update(f"{path.relative_to(folder)}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def kept_place(store: object, name: str) -> tuple[Path, tuple[object, ...]] | None:
    """Where the value `name` of the store's current state is kept, and the header that names that state and
    code; None for a store that keeps nothing (in memory, a SPARQL server)."""
    if not isinstance(store, HasStateKey):
        return None
    folder, key = store.derived_dir(), store.state_key()
    if folder is None or key is None:
        return None
    return folder, (FORMAT, code_key(), name, key)


def is_kept(store: object, name: str) -> bool:
    """Whether the value `name` is kept for the store's current state (in this process or on disk), without
    computing it."""
    place = kept_place(store, name)
    if place is None:
        return False
    folder, header = place
    with _memory_lock:
        if header in _memory:
            return True
    try:
        with (folder / _file_name(name)).open("rb") as stream:
            return bool(pickle.load(stream) == header)
    except Exception:
        return False


def _file_name(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80]
    return f"{safe}-{hashlib.sha256(name.encode()).hexdigest()[:12]}.pickle"


def derived(store: object, name: str, compute: Callable[[], T], shared: bool = False, memory_only: bool = False) -> T:
    """The value `compute()` gives on this store, from the disk when it was computed on the same state before.

    `shared`: also keep the last few such values in this process, and give every caller the same object (for
    values nobody changes, such as a query's rows: a page asking for them again need not read the disk).
    `memory_only`: keep it in this process only, as `shared` does, never on the disk (a value that is quicker to
    compute again than to write and read back, such as a named query's answer cut from a kept one)."""
    place = kept_place(store, name)
    if place is None:
        return compute()
    folder, header = place
    if shared or memory_only:
        with _memory_lock:
            if header in _memory:
                _memory.move_to_end(header)
                kept: T = _memory[header]
                return kept
        value = compute() if memory_only else _load_or_compute(folder / _file_name(name), header, compute)
        _remember(header, value)
        return value
    return _load_or_compute(folder / _file_name(name), header, compute)


def _remember(header: tuple[object, ...], value: object) -> None:
    """Keep a shared value in this process, within MEMORY_VALUES values and MEMORY_CELLS cells: the oldest used go
    first. One heavier than half the cells is not kept (at 100k hubs the deliverables due are 5M cells: a server
    that kept every value asked for would grow past its memory); it is read from the disk again when asked."""
    weight = cells(value)
    if weight > MEMORY_CELLS // 2:
        return
    with _memory_lock:
        _memory[header] = value
        _weights[header] = weight
        while len(_memory) > MEMORY_VALUES or sum(_weights.get(key, 1) for key in _memory) > MEMORY_CELLS:
            _memory.popitem(last=False)
        for gone in [key for key in _weights if key not in _memory]:
            del _weights[gone]


def cells(value: object, depth: int = 0) -> int:
    """About how many values `value` holds (a row of n terms: n; a table: its rows' sum; an object: what its
    attributes hold; a text: one per TEXT_CELL characters or bytes, so that a page or a description of megabytes
    weighs what it takes), from a sample of the first items of each collection: what bounds the values kept in
    memory."""
    if isinstance(value, (str, bytes, bytearray)):
        return max(1, len(value) // TEXT_CELL)
    if isinstance(value, dict):
        items: list[object] = list(itertools.islice(value.values(), SAMPLE))
        count = len(value)
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(itertools.islice(value, SAMPLE))
        count = len(value)
    elif hasattr(value, "__dict__") and not isinstance(value, type) and depth < 4:  # an object: what it holds
        return max(1, sum(cells(held, depth + 1) for held in vars(value).values()))
    elif hasattr(type(value), "__slots__") and depth < 4:  # an object with slots (a hub row): likewise
        held = (getattr(value, name, None) for name in getattr(type(value), "__slots__", ()))
        return max(1, sum(cells(item, depth + 1) for item in held))
    else:
        return 1
    if not items or depth >= 4:
        return max(count, 1)
    return max(1, count * sum(cells(item, depth + 1) for item in items) // len(items))


def _load_or_compute(path: Path, header: tuple[object, ...], compute: Callable[[], T]) -> T:
    found = _load(path, header)
    if found is not None:
        value: T = found[0]
        return value
    # One process computes a value for a state; another one that needs it meanwhile (a command run while
    # `l4a prepare` works in the background, two pages, two commands) waits for it and reads it back.
    with _computing(path, str(header[3])):
        found = _load(path, header)  # written meanwhile, by the one we waited for or one that just finished
        if found is not None:
            kept: T = found[0]
            return kept
        value = compute()
        _write(path, header, value)
    return value


def _load(path: Path, header: tuple[object, ...]) -> tuple[Any] | None:
    """The value kept in `path` for `header`, in a 1-tuple; None when there is none (or it cannot be read)."""
    try:
        with path.open("rb") as stream:
            if pickle.load(stream) == header:
                found = (_unpickle(stream),)
                with contextlib.suppress(OSError):  # read now: the last a prune removes (oldest used first)
                    os.utime(path)
                return found
    except FileNotFoundError:
        pass
    except Exception as exc:
        log.info("derived value %s not read from %s (%s): computing it again", header[2], path, exc)
    return None


@contextlib.contextmanager
def _computing(path: Path, key: str) -> Iterator[bool]:
    """Hold the lock of computing the value of `path` for the state `key` (a file lock: between processes and
    threads alike); yields whether it was free (else someone else computed it meanwhile: look again). Without a
    lock (a read-only directory), or after waiting LOCK_WAIT seconds, the value is simply computed here.

    The lock file is named by the state too, so a value for a newer state never waits for an older state's, and
    it is removed once the value is written: a late waiter then finds the value in place."""
    lock = path.with_name(f"{path.stem}.{hashlib.sha256(key.encode()).hexdigest()[:12]}.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield True
        return
    try:
        free, deadline = True, time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                free = False
                if time.monotonic() > deadline:
                    log.warning("%s was still being computed after %s s: computing it here too", path.stem, LOCK_WAIT)
                    break
                time.sleep(LOCK_POLL)
        try:
            yield free
        finally:
            with contextlib.suppress(OSError):
                os.unlink(lock)
    finally:
        os.close(fd)


def _unpickle(stream: BinaryIO) -> Any:
    """Read a pickle with the cyclic garbage collector paused: it would walk the new objects again and again while
    hundreds of thousands of them are made (a third of the time on 10k hubs), and they hold no cycles to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(stream)
    finally:
        if enabled:
            gc.enable()


def _prune(folder: Path) -> None:
    """Keep at most MAX_FILES values (named queries are kept per parameter value): the least recently written or read
    go first (a read touches its file), so the values read at every start (the hub table, the counts) stay."""
    stale = time.time() - 2 * LOCK_WAIT
    for lock in folder.glob("*.lock"):  # left by a process that was killed while it computed
        with contextlib.suppress(OSError):
            if lock.stat().st_mtime < stale:
                lock.unlink()
    files = list(folder.glob("*.pickle"))
    if len(files) <= MAX_FILES:
        return
    files.sort(key=lambda f: f.stat().st_mtime_ns)
    for old in files[: len(files) - KEPT_AFTER_PRUNE]:
        old.unlink(missing_ok=True)


def _write(path: Path, header: tuple[object, ...], value: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as stream:
                pickle.dump(header, stream, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
            _prune(path.parent)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
        log.info("derived value not kept in %s (%s)", path, exc)
