"""Rendered HTML of the busiest pages (a hub's page) and the related-hubs API's JSON, kept in a bounded
least-recently-used cache until the app writes: rendering a hub page's template is most of its cost (about 3.5 ms
of 4.6 ms on 10k hubs), and under load the server's threads share one interpreter lock.

A page is kept per path, query string, language and day (the monitoring statuses depend on today), its JSON twin
apart; never an error, or an answer made while the app was writing (the generation count of web/__init__.py).
One bigger than a memory entry may be (MAX_PAGE: the JSON of a whole list at 100k hubs) is kept as a file instead
(web/download_files.py), and a big answer is handed to the WSGI server's file wrapper rather than copied through
its buffers (`send_bytes`, `send_file_rest`).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from flask import Flask, Response, current_app, g, request, stream_with_context
from flask.typing import ResponseReturnValue

from l4a.graph.store.kept_files import keep, open_kept
from l4a.web.compressed import accepts_gzip, big_enough, encoded, kept_twin, open_twin, twin_soon, worth_twin
from l4a.web.download_files import CHUNK, download_files, read_chunks, send_bytes, send_file_rest
from l4a.web.extensions import app_value
from l4a.web.hub_pack import PAGE
from l4a.web.hub_pack import packed as packed_answer
from l4a.web.i18n import chosen_language
from l4a.web.lru import SizedLRU
from l4a.web.render import wants_json

MAX_PAGES = 2000  # most pages are about 20 kB each
MAX_BYTES = 128 * 2**20  # all pages together (a brief of 10k hubs is a few MB; a page over MAX_PAGE is not kept)
MAX_PAGE = 16 * 2**20


class PageCache(SizedLRU[str | bytes]):
    """The rendered pages (text) and downloads (the bytes sent), bounded in count and in characters or bytes."""

    def __init__(self, size: int = MAX_PAGES, max_bytes: int = MAX_BYTES, max_page: int = MAX_PAGE) -> None:
        super().__init__(size, max_bytes, len, max_page)

    @property
    def max_page(self) -> int:
        """The largest page kept (a bigger one is only streamed)."""
        return self.max_entry

    @property
    def kept_bytes(self) -> int:
        """The characters of all pages kept."""
        return self.kept_size


def page_cache(app: Flask) -> PageCache:
    return app_value(app, "l4a_pages", PageCache, PageCache)


def cached_page(
    render: Callable[[], ResponseReturnValue], beside_store: bool | str = False, packed: str | None = None
) -> ResponseReturnValue:
    """The page for this request from the cache, else rendered (and kept if it has status 200, is HTML or JSON, and
    was made with no write since). The JSON twin of a page is kept apart from its HTML.

    `beside_store`: a page of the whole store (the hub list, the evidence, a brief, the network) asked with nothing
    but a language: also kept beside the store for its state and the day (graph/store/kept_files.py), so that a
    server started later (after `l4a prepare`, which asks for them) sends it at once. A string: the page's one
    path, when several lead to it (an edition's brief by year, number or name).

    `packed`: the hub whose page this is, read from the pack `l4a prepare` made (web/hub_pack.py) when it holds it."""
    app = current_app
    as_json = wants_json()
    key = f"{request.path}?{request.query_string.decode('latin-1')}|{chosen_language()}|{dt.date.today()}"
    key += "|json" if as_json else ""
    pages = page_cache(app)
    cached = pages.get(key)
    found: str | BinaryIO | None = cached.decode() if isinstance(cached, bytes) else cached
    mimetype = "application/json" if as_json else "text/html"
    kept_as = _beside_store_name(as_json, beside_store) if beside_store else None
    big = kept_as is not None and (cached is None or worth_twin(len(cached)))  # (characters: at least as many bytes)
    if big and kept_as is not None:  # its gzip twin, if kept, to a client that takes it (web/compressed.py)
        twin = kept_twin(app.extensions["l4a_store"], kept_as, dt.date.today().isoformat())
        if twin is not None:
            return encoded(send_file_rest(twin, mimetype), gzip=True), 200
    if found is None:  # one too big for memory, kept as a file until the app writes
        found = download_files(app).open(key, app.extensions["l4a_cache_generation"])
    if found is None and packed is not None and not as_json:
        found = _from_pack(app, key, PAGE, packed)
    name = kept_as if found is None else None
    if name is not None:
        found = _open_beside_store(app, name, pages.max_page)
        if isinstance(found, str):
            pages.put(key, found)
            if worth_twin(len(found)) and accepts_gzip():  # kept without its twin (by older code): made now
                _twin_soon(app.extensions["l4a_store"], name, dt.date.today().isoformat())
        elif found is not None:  # too big to keep in memory: sent from its file, or from its gzip twin
            found, gzip = _twin_instead(found, name, dt.date.today().isoformat())
            return encoded(send_file_rest(found, mimetype), gzip), 200
    if isinstance(found, str):
        response = send_bytes(found.encode(), mimetype)
        return (encoded(response, gzip=False) if big else response), 200
    if found is not None:  # too big to keep in memory: sent from its file
        return send_file_rest(found, mimetype), 200
    generation = app.extensions["l4a_cache_generation"]
    answer = render()
    if isinstance(answer, tuple) and len(answer) == 2 and answer[1] == 200:
        body = answer[0]
        if isinstance(body, Response) and as_json and body.mimetype == "application/json":
            body = body.get_data(as_text=True)
        if isinstance(body, str) and app.extensions["l4a_cache_generation"] == generation:  # no write meanwhile
            if len(body) > pages.max_page:  # (characters: at least as many bytes)
                _keep_as_file(app, key, body.encode(), generation)
            else:
                pages.put(key, body)
            if name is not None:
                _keep_beside_store(app, name, body)
    return answer


def _from_pack(app: Flask, key: str, kind: str, slug: str) -> str | None:
    """The answer kept in the hub pack (web/hub_pack.py), also kept in memory from now on; None if not there."""
    generation = app.extensions["l4a_cache_generation"]
    # A page is packed in the site's first language; a related list is the same in every language.
    lang = chosen_language() if kind == PAGE else app.config["L4A_SETTINGS"].languages[0]
    found = packed_answer(kind, slug, lang)
    if found is None:
        return None
    text = found.decode()
    if app.extensions["l4a_cache_generation"] == generation:
        page_cache(app).put(key, text)
    return text


def _keep_as_file(app: Flask, key: str, data: bytes, generation: int) -> None:
    """Keep a page too big for memory as a file until the app writes (web/download_files.py)."""
    files = download_files(app)
    path, stream = files.spool()
    try:
        with stream:
            stream.write(data)
    except OSError:  # a full disk: the page is made again next time
        path.unlink(missing_ok=True)
        return
    files.keep(key, path, generation)


def kept_text(
    key: str, make: Callable[[], str], beside_store: bool | str = False, packed: tuple[str, str] | None = None
) -> str:
    """A text answer (e.g. JSON) kept under `key` until the app writes (not kept if it wrote meanwhile);
    `beside_store` as for cached_page; `packed`: (kind, hub) of the answer in the hub pack (web/hub_pack.py)."""
    found = _kept_text(key, make, beside_store, None, packed)
    assert isinstance(found, str)
    return found


def kept_response(key: str, make: Callable[[], str], mimetype: str, beside_store: bool | str = False) -> Response:
    """kept_text's answer as a response: one too big to keep in memory sent from the file kept beside the store,
    a big one by the WSGI server's file wrapper (web/download_files.py)."""
    found = _kept_text(key, make, beside_store, page_cache(current_app).max_page)
    if isinstance(found, str):
        return send_bytes(found.encode(), mimetype)
    return send_file_rest(found, mimetype)


def _kept_text(
    key: str,
    make: Callable[[], str],
    beside_store: bool | str,
    largest: int | None,
    packed: tuple[str, str] | None = None,
) -> str | BinaryIO:
    """The text of `key`: kept in memory, in the hub pack, kept beside the store (the open file, when it holds more
    than `largest` bytes), or made now (and kept)."""
    app = current_app
    pages = page_cache(app)
    found = pages.get(key)
    if isinstance(found, bytes):  # not under a text's key; read as text all the same
        return found.decode()
    if found is not None:
        return found
    if packed is not None and (from_pack := _from_pack(app, key, *packed)) is not None:
        return from_pack
    name = _beside_store_name(False, beside_store) if beside_store else None
    if name is not None:
        kept = _open_beside_store(app, name, largest)
        if isinstance(kept, str):
            pages.put(key, kept)
        if kept is not None:
            return kept
    generation = app.extensions["l4a_cache_generation"]
    made = make()
    if app.extensions["l4a_cache_generation"] == generation:
        pages.put(key, made)
        if name is not None:
            _keep_beside_store(app, name, made)
    return made


def _beside_store_name(as_json: bool, path: bool | str) -> str | None:
    """The name a page is kept under beside the store; `path` its one path, if given."""
    shown = path if isinstance(path, str) else request.path
    return _bounded_name("page", shown + ("\tjson" if as_json else ""), {"lang"})


def _bounded_name(kind: str, what: str, allowed: set[str]) -> str | None:
    """A name to keep an answer under beside the store, only for a request with nothing but `allowed` parameters
    in its query (a language, a format), so that requests cannot make names without end."""
    if set(request.args) - allowed:
        return None
    return f"{kind}\t{what}\t{chosen_language()}"


def _open_beside_store(app: Flask, name: str, largest: int | None) -> str | BinaryIO | None:
    """The text kept beside the store under `name` for today; the open file (at the text) when it holds more than
    `largest` bytes."""
    stream = open_kept(app.extensions["l4a_store"], name, variant=dt.date.today().isoformat())
    if stream is None:
        return None
    try:
        if largest is not None and os.fstat(stream.fileno()).st_size - stream.tell() > largest:
            return stream
        with stream:
            return stream.read().decode()
    except (OSError, UnicodeDecodeError):
        stream.close()
        return None


def _keep_beside_store(app: Flask, name: str, text: str) -> None:
    data = text.encode()
    store, today = app.extensions["l4a_store"], dt.date.today().isoformat()
    if keep(store, name, lambda out: _write_bytes(data, out), variant=today) and worth_twin(len(data)):
        _twin_soon(store, name, today)  # worth a gzip twin (web/compressed.py)


def _twin_soon(store: object, name: str, variant: str) -> None:
    """Make the gzip twin of the file just kept beside the store as `name` (web/compressed.py)."""
    twin_soon(store, name, lambda: open_kept(store, name, variant=variant), variant)


def remember_generation() -> None:
    """Note the app's write count as the request starts (a `before_request` hook): a download is sent after its
    view returned, from rows the view read, so whether it may be kept is judged against this count, not the one
    when its first piece goes out (a write in between would make old rows look current)."""
    g.l4a_generation = current_app.extensions["l4a_cache_generation"]


def request_generation() -> int:
    """The app's write count when this request started (now, for a request without the hook)."""
    found = g.get("l4a_generation")
    return int(found) if found is not None else int(current_app.extensions["l4a_cache_generation"])


def kept_stream(key: str, pieces: Callable[[], Iterator[str]], whole: str | None = None) -> Iterator[bytes]:
    """A download sent in pieces as it is made, and kept whole under `key` until the app writes (unless the app
    wrote meanwhile): later requests get it at once. One bigger than a page's share is kept as a file instead
    (web/download_files.py) and read back from it. Sent as UTF-8. Run it inside `stream_with_context`.

    `whole`: the name of a download of a whole list (no filter: a few, `whole_download`), also kept beside the
    store for its state (graph/store/kept_files.py), so that a server started later sends it at once: `l4a prepare`
    makes them after a write (web/prepare_pages.py)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    pages = page_cache(app)
    generation = request_generation()  # the rows `pieces` makes were read after this count
    found = _kept_download(app, key, whole)
    if isinstance(found, bytes):
        yield found
        return
    if found is not None:
        yield from read_chunks(found)
        return
    files = download_files(app)
    store = app.extensions["l4a_store"]
    parts: list[bytes] = []
    size = 0
    spooled: tuple[Path, BinaryIO] | None = None
    try:
        for piece in pieces():
            data = piece.encode()
            size += len(data)
            if spooled is None and size > pages.max_page:  # too big to keep in memory: on disk from here on
                spooled = files.spool()
                spooled[1].write(b"".join(parts))
                parts = []
            if spooled is not None:
                spooled[1].write(data)
            else:
                parts.append(data)
            yield data
    except BaseException:  # the client went away, or making it failed: nothing is kept
        if spooled is not None:
            try:
                spooled[1].close()
            finally:
                spooled[0].unlink(missing_ok=True)
        raise
    unchanged = app.extensions["l4a_cache_generation"] == generation
    if spooled is None:
        if unchanged:
            text = b"".join(parts)
            pages.put(key, text)
            if whole and keep(store, whole, lambda out: _write_bytes(text, out)):
                _twin_soon(store, whole, "")
        return
    spooled[1].close()
    if not unchanged:
        spooled[0].unlink(missing_ok=True)
        return
    made = spooled[0]
    if whole and keep(store, whole, lambda out: _copy_file(made, out)):
        _twin_soon(store, whole, "")
    files.keep(key, made, generation)


def kept_download(key: str, pieces: Callable[[], Iterator[str]], mimetype: str, whole: str | None = None) -> Response:
    """A download's response: a kept one sent at once (from memory, or from its file by the WSGI server's file
    wrapper: web/download_files.py `send_file_rest`), else streamed as it is made and kept (`kept_stream`)."""
    if whole is not None and (twin := kept_twin(current_app.extensions["l4a_store"], whole)) is not None:
        return encoded(send_file_rest(twin, mimetype), gzip=True)
    found = _kept_download(current_app, key, whole)
    if whole is not None and found is not None and not isinstance(found, bytes):
        found, gzip = _twin_instead(found, whole, "")
        if gzip:
            return encoded(send_file_rest(found, mimetype), gzip=True)
    if isinstance(found, bytes):
        response = send_bytes(found, mimetype)
    elif found is not None:
        response = send_file_rest(found, mimetype)
    else:
        response = Response(stream_with_context(kept_stream(key, pieces, whole)), mimetype=mimetype)
    return encoded(response, gzip=False) if whole is not None else response


def _twin_instead(plain: BinaryIO, name: str, variant: str) -> tuple[BinaryIO, bool]:
    """The gzip twin of the file kept beside the store as `name` instead of `plain` (closed then), when the client
    takes one and `plain` is big enough to have one (web/compressed.py); else `plain`. Whether it is the twin."""
    if not big_enough(plain):
        return plain, False
    store = current_app.extensions["l4a_store"]
    twin = open_twin(store, name, lambda: open_kept(store, name, variant=variant), variant)
    if twin is None:
        return plain, False
    plain.close()
    return twin, True


def _kept_download(app: Flask, key: str, whole: str | None) -> bytes | BinaryIO | None:
    """The download of `key` as kept: its bytes (in memory), an open file (too big for memory; or kept beside the
    store as `whole`), or None."""
    found = page_cache(app).get(key)  # a kept download is always of the current state (every write empties the cache)
    if found is not None:
        return found if isinstance(found, bytes) else found.encode()  # kept as the bytes sent: not encoded again
    on_disk = download_files(app).open(key, app.extensions["l4a_cache_generation"])
    if on_disk is not None:
        return on_disk
    return open_kept(app.extensions["l4a_store"], whole) if whole else None


def _write_bytes(text: bytes, out: BinaryIO) -> None:
    out.write(text)


def _copy_file(path: Path, out: BinaryIO) -> None:
    with path.open("rb") as stream:
        shutil.copyfileobj(stream, out, CHUNK)


def whole_download(kind: str) -> str | None:
    """The name a download is kept under beside the store (kept_stream's `whole`): only for a request with nothing
    but a language (and a format) in its query."""
    return _bounded_name("download", kind, {"lang", "format"})


def download_key(kind: str) -> str:
    """The key of this request's download: path, query string, language."""
    return f"{kind}:{request.path}?{request.query_string.decode('latin-1')}|{chosen_language()}"


View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


def kept(view: View) -> View:
    """A page view whose answers (HTML and JSON) are kept once made (cached_page): for pages that list many hubs.
    Asked with nothing but a language, they are kept beside the store too (`l4a prepare` asks for every goal, target,
    council and manifesto): a server started later sends them from disk, without reading the whole-store values
    under them (at 100k hubs, hundreds of MB and a second or two for a goal's or a target's first request)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        return cached_page(lambda: view(*args, **kwargs), beside_store=True)

    return wrapper  # type: ignore[return-value]
