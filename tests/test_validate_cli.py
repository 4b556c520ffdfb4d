"""`l4a validate`: exit codes, the must-show cases in plain words in en/fr/es, and the three output formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from rdflib import Graph, Namespace

SHAPES_DATA = Path(__file__).parent / "data" / "shapes"
VALID = (SHAPES_DATA / "valid-hub.ttl").read_text(encoding="utf-8")
SH = Namespace("http://www.w3.org/ns/shacl#")
Cli = Callable[..., Result]

BREAKS = {
    "five-years": (
        'l4a:endDate "2023-02-28"^^xsd:date ;',
        'l4a:endDate "2026-03-01"^^xsd:date ;',
        {"en": "Duration", "fr": "Durée", "es": "Duración"},
    ),
    "university-alone": (
        "l4a:ledBy organisation:exampleton-municipality",
        "l4a:ledBy organisation:exampleton-university",
        {"en": "Locally driven", "fr": "Portage local", "es": "Liderazgo local"},
    ),
    "target-18.1": (
        "sdg:11.7 , sdg:13.1",
        "sdg:11.7 , sdg:13.1 , sdg:18.1",
        {"en": "18.1", "fr": "18.1", "es": "18.1"},
    ),
}


def write(tmp_path: Path, text: str, name: str = "hub.ttl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_complete_valid_hub_exits_0_even_as_a_proposal(cli: Cli, tmp_path: Path) -> None:
    hub = write(tmp_path, VALID)
    for args in ([str(hub)], [str(hub), "--proposal"]):
        result = cli("validate", *args)
        assert result.exit_code == 0, result.stdout
        assert "conforms (0 Violations, 0 Warnings, 0 Info)" in result.stdout


@pytest.mark.parametrize("case", sorted(BREAKS))
@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_must_show_cases_exit_1_naming_the_rule(cli: Cli, tmp_path: Path, case: str, lang: str) -> None:
    old, new, words = BREAKS[case]
    assert old in VALID
    hub = write(tmp_path, VALID.replace(old, new))
    result = cli("validate", str(hub), "--lang", lang)
    assert result.exit_code == 1
    word = {"en": "Violation:", "fr": "Violation\u00a0:", "es": "Infracción:"}[lang]  # French: a space before ":"
    violations = [line for line in result.stdout.splitlines() if line.strip().startswith(f"- {word}")]
    assert violations and all(words[lang] in line for line in violations), result.stdout


def test_json_output(cli: Cli, tmp_path: Path) -> None:
    old, new, _ = BREAKS["university-alone"]
    result = cli("validate", str(write(tmp_path, VALID.replace(old, new))), "--format", "json")
    data = json.loads(result.stdout)
    assert data["conforms"] is False
    assert {"focus", "path", "severity", "message", "value"} <= set(data["results"][0])
    assert {r["severity"] for r in data["results"]} == {"Violation"}
    assert data["results"][0]["focus"] == "https://w3id.org/l4a/id/hub/exampleton-green-corridors"


def test_turtle_output_is_a_shacl_report(cli: Cli, tmp_path: Path) -> None:
    old, new, _ = BREAKS["five-years"]
    result = cli("validate", str(write(tmp_path, VALID.replace(old, new))), "--format", "turtle", "--lang", "fr")
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert [c.toPython() for c in graph.objects(None, SH.conforms)] == [False]
    messages = list(graph.objects(None, SH.resultMessage))
    assert messages and all(m.language == "fr" for m in messages)


def test_proposal_gate_turns_gaps_into_violations(cli: Cli, tmp_path: Path) -> None:
    text = VALID.replace("    l4a:hasCommunicationPlan plan:exampleton-green-corridors ;\n", "")
    hub = write(tmp_path, text)
    assert cli("validate", str(hub)).exit_code == 0  # a published record with a gap: a Warning
    gated = cli("validate", str(hub), "--proposal", "--format", "json")
    assert gated.exit_code == 1
    results = json.loads(gated.stdout)["results"]
    assert [r["severity"] for r in results] == ["Violation"]  # the Warning twin is not repeated


def test_store_and_one_hub(cli: Cli) -> None:
    assert cli("build", "--quiet").exit_code == 0
    whole = cli("validate")
    assert whole.exit_code == 0 and "0 Violation" in whole.stdout
    one = cli("validate", "--hub", "xian-youth-education-dialogue", "--format", "json")
    focus = {r["focus"] for r in json.loads(one.stdout)["results"]}
    assert focus == {"https://w3id.org/l4a/id/hub/xian-youth-education-dialogue"}
    missing = cli("validate", "--hub", "atlantis")
    assert missing.exit_code == 2 and "no hub 'atlantis'" in missing.stderr


def test_one_hub_by_slug_reads_neither_the_hub_table_nor_every_owner(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate --hub` and `monitor status --hub` with a hub's exact slug look that hub up alone: the hub table and
    the owner of every node (seconds to read on a big store after a write) are not read; a part of a name still
    searches the table. The text report groups the results under the hub the same way."""
    assert cli("build", "--quiet").exit_code == 0
    slug = "bilbao-city-of-values"
    searched = cli("validate", "--hub", "bilbao", "--format", "text")  # a part of the name: the table is searched
    assert searched.exit_code == 0

    class NoTable:
        @classmethod
        def from_store(cls, *args: object, **kwargs: object) -> None:
            raise AssertionError("the hub table was read for an exact slug")

    def no_owners(*args: object) -> None:
        raise AssertionError("every node's owner was read for one hub")

    monkeypatch.setattr("l4a.graph.reports.hub_table.HubTable", NoTable)  # imported by the command when it runs
    monkeypatch.setattr("l4a.graph.shacl.validation.owners", no_owners)
    exact = cli("validate", "--hub", slug, "--format", "text")
    assert exact.exit_code == 0 and exact.stdout == searched.stdout
    assert "https://w3id.org/l4a/id/hub/" + slug in exact.stdout  # results grouped under the hub
    assert cli("validate", "--hub", "https://w3id.org/l4a/id/hub/" + slug, "--format", "text").stdout == exact.stdout
    assert cli("monitor", "status", "--hub", slug).exit_code == 0


def test_unreadable_input_exits_2(cli: Cli, tmp_path: Path) -> None:
    broken = write(tmp_path, VALID.replace("a l4a:Hub ;", "a l4a:Hub ;;; ["))
    result = cli("validate", str(broken))
    assert result.exit_code == 2 and "hub.ttl, line" in result.stderr
    assert cli("validate", str(tmp_path / "none.ttl")).exit_code == 2


def test_the_json_report_reads_back_as_the_results_whatever_their_text() -> None:
    """The JSON report (one result a line) parses back to the same results, with quotes, line breaks, brackets and
    non-ASCII text in them, and to an empty list when nothing is wrong."""
    import json as json_module

    from l4a.graph.shacl.report import report_json
    from l4a.graph.shacl.validation import ValidationReport, ValidationResult

    tricky = ['a "quoted" value', "two\nlines", "],\n{", "Écologie — ½", "\\", "\u2028"]
    results = [
        ValidationResult(f"https://w3id.org/l4a/id/hub/h{n}", None if n % 2 else "p", text, "Violation", text, "s", "c")
        for n, text in enumerate(tricky)
    ]
    for report in (ValidationReport(results), ValidationReport([])):
        data = json_module.loads(report_json(report))
        assert data == {"conforms": report.conforms, "engine": "compiler",
                        "results": [r.as_dict() for r in report.results]}  # fmt: skip
