"""RDF serialization formats: names, file extensions, and parsing that reports where a file is broken."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import Literal, Quad, RdfFormat, parse

from l4a.graph.errors import InputError, Location, UsageError

FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "trig": RdfFormat.TRIG,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}

EXTENSIONS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
}


def format_named(name: str) -> RdfFormat:
    """The format called `name` (turtle, trig, ntriples, nquads, jsonld, rdfxml)."""
    try:
        return FORMATS[name.lower().replace("-", "").replace("_", "")]
    except KeyError:
        raise UsageError(f"unknown RDF format {name!r}; use one of: {', '.join(FORMATS)}.") from None


def guess_format(path: Path) -> RdfFormat:
    """The format of a file from its extension."""
    name = EXTENSIONS.get(path.suffix.lower())
    if name is None:
        raise InputError(
            f"cannot tell the RDF format from the extension {path.suffix!r}",
            Location(path),
            f"use one of {', '.join(sorted(EXTENSIONS))} or give --format.",
        )
    return FORMATS[name]


def syntax_error(path: Path, exc: SyntaxError) -> InputError:
    """An InputError naming the file, line and column of a parser's complaint."""
    message = str(exc.msg or exc)
    line = exc.lineno if isinstance(exc.lineno, int) else None
    column = exc.offset if isinstance(exc.offset, int) else None
    return InputError(
        f"not valid {path.suffix or 'RDF'}: {message}",
        Location(path, line, column),
        "fix the file and run the command again; nothing was loaded.",
    )


MAX_LITERAL_CHARS = 10_000_000  # a bigger literal is refused in any file read (an expansion attack, not data)
BOM = b"\xef\xbb\xbf"


def refuse_entities(path: Path) -> None:
    """RDF/XML may declare XML entities, which a parser expands: 529 bytes became a 30 MB literal, and nested ones
    need gigabytes. No RDF the project reads needs them, so a file that declares one is refused."""
    tail = b""
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            if b"<!ENTITY" in tail + chunk:
                raise InputError(
                    "this RDF/XML file declares XML entities (<!ENTITY ...>), which are not accepted: "
                    "they can expand a small file into gigabytes",
                    Location(path),
                    "write the values out in the file (no DOCTYPE entities) and try again; nothing was loaded.",
                )
            tail = chunk[-8:]


def iter_quads(path: Path, fmt: RdfFormat, base_iri: str | None = None) -> Iterator[Quad]:
    """Parse a file quad by quad, raising InputError with the location of the first syntax error.

    A UTF-8 byte order mark at the start is skipped (editors on Windows write one); RDF/XML entity declarations
    and literals longer than MAX_LITERAL_CHARS are refused.
    """
    if not path.is_file():
        raise InputError("no such file", Location(path), "check the path.")
    if fmt == RdfFormat.RDF_XML:
        refuse_entities(path)
    try:
        with path.open("rb") as stream:
            if stream.read(len(BOM)) != BOM:
                stream.seek(0)
            for quad in parse(input=stream, format=fmt, base_iri=base_iri):
                if isinstance(quad.object, Literal) and len(quad.object.value) > MAX_LITERAL_CHARS:
                    raise InputError(
                        f"a literal of {quad.subject} {quad.predicate} is longer than {MAX_LITERAL_CHARS:,} "
                        "characters, which is not accepted",
                        Location(path),
                        "keep long texts out of the graph (link to them); nothing was loaded.",
                    )
                yield quad
    except SyntaxError as exc:
        raise syntax_error(path, exc) from exc
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the file: {exc}", Location(path)) from exc
