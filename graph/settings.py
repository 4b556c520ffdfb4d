"""The one list of settings: defaults, then a config file, then L4A_* environment variables, then flags."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from l4a.graph.errors import ConfigError
from l4a.graph.namespaces import DEFAULT_BASE


def _user_dir(env: str, fallback: str) -> Path:
    return Path(os.environ.get(env) or Path.home() / fallback)


def default_data_dir() -> Path:
    """The per-user data directory: $XDG_DATA_HOME/l4a, else ~/.local/share/l4a."""
    return _user_dir("XDG_DATA_HOME", ".local/share") / "l4a"


def default_config_file() -> Path:
    """The per-user config file: $XDG_CONFIG_HOME/l4a/config.toml, else ~/.config/l4a/config.toml."""
    return _user_dir("XDG_CONFIG_HOME", ".config") / "l4a" / "config.toml"


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True)
class Settings:
    """Every setting of l4a; the field metadata carries its help text (documented in README.md)."""

    data_dir: Path = field(
        default_factory=default_data_dir,
        metadata=_help("Directory of the embedded store and of kept submissions."),
    )
    store: str = field(
        default="embedded",
        metadata=_help("Store backend: 'embedded' (Oxigraph on disk) or 'sparql' (a SPARQL 1.1 server)."),
    )
    base_iri: str = field(
        default=DEFAULT_BASE,
        metadata=_help(
            "Base of the project's own records and graphs; must end with '/' (ontology terms and vocabulary "
            "concepts keep their IRIs)."
        ),
    )
    host: str = field(default="127.0.0.1", metadata=_help("Address `l4a serve` binds to."))
    port: int = field(default=5000, metadata=_help("Port `l4a serve` listens on."))
    threads: int = field(
        default=16,
        metadata=_help(
            "Worker threads of the web server (16: under 64 clients on 2 cores, 1,900 requests/s against 1,300 with 8; "
            "24 and 32 were slower again in the first minute; docs/benchmarks.md)."
        ),
    )
    languages: tuple[str, ...] = field(
        default=("en", "fr", "es"),
        metadata=_help("UI languages, comma-separated; the first is the default."),
    )
    query_timeout: float = field(default=10.0, metadata=_help("Time limit of one SPARQL query, in seconds."))
    row_cap: int = field(default=10000, metadata=_help("Most rows a query returns to a client."))
    answer_bytes: int = field(
        default=32_000_000,
        metadata=_help("Most bytes of terms a client's query may return; a bigger answer is stopped with an error."),
    )
    query_workers: int = field(
        default=0,
        metadata=_help(
            "Processes running clients' SPARQL queries on the embedded store (0: two per core, at most 8)."
        ),
    )
    write_token: str = field(
        default="",
        metadata=_help(
            "Bearer token for writes over HTTP; environment only, never in a file; kept only as its SHA-256."
        ),
    )
    write_token_sha256: str = field(
        default="",
        metadata=_help("SHA-256 (hex) of the bearer token for writes over HTTP, instead of the token itself."),
    )
    secret_key: str = field(
        default="",
        metadata=_help("Key signing the web sessions (CSRF); environment only; `l4a serve` refuses to start without."),
    )
    staff: tuple[str, ...] = field(
        default=(),
        metadata=_help(
            "Staff who may write through the web, comma-separated NAME:SHA256 (the hex SHA-256 of each person's "
            "token); environment only."
        ),
    )
    proxy_hops: int = field(
        default=0,
        metadata=_help(
            "Reverse proxies in front of `l4a serve` whose X-Forwarded-For/-Proto to trust (0: none; the client's "
            "address is the connection's)."
        ),
    )
    prepare_seconds: float = field(
        default=0.8,
        metadata=_help(
            "`l4a serve`: how long a page may wait for a whole-store value still being computed (after a start or a "
            "write) before it answers 'being prepared' and refreshes itself; 0 waits as long as it takes."
        ),
    )
    ready_seconds: float = field(
        default=15.0,
        metadata=_help(
            "`l4a serve`: how long it may read what every page needs (labels, the index, the hub table, the "
            "validation results: half a second on 10k hubs and about 4 s on 100k when kept on disk) before it opens "
            "its port; the rest goes on in the background."
        ),
    )
    prepare_after_write: str = field(
        default="background",
        metadata=_help(
            "After a command writes to the embedded store: 'background' computes what the next commands read (`l4a "
            "prepare`) in a low-priority background process; 'off' leaves it to the first command that needs it."
        ),
    )
    proposal_rate: float = field(
        default=10.0, metadata=_help("Proposal submissions a client may make per minute (a burst of as many).")
    )
    sparql_query_url: str = field(default="", metadata=_help("SPARQL query endpoint of the 'sparql' store."))
    sparql_update_url: str = field(
        default="",
        metadata=_help("SPARQL Update endpoint of the 'sparql' store; empty: the store is read-only."),
    )
    sparql_store_url: str = field(
        default="",
        metadata=_help("Graph Store Protocol endpoint for bulk loads; empty: loads use chunked SPARQL Update."),
    )
    sparql_dialect: str = field(
        default="auto",
        metadata=_help("Server quirks to handle: auto (from the server's reply), oxigraph, virtuoso or generic."),
    )
    sparql_user: str = field(default="", metadata=_help("User name for HTTP basic authentication."))
    sparql_password: str = field(
        default="",
        metadata=_help("Password for HTTP basic authentication; environment only, never in a file."),
    )
    sparql_token: str = field(
        default="",
        metadata=_help("Bearer token sent to the SPARQL server; environment only, never in a file."),
    )
    update_timeout: float = field(
        default=300.0,
        metadata=_help("Time limit of one update or load request to the SPARQL server, in seconds."),
    )
    sparql_retries: int = field(
        default=3,
        metadata=_help("Attempts of a request that fails to connect or gets a 5xx answer (with backoff)."),
    )

    def store_path(self) -> Path:
        """Where the embedded Oxigraph store lives."""
        return self.data_dir / "store"


SETTING_NAMES = tuple(f.name for f in fields(Settings))

# Secrets are read from the environment (or flags) only: a config file is easily shared or committed.
SECRET_SETTINGS = ("sparql_password", "sparql_token", "write_token", "secret_key", "staff")
STORES = ("embedded", "sparql")
STAFF_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")
HEX64 = re.compile(r"[0-9a-f]{64}")
DIALECTS = ("auto", "oxigraph", "virtuoso", "generic")
AFTER_WRITE = ("background", "off")


def env_name(name: str) -> str:
    """The environment variable of a setting, e.g. L4A_DATA_DIR."""
    return "L4A_" + name.upper()


def _convert(name: str, value: Any, source: str) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if kind == "Path":
            return Path(value).expanduser()
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "tuple[str, ...]":
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(item).strip() for item in items if str(item).strip())
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: setting '{name}' has the value {value!r}, which is not a valid {kind}.") from exc


def _check(settings: Settings) -> Settings:
    if settings.store not in STORES:
        raise ConfigError(f"setting 'store' is {settings.store!r}; use 'embedded' or 'sparql'.")
    if settings.store == "sparql":
        if not settings.sparql_query_url:
            raise ConfigError(
                "setting 'store' is 'sparql' but 'sparql_query_url' is empty; "
                "set L4A_SPARQL_QUERY_URL (and L4A_SPARQL_UPDATE_URL to write)."
            )
        for name in ("sparql_query_url", "sparql_update_url", "sparql_store_url"):
            url = getattr(settings, name)
            if url and not url.startswith(("http://", "https://")):
                raise ConfigError(f"setting '{name}' is {url!r}; use an http(s) URL.")
    if settings.prepare_after_write not in AFTER_WRITE:
        raise ConfigError(
            f"setting 'prepare_after_write' is {settings.prepare_after_write!r}; use one of {', '.join(AFTER_WRITE)}."
        )
    if settings.sparql_dialect not in DIALECTS:
        raise ConfigError(f"setting 'sparql_dialect' is {settings.sparql_dialect!r}; use one of {', '.join(DIALECTS)}.")
    if settings.sparql_token and settings.sparql_user:
        raise ConfigError("settings 'sparql_token' and 'sparql_user' are both set; use one way to authenticate.")
    digest = settings.write_token_sha256
    if digest and not HEX64.fullmatch(digest.lower()):
        raise ConfigError("setting 'write_token_sha256' must be 64 hexadecimal digits (the SHA-256 of the token).")
    for entry in settings.staff:
        name, _, digest = entry.partition(":")
        if not STAFF_NAME.fullmatch(name) or not HEX64.fullmatch(digest.lower()):
            raise ConfigError(
                f"setting 'staff' has the entry {entry.split(':')[0]!r}...; write each as NAME:SHA256, NAME of "
                "letters, digits and . _ @ - (at most 64), SHA256 the 64 hexadecimal digits of the token's hash."
            )
    names = [entry.partition(":")[0] for entry in settings.staff]
    if len(set(names)) != len(names):
        raise ConfigError("setting 'staff' names someone twice; give each person one entry.")
    if not 0 <= settings.query_workers <= 64:
        raise ConfigError(f"setting 'query_workers' is {settings.query_workers}; use 0 (automatic) to 64.")
    if not 0 <= settings.proxy_hops <= 5:
        raise ConfigError(f"setting 'proxy_hops' is {settings.proxy_hops}; use the number of proxies, 0 to 5.")
    if not 0 <= settings.ready_seconds <= 600:
        raise ConfigError(f"setting 'ready_seconds' is {settings.ready_seconds}; use 0 (open at once) to 600 seconds.")
    if not 0 <= settings.prepare_seconds <= 60:
        raise ConfigError(f"setting 'prepare_seconds' is {settings.prepare_seconds}; use 0 (no limit) to 60 seconds.")
    if settings.proposal_rate <= 0:
        raise ConfigError("setting 'proposal_rate' must be positive.")
    if settings.sparql_retries < 1 or settings.update_timeout <= 0 or settings.query_timeout <= 0:
        raise ConfigError("settings 'sparql_retries', 'query_timeout' and 'update_timeout' must be positive.")
    if not settings.base_iri.startswith(("http://", "https://")) or not settings.base_iri.endswith("/"):
        raise ConfigError(f"setting 'base_iri' is {settings.base_iri!r}; use an http(s) IRI ending with '/'.")
    unknown = [lang for lang in settings.languages if lang not in ("en", "fr", "es")]
    if unknown or not settings.languages:
        raise ConfigError(f"setting 'languages' is {','.join(settings.languages)!r}; use some of en, fr, es.")
    return settings


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Settings from the defaults, the config file, the environment and the given overrides, in that order."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_file or Path(environ.get("L4A_CONFIG") or default_config_file())
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the config file: {exc}") from exc
        for key, value in data.items():
            if key not in SETTING_NAMES:
                raise ConfigError(f"{path}: unknown setting '{key}'; known: {', '.join(SETTING_NAMES)}.")
            if key in SECRET_SETTINGS:
                raise ConfigError(f"{path}: '{key}' is a secret; set it in the environment ({env_name(key)}).")
            values[key] = _convert(key, value, str(path))
    for name in SETTING_NAMES:
        if env_name(name) in environ:
            values[name] = _convert(name, environ[env_name(name)], env_name(name))
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = _convert(key, value, "option")
    token = values.pop("write_token", "")
    if token:  # kept only hashed: compared by its SHA-256 (web/sparql.py), never held or shown in clear
        values["write_token_sha256"] = token_sha256(token)
    return _check(replace(Settings(), **values))


def token_sha256(token: str) -> str:
    """The SHA-256 (hex) of a bearer token, as `write_token_sha256` holds it."""
    import hashlib

    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()
