"""`l4a prepare` and its background run after a write: the next commands find what they read ready, and a value
being computed by one process is waited for by the others, never computed twice."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import Result

from l4a.graph.cli import background
from l4a.graph.cli.serve import site_steps
from l4a.graph.errors import ConfigError
from l4a.graph.reports import prepare
from l4a.graph.reports.brief import COUNCILS
from l4a.graph.reports.brief_vcs import read_editions
from l4a.graph.settings import load_settings
from l4a.graph.store import derived as derived_module
from l4a.graph.store.derived import derived
from l4a.graph.store.embedded import EmbeddedStore


def _every_step() -> list[str]:
    """The names of the steps `l4a prepare` runs, in order: the commands' values, the site's pages, the export."""
    settings = load_settings({}, environ={}, config_file=Path("/nonexistent/l4a.toml"))
    return [s.name for s in (*prepare.STEPS, *site_steps(settings), prepare.EXPORT)]


def _slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _commands(data_dir: Path) -> list[list[str]]:
    """Every command that reads the whole store, with its defaults (one brief per council and edition)."""
    store = EmbeddedStore.open(data_dir / "store", read_only=True)
    try:
        councils = sorted({row["council"].value for row in store.select(COUNCILS)})
        editions = sorted(read_editions(store))
    finally:
        store.close()
    assert councils and editions
    return [
        ["stats"], ["hubs"], ["communities"], ["network"], ["monitor", "status"], ["monitor", "links"],
        ["validate"], ["evidence"],
        *(["brief", "--council", _slug(c)] for c in councils),
        *(["brief", "--vcs", e] for e in editions),
        ["brief", "--council", _slug(councils[-1]), "--lang", "fr"], ["brief", "--vcs", editions[-1], "--lang", "es"],
    ]  # fmt: skip


def _written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the derived values computed (and kept) from now on."""
    names: list[str] = []
    original = derived_module._write

    def counting(path: Path, header: tuple[object, ...], value: object) -> None:
        names.append(str(header[2]))
        original(path, header, value)

    monkeypatch.setattr(derived_module, "_write", counting)
    return names


def test_after_prepare_no_command_computes_what_it_reads(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("build", "--with-examples", "--quiet").exit_code == 0
    done = cli("prepare")
    assert done.exit_code == 0, done.output
    for name in _every_step():
        assert f"{name}: " in done.stderr
    assert f"Prepared {len(_every_step())} of {len(_every_step())}" in done.stderr
    written = _written(monkeypatch)
    for command in _commands(tmp_path / "data"):
        result = cli(*command)
        assert result.exit_code in (0, 1), (command, result.output)  # validate: 1 when a hub does not conform
        assert written == [], f"`l4a {' '.join(command)}` computed {written} after `l4a prepare`"


def test_a_write_prepares_in_the_background(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {**os.environ, "L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(tmp_path / "absent.toml"),
           "L4A_PREPARE_AFTER_WRITE": "background"}  # fmt: skip
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "l4a.graph.cli", "build", "--quiet"], env=env, check=True, timeout=300)
    log = data_dir / "derived" / "prepare.log"
    while time.monotonic() - started < 300:
        if log.is_file() and "done:" in log.read_text(encoding="utf-8") and _lock_free(data_dir):
            break
        time.sleep(0.2)
    text = log.read_text(encoding="utf-8")
    assert "done:" in text, text
    assert "failed" not in text, text
    for name in _every_step():
        assert f"{name}: " in text
    # What the background run prepared is what a command reads: `l4a stats` computes nothing.
    store = EmbeddedStore.open(data_dir / "store", read_only=True)
    try:
        from l4a.graph.stats import store_stats

        assert derived(store, "stats", _never)
        assert store_stats(store)["hubs"] >= 1
    finally:
        store.close()


def _never() -> Any:
    raise AssertionError("computed again: it should have been prepared")


def _lock_free(data_dir: Path) -> bool:
    fd = os.open(data_dir / "derived" / background.LOCK, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_only_a_command_that_wrote_starts_the_background_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(background.os, "posix_spawn", lambda path, argv, env, **kw: started.append(argv) or 1)
    store = EmbeddedStore.open(tmp_path / "data" / "store")
    before = store.state_key()
    store.close()
    ctx = click.Context(click.Command("x"))
    on = load_settings({"data_dir": tmp_path / "data"}, environ={}, config_file=tmp_path / "none.toml")
    background.after_write(ctx, on, before)
    assert started == []  # opened and closed: nothing written
    store = EmbeddedStore.open(tmp_path / "data" / "store")
    store.update("INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }")
    store.close()
    off = load_settings({"data_dir": tmp_path / "data"}, environ={"L4A_PREPARE_AFTER_WRITE": "off"},
                        config_file=tmp_path / "none.toml")  # fmt: skip
    background.after_write(ctx, off, before)
    assert started == []  # written, but the setting is off
    background.after_write(ctx, on, before)
    assert len(started) == 1
    argv = started[0]
    assert argv[argv.index("--data-dir") + 1] == str((tmp_path / "data").resolve())
    assert argv[-2:] == ["prepare", "--background"]


def test_the_setting_takes_background_or_off() -> None:
    with pytest.raises(ConfigError, match=r"prepare_after_write.*'sometimes'.*background, off"):
        load_settings({}, environ={"L4A_PREPARE_AFTER_WRITE": "sometimes"}, config_file=Path("/nonexistent.toml"))


def test_two_threads_needing_one_value_compute_it_once(tmp_path: Path) -> None:
    store = EmbeddedStore.open(tmp_path / "store")
    calls: list[int] = []
    results: list[object] = []

    def compute() -> list[int]:
        calls.append(1)
        time.sleep(0.5)
        return [42]

    def need() -> None:
        results.append(derived(store, "slow", compute))

    try:
        threads = [threading.Thread(target=need) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        store.close()
    assert calls == [1]
    assert results == [[42], [42], [42]]
    assert list((tmp_path / "derived").glob("*.lock")) == []  # no lock file is left behind


def test_a_process_waits_for_the_value_another_process_is_computing(tmp_path: Path) -> None:
    EmbeddedStore.open(tmp_path / "store").close()
    started = tmp_path / "started"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from l4a.graph.store.derived import derived
        from l4a.graph.store.embedded import EmbeddedStore
        store = EmbeddedStore.open(Path({str(tmp_path / "store")!r}), read_only=True)
        def compute():
            Path({str(started)!r}).touch()
            time.sleep(2)
            return "from the other process"
        print(derived(store, "slow", compute))
    """)
    other = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert time.monotonic() < deadline and other.poll() is None, "the other process did not start computing"
            time.sleep(0.02)
        store = EmbeddedStore.open(tmp_path / "store", read_only=True)
        try:
            assert derived(store, "slow", lambda: "computed here") == "from the other process"
        finally:
            store.close()
        assert other.communicate(timeout=60)[0].strip() == "from the other process"
    finally:
        other.kill()


def test_a_newer_state_does_not_wait_for_an_older_one(tmp_path: Path) -> None:
    """The lock is per value and state: after a write, the value of the new state is computed at once even while
    a process still computes the old state's."""
    store = EmbeddedStore.open(tmp_path / "store")
    try:
        older = derived_module._file_name("slow")
        folder = tmp_path / "derived"
        with derived_module._computing(folder / older, "old-state") as first:
            assert first
            store.update("INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }")
            begun = time.monotonic()
            assert derived(store, "slow", lambda: "new") == "new"
            assert time.monotonic() - begun < derived_module.LOCK_WAIT
    finally:
        store.close()


def test_prepare_starts_again_when_the_store_is_written_meanwhile(built_dir: Path) -> None:
    opened: list[EmbeddedStore] = []
    checks = {"n": 0}

    def open_snapshot() -> EmbeddedStore:
        opened.append(EmbeddedStore.open(built_dir / "store", read_only=True))
        return opened[-1]

    def is_current(store: object) -> bool:
        checks["n"] += 1
        return checks["n"] != 3  # a write lands before the third step of the first snapshot

    said: list[str] = []
    done = prepare.prepare_steps(open_snapshot, is_current, "https://w3id.org/l4a/", lambda n, s, e: said.append(n))
    assert len(opened) == 2  # started again on a new snapshot
    assert said[:3] == [prepare.STEPS[0].name, prepare.STEPS[1].name, prepare.RESTARTED]
    assert [d.name for d in done] == [*(s.name for s in prepare.STEPS), prepare.EXPORT.name]  # all, on the last state
    assert all(d.error is None for d in done)


def test_a_snapshot_knows_when_a_write_landed(tmp_path: Path) -> None:
    writable = EmbeddedStore.open(tmp_path / "store")
    writable.update("INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }")
    snapshot = EmbeddedStore.open(tmp_path / "store", read_only=True)
    try:
        assert snapshot.is_current()
        writable.update("INSERT DATA { <https://example.org/a> <https://example.org/b> 2 }")
        assert not snapshot.is_current()
    finally:
        snapshot.close()
        writable.close()


def test_a_failing_step_is_named_and_the_others_are_done(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("build", "--quiet").exit_code == 0

    def broken(store: object, base: str) -> object:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(prepare, "STEPS", (prepare.Step("broken one", broken), *prepare.STEPS[:2]))
    result = cli("prepare")
    assert result.exit_code == 2
    assert "broken one: failed: disk on fire" in result.stderr
    assert "these could not be prepared (their commands will say why): broken one." in result.stderr
    assert f"{prepare.STEPS[2].name}: " in result.stderr  # the others were done


def test_prepare_refuses_a_sparql_store(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("L4A_STORE", "sparql")
    monkeypatch.setenv("L4A_SPARQL_QUERY_URL", "http://127.0.0.1:9/query")
    result = cli("prepare")
    assert result.exit_code == 2
    assert "prepare works on the embedded store" in result.stderr


def test_a_derived_folder_that_cannot_be_written_is_an_error_that_says_where(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    assert cli("build", "--quiet").exit_code == 0
    derived_dir = tmp_path / "data" / "derived"
    if derived_dir.is_dir():
        for kept in derived_dir.iterdir():
            kept.unlink()
        derived_dir.rmdir()
    derived_dir.write_text("not a folder")  # as root too (which may write in any folder)
    result = cli("prepare")
    assert result.exit_code == 2
    assert f"cannot write in {derived_dir}" in result.stderr
    assert "--data-dir" in result.stderr
    assert "Traceback" not in result.output
    assert cli("stats").exit_code == 0  # commands still work: they compute what they cannot keep


def test_the_background_run_takes_only_idle_cores() -> None:
    """Every thread of the background run, the BLAS pool numpy started on import included, runs only when no other
    process wants the core: a command run at once after a write is not slowed by it."""
    script = (
        "import os, numpy\n"
        "from l4a.graph.cli.background import give_way\n"
        "give_way()\n"
        "print(sorted({os.sched_getscheduler(int(t)) for t in os.listdir('/proc/self/task')}))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert found.stdout.strip() == str([os.SCHED_IDLE])


def test_a_write_that_lands_as_a_run_ends_is_prepared_by_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write whose own background run found the lock still held (the run about to end) is not left unprepared:
    the run looks at the store once more after letting the lock go, and starts again."""
    data = tmp_path / "data"
    store = EmbeddedStore.open(data / "store")
    store.update("INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }")
    store.close()
    settings = load_settings({"data_dir": data}, environ={}, config_file=tmp_path / "none.toml")
    runs: list[str | None] = []

    def steps(
        open_snapshot: Callable[[], Any], is_current: Any, base: str, progress: Any, extra: Any = ()
    ) -> list[prepare.Done]:
        snapshot = open_snapshot()
        runs.append(snapshot.state_key())
        snapshot.close()
        if len(runs) == 1:  # the race: a write lands after the run's last look, before it lets the lock go
            writer = EmbeddedStore.open(data / "store")
            writer.update("INSERT DATA { <https://example.org/a> <https://example.org/b> 2 }")
            writer.close()
        return []

    monkeypatch.setattr(background, "prepare_steps", steps)
    monkeypatch.setattr(background, "give_way", lambda: None)  # not this test process
    monkeypatch.setattr(background.os, "dup2", lambda fd, to: to)  # nor its stderr
    background.run_in_background(settings)
    assert len(runs) == 2 and runs[0] != runs[1]  # the second run prepared the newer state


def test_prepare_without_a_store_says_to_build_and_makes_nothing(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("prepare")
    assert result.exit_code == 2
    assert "there is no store in" in result.stderr and "l4a build" in result.stderr
    assert not (tmp_path / "data").exists()


def test_after_prepare_a_started_site_finds_what_its_first_pages_read(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server started after a write and its preparation computes nothing for its first requests: every page type
    in every language finds the whole-store values it reads on disk (not only those an earlier server run kept),
    though the server opens the store for writing (which may compact it)."""
    from l4a.web.app import create_app
    from l4a.web.prepare_pages import SKIPPED, page_paths

    assert cli("build", "--with-examples", "--quiet").exit_code == 0
    kept = tmp_path / "data" / "derived"
    assert not list(kept.glob("web_*")), "the build kept the site's values already: nothing left to test"
    done = cli("prepare")
    assert done.exit_code == 0, done.output
    assert list(kept.glob("web_*"))  # the site's own values, kept by the preparation
    written = _written(monkeypatch)
    settings = load_settings({"data_dir": tmp_path / "data"}, environ={}, config_file=tmp_path / "absent.toml")
    app = create_app(settings=settings)  # a start: a new app, the store opened for writing as `l4a serve` does
    client = app.test_client()
    asked_for = list(page_paths(app, client))
    paths = [path for path, _ in asked_for]
    assert all(set(languages) <= {"en", "fr", "es"} and "en" in languages for _, languages in asked_for)
    routes = app.url_map.bind("localhost")
    asked = {routes.match(path.split("?", 1)[0])[0] for path in paths}
    every_get = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not any(part in rule.rule for part in SKIPPED)
    }
    assert every_get <= asked, f"page types not prepared: {sorted(every_get - asked)}"
    store = EmbeddedStore.open(tmp_path / "data" / "store", read_only=True)
    try:
        councils = {_slug(row["council"].value) for row in store.select(COUNCILS)}
    finally:
        store.close()
    briefs = {path.split("/")[2] for path in paths if path.startswith("/councils/") and path.endswith("/brief")}
    assert briefs == councils
    targets = {path for path in paths if path.startswith("/sdg/target/") and not path.endswith(".json")}
    assert len(targets) == 169  # every target's page keeps its own evidence: each one prepared
    # Their JSON too (at 100k hubs a brief's JSON is 15 MB: kept beside the store with its gzip twin), a brief's in
    # every language.
    target_json = {path.removesuffix(".json") for path in paths
                   if path.startswith("/sdg/target/") and path.endswith(".json")}  # fmt: skip
    assert target_json == targets
    brief_json = {(path.split("/")[2], languages) for path, languages in asked_for
                  if path.startswith("/councils/") and path.endswith("/brief.json")}  # fmt: skip
    assert brief_json == {(council, ("en", "fr", "es")) for council in councils}
    for path, languages in asked_for:
        for lang in languages:
            answer = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            answer.get_data()
            answer.close()
            assert answer.status_code < 400, (path, lang, answer.status_code)
    # What a server's warm-up reads after its port opens: the validation in every language, the narrowings.
    from l4a.graph.sparql.queries import load_narrowings, named_queries
    from l4a.web.state import app_store, store_reports

    for lang in ("en", "fr", "es"):
        assert isinstance(store_reports(app, lang), dict)
    narrowed = sorted(name for name, query in named_queries().items() if query.narrow)
    assert narrowed and sorted(load_narrowings(app_store(app), settings.base_iri)) == narrowed
    assert written == [], f"a first request computed {sorted(set(written))[:10]} after `l4a prepare`"
