"""Big outputs (the export) kept on disk per state of the store, like the derived values, and copied out.

`l4a export` of 10k hubs takes 2.6 s, most of it the engine turning its ids back into text; of 100k hubs, 24 s.
The text is the same until the next write, so it is written once per state, into `<data dir>/derived/<name>.kept`
(by `l4a prepare`, which a write starts, or by the first export after the write, as it writes its output), and
every later export of that state copies it (a tenth of a second for 100 MB).

A kept file starts with one line, `l4a-kept <digest>`, the digest of what the value depends on: the store's state
key, the code's digest, the value's name (graph/store/derived.py). The file is opened once and its first line
checked on that open file, so a file replaced meanwhile (by a newer state) is never read half old, half new. It is
written whole under a temporary name and renamed into place, under the same lock as a derived value: two processes
never write it at once, and the second one copies what the first one wrote. One file per name: the next state's
file replaces it. Anything that stops it from being kept (a full disk, a read-only folder) only means writing the
output straight from the store, as without it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from l4a.graph.store.derived import _computing, _file_name, kept_place

log = logging.getLogger(__name__)
MAGIC = b"l4a-kept "
COPY_CHUNK = 1 << 20
KERNEL_CHUNK = 1 << 30


def kept_output(store: object, name: str, write: Callable[[BinaryIO], None], out: BinaryIO) -> bool:
    """Write into `out` what `write(stream)` writes on `store`: a copy of the file kept for the store's state, or,
    when there is none, written into `out` and into the kept file at once. Stores without a state key get
    `write(out)`. Returns whether it was a copy."""
    where = _where(store, name)
    if where is None:
        write(out)
        return False
    path, tag = where
    if _copy(path, tag, out):
        return True
    with _computing(path, tag.decode()):
        if _copy(path, tag, out):
            return True
        _make(path, tag, write, out)  # written into `out` and kept at once
    return False


def keep(store: object, name: str, write: Callable[[BinaryIO], None], variant: str = "") -> Path | None:
    """Make sure the file of `name` is kept for the store's current state (`l4a prepare`); its path, or None when
    it cannot be kept. `variant` (a day) is part of what the file is for, not of its name: the next variant's file
    replaces it, as the next state's does."""
    where = _where(store, name, variant)
    if where is None:
        return None
    path, tag = where
    if _current(path, tag):
        return path
    with _computing(path, tag.decode()):
        if _current(path, tag) or _make(path, tag, write):
            return path
    return None


def open_kept(store: object, name: str, variant: str = "") -> BinaryIO | None:
    """The text kept for `name` (and `variant`: see `keep`) and the store's current state, opened just past its
    first line (close it); None when there is none."""
    where = _where(store, name, variant)
    return None if where is None else _open(*where)


def _where(store: object, name: str, variant: str = "") -> tuple[Path, bytes] | None:
    place = kept_place(store, name)
    if place is None:
        return None
    folder, header = place
    digest = hashlib.sha256(repr((*header, variant) if variant else header).encode()).hexdigest()
    return folder / Path(_file_name(name)).with_suffix(".kept").name, digest.encode()


def _open(path: Path, tag: bytes) -> BinaryIO | None:
    """The kept file opened just past its first line, when that line names `tag`; None otherwise."""
    try:
        stream = path.open("rb")
    except OSError:
        return None
    try:
        if stream.readline(200) == MAGIC + tag + b"\n":
            return stream
    except OSError:
        pass
    stream.close()
    return None


def _current(path: Path, tag: bytes) -> bool:
    stream = _open(path, tag)
    if stream is None:
        return False
    stream.close()
    return True


def _copy(path: Path, tag: bytes, out: BinaryIO) -> bool:
    """Copy the kept file's text into `out`; False when there is none for `tag` (then nothing was written)."""
    stream = _open(path, tag)
    if stream is None:
        return False
    with stream:
        _copy_rest(stream, out)  # an error writing `out` is the caller's, as with the store
    return True


class OutputError(OSError):
    """Writing the output failed during a copy by the kernel, which does not say which side failed: the side read
    is our own kept file, so it is taken to be the output (a full disk, a closed pipe)."""


def _copy_rest(stream: BinaryIO, out: BinaryIO) -> None:
    """The rest of `stream` into `out`: by the kernel when `out` is a file descriptor (copy_file_range into a file,
    sendfile into a pipe or anything else), 1 GB in about a second where Python's buffers took 4-7 s here; through
    Python's buffers when `out` is not one or the kernel cannot copy between the two."""
    try:
        target = out.fileno()
    except (AttributeError, OSError, ValueError):
        shutil.copyfileobj(stream, out, COPY_CHUNK)
        return
    out.flush()
    start = stream.tell()  # past the first line; the descriptor itself may have read further ahead
    source = stream.fileno()
    for copy in (_copy_file_range, _sendfile):
        os.lseek(source, start, os.SEEK_SET)
        try:
            if copy(source, target):
                return
        except OSError as exc:
            raise OutputError(exc.errno, exc.strerror) from exc
    stream.seek(start)
    shutil.copyfileobj(stream, out, COPY_CHUNK)


# Errors that mean "not between these two" when nothing was copied yet: try the next way.
CANNOT = {errno.EINVAL, errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF, errno.ESPIPE}


def _copy_file_range(source: int, target: int) -> bool:
    return _kernel_copy(lambda: os.copy_file_range(source, target, KERNEL_CHUNK))


def _sendfile(source: int, target: int) -> bool:
    return _kernel_copy(lambda: os.sendfile(target, source, None, KERNEL_CHUNK))


def _kernel_copy(step: Callable[[], int]) -> bool:
    """Repeat `step` (bytes copied, 0 at the end) to the end; False when its first call says the kernel cannot copy
    between the two (then nothing was copied)."""
    first = True
    while True:
        try:
            copied = step()
        except OSError as exc:
            if first and exc.errno in CANNOT:
                return False
            raise
        if not copied:
            return True
        first = False


def _make(path: Path, tag: bytes, write: Callable[[BinaryIO], None], out: BinaryIO | None = None) -> bool:
    """Write the file whole under a temporary name (and the same text into `out` at once, when given), then rename
    it into place. False when it cannot be kept (a full disk, a read-only folder): `out` still gets the whole text.
    A failure of `write` or of `out` is raised, as it would be without keeping."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".partial")
    except OSError as exc:
        log.info("%s not kept (%s)", path.name, exc)
        if out is not None:
            write(out)
        return False
    stream = os.fdopen(fd, "wb")
    try:
        tee = _Tee(stream, out)
        tee.keep(MAGIC + tag + b"\n")
        write(tee)  # type: ignore[arg-type]
        try:
            stream.close()
            if tee.failed is not None:
                raise tee.failed
            os.replace(temporary, path)
            return True
        except OSError as exc:
            log.info("%s not kept (%s)", path.name, exc)
            return False
    finally:
        with contextlib.suppress(OSError):
            stream.close()
        Path(temporary).unlink(missing_ok=True)


class _Tee:
    """Writes into `out` and into the kept file; a failure of the kept file only stops keeping it (`failed`)."""

    def __init__(self, kept: BinaryIO, out: BinaryIO | None) -> None:
        self.kept, self.out = kept, out
        self.failed: OSError | None = None

    def keep(self, data: bytes) -> None:
        if self.failed is None:
            try:
                self.kept.write(data)
            except OSError as exc:
                self.failed = exc

    def write(self, data: bytes) -> int:
        if self.out is not None:
            self.out.write(data)
        self.keep(data)
        return len(data)

    def flush(self) -> None:
        if self.out is not None:
            self.out.flush()
