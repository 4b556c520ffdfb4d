"""What the home page and the SDG pages show: hubs per SDG goal (every goal, zeros included), the newest hubs."""

from __future__ import annotations

from dataclasses import dataclass

from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store

GOALS = internal_query("overview-goals")

NEWEST = internal_query("overview-newest-hubs")


@dataclass(frozen=True)
class GoalCount:
    """An SDG goal, how many hubs address it by a stated link (directly or through one of its targets), and how
    many more are linked to it only by a link the project derives (counted apart)."""

    goal: str
    number: int
    hubs: int
    derived: int = 0


def goal_counts(store: Store) -> list[GoalCount]:
    """Every SDG goal, 1 to 17, with its number of hubs (0 included)."""
    rows = store.select(GOALS)
    found = [
        GoalCount(r["goal"].value, int(r["notation"].value), int(r["hubs"].value), int(r["derived"].value))
        for r in rows
    ]
    return sorted(found, key=lambda g: g.number)


def newest_hubs(store: Store) -> list[tuple[str, str]]:
    """The six most recent hubs (by label, start or launch date) with that date."""
    return [(r["hub"].value, r["when"].value) for r in store.select(NEWEST)]
