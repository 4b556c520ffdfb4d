"""Hypothesis fuzzing, bounded for CI (a few hundred examples, seconds): the proposal readers (YAML, JSON, CSV)
and the web endpoints' parameters. A reader either gives proposals or an InputError (never another exception),
a refused file stores nothing; an endpoint never answers 5xx nor shows a traceback."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from l4a.graph.errors import L4AError
from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.proposals.pipeline import submit
from l4a.graph.store.embedded import EmbeddedStore

from .webapp import web_app

EXAMPLES = Path(__file__).parents[1] / "docs" / "examples"
VALID = yaml.safe_load((EXAMPLES / "proposal-exampleton.en.yaml").read_text(encoding="utf-8"))
CSV_ROWS = list(csv.DictReader(io.StringIO((EXAMPLES / "proposals.csv").read_text(encoding="utf-8"))))
BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Hostile values: text with markup, quotes and control characters, numbers, nesting, nothing.
scalars = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["<script>alert(1)</script>", "'\"}>{", "\x00", "9999-99-99", "-1", "1e309", "NaN", "", " "]),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _flatten(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _flatten(v, f"{prefix}{k}.")] + ([prefix[:-1]] if prefix else [])
    return [prefix[:-1]]


def _mutate(data: Any, path: list[str], value: Any) -> Any:
    if not path or not isinstance(data, dict):
        return value
    copy = dict(data)
    copy[path[0]] = _mutate(copy.get(path[0]), path[1:], value)
    return copy


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    from l4a.graph.build import build

    made = EmbeddedStore.open(tmp_path_factory.mktemp("fuzz") / "store")
    build(made, DEFAULT_BASE)
    yield made
    made.close()


def _submit_or_refuse(store: EmbeddedStore, path: Path) -> None:
    before = set(store.named_graphs())
    try:
        submit(store, [path], DEFAULT_BASE)
    except L4AError:
        assert set(store.named_graphs()) == before  # refused: nothing stored


@BOUNDED
@given(field=st.sampled_from(_flatten(VALID)), value=values, as_json=st.booleans())
def test_a_proposal_with_one_hostile_field_is_stored_or_refused_cleanly(
    store: EmbeddedStore, tmp_path: Path, field: str, value: Any, as_json: bool
) -> None:
    data = _mutate(VALID, field.split("."), value)
    path = tmp_path / ("p.json" if as_json else "p.yaml")
    text = json.dumps(data, default=str) if as_json else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    _submit_or_refuse(store, path)


@BOUNDED
@given(text=st.text(max_size=300), suffix=st.sampled_from(["yaml", "json", "csv"]))
def test_arbitrary_text_is_stored_or_refused_cleanly(
    store: EmbeddedStore, tmp_path: Path, text: str, suffix: str
) -> None:
    path = tmp_path / f"p.{suffix}"
    path.write_text(text, encoding="utf-8")
    _submit_or_refuse(store, path)


@BOUNDED
@given(column=st.sampled_from(sorted(CSV_ROWS[0])), value=st.text(max_size=40))
def test_a_csv_row_with_one_hostile_cell_is_stored_or_refused_cleanly(
    store: EmbeddedStore, tmp_path: Path, column: str, value: str
) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CSV_ROWS[0]))
    writer.writeheader()
    writer.writerow({**CSV_ROWS[0], column: value})
    path = tmp_path / "p.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    _submit_or_refuse(store, path)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with web_app(tmp_path_factory.mktemp("fuzz-web"), query_timeout=2.0) as made:
        yield made


ENDPOINTS = [
    "/hubs",
    "/api/hubs",
    "/api/stats",
    "/sparql",
    "/queries/hubs-by-sdg",
    "/sdg/11",
    "/network",
    "/evidence",
    "/propose",
    "/hubs/bilbao-city-of-values",
]
param_names = st.sampled_from(
    [
        "q",
        "query",
        "limit",
        "offset",
        "sdg",
        "lang",
        "format",
        "council",
        "section",
        "country",
        "page",
        "default-graph-uri",
    ]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(ENDPOINTS),
    params=st.dictionaries(param_names, st.text(max_size=30), max_size=3),
    accept=st.sampled_from(["text/html", "application/json", "*/*", "text/turtle", "x/\x7f"]),
)
def test_endpoint_parameters_never_give_a_5xx(app: Flask, path: str, params: dict[str, str], accept: str) -> None:
    client: FlaskClient = app.test_client()
    answer = client.get(path, query_string=params, headers={"Accept": accept})
    body = answer.get_data(as_text=True)
    assert answer.status_code < 500, (path, params, answer.status_code, body[:500])
    assert "Traceback" not in body
