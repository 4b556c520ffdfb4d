"""Gaps: the SDG targets and Durban manifestos that no hub addresses, over all hubs or a council's or section's."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from l4a.graph.errors import UsageError
from l4a.graph.namespaces import DEFAULT_BASE, L4A
from l4a.graph.sparql.queries import bind_parameters, get_query, run_named_query
from l4a.graph.sparql.tabular import rows_as
from l4a.graph.store.base import Row, Store

# Whether a council or section given by the user exists (the values are bound, never pasted).
EXISTS = "ASK { ?thing a ?class }"
CLASSES = {"council": (L4A + "PolicyCouncil", "Policy Council"), "section": (L4A + "Section", "UCLG section")}


@dataclass(frozen=True)
class Gaps:
    """What no hub addresses: SDG targets (with their goal) and manifestos (with their English label)."""

    targets: list[Row]
    manifestos: list[Row]

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        """JSON-ready: {"targets": [{target, goal}], "manifestos": [{manifesto, label}]}."""
        return {
            "targets": [{c: r[c].value if c in r else "" for c in ("target", "goal")} for r in self.targets],
            "manifestos": [{c: r[c].value if c in r else "" for c in ("manifesto", "label")} for r in self.manifestos],
        }

    def as_text(self, fmt: str) -> str:
        """Two tables (table, csv or tsv): the targets, then the manifestos."""
        return (
            rows_as(self.targets, ["target", "goal"], fmt)
            + "\n"
            + rows_as(self.manifestos, ["manifesto", "label"], fmt)
        )


def find_gaps(store: Store, council: str | None = None, section: str | None = None, base: str = DEFAULT_BASE) -> Gaps:
    """The SDG targets and manifestos that no hub addresses; with `council` (slug or IRI, either term of its lineage)
    or `section`, only the hubs linked to them count. An unknown council or section is an error, not an empty filter."""
    given = {name: value for name, value in (("council", council), ("section", section)) if value is not None}
    bound = bind_parameters(get_query("sdg-gaps"), given, base)
    for name, term in bound.items():
        iri, what = CLASSES[name]
        if not store.ask(EXISTS, {"thing": term, "class": ox.NamedNode(iri)}):
            raise UsageError(f"there is no {what} {given[name]!r} in the store; give its slug or IRI.")
    return Gaps(
        targets=run_named_query(store, "sdg-gaps", given, base),
        manifestos=run_named_query(store, "manifesto-gaps", given, base),
    )
