"""Proposal submission is rate-limited per client: above `proposal_rate` a minute, 429 with Retry-After; other
clients and the other pages are not affected."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from l4a.web.ratelimit import TokenBuckets

from .webapp import served, web_app


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


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(tmp_path: Path) -> None:
    def codes(proxy_hops: int) -> list[int]:
        with web_app(tmp_path / str(proxy_hops), proposal_rate=1, proxy_hops=proxy_hops) as made:
            client = made.test_client()
            return [
                client.post("/staff/sign-in", data={}, headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
                for n in (1, 2, 1)
            ]

    # Trusted: 198.51.100.2 is another client; 198.51.100.1's second try is over its limit.
    assert codes(1) == [400, 400, 429]
    # Not trusted (no proxy configured): the header is ignored, everyone is the connection's address.
    assert codes(0) == [400, 429, 429]


def test_under_l4a_serve_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(tmp_path: Path) -> None:
    """The same through waitress (a real `l4a serve`): it must hand the proxy's headers to the app, not drop them."""

    def codes(hops: int) -> list[int]:
        env = {"L4A_PROXY_HOPS": str(hops), "L4A_PROPOSAL_RATE": "1"}
        with served(tmp_path / f"serve-{hops}", extra_env=env) as base:
            found = []
            for n in (1, 2, 1):
                request = urllib.request.Request(f"{base}/staff/sign-in", data=b"", method="POST",
                                                 headers={"X-Forwarded-For": f"198.51.100.{n}"})  # fmt: skip
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        found.append(answer.status)
                except urllib.error.HTTPError as error:
                    found.append(error.code)
            return found

    assert codes(1) == [400, 400, 429]
    assert codes(0) == [400, 429, 429]
