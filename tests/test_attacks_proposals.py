"""Issue 15, item 5: an accepted proposal states facts about its own records only.

Before, a Turtle proposal that also stated Bilbao's hub title, a label for SDG target 11.7 and a second type for
Bilbao City Council passed the gate, and `accept` published them; the web form could redefine an existing
organisation's type and country by naming it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import Result

from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.proposals.pipeline import read_submissions, store_submissions
from l4a.graph.settings import load_settings
from l4a.graph.store.factory import open_store

from .attacks import WRITE_TOKEN, Browser, Served, call, production_server, sparql_select

BILBAO = "https://w3id.org/l4a/id/hub/bilbao-city-of-values"
BILBAO_COUNCIL = "https://w3id.org/l4a/id/org/bilbao-city-council"
TARGET = "http://metadata.un.org/sdg/11.7"
PROPOSAL = """\
name: Villaficta Shade Streets
description: A fictional hub used by a security test.
city: Villaficta
country: AR
start_date: 2026-03-01
end_date: 2028-02-29
website: https://villaficta.example.org/
visual_identity_checked: true
lead: {name: Municipality of Villaficta, type: local government, country: AR}
sdg_targets: ["11.7", "13.1"]
manifestos: ["https://w3id.org/l4a/id/manifesto/ecology"]
policy_councils: ["https://w3id.org/l4a/id/council/resilient-regenerative-territories"]
section: https://w3id.org/l4a/id/section/flacma
deliverables:
  - title: Shade plan
    due_date: 2027-06-30
    indicators:
      - {name: Shaded street length, unit: km, baseline: 2, target_value: 9, due_date: 2028-02-29}
communication: {channels: [municipal web site], activities: [launch walk]}
evidence:
  - {url: "https://villaficta.example.org/plan.pdf", date: 2026-01-20, type: report}
submitted_by: Villaficta urban ecology
"""
FOREIGN = f"""
<{BILBAO}> <http://purl.org/dc/terms/title> "Hijacked by a proposal"@en .
<{TARGET}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Hijacked target"@en .
<{BILBAO_COUNCIL}> a <https://w3id.org/l4a/ontology#University> ;
    <https://w3id.org/l4a/ontology#countryCode> "FR" .
"""


def hostile_turtle(tmp_path: Path) -> Path:
    """The fictional proposal as Turtle (it passes the gate on its own), plus statements about other records."""
    source = tmp_path / "villaficta.yaml"
    source.write_text(PROPOSAL, encoding="utf-8")
    triples = read_submissions([source], DEFAULT_BASE)[0].mapped.triples
    path = tmp_path / "villaficta.ttl"
    path.write_bytes((ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"") + FOREIGN.encode())
    return path


def facts(data_dir: Path, subject: str) -> set[tuple[str, str]]:
    """Every (predicate, object) stated about `subject` in the store, in any graph."""
    settings = load_settings({"data_dir": data_dir}, environ={}, config_file=data_dir / "absent.toml")
    store = open_store(settings)
    try:
        rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": ox.NamedNode(subject)})
    finally:
        store.close()
    return {(row["p"].value, str(row["o"])) for row in rows}


def test_a_turtle_proposal_about_other_records_is_refused_and_accept_changes_nothing(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    assert cli("build").exit_code == 0
    data_dir = tmp_path / "data"
    before = {subject: facts(data_dir, subject) for subject in (BILBAO, TARGET, BILBAO_COUNCIL)}
    submitted = cli("propose", "--format", "json", str(hostile_turtle(tmp_path)))
    report = json.loads(submitted.output)[0]
    assert report["status"] == "needs-changes", report
    named = {r["focus"] for r in report["results"] if r["severity"] == "Violation"}
    assert {BILBAO, TARGET} <= named
    messages = " ".join(r["message"] for r in report["results"])
    assert f"<{BILBAO}>" in messages and "own records" in messages
    accepted = cli("proposals", "accept", "villaficta-shade-streets")
    assert accepted.exit_code == 2, accepted.output
    after = {subject: facts(data_dir, subject) for subject in before}
    assert after == before


def test_accept_refuses_a_stored_revision_that_speaks_about_other_records(tmp_path: Path) -> None:
    """A revision stored before the gate confined proposals (or by any other way) is checked again at accept."""
    data_dir = tmp_path / "data"
    settings = load_settings({"data_dir": data_dir}, environ={}, config_file=data_dir / "absent.toml")
    from l4a.graph.build import build

    store = open_store(settings)
    try:
        build(store, settings.base_iri)
        submissions = read_submissions([hostile_turtle(tmp_path)], settings.base_iri)
        store_submissions(store, submissions, settings.base_iri)  # stored without the gate: "submitted"
        from l4a.graph.errors import UsageError
        from l4a.graph.proposals.lifecycle import transition

        before = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": ox.NamedNode(BILBAO)})
        with pytest.raises(UsageError, match="bilbao-city-of-values"):
            transition(store, "villaficta-shade-streets", "accept", settings.base_iri, "ana")
        after = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": ox.NamedNode(BILBAO)})
        assert len(after) == len(before)
    finally:
        store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with production_server(tmp_path_factory.mktemp("proposals") / "data") as served:
        yield served


FORM = {
    "name": "Villaficta Cool Roofs",
    "description": "A fictional hub used by a security test.",
    "city": "Villaficta",
    "country": "AR",
    "start_date": "2026-03-01",
    "end_date": "2028-02-29",
    "website": "https://villaficta.example.org/",
    "visual_identity_checked": "y",
    "lead_name": "Bilbao City Council",  # an existing organisation, given another type and country
    "lead_type": "regional government",
    "lead_country": "FR",
    "sdg_target": ["11.7", "13.1"],
    "manifesto": ["https://w3id.org/l4a/id/manifesto/ecology"],
    "council": ["https://w3id.org/l4a/id/council/resilient-regenerative-territories"],
    "section": "https://w3id.org/l4a/id/section/flacma",
    "deliverables-0-title": "Cool roof plan",
    "deliverables-0-due_date": "2027-06-30",
    "deliverables-0-indicators-0-name": "Roofs painted",
    "deliverables-0-indicators-0-unit": "roofs",
    "deliverables-0-indicators-0-baseline": "0",
    "deliverables-0-indicators-0-target_value": "300",
    "deliverables-0-indicators-0-due_date": "2028-02-29",
    "channels": "municipal web site",
    "activities": "launch walk",
    "evidence-0-url": "https://villaficta.example.org/plan.pdf",
    "evidence-0-type": "report",
    "evidence-0-date": "2026-01-20",
    "submitted_by": "Villaficta urban ecology",
}
COUNCIL_FACTS = f"SELECT ?p ?o WHERE {{ <{BILBAO_COUNCIL}> ?p ?o }}"


def test_the_web_form_refers_to_an_existing_organisation_and_never_redefines_it(server: Served) -> None:
    before = {(row["p"], row["o"]) for row in sparql_select(server.base, COUNCIL_FACTS)}
    assert before, "Bilbao City Council is in the shipped data"
    reply = Browser(server.base).post_form("/propose", FORM)
    assert reply.status == 201, reply.text[:1000]
    accept = call(
        f"{server.base}/staff/proposals/villaficta-cool-roofs/accept",
        b"",
        {"Authorization": f"Bearer {WRITE_TOKEN}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert accept.status == 303, accept.text[:1000]
    after = {(row["p"], row["o"]) for row in sparql_select(server.base, COUNCIL_FACTS)}
    assert after == before
    led = sparql_select(
        server.base,
        "SELECT ?org WHERE { <https://w3id.org/l4a/id/hub/villaficta-cool-roofs> "
        "<https://w3id.org/l4a/ontology#ledBy> ?org }",
    )
    assert led == [{"org": BILBAO_COUNCIL}], "the accepted hub still refers to the organisation"
