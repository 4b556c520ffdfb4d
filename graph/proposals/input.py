"""Read proposal files (YAML, JSON, CSV) into plain data, remembering where each field came from.

Each proposal is a dict in the documented format (docs/proposals.md); `marks` maps a field path such as
`deliverables[1].indicators[0].target_value` to its line and column, so that errors can say where.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from l4a.graph.errors import InputError, Location
from l4a.graph.safe_yaml import StrictLoader

MAX_PROPOSAL_BYTES = 1_000_000  # one proposal, as submitted
MAX_FILE_BYTES = 64_000_000  # a file of many proposals (CSV rows, a YAML or JSON list)
MEDIA_TYPES = {"yaml": "application/yaml", "json": "application/json", "csv": "text/csv"}


@dataclass
class RawProposal:
    """One proposal as read from a file: its data, where its fields are, and its own bytes."""

    data: dict[str, Any]
    source: str
    index: int
    original: bytes
    media_type: str
    marks: dict[str, tuple[int, int | None]] = field(default_factory=dict)

    def location(self, path: str) -> Location:
        """The file, line and column of a field (or of the closest enclosing field known)."""
        while path and path not in self.marks:
            shorter = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", path)
            path = shorter if shorter != path else ""  # a top-level field with no mark: the whole proposal
        line, column = self.marks.get(path, (None, None))
        return Location(self.source, line, column)


def input_kind(path: Path, declared: str | None = None) -> str:
    """yaml, json, csv, or rdf (anything else the RDF reader knows, by extension)."""
    if declared:
        return declared
    suffix = path.suffix.lower()
    return {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}.get(suffix, "rdf")


def read_proposals(path: Path, kind: str) -> list[RawProposal]:
    """The proposals in a YAML, JSON or CSV file (InputError with the place when it cannot be read)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"the file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a file of proposals.",
                Location(path),
                "Split it into several files.",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", Location(path)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("the file is not UTF-8 text.", Location(path, line), "Save it as UTF-8.") from exc
    readers: dict[str, Callable[[str, str], list[RawProposal]]] = {"yaml": _yaml, "json": _json, "csv": _csv}
    proposals = readers[kind](text, str(path))
    for proposal in proposals:
        if len(proposal.original) > MAX_PROPOSAL_BYTES:
            raise InputError(
                f"proposal {proposal.index + 1} is {len(proposal.original):,} bytes, over the "
                f"{MAX_PROPOSAL_BYTES:,}-byte limit for one proposal.",
                proposal.location(""),
                "Shorten its texts, or link long documents as evidence URLs.",
            )
    return proposals


def _items(data: Any, source: str, what: str) -> list[tuple[str, Any]]:
    """The proposals of a file holding one proposal or a list of them, with their path prefixes."""
    if isinstance(data, dict):
        return [("", data)]
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        return [(f"[{i}]", item) for i, item in enumerate(data)]
    raise InputError(
        f"a {what} proposal file holds one proposal (a mapping of fields) or a list of them.",
        Location(source, 1),
        "See docs/proposals.md and the examples in docs/examples/.",
    )


class _Loader(StrictLoader):
    """The strict YAML loader (graph/safe_yaml.py), leaving dates as text: the mapper checks them and says which
    field is wrong."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml(text: str, source: str) -> list[RawProposal]:
    try:
        loader = _Loader(text)  # refuses control characters already (found by tests/test_fuzz.py)
    except yaml.YAMLError as exc:
        raise InputError(f"this is not valid YAML: {exc}.", Location(source)) from exc
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        raise InputError(f"this is not valid YAML: {exc.problem or exc}.", where) from exc
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise InputError(f"this is not valid YAML: {exc}.", Location(source)) from exc
    except RecursionError as exc:
        raise InputError("this YAML is nested too deeply.", Location(source)) from exc
    finally:
        loader.dispose()
    marks: dict[str, tuple[int, int | None]] = {}
    if node is not None:
        _yaml_marks(node, "", marks)
    lines = text.splitlines(keepends=True)
    proposals = []
    for index, (prefix, item) in enumerate(_items(data, source, "YAML")):
        own = {_strip(path, prefix): mark for path, mark in marks.items() if path.startswith(prefix)}
        if prefix:
            first = own.get("", (1, None))[0]
            nxt = marks.get(f"[{index + 1}]", (len(lines) + 1, None))[0]
            original = "".join(lines[first - 1 : nxt - 1]).encode()
        else:
            original = text.encode()
        proposals.append(RawProposal(item, source, index, original, MEDIA_TYPES["yaml"], own))
    return proposals


def _strip(path: str, prefix: str) -> str:
    rest = path[len(prefix) :]
    return rest[1:] if rest.startswith(".") else rest


def _yaml_marks(node: yaml.Node, path: str, marks: dict[str, tuple[int, int | None]]) -> None:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value)
            child = f"{path}.{name}" if path else name
            _yaml_marks(value, child, marks)
            marks[child] = (key.start_mark.line + 1, key.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _yaml_marks(value, f"{path}[{i}]", marks)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {key!r} is given twice in one object")
        found[key] = value
    return found


def _json(text: str, source: str) -> list[RawProposal]:
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InputError(f"this is not valid JSON: {exc.msg}.", Location(source, exc.lineno, exc.colno)) from exc
    except RecursionError as exc:
        raise InputError("this JSON is nested too deeply.", Location(source)) from exc
    except ValueError as exc:  # a key given twice
        raise InputError(f"this is not valid here: {exc}.", Location(source)) from exc
    items = _items(data, source, "JSON")
    return [
        RawProposal(item, source, index, json.dumps(item, ensure_ascii=False).encode(), MEDIA_TYPES["json"])
        if prefix
        else RawProposal(item, source, index, text.encode(), MEDIA_TYPES["json"])
        for index, (prefix, item) in enumerate(items)
    ]


# CSV: one row per proposal. Repeated values are separated by ";"; leads, partners and evidence are given as
# parallel columns (lead_name, lead_type, lead_country, ...), deliverables as numbered columns.
CSV_TEXT = {"name", "description", "theme"}
CSV_LISTS = {"sdg_targets", "sdg_goals", "manifestos", "policy_councils", "builds_on", "pact_axes", "events"}
CSV_PLAIN = {"id", "city", "region", "country", "section", "start_date", "end_date", "launch_date", "website",
             "submitted_by", "visual_identity_checked"}  # fmt: skip
CSV_GROUPS = {
    "lead": ("lead", ("name", "type", "country", "wikidata", "website")),
    "partner": ("partners", ("name", "type", "country", "wikidata", "website")),
    "evidence": ("evidence", ("url", "type", "date", "publisher", "language", "title")),
}
CSV_DELIVERABLE = re.compile(
    r"^deliverable_(\d+)_(title|due_date|indicator|unit|baseline|target_value|indicator_due_date)$"
)
CSV_COMMUNICATION = {"channels", "activities"}


def _csv(text: str, source: str) -> list[RawProposal]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = list(reader.fieldnames or [])
    columns = {name: i + 1 for i, name in enumerate(header)}
    proposals: list[RawProposal] = []
    try:
        for index, row in enumerate(reader):
            line = reader.line_num
            if None in row:
                raise InputError(
                    f"row {index + 1} has more values than the header has columns.",
                    Location(source, line),
                    "Quote values that contain commas.",
                )
            data, marks = _csv_row(row, columns, line, source)
            original = _csv_line(header, row)
            proposals.append(RawProposal(data, source, index, original, MEDIA_TYPES["csv"], marks))
    except csv.Error as exc:
        raise InputError(f"this is not valid CSV: {exc}.", Location(source, reader.line_num)) from exc
    if not proposals:
        raise InputError("the CSV file has no proposal rows.", Location(source, 1), "See docs/proposals.md.")
    return proposals


def _csv_line(header: list[str], row: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _csv_row(
    row: dict[str, str], columns: dict[str, int], line: int, source: str
) -> tuple[dict[str, Any], dict[str, tuple[int, int | None]]]:
    data: dict[str, Any] = {}
    marks: dict[str, tuple[int, int | None]] = {"": (line, None)}
    groups: dict[str, dict[str, list[str]]] = {}
    deliverables: dict[int, dict[str, str]] = {}
    for column, value in row.items():
        value = (value or "").strip()
        if not value:
            continue
        mark = (line, columns[column])
        text = re.match(r"^(name|description|theme)_(en|fr|es)$", column)
        group = re.match(r"^(lead|partner|evidence)_(\w+)$", column)
        deliverable = CSV_DELIVERABLE.match(column)
        if text:
            data.setdefault(text.group(1), {})[text.group(2)] = value
            marks[text.group(1)] = mark
        elif column in CSV_TEXT:
            data[column] = value
            marks[column] = mark
        elif column in CSV_LISTS:
            data[column] = _split(value)
            marks[column] = mark
        elif column in CSV_PLAIN:
            data[column] = value
            marks[column] = mark
        elif column in CSV_COMMUNICATION:
            data.setdefault("communication", {})[column] = _split(value)
            marks[f"communication.{column}"] = mark
        elif group and group.group(2) in CSV_GROUPS[group.group(1)][1]:
            groups.setdefault(group.group(1), {})[group.group(2)] = _split(value)
            marks[CSV_GROUPS[group.group(1)][0]] = mark
        elif deliverable:
            deliverables.setdefault(int(deliverable.group(1)), {})[deliverable.group(2)] = value
            marks[f"deliverables[{int(deliverable.group(1)) - 1}]"] = mark
        else:
            raise InputError(
                f"unknown column {column!r}.", Location(source, 1, columns[column]), "See docs/proposals.md."
            )
    for prefix, values in groups.items():
        key = CSV_GROUPS[prefix][0]
        count = max(len(v) for v in values.values())
        data[key] = [{name: v[i] for name, v in values.items() if i < len(v)} for i in range(count)]
    if deliverables:
        data["deliverables"] = [_csv_deliverable(deliverables[n]) for n in sorted(deliverables)]
    return data, marks


def _csv_deliverable(columns: dict[str, str]) -> dict[str, Any]:
    deliverable: dict[str, Any] = {}
    if "title" in columns:
        deliverable["title"] = columns["title"]
    if "due_date" in columns:
        deliverable["due_date"] = columns["due_date"]
    indicator = {
        key: columns[column]
        for key, column in (
            ("name", "indicator"),
            ("unit", "unit"),
            ("baseline", "baseline"),
            ("target_value", "target_value"),
            ("due_date", "indicator_due_date"),
        )
        if column in columns
    }
    if indicator:
        deliverable["indicators"] = [indicator]
    return deliverable
