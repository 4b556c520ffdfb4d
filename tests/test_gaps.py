"""Gaps: the SDG targets and manifestos no hub records a link to, over all hubs or a council's (either term) or a
section's, on a fixture whose answers its comment states (tests/data/gaps/lineage.trig)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from l4a.graph.errors import UsageError
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.exchange import import_files
from l4a.graph.sync.gaps import find_gaps

DATA = Path(__file__).parent / "data" / "gaps" / "lineage.trig"
SDG = "http://metadata.un.org/sdg/"
MANIFESTO = "https://w3id.org/l4a/id/manifesto/"
Cli = Callable[..., Result]


@pytest.fixture
def store() -> EmbeddedStore:
    made = EmbeddedStore.in_memory()
    import_files(made, [DATA])
    return made


def names(store: EmbeddedStore, **given: str) -> tuple[set[str], set[str]]:
    found = find_gaps(store, **given).as_dict()
    return (
        {t["target"].removeprefix(SDG) for t in found["targets"]},
        {m["manifesto"].removeprefix(MANIFESTO) for m in found["manifestos"]},
    )


@pytest.mark.parametrize(
    ("given", "targets", "manifestos"),
    [
        ({}, {"11.7"}, {"housing"}),
        ({"council": "new"}, {"11.7", "4.1"}, {"culture", "housing"}),  # hub a is on old, which new continues
        ({"council": "old"}, {"11.7", "4.1"}, {"culture", "housing"}),
        ({"section": "s2"}, {"11.3", "11.7"}, {"ecology", "housing"}),
        ({"council": "other", "section": "s1"}, {"11.3", "11.7", "4.1"}, {"ecology", "culture", "housing"}),
        ({"council": "https://w3id.org/l4a/id/council/new"}, {"11.7", "4.1"}, {"culture", "housing"}),
    ],
)
def test_gaps_by_council_and_section(
    store: EmbeddedStore, given: dict[str, str], targets: set[str], manifestos: set[str]
) -> None:
    assert names(store, **given) == (targets, manifestos)


def test_targets_carry_their_goal_and_manifestos_their_label(store: EmbeddedStore) -> None:
    found = find_gaps(store, council="new").as_dict()
    assert {"target": SDG + "4.1", "goal": SDG + "4"} in found["targets"]
    assert {"manifesto": MANIFESTO + "culture", "label": "Culture"} in found["manifestos"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"council": "nope"}, "no Policy Council 'nope'"),
        ({"section": "s3"}, "no UCLG section 's3'"),
        ({"section": "new"}, "no UCLG section 'new'"),  # a council is not a section
        ({"council": "x'} . ?s ?p ?o #"}, "is not an IRI"),
    ],
)
def test_an_unknown_or_invalid_council_or_section_is_an_error(
    store: EmbeddedStore, given: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        find_gaps(store, **given)


def test_cli_gaps_by_council_follows_the_lineage(cli: Cli) -> None:
    assert cli("import", str(DATA)).exit_code == 0
    found = json.loads(cli("gaps", "--council", "old", "--format", "json").stdout)
    assert [t["target"] for t in found["targets"]] == [SDG + "4.1", SDG + "11.7"]  # in numeric order
    assert [m["manifesto"] for m in found["manifestos"]] == [MANIFESTO + "culture", MANIFESTO + "housing"]
    csv = cli("gaps", "--section", "s2", "--format", "csv").stdout
    assert csv.splitlines()[:3] == ["target,goal", f"{SDG}11.3,{SDG}11", f"{SDG}11.7,{SDG}11"]
    assert "manifesto,label" in csv and f"{MANIFESTO}ecology,Ecology" in csv
    unknown = cli("gaps", "--council", "nope")
    assert unknown.exit_code == 2 and "no Policy Council 'nope'" in unknown.stderr
