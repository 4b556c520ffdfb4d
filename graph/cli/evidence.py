"""`l4a evidence`: evidence records with their sources, as citations or data."""

from __future__ import annotations

import click

from l4a.graph.cli.common import EXIT_CODES, settings_of, with_store
from l4a.graph.reports.citations import citations_bibtex, citations_markdown
from l4a.graph.sparql.queries import run_named_query
from l4a.graph.sparql.tabular import rows_as


@click.command("evidence", epilog=EXIT_CODES)
@click.option("--sdg", help="An SDG target or goal (11.3, 11, SDG 5 or the UN IRI); a goal rolls up its targets.")
@click.option("--manifesto", help="A Durban manifesto, by slug (ecology) or IRI.")
@click.option("--council", help="A Policy Council, by slug or IRI.")
@click.option("--section", help="A UCLG section, by slug or IRI.")
@click.option("--from", "start", help="Earliest evidence date (YYYY-MM-DD).")
@click.option("--to", "end", help="Latest evidence date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "md", "bibtex"]), default="md", show_default=True)
@click.pass_context
def evidence_command(
    ctx: click.Context,
    sdg: str | None,
    manifesto: str | None,
    council: str | None,
    section: str | None,
    start: str | None,
    end: str | None,
    fmt: str,
) -> None:
    """Evidence for a claim, with citations: Markdown or BibTeX to paste, CSV or JSON to work with.

    \b
    Example:
      l4a evidence --sdg 5 --format md
    """
    given = {"sdg": sdg, "manifesto": manifesto, "council": council, "section": section, "from": start, "to": end}
    settings = settings_of(ctx)
    rows = run_named_query(
        with_store(ctx, read_only=True),
        "evidence-for",
        {k: v for k, v in given.items() if v is not None},
        settings.base_iri,
    )
    if not rows and fmt in ("md", "bibtex"):
        filters = ", ".join(f"--{k} {v}" for k, v in given.items() if v is not None)
        click.echo(f"No evidence record {'matches ' + filters if filters else 'in the store'}: evidence comes from "
                   "the hubs' records, so a hub matching these filters with a cited source would fill this"
                   f"{'; fewer filters find more' if filters else ''}.", err=True)  # fmt: skip
        return
    if fmt == "md":
        click.echo(citations_markdown(rows))
    elif fmt == "bibtex":
        click.echo(citations_bibtex(rows))
    else:
        columns = ["evidence", "url", "type", "date", "language", "publisher", "hub", "title"]
        click.echo(rows_as(rows, columns, fmt))
