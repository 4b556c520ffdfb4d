"""Import RDF files into the store and export it; every file is checked before anything is written."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Triple, serialize

from l4a.graph.errors import InputError, Location
from l4a.graph.namespaces import DEFAULT_BASE, graph_iri, is_example_graph
from l4a.graph.store.base import Store
from l4a.graph.store.embedded import EmbeddedStore
from l4a.graph.store.kept_files import keep, kept_output
from l4a.graph.store.rdf_formats import format_named, guess_format, iter_quads

# Files up to this size are held in memory and replace their graphs in one transaction; bigger ones are bulk-loaded
# after a full parse has proved them well-formed, the store's old state kept until the load is complete
# (graph/embedded_checkpoint.py; a SPARQL server stages them). Either way a file is loaded whole or not at all.
SMALL_FILE_BYTES = 16 * 1024 * 1024

Progress = Callable[[str, int, int], None]


@dataclass
class FilePlan:
    """A checked input file: its format, where its triples go, what it holds."""

    path: Path
    fmt: RdfFormat
    default_graph: str
    quads: int = 0
    graphs: set[str] = field(default_factory=set)
    held: dict[str, list[Triple]] | None = None


@dataclass
class ImportReport:
    """What one imported file put where."""

    path: Path
    quads: int
    graphs: list[str]


def import_graph_for(path: Path, base: str = DEFAULT_BASE) -> str:
    """The graph that receives the triples of a file given without --graph: graph/import/<file stem>."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-") or "file"
    return graph_iri(base, f"import/{slug}")


def check_file(path: Path, fmt: RdfFormat, default_graph: str, keep: bool) -> FilePlan:
    """Parse a whole file (InputError at the first fault), noting its graphs; keep the triples if asked."""
    plan = FilePlan(path, fmt, default_graph, held={} if keep else None)
    held = plan.held
    last: object = None
    name = default_graph
    count = 0
    for quad in iter_quads(path, fmt):
        graph_name = quad.graph_name
        if graph_name != last:  # quads come grouped by graph: look at the name only when it changes
            last = graph_name
            if isinstance(graph_name, NamedNode):
                name = graph_name.value
            elif isinstance(graph_name, DefaultGraph):
                name = default_graph
            else:
                raise InputError("blank-node graph names are not supported", Location(path), "name graphs with IRIs.")
            plan.graphs.add(name)
        if held is not None:
            held.setdefault(name, []).append(quad.triple)
        count += 1
    plan.quads = count
    return plan


def plan_imports(paths: Sequence[Path], graph: str | None, fmt: str | None, base: str) -> list[FilePlan]:
    """Check every file before any is loaded."""
    plans = []
    for path in paths:
        rdf_format = format_named(fmt) if fmt else guess_format(path)
        if not path.is_file():
            raise InputError("no such file", Location(path), "check the path; nothing was loaded.")
        small = path.stat().st_size <= SMALL_FILE_BYTES
        plans.append(check_file(path, rdf_format, graph or import_graph_for(path, base), keep=small))
    return plans


def import_files(
    store: Store,
    paths: Sequence[Path],
    graph: str | None = None,
    fmt: str | None = None,
    base: str = DEFAULT_BASE,
    progress: Progress | None = None,
) -> list[ImportReport]:
    """Load RDF files; each named graph they hold is replaced, triples outside a graph go to `graph`."""
    plans = plan_imports(paths, graph, fmt, base)
    reports = []
    for done, plan in enumerate(plans, start=1):
        if progress:
            progress(f"loading {plan.path.name} ({plan.quads} quads)", done - 1, len(plans))
        if plan.held is not None:
            store.replace_graphs(plan.held)
        else:
            store.load_file(plan.path, plan.fmt, plan.default_graph, replace=plan.graphs)
        reports.append(ImportReport(plan.path, plan.quads, sorted(plan.graphs)))
    if progress:
        progress("loaded", len(plans), len(plans))
    return reports


BY_GRAPH = (RdfFormat.N_QUADS, RdfFormat.TRIG)  # the formats a read-only embedded store writes graph by graph
# Up to this many named graphs a whole dump is faster graph by graph on two threads (10k hubs: 2.7 s against 4.7 s).
# Past it, reading graph by graph costs more than the second thread gives back (100k hubs: 42 s of CPU for 24 s, the
# same time as the one-call dump), so the store is dumped in one call unless graphs are left out.
BY_GRAPH_MAX_GRAPHS = 30_000


EXPORT_FORMATS = ("trig", "nquads", "turtle", "jsonld")  # `l4a export --format`; the default first


def export_store(
    store: Store, out: BinaryIO, fmt: str = "trig", leave_out: Callable[[str], bool] | None = None
) -> None:
    """Write the whole store: trig, nquads and jsonld keep the named graphs; turtle gives their union.

    `leave_out(graph IRI)` names graphs to leave out (the fictional examples, unless asked for). N-Quads and TriG
    of a read-only embedded store are written graph by graph on two threads when graphs are left out (they are never
    read) or the store has at most BY_GRAPH_MAX_GRAPHS graphs; otherwise, with graphs left out, the store is dumped
    to a temporary N-Quads file and streamed through a filter, so memory stays flat."""
    graphs = store.named_graphs()
    skipped = {g for g in graphs if leave_out(g)} if leave_out else set()
    by_graph = skipped or len(graphs) <= BY_GRAPH_MAX_GRAPHS
    if isinstance(store, EmbeddedStore) and store.read_only and format_named(fmt) in BY_GRAPH and by_graph:
        store.dump_by_graph(out, format_named(fmt), skipped)  # on two threads, the graphs left out never read
        return
    if not skipped:
        store.dump(out, format_named(fmt))
        return
    with tempfile.TemporaryDirectory(prefix="l4a-export-") as folder:
        whole = Path(folder) / "whole.nq"
        with whole.open("wb") as dump:
            store.dump(dump, RdfFormat.N_QUADS)
        kept = (q for q in iter_quads(whole, RdfFormat.N_QUADS) if not (isinstance(q.graph_name, NamedNode)
                and q.graph_name.value in skipped))  # fmt: skip
        target = format_named(fmt)
        if target.supports_datasets:
            serialize(kept, out, format=target)
        else:
            serialize((q.triple for q in kept), out, format=target)


def export_whole(
    store: Store, out: BinaryIO, fmt: str = "trig", base: str = DEFAULT_BASE, with_examples: bool = False
) -> None:
    """`l4a export`: export_store of the whole store, the fictional demo's graphs left out unless `with_examples`.
    Written once per state of an embedded store and kept (graph/store/kept_files.py): the next export of that state
    copies it."""
    kept_output(store, _export_name(fmt, base, with_examples), _exporter(store, fmt, base, with_examples), out)


def keep_export(store: Store, fmt: str = "trig", base: str = DEFAULT_BASE) -> None:
    """Keep the export `l4a export --format FMT` writes, without the fictional demo (`l4a prepare`)."""
    keep(store, _export_name(fmt, base, False), _exporter(store, fmt, base, False))


def _export_name(fmt: str, base: str, with_examples: bool) -> str:
    return f"export:{fmt}:{'with' if with_examples else 'without'} examples:{base}"


def _exporter(store: Store, fmt: str, base: str, with_examples: bool) -> Callable[[BinaryIO], None]:
    leave_out = None if with_examples else (lambda graph: is_example_graph(graph, base))
    return lambda out: export_store(store, out, fmt, leave_out)
