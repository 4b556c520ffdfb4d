"""The site's steps of `l4a prepare` stop as soon as a write lands on the store: the pages and the hub pack would be
made for a state that is gone (`l4a prepare` starts again on the new one), and a read-only snapshot's files may be
removed under it by the writer's compaction (a background run once kept going on such a snapshot for minutes)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from l4a.graph.cli.main import main
from l4a.graph.settings import load_settings
from l4a.graph.store.factory import open_store
from l4a.web.app import create_app
from l4a.web.hub_pack import write_pack
from l4a.web.prepare_pages import prepare_pages


def _cli(data_dir: Path, *args: str) -> None:
    env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml"), "L4A_PREPARE_AFTER_WRITE": "off"}
    done: Result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert done.exit_code == 0, done.output


def _write(data_dir: Path) -> None:
    """A write by another command, as a user would make it while a background preparation runs."""
    slug = "overtaken-test-hub"
    hub = data_dir.parent / "hub.ttl"
    hub.write_text(
        f'<https://w3id.org/l4a/id/hub/{slug}> a <https://w3id.org/l4a/ontology#Hub> ;'
        ' <http://purl.org/dc/terms/title> "Overtaken"@en .\n'
    )
    _cli(data_dir, "import", str(hub), "--graph", f"https://w3id.org/l4a/graph/hub/{slug}")


def test_a_write_stops_the_pages_and_the_pack_of_the_old_state(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _cli(data_dir, "build", "--with-examples", "--quiet")
    settings = load_settings({"data_dir": data_dir}, environ={}, config_file=data_dir / "absent.toml")
    snapshot = open_store(settings, read_only=True)
    try:
        current = prepare_pages(snapshot, settings)  # nothing written yet: every page asked
        assert current.asked > 50 and not current.failed
        _write(data_dir)
        assert not snapshot.is_current()
        assert prepare_pages(snapshot, settings).asked == 0  # stopped before its first page
        app = create_app(settings=settings, store=snapshot, test_config={"L4A_PREPARE_SECONDS": None})
        assert write_pack(app, ["bilbao-city-of-values", "valongo-participation4all"], "en") == 0
        assert not list((data_dir / "derived").glob("hub_pages*.kept"))  # no pack of the old state, none half made
        assert not list((data_dir / "derived").glob(".*.partial"))
    finally:
        snapshot.close()
