"""Find a hub the way people name it: its slug, its IRI, or an unambiguous part of its slug or title in any language
(`bilbao` -> bilbao-city-of-values), accents ignored; otherwise an error listing the closest hubs."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from l4a.graph.errors import UsageError
from l4a.graph.reports.hub_table import HubRow, fold

SHOWN = 8  # hubs listed in an error


class HubNotFound(UsageError):
    """No hub, or more than one, answers to the name given; `candidates` are the closest (slug, title) pairs."""

    def __init__(self, message: str, candidates: Sequence[tuple[str, str]]) -> None:
        listed = "".join(f"\n  {slug}  ({title})" for slug, title in candidates)
        super().__init__(message + listed + "\n`l4a hubs` lists every hub with its slug.")
        self.candidates = list(candidates)


def _title(row: HubRow) -> str:
    return row.names.get("en") or next(iter(row.names.values()), row.slug)


def _words(row: HubRow) -> str:
    return fold(" ".join([row.slug, *row.names.values()]))


def find_hub(rows: Sequence[HubRow], given: str) -> HubRow:
    """The one hub `given` names: IRI, slug, or a part of a slug or title; HubNotFound (exit 2) otherwise."""
    text = given.strip()
    for row in rows:
        if text in (row.iri, row.slug):
            return row
    words = fold(text).replace("-", " ").split()
    if not words:
        raise HubNotFound("no hub was named: give a slug, an IRI, or words of its title.", [])
    found = [row for row in rows if all(w in _words(row).replace("-", " ") for w in words)]
    if len(found) == 1:
        return found[0]
    if found:
        listed = [(row.slug, _title(row)) for row in found[:SHOWN]]
        raise HubNotFound(f"{len(found)} hubs answer to {given!r}; name one of them by its slug:", listed)
    raise HubNotFound(f"there is no hub {given!r}. The closest:", closest(rows, text, 5))


def closest(rows: Sequence[HubRow], given: str, limit: int = SHOWN) -> list[tuple[str, str]]:
    """The hubs whose slug or title looks most like `given` (by shared letters), best first."""
    wanted = fold(given)

    def likeness(row: HubRow) -> float:
        names = [row.slug, *(fold(n) for n in row.names.values())]
        return max(difflib.SequenceMatcher(None, wanted, name).ratio() for name in names)

    ranked = sorted(rows, key=lambda row: (-likeness(row), row.slug))
    return [(row.slug, _title(row)) for row in ranked[:limit]]
