"""Secrets: the write token is kept only as its SHA-256 and compared in constant time; the token and the secret
key are refused in a config file; `l4a serve` (production) refuses to start without a secret key."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from l4a.graph.cli.main import main
from l4a.graph.errors import ConfigError
from l4a.graph.settings import load_settings, token_sha256

from .webapp import web_app

INSERT = "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> <https://example.org/p> 1 } }"
TOKEN = "a-long-random-write-token-0123456789"


def test_the_write_token_is_kept_only_hashed(tmp_path: Path) -> None:
    settings = load_settings(environ={"L4A_WRITE_TOKEN": TOKEN}, config_file=tmp_path / "none.toml")
    assert settings.write_token == "" and TOKEN not in repr(settings)
    assert settings.write_token_sha256 == hashlib.sha256(TOKEN.encode()).hexdigest() == token_sha256(TOKEN)


@pytest.mark.parametrize("name", ["write_token", "secret_key"])
def test_write_token_and_secret_key_are_refused_in_a_config_file(tmp_path: Path, name: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'{name} = "s3cret"\n')
    with pytest.raises(ConfigError, match=f"L4A_{name.upper()}"):
        load_settings(environ={}, config_file=config)


def test_a_bad_token_hash_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="write_token_sha256"):
        load_settings(environ={"L4A_WRITE_TOKEN_SHA256": "not-a-hash"}, config_file=tmp_path / "none.toml")


def test_updates_with_only_the_tokens_hash_configured(tmp_path: Path) -> None:
    with web_app(tmp_path, write_token_sha256=token_sha256(TOKEN)) as app:
        client = app.test_client()
        update = {"data": INSERT, "content_type": "application/sparql-update"}
        refused = client.post("/sparql/update", **update)
        assert refused.status_code == 401
        # the hash itself is not a credential
        as_hash = {"Authorization": f"Bearer {token_sha256(TOKEN)}"}
        assert client.post("/sparql/update", headers=as_hash, **update).status_code == 401
        assert client.post("/sparql/update", headers={"Authorization": f"Bearer {TOKEN}"}, **update).status_code == 204


def test_the_secret_key_setting_signs_the_sessions(tmp_path: Path) -> None:
    with web_app(tmp_path, secret_key="k" * 40) as app:
        assert app.config["SECRET_KEY"] == "k" * 40
    with web_app(tmp_path) as app:  # tests and development: a random key per process
        assert len(app.config["SECRET_KEY"]) == 64


def test_l4a_serve_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {"L4A_SECRET_KEY": None, "L4A_CONFIG": str(tmp_path / "none.toml"), "L4A_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["serve", "--port", "9"], env=env)
    assert result.exit_code == 2 and "L4A_SECRET_KEY" in result.output and "--dev" in result.output
    short = CliRunner().invoke(main, ["serve", "--port", "9"], env={**env, "L4A_SECRET_KEY": "too-short"})
    assert short.exit_code == 2 and "at least 32" in short.output
    assert not (tmp_path / "store").exists()  # refused before opening or building anything
