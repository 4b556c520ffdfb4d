"""Issue 15, "more than one machine": two `l4a serve` processes on one Oxigraph server (as behind a load
balancer). A proposal accepted through one shows on the other's hub page and related list within 5 s; a staff
session signed out on one no longer works on the other; a session signed in on one works on the other (one
shared secret key)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .attacks import WRITE_TOKEN, Browser, Served, call, production_server, sign_in_browser
from .conftest import SparqlServer, start_oxigraph
from .test_attacks_proposals import FORM

SLUG = "villaficta-replica-roofs"
OWN = {**FORM, "name": "Villaficta Replica Roofs", "lead_name": "Municipality of Villaficta",
       "lead_type": "local government", "lead_country": "AR"}  # fmt: skip


@pytest.fixture(scope="module")
def sparql_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    server = start_oxigraph(tmp_path_factory.mktemp("replicas-oxigraph"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, sparql_server: SparqlServer) -> Iterator[tuple[Served, Served]]:
    root = tmp_path_factory.mktemp("replicas")
    env = sparql_server.env()
    # The first builds the store on the server; the second starts once it has.
    with production_server(root / "a", **env) as first, production_server(root / "b", **env) as second:
        yield first, second


def eventually(check: object, seconds: float = 5.0) -> float:
    """Seconds until `check()` is true (AssertionError after `seconds`)."""
    began = time.monotonic()
    while True:
        if check():  # type: ignore[operator]
            return time.monotonic() - began
        if time.monotonic() - began > seconds:
            raise AssertionError(f"not seen within {seconds} s")
        time.sleep(0.2)


def test_an_accepted_proposal_shows_on_the_other_process_within_5_s(pair: tuple[Served, Served]) -> None:
    a, b = pair
    hub_page = f"{b.base}/hubs/{SLUG}"
    assert call(hub_page).status == 404
    related_before = call(f"{b.base}/api/hubs/bilbao-city-of-values/related")
    assert related_before.status == 200  # B's index is built and cached now
    assert Browser(a.base).post_form("/propose", OWN).status == 201
    accepted = call(f"{a.base}/staff/proposals/{SLUG}/accept", b"", {"Authorization": f"Bearer {WRITE_TOKEN}"})
    assert accepted.status == 303, accepted.text[:300]
    eventually(lambda: call(hub_page).status == 200)

    def related_on_b() -> bool:
        reply = call(f"{b.base}/api/hubs/{SLUG}/related")
        return reply.status == 200 and bool(json.loads(reply.body).get("related"))

    eventually(related_on_b)


def test_a_session_works_on_both_and_sign_out_ends_it_on_both(pair: tuple[Served, Served]) -> None:
    a, b = pair
    browser = sign_in_browser(a)
    saved = "; ".join(f"{c.name}={c.value}" for c in browser.jar)
    assert call(f"{b.base}/staff", headers={"Cookie": saved}).status == 200  # one shared secret key
    assert browser.post_form("/staff/sign-out", {}, page="/staff").status in (302, 303)
    eventually(lambda: call(f"{b.base}/staff", headers={"Cookie": saved, "Accept": "text/html"}).status != 200)


def test_an_l4a_command_writing_to_the_server_is_seen_by_the_web_processes(
    pair: tuple[Served, Served], sparql_server: SparqlServer, tmp_path: Path
) -> None:
    _a, b = pair
    slug = "villaficta-cli-import"
    hub = f"https://w3id.org/l4a/id/hub/{slug}"
    turtle = tmp_path / f"{slug}.ttl"
    turtle.write_text(
        f'<{hub}> a <https://w3id.org/l4a/ontology#Hub> ; <http://purl.org/dc/terms/title> "Villaficta CLI"@en .\n',
        encoding="utf-8",
    )
    assert call(f"{b.base}/hubs.json").status == 200  # B's hub table is cached now
    env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")} | sparql_server.env()
    env |= {"L4A_DATA_DIR": str(tmp_path / "cli"), "L4A_CONFIG": str(tmp_path / "absent.toml")}
    graph = f"https://w3id.org/l4a/graph/hub/{slug}"
    done = subprocess.run(
        [sys.executable, "-m", "l4a.graph.cli", "import", str(turtle), "--graph", graph],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    eventually(lambda: slug in call(f"{b.base}/hubs.json").text)
