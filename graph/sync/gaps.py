"""Gaps: the SDG targets and Durban manifestos that no hub addresses, over all hubs or a council's or section's."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from l4a.graph.errors import UsageError
from l4a.graph.namespaces import DEFAULT_BASE, L4A
from l4a.graph.resources import internal_query
from l4a.graph.sparql.queries import bind_parameters, get_query, run_named_query
from l4a.graph.sparql.tabular import rows_as
from l4a.graph.store.base import Row, Store
from l4a.graph.sync.gaps_suggested import GapSuggestion, gap_suggestions

# Whether a council or section given by the user exists (the values are bound, never pasted).
IS_A = internal_query("is-a")
CLASSES = {"council": (L4A + "PolicyCouncil", "Policy Council"), "section": (L4A + "Section", "UCLG section")}


@dataclass(frozen=True)
class Gaps:
    """What no hub addresses: SDG targets (with their goal) and manifestos (with their English label); apart, the
    gaps pending suggestions would fill (taken off the two lists only with `include_suggested`)."""

    targets: list[Row]
    manifestos: list[Row]
    suggested: list[GapSuggestion] = field(default_factory=list)
    include_suggested: bool = False

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: {"targets": [{target, goal}], "manifestos": [{manifesto, label}], "suggested": [{kind, gap,
        hub, score, suggestions, state}], "include_suggested": bool}."""
        return {
            "targets": [{c: r[c].value if c in r else "" for c in ("target", "goal")} for r in self.targets],
            "manifestos": [{c: r[c].value if c in r else "" for c in ("manifesto", "label")} for r in self.manifestos],
            "suggested": [g.as_dict() for g in self.suggested],
            "include_suggested": self.include_suggested,
        }

    def as_text(self, fmt: str) -> str:
        """Three tables (table, csv or tsv): the targets, the manifestos, then the gaps suggestions would fill."""
        mark = "suggested, not confirmed" + (": counted, not in the lists above" if self.include_suggested else "")
        rows: list[Row] = [
            {"kind": ox.Literal(g.kind), "gap": ox.NamedNode(g.gap), "hub": ox.NamedNode(g.hub),
             "score": ox.Literal(f"{g.score:.2f}"), "state": ox.Literal(mark)}
            for g in self.suggested
        ]  # fmt: skip
        return (
            rows_as(self.targets, ["target", "goal"], fmt)
            + "\n"
            + rows_as(self.manifestos, ["manifesto", "label"], fmt)
            + "\n"
            + rows_as(rows, ["kind", "gap", "hub", "score", "state"], fmt)
        )


def find_gaps(
    store: Store,
    council: str | None = None,
    section: str | None = None,
    base: str = DEFAULT_BASE,
    include_suggested: bool = False,
) -> Gaps:
    """The SDG targets and manifestos that no hub addresses; with `council` (slug or IRI, either term of its lineage)
    or `section`, only the hubs linked to them count. An unknown council or section is an error, not an empty filter.

    The gaps pending suggestions would fill are listed apart; `include_suggested` counts them (they leave the lists).
    """
    given = {name: value for name, value in (("council", council), ("section", section)) if value is not None}
    bound = bind_parameters(get_query("sdg-gaps"), given, base)
    for name, term in bound.items():
        iri, what = CLASSES[name]
        if not store.ask(IS_A, {"thing": term, "class": ox.NamedNode(iri)}):
            raise UsageError(f"there is no {what} {given[name]!r} in the store; give its slug or IRI.")
    targets = run_named_query(store, "sdg-gaps", given, base)
    manifestos = run_named_query(store, "manifesto-gaps", given, base)
    iris = [r["target"].value for r in targets] + [r["manifesto"].value for r in manifestos]
    chosen = {name: term.value for name, term in bound.items()}
    suggested = gap_suggestions(store, iris, chosen.get("council"), chosen.get("section"))
    if include_suggested:
        filled = {g.gap for g in suggested}
        targets = [r for r in targets if r["target"].value not in filled]
        manifestos = [r for r in manifestos if r["manifesto"].value not in filled]
    return Gaps(targets, manifestos, suggested, include_suggested)
