"""SDG goals and targets in the order people count them: 1, 2, ... 17; 1.1 ... 1.9, 1.10, 1.a, 1.b."""

from __future__ import annotations

from l4a.graph.namespaces import SDG


def sdg_key(value: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key for an SDG goal or target, given by notation (`11.3`) or UN IRI; other values sort after them,
    by their text."""
    notation = value.removeprefix(SDG) if value.startswith(SDG) else value
    parts = notation.split(".")
    if not parts[0].isdigit() or len(parts) > 2:
        return ((2, value),)
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in parts)


def sdg_sorted(values: list[str] | set[str] | tuple[str, ...]) -> list[str]:
    """The goals or targets in numeric order."""
    return sorted(values, key=sdg_key)
