"""The store on any SPARQL 1.1 server (Oxigraph server, Virtuoso, Fuseki, GraphDB, Neptune ...) over HTTP.

The same Store interface as the embedded Oxigraph: queries see the union of the graphs as their default graph,
bound values are joined in as an escaped VALUES block (never pasted as text), a graph is replaced so that readers
see the old or the new one, and a failed load leaves the previous graphs in place. Server quirks are handled in
sparql_dialects.py; HTTP, retries and errors in sparql_http.py.
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from l4a.graph.errors import (
    QueryLimitError,
    StoreError,
    StoreMissingError,
    StoreTimeoutError,
    StoreUnavailableError,
    UsageError,
)
from l4a.graph.resources import internal_query
from l4a.graph.settings import Settings
from l4a.graph.store.base import Bindings, Dataset, QueryResult, Row, Solutions, Triples
from l4a.graph.store.dialects import STAGING_PREFIX, Dialect, detect_dialect, dialect_named, parse_json_results
from l4a.graph.store.http import Answer, Connection, SparqlClient
from l4a.graph.store.rdf_formats import iter_quads
from l4a.graph.store.sparql_text import bind_values, iri_text, query_form
from l4a.graph.store.workers import term_bytes, too_big

log = logging.getLogger(__name__)

JSON_RESULTS = "application/sparql-results+json"
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
RDF_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
# Triples sent in one request while staging a big write (about 16 MB of N-Quads; fewer if the dialect says).
STAGE_BATCH_TRIPLES = 100_000
# Rows asked for in one answer when reading everything (a dump).
PAGE_ROWS = 100_000

GraphName = str | None  # None: the default graph
Term = ox.NamedNode | ox.BlankNode | ox.Literal


def connection_of(settings: Settings) -> Connection:
    """The server's endpoints, credentials, time limits and retries from the settings."""
    return Connection(
        query_url=settings.sparql_query_url,
        update_url=settings.sparql_update_url,
        store_url=settings.sparql_store_url,
        user=settings.sparql_user,
        password=settings.sparql_password,
        token=settings.sparql_token,
        query_timeout=settings.query_timeout,
        update_timeout=settings.update_timeout,
        retries=settings.sparql_retries,
    )


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _ntriples(triples: Iterable[ox.Triple]) -> str:
    # pyoxigraph's N-Triples escapes every literal and checks every IRI; N-Triples lines are valid SPARQL data.
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")


def _graph_block(graph: GraphName, body: str) -> str:
    return body if graph is None else f"GRAPH {iri_text(graph)} {{\n{body}}}"


def _graph_ref(graph: GraphName) -> str:
    return "DEFAULT" if graph is None else iri_text(graph)


def _within(rows: Iterable[Row], byte_cap: int | None) -> Iterator[Row]:
    """The rows, until their terms pass `byte_cap` bytes (QueryLimitError "size")."""
    size = 0
    for row in rows:
        if byte_cap is not None:
            size += sum(term_bytes(term) for term in row.values())
            if size > byte_cap:
                raise too_big(byte_cap)
        yield row


class SparqlStore:
    """The Store interface over a SPARQL 1.1 Protocol (and, where set, Graph Store Protocol) server."""

    def __init__(self, connection: Connection, dialect: str = "auto", read_only: bool = False) -> None:
        self.client = SparqlClient(connection)
        self.connection = connection
        self.read_only = read_only
        self._dialect: Dialect | None = None if dialect == "auto" else dialect_named(dialect)
        self._row_cap: int | None = None
        self._row_cap_known = False

    @classmethod
    def open(cls, settings: Settings, read_only: bool = False) -> SparqlStore:
        """The store the settings name; for reading, the server must already hold l4a's graphs."""
        store = cls(
            connection_of(settings), settings.sparql_dialect, read_only=read_only or not settings.sparql_update_url
        )
        if read_only and not store._holds_any_graph():
            raise StoreMissingError(
                f"the SPARQL server at {settings.sparql_query_url} holds no graphs yet; run `l4a build` first."
            )
        return store

    def __repr__(self) -> str:
        return f"SparqlStore({self.connection.query_url!r})"

    # --- the server's dialect and limits ---------------------------------------------------------------------

    @property
    def dialect(self) -> Dialect:
        """The server's dialect: set, or recognised from its Server header on first use."""
        if self._dialect is None:
            with self.client.query(internal_query("server-probe"), "ASK", JSON_RESULTS) as answer:
                answer.readall()
                self._dialect = detect_dialect(answer.headers.get("Server"))
            log.info("SPARQL server at %s: %s dialect", self.connection.query_url, self._dialect.name)
        return self._dialect

    def row_cap(self) -> int | None:
        """The most rows or triples the server returns for one query, if it has such a cap (Virtuoso)."""
        if not self._row_cap_known:
            self._row_cap = None
            if self.dialect.name == "virtuoso":
                # Virtuoso's own SPARQL (a bif: built-in) that no standard parser reads: kept here, not in a .rq file.
                rows = self._select_rows(
                    'SELECT (bif:virtuoso_ini_item_value("SPARQL", "ResultSetMaxRows") AS ?cap) WHERE { }'
                )
                cap = rows[0].get("cap") if rows else None
                if isinstance(cap, ox.Literal) and cap.value.isdigit():
                    self._row_cap = int(cap.value)
            self._row_cap_known = True
        return self._row_cap

    # --- queries -----------------------------------------------------------------------------------------------

    def _prepare(self, query: str, bindings: Bindings | None) -> str:
        if not bindings:
            return query
        dialect = self.dialect
        return bind_values(query, {name: dialect.bound_term(term) for name, term in bindings.items()})

    def _ask_server(self, text: str, form: str, accept: str, union: bool = True) -> Answer:
        parameters = self.dialect.union_parameters.items() if union else ()
        return self.client.query(self.dialect.rewrite(text), form, accept, parameters)

    def _check_whole(self, answer: Answer, allow_cut: bool = False) -> None:
        cut = answer.headers.get("X-SPARQL-MaxRows")
        if cut and not allow_cut:
            raise StoreError(
                f"the SPARQL server at {answer.endpoint} cut the answer at {cut} rows; raise its row limit "
                "(Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini) or ask for fewer rows."
            )
        state = answer.headers.get("X-SQL-State")
        if state:
            raise StoreUnavailableError(
                f"the SPARQL server at {answer.endpoint} gave a partial answer ({state}: "
                f"{answer.headers.get('X-SQL-Message', 'time limit reached')}); try again later or simplify the query."
            )

    def _results(self, answer: Answer, allow_cut: bool = False) -> tuple[list[str], Iterator[dict[str, Term]]] | bool:
        self._check_whole(answer, allow_cut)
        if "json" not in answer.content_type:
            body = answer.read(200)
            raise StoreUnavailableError(
                f"the SPARQL server at {answer.endpoint} answered with {answer.content_type or 'no content type'} "
                f"instead of SPARQL JSON results (it begins {body[:80]!r}); check that the URL is a SPARQL endpoint."
            )
        data = answer.readall()
        if self.dialect.standard_results:
            try:
                parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
            except (SyntaxError, ValueError) as exc:
                raise StoreUnavailableError(
                    f"the SPARQL server at {answer.endpoint} answered with something that is not SPARQL JSON "
                    f"results ({exc}; it begins {data[:80]!r}); check that the URL is a SPARQL endpoint."
                ) from exc
            if isinstance(parsed, ox.QueryBoolean):
                return bool(parsed)
            names = [v.value for v in parsed.variables]
            rows = ({n: v for n, v in zip(names, s, strict=True) if v is not None} for s in parsed)
            return names, rows
        return parse_json_results(data, self.dialect, answer.endpoint)

    def _select_rows(self, text: str, union: bool = True) -> list[Row]:
        with self._ask_server(text, "SELECT", JSON_RESULTS, union) as answer:
            result = self._results(answer)
        if isinstance(result, bool):
            raise StoreUnavailableError(
                f"the SPARQL server at {self.connection.query_url} answered a SELECT with a boolean."
            )
        return list(result[1])

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        if query_form(query) != "SELECT":
            raise UsageError("expected a SELECT query.")
        rows = self._select_rows(self._prepare(query, bindings))
        if bindings:
            # A bound variable holds exactly the bound term, as in the embedded store (Virtuoso would answer
            # a bound true as 1, a typed string as a plain one).
            for row in rows:
                row.update(bindings)
        return rows

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        if query_form(query) != "ASK":
            raise UsageError("expected an ASK query.")
        with self._ask_server(self._prepare(query, bindings), "ASK", JSON_RESULTS) as answer:
            result = self._results(answer)
        if not isinstance(result, bool):
            raise StoreUnavailableError(f"the SPARQL server at {self.connection.query_url} answered an ASK with rows.")
        return result

    def construct(self, query: str, bindings: Bindings | None = None) -> list[ox.Triple]:
        form = query_form(query)
        if form not in ("CONSTRUCT", "DESCRIBE"):
            raise UsageError("expected a CONSTRUCT or DESCRIBE query.")
        with self._ask_server(self._prepare(query, bindings), form, GRAPH_TYPES) as answer:
            triples = self._graph_answer(answer, form)
        cap = self.row_cap()
        if cap is not None and len(triples) >= cap:
            raise StoreError(
                f"the SPARQL server at {answer.endpoint} cut the {form} answer at {cap} triples; raise its row limit "
                "(Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)."
            )
        return triples

    def _graph_answer(self, answer: Answer, form: str, allow_cut: bool = False) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE answer, in whichever RDF format the server chose."""
        self._check_whole(answer, allow_cut)
        fmt = RDF_TYPES.get(answer.content_type)
        if fmt is None:
            raise StoreUnavailableError(
                f"the SPARQL server at {answer.endpoint} answered a {form} with "
                f"{answer.content_type or 'no content type'}, not an RDF format l4a reads."
            )
        data = answer.readall()
        try:
            return [q.triple for q in ox.parse(data, format=fmt)]
        except (SyntaxError, ValueError) as exc:
            raise StoreUnavailableError(
                f"the SPARQL server at {answer.endpoint} answered a {form} with {answer.content_type} that does not "
                f"parse ({exc}; it begins {data[:80]!r})."
            ) from exc

    def query(
        self,
        query: str,
        dataset: Dataset | None = None,
        timeout: float | None = None,
        row_cap: int | None = None,
        byte_cap: int | None = None,
    ) -> QueryResult:
        """A client's query as written (the SPARQL endpoint), on the dataset asked for, within time and row cap.

        `dataset` None: the query's own FROM clauses; `Dataset()`: the union of the graphs; otherwise the graphs
        given, sent as the protocol's default-graph-uri and named-graph-uri. A server's own cut of the answer
        (Virtuoso's ResultSetMaxRows) counts as truncated.
        """
        form = query_form(query)
        parameters: list[tuple[str, str]] = []
        if dataset is not None:
            if dataset.default_graphs or dataset.named_graphs:
                parameters += [("default-graph-uri", iri_text(g)[1:-1]) for g in dataset.default_graphs]
                parameters += [("named-graph-uri", iri_text(g)[1:-1]) for g in dataset.named_graphs]
            else:
                parameters += list(self.dialect.union_parameters.items())
        accept = JSON_RESULTS if form in ("SELECT", "ASK") else GRAPH_TYPES
        cap = row_cap if row_cap is not None else sys.maxsize - 1
        try:
            with self.client.query(self.dialect.rewrite(query), form, accept, parameters, timeout) as answer:
                cut = bool(answer.headers.get("X-SPARQL-MaxRows"))
                if form in ("SELECT", "ASK"):
                    result = self._results(answer, allow_cut=True)
                    if isinstance(result, bool):
                        return result
                    names, rows = result
                    kept = list(islice(_within(rows, byte_cap), cap + 1))
                    return Solutions(names, kept[:cap], truncated=cut or len(kept) > cap)
                triples = self._graph_answer(answer, form, allow_cut=True)
                if byte_cap is not None and sum(term_bytes(t) for t in triples) > byte_cap:
                    raise too_big(byte_cap)
        except StoreTimeoutError as exc:
            raise QueryLimitError(f"the query ran past its time limit and was stopped: {exc}") from exc
        limit = self.row_cap()
        return Triples(triples[:cap], truncated=len(triples) > cap or (limit is not None and len(triples) >= limit))

    def _paged(self, text: str, order: str, union: bool = False) -> Iterator[Row]:
        """Every row of a SELECT, in ordered pages (servers without a row cap: Virtuoso refuses big sorted offsets)."""
        offset = 0
        while True:
            rows = self._select_rows(f"{text}\nORDER BY {order}\nLIMIT {PAGE_ROWS} OFFSET {offset}", union)
            yield from rows
            if len(rows) < PAGE_ROWS:
                return
            offset += PAGE_ROWS

    # --- what the store holds ----------------------------------------------------------------------------------

    def _holds_any_graph(self) -> bool:
        listing = self.dialect.graph_listing("g")
        return any(not self.dialect.is_hidden_graph(r["g"].value) for r in self._graph_rows(listing, limit=50))

    def _graph_rows(self, listing: str, limit: int | None = None) -> list[Row]:
        text = f"SELECT DISTINCT ?g WHERE {{ {listing} FILTER (isIRI(?g)) }}"
        return self._select_rows(text if limit is None else f"{text} LIMIT {limit}", union=False)

    def _all_graphs(self) -> list[str]:
        return [row["g"].value for row in self._graph_rows(self.dialect.graph_listing("g"))]

    def named_graphs(self) -> list[str]:
        return sorted(g for g in self._all_graphs() if not self.dialect.is_hidden_graph(g))

    def quad_count(self) -> int:
        dialect = self.dialect
        per_graph = (
            "SELECT (SUM(?n) AS ?count) WHERE { "
            "{ SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g } "
            f"{dialect.hidden_graph_filter('g')} }}"
        )
        total = self._count(per_graph)
        if dialect.has_default_graph:
            total += self._count(internal_query("default-graph-count"))
        return total

    def _count(self, text: str) -> int:
        rows = self._select_rows(text, union=False)
        value = rows[0].get("count") if rows else None
        try:
            return int(value.value) if isinstance(value, ox.Literal) else 0
        except ValueError as exc:
            raise StoreUnavailableError(f"the SPARQL server at {self.connection.query_url} counted {value}.") from exc

    def dump(self, out: BinaryIO, fmt: ox.RdfFormat) -> None:
        quads = self._every_quad()
        try:
            if fmt.supports_datasets:
                ox.serialize(quads, out, format=fmt)
            else:
                ox.serialize((q.triple for q in quads), out, format=fmt)
        except OSError as exc:
            raise StoreError(f"the store could not be written out: {exc}") from exc

    def _every_quad(self) -> Iterator[ox.Quad]:
        dialect = self.dialect
        expected = self.quad_count()
        written = 0
        if dialect.dataset_post and self.connection.store_url:
            quads: Iterable[ox.Quad] = self._dataset_from_graph_store()
        else:
            quads = self._dataset_from_queries()
        for quad in quads:
            written += 1
            yield quad
        if written != expected:
            raise StoreError(
                f"the SPARQL server at {self.connection.query_url} gave {written} quads of the {expected} it holds; "
                "the dump is incomplete (was the store written to meanwhile, or does the server cut answers?)."
            )

    def _dataset_from_graph_store(self) -> Iterator[ox.Quad]:
        with self.client.graph_store_get(ox.RdfFormat.N_QUADS.media_type) as answer:
            try:
                for quad in ox.parse(answer.stream(), format=ox.RdfFormat.N_QUADS):
                    graph = quad.graph_name
                    if isinstance(graph, ox.NamedNode) and self.dialect.is_hidden_graph(graph.value):
                        continue
                    yield quad
            except SyntaxError as exc:
                raise StoreUnavailableError(
                    f"the Graph Store at {self.connection.store_url} sent N-Quads that do not parse: {exc}."
                ) from exc

    def _graph_sizes(self) -> dict[str, int]:
        """How many triples each of l4a's named graphs holds."""
        text = internal_query("graph-sizes")
        sizes = {}
        for row in self._select_rows(text, union=False):
            graph, count = row.get("g"), row.get("n")
            known = isinstance(graph, ox.NamedNode) and isinstance(count, ox.Literal)
            if known and not self.dialect.is_hidden_graph(graph.value):  # type: ignore[union-attr]
                sizes[graph.value] = int(count.value)  # type: ignore[union-attr]
        return sizes

    def _dataset_from_queries(self) -> Iterator[ox.Quad]:
        """Every quad through SELECTs of a few graphs at a time (no sorting, no offsets), each a bounded answer."""
        dialect = self.dialect
        if dialect.has_default_graph:
            for row in self._paged(internal_query("default-graph-triples"), "?s ?p ?o"):
                yield ox.Quad(row["s"], row["p"], row["o"])  # type: ignore[arg-type]
        batch: list[str] = []
        size = 0
        sizes = self._graph_sizes()
        for graph in sorted(sizes):
            if batch and size + sizes[graph] > PAGE_ROWS:
                yield from self._quads_of(batch)
                batch, size = [], 0
            batch.append(graph)
            size += sizes[graph]
        if batch:
            yield from self._quads_of(batch)

    def _quads_of(self, graphs: list[str]) -> Iterator[ox.Quad]:
        values = " ".join(iri_text(g) for g in graphs)
        text = f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        for row in self._select_rows(text, union=False):
            yield ox.Quad(row["s"], row["p"], row["o"], row["g"])  # type: ignore[arg-type]

    # --- writes ------------------------------------------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"the SPARQL store at {self.connection.query_url} was opened read-only"
                + ("" if self.connection.update_url else " (no L4A_SPARQL_UPDATE_URL is set)")
                + "."
            )

    def update(self, update: str) -> None:
        self._writable()
        self.client.update(update)

    def replace_graphs(self, graphs: Mapping[str, Sequence[ox.Triple]]) -> None:
        self._writable()
        for iri in graphs:
            iri_text(iri)  # every graph name checked before anything is sent
        quads = ((iri, t) for iri, triples in graphs.items() for t in triples)
        self._write(quads, replace=set(graphs), held=sum(len(t) for t in graphs.values()))

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self._writable()
        held = list(quads)
        pairs = [(self._graph_of(q.graph_name), q.triple) for q in held]
        self._write(iter(pairs), replace=set(), held=len(pairs))

    def load_file(self, path: Path, fmt: ox.RdfFormat, graph: str | None = None, replace: Collection[str] = ()) -> int:
        self._writable()
        count = 0

        def pairs() -> Iterator[tuple[GraphName, ox.Triple]]:
            nonlocal count
            for quad in iter_quads(path, fmt):
                count += 1
                name = quad.graph_name
                yield (graph if isinstance(name, ox.DefaultGraph) else self._graph_of(name)), quad.triple

        self._write(pairs(), replace=set(replace), held=None)
        return count

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        self._writable()
        self._run_operations([f"DROP SILENT GRAPH {iri_text(g)}" for g in graphs])

    def close(self) -> None:
        """Nothing to release: every request has its own connection."""

    def clear(self) -> None:
        """Drop every graph l4a may have written, staging graphs too (the server's own graphs stay), and the
        default graph's triples. For tests and benchmarks: no command calls it."""
        self._writable()
        graphs = [g for g in self._all_graphs() if g.startswith(STAGING_PREFIX) or not self.dialect.is_hidden_graph(g)]
        self._run_operations([f"DROP SILENT GRAPH {iri_text(g)}" for g in graphs])
        if self.dialect.has_default_graph:
            self.client.update("CLEAR SILENT DEFAULT")

    def _graph_of(self, name: object) -> GraphName:
        if isinstance(name, ox.DefaultGraph):
            return None
        if isinstance(name, ox.NamedNode):
            return name.value
        raise UsageError("blank-node graph names cannot be written to a SPARQL server; name graphs with IRIs.")

    def _run_operations(self, operations: Sequence[str]) -> None:
        """Send operations in as few update requests as the dialect's limits allow (count and bytes)."""
        dialect = self.dialect
        request: list[str] = []
        size = 0
        for operation in operations:
            length = len(operation.encode("utf-8")) + 3
            if request and (
                len(request) >= dialect.operations_per_request or size + length > dialect.bytes_per_request
            ):
                self.client.update(" ;\n".join(request))
                request, size = [], 0
            request.append(operation)
            size += length
        if request:
            self.client.update(" ;\n".join(request))

    def _write(self, pairs: Iterator[tuple[GraphName, ox.Triple]], replace: set[str], held: int | None) -> None:
        """Write triples graph by graph; graphs in `replace` are replaced, the others added to.

        Small writes are one update request (one transaction on the server). Bigger ones are loaded into
        staging graphs first and then moved into place: a failure before the move changes nothing.
        """
        dialect = self.dialect
        if not dialect.has_default_graph:
            pairs = self._no_default_graph(pairs)
        if held is not None and held <= dialect.triples_per_operation * 4:
            materialised = list(pairs)
            text = self._direct_update(materialised, replace)
            if text is not None:
                self.client.update(text)
                return
            pairs = iter(materialised)
        _StagedWrite(self, replace).run(pairs)

    def _no_default_graph(self, pairs: Iterator[tuple[GraphName, ox.Triple]]) -> Iterator[tuple[GraphName, ox.Triple]]:
        for graph, triple in pairs:
            if graph is None:
                raise UsageError(
                    f"the SPARQL server at {self.connection.query_url} keeps every triple in a named graph; "
                    "give the triples a graph (l4a import --graph IRI)."
                )
            yield graph, triple

    def _direct_update(self, pairs: list[tuple[GraphName, ox.Triple]], replace: set[str]) -> str | None:
        """One update request for a small write, or None if it would be too big for the server."""
        operations = [f"DROP SILENT GRAPH {iri_text(g)}" for g in sorted(replace)]
        operations += self._insert_operations(pairs)
        text = " ;\n".join(operations)
        if len(text.encode("utf-8")) > self.dialect.bytes_per_request:
            return None
        return text

    def _insert_operations(self, pairs: Sequence[tuple[GraphName, ox.Triple]]) -> list[str]:
        """INSERT DATA operations of at most the dialect's size; triples with blank nodes all in one operation."""
        dialect = self.dialect
        plain = [p for p in pairs if not _has_blank(p[1])]
        blank = [p for p in pairs if _has_blank(p[1])]
        operations = []
        step = dialect.triples_per_operation
        for start in range(0, len(plain), step):
            operations.append("INSERT DATA {\n" + _blocks(plain[start : start + step]) + "\n}")
        if blank:
            # One operation, so that a blank node used in several triples (or graphs) stays one node.
            if dialect.blank_nodes_in_insert_data:
                operations.append("INSERT DATA {\n" + _blocks(blank) + "\n}")
            else:
                operations.append("INSERT {\n" + _blocks(blank) + "\n} WHERE { }")
        return operations


def _blocks(pairs: Sequence[tuple[GraphName, ox.Triple]]) -> str:
    """GRAPH blocks of N-Triples lines, one per run of the same graph."""
    parts = []
    start = 0
    for index in range(1, len(pairs) + 1):
        if index == len(pairs) or pairs[index][0] != pairs[start][0]:
            parts.append(_graph_block(pairs[start][0], _ntriples(t for _, t in pairs[start:index])))
            start = index
    return "\n".join(parts)


class _StagedWrite:
    """A big write. Graphs that exist already are loaded into staging graphs and then moved into place with
    MOVE (replace) or ADD (add), in as few update requests as the server takes: readers see the old graph until
    the move, and a failure before it leaves the old graph. Graphs that do not exist yet are written in place
    (moving them would copy every triple a second time); a failure removes them again."""

    def __init__(self, store: SparqlStore, replace: set[str]) -> None:
        self.store = store
        self.client = store.client
        self.dialect = store.dialect
        self.replace = replace
        self.run_id = uuid.uuid4().hex
        self.existing: set[str] = set()
        self.target: dict[GraphName, str] = {}  # where each graph's triples go now
        self.created: list[str] = []
        self.blank: list[tuple[str, ox.Triple]] = []
        self.gsp = bool(store.connection.store_url)

    def target_of(self, graph: GraphName) -> str:
        if graph not in self.target:
            if graph is not None and graph not in self.existing:
                self.target[graph] = graph
                self.created.append(graph)
            else:
                self.target[graph] = f"{STAGING_PREFIX}{self.run_id}:{len(self.target)}"
        return self.target[graph]

    @property
    def staging(self) -> dict[GraphName, str]:
        """The graphs that go through a staging graph, and that graph."""
        return {graph: name for graph, name in self.target.items() if name != graph}

    def run(self, pairs: Iterator[tuple[GraphName, ox.Triple]]) -> None:
        self.look_around()
        try:
            batch: list[tuple[str, ox.Triple]] = []
            limit = (
                STAGE_BATCH_TRIPLES if self.gsp else min(STAGE_BATCH_TRIPLES, self.dialect.triples_per_operation * 8)
            )
            for graph, triple in pairs:
                target = self.target_of(graph)
                if _has_blank(triple):
                    self.blank.append((target, triple))
                    continue
                batch.append((target, triple))
                if len(batch) >= limit:
                    self.send(batch)
                    batch = []
            if batch:
                self.send(batch)
            if self.blank:
                # Blank nodes keep their identity only within one request (or one INSERT DATA operation):
                # every triple with one goes in the same last batch.
                self.send(self.blank)
        except BaseException:
            self.undo()
            raise
        self.commit()

    def send(self, batch: list[tuple[str, ox.Triple]]) -> None:
        """One batch: a dataset POST (Oxigraph), a Graph Store POST for one graph, or chunked INSERT DATA."""
        if self.gsp and self.dialect.dataset_post:
            quads = (ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, t in batch)
            body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
            self.client.graph_store("POST", body, ox.RdfFormat.N_QUADS.media_type, None)
        elif self.gsp and len({g for g, _ in batch}) == 1:
            # One big graph. (Many small graphs go faster as INSERT DATA: on Virtuoso 10k hubs load in 52 s
            # that way, 68 s as one Graph Store POST per graph.)
            body = ox.serialize((t for _, t in batch), format=ox.RdfFormat.N_TRIPLES) or b""
            self.client.graph_store("POST", body, ox.RdfFormat.N_TRIPLES.media_type, batch[0][0])
        else:
            self.store._run_operations(self.store._insert_operations(batch))

    def commit(self) -> None:
        operations = []
        for graph, staging in self.staging.items():
            if graph is None or graph not in self.replace:
                operations.append(f"ADD SILENT {iri_text(staging)} TO {_graph_ref(graph)}")
                operations.append(f"DROP SILENT GRAPH {iri_text(staging)}")
            else:
                operations.append(f"MOVE SILENT {iri_text(staging)} TO {_graph_ref(graph)}")
        operations += [f"DROP SILENT GRAPH {iri_text(g)}" for g in sorted(self.replace) if g not in self.target]
        try:
            self.store._run_operations(operations)
        except BaseException:
            self.undo()
            raise

    def undo(self) -> None:
        """Best effort after a failure: remove the staging graphs and the graphs this run created (the next
        big write removes staging graphs left behind if the server could not be reached)."""
        try:
            self.store._run_operations(
                [f"DROP SILENT GRAPH {iri_text(g)}" for g in [*self.staging.values(), *self.created]]
            )
        except StoreError as exc:
            log.warning("could not undo a failed load: %s", exc)

    def look_around(self) -> None:
        """Which graphs exist, and staging graphs left by an earlier failed load (union queries see them)."""
        graphs = self.store._all_graphs()
        self.existing = {g for g in graphs if not g.startswith(STAGING_PREFIX)}
        left = [g for g in graphs if g.startswith(STAGING_PREFIX)]
        if left:
            log.warning("removing %d staging graphs left by an earlier failed load", len(left))
            self.store._run_operations([f"DROP SILENT GRAPH {iri_text(g)}" for g in left])
