"""The observation shapes (shapes/observation.ttl) as the second gate of `l4a monitor add`, after the field checks:
a shape violation is refused with the file, the line, the field and the shape's message in the chosen language, and
nothing is written; the shipped demo figures validate clean."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from l4a.graph.build import build
from l4a.graph.cli.main import main
from l4a.graph.monitoring.load import Observation, ObservationError, add_observations, shape_errors
from l4a.graph.monitoring.write import observation_quads
from l4a.graph.shacl.validation import shipped_validator
from l4a.graph.store.embedded import EmbeddedStore

D = dt.date
ID = "https://w3id.org/l4a/id/"
DEMO = f"{ID}hub/demo-exampleton-green-corridors"
GARDENS = f"{ID}indicator/demo-exampleton-gardens"
FIGURES = """hub: demo-exampleton-green-corridors
reported_by: Test reporter
source: https://example.org/figures
observations:
  - indicator: demo-exampleton-canopy
    value: 15.25
    date: 2026-01-20
  - indicator: demo-exampleton-gardens
    value: 5
    date: 2026-02-01
"""


@pytest.fixture()
def store(tmp_path: Path) -> EmbeddedStore:
    store = EmbeddedStore.open(tmp_path / "store")
    build(store, with_examples=True)
    return store


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_demo_figures_validate_clean(store: EmbeddedStore) -> None:
    results = shipped_validator().validate_store(store).results
    observations = [r for r in results if "/id/observation/" in r.focus]
    assert observations == []
    assert store.ask(
        "PREFIX l4a: <https://w3id.org/l4a/ontology#> ASK { ?o a l4a:Observation }", {}
    )  # there are observations to validate


def test_l4a_validate_with_examples_reports_no_observation(tmp_path: Path) -> None:
    env = {"L4A_DATA_DIR": str(tmp_path / "data"), "L4A_CONFIG": str(tmp_path / "absent.toml")}
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--quiet", "--with-examples"], env=env).exit_code == 0
    result = runner.invoke(main, ["validate", "--format", "json"], env=env)
    report = json.loads(result.stdout)
    assert report["results"]  # the real hubs' documented gaps are there ...
    assert [r for r in report["results"] if "/id/observation/" in r["focus"] or "observation-" in r["shape"]] == []


def test_a_file_passing_the_field_checks_but_breaking_a_shape_is_refused(tmp_path: Path) -> None:
    """The gardens indicator is one of the hub's, but its record no longer says it is an indicator: the field checks
    pass, the shape `observation-indicator-exists` does not; the CLI says where, in French, and writes nothing."""
    data = tmp_path / "data"
    env = {"L4A_DATA_DIR": str(data), "L4A_CONFIG": str(tmp_path / "absent.toml")}
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--quiet", "--with-examples"], env=env).exit_code == 0
    store = EmbeddedStore.open(data / "store")
    try:
        store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{GARDENS}> a <https://w3id.org/l4a/ontology#Indicator> }} }}")
        before = store.quad_count()
    finally:
        store.close()
    path = write(tmp_path, "figures.yaml", FIGURES)
    result = runner.invoke(main, ["monitor", "add", "--lang", "fr", str(path)], env=env)
    assert result.exit_code == 2
    assert f"{path}, line 8: `indicator`: Indicateur enregistré\u00a0: " in result.stderr
    store = EmbeddedStore.open(data / "store")
    try:
        assert store.quad_count() == before  # nothing written, not even the first, valid observation
        assert not [g for g in store.named_graphs() if g.endswith("/monitoring/demo-exampleton-green-corridors/1")]
    finally:
        store.close()


def test_an_observation_dated_after_its_recording_is_refused(store: EmbeddedStore, tmp_path: Path) -> None:
    """With `today` set in the future the field check lets 2098 through; the shape compares with the recording time."""
    before = store.quad_count()
    path = write(tmp_path, "late.yaml", FIGURES.replace("2026-02-01", "2098-01-01"))
    with pytest.raises(ObservationError) as caught:
        add_observations(store, path, today=D(2099, 1, 1), lang="es")
    error = caught.value
    assert (error.code, error.field) == ("shape", "date")
    assert f"{path}, line 8" in str(error) and "Observada antes de registrarse: " in str(error)
    assert store.quad_count() == before


def test_shape_errors_on_a_hand_made_graph(store: EmbeddedStore) -> None:
    """The gate on quads built by hand: a reporter without a name and a second source."""
    observation = Observation(GARDENS, Decimal(3), D(2026, 3, 1), "https://example.org/a", "Someone", line=12)
    graph = "https://w3id.org/l4a/graph/monitoring/demo-exampleton-green-corridors/hand"
    quads, by_node = observation_quads([observation], DEMO, graph)
    assert shape_errors(store, quads, "hand.yaml", by_node) == []
    node = next(iter(by_node))
    g = ox.NamedNode(graph)
    broken = [q for q in quads if q.predicate.value != "http://www.w3.org/2000/01/rdf-schema#label"]
    broken.append(
        ox.Quad(
            ox.NamedNode(node), ox.NamedNode("http://purl.org/dc/terms/source"), ox.NamedNode("https://b.example/"), g
        )
    )
    errors = shape_errors(store, broken, "hand.yaml", by_node, lang="fr")
    found = {(e.field, e.params["shape"].rsplit("#", 1)[1]) for e in errors}
    assert found == {("reported_by", "observation-reporter-name"), ("source", "observation-source")}
    assert all(str(e).startswith("hand.yaml, line 12: ") for e in errors)
    assert any("Nom de l'auteur\u00a0: " in str(e) for e in errors)


def test_history_is_kept_through_the_gate(store: EmbeddedStore, tmp_path: Path) -> None:
    first = add_observations(store, write(tmp_path, "a.yaml", FIGURES))
    second = add_observations(store, write(tmp_path, "b.yaml", FIGURES.replace("15.25", "15.5")))
    assert first.graph != second.graph
    assert shipped_validator().validate_graph(store, second.graph).results == []
