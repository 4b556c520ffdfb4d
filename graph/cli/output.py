"""Writing a command's output to the file named by `-o`: whole or not at all, and a device or pipe written through.

A plain file (new or existing) is written under a temporary name of its own in the same folder, flushed to disk,
given the mode of the file it replaces (or the usual mode of a new file), then renamed over it: a reader or a
crash never sees half an output, an existing backup stays whole until the new one is, and two commands writing
the same file at once each rename a whole file (the last one stays). A symbolic link is written through to its
target. A device or a pipe (`/dev/null`, a FIFO) is written in place, never replaced by a file of its name. A
folder that is missing or cannot be written gives an error that names the file and what to do, not a traceback.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from l4a.graph.errors import UsageError
from l4a.graph.store.kept_files import OutputError


def write_whole(output: Path, write: Callable[[BinaryIO], object]) -> None:
    """Run `write(stream)` into `output` as described above."""
    target = output.resolve() if output.is_symlink() else output
    try:
        if target.exists() and not target.is_file():
            with target.open("wb") as out:
                _write_into(output, out, write)
            return
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:
        raise _unwritable(output, exc) from exc
    partial = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            _write_into(output, out, write)
            out.flush()
            os.fsync(out.fileno())
        if target.exists():
            shutil.copymode(target, partial)
        else:
            mask = os.umask(0)
            os.umask(mask)
            partial.chmod(0o666 & ~mask)
        partial.replace(target)
    except OSError as exc:
        raise _unwritable(output, exc) from exc
    finally:
        partial.unlink(missing_ok=True)


def _write_into(output: Path, out: BinaryIO, write: Callable[[BinaryIO], object]) -> None:
    """`write(out)`; a failure to write `out` (a full disk), even when the writer reports it as its own (the store's
    dump does), is reported as the output's, naming it."""
    watched = _Watched(out)
    try:
        write(watched)  # type: ignore[arg-type]
    except Exception as exc:
        failed = watched.failed or _output_error(exc)
        if failed is not None:
            raise _unwritable(output, failed) from exc
        raise


class _Watched:
    """A stream that remembers its own write failure."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.failed: OSError | None = None

    def write(self, data: bytes) -> int:
        try:
            return self.stream.write(data)
        except OSError as exc:
            self.failed = exc
            raise

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        """The stream's descriptor: a kept export is copied into it by the kernel (graph/store/kept_files.py), which
        raises OutputError when the output fails."""
        return self.stream.fileno()


def write_text_whole(output: Path, text: str) -> None:
    """`text` as UTF-8 into `output`, whole or not at all."""
    write_whole(output, lambda out: out.write(text.encode("utf-8")))


def _output_error(exc: BaseException | None) -> OSError | None:
    """A failure of the output that the kernel reported during a copy (graph/store/kept_files.py), if one did."""
    while exc is not None:
        if isinstance(exc, OutputError):
            return exc
        exc = exc.__cause__
    return None


def _unwritable(output: Path, exc: OSError) -> UsageError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return UsageError(f"cannot write {output}: {reason}. Free some space there, or give -o a file on a disk "
                          "with room.")  # fmt: skip
    return UsageError(f"cannot write {output}: {reason}. Give -o a file in a folder that exists and that you can "
                      "write to.")  # fmt: skip
