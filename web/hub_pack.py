"""Every hub's page and related-hubs list, made by `l4a prepare` after a write into one file kept beside the store
(graph/store/kept_files.py), so that a server started after the write answers a hub's first request by reading a
few kilobytes instead of rendering the page.

Rendering a hub page is about 15 ms on 10k hubs (its view, its related hubs, its template); a server's first minute
under load asked for hundreds of them at once and answered slowly until each had been rendered once. The pack holds
what the very same views answer: the HTML of `/hubs/<slug>` in the site's first language (a request with no query
string: no filter, no toggle) and the JSON of `/api/hubs/<slug>/related` with its default limit. It is kept for the
store's state and the day (a hub page shows whether its period has ended), so a write or a new day makes it unused
until the next preparation; meanwhile pages are rendered on demand as before.

The file, after the kept file's first line: each answer compressed with zlib, one after the other; then the index
(pickled: (kind, slug) -> (offset, length), offsets from the end of the first line); then the index's offset in 8
bytes. A server opens it once per state, day and language and reads one answer at a time (`os.pread`).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import struct
import threading
import weakref
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import quote

from flask import Flask, current_app, request

from l4a.graph.store.base import is_current
from l4a.graph.store.kept_files import keep, open_kept
from l4a.web.extensions import app_value

PAGE = "page"
RELATED = "related"
TRAILER = struct.Struct(">Q")
CHECK_EVERY = 64  # hubs between two looks at whether the store was written meanwhile
LEVEL = 6  # zlib: pages of 20 kB to about 4 kB; unpacking one takes a few hundredths of a millisecond


class Overtaken(Exception):
    """A write landed on the store while its pack was being written."""


def pack_name(lang: str) -> str:
    return f"hub pages\t{lang}"


def write_pack(app: Flask, slugs: Iterable[str], lang: str) -> int:
    """Ask `app` for every hub's page (in `lang`) and related list and keep them in the pack for the store's state
    and today; the number of answers written (0 when the pack was kept already, or the store keeps no files). An
    answer other than 200 is left out: its route answers it when asked."""
    client = app.test_client()
    kept = 0

    store = app.extensions["l4a_store"]

    def write(out: BinaryIO) -> None:
        nonlocal kept
        index: dict[tuple[str, str], tuple[int, int]] = {}
        offset = 0
        for number, slug in enumerate(slugs):
            if number % CHECK_EVERY == 0 and not is_current(store):  # a write landed: the pack would be of the past
                raise Overtaken

            named = quote(slug, safe="")  # the route gets `slug` back
            for kind, path in ((PAGE, f"/hubs/{named}"), (RELATED, f"/api/hubs/{named}/related")):
                answer = client.get(path, headers={"Accept-Language": lang})
                body = answer.get_data()
                answer.close()
                if answer.status_code != 200:
                    continue
                data = zlib.compress(body, LEVEL)
                out.write(data)
                index[(kind, slug)] = (offset, len(data))
                offset += len(data)
        out.write(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        out.write(TRAILER.pack(offset))
        kept = len(index)

    try:
        return kept if keep(store, pack_name(lang), write, variant=_today()) is not None else 0
    except Overtaken:  # nothing kept (the half-written file is removed); `l4a prepare` starts again on the new state
        return 0


@dataclass(frozen=True)
class Pack:
    """An open pack: its file (closed when the pack is dropped, never while a request still reads it), where its
    answers start, and its index."""

    stream: BinaryIO
    start: int
    index: dict[tuple[str, str], tuple[int, int]]

    def __post_init__(self) -> None:
        weakref.finalize(self, self.stream.close)

    def read(self, kind: str, slug: str) -> bytes | None:
        found = self.index.get((kind, slug))
        if found is None:
            return None
        offset, length = found
        data = os.pread(self.stream.fileno(), length, self.start + offset)
        return zlib.decompress(data) if len(data) == length else None


def _open_pack(stream: BinaryIO) -> Pack | None:
    """The pack in `stream` (opened past its first line), or None when it is not whole."""
    index: object = None
    try:
        start = stream.tell()
        end = os.fstat(stream.fileno()).st_size
        if end - start < TRAILER.size:
            raise ValueError("no index")
        (index_at,) = TRAILER.unpack(os.pread(stream.fileno(), TRAILER.size, end - TRAILER.size))
        raw = os.pread(stream.fileno(), end - TRAILER.size - start - index_at, start + index_at)
        index = pickle.loads(raw)  # our own file, checked against the store's state by its first line
    except Exception:  # a damaged file (unpickling garbage can raise almost anything): pages are rendered instead
        index = None
    if not isinstance(index, dict):
        stream.close()
        return None
    return Pack(stream, start, index)


class _Packs:
    """The app's open packs by language, for one app generation and day (a write or a new day opens them again)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.when: tuple[int, str] | None = None
        self.packs: dict[str, Pack | None] = {}


def packed(kind: str, slug: str, lang: str) -> bytes | None:
    """This request's answer from the pack (a hub's page in `lang`, or its related list), when the request has no
    query string and a pack is kept for the store's state, today and `lang`; else None."""
    if request.query_string:
        return None
    pack = open_pack(current_app, lang)
    try:
        return pack.read(kind, slug) if pack is not None else None
    except (OSError, zlib.error):
        return None


def open_pack(app: Flask, lang: str) -> Pack | None:
    """The app's open pack in `lang` for its generation and today (its index read once: a few tenths of a second
    at 100k hubs, which the server's warm-up spends before the port opens); None when none is kept."""
    packs = app_value(app, "l4a_hub_packs", _Packs, _Packs)
    when = (int(app.extensions["l4a_cache_generation"]), _today())
    with packs.lock:
        if packs.when != when:
            packs.when, packs.packs = when, {}
        if lang not in packs.packs:
            stream = open_kept(app.extensions["l4a_store"], pack_name(lang), variant=when[1])
            packs.packs[lang] = _open_pack(stream) if stream is not None else None
        return packs.packs[lang]


def _today() -> str:
    return dt.date.today().isoformat()
