"""50 proposals submitted through the web form at the same time (each client with its own session and CSRF token):
all stored, none lost or merged; several proposals of the same name sent together get distinct ids, each revision 1."""

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
SAME = 10  # proposals of the same name, sent at the same time by different people


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
        # ten people sending the same name at once: ten proposals, none a revision of another person's
        shared = [r for r in revisions(store, DEFAULT_BASE) if r.id.startswith("shared-hub")]
        assert sorted(r.id for r in shared) == sorted(["shared-hub"] + [f"shared-hub-{n}" for n in range(2, SAME + 1)])
        assert {r.number for r in shared} == {1}
        assert len(revisions(store, DEFAULT_BASE)) == DISTINCT + SAME
