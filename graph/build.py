"""`l4a build`: load the shipped ontology, reference data and verified hubs into the store, one graph each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, Triple

from .exchange import ImportReport, Progress, import_files
from .namespaces import DEFAULT_BASE, graph_iri
from .rdf_formats import iter_quads
from .resources import local_path, ontology_dir
from .store import Store


@dataclass
class Source:
    """One shipped named graph and the packaged Turtle files it is made of."""

    graph_name: str
    files: list[Traversable]


@dataclass
class BuildReport:
    """What a build loaded."""

    graphs: dict[str, int] = field(default_factory=dict)
    imports: list[ImportReport] = field(default_factory=list)


def shipped_sources() -> list[Source]:
    """The ontology, the SDG and UCLG reference data, and one graph per verified hub."""
    root = ontology_dir()
    sources = [
        Source("ontology", [root / "l4a.ttl", root / "vocabularies.ttl"]),
        Source("sdg", [root / "reference" / "sdg.ttl"]),
        Source("uclg", [root / "reference" / "uclg.ttl"]),
    ]
    hubs = sorted((f for f in (root / "hubs").iterdir() if f.name.endswith(".ttl")), key=lambda f: f.name)
    sources += [Source(f"hub/{f.name.removesuffix('.ttl')}", [f]) for f in hubs]
    return sources


def example_sources() -> list[Source]:
    """The fictional demo hub, loaded only on request (`l4a build --with-examples`)."""
    return [Source("examples/demo-hub", [ontology_dir() / "examples" / "demo-hub.ttl"])]


def _rebase(node: Any, base: str) -> Any:
    if isinstance(node, NamedNode) and node.value.startswith(DEFAULT_BASE):
        return NamedNode(base + node.value.removeprefix(DEFAULT_BASE))
    return node


def read_source(source: Source, base: str = DEFAULT_BASE) -> list[Triple]:
    """The triples of a shipped source, the project's IRIs moved under `base` if it is not the default."""
    triples = [q.triple for f in source.files for q in iter_quads(local_path(f), RdfFormat.TURTLE)]
    if base == DEFAULT_BASE:
        return triples
    return [Triple(_rebase(t.subject, base), _rebase(t.predicate, base), _rebase(t.object, base)) for t in triples]


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
        from .monitoring import add_observations

        figures = graph_iri(base, "monitoring/demo-rioverde-green-corridors/example")
        store.drop_graphs([figures])
        add_observations(store, local_path(ontology_dir() / "examples" / "demo-monitoring.yaml"), base, graph=figures)
    if extra:
        report.imports = import_files(store, extra, base=base, progress=progress)
    return report
