"""50 proposals submitted through the web form at the same time (each client with its own session and CSRF token):
all stored, none lost or merged; several revisions of one hub sent together get distinct revision numbers."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask

from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.proposals.lifecycle import proposal, revisions

from .test_web_propose import VALID
from .webapp import web_app

DISTINCT = 40
SAME = 10  # revisions of one hub, sent at the same time


def submit(app: Flask, name: str) -> int:
    client = app.test_client()
    page = client.get("/propose").get_data(as_text=True)
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return client.post("/propose", data={**VALID, "name": name, "csrf": found.group(1)}).status_code


def test_50_concurrent_submissions_are_all_stored(tmp_path: Path) -> None:
    with web_app(tmp_path, proposal_rate=1000) as app:
        names = [f"Concurrent Hub {i:02d}" for i in range(DISTINCT)] + ["Shared Hub"] * SAME
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(lambda name: submit(app, name), names))
        assert statuses == [201] * len(names)
        store = app.extensions["l4a_store"]
        for i in range(DISTINCT):
            stored = proposal(store, f"concurrent-hub-{i:02d}", DEFAULT_BASE)
            assert stored.status == "submitted" and stored.number == 1
        shared = [r for r in revisions(store, DEFAULT_BASE) if r.id == "shared-hub"]
        assert sorted(r.number for r in shared) == list(range(1, SAME + 1))
        assert len(revisions(store, DEFAULT_BASE)) == DISTINCT + SAME
