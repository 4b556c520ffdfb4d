"""Store checked observations: only the hub's own indicators, the observation shapes as a second gate, then a new
named graph graph/monitoring/<hub>/<n> written in one go, so the history is kept and never overwritten.

`l4a monitor add` (a file) and the web form (one observation) both end here (docs/monitoring.md).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from l4a.graph.errors import Location, UsageError
from l4a.graph.monitoring.input import ObservationError, read_observations
from l4a.graph.monitoring.model import Observation
from l4a.graph.namespaces import DCTERMS, DEFAULT_BASE, L4A, PROV, RDF, RDFS, XSD, graph_iri, record_iri
from l4a.graph.resources import internal_query
from l4a.graph.shacl.validation import shipped_validator
from l4a.graph.store.base import Store

# One lock per process: choosing the next graph number and writing the graph happen together (as for proposals).
WRITE_LOCK = threading.Lock()
# The observation field each path of a shape result is about.
FIELD_OF_PATH = {
    L4A + "observationOf": "indicator",
    L4A + "value": "value",
    L4A + "observedOn": "date",
    DCTERMS + "source": "source",
    L4A + "reportedBy": "reported_by",
}
HUB_INDICATORS = internal_query("hub-indicators")
IS_A = internal_query("is-a")


@dataclass
class Added:
    hub: str
    graph: str
    observations: int


def hub_indicators(store: Store, hub: str) -> set[str]:
    """The IRIs of the indicators of the hub's deliverables."""
    return {row["i"].value for row in store.select(HUB_INDICATORS, {"hub": ox.NamedNode(hub)})}


def next_graph(store: Store, hub: str, base: str = DEFAULT_BASE) -> str:
    """graph/monitoring/<hub slug>/<n>, with the smallest n not taken yet."""
    prefix = graph_iri(base, f"monitoring/{_hub_slug(hub)}/")
    taken = {g for g in store.named_graphs() if g.startswith(prefix)}
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def observation_quads(
    observations: Sequence[Observation], hub: str, graph: str, base: str = DEFAULT_BASE, now: str | None = None
) -> tuple[list[ox.Quad], dict[str, Observation]]:
    """The quads of the observations in `graph` (each with its recording time), and each observation by its IRI."""
    g = ox.NamedNode(graph)
    now = now or dt.datetime.now().astimezone().isoformat(timespec="seconds")
    created = ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime"))
    quads = [ox.Quad(g, ox.NamedNode(DCTERMS + "created"), created, g)]
    by_node: dict[str, Observation] = {}
    name = graph.rsplit("/", 1)[-1]
    for n, o in enumerate(observations, 1):
        node = ox.NamedNode(record_iri(base, "observation", f"{_hub_slug(hub)}-{name}-{n}"))
        by_node[node.value] = o
        agent = ox.NamedNode(record_iri(base, "agent", _slug(o.reported_by or "")))
        quads += [
            ox.Quad(node, ox.NamedNode(RDF + "type"), ox.NamedNode(L4A + "Observation"), g),
            ox.Quad(node, ox.NamedNode(L4A + "observationOf"), ox.NamedNode(o.indicator), g),
            ox.Quad(node, ox.NamedNode(L4A + "value"), _typed(str(o.value), "decimal"), g),
            ox.Quad(node, ox.NamedNode(L4A + "observedOn"), _typed(o.date.isoformat(), "date"), g),
            ox.Quad(node, ox.NamedNode(DCTERMS + "source"), ox.NamedNode(o.source or ""), g),
            ox.Quad(node, ox.NamedNode(L4A + "reportedBy"), agent, g),
            ox.Quad(node, ox.NamedNode(DCTERMS + "created"), created, g),
            ox.Quad(agent, ox.NamedNode(RDF + "type"), ox.NamedNode(PROV + "Agent"), g),
            ox.Quad(agent, ox.NamedNode(RDFS + "label"), ox.Literal(o.reported_by or ""), g),
        ]
    return quads, by_node


def shape_errors(
    store: Store,
    quads: Sequence[ox.Quad],
    source: str,
    observations: Mapping[str, Observation] | None = None,
    lang: str = "en",
    base: str = DEFAULT_BASE,
) -> list[ObservationError]:
    """The Violations of the shapes on the quads about to be written (with the store for what they point to), each
    with the observation's field, its line when known, and the shape's message in `lang`."""
    report = shipped_validator().validate_candidate(quads, store, lang, base)
    errors = []
    for result in report.results:
        if result.severity != "Violation":
            continue
        found = (observations or {}).get(result.focus)
        name = FIELD_OF_PATH.get(result.path or "", "")
        where = Location(source, found.line if found is not None else None)
        errors.append(ObservationError("shape", name, where, message=result.message, shape=result.shape))
    return errors


def store_observations(
    store: Store,
    hub: str,
    observations: Sequence[Observation],
    source: str,
    base: str = DEFAULT_BASE,
    lang: str = "en",
    graph: str | None = None,
) -> Added:
    """Write checked observations of a hub into a new named graph (or `graph`), in one write.

    Nothing is written if the hub is unknown, an indicator is not one of the hub's, or a shape is violated."""
    try:
        known = store.ask(IS_A, {"thing": ox.NamedNode(hub), "class": ox.NamedNode(L4A + "Hub")})
    except ValueError:  # not an IRI at all
        known = False
    if not known:
        raise UsageError(f"there is no hub {hub} in the store.")
    own = hub_indicators(store, hub)
    for o in observations:
        if o.indicator not in own:
            raise ObservationError(
                "not_hub_indicator", "indicator", Location(source, o.line),
                "Use one of: " + ", ".join(sorted(own) or ["(none)"]), given=o.indicator, hub=hub,
            )  # fmt: skip
    with WRITE_LOCK:
        graph = graph or next_graph(store, hub, base)
        quads, by_node = observation_quads(observations, hub, graph, base)
        errors = shape_errors(store, quads, source, by_node, lang, base)
        if errors:
            raise errors[0]
        store.add_quads(quads)
    return Added(hub, graph, len(observations))


def add_observations(
    store: Store,
    path: Path,
    base: str = DEFAULT_BASE,
    today: dt.date | None = None,
    graph: str | None = None,
    lang: str = "en",
) -> Added:
    """Add a file's observations to a new named graph graph/monitoring/<hub>/<n>, in one write.

    The fields are checked first (an error names the file, the line and the field), then the hub's indicators, then
    the shapes; nothing is written if any fails."""
    hub, observations = read_observations(path, base, today)
    return store_observations(store, hub, observations, str(path), base, lang, graph)


def _hub_slug(hub: str) -> str:
    return hub.rstrip("/").rsplit("/", 1)[-1]


def _typed(text: str, xsd_name: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + xsd_name))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "anonymous"
