"""What the home page and the SDG pages show: hubs per SDG goal (every goal, zeros included), the newest hubs."""

from __future__ import annotations

from dataclasses import dataclass

from l4a.graph.store.base import Store

# The hub-goal pairs are found in a sub-SELECT first (Oxigraph evaluates it on its own, then joins by hashing):
# written as one OPTIONAL pattern, the same count took 14 s on 10k hubs instead of 0.3 s.
GOALS = """
PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX sdgo: <http://metadata.un.org/sdg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?goal ?notation (COUNT(DISTINCT ?hub) AS ?hubs) WHERE {
  ?goal a sdgo:Goal ; skos:notation ?notation .
  OPTIONAL {
    SELECT ?goal ?hub WHERE {
      { ?hub l4a:addressesGoal ?goal } UNION { ?hub l4a:addressesTarget ?target . ?target skos:broader ?goal }
      ?hub a l4a:Hub .
    }
  }
}
GROUP BY ?goal ?notation
"""

NEWEST = """
PREFIX l4a: <https://w3id.org/l4a/ontology#>
SELECT ?hub ?when WHERE {
  ?hub a l4a:Hub .
  OPTIONAL { ?hub l4a:labelDate ?label }
  OPTIONAL { ?hub l4a:startDate ?start }
  OPTIONAL { ?hub l4a:launchDate ?launch }
  BIND (STR(COALESCE(?label, ?start, ?launch, "")) AS ?when)
}
ORDER BY DESC(?when) ?hub
LIMIT 6
"""


@dataclass(frozen=True)
class GoalCount:
    """An SDG goal and how many hubs address it (directly or through one of its targets)."""

    goal: str
    number: int
    hubs: int


def goal_counts(store: Store) -> list[GoalCount]:
    """Every SDG goal, 1 to 17, with its number of hubs (0 included)."""
    rows = store.select(GOALS)
    found = [GoalCount(r["goal"].value, int(r["notation"].value), int(r["hubs"].value)) for r in rows]
    return sorted(found, key=lambda g: g.number)


def newest_hubs(store: Store) -> list[tuple[str, str]]:
    """The six most recent hubs (by label, start or launch date) with that date."""
    return [(r["hub"].value, r["when"].value) for r in store.select(NEWEST)]
