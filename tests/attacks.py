"""What the attack tests drive: `l4a serve` in production mode (secret key, write token, staff) under waitress in a
real process, and a decoy HTTP server on loopback that records every request it receives (it must receive none)."""

from __future__ import annotations

import hashlib
import http.server
import os
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .webapp import serve_process

WRITE_TOKEN = "attack-test-write-token-0123456789abcdef"
STAFF_TOKEN = "attack-test-staff-token-ana-0123456789"
SECRET_KEY = "k" * 48


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Served:
    """A running `l4a serve`: its base URL, process and log."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def production_env(data_dir: Path, port: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a production `l4a serve`: a secret key, a write token and one staff member (ana)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")}
    env |= {
        "L4A_DATA_DIR": str(data_dir),
        "L4A_CONFIG": str(data_dir / "absent.toml"),
        "L4A_SECRET_KEY": SECRET_KEY,
        "L4A_WRITE_TOKEN_SHA256": sha256(WRITE_TOKEN),
        "L4A_STAFF": f"ana:{sha256(STAFF_TOKEN)}",
        "L4A_PORT": str(port),
        "L4A_QUERY_TIMEOUT": "5",
    }
    return env | dict(extra or {})


@contextmanager
def production_server(data_dir: Path, seconds: float = 120, **extra: str) -> Iterator[Served]:
    """`l4a serve` (no --dev) on a free loopback port over `data_dir` (built on start if empty), stopped at the end."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = production_env(data_dir, port, extra)
    log = data_dir / f"serve-{port}.log"
    command = [sys.executable, "-m", "l4a.graph.cli", "serve"]
    base = f"http://127.0.0.1:{port}"
    with serve_process(command, env, log, base, seconds) as process:
        yield Served(base, process, log)


@dataclass
class Reply:
    """An HTTP answer: status, headers, body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def call(
    url: str,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    method: str | None = None,
    timeout: float = 60,
) -> Reply:
    """One request, its answer whatever the status (redirects are not followed)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}), method=method)
    try:
        with opener.open(request, timeout=timeout) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, dict(exc.headers), exc.read())


def form(values: Mapping[str, str]) -> bytes:
    return urllib.parse.urlencode(values).encode()


@dataclass
class Decoy:
    """An HTTP server on loopback that answers anything with a recognisable body and remembers what it got."""

    port: int
    received: list[str] = field(default_factory=list)
    body: bytes = b"DECOY-SECRET-BODY"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def decoy_server() -> Iterator[Decoy]:
    """A decoy on a free loopback port, for the length of the block."""
    decoy = Decoy(0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def _any(self) -> None:
            decoy.received.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(decoy.body)))
            self.end_headers()
            self.wfile.write(decoy.body)

        do_GET = do_POST = do_HEAD = _any

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    decoy.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield decoy
    finally:
        server.shutdown()
        server.server_close()


class Browser:
    """A client with cookies (a session), as a person's browser would be; redirects are not followed."""

    def __init__(self, base: str) -> None:
        import http.cookiejar
        import re

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self._re = re

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def open(self, path: str, data: bytes | None = None, headers: Mapping[str, str] | None = None) -> Reply:
        request = urllib.request.Request(self.base + path, data=data, headers=dict(headers or {}))
        try:
            with self.opener.open(request, timeout=60) as response:
                return Reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, dict(exc.headers), exc.read())

    def csrf(self, path: str) -> str:
        """The form's CSRF token on the page at `path` (the session cookie is kept)."""
        page = self.open(path).text
        found = self._re.search(r'name="csrf"(?: type="hidden")? value="([^"]+)"', page)
        assert found, page[:500]
        return found.group(1)

    def post_form(self, path: str, values: Mapping[str, str | list[str]], page: str | None = None) -> Reply:
        """The form at `page` (default: `path`) posted with its CSRF token."""
        fields = {**values, "csrf": self.csrf(page or path)}
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        return self.open(path, body, {"Content-Type": "application/x-www-form-urlencoded"})


def sparql_select(base: str, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT on the server's endpoint, each cell as its value."""
    import json

    reply = call(
        f"{base}/sparql?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    assert reply.status == 200, reply.text
    rows = json.loads(reply.body)["results"]["bindings"]
    return [{name: cell["value"] for name, cell in row.items()} for row in rows]


def sign_in_browser(served: Served) -> Browser:
    """A browser signed in as the staff member ana."""
    browser = Browser(served.base)
    reply = browser.post_form("/staff/sign-in?next=/staff", {"name": "ana", "token": STAFF_TOKEN})
    assert reply.status in (302, 303), reply.text[:300]
    return browser
