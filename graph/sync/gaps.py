"""Gaps: the SDG targets and Durban manifestos that no hub records a link to, over all hubs or a council's or
section's, and apart the goals that hubs are linked to without any target recorded.

A gap is an absence of records, not a fact about the hubs: the sources may simply not state a hub's targets or
manifestos. Hence the wording "no hub records a link to ...", never "no hub addresses ...", and the goal-level
links counted apart ("goal 5: 2 hubs, no target recorded")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from l4a.graph.errors import UsageError
from l4a.graph.namespaces import DEFAULT_BASE, L4A
from l4a.graph.resources import internal_query
from l4a.graph.sdg_order import sdg_key
from l4a.graph.sparql.queries import bind_parameters, get_query, run_named_query
from l4a.graph.sparql.tabular import rows_as
from l4a.graph.store.base import Row, Store
from l4a.graph.sync.gaps_suggested import GapSuggestion, gap_suggestions

# Whether a council or section given by the user exists (the values are bound, never pasted).
IS_A = internal_query("is-a")
CLASSES = {"council": (L4A + "PolicyCouncil", "Policy Council"), "section": (L4A + "Section", "UCLG section")}


NOTE = (
    "Listed: what no hub records a link to. The sources of a hub may not state its targets or manifestos, so a gap "
    "here says nothing about what the hubs do."
)


def goal_only_text(row: Row) -> str:
    """One goal-level line, e.g. "goal 5: 2 hubs, no target recorded"; links the project derives are said apart."""
    hubs, derived = int(row["hubs"].value), int(row["derived"].value)
    parts = [f"{hubs} hub{'' if hubs == 1 else 's'}, no target recorded"] if hubs else []
    if derived:
        parts.append(
            f"{derived} hub{'' if derived == 1 else 's'} by a link this project derives (not stated by a source), "
            "no target recorded"
        )
    return f"goal {row['notation'].value}: " + "; ".join(parts)


@dataclass(frozen=True)
class Gaps:
    """What no hub records a link to: SDG targets (with their goal) and manifestos (with their English label); and
    the goals hubs are linked to at goal level only (no target recorded), counted apart; apart too, the gaps
    pending suggestions would fill (taken off the lists only with `include_suggested`)."""

    targets: list[Row]
    manifestos: list[Row]
    goal_only: list[Row] = field(default_factory=list)
    suggested: list[GapSuggestion] = field(default_factory=list)
    include_suggested: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: {"note", "targets": [{target, goal}], "goal_only": [{goal, notation, hubs, derived, text}],
        "manifestos": [{manifesto, label}], "suggested": [{kind, gap, hub, score, suggestions, state}],
        "include_suggested": bool}."""
        return {
            "note": NOTE,
            "targets": [{c: r[c].value if c in r else "" for c in ("target", "goal")} for r in self.targets],
            "goal_only": [
                {
                    "goal": r["goal"].value,
                    "notation": r["notation"].value,
                    "hubs": int(r["hubs"].value),
                    "derived": int(r["derived"].value),
                    "text": goal_only_text(r),
                }
                for r in self.goal_only
            ],
            "manifestos": [{c: r[c].value if c in r else "" for c in ("manifesto", "label")} for r in self.manifestos],
            "suggested": [g.as_dict() for g in self.suggested],
            "include_suggested": self.include_suggested,
        }

    def as_text(self, fmt: str) -> str:
        """Four tables (table, csv or tsv): the targets no hub records a link to, the goals linked without a
        target, the manifestos no hub records a link to, then the gaps pending suggestions would fill ("suggested,
        not confirmed"); as a table, each with its title."""
        goals = rows_as(self.goal_only, ["goal", "notation", "hubs", "derived"], fmt)
        mark = "suggested, not confirmed" + (": counted, not in the lists above" if self.include_suggested else "")
        suggested: list[Row] = [
            {"kind": ox.Literal(g.kind), "gap": ox.NamedNode(g.gap), "hub": ox.NamedNode(g.hub),
             "score": ox.Literal(f"{g.score:.2f}"), "state": ox.Literal(mark)}
            for g in self.suggested
        ]  # fmt: skip
        parts = [
            ("SDG targets no hub records a link to", rows_as(self.targets, ["target", "goal"], fmt)),
            ("SDG goals linked without a target recorded", goals),
            ("Durban manifestos no hub records a link to", rows_as(self.manifestos, ["manifesto", "label"], fmt)),
            (
                "Gaps pending suggestions would fill (suggested, not confirmed)",
                rows_as(suggested, ["kind", "gap", "hub", "score", "state"], fmt),
            ),
        ]
        if fmt != "table":
            return "\n".join(text for _, text in parts)
        lines = [NOTE, ""]
        for title, text in parts:
            lines += [f"{title}:", text]
        lines += ["", *(goal_only_text(r) for r in self.goal_only)]
        return "\n".join(lines)


def find_gaps(
    store: Store,
    council: str | None = None,
    section: str | None = None,
    base: str = DEFAULT_BASE,
    include_suggested: bool = False,
) -> Gaps:
    """The SDG targets and manifestos that no hub records a link to, and the goals linked without a target; with
    `council` (slug or IRI, either term of its lineage)
    or `section`, only the hubs linked to them count. An unknown council or section is an error, not an empty filter.

    The gaps pending suggestions would fill are listed apart; `include_suggested` counts them (they leave the lists).
    """
    given = {name: value for name, value in (("council", council), ("section", section)) if value is not None}
    bound = bind_parameters(get_query("sdg-gaps"), given, base)
    for name, term in bound.items():
        iri, what = CLASSES[name]
        if not store.ask(IS_A, {"thing": term, "class": ox.NamedNode(iri)}):
            raise UsageError(f"there is no {what} {given[name]!r} in the store; give its slug or IRI.")
    targets = sorted(run_named_query(store, "sdg-gaps", given, base), key=lambda r: sdg_key(r["target"].value))
    manifestos = run_named_query(store, "manifesto-gaps", given, base)
    iris = [r["target"].value for r in targets] + [r["manifesto"].value for r in manifestos]
    chosen = {name: term.value for name, term in bound.items()}
    suggested = gap_suggestions(store, iris, chosen.get("council"), chosen.get("section"))
    if include_suggested:
        filled = {g.gap for g in suggested}
        targets = [r for r in targets if r["target"].value not in filled]
        manifestos = [r for r in manifestos if r["manifesto"].value not in filled]
    goal_only = run_named_query(store, "goal-only-links", given, base)
    return Gaps(targets, manifestos, goal_only, suggested, include_suggested)
