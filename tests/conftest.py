"""Shared fixtures: settings and stores in temporary directories, a built store, and a CLI runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from l4a.graph.build import build
from l4a.graph.cli import main
from l4a.graph.embedded import EmbeddedStore
from l4a.graph.settings import Settings, load_settings

DATA = Path(__file__).parent / "data"


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
