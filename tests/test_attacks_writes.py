"""Issue 15, "writes must not be a lever" and item 12: an anonymous submission touches no published cache; accept
refreshes only the hub it changes (no whole-store index rebuild or validation); caches keyed by request are
bounded; the warm-up after a web write runs in the app's context instead of failing outside it."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.shacl.validation import Validator as ShapesValidator
from l4a.graph.sync.index import SyncIndex
from l4a.web import state
from l4a.web.state import app_hub_table, app_index, app_labels, cached, ready_reports

from .test_attacks_proposals import FORM
from .webapp import web_app

OWN_FORM = {
    **FORM,
    "name": "Villaficta Lever Test",
    "lead_name": "Municipality of Villaficta",
    "lead_type": "local government",
    "lead_country": "AR",
}
HUB = "https://w3id.org/l4a/id/hub/villaficta-lever-test"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    with web_app(tmp_path / "data", write_token="t" * 40) as made:
        yield made


def csrf(client: FlaskClient) -> str:
    found = re.search(r'name="csrf"(?: type="hidden")? value="([^"]+)"', client.get("/propose").get_data(as_text=True))
    assert found
    return found.group(1)


def warm(app: Flask) -> None:
    """What the start-up warm-up computes, computed now."""
    app_labels(app)
    app_index(app)
    app_hub_table(app)
    from l4a.graph.shacl.validation import owners, shipped_validator
    from l4a.web.state import _reports_by_hub, app_store

    cached(app, "reports:en", lambda: _reports_by_hub(app_store(app), "en", shipped_validator(), owners))


def test_a_submission_touches_no_published_cache(app: Flask) -> None:
    warm(app)
    before = dict(app.extensions["l4a_cache"])
    generation = app.extensions["l4a_cache_generation"]
    client = app.test_client()
    reply = client.post("/propose", data={**OWN_FORM, "csrf": csrf(client)})
    assert reply.status_code == 201, reply.get_data(as_text=True)[:500]
    assert app.extensions["l4a_cache_generation"] == generation
    for key in ("labels", "index", "hub_table", "reports:en"):
        assert app.extensions["l4a_cache"][key] is before[key], f"{key} was thrown away by a submission"


def test_accept_refreshes_only_its_hub(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    warm(app)
    client = app.test_client()
    assert client.post("/propose", data={**OWN_FORM, "csrf": csrf(client)}).status_code == 201
    rebuilt: list[str] = []
    original_from_store = SyncIndex.from_store.__func__  # type: ignore[attr-defined]
    original_validate = ShapesValidator.validate_store

    def from_store(cls: type[SyncIndex], *args: object, **kwargs: object) -> SyncIndex:
        rebuilt.append("index")
        return original_from_store(cls, *args, **kwargs)  # type: ignore[no-any-return]

    def validate_store(self: ShapesValidator, *args: object, **kwargs: object) -> object:
        rebuilt.append("validation")
        return original_validate(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SyncIndex, "from_store", classmethod(from_store))
    monkeypatch.setattr(ShapesValidator, "validate_store", validate_store)
    reply = client.post(
        "/staff/proposals/villaficta-lever-test/accept", headers={"Authorization": "Bearer " + "t" * 40}
    )
    assert reply.status_code == 303, reply.get_data(as_text=True)[:500]
    deadline = time.monotonic() + 30
    while "index" not in app.extensions["l4a_cache"] and time.monotonic() < deadline:
        time.sleep(0.05)
    index = app.extensions["l4a_cache"]["index"]
    assert HUB in index.hubs, "the accepted hub is in the refreshed index"
    assert app_hub_table(app).get(HUB) is not None
    reports = ready_reports(app, "en")
    assert reports is not None
    assert rebuilt == [], "accept re-read or re-validated the whole store"


def test_caches_keyed_by_request_are_bounded(app: Flask) -> None:
    bound = getattr(state, "MAX_CACHED", 2048)
    for n in range(bound + 500):
        cached(app, f"gaps:https://example.org/{n}", lambda n=n: n)
    assert len(app.extensions["l4a_cache"]) <= bound


def test_the_warm_up_after_a_web_write_runs_in_the_apps_context(tmp_path: Path) -> None:
    with web_app(tmp_path / "data", write_token="t" * 40) as app:
        app.config["L4A_WARM"] = True
        errors: list[BaseException] = []
        original = threading.excepthook
        threading.excepthook = lambda args: errors.append(args.exc_value)  # type: ignore[assignment]
        try:
            reply = app.test_client().post(
                "/sparql/update",
                data="INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
                headers={"Authorization": "Bearer " + "t" * 40, "Content-Type": "application/sparql-update"},
            )
            assert reply.status_code == 204, reply.get_data(as_text=True)
            for thread in threading.enumerate():
                if thread.name == "l4a-warm-reports":
                    thread.join(120)
        finally:
            threading.excepthook = original
        assert errors == []
        assert "labels" in app.extensions["l4a_cache"]
