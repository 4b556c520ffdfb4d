"""The background run of `l4a prepare` (graph/reports/prepare.py) that every command writing to the embedded store
starts when it is done, and the lock that keeps one run per data directory."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import click

from l4a.graph.errors import StoreError
from l4a.graph.reports.prepare import RESTARTED, Progress, Step, prepare_steps
from l4a.graph.settings import Settings
from l4a.graph.store.base import Store, is_current
from l4a.graph.store.derived import FOLDER
from l4a.graph.store.factory import open_store
from l4a.graph.store.same_data import data_key

LOCK = "prepare.lock"  # held by the one process preparing this data directory
LOG = "prepare.log"  # what the last background run did (or why it failed)
NICENESS = 19  # where SCHED_IDLE is not there: the background run gives way to the commands people run


@contextlib.contextmanager
def preparing(data_dir: Path, wait: bool) -> Iterator[bool]:
    """Hold the data directory's preparing lock; yields False (without it) when another process holds it and not
    `wait`."""
    folder = data_dir / FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(
            f"cannot write in {folder} ({exc.strerror or exc}): the prepared values are kept there; "
            "make the data directory writable for this user, or give another one with --data-dir."
        ) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def give_way() -> None:
    """Run only on a core nobody else wants (Linux's SCHED_IDLE, for the process and the threads it starts), else
    at the lowest priority a process can set itself: a command run while the background run works must not be slowed
    by it (with a nice value alone, a command run at once after a write on 2 cores took up to twice as long)."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        with contextlib.suppress(OSError):
            os.nice(NICENESS)
        return
    # Threads started before (the BLAS pool numpy starts on import) keep their policy: each is set too.
    with contextlib.suppress(OSError):
        for task in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError, ValueError):
                os.sched_setscheduler(int(task), os.SCHED_IDLE, os.sched_param(0))


def run_in_background(settings: Settings, extra: tuple[Step, ...] = ()) -> None:
    """The run after a write (with the `extra` steps: the site's pages): at low priority, its output in
    derived/prepare.log; nothing when another run holds the lock (that one starts again on the newest state
    itself). Once done, it looks again: a write that landed as the lock was let go found it taken and left its state
    to this run."""
    give_way()
    snapshots: list[Store] = []

    def open_snapshot() -> Store:
        snapshots.append(open_store(settings, read_only=True))
        return snapshots[-1]

    while True:
        with preparing(settings.data_dir, wait=False) as mine:
            if not mine:
                return
            with (settings.data_dir / FOLDER / LOG).open("w", encoding="utf-8") as log:
                os.dup2(log.fileno(), 2)  # tracebacks too
                done = prepare_steps(open_snapshot, is_current, settings.base_iri, _logger(log), extra)
                log.write(f"done: {len(done)} steps, {sum(d.seconds for d in done):.1f} s\n")
        if is_current(snapshots[-1]):  # the state prepared is still the store's (a closed snapshot knows its key)
            return
        snapshots.clear()


def _logger(log: TextIO) -> Progress:
    def write(name: str, seconds: float, error: Exception | None) -> None:
        outcome = "" if name == RESTARTED else f": failed: {error!r}" if error else f": {seconds:.2f} s"
        log.write(f"{name}{outcome}\n")
        log.flush()

    return write


def _key(store_path: Path) -> str | None:
    try:
        return data_key(store_path, store_path.parent / FOLDER)
    except OSError:
        return None


def after_write(ctx: click.Context, settings: Settings, before: str | None) -> None:
    """When a command wrote to the embedded store (its state key changed), start `l4a prepare --background`,
    detached: the command returns at once, and the values are ready for the next commands soon after."""
    if settings.store != "embedded" or settings.prepare_after_write != "background":
        return
    if _key(settings.store_path()) == before:
        return  # nothing was written
    config = ctx.find_root().params.get("config")
    command = [sys.executable, "-m", "l4a.graph.cli", "--data-dir", str(settings.data_dir.resolve())]
    command += ["--config", str(Path(config).resolve())] if config else []
    null = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    try:
        # Its own session: not stopped with the command's terminal; never waited for (init reaps it).
        argv = [*command, "prepare", "--background"]
        os.posix_spawn(sys.executable, argv, os.environ, file_actions=null, setsid=True)
    except OSError as exc:
        click.echo(f"Note: the values commands read were not prepared in the background ({exc}).", err=True)

