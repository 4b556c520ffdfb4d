"""`l4a serve`: the web app under waitress."""

from __future__ import annotations

import click

from l4a.graph.cli.common import EXIT_CODES, settings_of
from l4a.graph.errors import ConfigError
from l4a.graph.reports.prepare import Step
from l4a.graph.settings import Settings
from l4a.graph.store.base import Store


def site_steps(settings: Settings) -> tuple[Step, ...]:
    """The site's pages (web/prepare_pages.py), then every hub's page and related list (web/hub_pack.py), prepared
    after the commands' values: a server started after the preparation finds what its first requests read on
    disk."""

    def pages(store: Store, base: str) -> object:
        from l4a.web.prepare_pages import prepare_pages  # the CLI's one edge to the web app, as below

        return prepare_pages(store, settings)

    def hubs(store: Store, base: str) -> object:
        from l4a.web.prepare_pages import prepare_hub_pack

        return prepare_hub_pack(store, settings)

    return (
        Step("pages of the site (English, French, Spanish)", pages),
        Step(f"every hub's page (language: {settings.languages[0]}) and related list", hubs),
    )


@click.command("serve", epilog=EXIT_CODES)
@click.option("--host", help="Address to bind (default 127.0.0.1; L4A_HOST).")
@click.option("--port", type=int, help="Port (default 5000; L4A_PORT).")
@click.option("--threads", type=int, help="Worker threads (default 16; L4A_THREADS).")
@click.option(
    "--dev",
    is_flag=True,
    help="Development: without L4A_SECRET_KEY, a random key for this run (sessions end with it); without L4A_STAFF, "
    "a staff member 'dev' whose token for this run is printed.",
)
@click.pass_context
def serve_command(ctx: click.Context, host: str | None, port: int | None, threads: int | None, dev: bool) -> None:
    """Serve the web app with waitress, building the store first if it is empty.

    Production needs L4A_SECRET_KEY (it signs the forms' sessions); without it `l4a serve` refuses to start,
    unless --dev.

    \b
    Example:
      L4A_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))') l4a serve --port 8080
    """
    import waitress

    from l4a.web.app import create_app  # the CLI is the one edge that starts the web app
    from l4a.web.serving import configure_logging, prestart_checkers, wait_until_ready, waitress_options

    configure_logging()

    settings = settings_of(ctx, host=host, port=port, threads=threads)
    if not dev and len(settings.secret_key) < 32:
        raise ConfigError(
            "l4a serve needs a secret key of at least 32 characters in L4A_SECRET_KEY (it signs the forms' sessions), "
            "e.g. from: python3 -c 'import secrets; print(secrets.token_hex(32))'. Use --dev to run without one."
        )
    if dev and not settings.staff:
        import dataclasses
        import secrets

        from l4a.graph.settings import token_sha256

        token = secrets.token_urlsafe(24)
        settings = dataclasses.replace(settings, staff=(f"dev:{token_sha256(token)}",))
        click.echo(f"Staff sign-in for this run (/staff/sign-in): name dev, token {token}", err=True)
    app = create_app(settings=settings, build_if_empty=True, warm=True)
    prestart_checkers(app.extensions["l4a_store"])
    wait_until_ready(app, settings.ready_seconds)  # what every page needs, read before the port opens
    click.echo(f"Serving the Local4Action Hub Graph on http://{settings.host}:{settings.port}/", err=True)
    waitress.serve(app, **waitress_options(settings.host, settings.port, settings.threads, settings.proxy_hops))
