"""Shared fixtures: settings and stores in temporary directories, a built store, a CLI runner, and the three
backends (embedded Oxigraph, the Oxigraph server, Virtuoso) with the real servers they need."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from playwright.sync_api import Browser, Playwright, sync_playwright

from l4a.graph.build import build
from l4a.graph.cli.main import main
from l4a.graph.settings import Settings, load_settings
from l4a.graph.store.base import Store
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.factory import open_store
from l4a.graph.store.remote import SparqlStore

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True, scope="session")
def no_background_prepare() -> Iterator[None]:
    """A command that writes to the embedded store starts `l4a prepare` in the background (graph/cli/background.py).
    In the tests that do not look at it (tests/test_prepare.py does), those runs would only load the machine and
    outlive their temporary directories: off, for in-process commands and subprocesses alike."""
    before = os.environ.get("L4A_PREPARE_AFTER_WRITE")
    os.environ["L4A_PREPARE_AFTER_WRITE"] = "off"
    yield
    if before is None:
        os.environ.pop("L4A_PREPARE_AFTER_WRITE", None)
    else:
        os.environ["L4A_PREPARE_AFTER_WRITE"] = before


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data directory is a fresh temporary directory (no config file, no environment)."""
    return load_settings({"data_dir": tmp_path / "data"}, environ={}, config_file=tmp_path / "none.toml")


@pytest.fixture
def store(settings: Settings) -> Iterator[EmbeddedStore]:
    """An empty embedded store on disk."""
    opened = EmbeddedStore.open(settings.store_path())
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a store built once from the shipped data (tests must not write to it)."""
    data_dir = tmp_path_factory.mktemp("built")
    store = EmbeddedStore.open(data_dir / "store")
    build(store)
    store.close()
    return data_dir


@pytest.fixture
def built_store(built_dir: Path) -> Iterator[EmbeddedStore]:
    """The built store, opened read-only."""
    opened = EmbeddedStore.open(built_dir / "store", read_only=True)
    yield opened
    opened.close()


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., Result]:
    """Runs `l4a` in-process on a fresh data directory, with no config file."""
    data_dir = tmp_path / "data"

    def invoke(*args: str) -> Result:
        env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml")}
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


# --- Real SPARQL servers and the three backends ------------------------------------------------------------------
# The Oxigraph server (pip `oxigraph`) and Virtuoso (Debian `virtuoso-opensource`) run once per session on
# 127.0.0.1 with free ports and temporary directories; graphs are cleared between tests. A server that cannot
# start fails the tests that need it: it is never skipped.

BACKENDS = ("embedded", "oxigraph", "virtuoso")


def free_port() -> int:
    """A TCP port nothing listens on now, on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    """Poll a SPARQL endpoint with ASK {} until it answers; fail (never skip) if the server dies or is late."""
    query = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    deadline = time.monotonic() + seconds
    while True:
        try:
            request = urllib.request.Request(url, data=query, headers={"Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
                return
        except OSError as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = log.read_text(errors="replace")[-3000:] if log.exists() else ""
                pytest.fail(f"the SPARQL server at {url} did not start ({exc}); its output:\n{output}", pytrace=False)
            time.sleep(0.2)


@dataclass
class SparqlServer:
    """A running SPARQL server: its endpoints and its process."""

    name: str
    query_url: str
    update_url: str
    store_url: str
    process: subprocess.Popen[bytes]

    def env(self) -> dict[str, str]:
        """The L4A_* variables that make l4a use this server."""
        return {
            "L4A_STORE": "sparql",
            "L4A_SPARQL_QUERY_URL": self.query_url,
            "L4A_SPARQL_UPDATE_URL": self.update_url,
            "L4A_SPARQL_STORE_URL": self.store_url,
        }

    def stop(self) -> None:
        """Stop the server and wait for it (killed if it takes more than 30 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def die_with_pytest() -> None:
    """In the server's process: be stopped (SIGTERM) when pytest goes, even if pytest is killed."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def oxigraph_command() -> str:
    """The `oxigraph` server program installed with the test extras (next to this Python, or on PATH)."""
    found = shutil.which("oxigraph", path=os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")]))
    if not found:
        pytest.fail("the `oxigraph` server program is missing: python3 -m pip install '.[test]'", pytrace=False)
    return found


def start_oxigraph(directory: Path) -> SparqlServer:
    """An Oxigraph server on a free loopback port, storing in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = directory / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [oxigraph_command(), "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_pytest,
        )
    base = f"http://127.0.0.1:{port}"
    wait_until_answering(f"{base}/query", process, log, 30)
    return SparqlServer("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store", process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 20
ServerThreads = 20
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def start_virtuoso(directory: Path) -> SparqlServer:
    """A private Virtuoso with its own ini and database in `directory`, loopback ports, SPARQL update rights."""
    program, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not program or not isql:
        pytest.fail("Virtuoso is missing: apt-get install -y virtuoso-opensource", pytrace=False)
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
    log = directory / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [program, "+foreground", "+configfile", str(ini)],
            cwd=directory,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_pytest,
        )
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    wait_until_answering(endpoint, process, log, 90)
    # isql-vt exits 0 even when the statement fails: its output says.
    granted = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=grant SPARQL_UPDATE to "SPARQL";'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if granted.returncode != 0 or "*** Error" in granted.stdout + granted.stderr:
        process.kill()
        pytest.fail(f"could not grant SPARQL_UPDATE on Virtuoso:\n{granted.stdout}{granted.stderr}", pytrace=False)
    store_url = f"http://127.0.0.1:{http_port}/sparql-graph-crud"
    return SparqlServer("virtuoso", endpoint, endpoint, store_url, process)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    """An Oxigraph server for the whole session."""
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    """A Virtuoso server for the whole session."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@dataclass
class Backend:
    """One of the three stores the store, CLI and web tests run against."""

    name: str
    env: dict[str, str]

    def settings(self, data_dir: Path, **overrides: Any) -> Settings:
        """Settings for this backend with a data directory of its own."""
        return load_settings({"data_dir": data_dir, **overrides}, environ=self.env, config_file=data_dir / "none.toml")

    def open(self, data_dir: Path) -> Store:
        """The store, opened for writing."""
        return open_store(self.settings(data_dir))


def clear_server(server: SparqlServer) -> None:
    """Remove every graph l4a could have written (not the server's own graphs)."""
    backend = Backend(server.name, server.env())
    store = SparqlStore.open(backend.settings(Path("/nonexistent")))
    store.clear()


def make_backend(request: pytest.FixtureRequest, name: str) -> Backend:
    """The backend called `name`; a server is started on first use and cleared before each test."""
    if name == "embedded":
        return Backend("embedded", {})
    server: SparqlServer = request.getfixturevalue(f"{name}_server")
    if server.process.poll() is not None:
        pytest.fail(f"the {server.name} server has stopped (exit code {server.process.returncode}).", pytrace=False)
    clear_server(server)
    return Backend(name, server.env())


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn: embedded Oxigraph, the Oxigraph server, Virtuoso (servers cleared first)."""
    return make_backend(request, request.param)


@pytest.fixture(params=BACKENDS[1:])
def server_backend(request: pytest.FixtureRequest) -> Backend:
    """Each SPARQL server in turn: the Oxigraph server, Virtuoso (cleared first)."""
    return make_backend(request, request.param)


@pytest.fixture
def server_store(server_backend: Backend, tmp_path: Path) -> Iterator[Store]:
    """An empty store on each SPARQL server."""
    opened = server_backend.open(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def backend_store(backend: Backend, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each backend."""
    opened = backend.open(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def private_oxigraph(tmp_path: Path) -> Iterator[SparqlServer]:
    """An Oxigraph server of the test's own, which the test may stop."""
    server = start_oxigraph(tmp_path / "private-oxigraph")
    yield server
    server.stop()


# --- The browser (tests/test_browser.py, tests/test_browser_front.py) ----------------------------------------------
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless; a browser that cannot start fails the tests."""
    try:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
    except Exception as exc:  # the browser is missing or broken: fail, never skip
        pytest.fail(f"Chromium ({CHROMIUM}) did not start: {exc}\nInstall it: apt-get install -y chromium",
                    pytrace=False)  # fmt: skip
    yield launched
    launched.close()


