"""A named query's file: its header comments (title, description, parameters, columns, ...) and its text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from l4a.graph.errors import UsageError

HEADER_LINE = re.compile(r"^#\s*(\w+):\s*(.*)$")
EQUAL = "="  # `# narrow: column | =`


@dataclass(frozen=True)
class Parameter:
    """A named parameter: `# param: name | type | example | help [| optional]`."""

    name: str
    kind: str
    example: str
    help: str
    required: bool = True


@dataclass(frozen=True)
class Narrowing:
    """`# narrow: columns | internal query [| pairs]`, or `# narrow: column | =` (graph/sparql/narrow.py)."""

    columns: tuple[str, ...]
    query: str
    pairs: bool = False

    @property
    def equal(self) -> bool:
        """`# narrow: column | =`: the parameter of the column's name is a variable of the query's patterns only, so
        the answer with it bound is the unfiltered answer's rows whose column holds that value."""
        return self.query == EQUAL

    @property
    def values(self) -> bool:
        """`# narrow: columns | internal query`: the internal query decides the named query's filter lines on the
        distinct values of the columns (graph/sparql/narrow.py)."""
        return not self.equal and not self.pairs


@dataclass
class NamedQuery:
    """One queries/<name>.rq file."""

    name: str
    title: str
    description: str
    text: str
    parameters: list[Parameter] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    internal: bool = False  # `# internal: true`: run by the code, never listed (CLI, catalogue, OpenAPI)
    narrow: list[Narrowing] = field(default_factory=list)  # `# narrow:` lines


def parse_query_file(name: str, text: str) -> NamedQuery:
    """The header comments and the query text of a .rq file."""
    fields: dict[str, list[str]] = {}
    last = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if last and line.startswith("#  "):  # an indented line goes on (even one such as `#   urn:l4a:...`)
            fields[last][-1] += " " + line.lstrip("# ").strip()
            continue
        match = HEADER_LINE.match(line)
        if match:
            last = match.group(1).lower()
            fields.setdefault(last, []).append(match.group(2).strip())
    parameters = []
    for spec in fields.get("param", []):
        parts = [p.strip() for p in spec.split("|")]
        if len(parts) < 4:
            raise UsageError(f"queries/{name}.rq: a param line needs 'name | type | example | help'; got {spec!r}.")
        parameters.append(Parameter(parts[0], parts[1], parts[2], parts[3], "optional" not in parts[4:]))
    columns = [c.strip() for c in " ".join(fields.get("columns", [])).split(",") if c.strip()]
    narrow = []
    for spec in fields.get("narrow", []):
        parts = [p.strip() for p in spec.split("|")]
        equal = len(parts) == 2 and parts[1] == EQUAL and len(parts[0].split()) == 1
        if (len(parts) not in (2, 3) or not parts[0] or not parts[1] or parts[2:] not in ([], ["pairs"])
                or (parts[1] == EQUAL and not equal)):  # fmt: skip
            raise UsageError(f"queries/{name}.rq: a narrow line needs 'columns | internal query [| pairs]' or "
                             f"'column | ='; got {spec!r}.")  # fmt: skip
        narrow.append(Narrowing(tuple(parts[0].split()), parts[1], parts[2:] == ["pairs"]))
    return NamedQuery(
        name=name,
        title=" ".join(fields.get("title", [name])),
        description=" ".join(fields.get("description", [])),
        text=text,
        parameters=parameters,
        columns=columns,
        internal=" ".join(fields.get("internal", [])).lower() == "true",
        narrow=narrow,
    )
