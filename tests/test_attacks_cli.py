"""Issue 15, items 8 and 16: files built to explode or to crash the readers get exit 2 and a message (never a
traceback or an out-of-memory abort); a Turtle file with a byte order mark is read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from .attacks import WRITE_TOKEN
from .webapp import web_app

Cli = Callable[..., Result]

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/s"><ex:p>&d;</ex:p></rdf:Description>
</rdf:RDF>
"""
ALIASES = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
name: [*g, *g, *g, *g, *g, *g, *g, *g, *g]
"""


def written(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def assert_usage_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output


def test_xml_entities_are_refused_by_import_and_validate(cli: Cli, tmp_path: Path) -> None:
    path = written(tmp_path, "laughs.rdf", LAUGHS)
    assert_usage_error(cli("import", str(path)), "ENTITY")
    assert_usage_error(cli("validate", str(path)), "ENTITY")


def test_xml_entities_are_refused_by_the_web_import(tmp_path: Path) -> None:
    with web_app(tmp_path / "data", write_token=WRITE_TOKEN) as app:
        import io

        reply = app.test_client().post(
            "/staff/import",
            data={"file": (io.BytesIO(LAUGHS.encode()), "laughs.rdf")},
            headers={"Authorization": f"Bearer {WRITE_TOKEN}"},
            content_type="multipart/form-data",
        )
        assert reply.status_code == 400, reply.get_data(as_text=True)[:500]
        assert "ENTITY" in reply.get_data(as_text=True)


def test_yaml_aliases_are_refused(cli: Cli, tmp_path: Path) -> None:
    assert_usage_error(cli("propose", str(written(tmp_path, "laughs.yaml", ALIASES))), "aliases")


def test_duplicate_keys_are_refused(cli: Cli, tmp_path: Path) -> None:
    assert_usage_error(cli("propose", str(written(tmp_path, "twice.yaml", "name: a\nname: b\n"))), "twice")
    assert_usage_error(cli("propose", str(written(tmp_path, "twice.json", '{"name": "a", "name": "b"}'))), "twice")


@pytest.mark.parametrize(
    ("name", "text"),
    [("deep.yaml", "a: " + "[" * 5000 + "]" * 5000), ("deep.json", "[" * 100_000 + "]" * 100_000)],
    ids=["yaml", "json"],
)
def test_deeply_nested_files_are_refused(cli: Cli, tmp_path: Path, name: str, text: str) -> None:
    assert_usage_error(cli("propose", str(written(tmp_path, name, text))), "nested")


def test_a_5000_digit_figure_is_refused(cli: Cli, tmp_path: Path) -> None:
    figures = "hub: x\nobservations:\n  - indicator: y\n    value: " + "9" * 5000 + "\n    date: 2026-01-01\n"
    assert_usage_error(cli("monitor", "add", str(written(tmp_path, "big.yaml", figures))), "line 4")


def test_a_parameter_with_a_line_break_is_refused(cli: Cli) -> None:
    assert cli("build").exit_code == 0
    assert_usage_error(cli("query", "run", "hub-profile", "-p", "hub=http://a\nb"), "not an IRI")


def test_a_turtle_file_with_a_byte_order_mark_is_read(cli: Cli, tmp_path: Path) -> None:
    path = written(tmp_path, "bom.ttl", b'\xef\xbb\xbf<http://example.org/a> <http://example.org/b> "c" .\n')
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "1 quads" in result.output
