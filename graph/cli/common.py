"""What every command shares: the group that turns errors into exit codes, settings, the store, hub arguments."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pyoxigraph as ox

from l4a.graph.errors import L4AError, UsageError
from l4a.graph.namespaces import L4A
from l4a.graph.resources import internal_query
from l4a.graph.settings import Settings, load_settings
from l4a.graph.store.base import Store
from l4a.graph.store.derived import HasStateKey
from l4a.graph.store.factory import open_store
from l4a.graph.store.generation import record_change

if TYPE_CHECKING:  # imported where used: a command that needs neither does not load them (numpy)
    from l4a.graph.sync.index import SyncIndex

EXIT_CODES = """\b
Exit codes: 0 ok, 1 the data does not conform, 2 usage, input or runtime error."""


class L4AGroup(click.Group):
    """A click group that turns the core's errors into a message on stderr and exit code 2 (or 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except L4AError as exc:
            if _reader_gone(exc):
                _quiet_end(ctx)
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except OSError as exc:
            if not _reader_gone(exc):
                raise
            _quiet_end(ctx)


def _reader_gone(exc: BaseException | None) -> bool:
    """Whether an error comes from writing to a pipe nobody reads any more (the store's dump reports it as its
    own error, a kept export's copy by the kernel as the output's)."""
    while exc is not None:
        if isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EPIPE):
            return True
        exc = exc.__cause__
    return False


def _quiet_end(ctx: click.Context) -> None:
    """The output's reader stopped reading (`l4a export | head`): what it read is what it asked for, no error of
    the command, so exit 0 without a message, as every command's printed output does. What is left in the output's
    buffer goes nowhere (not into an error at exit)."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    ctx.exit(0)


def settings_of(ctx: click.Context, **overrides: Any) -> Settings:
    """Settings from defaults, config file, environment and the group's and command's flags."""
    options: dict[str, Any] = dict(ctx.find_root().params)
    config = options.pop("config", None)
    options.update(overrides)
    return load_settings(options, config_file=Path(config) if config else None)


def progress_printer(stage: str, done: int, total: int) -> None:
    """Progress of long loads, on stderr."""
    click.echo(f"[{done}/{total}] {stage}", err=True)


def with_store(ctx: click.Context, read_only: bool = False) -> Store:
    """Open the configured store and close it when the command ends."""
    settings = settings_of(ctx)
    store = open_store(settings, read_only=read_only)
    if not read_only and settings.store == "embedded":
        from l4a.graph.cli.background import after_write

        before = store.state_key() if isinstance(store, HasStateKey) else None
        ctx.call_on_close(lambda: after_write(ctx, settings, before))  # registered before close: runs after it
    ctx.call_on_close(store.close)
    if not read_only and settings.store == "sparql":
        # `l4a serve` processes on the same server refresh everything they keep (graph/store/generation.py);
        # registered after close, so it runs before it.
        ctx.call_on_close(lambda: record_change(store, settings.base_iri, everything=True))
    return store


IS_A = internal_query("is-a")


def hub_iri(settings: Settings, hub: str) -> str:
    """A hub given by slug or IRI."""
    return hub if hub.startswith(("http://", "https://")) else f"{settings.base_iri}id/hub/{hub}"


def find_hub_iri(store: Store, settings: Settings, hub: str, known: Collection[str] | None = None) -> str:
    """The IRI of the hub named by its slug, its IRI, or an unambiguous part of its slug or title; else an error
    listing the closest hubs (exit 2). An exact slug or IRI is looked up alone (in `known`, the hubs at hand, or
    in the store): the hub table, seconds to read on a big store after a write, is read only to search names."""
    iri = hub_iri(settings, hub)
    if known is not None and iri in known:
        return iri
    if known is None and _is_hub(store, iri):
        return iri
    from l4a.graph.reports.hub_lookup import find_hub
    from l4a.graph.reports.hub_table import HubTable

    return find_hub(HubTable.from_store(store).rows, hub).iri


def _is_hub(store: Store, iri: str) -> bool:
    try:
        return store.ask(IS_A, {"thing": ox.NamedNode(iri), "class": ox.NamedNode(L4A + "Hub")})
    except ValueError:  # not an IRI: a name to search
        return False


def index_and_hub(ctx: click.Context, hub: str) -> tuple[SyncIndex, str]:
    """The synchronization index of the store, and the IRI of a hub in it (slug, IRI or part of its name given)."""
    from l4a.graph.sync.index import SyncIndex

    store = with_store(ctx, read_only=True)
    index = SyncIndex.from_store(store)
    iri = find_hub_iri(store, settings_of(ctx), hub, index.hubs)
    if iri not in index.hubs:
        raise UsageError(f"there is no hub {hub!r} in the synchronization index.")
    return index, iri
