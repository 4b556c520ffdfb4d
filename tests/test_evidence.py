"""`l4a evidence`: citations with source URLs in Markdown and BibTeX, and the same rows as CSV or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from click.testing import Result

from l4a.graph.reports.citations import citations_bibtex, citations_markdown

from .webapp import web_app

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
    assert bib.count("@online{") == len(data["results"]["bindings"])
    assert "url = {http://venicecitysolutions.com/local4action-hub/}" in bib


def test_a_citation_cites_the_source_not_the_hub() -> None:
    row = {
        "url": ox.NamedNode("https://www.example.org/a_b"),
        "hub": ox.NamedNode("https://w3id.org/l4a/id/hub/x"),
        "title": ox.Literal("Cities & {values} 100% #1"),  # the hub's title: what the source is evidence for
        "publisher": ox.Literal("A_B"),
        "date": ox.Literal("2023-03-15"),
    }
    bib = citations_bibtex([row])
    assert "title = {A\\_B, example.org}" in bib  # no title of its own: its publisher and site
    assert r"note = {evidence for Cities \& \{values\} 100\% \#1}" in bib  # the hub, escaped, in the note
    assert "organization = {A\\_B}" in bib and "year = {2023}" in bib
    assert "url = {https://www.example.org/a_b}" in bib  # URLs are left as they are
    assert citations_markdown([row]) == (
        "- A_B, example.org (2023-03-15). <https://www.example.org/a_b>. Access date not recorded. "
        "Evidence for *Cities & {values} 100% #1*."
    )
    titled = {**row, "source_title": ox.Literal("Charter of Values"), "accessed": ox.Literal("2025-11-02")}
    del titled["date"]
    assert citations_markdown([titled]).startswith("- Charter of Values (n.d.). <https://www.example.org/a_b>. "
                                                   "Accessed 2025-11-02.")  # fmt: skip
    assert "urldate = {2025-11-02}" in citations_bibtex([titled])


def test_gaps_on_the_shipped_data(cli: Cli) -> None:
    cli("build", "--quiet")
    data = json.loads(cli("gaps", "--format", "json").stdout)
    # No verified hub's sources name an SDG target or a manifesto: every one is a gap.
    assert len(data["targets"]) == 169 and len(data["manifestos"]) == 10
    assert {"target": "http://metadata.un.org/sdg/11.3", "goal": "http://metadata.un.org/sdg/11"} in data["targets"]
    assert cli("gaps", "--section", "cemr", "--format", "csv").stdout.startswith("target,goal")


def test_an_unknown_filter_is_an_error_with_the_closest_names(cli: Cli) -> None:
    cli("build", "--quiet")
    for option, value, closest in [
        ("--manifesto", "ecologie", "ecology (Ecology)"),
        ("--council", "safer", "safer-resilient-sustainable-cities"),
        ("--section", "flacmaa", "flacma"),
        ("--sdg", "18", "1 End poverty"),
        ("--sdg", "11.35", "11.3 By 2030"),
    ]:
        result = cli("evidence", option, value)
        assert result.exit_code == 2, (option, value, result.output)
        assert f"'{value}'" in result.output and closest in result.output and "The closest" in result.output
    assert cli("evidence", "--manifesto", "ecology").exit_code == 0  # known, even with nothing to cite


def test_an_unknown_filter_on_the_web_is_a_400_naming_the_closest(tmp_path: Path) -> None:
    with web_app(tmp_path) as app:
        answer = app.test_client().get("/evidence?council=safer")
        assert answer.status_code == 400
        assert "safer-resilient-sustainable-cities" in answer.get_data(as_text=True)


def test_no_evidence_says_why_on_stderr(cli: Cli) -> None:
    cli("build", "--quiet")
    result = cli("evidence", "--manifesto", "ecology")
    assert result.exit_code == 0 and result.stdout == ""
    assert "No evidence record matches --manifesto ecology" in result.stderr and "would fill this" in result.stderr


def test_citations_carry_the_date_each_page_was_read(cli: Cli) -> None:
    """Every shipped evidence record has an access date (pav:retrievedOn, the facts file's retrieval date):
    Markdown says "Accessed", BibTeX gives `urldate`, JSON the `accessed` column."""
    assert cli("build", "--quiet").exit_code == 0
    lines = cli("evidence", "--format", "md").stdout.splitlines()
    assert lines and all("Accessed 2026-11-25." in line for line in lines)
    bib = cli("evidence", "--format", "bibtex").stdout
    assert bib.count("urldate = {2026-11-25}") == bib.count("@online{") > 0
    data = json.loads(cli("evidence", "--format", "json").stdout)
    assert {b["accessed"]["value"] for b in data["results"]["bindings"]} == {"2026-11-25"}
