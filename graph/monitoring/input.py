"""Observations as given (a YAML or CSV file, or the web form), checked field by field into plain Observations.

The file reader and the web form share `check_entry`, so that both refuse the same values with the same errors:
an ObservationError names the field, a message code (the web form translates it) and where it was (file, line).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from l4a.graph.errors import InputError, Location
from l4a.graph.monitoring.model import Observation
from l4a.graph.namespaces import DEFAULT_BASE, record_iri
from l4a.graph.safe_yaml import StrictLoader

FIELDS = ("indicator", "value", "date", "source", "reported_by")
HEADER_FIELDS = {"hub", "source", "reported_by"}
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
WEB_ADDRESS = re.compile(r"https?://[^/?#\s]+([/?#]\S*)?")
# English texts of the field errors (the CLI's); the web form has its own, in en/fr/es, under the same codes.
TEXTS = {
    "unknown_field": "unknown field `{given}`.",
    "missing": "`{field}` is missing.",
    "not_number": "`value` must be a number, not {given!r}.",
    "not_date": "`date` must be a date such as 2027-03-31, not {given!r}.",
    "future": "`date` {given} is in the future.",
    "no_source": "`source` must be an http(s) address (on the observation or for the whole file).",
    "not_url": "`source` must be a full http(s) address, not {given!r}.",
    "no_reporter": "`reported_by` is missing (on the observation or for the whole file).",
    "not_hub_indicator": "{given} is not an indicator of {hub}.",
    "shape": "`{field}`: {message}",
}
HINTS = {
    "missing": "Each observation needs {field}.",
    "future": "Report what was observed.",
}


class ObservationError(InputError):
    """A value of an observation that cannot be stored; nothing was written.

    `field` is the observation's field (indicator, value, date, source, reported_by; "" for none), `code` the kind
    of error (a key of TEXTS) and `params` what fills its text."""

    def __init__(self, code: str, field: str, location: Location, hint: str | None = None, **params: str) -> None:
        self.code = code
        self.field = field
        self.params = {"field": field, **params}
        default_hint = HINTS.get(code)
        super().__init__(
            TEXTS[code].format(**self.params),
            location,
            hint or (default_hint.format(**self.params) if default_hint else None),
        )


@dataclass
class Entry:
    """One observation as given, before any check: its fields (the file's defaults filled in), the line it starts on
    and the line of each field, when it came from a file."""

    fields: Mapping[str, Any]
    line: int | None = None
    marks: dict[str, int] = field(default_factory=dict)

    def location(self, source: str, name: str) -> Location:
        """Where the field `name` was given (its own line, else the observation's)."""
        return Location(source, self.marks.get(name, self.line))


def _iri(given: str, base: str, kind: str) -> str:
    given = given.strip()
    return given if given.startswith(("http://", "https://")) else record_iri(base, kind, given)


def is_web_address(text: str) -> bool:
    """An absolute http(s) address that is a valid IRI (the rule of shapes/observation.ttl, and what RDF accepts)."""
    if not WEB_ADDRESS.fullmatch(text):
        return False
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _day(given: Any) -> dt.date | None:
    """A calendar date given as a date or as YYYY-MM-DD text; None for anything else (a time, a week, 2026-13-01)."""
    if isinstance(given, dt.date) and not isinstance(given, dt.datetime):
        return given
    if not isinstance(given, str) or not ISO_DATE.fullmatch(given.strip()):
        return None
    try:
        return dt.date.fromisoformat(given.strip())
    except ValueError:
        return None


def entry_errors(
    entry: Entry, source: str, base: str = DEFAULT_BASE, today: dt.date | None = None
) -> tuple[Observation | None, list[ObservationError]]:
    """The observation, or every field error of the entry (in field order: the first is what a file reports)."""
    today = today or dt.date.today()
    item = entry.fields
    errors: list[ObservationError] = []

    def fail(code: str, name: str, **params: str) -> None:
        errors.append(ObservationError(code, name, entry.location(source, name), **params))

    for name in sorted(set(item) - set(FIELDS)):
        fail("unknown_field", name, given=name)
    for name in ("indicator", "value", "date"):
        if item.get(name) is None or str(item.get(name)).strip() == "":
            errors.append(ObservationError("missing", name, Location(source, entry.line)))
    value: Decimal | None = None
    raw_value = item.get("value")
    if raw_value is not None and str(raw_value).strip() != "":
        try:
            if isinstance(raw_value, bool):
                raise InvalidOperation
            value = Decimal(str(raw_value).strip())
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            value = None
            fail("not_number", "value", given=str(raw_value))
    day: dt.date | None = None
    raw_date = item.get("date")
    if raw_date is not None and str(raw_date).strip() != "":
        day = _day(raw_date)
        if day is None:
            fail("not_date", "date", given=str(raw_date))
        if day is not None and day > today:
            fail("future", "date", given=day.isoformat())
            day = None
    src = item.get("source")
    if src is None or not str(src).strip():
        fail("no_source", "source")
    elif not is_web_address(str(src).strip()):
        fail("not_url", "source", given=str(src).strip())
    who = item.get("reported_by")
    if who is None or not str(who).strip():
        fail("no_reporter", "reported_by")
    if errors or value is None or day is None:
        return None, errors
    indicator = _iri(str(item["indicator"]), base, "indicator")
    return Observation(indicator, value, day, str(src).strip(), str(who).strip(), entry.line), errors


def check_entry(entry: Entry, source: str, base: str = DEFAULT_BASE, today: dt.date | None = None) -> Observation:
    """The observation of an entry, or its first field error (raised)."""
    found, errors = entry_errors(entry, source, base, today)
    if errors:
        raise errors[0]
    assert found is not None
    return found


# --- files -----------------------------------------------------------------------------------------------------


class _Loader(StrictLoader):
    """The strict YAML loader (graph/safe_yaml.py); dates stay text, so that a wrong date is our clear error."""


def _as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)


def _yaml_rows(text: str, source: str) -> tuple[dict[str, Any], dict[str, int], list[Entry]]:
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"this is not valid YAML: {getattr(exc, 'problem', exc)}", Location(source, line)) from exc
    except RecursionError as exc:
        raise InputError("this YAML is nested too deeply.", Location(source)) from exc
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise InputError("the file must be a mapping with `hub` and `observations`.", Location(source, 1))
    nodes = {k.value: v for k, v in node.value}
    items = nodes.get("observations")
    if not isinstance(data.get("observations"), list) or not isinstance(items, yaml.SequenceNode):
        raise InputError("`observations` must be a list.", Location(source, 1), "See docs/monitoring.md.")
    rows = []
    for item, item_node in zip(data["observations"], items.value, strict=True):
        if not isinstance(item, dict) or not isinstance(item_node, yaml.MappingNode):
            raise InputError("each observation must be a mapping.", Location(source, item_node.start_mark.line + 1))
        marks = {k.value: k.start_mark.line + 1 for k, _ in item_node.value}
        rows.append(Entry(item, item_node.start_mark.line + 1, marks))
    header = {k: v for k, v in data.items() if k != "observations"}
    return header, {k.value: k.start_mark.line + 1 for k, _ in node.value}, rows


def _csv_rows(text: str) -> tuple[dict[str, Any], dict[str, int], list[Entry]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    hubs: set[str] = set()
    for row in reader:
        line = reader.line_num
        item = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None and (v or "").strip()}
        if "hub" in item:
            hubs.add(item.pop("hub"))
        rows.append(Entry(item, line, {k: line for k in item}))
    header: dict[str, Any] = {}
    if len(hubs) == 1:
        header["hub"] = hubs.pop()
    elif hubs:
        header["hub"] = sorted(hubs)
    return header, {"hub": 1}, rows


def read_entries(path: Path, base: str = DEFAULT_BASE) -> tuple[str, list[Entry]]:
    """The hub IRI and the entries of a YAML or CSV file, the file's defaults (source, reported_by) filled in."""
    source = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", Location(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError("the file is not UTF-8 text.", Location(path), "Save it as UTF-8.") from exc
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        header, lines, rows = _yaml_rows(text, source)
    elif suffix == ".csv":
        header, lines, rows = _csv_rows(text)
    else:
        raise InputError("a monitoring file is .yaml, .yml or .csv.", Location(path))
    hub = header.get("hub")
    if not isinstance(hub, str) or not hub.strip():
        raise InputError(
            "`hub` is missing (or several hubs are given): one file, one hub.", Location(source, lines.get("hub", 1))
        )
    unknown = sorted(set(header) - HEADER_FIELDS)
    if unknown:
        raise InputError(f"unknown field `{unknown[0]}`.", Location(source, lines.get(unknown[0])))
    if not rows:
        raise InputError("the file has no observations.", Location(source))
    defaults = {k: header[k] for k in ("source", "reported_by") if header.get(k) is not None}
    entries = [Entry({**defaults, **row.fields}, row.line, row.marks) for row in rows]
    return _iri(hub, base, "hub"), entries


def read_observations(
    path: Path, base: str = DEFAULT_BASE, today: dt.date | None = None
) -> tuple[str, list[Observation]]:
    """The hub IRI and the observations of a YAML or CSV file, checked field by field (an error says where)."""
    hub, entries = read_entries(path, base)
    return hub, [check_entry(entry, str(path), base, today) for entry in entries]
