"""The evidence page pages long lists (50 records a page in HTML) while JSON and the CSV download (streamed) hold
every record, on a store with more records than one page: the shipped data plus 60 synthetic hubs."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.store.embedded import EmbeddedStore
from l4a.web.state import forget_caches

from .webapp import synth_quads, web_app

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    data_dir = tmp_path_factory.mktemp("evidence-pages")
    with web_app(data_dir) as made:  # built from the shipped data
        store: EmbeddedStore = made.extensions["l4a_store"]
        store.add_quads(synth_quads(60, seed=2))
        forget_caches(made)
        yield made


def test_html_is_paged_json_and_csv_hold_every_record(app: Flask) -> None:
    client: FlaskClient = app.test_client()
    everything = client.get("/evidence.json").get_json()
    total = everything["count"]
    assert total > 60 and len(everything["evidence"]) == total  # the synthetic hubs have 1-2 records each
    first = client.get("/evidence?lang=en").get_data(as_text=True)
    assert first.count('rel="nofollow noopener"') == 50
    assert f"{total} evidence records" in first and 'rel="next"' in first and 'rel="prev"' not in first
    pages = -(-total // 50)
    last = client.get(f"/evidence?lang=en&page={pages}").get_data(as_text=True)
    assert last.count('rel="nofollow noopener"') == total - 50 * (pages - 1) and 'rel="next"' not in last
    shown = set(re.findall(r'<a href="([^"]+)" rel="nofollow noopener"', first + last))
    assert shown <= {e["url"] for e in everything["evidence"]}
    download = client.get("/evidence?format=csv")
    assert download.is_streamed and download.headers["Content-Disposition"].endswith('evidence.csv"')
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert len(rows) == total
    assert [r["evidence"] for r in rows] == [e["evidence"] for e in everything["evidence"]]


def test_a_filtered_list_is_counted_and_paged_the_same_way(app: Flask) -> None:
    client: FlaskClient = app.test_client()
    filtered = client.get("/evidence.json?sdg=11").get_json()
    assert 0 < filtered["count"] == len(filtered["evidence"]) < client.get("/evidence.json").get_json()["count"]
    rows = list(csv.DictReader(io.StringIO(client.get("/evidence?sdg=11&format=csv").get_data(as_text=True))))
    assert [r["evidence"] for r in rows] == [e["evidence"] for e in filtered["evidence"]]


@pytest.mark.parametrize("query", ["", "sdg=11", "from=2020-01-01&to=2024-12-31"])
def test_the_csv_download_is_the_text_of_the_named_query_rows(app: Flask, query: str) -> None:
    """The CSV is written from the rows as text (no term made); it is the same text the named query's rows give
    as CSV (`l4a query run evidence-for --format csv`), column for column."""
    from l4a.graph.sparql.queries import run_named_query
    from l4a.graph.sparql.tabular import rows_as
    from l4a.web.pages.evidence import COLUMNS

    given = dict(pair.split("=") for pair in query.split("&") if pair)
    rows = run_named_query(app.extensions["l4a_store"], "evidence-for", given, app.config["L4A_SETTINGS"].base_iri)
    download = app.test_client().get(f"/evidence?format=csv&{query}").get_data(as_text=True)
    assert rows and download == rows_as(rows, COLUMNS, "csv")
