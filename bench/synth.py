"""Synthetic Local4Action hub generator for the benchmarks (not a test fixture, not real data).

Writes one named graph per hub, ``<https://w3id.org/l4a/graph/hub/synth-{i:06d}>``, holding the record
``<https://w3id.org/l4a/id/hub/synth-{i:06d}>`` (``i`` runs from 1 to n), plus one graph
``<https://w3id.org/l4a/graph/synth-orgs>`` with the pool of leading organisations (type, label,
country code), written first. The shape follows docs/vocabulary-plan.md. Every hub is complete (leads, targets,
manifestos, councils, section, country, dates, status, deliverables with indicators, evidence, a communication
plan, en/fr/es titles, an en description, a source); literals are kept short. About 55 triples per hub.

    python bench/synth.py --hubs 10000 --seed 1 -o /tmp/hubs-10k.nq [--format nquads|trig]

As a module::

    from synth import generate, write
    for line in generate(1000, seed=1):   # N-Quads lines, each ending in "\\n"
        ...
    write("/tmp/hubs.trig", 1000, seed=1, fmt="trig")

The output is a pure function of (n, seed, the SDG target list, the council list). Lines are formatted
directly as strings (no RDF library on the hot path), so 100k hubs take seconds.
"""

from __future__ import annotations

import argparse
import bisect
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SDG = REPO / "ontology" / "reference" / "sdg.ttl"
FALLBACK_SDG = REPO / "ontology" / "sources" / "sdg" / "sdg.ttl"
DEFAULT_UCLG = REPO / "ontology" / "reference" / "uclg.ttl"

BASE = "https://w3id.org/l4a/"
L4A = BASE + "ontology#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
SDG = "http://metadata.un.org/sdg/"
SDGO_TARGET = "http://metadata.un.org/sdg/ontology#Target"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"

ORGS_GRAPH = f"<{GRAPH}synth-orgs>"


def _iri(value: str) -> str:
    return f"<{value}>"


def _l4a(term: str) -> str:
    return f"<{L4A}{term}>"


def escape(value: str) -> str:
    """Escape a string for the inside of an N-Triples/N-Quads/TriG quoted literal."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal term; ``datatype`` is a full IRI (without angle brackets)."""
    text = f'"{escape(value)}"'
    if lang:
        return f"{text}@{lang}"
    if datatype:
        return f"{text}^^<{datatype}>"
    return text


def hub_slug(i: int) -> str:
    return f"synth-{i:06d}"


def hub_iri(i: int) -> str:
    """IRI of synthetic hub ``i`` (1-based), without angle brackets."""
    return f"{ID}hub/{hub_slug(i)}"


def hub_graph(i: int) -> str:
    """Named graph IRI of synthetic hub ``i`` (1-based), without angle brackets."""
    return f"{GRAPH}hub/{hub_slug(i)}"


# --- predicates (pre-bracketed) ---
A = _iri(RDF_TYPE)
DCT_TITLE = "<http://purl.org/dc/terms/title>"
DCT_DESCRIPTION = "<http://purl.org/dc/terms/description>"
DCT_SOURCE = "<http://purl.org/dc/terms/source>"
DCT_DATE = "<http://purl.org/dc/terms/date>"
DCT_LANGUAGE = "<http://purl.org/dc/terms/language>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SCHEMA_URL = "<http://schema.org/url>"
P_STATUS = _l4a("status")
P_LED_BY = _l4a("ledBy")
P_TARGET = _l4a("addressesTarget")
P_MANIFESTO = _l4a("addressesManifesto")
P_COUNCIL = _l4a("relevantCouncil")
P_SECTION = _l4a("section")
P_COUNTRY = _l4a("countryCode")
P_START = _l4a("startDate")
P_END = _l4a("endDate")
P_HAS_DELIVERABLE = _l4a("hasDeliverable")
P_HAS_INDICATOR = _l4a("hasIndicator")
P_DUE = _l4a("dueDate")
P_UNIT = _l4a("unit")
P_BASELINE = _l4a("baseline")
P_TARGET_VALUE = _l4a("targetValue")
P_HAS_EVIDENCE = _l4a("hasEvidence")
P_EVIDENCE_TYPE = _l4a("evidenceType")
P_BUILDS_ON = _l4a("buildsOn")
P_HAS_COMM = _l4a("hasCommunicationPlan")
P_CHANNEL = _l4a("channel")
P_ACTIVITY = _l4a("activity")
C_HUB = _l4a("Hub")
C_DELIVERABLE = _l4a("Deliverable")
C_INDICATOR = _l4a("Indicator")
C_EVIDENCE = _l4a("Evidence")
C_COMM = _l4a("CommunicationPlan")
XSD_DATE = f"^^<{XSD}date>"
XSD_DECIMAL = f"^^<{XSD}decimal>"

# --- controlled values (slugs from docs/vocabulary-plan.md) ---
MANIFESTOS = (
    "local-finance",
    "equality",
    "mobility",
    "culture",
    "ecology",
    "housing",
    "biodiversity",
    "transparency",
    "migration",
    "resilience",
)
MANIFESTO_WEIGHTS = (9, 14, 10, 8, 18, 10, 5, 8, 6, 12)
# Used only when ontology/reference/uclg.ttl is absent (or names no council): the 2023-2026 councils,
# with slugs made up here. The real slugs come from uclg.ttl once it exists.
FALLBACK_COUNCILS = (
    "right-to-the-city",
    "opportunities-for-all",
    "multilevel-governance",
    "resilient-territories",
    "local-multilateralism",
)
STATUSES = (
    ("labelled", 70),
    ("completed", 8),
    ("under-review", 6),
    ("submitted", 5),
    ("needs-changes", 4),
    ("self-described", 4),
    ("withdrawn", 2),
    ("rejected", 1),
)
EVIDENCE_TYPES = ("web-page", "report", "news", "publication", "declaration", "video", "dataset")
EVIDENCE_TYPE_WEIGHTS = (30, 20, 20, 10, 8, 7, 5)
# Countries by regional section (metropolis and uclg-regions are assigned on top, by kind of lead).
SECTION_COUNTRIES = {
    "uclg-africa": ("ZA", "KE", "MA", "SN", "CM", "NG", "GH", "TN", "CI", "UG", "BF", "ET"),
    "uclg-aspac": ("CN", "ID", "PH", "KR", "JP", "IN", "AU", "MY", "VN", "NP", "BD", "NZ"),
    "uclg-eurasia": ("RU", "KZ", "KG", "AM", "TJ", "BY"),
    "cemr": ("ES", "FR", "IT", "DE", "SE", "BE", "NL", "PT", "PL", "FI", "NO", "AT"),
    "uclg-mewa": ("TR", "JO", "LB", "PS", "IR", "IQ"),
    "flacma": ("MX", "BR", "AR", "CO", "EC", "CL", "PE", "UY", "BO", "CR"),
    "uclg-noram": ("US", "CA"),
}
# The seven regional sections above, plus the two global ones (metropolitan, regional governments).
SECTIONS = (*SECTION_COUNTRIES, "metropolis", "uclg-regions")
REGIONAL_SECTION_WEIGHTS = {
    "uclg-africa": 18,
    "uclg-aspac": 18,
    "uclg-eurasia": 5,
    "cemr": 30,
    "uclg-mewa": 8,
    "flacma": 16,
    "uclg-noram": 5,
}
COUNTRY_LANGUAGE = {
    "FR": "fr",
    "BE": "fr",
    "SN": "fr",
    "CM": "fr",
    "MA": "fr",
    "TN": "fr",
    "CI": "fr",
    "BF": "fr",
    "ES": "es",
    "MX": "es",
    "AR": "es",
    "CO": "es",
    "EC": "es",
    "CL": "es",
    "PE": "es",
    "UY": "es",
    "BO": "es",
    "CR": "es",
    "BR": "pt",
    "PT": "pt",
    "IT": "it",
    "DE": "de",
    "AT": "de",
    "TR": "tr",
    "CN": "zh",
    "RU": "ru",
}
ORG_KINDS = (  # (class, weight, label en)
    ("LocalGovernment", 70, "Synthetic local government"),
    ("RegionalGovernment", 20, "Synthetic regional government"),
    ("LRGAssociation", 10, "Synthetic association of local governments"),
)
GOAL_TOPICS = {  # goal -> (en, fr, es) topic phrase for titles
    1: ("poverty", "la pauvreté", "la pobreza"),
    2: ("food", "l'alimentation", "la alimentación"),
    3: ("health", "la santé", "la salud"),
    4: ("education", "l'éducation", "la educación"),
    5: ("gender equality", "l'égalité des genres", "la igualdad de género"),
    6: ("water", "l'eau", "el agua"),
    7: ("energy", "l'énergie", "la energía"),
    8: ("decent work", "le travail décent", "el trabajo decente"),
    9: ("infrastructure", "les infrastructures", "la infraestructura"),
    10: ("inequalities", "les inégalités", "las desigualdades"),
    11: ("sustainable cities", "les villes durables", "las ciudades sostenibles"),
    12: ("responsible consumption", "la consommation responsable", "el consumo responsable"),
    13: ("climate action", "l'action climatique", "la acción climática"),
    14: ("oceans", "les océans", "los océanos"),
    15: ("biodiversity", "la biodiversité", "la biodiversidad"),
    16: ("peace and institutions", "la paix et les institutions", "la paz y las instituciones"),
    17: ("partnerships", "les partenariats", "las alianzas"),
}
# Zipf over goals: this order gives the ranks (11 heaviest, then 17, 13, 5, 4, 3, 6, 8, then the rest).
GOAL_RANK = (11, 17, 13, 5, 4, 3, 6, 8, 1, 10, 16, 12, 7, 9, 2, 15, 14)
GOAL_ZIPF_S = 1.1
WITHIN_GOAL_S = 0.6
DELIVERABLE_KINDS = (
    "baseline study",
    "local action plan",
    "training programme",
    "pilot project",
    "monitoring report",
    "peer-learning exchange",
    'campaign "Our city, our goals"',
    "open data portal",
    "policy brief",
)
UNITS = ("households", "percent", "tonnes CO2e", "people trained", "km", "hectares", "events", "EUR")
CHANNELS = (
    "website",
    "social media",
    'newsletter "Hub news"',
    "local radio",
    "press releases",
    "public workshops",
)
ACTIVITIES = (
    "launch event",
    "quarterly newsletter",
    "peer-learning webinar",
    "final conference",
    "video series",
    "exhibition",
)
EVIDENCE_LANGUAGES = ("en", "fr", "es")

# --- how many of each part (weights for 1, 2, 3, ...); every part is present in every hub ---
N_LEADS = (75, 20, 5)  # 1-3
N_TARGETS = (35, 25, 15, 10, 7, 5, 3)  # 2-8
N_MANIFESTOS = (60, 30, 10)  # 1-3
N_COUNCILS = (75, 25)  # 1-2
N_DELIVERABLES = (50, 22, 14, 8, 6)  # 1-5
N_INDICATORS = (70, 30)  # 1-2
N_EVIDENCE = (70, 30)  # 1-2
PROB_BUILDS_ON = 0.10  # the one optional link: a hub building on an earlier one


def _target_sort_key(notation: str) -> tuple[int, int, int, str]:
    goal, _, sub = notation.partition(".")
    return (int(goal), 0, int(sub), "") if sub.isdigit() else (int(goal), 1, 0, sub)


def load_targets(path: str | Path | None = None) -> list[str]:
    """The SDG target notations ("11.3", ...) of the skos:Concepts typed sdgo:Target in the SDG file."""
    import pyoxigraph as ox

    if path is None:
        path = DEFAULT_SDG if DEFAULT_SDG.exists() else FALLBACK_SDG
    path = Path(path)
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
    rdf_type = ox.NamedNode(RDF_TYPE)
    target = ox.NamedNode(SDGO_TARGET)
    notations = set()
    for quad in ox.parse(path=str(path), format=fmt):
        if quad.predicate == rdf_type and quad.object == target and isinstance(quad.subject, ox.NamedNode):
            iri = quad.subject.value
            if iri.startswith(SDG):
                notations.add(iri[len(SDG) :])
    if not notations:
        raise ValueError(f"no sdgo:Target in {path}")
    return sorted(notations, key=_target_sort_key)


def load_councils(path: str | Path | None = None) -> list[str]:
    """Council slugs from uclg.ttl (the 2023-2026 term if terms are given), else FALLBACK_COUNCILS."""
    path = Path(path) if path is not None else DEFAULT_UCLG
    if not path.exists():
        return list(FALLBACK_COUNCILS)
    import pyoxigraph as ox

    prefix = f"{ID}council/"
    councils: set[str] = set()
    terms: dict[str, str] = {}
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        s, p, o = quad.subject, quad.predicate.value, quad.object
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(prefix):
            continue
        if p == RDF_TYPE and o == ox.NamedNode(L4A + "PolicyCouncil"):
            councils.add(s.value)
        elif p == L4A + "term" and isinstance(o, ox.NamedNode):
            terms[s.value] = o.value
    current = {c for c in councils if terms.get(c, "").endswith("/council-term/2023-2026")}
    chosen = current or councils
    if not chosen:
        return list(FALLBACK_COUNCILS)
    return sorted(c[len(prefix) :] for c in chosen)


class _Picker(Generic[T]):
    """Weighted choice by bisection over cumulative weights (faster than random.choices for one draw)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: Iterable[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def one(self, rand: Callable[[], float]) -> T:
        return self.items[bisect.bisect_right(self.cum, rand() * self.total)]

    def distinct(self, rng: random.Random, k: int) -> list[T]:
        k = min(k, len(self.items))
        seen: list[T] = []
        while len(seen) < k:
            x = self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]
            if x not in seen:
                seen.append(x)
        return seen


def _count_picker(weights: Sequence[float], first: int = 1) -> _Picker[int]:
    return _Picker(range(first, first + len(weights)), weights)


def _target_picker(notations: Sequence[str]) -> _Picker[tuple[str, int]]:
    goal_rank = {g: r + 1 for r, g in enumerate(GOAL_RANK)}
    by_goal: dict[int, list[str]] = {}
    for t in notations:
        by_goal.setdefault(int(t.partition(".")[0]), []).append(t)
    items: list[tuple[str, int]] = []
    weights: list[float] = []
    for goal, targets in by_goal.items():
        gw = 1.0 / goal_rank.get(goal, len(GOAL_RANK) + 1) ** GOAL_ZIPF_S
        pos_w = [1.0 / (k + 1) ** WITHIN_GOAL_S for k in range(len(targets))]
        norm = sum(pos_w)
        for t, w in zip(targets, pos_w, strict=True):
            items.append((f"<{SDG}{t}>", goal))
            weights.append(gw * w / norm)
    return _Picker(items, weights)


def _date(y: int, m: int, d: int) -> str:
    return f'"{y:04d}-{m:02d}-{d:02d}"{XSD_DATE}'


def _month_offset(y: int, m: int, k: int) -> tuple[int, int]:
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


def _graphs(
    n: int, seed: int, sdg: str | Path | None = None, uclg: str | Path | None = None
) -> Iterator[tuple[str, list[str]]]:
    """Yield (graph term, ["s p o", ...]) pairs: the organisation pool first, then one per hub."""
    rng = random.Random(seed)
    rand = rng.random
    randint = rng.randint
    targets = _target_picker(load_targets(sdg))
    councils = [f"<{ID}council/{c}>" for c in load_councils(uclg)]
    council_pick = _Picker(councils, [1] * len(councils))
    manifestos = _Picker([f"<{ID}manifesto/{m}>" for m in MANIFESTOS], MANIFESTO_WEIGHTS)
    status_pick = _Picker([f"<{ID}status/{s}>" for s, _ in STATUSES], [w for _, w in STATUSES])
    ev_type_pick = _Picker([f"<{ID}evidence-type/{t}>" for t in EVIDENCE_TYPES], EVIDENCE_TYPE_WEIGHTS)
    region_pick = _Picker(list(REGIONAL_SECTION_WEIGHTS), list(REGIONAL_SECTION_WEIGHTS.values()))
    kind_pick = _Picker(ORG_KINDS, [w for _, w, _ in ORG_KINDS])
    n_leads = _count_picker(N_LEADS)
    n_targets = _count_picker(N_TARGETS, 2)
    n_manifestos = _count_picker(N_MANIFESTOS)
    n_councils = _count_picker(N_COUNCILS)
    n_deliverables = _count_picker(N_DELIVERABLES)
    n_indicators = _count_picker(N_INDICATORS)
    n_evidence = _count_picker(N_EVIDENCE)
    sections = {s: f"<{ID}section/{s}>" for s in SECTIONS}
    titles = {
        g: (escape(f" on {en}"), escape(f" sur {fr}"), escape(f" sobre {es}"))
        for g, (en, fr, es) in GOAL_TOPICS.items()
    }
    country_section = {c: s for s, cs in SECTION_COUNTRIES.items() for c in cs}
    deliverable_kinds = [escape(k) for k in DELIVERABLE_KINDS]
    channels = [lit(c) for c in CHANNELS]
    activities = [lit(a, "en") for a in ACTIVITIES]
    descriptions = {g: escape(f" on {en} ") for g, (en, _, _) in GOAL_TOPICS.items()}
    units = [lit(u) for u in UNITS]

    # Organisation pool: about one organisation per three hubs, all written to the synth-orgs graph.
    n_orgs = max(1, round(n / 3))
    orgs: list[tuple[str, str, str]] = []  # (iri term, country, kind)
    org_triples: list[str] = []
    for k in range(1, n_orgs + 1):
        kind, _, label = kind_pick.one(rand)
        section = region_pick.one(rand)
        countries = SECTION_COUNTRIES[section]
        country = countries[int(rand() * len(countries))]
        o = f"<{ID}org/synth-org-{k}>"
        orgs.append((o, country, kind))
        org_triples.append(f"{o} {A} {_l4a(kind)}")
        org_triples.append(f'{o} {RDFS_LABEL} "{label} {k}"@en')
        org_triples.append(f'{o} {P_COUNTRY} "{country}"')
    yield ORGS_GRAPH, org_triples

    for i in range(1, n + 1):
        slug = f"synth-{i:06d}"
        h = f"<{ID}hub/{slug}>"
        t: list[str] = []
        add = t.append

        picked = targets.distinct(rng, n_targets.one(rand))
        goal = picked[0][1]
        en, fr, es = titles[goal]
        add(f"{h} {A} {C_HUB}")
        add(f'{h} {DCT_TITLE} "Synthetic hub {i}{en}"@en')
        add(f'{h} {DCT_TITLE} "Hub synthétique {i}{fr}"@fr')
        add(f'{h} {DCT_TITLE} "Hub sintético {i}{es}"@es')
        add(f"{h} {P_STATUS} {status_pick.one(rand)}")

        leads = [orgs[int(rand() * n_orgs)] for _ in range(n_leads.one(rand))]
        for o in dict.fromkeys(o for o, _, _ in leads):
            add(f"{h} {P_LED_BY} {o}")
        _, country, kind = leads[0]
        for iri, _ in picked:
            add(f"{h} {P_TARGET} {iri}")
        for m in manifestos.distinct(rng, n_manifestos.one(rand)):
            add(f"{h} {P_MANIFESTO} {m}")
        for c in council_pick.distinct(rng, n_councils.one(rand)):
            add(f"{h} {P_COUNCIL} {c}")
        r = rand()
        if kind == "RegionalGovernment" and r < 0.3:
            section = "uclg-regions"
        elif kind == "LocalGovernment" and r < 0.1:
            section = "metropolis"
        else:
            section = country_section[country]
        add(f"{h} {P_SECTION} {sections[section]}")
        add(f'{h} {P_COUNTRY} "{country}"')
        add(f'{h} {DCT_DESCRIPTION} "Synthetic hub {i}: local action{descriptions[goal]}in {country}."@en')

        sy = randint(2019, 2025)
        sm = randint(1, 12)
        sd = randint(1, 28)
        years = randint(1, min(3, 2027 - sy))
        add(f"{h} {P_START} {_date(sy, sm, sd)}")
        add(f"{h} {P_END} {_date(sy + years, sm, sd)}")
        add(f"{h} {DCT_SOURCE} <https://example.org/synth/source/{slug}>")

        if i > 1 and rand() < PROB_BUILDS_ON:
            add(f"{h} {P_BUILDS_ON} <{ID}hub/synth-{randint(1, i - 1):06d}>")

        for d in range(1, n_deliverables.one(rand) + 1):
            dv = f"<{ID}deliverable/{slug}-{d}>"
            dy, dm = _month_offset(sy, sm, randint(3, 12 * years - 1))
            due = _date(dy, dm, randint(1, 28))
            add(f"{h} {P_HAS_DELIVERABLE} {dv}")
            add(f"{dv} {A} {C_DELIVERABLE}")
            kind_text = deliverable_kinds[int(rand() * len(deliverable_kinds))]
            add(f'{dv} {DCT_TITLE} "Deliverable {d}: {kind_text}"@en')
            add(f"{dv} {P_DUE} {due}")
            for nn in range(1, n_indicators.one(rand) + 1):
                ind = f"<{ID}indicator/{slug}-{d}-{nn}>"
                baseline = randint(0, 5000) / 10
                target = baseline + randint(1, 5000) / 10
                add(f"{dv} {P_HAS_INDICATOR} {ind}")
                add(f"{ind} {A} {C_INDICATOR}")
                add(f"{ind} {P_UNIT} {units[int(rand() * len(units))]}")
                add(f'{ind} {P_BASELINE} "{baseline:.1f}"{XSD_DECIMAL}')
                add(f'{ind} {P_TARGET_VALUE} "{target:.1f}"{XSD_DECIMAL}')
                add(f"{ind} {P_DUE} {due}")

        for e in range(1, n_evidence.one(rand) + 1):
            ev = f"<{ID}evidence/{slug}-{e}>"
            ey, em = _month_offset(sy, sm, randint(0, 12 * years - 1))
            r = rand()
            lang = COUNTRY_LANGUAGE.get(country, "en") if r < 0.5 else EVIDENCE_LANGUAGES[int(r * 6) % 3]
            add(f"{h} {P_HAS_EVIDENCE} {ev}")
            add(f"{ev} {A} {C_EVIDENCE}")
            add(f"{ev} {SCHEMA_URL} <https://example.org/synth/{slug}/evidence-{e}>")
            add(f"{ev} {P_EVIDENCE_TYPE} {ev_type_pick.one(rand)}")
            add(f"{ev} {DCT_DATE} {_date(ey, em, randint(1, 28))}")
            add(f'{ev} {DCT_LANGUAGE} "{lang}"')

        cp = f"<{ID}communication-plan/{slug}>"
        add(f"{h} {P_HAS_COMM} {cp}")
        add(f"{cp} {A} {C_COMM}")
        add(f"{cp} {P_CHANNEL} {channels[int(rand() * len(channels))]}")
        add(f"{cp} {P_ACTIVITY} {activities[int(rand() * len(activities))]}")

        yield f"<{GRAPH}hub/{slug}>", t


def generate(n: int, seed: int, sdg: str | Path | None = None, uclg: str | Path | None = None) -> Iterator[str]:
    """N-Quads lines (each ending in a newline) for ``n`` synthetic hubs; deterministic for a seed."""
    for g, triples in _graphs(n, seed, sdg, uclg):
        tail = f" {g} .\n"
        for tr in triples:
            yield tr + tail


def write(
    path: str | Path,
    n: int,
    seed: int,
    fmt: str = "nquads",
    sdg: str | Path | None = None,
    uclg: str | Path | None = None,
) -> int:
    """Write ``n`` synthetic hubs to ``path`` as N-Quads or TriG; return the number of quads written."""
    if fmt not in ("nquads", "trig"):
        raise ValueError(f"unknown format {fmt!r} (nquads or trig)")
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        for g, triples in _graphs(n, seed, sdg, uclg):
            count += len(triples)
            if fmt == "nquads":
                tail = f" {g} .\n"
                out.write(tail.join(triples) + tail)
            else:
                out.write(f"{g} {{\n" + " .\n".join(triples) + " .\n}\n")
    return count


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hubs", type=int, default=10_000, help="number of hubs (default 10000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("-o", "--output", required=True, help="output file")
    ap.add_argument(
        "--format",
        choices=("nquads", "trig"),
        default=None,
        help="output syntax (default: from the file extension, .trig -> trig, else nquads)",
    )
    ap.add_argument(
        "--sdg",
        default=None,
        help=f"SDG SKOS file with the targets (default {DEFAULT_SDG}, else {FALLBACK_SDG})",
    )
    ap.add_argument(
        "--uclg",
        default=None,
        help=f"UCLG reference file with the council slugs (default {DEFAULT_UCLG} if present)",
    )
    args = ap.parse_args(argv)
    fmt = args.format or ("trig" if args.output.endswith(".trig") else "nquads")
    t0 = time.perf_counter()
    quads = write(args.output, args.hubs, args.seed, fmt, args.sdg, args.uclg)
    secs = time.perf_counter() - t0
    per_hub = quads / args.hubs if args.hubs else 0.0
    print(
        f"{args.output}: {args.hubs} hubs, {quads} triples ({per_hub:.2f} per hub, organisation pool "
        f"included), {fmt}, {secs:.2f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
