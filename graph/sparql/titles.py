"""The named queries' titles, descriptions and parameters' help as texts of the gettext catalogues: the extractor
that `pybabel extract` runs on queries/*.rq (web/translations/babel.cfg), so that translators find them beside the
UI's words; pages translate them with `gettext(query.title)`."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from l4a.graph.sparql.query_file import parse_query_file


def extract_query_texts(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel's extractor interface: (line, function, message, comments) for a query's title, its description (as
    `parse_query_file` joins its lines) and each parameter's help; an internal query (`# internal: true`) has none,
    as no one sees it."""
    text = fileobj.read().decode("utf-8")
    name = Path(str(getattr(fileobj, "name", "query.rq"))).stem
    query = parse_query_file(name, text)
    if query.internal:
        return
    lines = text.splitlines()

    def line_of(prefix: str, after: str = "") -> int:
        return next((n for n, line in enumerate(lines, 1) if line.startswith("#") and prefix in line
                     and after in line), 1)  # fmt: skip

    yield line_of("title:"), None, query.title, [f"the title of the named query {name}"]
    if query.description:  # an empty msgid would be the catalogue's header
        yield line_of("description:"), None, query.description, [f"the description of the named query {name}"]
    for p in query.parameters:
        yield line_of("param:", f" {p.name} "), None, p.help, [f"the help of the parameter {p.name} of {name}"]
