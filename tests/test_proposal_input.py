"""Reading proposals: YAML, JSON and CSV with the place of every error, and forgiving references."""

from __future__ import annotations

from pathlib import Path

import pytest

from l4a.graph.errors import InputError
from l4a.graph.namespaces import DEFAULT_BASE, L4A
from l4a.graph.proposals.input import MAX_PROPOSAL_BYTES, read_proposals
from l4a.graph.proposals.rdf import map_proposal
from l4a.graph.proposals.references import shipped_references

EXAMPLES = Path(__file__).parents[1] / "docs" / "examples"
SDG = "http://metadata.un.org/sdg/"


def mapped(tmp_path: Path, text: str, kind: str = "yaml"):  # type: ignore[no-untyped-def]
    path = tmp_path / f"p.{kind}"
    path.write_text(text, encoding="utf-8")
    return [map_proposal(raw, shipped_references(), DEFAULT_BASE) for raw in read_proposals(path, kind)]


def objects(found, predicate: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {t.object.value for t in found.triples if t.predicate.value == predicate}


@pytest.mark.parametrize("given", ["11.3", "SDG 11.3", "sdg11.3", "Target 11.3", "Cible 11.3", "Meta 11.3",
                                   "ODS 11.3", f"{SDG}11.3"])  # fmt: skip
def test_sdg_target_written_any_usual_way(tmp_path: Path, given: str) -> None:
    [found] = mapped(tmp_path, f"name: X\nsdg_targets: ['{given}']\n")
    assert objects(found, L4A + "addressesTarget") == {SDG + "11.3"}
    assert not found.unresolved


@pytest.mark.parametrize("given", ["Ecology", "Écologie", "Ecología", "ecology", "https://w3id.org/l4a/id/manifesto/ecology"])
def test_manifesto_by_name_in_any_language_or_iri(tmp_path: Path, given: str) -> None:
    [found] = mapped(tmp_path, f"name: X\nmanifestos: ['{given}']\n")
    assert objects(found, L4A + "addressesManifesto") == {"https://w3id.org/l4a/id/manifesto/ecology"}


@pytest.mark.parametrize(
    "given",
    [
        "Safer, Resilient and Sustainable Cities, Capable of Facing Crises",  # the 2017-2022 term
        "Resilient and Regenerative Territories: Renaturalizing",  # the 2023-2026 term
    ],
)
def test_council_of_either_term_by_name(tmp_path: Path, given: str) -> None:
    [found] = mapped(tmp_path, f"name: X\npolicy_councils: ['{given}']\n")
    [council] = objects(found, L4A + "relevantCouncil")
    assert council.startswith("https://w3id.org/l4a/id/council/")


def test_unknown_references_come_back_with_the_closest_valid_ones(tmp_path: Path) -> None:
    [found] = mapped(tmp_path, "name: X\nsdg_targets: ['SDG 18.1']\nmanifestos: [Ecolgy]\nsection: FLACAM\n")
    by_kind = {u.kind: u for u in found.unresolved}
    assert by_kind["target"].given == "SDG 18.1" and by_kind["target"].path == "sdg_targets[0]"
    assert by_kind["target"].suggestions and all(SDG + s in shipped_references().vocabularies["target"].iris
                                                 for s in by_kind["target"].suggestions)  # fmt: skip
    assert "Ecology" in by_kind["manifesto"].suggestions
    assert by_kind["section"].suggestions[0].startswith("FLACMA")
    assert not objects(found, L4A + "addressesTarget")  # nothing invented


def test_lead_with_type_country_and_wikidata(tmp_path: Path) -> None:
    text = "name: X\nlead:\n  - name: Ville de Test\n    type: collectivité locale\n    country: fr\n"
    text += "    wikidata: Q90\n"
    [found] = mapped(tmp_path, text)
    org = next(t.subject for t in found.triples if t.object.value == L4A + "LocalGovernment")
    facts = {t.predicate.value: t.object.value for t in found.triples if t.subject == org}
    assert facts[L4A + "countryCode"] == "FR"
    assert facts["http://www.w3.org/2002/07/owl#sameAs"] == "http://www.wikidata.org/entity/Q90"


def test_a_value_of_the_wrong_kind_names_its_field_path_and_line(tmp_path: Path) -> None:
    text = (EXAMPLES / "proposal-exampleton.en.yaml").read_text().replace("target_value: 18", "target_value: eighteen")
    with pytest.raises(InputError) as caught:
        mapped(tmp_path, text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "eighteen" in row)
    assert "deliverables[0].indicators[0].target_value" in str(caught.value)
    assert caught.value.location is not None and caught.value.location.line == line


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name: X\nsdg_target: ['11.3']\n", "did you mean 'sdg_targets'"),
        ("name: X\nstart_date: 2026-13-01\n", "is not a date"),
        ("name: X\ncountry: Spain\n", "not a country code"),
        ("name: X\nevidence: [www.example.org]\n", "not a web address"),
        ("name: X\nid: Not An Id\n", "not an identifier"),
    ],
)
def test_malformed_values_are_input_errors(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(InputError, match="(?i)" + words):
        mapped(tmp_path, text)


def test_broken_yaml_gives_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        mapped(tmp_path, "id: x\nname: [unclosed\nlead: a\n")
    assert caught.value.location is not None and caught.value.location.line == 3


def test_broken_json_gives_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        mapped(tmp_path, '{"name": "X",\n "lead": }', "json")
    assert caught.value.location is not None and (caught.value.location.line, caught.value.location.column) == (2, 10)


def test_json_errors_name_the_field_even_without_lines(tmp_path: Path) -> None:
    text = '{"name": "X", "deliverables": [{"title": "T", "indicators": [{"baseline": "twelve"}]}]}'
    with pytest.raises(InputError, match=r"deliverables\[0\]\.indicators\[0\]\.baseline"):
        mapped(tmp_path, text, "json")


def test_json_list_of_proposals(tmp_path: Path) -> None:
    found = mapped(tmp_path, '[{"name": "First hub"}, {"name": {"fr": "Deuxième hub"}}]', "json")
    assert [m.id for m in found] == ["first-hub", "deuxieme-hub"]


def test_csv_rows_with_repeated_values_and_numbered_deliverables(tmp_path: Path) -> None:
    text = (
        "id,name_en,name_fr,sdg_targets,manifestos,lead_name,lead_type,deliverable_1_title,deliverable_1_baseline\n"
        'one,First hub,Premier hub,11.3; 13.1,Ecology,"Town A; Region B",local government; regional government,'
        "Plan,2\n"
        "two,Second hub,,6.1,,Town C,local government,,\n"
    )
    first, second = mapped(tmp_path, text, "csv")
    assert objects(first, L4A + "addressesTarget") == {SDG + "11.3", SDG + "13.1"}
    assert objects(first, "http://purl.org/dc/terms/title") >= {"First hub", "Premier hub"}
    leads = objects(first, L4A + "ledBy")
    assert len(leads) == 2
    assert L4A + "RegionalGovernment" in objects(first, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert objects(first, L4A + "baseline") == {"2"}
    assert second.id == "two" and objects(second, L4A + "addressesTarget") == {SDG + "6.1"}


def test_csv_unknown_column_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown column 'sdg'") as caught:
        mapped(tmp_path, "name_en,sdg\nX,11.3\n", "csv")
    assert caught.value.location is not None and caught.value.location.column == 2


def test_oversized_proposal_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="limit for one proposal"):
        mapped(tmp_path, "name: X\ndescription: " + "a" * (MAX_PROPOSAL_BYTES + 1) + "\n")


def test_markup_is_kept_as_text(tmp_path: Path) -> None:
    payload = "<script>alert('x')</script><b>bold</b>"
    [found] = mapped(tmp_path, f'name: "{payload}"\n')
    assert payload in objects(found, "http://purl.org/dc/terms/title")
