"""`l4a validate --shapes FILE`: a user's own shapes, run by the project's compiler when it compiles them all, by
pySHACL otherwise (SHACL-SPARQL, sh:qualifiedValueShape, ...), with the same report that names the engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from rdflib import Graph, Namespace

from l4a.graph.settings import Settings
from l4a.graph.shacl.user_shapes import COMPILER, PYSHACL, PyshaclValidator, read_user_shapes, user_validator
from l4a.graph.shacl.validation import ValidationReport, run_validation

DATA = Path(__file__).parent / "data" / "user-shapes"
HUBS = DATA / "hubs.ttl"
LONG, SHORT = "https://example.org/hub/fictional-long", "https://example.org/hub/fictional-short"
SHAPES = "https://example.org/shapes#"
PROV = Namespace("http://www.w3.org/ns/prov#")
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _keys(report: ValidationReport) -> set[tuple[str | None, ...]]:
    return {(r.focus, r.path, r.value, r.severity, r.shape, r.component) for r in report.results}


def test_shapes_the_compiler_compiles_run_compiled_with_pyshacls_results(settings: Settings) -> None:
    shapes = read_user_shapes(DATA / "compiled.ttl")
    assert shapes.engine == COMPILER and shapes.model is not None
    compiled, _ = run_validation(settings, [HUBS], None, False, "en", user_validator(shapes))
    checked, _ = run_validation(settings, [HUBS], None, False, "en", PyshaclValidator(shapes))
    assert (compiled.engine, checked.engine) == (COMPILER, PYSHACL)
    assert _keys(compiled) == _keys(checked)
    assert {(r.focus, r.shape.removeprefix(SHAPES), r.severity, r.value) for r in compiled.results} == {
        (LONG, "hub-start-is-a-day", "Violation", "2024-01"),  # a month is not xsd:date
        (SHORT, "hub-has-an-end", "Warning", None),
        (SHORT, "hub-title-languages", "Violation", "Diminuto"),  # @de
    }


def test_cli_names_the_compiler(cli: Callable[..., Result]) -> None:
    result = cli("validate", str(HUBS), "--shapes", str(DATA / "compiled.ttl"), "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["engine"] == "compiler" and data["conforms"] is False
    assert len(data["results"]) == 3
    text = cli("validate", str(HUBS), "--shapes", str(DATA / "compiled.ttl")).stdout
    assert "My hub rules" not in text  # rule headings are the shapes with a result: property shapes here
    assert "The start must be a day (xsd:date). (value: 2024-01)" in text and text.endswith("engine: compiler\n")


def test_a_shacl_sparql_constraint_runs_with_pyshacl(cli: Callable[..., Result]) -> None:
    shapes = read_user_shapes(DATA / "sparql.ttl")
    assert shapes.engine == PYSHACL and "SHACL-SPARQL" in shapes.reason
    args = ("validate", str(HUBS), "--shapes", str(DATA / "sparql.ttl"))
    result = cli(*args, "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["engine"] == "pyshacl" and data["conforms"] is False
    found = {(r["focus"], r["value"], r["severity"], r["message"]) for r in data["results"]}
    assert found == {
        (SHORT, title, "Violation", f"Title too short: {title}") for title in ("Tiny", "Minuscule", "Diminuto")
    }  # the long title passes; "Fictional hub with a long enough title" is not reported
    assert all(r["shape"] == SHAPES + "HubTitleShape" for r in data["results"])
    text = cli(*args, "--lang", "fr").stdout
    assert "Title too short: Tiny (valeur\u00a0: Tiny)" in text and text.endswith("moteur\u00a0: pyshacl\n")
    assert "n'est pas conforme (3 violations" in text
    turtle = Graph().parse(data=cli(*args, "--format", "turtle").stdout, format="turtle")
    engines = {str(o) for agent in turtle.objects(None, PROV.wasAttributedTo) for o in turtle.objects(agent, None)}
    assert "pyshacl" in engines and len(set(turtle.subjects(None, None))) > 3


def test_shacl_core_the_compiler_does_not_support_runs_with_pyshacl(cli: Callable[..., Result]) -> None:
    shapes = read_user_shapes(DATA / "qualified.ttl")
    assert shapes.engine == PYSHACL and "#qualified" in shapes.reason  # the compiler refuses it
    data = json.loads(cli("validate", str(HUBS), "--shapes", str(DATA / "qualified.ttl"), "--format", "json").stdout)
    assert data["engine"] == "pyshacl"
    assert {(r["focus"], r["shape"]) for r in data["results"]} == {(LONG, SHAPES + "two-titles")}  # no French title


def test_a_broken_shapes_file_exits_2_with_file_and_line(cli: Callable[..., Result]) -> None:
    result = cli("validate", str(HUBS), "--shapes", str(DATA / "broken.ttl"))
    assert result.exit_code == 2 and "broken.ttl, line 7" in result.output and "Traceback" not in result.output
    missing = cli("validate", "--shapes", str(DATA / "nowhere.ttl"))
    assert missing.exit_code == 2 and "nowhere.ttl" in missing.output and "no such file" in missing.output
    not_shapes = cli("validate", str(HUBS), "--shapes", str(HUBS))
    assert not_shapes.exit_code == 2 and "no SHACL shape" in not_shapes.output


def test_without_shapes_the_report_names_the_compiler(cli: Callable[..., Result]) -> None:
    result = cli("validate", str(HUBS), "--format", "json")
    assert json.loads(result.stdout)["engine"] == "compiler"
