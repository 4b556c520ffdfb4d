"""`l4a build`: load the shipped ontology, reference data and verified hubs into the store, one graph each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Triple

from l4a.graph.namespaces import DEFAULT_BASE, graph_iri
from l4a.graph.resources import local_path, ontology_dir
from l4a.graph.sources import example_sources, read_source, shipped_sources
from l4a.graph.store.base import Store
from l4a.graph.store.exchange import ImportReport, Progress, import_files


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
    """Replace the shipped graphs in one transaction, then import the extra files (e.g. synthetic hubs)."""
    report = BuildReport()
    graphs: dict[str, list[Triple]] = {}
    sources = shipped_sources() + (example_sources() if with_examples else [])
    for done, source in enumerate(sources):
        if progress:
            progress(f"reading {source.graph_name}", done, len(sources))
        graphs[graph_iri(base, source.graph_name)] = read_source(source, base)
    if progress:
        progress("writing the shipped graphs", len(sources), len(sources))
    store.replace_graphs(graphs)
    report.graphs = {name: len(triples) for name, triples in graphs.items()}
    if with_examples:  # the fictional demo hub's monitoring figures (docs/monitoring.md), replaced on each build
        from l4a.graph.monitoring.load import add_observations

        figures = graph_iri(base, "monitoring/demo-rioverde-green-corridors/example")
        store.drop_graphs([figures])
        add_observations(store, local_path(ontology_dir() / "examples" / "demo-monitoring.yaml"), base, graph=figures)
    if extra:
        report.imports = import_files(store, extra, base=base, progress=progress)
    return report
