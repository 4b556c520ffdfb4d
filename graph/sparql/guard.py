"""Clients' SPARQL text read where it can do no harm: in a worker process with no network and a memory limit,
within the query's time limit, killed when it overruns and replaced when it crashes. The server's own threads never
parse a client's text, so no text can hold a lock other requests need or bring the server process down.

The worker checks the text (sparql_check: escapes expanded once, SERVICE and LOAD refused) and then tries it on an
empty in-memory Oxigraph store in a thread with a smaller stack than the one the server runs it on: a text that
would overflow the store parser's stack (60,000 terms joined by +) crashes the worker, not the server, and is
refused with a message. A query in which no reader could find SERVICE (the word appears nowhere) and whose words
are all SPARQL 1.1's is read by that store and a lexer alone, without rdflib's slow parser
(graph/sparql/store_read.py).
"""

from __future__ import annotations

import atexit
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pyoxigraph as ox

from l4a.graph.errors import QueryLimitError, UsageError
from l4a.graph.sparql.check import (
    CACHED_CHARS,
    CACHED_TEXTS,
    QUERY_MAX_CHARS,
    UPDATE_MAX_CHARS,
    CheckedQuery,
    SparqlRefused,
    check_query,
    check_update,
    precheck_query,
)
from l4a.graph.sparql.store_read import needs_parser, read_with_store
from l4a.graph.store.workers import QueryWorkers, default_size

TRIAL_STACK = 4 << 20  # the stack a text is tried with in the worker
RUN_STACK = 32 << 20  # the stack a checked update runs with in the server: well above what passed the trial

T = TypeVar("T")


def with_stack(action: Callable[[], T], size: int) -> T:
    """`action()` run in a thread with a stack of `size` bytes (its exception raised here)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(("ok", action()))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(("error", exc))

    with _STACK_LOCK:  # threading.stack_size is process-wide: set it only for this thread
        threading.stack_size(size)
        try:
            thread = threading.Thread(target=run, name="l4a-sparql-text", daemon=True)
            thread.start()
        finally:
            threading.stack_size(0)
    thread.join()
    kind, value = outcome[0]
    if kind == "error":
        raise value
    result: T = value
    return result


_STACK_LOCK = threading.Lock()


def _try_on_empty_store(text: str, update: bool) -> str | None:
    """Parse (and run, on nothing) the text with Oxigraph; a syntax error it finds is a refusal, other errors
    (a graph that does not exist in the empty store) are the real store's business. What a query answered:
    "solutions", "boolean" or "triples" (None for an update, or when running it on nothing failed)."""

    def attempt() -> str | None:
        store = ox.Store()
        if update:
            store.update(text)
            return None
        result = store.query(text, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            return "boolean"
        for _ in result:
            pass
        return "solutions" if isinstance(result, ox.QuerySolutions) else "triples"

    try:
        return with_stack(attempt, TRIAL_STACK)
    except SyntaxError as exc:
        raise SparqlRefused("malformed", "the text is not valid SPARQL 1.1 for the store:", str(exc)) from exc
    except (OSError, RuntimeError, ValueError):
        return None


def _read_by_store(text: str) -> CheckedQuery | None:
    """The query checked by the store's parser and the lexer alone (graph/sparql/store_read.py), when that is
    enough; None when rdflib's parser must read it (then it decides, and says why it refuses)."""
    query = precheck_query(text)  # missing, too long, a wrong escape: refused as before
    if needs_parser(query):
        return None
    try:
        read = _try_on_empty_store(query, update=False)
    except SparqlRefused:
        return None  # rdflib's parser says what is wrong, in its words
    return read_with_store(query, read)


@dataclass(frozen=True)
class Check:
    """A task for a query worker: check a client's query or update, then try it; what comes back is the checked
    query, ("update", text) or ("refused", reason, message, detail)."""

    text: str
    update: bool

    def run(self) -> object:
        try:
            if self.update:
                text = check_update(self.text)
                _try_on_empty_store(text, update=True)
                return ("update", text)
            quick = _read_by_store(self.text)
            if quick is not None:
                return quick
            query = check_query(self.text)
            _try_on_empty_store(query.text, update=False)
            return query
        except SparqlRefused as exc:
            message = str(exc)
            if exc.detail and message.endswith(exc.detail):
                message = message[: -len(exc.detail)].strip()
            return ("refused", exc.reason, message, exc.detail)


_POOL: QueryWorkers | None = None
_POOL_LOCK = threading.Lock()
_CHECKED: OrderedDict[str, CheckedQuery] = OrderedDict()


def checkers() -> QueryWorkers:
    """This process's workers for checking client text (started on first use, stopped at exit)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = QueryWorkers(None, default_size(), preload=__name__)
            atexit.register(_POOL.close)
        return _POOL


def _ask(check: Check, timeout: float) -> object:
    what = "update" if check.update else "query"
    try:
        return checkers().run(check, timeout)  # type: ignore[arg-type]
    except QueryLimitError as exc:
        if exc.limit != "time":
            raise
        raise SparqlRefused(
            "too-complex", f"the {what} is too complex to read:", f"it took longer than the time limit ({timeout:g} s)."
        ) from None
    except UsageError as exc:  # the worker crashed on it (see QueryWorkers.run)
        raise SparqlRefused("too-complex", f"the {what} is too complex to read:", str(exc)) from None


def _outcome(found: object) -> object:
    if isinstance(found, tuple) and found and found[0] == "refused":
        raise SparqlRefused(found[1], found[2], found[3])
    return found


def guarded_query(text: str | None, timeout: float) -> CheckedQuery:
    """The client's query checked in a worker (SparqlRefused saying why not); successes on short texts are kept."""
    if text is None or not text.strip() or len(text) > QUERY_MAX_CHARS:
        check_query(text)  # raises: missing or too long, refused before any worker reads it
    assert text is not None
    short = len(text) <= CACHED_CHARS
    if short:
        with _POOL_LOCK:
            known = _CHECKED.get(text)
            if known is not None:
                _CHECKED.move_to_end(text)
                return known
    found = _outcome(_ask(Check(text, update=False), timeout))
    assert isinstance(found, CheckedQuery)
    if short:
        with _POOL_LOCK:
            _CHECKED[text] = found
            while len(_CHECKED) > CACHED_TEXTS:
                _CHECKED.popitem(last=False)
    return found


def guarded_update(text: str | None, timeout: float) -> str:
    """The client's update checked and tried in a worker: the text to run, or SparqlRefused saying why not."""
    if text is None or not text.strip() or len(text) > UPDATE_MAX_CHARS:
        check_update(text)  # raises: missing or too long
    found = _outcome(_ask(Check(text or "", update=True), timeout))
    assert isinstance(found, tuple) and found[0] == "update"
    checked: str = found[1]
    return checked
