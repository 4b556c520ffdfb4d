"""Settings: defaults, then config file, then environment, then flags; each one documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from l4a.graph.errors import ConfigError
from l4a.graph.settings import SETTING_NAMES, env_name, load_settings

README = Path(__file__).parents[1] / "README.md"


def test_precedence(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('port = 6000\nhost = "0.0.0.0"\nrow_cap = 5\n')
    environ = {"L4A_PORT": "7000", "L4A_ROW_CAP": "9"}
    settings = load_settings({"port": 8000}, environ=environ, config_file=config)
    assert settings.host == "0.0.0.0"  # from the file
    assert settings.row_cap == 9  # environment beats the file
    assert settings.port == 8000  # a flag beats the environment
    assert settings.threads == 8  # default


def test_config_file_from_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('languages = ["fr", "en"]\n')
    assert load_settings(environ={"L4A_CONFIG": str(config)}).languages == ("fr", "en")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"L4A_PORT": "eighty"}, "L4A_PORT: setting 'port' has the value 'eighty'"),
        ({"L4A_BASE_IRI": "ftp://x/"}, "base_iri"),
        ({"L4A_LANGUAGES": "en,de"}, "languages"),
        ({"L4A_STORE": "mystery"}, "store"),
    ],
)
def test_bad_values_are_named(tmp_path: Path, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(environ=environ, config_file=tmp_path / "none.toml")


def test_unknown_key_in_config_file(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("colour = 'blue'\n")
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings(environ={}, config_file=config)


@pytest.mark.parametrize("name", SETTING_NAMES)
def test_every_setting_is_documented_in_the_readme(name: str) -> None:
    text = README.read_text(encoding="utf-8")
    assert f"`{name}`" in text and f"`{env_name(name)}`" in text
