"""`l4a prepare`: compute what commands read from the whole store, once per write (graph/reports/prepare.py)."""

from __future__ import annotations

import click

from l4a.graph.cli.background import preparing, run_in_background
from l4a.graph.cli.common import EXIT_CODES, settings_of
from l4a.graph.cli.serve import site_steps
from l4a.graph.errors import L4AError, UsageError
from l4a.graph.reports.prepare import RESTARTED, prepare_steps
from l4a.graph.store.base import is_current
from l4a.graph.store.factory import open_store


@click.command("prepare", epilog=EXIT_CODES)
@click.option("--background", is_flag=True, hidden=True, help="Run as the background run after a write.")
@click.pass_context
def prepare_command(ctx: click.Context, background: bool) -> None:
    """Compute what commands read from the whole store (counts, the hub table, related hubs, the network,
    monitoring, validation, evidence, briefs, the site's pages) so that the next commands, and a server started
    next, find it ready.

    Every command that writes to the embedded store starts this in the background when it is done (setting
    prepare_after_write; L4A_PREPARE_AFTER_WRITE=off to skip); run it yourself after writing to the store in
    another way. A command that needs a value being prepared waits for it rather than computing it again.

    \b
    Example:
      l4a prepare
    """
    settings = settings_of(ctx)
    if settings.store != "embedded":
        raise UsageError("prepare works on the embedded store; values from a SPARQL server are not kept.")
    if background:
        run_in_background(settings, site_steps(settings))
        return

    def show(name: str, seconds: float, error: Exception | None) -> None:
        if name == RESTARTED:
            click.echo(name, err=True)
            return
        click.echo(f"{name}: {'failed: ' + str(error) if error else f'{seconds:.1f} s'}", err=True)

    open_store(settings, read_only=True).close()  # no store: say so before making anything in the data directory
    with preparing(settings.data_dir, wait=True):
        done = prepare_steps(
            lambda: open_store(settings, read_only=True), is_current, settings.base_iri, show, site_steps(settings)
        )
    failed = [d for d in done if d.error is not None]
    click.echo(f"Prepared {len(done) - len(failed)} of {len(done)} in {sum(d.seconds for d in done):.1f} s.", err=True)
    if failed:
        names = ", ".join(d.name for d in failed)
        raise L4AError(f"these could not be prepared (their commands will say why): {names}.")
