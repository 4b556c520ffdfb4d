"""Several `l4a serve` processes on one SPARQL server (behind a load balancer): each announces its writes in the
store-generation graph (graph/store/generation.py) and, at most every CHECK_SECONDS, reads the others' and
refreshes what they changed: the hubs named (index, hub table, reports, pages), everything when none is named, and
the staff sessions ended elsewhere. Only with the remote store: the embedded store has one process.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, current_app

from l4a.graph.store.generation import ORIGIN, Change, changes
from l4a.web.announce import shared
from l4a.web.refresh import refresh_hubs
from l4a.web.sessions import revoke
from l4a.web.state import app_store, forget_caches

CHECK_SECONDS = 2.0


class Replica:
    """What this process has seen of the others' writes."""

    def __init__(self) -> None:
        self.seen: set[str] | None = None  # None: not read yet (what was there before the start is known)
        self.next_check = 0.0
        self.lock = threading.Lock()


def install(app: Flask) -> None:
    """Check for the other processes' writes before requests (at most every CHECK_SECONDS)."""
    if shared(app):
        app.extensions["l4a_replica"] = Replica()
        app.before_request(check_others)


def check_others() -> None:
    """Read the change records if it is time, and refresh what other processes changed."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    replica: Replica = app.extensions["l4a_replica"]
    if time.monotonic() < replica.next_check or not replica.lock.acquire(blocking=False):
        return
    try:
        replica.next_check = time.monotonic() + CHECK_SECONDS
        found = changes(app_store(app), app.config["L4A_SETTINGS"].base_iri)
        first = replica.seen is None
        new = [c for c in found if not first and c.iri not in (replica.seen or set()) and c.origin != ORIGIN]
        replica.seen = {c.iri for c in found}
        refresh(app, new)
    finally:
        replica.lock.release()


def refresh(app: Flask, new: list[Change]) -> None:
    """Apply other processes' changes to what this one keeps."""
    hubs: set[str] = set()
    everything = False
    for change in new:
        for sid in change.sessions:
            revoke(sid)
        hubs |= change.hubs
        everything = everything or change.everything
    if everything:
        forget_caches(app, announce=False)
    elif hubs:
        refresh_hubs(app, hubs, wait=True, announce=False)
