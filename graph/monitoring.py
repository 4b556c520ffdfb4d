"""Monitoring: observations on deliverable indicators, deliverable status and progress measures (docs/monitoring.md).

Observations are added by file (`l4a monitor add`), each file into a new named graph
(`graph/monitoring/<hub>/<n>`), so the history is kept and never overwritten. The status and the measures are
computed here from plain data, so that they can be tested on fixtures whose answers are known by construction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from .errors import InputError, Location, UsageError
from .namespaces import DCTERMS, DEFAULT_BASE, L4A, PROV, RDF, RDFS, XSD, graph_iri, record_iri
from .store import Store

AT_RISK_WINDOW_DAYS = 90  # a deliverable due within this many days and not done is at risk
AT_RISK_LAG = Decimal("0.25")  # an indicator this far behind the straight line from start to due date is at risk
NEAR_END_DAYS = 90  # a hub ending within this many days without a completion report is flagged
STATUSES = ("done", "overdue", "at-risk", "on-track")
FIELDS = {"indicator", "value", "date", "source", "reported_by"}


@dataclass
class Observation:
    indicator: str
    value: Decimal
    date: dt.date
    source: str | None = None
    reported_by: str | None = None


@dataclass
class Indicator:
    iri: str
    label: str
    baseline: Decimal
    target: Decimal
    due: dt.date | None = None
    unit: str = ""
    observations: list[Observation] = field(default_factory=list)

    def series(self) -> list[Observation]:
        """The observations in date order (the later file wins for the same date: history is kept, both shown)."""
        return sorted(self.observations, key=lambda o: o.date)

    def latest(self, on: dt.date | None = None) -> Observation | None:
        found = [o for o in self.series() if on is None or o.date <= on]
        return found[-1] if found else None

    def progress(self, on: dt.date | None = None) -> Decimal | None:
        """(latest - baseline) / (target - baseline), None without an observation (or with target = baseline)."""
        latest = self.latest(on)
        if latest is None or self.target == self.baseline:
            return None
        return (latest.value - self.baseline) / (self.target - self.baseline)

    def reached_on(self) -> dt.date | None:
        """The date of the first observation whose progress is at least 1."""
        for o in self.series():
            if self.target != self.baseline and (o.value - self.baseline) / (self.target - self.baseline) >= 1:
                return o.date
        return None


@dataclass
class Deliverable:
    iri: str
    label: str
    due: dt.date | None
    indicators: list[Indicator] = field(default_factory=list)

    def done_on(self) -> dt.date | None:
        """When every indicator had reached its target (None if one has not, or there are no indicators)."""
        dates = [i.reached_on() for i in self.indicators]
        if not dates or any(d is None for d in dates):
            return None
        return max(d for d in dates if d is not None)


@dataclass
class HubMonitoring:
    iri: str
    label: str
    start: dt.date | None
    end: dt.date | None
    completed: bool = False
    report_dates: list[dt.date] = field(default_factory=list)
    deliverables: list[Deliverable] = field(default_factory=list)
    councils: set[str] = field(default_factory=set)
    goals: set[str] = field(default_factory=set)

    @property
    def indicators(self) -> list[Indicator]:
        return [i for d in self.deliverables for i in d.indicators]

    def has_figures(self) -> bool:
        return any(i.observations for i in self.indicators)


def deliverable_status(d: Deliverable, start: dt.date | None, today: dt.date) -> str:
    """done, overdue, at-risk or on-track, by the rules of docs/monitoring.md."""
    done = d.done_on()
    if done is not None and done <= today:
        return "done"
    if d.due is not None and d.due < today:
        return "overdue"
    if d.due is not None and (d.due - today).days <= AT_RISK_WINDOW_DAYS:
        return "at-risk"
    if start is not None and d.due is not None and d.due > start and today > start:
        expected = Decimal((today - start).days) / Decimal((d.due - start).days)
        for indicator in d.indicators:
            progress = indicator.progress(today)
            if (progress if progress is not None else Decimal(0)) < expected - AT_RISK_LAG:
                return "at-risk"
    return "on-track"


def near_end_without_report(hub: HubMonitoring, today: dt.date) -> bool:
    """Flag: the hub ends within NEAR_END_DAYS (or has ended), is not completed, and has no report dated from
    NEAR_END_DAYS before its end on."""
    if hub.end is None or hub.completed or (hub.end - today).days > NEAR_END_DAYS:
        return False
    since = hub.end - dt.timedelta(days=NEAR_END_DAYS)
    return not any(d >= since for d in hub.report_dates)


def on_time_share(deliverables: list[Deliverable], today: dt.date) -> Decimal | None:
    """Deliverables done by their due date / deliverables due by today; None when none is due yet."""
    due = [d for d in deliverables if d.due is not None and d.due <= today]
    if not due:
        return None
    on_time = [d for d in due if (done := d.done_on()) is not None and d.due is not None and done <= d.due]
    return Decimal(len(on_time)) / Decimal(len(due))


def mean_progress(indicators: list[Indicator], on: dt.date | None = None) -> Decimal | None:
    """The mean of the indicators' progress (those with an observation by `on`); None if none has one."""
    values = [p for i in indicators if (p := i.progress(on)) is not None]
    return sum(values, Decimal(0)) / len(values) if values else None


def progress_by(hubs: list[HubMonitoring], key: str, on: dt.date | None = None) -> dict[str, Decimal | None]:
    """Mean progress per hub (key 'hub'), per council ('council') or per SDG goal ('goal')."""
    groups: dict[str, list[Indicator]] = {}
    for hub in hubs:
        names = {"hub": {hub.iri}, "council": hub.councils, "goal": hub.goals}[key]
        for name in names:
            groups.setdefault(name, []).extend(hub.indicators)
    return {name: mean_progress(indicators, on) for name, indicators in sorted(groups.items())}


def links_over_time(starts: dict[str, dt.date | None], links: list[tuple[str, str]]) -> dict[int, int]:
    """Synchronization links counted by year: a link exists from the later start year of its two hubs; the count
    for a year is cumulative. Links with an undated hub are left out."""
    years: list[int] = []
    for a, b in links:
        sa, sb = starts.get(a), starts.get(b)
        if sa is not None and sb is not None:
            years.append(max(sa.year, sb.year))
    return {year: sum(1 for y in years if y <= year) for year in sorted(set(years))}


# --- reading the store ---------------------------------------------------------------------------------------

HUBS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?hub ?title ?start ?end ?status WHERE {
  ?hub a l4a:Hub .
  OPTIONAL { ?hub dcterms:title ?title }
  OPTIONAL { ?hub l4a:startDate ?start }
  OPTIONAL { ?hub l4a:endDate ?end }
  OPTIONAL { ?hub l4a:status ?status }
}"""
INDICATORS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?hub ?d ?dlabel ?ddue ?i ?ilabel ?baseline ?target ?idue ?unit WHERE {
  ?hub l4a:hasDeliverable ?d .
  OPTIONAL { ?d rdfs:label|dcterms:title ?dlabel }
  OPTIONAL { ?d l4a:dueDate ?ddue }
  OPTIONAL { ?d l4a:hasIndicator ?i .
    OPTIONAL { ?i rdfs:label ?ilabel } OPTIONAL { ?i l4a:baseline ?baseline } OPTIONAL { ?i l4a:targetValue ?target }
    OPTIONAL { ?i l4a:dueDate ?idue } OPTIONAL { ?i l4a:unit ?unit } }
}"""
OBSERVATIONS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?o ?i ?value ?date ?source ?who WHERE {
  ?o a l4a:Observation ; l4a:observationOf ?i ; l4a:value ?value ; l4a:observedOn ?date .
  OPTIONAL { ?o dcterms:source ?source }
  OPTIONAL { ?o l4a:reportedBy/rdfs:label ?who }
}"""
LINKS = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?hub ?kind ?value WHERE {
  ?hub a l4a:Hub .
  { ?hub l4a:relevantCouncil ?value BIND("council" AS ?kind) }
  UNION { ?hub l4a:addressesGoal ?value BIND("goal" AS ?kind) }
  UNION { ?e l4a:supports ?hub ; l4a:evidenceType ?t ; dcterms:date ?value .
          FILTER(STRENDS(STR(?t), "/report")) BIND("report" AS ?kind) }
}"""


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def load_monitoring(store: Store, base: str = DEFAULT_BASE) -> dict[str, HubMonitoring]:
    """Every hub with its deliverables, indicators and observations."""
    hubs: dict[str, HubMonitoring] = {}
    for row in store.select(HUBS):
        iri = row["hub"].value
        hub = hubs.setdefault(iri, HubMonitoring(iri, iri.rsplit("/", 1)[-1], None, None))
        title = row.get("title")
        if isinstance(title, ox.Literal) and (title.language in (None, "en") or hub.label == iri.rsplit("/", 1)[-1]):
            hub.label = title.value
        if "start" in row:
            hub.start = _date(row["start"].value)
        if "end" in row:
            hub.end = _date(row["end"].value)
        if "status" in row and row["status"].value.endswith("/completed"):
            hub.completed = True
    for row in store.select(LINKS):
        hub = hubs[row["hub"].value]
        kind, value = row["kind"].value, row["value"].value
        if kind == "council":
            hub.councils.add(value)
        elif kind == "goal":
            hub.goals.add(value)
        elif (day := _date(value)) is not None:
            hub.report_dates.append(day)
    indicators: dict[str, Indicator] = {}
    deliverables: dict[str, Deliverable] = {}
    for row in store.select(INDICATORS):
        hub_iri = row["hub"].value
        if hub_iri not in hubs:
            continue
        d_iri = row["d"].value
        if d_iri not in deliverables:
            label = row["dlabel"].value if "dlabel" in row else d_iri.rsplit("/", 1)[-1]
            due = _date(row["ddue"].value) if "ddue" in row else None
            deliverables[d_iri] = Deliverable(d_iri, label, due)
            hubs[hub_iri].deliverables.append(deliverables[d_iri])
        if "i" in row and row["i"].value not in indicators and "baseline" in row and "target" in row:
            i_iri = row["i"].value
            indicators[i_iri] = Indicator(
                i_iri,
                row["ilabel"].value if "ilabel" in row else i_iri.rsplit("/", 1)[-1],
                Decimal(row["baseline"].value),
                Decimal(row["target"].value),
                _date(row["idue"].value) if "idue" in row else None,
                row["unit"].value if "unit" in row else "",
            )
            deliverables[d_iri].indicators.append(indicators[i_iri])
    for row in store.select(OBSERVATIONS):
        indicator = indicators.get(row["i"].value)
        day = _date(row["date"].value)
        if indicator is None or day is None:
            continue
        indicator.observations.append(
            Observation(
                row["i"].value,
                Decimal(row["value"].value),
                day,
                row["source"].value if "source" in row else None,
                row["who"].value if "who" in row else None,
            )
        )
    for hub in hubs.values():
        hub.deliverables.sort(key=lambda d: d.iri)
        for d in hub.deliverables:
            d.indicators.sort(key=lambda i: i.iri)
    return hubs


# --- adding observations from a file -------------------------------------------------------------------------


@dataclass
class Added:
    hub: str
    graph: str
    observations: int


class _Loader(yaml.SafeLoader):
    """Dates stay text, so that a wrong date is our clear error, not PyYAML's."""


def _as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)


def _yaml_rows(text: str, source: str) -> tuple[dict[str, Any], list[tuple[dict[str, Any], int, dict[str, int]]]]:
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"this is not valid YAML: {getattr(exc, 'problem', exc)}", Location(source, line)) from exc
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise InputError("the file must be a mapping with `hub` and `observations`.", Location(source, 1))
    lines = {k.value: v for k, v in node.value}
    items = lines.get("observations")
    if not isinstance(data.get("observations"), list) or not isinstance(items, yaml.SequenceNode):
        raise InputError("`observations` must be a list.", Location(source, 1), "See docs/monitoring.md.")
    rows = []
    for item, item_node in zip(data["observations"], items.value, strict=True):
        if not isinstance(item, dict) or not isinstance(item_node, yaml.MappingNode):
            raise InputError("each observation must be a mapping.", Location(source, item_node.start_mark.line + 1))
        marks = {k.value: k.start_mark.line + 1 for k, _ in item_node.value}
        rows.append((item, item_node.start_mark.line + 1, marks))
    header = {k: v for k, v in data.items() if k != "observations"}
    header_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    header["_lines"] = header_lines
    return header, rows


def _csv_rows(text: str) -> tuple[dict[str, Any], list[tuple[dict[str, Any], int, dict[str, int]]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    hubs: set[str] = set()
    for row in reader:
        line = reader.line_num
        item = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None and (v or "").strip()}
        if "hub" in item:
            hubs.add(item.pop("hub"))
        rows.append((item, line, {k: line for k in item}))
    header: dict[str, Any] = {"_lines": {"hub": 1}}
    if len(hubs) == 1:
        header["hub"] = hubs.pop()
    elif hubs:
        header["hub"] = sorted(hubs)
    return header, rows


def read_observations(
    path: Path, base: str = DEFAULT_BASE, today: dt.date | None = None
) -> tuple[str, list[Observation]]:
    """The hub IRI and the observations of a YAML or CSV file, checked field by field (InputError with the place)."""
    source = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", Location(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError("the file is not UTF-8 text.", Location(path), "Save it as UTF-8.") from exc
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        header, rows = _yaml_rows(text, source)
    elif suffix == ".csv":
        header, rows = _csv_rows(text)
    else:
        raise InputError("a monitoring file is .yaml, .yml or .csv.", Location(path))
    lines: dict[str, int] = header.pop("_lines")
    hub = header.get("hub")
    if not isinstance(hub, str) or not hub.strip():
        raise InputError(
            "`hub` is missing (or several hubs are given): one file, one hub.", Location(source, lines.get("hub", 1))
        )
    unknown = set(header) - {"hub", "source", "reported_by"}
    if unknown:
        raise InputError(f"unknown field `{sorted(unknown)[0]}`.", Location(source, lines.get(sorted(unknown)[0])))
    hub_iri = hub if hub.startswith(("http://", "https://")) else record_iri(base, "hub", hub.strip())
    today = today or dt.date.today()
    found = []
    for item, line, marks in rows:
        where = {k: Location(source, marks.get(k, line)) for k in FIELDS}
        extra = set(item) - FIELDS
        if extra:
            raise InputError(
                f"unknown field `{sorted(extra)[0]}`.", Location(source, marks.get(sorted(extra)[0], line))
            )
        for name in ("indicator", "value", "date"):
            if item.get(name) in (None, ""):
                raise InputError(f"`{name}` is missing.", Location(source, line), f"Each observation needs {name}.")
        indicator = str(item["indicator"]).strip()
        iri = indicator if indicator.startswith(("http://", "https://")) else record_iri(base, "indicator", indicator)
        if isinstance(item["value"], bool):
            raise InputError("`value` must be a number.", where["value"])
        try:
            value = Decimal(str(item["value"]).strip())
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation as exc:
            raise InputError(f"`value` must be a number, not {item['value']!r}.", where["value"]) from exc
        raw_date = item["date"]
        if isinstance(raw_date, dt.datetime) or not isinstance(raw_date, (dt.date, str)):
            raise InputError("`date` must be a date such as 2027-03-31.", where["date"])
        try:
            day = raw_date if isinstance(raw_date, dt.date) else dt.date.fromisoformat(raw_date.strip())
        except ValueError as exc:
            raise InputError(f"`date` must be a date such as 2027-03-31, not {raw_date!r}.", where["date"]) from exc
        if day > today:
            raise InputError(f"`date` {day.isoformat()} is in the future.", where["date"], "Report what was observed.")
        src = item.get("source", header.get("source"))
        if src is None or not str(src).startswith(("http://", "https://")):
            raise InputError(
                "`source` must be an http(s) address (on the observation or for the whole file).", where["source"]
            )
        who = item.get("reported_by", header.get("reported_by"))
        if who is None or not str(who).strip():
            raise InputError(
                "`reported_by` is missing (on the observation or for the whole file).", where["reported_by"]
            )
        found.append(Observation(iri, value, day, str(src).strip(), str(who).strip()))
    if not found:
        raise InputError("the file has no observations.", Location(source))
    return hub_iri, found


CHECK = """PREFIX l4a: <https://w3id.org/l4a/ontology#>
SELECT ?hub ?i WHERE { ?hub l4a:hasDeliverable/l4a:hasIndicator ?i }"""


def add_observations(
    store: Store, path: Path, base: str = DEFAULT_BASE, today: dt.date | None = None, graph: str | None = None
) -> Added:
    """Add a file's observations to a new named graph graph/monitoring/<hub>/<n>, in one write.

    Nothing is written if a field is wrong or an indicator is not one of the hub's."""
    hub_iri, observations = read_observations(path, base, today)
    if not store.ask(
        "PREFIX l4a: <https://w3id.org/l4a/ontology#> ASK { ?hub a l4a:Hub }", {"hub": ox.NamedNode(hub_iri)}
    ):
        raise UsageError(f"there is no hub {hub_iri} in the store.")
    own = {row["i"].value for row in store.select(CHECK, {"hub": ox.NamedNode(hub_iri)})}
    for o in observations:
        if o.indicator not in own:
            raise InputError(
                f"{o.indicator} is not an indicator of {hub_iri}.",
                Location(path),
                "Use one of: " + ", ".join(sorted(own) or ["(none)"]),
            )
    slug = hub_iri.rstrip("/").rsplit("/", 1)[-1]
    prefix = graph_iri(base, f"monitoring/{slug}/")
    if graph is None:
        taken = {g for g in store.named_graphs() if g.startswith(prefix)}
        n = 1
        while f"{prefix}{n}" in taken:
            n += 1
        graph = f"{prefix}{n}"
    name = graph.rsplit("/", 1)[-1]
    g = ox.NamedNode(graph)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    quads = [ox.Quad(g, ox.NamedNode(DCTERMS + "created"), ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")), g)]
    for n_obs, o in enumerate(observations, 1):
        node = ox.NamedNode(record_iri(base, "observation", f"{slug}-{name}-{n_obs}"))
        agent = ox.NamedNode(record_iri(base, "agent", _slug(o.reported_by or "")))
        quads += [
            ox.Quad(node, ox.NamedNode(RDF + "type"), ox.NamedNode(L4A + "Observation"), g),
            ox.Quad(node, ox.NamedNode(L4A + "observationOf"), ox.NamedNode(o.indicator), g),
            ox.Quad(node, ox.NamedNode(L4A + "value"), _typed(str(o.value), "decimal"), g),
            ox.Quad(node, ox.NamedNode(L4A + "observedOn"), _typed(o.date.isoformat(), "date"), g),
            ox.Quad(node, ox.NamedNode(DCTERMS + "source"), ox.NamedNode(o.source or ""), g),
            ox.Quad(node, ox.NamedNode(L4A + "reportedBy"), agent, g),
            ox.Quad(agent, ox.NamedNode(RDF + "type"), ox.NamedNode(PROV + "Agent"), g),
            ox.Quad(agent, ox.NamedNode(RDFS + "label"), ox.Literal(o.reported_by or ""), g),
        ]
    store.add_quads(quads)
    return Added(hub_iri, graph, len(observations))


def _typed(text: str, xsd_name: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + xsd_name))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "anonymous"
