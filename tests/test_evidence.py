"""`l4a evidence`: citations with source URLs in Markdown and BibTeX, and the same rows as CSV or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

import pyoxigraph as ox
from click.testing import Result

from l4a.graph.reports.citations import citations_bibtex, citations_markdown

Cli = Callable[..., Result]


def test_must_show_evidence_for_sdg_5_as_markdown(cli: Cli) -> None:
    assert cli("build", "--quiet").exit_code == 0
    result = cli("evidence", "--sdg", "5", "--format", "md")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("- ") and "<https://" in line for line in lines)
    assert any("Xi'an" in line for line in lines)  # Xi'an's launch notice lists SDG 5
    assert any("local4actionhubs.uclg.org/localforaction/xian/" in line for line in lines)


def test_evidence_as_json_and_bibtex(cli: Cli) -> None:
    cli("build", "--quiet")
    data = json.loads(cli("evidence", "--sdg", "17", "--format", "json").stdout)
    urls = {b["url"]["value"] for b in data["results"]["bindings"]}
    assert "http://venicecitysolutions.com/local4action-hub/" in urls
    bib = cli("evidence", "--sdg", "17", "--format", "bibtex").stdout
    assert bib.count("@misc{") == len(data["results"]["bindings"])
    assert "\\url{http://venicecitysolutions.com/local4action-hub/}" in bib


def test_bibtex_escapes_special_characters() -> None:
    row = {
        "url": ox.NamedNode("https://example.org/a_b"),
        "hub": ox.NamedNode("https://w3id.org/l4a/id/hub/x"),
        "title": ox.Literal("Cities & {values} 100% #1"),
        "publisher": ox.Literal("A_B"),
        "date": ox.Literal("2023-03-15"),
    }
    bib = citations_bibtex([row])
    assert r"title = {Cities \& \{values\} 100\% \#1}" in bib
    assert "publisher = {A\\_B}" in bib and "year = {2023}" in bib
    assert "\\url{https://example.org/a_b}" in bib  # URLs are left as they are inside \url
    assert citations_markdown([row]) == "- A_B (2023-03-15). *Cities & {values} 100% #1*. <https://example.org/a_b>"


def test_gaps_on_the_shipped_data(cli: Cli) -> None:
    cli("build", "--quiet")
    data = json.loads(cli("gaps", "--format", "json").stdout)
    # No verified hub's sources name an SDG target or a manifesto: every one is a gap.
    assert len(data["targets"]) == 169 and len(data["manifestos"]) == 10
    assert {"target": "http://metadata.un.org/sdg/11.3", "goal": "http://metadata.un.org/sdg/11"} in data["targets"]
    assert cli("gaps", "--section", "cemr", "--format", "csv").stdout.startswith("target,goal")


def test_citations_carry_the_date_each_page_was_read(cli: Cli) -> None:
    """Every shipped evidence record has an access date (pav:retrievedOn, the facts file's retrieval date):
    Markdown says "Accessed", BibTeX gives `urldate`, JSON the `accessed` column."""
    assert cli("build", "--quiet").exit_code == 0
    lines = cli("evidence", "--format", "md").stdout.splitlines()
    assert lines and all(line.endswith("Accessed 2026-11-25.") for line in lines)
    bib = cli("evidence", "--format", "bibtex").stdout
    assert bib.count("urldate = {2026-11-25}") == bib.count("@misc{") > 0
    data = json.loads(cli("evidence", "--format", "json").stdout)
    assert {b["accessed"]["value"] for b in data["results"]["bindings"]} == {"2026-11-25"}
