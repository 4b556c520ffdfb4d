"""Proposal submission is rate-limited per client: above `proposal_rate` a minute, 429 with Retry-After; other
clients and the other pages are not affected."""

from __future__ import annotations

from pathlib import Path

from l4a.web.ratelimit import TokenBuckets

from .webapp import web_app


def test_a_bucket_allows_a_burst_then_refills() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate=1 / 6, capacity=3, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == 6.0  # one token comes back every 6 s
    assert buckets.take("b") == 0.0  # another client has its own bucket
    now[0] = 6.0
    assert buckets.take("a") == 0.0 and buckets.take("a") > 0


def test_too_many_submissions_get_429_with_retry_after(tmp_path: Path) -> None:
    with web_app(tmp_path, proposal_rate=2) as app:
        client = app.test_client()
        for _ in range(2):  # refused by CSRF (400), but counted
            assert client.post("/propose", data={"csrf": "x"}).status_code == 400
        limited = client.post("/propose", data={"csrf": "x"}, headers={"Accept": "text/html"})
        assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 30
        assert "Too many requests" in limited.get_data(as_text=True)
        assert client.get("/propose").status_code == 200  # reading the form is not limited
        other = app.test_client()
        answer = other.post("/propose", data={"csrf": "x"}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert answer.status_code == 400  # another client is not limited
        json_answer = client.post("/propose", data={"csrf": "x"}, headers={"Accept": "application/json"})
        assert json_answer.status_code == 429 and json_answer.get_json()["status"] == 429
