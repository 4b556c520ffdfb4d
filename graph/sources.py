"""The shipped sources: which packaged Turtle files make which named graph, read under the configured base IRI."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources.abc import Traversable
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, Triple

from l4a.graph.namespaces import DEFAULT_BASE, VOCABULARY_IRIS
from l4a.graph.resources import local_path, ontology_dir
from l4a.graph.store.rdf_formats import iter_quads


@dataclass
class Source:
    """One shipped named graph and the packaged Turtle files it is made of."""

    graph_name: str
    files: list[Traversable]


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


# Only the project's records (id/...) and named graphs (graph/...) move under another base. The ontology's terms
# (ontology#...) and the shapes' names keep their IRIs: every query, `namespaces.L4A` and the .rq files name them.
MOVED = (DEFAULT_BASE + "id/", DEFAULT_BASE + "graph/")


def _rebase(node: Any, base: str) -> Any:
    if isinstance(node, NamedNode) and node.value.startswith(MOVED) and not node.value.startswith(VOCABULARY_IRIS):
        return NamedNode(base + node.value.removeprefix(DEFAULT_BASE))
    return node


def read_source(source: Source, base: str = DEFAULT_BASE) -> list[Triple]:
    """The triples of a shipped source, the project's IRIs moved under `base` if it is not the default."""
    triples = [q.triple for f in source.files for q in iter_quads(local_path(f), RdfFormat.TURTLE)]
    if base == DEFAULT_BASE:
        return triples
    return [Triple(_rebase(t.subject, base), _rebase(t.predicate, base), _rebase(t.object, base)) for t in triples]
