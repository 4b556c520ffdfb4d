"""Downloads too big to keep in memory (the hub list's CSV and JSON, the evidence CSV at 100k hubs: tens of MB),
kept as files until the app writes, so that the next request reads a file instead of making the text again.

Each app has its own folder under the system's temporary directory, removed when the process ends. A download is
written to a file while it is streamed the first time and kept only if it was sent whole with no write meanwhile
(the generation count of web/__init__.py). Files are bounded in total size; the least recently used go first.
A file dropped while another request still reads it stays readable to that request (an open file outlives its
name). Nothing here holds a download's text in memory.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Flask, Response, current_app, request

from l4a.web.extensions import app_value
from l4a.web.preparing import sent_later

MAX_BYTES = 2 * 2**30  # every kept download together, on disk
CHUNK = 2**20  # read back a MB at a time
SMALL = 2**18  # a body up to this size is sent as it is


@dataclass(frozen=True)
class KeptFile:
    path: Path
    size: int
    generation: int


class DownloadFiles:
    """Kept downloads by key: a file each, with the app generation they were made in."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="l4a-downloads-"))
        self.max_bytes = max_bytes
        self._files: OrderedDict[str, KeptFile] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.folder, True)

    def open(self, key: str, generation: int) -> BinaryIO | None:
        """The kept download of `key` opened for reading, if it was made in this `generation` (else it is dropped)."""
        with self._lock:
            found = self._files.get(key)
            if found is None:
                return None
            if found.generation != generation:
                self._drop(key)
                return None
            self._files.move_to_end(key)
        try:
            return found.path.open("rb")
        except OSError:  # dropped meanwhile by another request: made again
            return None

    def spool(self) -> tuple[Path, BinaryIO]:
        """A new file to write a download into while it is sent."""
        handle, name = tempfile.mkstemp(dir=self.folder, suffix=".part")
        return Path(name), os.fdopen(handle, "wb")

    def keep(self, key: str, path: Path, generation: int) -> None:
        """Keep the file written at `path` as the download of `key` (or remove it, if it is too big to keep)."""
        size = path.stat().st_size
        with self._lock:
            self._drop(key)
            for stale in [k for k, f in self._files.items() if f.generation != generation]:
                self._drop(stale)  # made before a write: never served again
            if size > self.max_bytes:
                path.unlink(missing_ok=True)
                return
            self._files[key] = KeptFile(path, size, generation)
            self._size += size
            while self._size > self.max_bytes:
                self._drop(next(iter(self._files)))

    def _drop(self, key: str) -> None:  # with the lock held
        found = self._files.pop(key, None)
        if found is not None:
            self._size -= found.size
            found.path.unlink(missing_ok=True)

    def __len__(self) -> int:
        return len(self._files)


def download_files(app: Flask) -> DownloadFiles:
    return app_value(app, "l4a_download_files", DownloadFiles, DownloadFiles)  # one folder, made once


def read_chunks(stream: BinaryIO) -> Iterator[bytes]:
    """A kept file's bytes a MB at a time, the file closed at the end (or when the client goes away)."""
    with stream:
        while chunk := stream.read(CHUNK):
            yield chunk


def send_file_rest(stream: BinaryIO, mimetype: str) -> Response:
    """A response sending the rest of an open file (closed at the end), with its length known up front: handed to
    the WSGI server's file wrapper when it has one (waitress sends it from the file itself, rather than copying
    each piece into its own buffers, which spill to a temporary file past a MB), else read a MB at a time."""
    size = os.fstat(stream.fileno()).st_size - stream.tell()
    if request.environ.get("wsgi.file_wrapper") is None:
        response = Response(read_chunks(stream), mimetype=mimetype, direct_passthrough=True)
        response.content_length = size
        return response
    return _wrapped(stream, size, mimetype)


def send_bytes(data: bytes, mimetype: str) -> Response:
    """A response sending `data`; one of more than SMALL bytes by the WSGI server's file wrapper when it has one
    (waitress copies a body from an app's iterator into its own buffers, which spill to a temporary file past a MB:
    a kept 14 MB brief took 0.15-0.3 s to send that way)."""
    if request.environ.get("wsgi.file_wrapper") is None or len(data) <= SMALL:
        return Response(data, mimetype=mimetype)
    return _wrapped(io.BytesIO(data), len(data), mimetype)


def _wrapped(stream: BinaryIO, size: int, mimetype: str) -> Response:
    """`stream`'s `size` bytes sent by the server's file wrapper, the request running until it closes the file."""
    body = request.environ["wsgi.file_wrapper"](sent_later(current_app, stream), CHUNK)
    response = Response(body, mimetype=mimetype, direct_passthrough=True)
    response.content_length = size
    return response
