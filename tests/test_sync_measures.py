"""Synchronization measures (docs/monitoring.md) on fixtures whose answers are known by construction: links between
hubs by kind and their dates, their growth by year, and the potential partners that became actual links."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner

from l4a.graph.build import build
from l4a.graph.cli.main import main
from l4a.graph.monitoring.load import links_over_time
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.sync.index import HubRecord, SyncIndex
from l4a.graph.sync.measures import HubFacts, Link, became_links, growth, hub_links, read_facts

D = dt.date


def facts() -> HubFacts:
    return HubFacts(
        starts={"A": D(2021, 3, 1), "B": D(2022, 6, 1), "C": D(2023, 1, 15), "D": None, "E": D(2024, 5, 1)},
        direct=[
            ("B", "builds-on", "A"),
            ("C", "synchronizes-with", "B"),
            ("B", "synchronizes-with", "C"),  # the same link stated by both hubs: one link
            ("A", "synchronizes-with", "D"),  # D has no start date: undated
            ("A", "builds-on", "A"),  # a hub and itself: no link
            ("A", "builds-on", "urn:not-a-hub"),
        ],
        partners={"A": {"p1", "p2"}, "C": {"p1"}, "E": {"p2", "p3"}, "B": {"p3"}},
        events={"A": {"ev1"}, "B": {"ev1", "ev2"}, "E": {"ev2"}, "C": {"ev3"}},
        event_dates={"ev1": D(2022, 11, 26), "ev2": None, "ev3": D(2020, 1, 1)},
    )


def test_links_by_kind_with_their_dates() -> None:
    assert hub_links(facts()) == [
        Link("A", "B", "builds-on", D(2022, 6, 1)),  # the later start of the two hubs
        Link("A", "B", "joint-event", D(2022, 11, 26), ("ev1",)),  # the joint event's day
        Link("B", "E", "joint-event", None, ("ev2",)),  # an undated event
        Link("A", "C", "shared-partner", D(2023, 1, 15), ("p1",)),
        Link("A", "E", "shared-partner", D(2024, 5, 1), ("p2",)),
        Link("B", "E", "shared-partner", D(2024, 5, 1), ("p3",)),
        Link("A", "D", "synchronizes-with", None),
        Link("B", "C", "synchronizes-with", D(2023, 1, 15)),
    ]


def test_growth_by_year_per_kind_and_pairs() -> None:
    counts = growth(hub_links(facts()))
    assert counts == {
        "builds-on": {2022: 1},
        "synchronizes-with": {2023: 1},
        "shared-partner": {2023: 1, 2024: 3},
        "joint-event": {2022: 1},
        "any": {2022: 1, 2023: 3, 2024: 5},  # A-B counted once, from 2022; B-E from its dated partner link
    }
    # builds on and synchronizes with together are what links_over_time counts, by the same rule
    assert links_over_time(facts().starts, [("B", "A"), ("C", "B"), ("A", "D")]) == {2022: 1, 2023: 2}


def record(iri: str, concepts: set[str], start: dt.date, end: dt.date, **links: set[str]) -> HubRecord:
    return HubRecord(iri, iri, set(concepts), start, end, frozenset(links.get("builds_on", ())),
                     frozenset(links.get("sync", ())))


def index() -> tuple[SyncIndex, list[Link]]:
    """H1 and H2 share two targets and run at the same time; H1 says it synchronizes with H2 (dated 2024-06-01, H2's
    start). H3 shares t1 with both and builds on H1 (dated 2024-03-01). H4 shares nothing; H5 ran years before."""
    built = SyncIndex()
    built.put_hubs(
        [
            record("H1", {"t1", "t2"}, D(2024, 1, 1), D(2025, 12, 31), sync={"H2"}),
            record("H2", {"t1", "t2"}, D(2024, 6, 1), D(2026, 6, 30)),
            record("H3", {"t1"}, D(2024, 3, 1), D(2025, 3, 1), builds_on={"H1"}),
            record("H4", {"t9"}, D(2024, 1, 1), D(2025, 1, 1)),
            record("H5", {"t2"}, D(2019, 1, 1), D(2020, 1, 1)),
        ]
    )
    starts = {iri: r.start for iri, r in built.hubs.items()}
    direct = [(iri, "builds-on", o) for iri, r in built.hubs.items() for o in r.builds_on]
    direct += [(iri, "synchronizes-with", o) for iri, r in built.hubs.items() for o in r.synchronizes_with]
    return built, hub_links(HubFacts(starts=starts, direct=direct))


def test_potential_partners_that_became_links() -> None:
    built, links = index()
    before = became_links(built, links, D(2024, 4, 1))
    # Knowing only H3's builds-on link: H1-H2 and H2-H3 are proposed (H1-H3 is linked, H4 and H5 are not related or
    # not active then); H1-H2 became a synchronizes-with link after the cut-off.
    assert before.proposed == [("H1", "H2"), ("H2", "H3")]
    assert before.became == [Link("H1", "H2", "synchronizes-with", D(2024, 6, 1))]
    assert before.share == 0.5
    after = became_links(built, links, D(2024, 7, 1))  # both links known: only H2-H3 is left to propose
    assert (after.proposed, after.became, after.share) == ([("H2", "H3")], [], 0.0)
    early = became_links(built, links, D(2023, 1, 1))  # no link known yet: H1-H3 proposed too; both became links
    assert early.proposed == [("H1", "H2"), ("H1", "H3"), ("H2", "H3")]
    assert [(link.a, link.b) for link in early.became] == [("H1", "H2"), ("H1", "H3")]
    # The index itself is left as it was: H1 and H2 are linked today, so not proposed to each other.
    assert "H2" not in {p.hub for p in built.partners("H1")}


ID = "https://w3id.org/l4a/id/"
L4A = "https://w3id.org/l4a/ontology#"


def store_quads() -> list[ox.Quad]:
    g = ox.NamedNode("urn:test:links")
    out: list[ox.Quad] = []

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, g))

    date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    for slug, start, end in (("one", "2024-01-01", "2025-12-31"), ("two", "2024-06-01", "2026-06-30"),
                             ("three", "2024-03-01", "2025-03-01")):  # fmt: skip
        hub = f"{ID}hub/test-{slug}"
        add(hub, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(L4A + "Hub"))
        add(hub, "http://purl.org/dc/terms/title", ox.Literal(f"Test hub {slug}", language="en"))
        add(hub, L4A + "startDate", ox.Literal(start, datatype=date))
        add(hub, L4A + "endDate", ox.Literal(end, datatype=date))
        add(hub, L4A + "addressesTarget", ox.NamedNode("http://metadata.un.org/sdg/11.3"))
    add(f"{ID}hub/test-one", L4A + "synchronizesWith", ox.NamedNode(f"{ID}hub/test-two"))
    add(f"{ID}hub/test-one", L4A + "partner", ox.NamedNode(f"{ID}org/test-university"))
    add(f"{ID}hub/test-three", L4A + "partner", ox.NamedNode(f"{ID}org/test-university"))
    add(f"{ID}hub/test-two", L4A + "presentedAt", ox.NamedNode(f"{ID}event/venice-city-solutions-2021"))
    add(f"{ID}hub/test-three", L4A + "presentedAt", ox.NamedNode(f"{ID}event/venice-city-solutions-2021"))
    return out


def test_read_from_the_store_and_the_cli(tmp_path: Path) -> None:
    env = {"L4A_DATA_DIR": str(tmp_path / "data"), "L4A_CONFIG": str(tmp_path / "absent.toml")}
    store = EmbeddedStore.open(tmp_path / "data" / "store")
    build(store)
    store.add_quads(store_quads())
    found = {
        (link.a.rsplit("-", 1)[1], link.b.rsplit("-", 1)[1], link.kind, link.on)
        for link in hub_links(read_facts(store))
    }
    store.close()
    assert found == {
        ("one", "two", "synchronizes-with", D(2024, 6, 1)),
        ("one", "three", "shared-partner", D(2024, 3, 1)),
        ("three", "two", "joint-event", D(2021, 12, 2)),  # the 4th edition's first day
    }
    runner = CliRunner()
    result = runner.invoke(main, ["monitor", "links", "--cutoff", "2024-04-01", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["growth"]["any"] == {"2021": 1, "2024": 3}
    (conversion,) = data["conversions"]
    assert conversion["became"] == 1 and conversion["links"][0]["kind"] == "synchronizes-with"
    assert conversion["links"][0]["hubs"] == [f"{ID}hub/test-one", f"{ID}hub/test-two"]
    text = runner.invoke(main, ["monitor", "links", "--cutoff", "2024-04-01", "--lang", "fr"], env=env)
    assert text.exit_code == 0 and "Partenaires potentiels devenus des liens" in text.stdout
    assert "2024\t0\t1\t1\t1\t3" in text.stdout  # year, builds-on, synchronizes-with, shared-partner, joint-event, any
    assert runner.invoke(main, ["monitor", "links", "--cutoff", "soon"], env=env).exit_code == 2
