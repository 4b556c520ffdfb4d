"""`l4a build`: load the shipped ontology, reference data and verified hubs into the store, one graph each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Triple

from l4a.graph.namespaces import DEFAULT_BASE, EXAMPLES_GRAPHS, L4A, graph_iri, is_example_graph
from l4a.graph.resources import internal_query, local_path, ontology_dir
from l4a.graph.sources import example_sources, read_source, shipped_sources
from l4a.graph.store.base import Store
from l4a.graph.store.exchange import ImportReport, Progress, import_files
from l4a.graph.suggest.records import confirmed_links

TRUE = Literal("true", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


def mark_fictional(store: Store, graph: str) -> None:
    """Add `l4a:fictional true` to every subject of an example graph (the demo's observations and their reporter)."""
    rows = store.select(internal_query("graph-subjects"), {"g": NamedNode(graph)})
    fictional = NamedNode(L4A + "fictional")
    subjects = [r["s"] for r in rows if isinstance(r["s"], NamedNode)]
    store.add_quads(Quad(s, fictional, TRUE, NamedNode(graph)) for s in subjects)


@dataclass
class BuildReport:
    """What a build loaded."""

    graphs: dict[str, int] = field(default_factory=dict)
    imports: list[ImportReport] = field(default_factory=list)


def build(
    store: Store,
    base: str = DEFAULT_BASE,
    extra: Sequence[Path] = (),
    progress: Progress | None = None,
    with_examples: bool = False,
) -> BuildReport:
    """Replace the shipped graphs in one transaction, then import the extra files (e.g. synthetic hubs).

    The fictional examples are there only when asked for: a plain build removes the example graphs an earlier
    `--with-examples` build left (in the same transaction), and `with_examples` writes them again."""
    report = BuildReport()
    graphs: dict[str, list[Triple]] = {}
    sources = shipped_sources() + (example_sources() if with_examples else [])
    for done, source in enumerate(sources):
        if progress:
            progress(f"reading {source.graph_name}", done, len(sources))
        graphs[graph_iri(base, source.graph_name)] = read_source(source, base)
    for graph, links in confirmed_links(store, base).items():  # links people confirmed survive the rebuild
        if graph in graphs:
            graphs[graph] += links
    if progress:
        progress("writing the shipped graphs", len(sources), len(sources))
    stale = [g for g in store.named_graphs() if is_example_graph(g, base) and g not in graphs]
    store.replace_graphs({**graphs, **{g: [] for g in stale}})  # an empty graph: dropped
    report.graphs = {name: len(triples) for name, triples in graphs.items()}
    if with_examples:  # the fictional demo hub's monitoring figures (docs/monitoring.md), replaced on each build
        from l4a.graph.monitoring.load import add_observations

        figures = graph_iri(base, EXAMPLES_GRAPHS + "monitoring/demo-exampleton-green-corridors")
        store.drop_graphs([figures])
        add_observations(store, local_path(ontology_dir() / "examples" / "demo-monitoring.yaml"), base, graph=figures)
        mark_fictional(store, figures)
    if extra:
        report.imports = import_files(store, extra, base=base, progress=progress)
    return report
