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
    assert settings.threads == 16  # default


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


def test_sparql_store_needs_a_query_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="L4A_SPARQL_QUERY_URL"):
        load_settings(environ={"L4A_STORE": "sparql"}, config_file=tmp_path / "none.toml")
    settings = load_settings(
        environ={"L4A_STORE": "sparql", "L4A_SPARQL_QUERY_URL": "http://127.0.0.1:7878/query"},
        config_file=tmp_path / "none.toml",
    )
    assert (settings.store, settings.sparql_update_url, settings.sparql_dialect) == ("sparql", "", "auto")


@pytest.mark.parametrize("name", ["sparql_password", "sparql_token"])
def test_secrets_are_refused_in_a_config_file(tmp_path: Path, name: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'{name} = "s3cret"\n')
    with pytest.raises(ConfigError, match=env_name(name)):
        load_settings(environ={}, config_file=config)
    assert (
        getattr(load_settings(environ={env_name(name): "s3cret"}, config_file=tmp_path / "none.toml"), name) == "s3cret"
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"L4A_SPARQL_DIALECT": "fuseki"}, "sparql_dialect"),
        ({"L4A_SPARQL_QUERY_URL": "ftp://x/", "L4A_STORE": "sparql"}, "sparql_query_url"),
        ({"L4A_SPARQL_USER": "u", "L4A_SPARQL_TOKEN": "t"}, "one way to authenticate"),
        ({"L4A_SPARQL_RETRIES": "0"}, "sparql_retries"),
    ],
)
def test_bad_sparql_settings_are_named(tmp_path: Path, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(environ=environ, config_file=tmp_path / "none.toml")
