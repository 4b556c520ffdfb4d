"""The web app on a store in a test's directory: built from the shipped data if empty, no config, no environment."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Flask

from l4a.graph.settings import load_settings
from l4a.web.app import create_app


def make_app(data_dir: Path, **overrides: Any) -> Flask:
    """An app for tests; settings overrides as keyword arguments (e.g. row_cap=5)."""
    settings = load_settings({"data_dir": data_dir, **overrides}, environ={}, config_file=data_dir / "none.toml")
    return create_app({"TESTING": True}, settings=settings, build_if_empty=True)


def prepared_app(data_dir: Path) -> Flask:
    """An app on a data directory `l4a prepare` made ready (no build), whose pages wait for any value still being
    computed rather than answer "being prepared"."""
    settings = load_settings({"data_dir": data_dir}, environ={}, config_file=data_dir / "absent.toml")
    return create_app(settings=settings, test_config={"L4A_PREPARE_SECONDS": None})


@contextmanager
def web_app(data_dir: Path, **overrides: Any) -> Iterator[Flask]:
    """make_app, with the store closed at the end."""
    made = make_app(data_dir, **overrides)
    try:
        yield made
    finally:
        made.extensions["l4a_store"].close()


@contextmanager
def served(data_dir: Path, seconds: float = 120, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`l4a serve --dev` on a free loopback port over `data_dir` (built on start if empty); yields its base URL.

    A real process, stopped at the end: a waitress server run in a thread of the test process cannot be stopped
    without racing its own loop (`server.close()` from another thread made the loop fail on a closed socket).
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {
        **os.environ,
        "L4A_DATA_DIR": str(data_dir),
        "L4A_CONFIG": str(data_dir / "absent.toml"),
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "l4a.graph.cli", "serve", "--dev", "--port", str(port)]
    log = data_dir / "serve.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{port}"
    with serve_process(command, env, log, base, seconds):
        yield base


@contextmanager
def serve_process(
    command: list[str], env: dict[str, str], log: Path, base: str, seconds: float
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `l4a serve` (its output into `log`), wait until `base` answers /api/stats, and stop it at the end."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/stats", timeout=5) as response:
                    response.read()
                    break
            except OSError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"l4a serve did not answer ({exc}):\n{log.read_text(errors='replace')}"
                    ) from exc
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def synth_quads(n: int, seed: int = 2) -> list[ox.Quad]:
    """The quads of `n` synthetic hubs written by the project's own generator (bench/synth.py)."""
    spec = importlib.util.spec_from_file_location("synth", Path(__file__).parents[1] / "bench" / "synth.py")
    assert spec and spec.loader
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    return list(ox.parse("".join(synth.generate(n, seed=seed)), format=ox.RdfFormat.N_QUADS))
