"""`l4a hubs`, and hub arguments given by slug, IRI or part of a slug or title (`l4a related bilbao`); an ambiguous
or unknown name is an error listing the closest hubs (exit 2); an empty answer says why on stderr."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import Result

from l4a.graph.reports.hub_lookup import HubNotFound, find_hub
from l4a.graph.reports.hub_table import HubRow

BILBAO = "https://w3id.org/l4a/id/hub/bilbao-city-of-values"


@pytest.fixture
def built(cli: Callable[..., Result]) -> Callable[..., Result]:
    assert cli("build", "--quiet").exit_code == 0
    return cli


def test_hubs_lists_every_hub_with_its_slug(built: Callable[..., Result]) -> None:
    table = built("hubs")
    assert table.exit_code == 0
    assert any(line.startswith("bilbao-city-of-values ") for line in table.output.splitlines())
    rows = json.loads(built("hubs", "--format", "json").output)
    assert len(rows) == 7 and {"slug", "hub", "names", "start", "end"} <= set(rows[0])
    assert {r["slug"] for r in rows} >= {"bilbao-city-of-values", "valongo-participation4all"}


@pytest.mark.parametrize("given", ["bilbao", "BILBAO", "bilbao-city-of-values", BILBAO, "city of values", "Balioen"])
def test_a_hub_is_found_by_slug_iri_or_part_of_its_name(built: Callable[..., Result], given: str) -> None:
    answer = built("related", given, "--format", "json")
    assert answer.exit_code == 0, answer.output
    assert all(r["hub"] != BILBAO for r in json.loads(answer.output))  # related to Bilbao, not Bilbao itself
    assert json.loads(answer.output)


def test_an_ambiguous_or_unknown_hub_lists_the_closest(built: Callable[..., Result]) -> None:
    ambiguous = built("related", "local4action")
    assert ambiguous.exit_code == 2
    assert "hubs answer to 'local4action'" in ambiguous.output and "bilbao-city-of-values" in ambiguous.output
    unknown = built("partners", "bilbau")
    assert unknown.exit_code == 2
    assert "there is no hub 'bilbau'" in unknown.output
    assert unknown.output.index("bilbao-city-of-values") < unknown.output.index("l4a hubs")


def test_accents_are_ignored_and_exact_slugs_win() -> None:
    rows = [
        HubRow("https://x/id/hub/avcilar", {"en": "Avcilar Eko-Bil"}),
        HubRow("https://x/id/hub/echeverria", {"es": "Esteban Echeverría"}),
        HubRow("https://x/id/hub/echeverria-2", {"es": "Esteban Echeverría, segunda fase"}),
    ]
    assert find_hub(rows, "echeverria").slug == "echeverria"  # the exact slug, though two names contain it
    assert find_hub(rows, "segunda").slug == "echeverria-2"
    assert find_hub(rows, "ECHEVERRÍA FASE").slug == "echeverria-2"
    with pytest.raises(HubNotFound) as raised:
        find_hub(rows, "esteban")
    assert [slug for slug, _ in raised.value.candidates] == ["echeverria", "echeverria-2"]


def test_no_partner_says_why(built: Callable[..., Result]) -> None:
    # A hub the shipped data gives no partner (it shares no recorded link with another hub): the empty list says
    # what a partner is and what would fill it, and that pending suggestions count only when asked.
    empty = [slug for slug in ("valongo", "avcilar", "diputacio")
             if built("partners", slug, "--format", "json").output.strip() == "[]"]  # fmt: skip
    assert empty, "no shipped hub without partners to try"
    answer = built("partners", empty[0])
    assert answer.exit_code == 0
    assert "partners are related hubs not linked to it yet" in answer.output
    assert "--include-suggested" in answer.output


def test_validate_and_monitor_take_a_part_of_the_name(built: Callable[..., Result]) -> None:
    answer = built("validate", "--hub", "valongo", "--format", "json")
    assert answer.exit_code in (0, 1) and "valongo-participation4all" in answer.output
    unknown = built("validate", "--hub", "valongue")
    assert unknown.exit_code == 2 and "valongo-participation4all" in unknown.output
