"""The `l4a` command line on each backend (embedded Oxigraph, Oxigraph server, Virtuoso): exit codes, JSON output,
help with examples, clear errors, and the same counts and rankings on a SPARQL server as in the embedded store."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from pyoxigraph import CanonicalizationAlgorithm, Dataset, RdfFormat, parse

from l4a.graph.cli.main import main

DATA = Path(__file__).parent / "data"
Cli = Callable[..., Result]
COMMANDS = [
    "build",
    "stats",
    "hubs",  # tests/test_cli_hubs.py
    "import",
    "export",
    "serve",
    "validate",
    "query",
    "related",
    "partners",
    "communities",
    "network",
    "evidence",
    "gaps",
    "propose",
    "proposals",
    "monitor",
    "brief",
    "suggest",
    "suggestions",
    "prepare",  # tests/test_prepare.py
]


@pytest.fixture
def cli(backend: Any, tmp_path: Path) -> Cli:
    """`l4a` in-process on each backend in turn: a fresh data directory, a cleared server."""
    data_dir = tmp_path / "data"

    def invoke(*args: str) -> Result:
        env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml"), **backend.env}
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def data_dir_cli(data_dir: Path) -> Cli:
    """The CLI on another data directory."""

    def invoke(*args: str) -> Result:
        env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml")}
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def test_build_then_stats_json(cli: Cli) -> None:
    built = cli("build")
    assert built.exit_code == 0, built.stderr
    assert "[" in built.stderr  # progress goes to stderr
    result = cli("stats", "--format", "json")
    assert result.exit_code == 0
    counts = json.loads(result.stdout)
    for key in [
        "goals",
        "targets",
        "indicators",
        "manifestos",
        "policy_councils",
        "sections",
        "hubs",
        "triples",
    ]:
        assert isinstance(counts[key], int)
    assert (counts["goals"], counts["targets"], counts["indicators"]) == (17, 169, 235)
    assert (counts["manifestos"], counts["policy_councils"], counts["sections"], counts["hubs"]) == (
        10,
        10,
        9,
        7,
    )


def test_stats_table(cli: Cli) -> None:
    cli("build", "--quiet")
    result = cli("stats")
    assert result.exit_code == 0
    assert "policy councils" in result.stdout and "169" in result.stdout


def test_stats_before_build_says_what_to_do(cli: Cli) -> None:
    result = cli("stats")
    assert result.exit_code == 2
    assert "run `l4a build` first" in result.stderr


def test_import_malformed_file_exits_2_and_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli("build", "--quiet")
    before = cli("export", "--format", "nquads").stdout_bytes
    result = cli("import", str(DATA / "malformed.ttl"))
    assert result.exit_code == 2
    assert "malformed.ttl, line 4, column 11" in result.stderr
    assert cli("export", "--format", "nquads").stdout_bytes == before


def test_import_unknown_format_and_missing_file(cli: Cli, tmp_path: Path) -> None:
    cli("build", "--quiet")
    odd = tmp_path / "x.csv"
    odd.write_text("a")
    assert "cannot tell the RDF format" in cli("import", str(odd)).stderr
    missing = cli("import", str(tmp_path / "none.ttl"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_export_to_file_then_import_elsewhere(cli: Cli, tmp_path: Path) -> None:
    cli("build", "--quiet")
    backup = tmp_path / "backup.trig"
    assert cli("export", "-o", str(backup)).exit_code == 0
    other = data_dir_cli(tmp_path / "other")
    assert other("import", str(backup)).exit_code == 0
    assert json.loads(other("stats", "--format", "json").stdout) == json.loads(cli("stats", "--format", "json").stdout)


def test_export_into_a_pipe_writes_through_it_and_leaves_it_a_pipe(cli: Cli, tmp_path: Path) -> None:
    """`-o /dev/null` or a named pipe is written in place: it is never replaced by a file of the same name."""
    cli("build", "--quiet")
    pipe = tmp_path / "backup.nq"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    result = cli("export", "--format", "nquads", "-o", str(pipe))
    reader.join(timeout=60)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert received and received[0] == cli("export", "--format", "nquads").stdout_bytes
    assert not list(tmp_path.glob("*.partial"))


def test_export_keeps_a_backups_mode_writes_through_a_link_and_says_when_it_cannot_write(
    cli: Cli, tmp_path: Path
) -> None:
    cli("build", "--quiet")
    expected = cli("export", "--format", "nquads").stdout_bytes
    folder = tmp_path / "backups"
    folder.mkdir()
    backup = folder / "backup.nq"
    backup.write_bytes(b"the old backup")
    backup.chmod(0o600)
    link = folder / "latest.nq"
    link.symlink_to(backup)
    assert cli("export", "--format", "nquads", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and backup.read_bytes() == expected
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["backup.nq", "latest.nq"]  # no .partial left
    missing = cli("export", "-o", str(tmp_path / "no such folder" / "backup.trig"))
    assert missing.exit_code == 2 and "Traceback" not in missing.stderr
    assert "cannot write" in missing.stderr and "no such folder" in missing.stderr
    brief = cli("brief", "--council", "resilient-regenerative-territories", "-o", str(tmp_path / "none" / "b.md"))
    assert brief.exit_code == 2 and "cannot write" in brief.stderr


SHIPPED_HUBS = [
    "avcilar-eko-bil",
    "bilbao-city-of-values",
    "diputacio-barcelona-women-leadership",
    "esteban-echeverria-resilient-caring-cities",
    "valongo-participation4all",
    "venice-city-solutions-2030",
    "xian-youth-education-dialogue",
]


def test_the_same_counts_and_rankings_as_the_embedded_store(cli: Cli, built_dir: Path) -> None:
    # With L4A_STORE=sparql and the endpoints of a server: build, stats, related, partners, communities, gaps.
    embedded = data_dir_cli(built_dir)
    assert cli("build", "--quiet").exit_code == 0
    assert json.loads(cli("stats", "--format", "json").stdout) == json.loads(
        embedded("stats", "--format", "json").stdout
    )
    for hub in SHIPPED_HUBS:
        ranking = cli("related", hub, "--format", "json")
        assert ranking.exit_code == 0, ranking.stderr
        assert json.loads(ranking.stdout) == json.loads(embedded("related", hub, "--format", "json").stdout)
    for command in (["partners", "valongo-participation4all"], ["communities"], ["gaps"]):
        assert cli(*command, "--format", "json").stdout == embedded(*command, "--format", "json").stdout
    profile = ["query", "run", "hub-profile", "-p", "hub=bilbao-city-of-values", "--format", "csv"]
    assert sorted(cli(*profile).stdout.splitlines()) == sorted(embedded(*profile).stdout.splitlines())


def canonical(nquads: bytes) -> Dataset:
    dataset = Dataset(parse(nquads, format=RdfFormat.N_QUADS))
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def test_building_twice_gives_the_same_store(cli: Cli, built_dir: Path) -> None:
    cli("build", "--quiet")
    first = canonical(cli("export", "--format", "nquads").stdout_bytes)
    cli("build", "--quiet")
    assert canonical(cli("export", "--format", "nquads").stdout_bytes) == first
    assert first == canonical(data_dir_cli(built_dir)("export", "--format", "nquads").stdout_bytes)


def test_unwritable_data_dir_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = data_dir_cli(blocker)("build")
    assert result.exit_code == 2
    assert "L4A_DATA_DIR" in result.stderr


def test_usage_error_exits_2(cli: Cli) -> None:
    assert cli("stats", "--format", "yaml").exit_code == 2


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(cli: Cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert ("Example:" in result.stdout or "Examples:" in result.stdout) and "Exit codes" in result.stdout


def test_every_command_is_tested_here() -> None:
    with click.Context(main) as ctx:
        names = main.list_commands(ctx)
        assert sorted(names) == sorted(COMMANDS)
        for name in names:  # each found in its module under its own name (imported only when it runs)
            command = main.get_command(ctx, name)
            assert command is not None and command.name == name
        assert main.get_command(ctx, "no-such-command") is None


def test_a_command_loads_only_its_own_module() -> None:
    """`l4a evidence` starts without the suggester's numpy, the shapes' rdflib, the briefs' babel or networkx."""
    code = ("import sys; from l4a.graph.cli.main import main; "
            "main(['evidence', '--help'], standalone_mode=False); "
            "print('loaded:', *sorted(m for m in ('numpy', 'rdflib', 'babel', 'networkx', 'l4a.graph.cli.monitor') "
            "if m in sys.modules))")  # fmt: skip
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    [loaded] = [line for line in output.splitlines() if line.startswith("loaded:")]
    assert loaded == "loaded:", f"l4a evidence {loaded}"
