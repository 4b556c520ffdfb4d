"""`l4a brief --vcs`: a Venice City Solutions edition's brief lists exactly the edition's hubs (presented at it, or
active during its dates: docs/monitoring.md), each marked, with progress, cited evidence, related hubs and gaps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from l4a.graph.build import build
from l4a.graph.cli.main import main
from l4a.graph.errors import UsageError
from l4a.graph.reports.brief import brief_html, brief_markdown, brief_words
from l4a.graph.reports.brief_vcs import Edition, edition_hubs, edition_words, make_edition_brief, resolve_edition
from l4a.graph.reports.hub_table import HubRow, HubTable
from l4a.graph.store.embedded import EmbeddedStore

L4A = "https://w3id.org/l4a/ontology#"
ID = "https://w3id.org/l4a/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
EDITION_2020 = ID + "event/venice-city-solutions-2020"  # the 3rd edition, 2020-11-26 to 2020-11-27
EDITION_2021 = ID + "event/venice-city-solutions-2021"
D = dt.date
# Hubs of the fixture: (slug, start, end, presented at) and whether each is in the 2020 edition, and how.
HUBS = [
    ("presented-long-before", ("2015-01-01", "date"), ("2016-12-31", "date"), EDITION_2020, "presented"),
    ("running-through", ("2020-01-01", "date"), ("2021-12-31", "date"), None, "active"),
    ("starting-on-the-last-day", ("2020-11-27", "date"), ("2022-06-30", "date"), None, "active"),
    ("ending-on-the-first-day", ("2019-01-01", "date"), ("2020-11-26", "date"), None, "active"),
    ("years-only", ("2019", "gYear"), ("2020", "gYear"), None, "active"),
    ("months-only", ("2020-11", "gYearMonth"), ("2021-02", "gYearMonth"), None, "active"),
    ("starting-after", ("2020-11-28", "date"), ("2022-01-01", "date"), None, None),
    ("ended-before", ("2018-01-01", "date"), ("2020-11-25", "date"), None, None),
    ("no-end-date", ("2019-01-01", "date"), None, None, None),
    ("presented-elsewhere", ("2021-06-01", "date"), ("2022-06-01", "date"), EDITION_2021, None),
]
IN_2020 = {ID + "hub/test-" + slug: mark for slug, _s, _e, _p, mark in HUBS if mark}
EVIDENCE_URL = "https://example.org/running-through/report.pdf"


def quads() -> list[ox.Quad]:
    g = ox.NamedNode("urn:test:vcs")
    out = []

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, g))

    for slug, start, end, presented, _mark in HUBS:
        hub = ID + "hub/test-" + slug
        add(hub, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(L4A + "Hub"))
        add(hub, "http://purl.org/dc/terms/title", ox.Literal(f"Test hub {slug}", language="en"))
        for prop, value in (("startDate", start), ("endDate", end)):
            if value is not None:
                add(hub, L4A + prop, ox.Literal(value[0], datatype=ox.NamedNode(XSD + value[1])))
        if presented:
            add(hub, L4A + "presentedAt", ox.NamedNode(presented))
    evidence = ID + "evidence/test-running-through-report"
    add(evidence, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(L4A + "Evidence"))
    add(evidence, L4A + "supports", ox.NamedNode(ID + "hub/test-running-through"))
    add(evidence, "http://schema.org/url", ox.NamedNode(EVIDENCE_URL))
    add(evidence, "http://purl.org/dc/terms/date", ox.Literal("2020-12-01", datatype=ox.NamedNode(XSD + "date")))
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore.open(tmp_path_factory.mktemp("vcs") / "store")
    build(opened, with_examples=True)
    opened.add_quads(quads())
    yield opened
    opened.close()


def test_edition_hubs_on_known_dates() -> None:
    edition = Edition(EDITION_2020, 3, "3rd", "", D(2020, 11, 26), D(2020, 11, 27))
    rows = [HubRow(ID + "hub/test-" + s, start=a[0] if a else "", end=b[0] if b else "") for s, a, b, _p, _m in HUBS]
    presented = {ID + "hub/test-" + s for s, _a, _b, p, _m in HUBS if p == EDITION_2020}
    assert edition_hubs(edition, rows, presented) == IN_2020
    undated = Edition(EDITION_2020, 3, "3rd", "", None, None)  # an undated edition: only the presented hubs
    assert edition_hubs(undated, rows, presented) == {ID + "hub/test-presented-long-before": "presented"}


def test_an_edition_by_number_year_slug_or_iri(store: EmbeddedStore) -> None:
    for given in ("3", "2020", "venice-city-solutions-2020", EDITION_2020):
        found = resolve_edition(store, given)
        assert (found.iri, found.number, found.start, found.end) == (EDITION_2020, 3, D(2020, 11, 26), D(2020, 11, 27))
    for wrong in ("9", "1999", "nowhere"):
        with pytest.raises(UsageError, match="Known: 1 \\(2018\\); 2 \\(2019\\); 3 \\(2020\\); 4 \\(2021\\)"):
            resolve_edition(store, wrong)


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_the_brief_has_exactly_the_editions_hubs(store: EmbeddedStore, lang: str) -> None:
    brief = make_edition_brief(store, "2020", lang, day=D(2026, 11, 26))
    assert {h.iri: h.mark for h in brief.hubs} == IN_2020  # no shipped hub ran in November 2020
    assert brief.hubs[0].mark == "presented"  # presented hubs first
    words = {**brief_words(lang), **edition_words(lang)}
    text = brief_markdown(brief, edition_words(lang))
    page = brief_html(brief, edition_words(lang))
    assert text.startswith(f"# {words['brief']}{words['colon']}Venice City Solutions 2030, 3rd edition (2020)\n")
    assert f"2020-11-26 {words['to']} 2020-11-27" in text  # "au" in French, "al" in Spanish
    for row in HubTable.from_store(store).rows:  # a section for each of the edition's hubs, and no other
        inside = row.iri in IN_2020
        assert (f"\n<{row.iri}>\n" in text) == inside, row.iri
        assert (f'<h3><a href="{row.iri}">' in page) == inside, row.iri
    assert text.count(f"*{words['presented']}*") == 1 and text.count(f"*{words['active']}*") == len(IN_2020) - 1
    assert f"- <{EVIDENCE_URL}> (2020-12-01)" in text  # evidence cited with its address and date
    assert f'<a class="url" href="{EVIDENCE_URL}">{EVIDENCE_URL}</a> (2020-12-01)' in page


def test_a_shipped_hub_active_during_the_4th_edition(store: EmbeddedStore) -> None:
    brief = make_edition_brief(store, "4", day=D(2026, 11, 26))
    marks = {h.iri: h.mark for h in brief.hubs}
    # Bilbao ran from 2021-06-28 to 2023-03 (month precision); the edition was on 2021-12-02 and 03.
    assert marks[ID + "hub/bilbao-city-of-values"] == "active"
    assert ID + "hub/test-presented-elsewhere" in marks and ID + "hub/test-presented-long-before" not in marks


def test_cli_brief_for_an_edition(tmp_path: Path) -> None:
    env = {"L4A_DATA_DIR": str(tmp_path / "data"), "L4A_CONFIG": str(tmp_path / "absent.toml")}
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--quiet", "--with-examples"], env=env).exit_code == 0
    store = EmbeddedStore.open(tmp_path / "data" / "store")
    store.add_quads(quads())
    store.close()
    out = tmp_path / "vcs.md"
    result = runner.invoke(main, ["brief", "--vcs", "3", "--lang", "es", "--format", "md", "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Nota: Venice City Solutions 2030, 3rd edition (2020)")
    assert "*Presentado en esta edición*" in text and "Test hub running-through" in text
    assert "Test hub starting-after" not in text
    html = runner.invoke(main, ["brief", "--vcs", "venice-city-solutions-2020"], env=env)
    assert (
        html.exit_code == 0 and html.stdout.startswith("<!doctype html>") and "Presented at this edition" in html.stdout
    )
    for args in (["brief"], ["brief", "--vcs", "3", "--council", "x"], ["brief", "--vcs", "12"]):
        result = runner.invoke(main, args, env=env)
        assert result.exit_code == 2 and "Error: " in result.stderr, args
