"""A narrowed query's unfiltered answer kept in parts by the years of its values narrowing's columns.

A period of `evidence-for` or `deliverables-due` keeps the rows whose date passes; cutting them from the whole
answer meant reading it all from the disk for each new period (at 100k hubs 147 MB, 2-3 s, and more memory than a
server keeps for one value). The rows are kept once per write in parts, one per year of the columns (a date's
first digits; for another literal its first two letters, so a country code is a part of its own; "other" for an
IRI or anything else, "none" for no value), each row
with its place in the whole answer; a query with two values narrowings (hubs-active-between: a start, an end) is
kept by both (`2021/2023`). A call reads the parts whose years hold a value the engine lets pass (graph/sparql/
narrow.py decides that on the table of each narrowing's distinct values, all of them), and puts their rows back in
the answer's order: a superset of the rows that pass, in order, each row then tested by its value as before. Which
part a row is in never decides whether it passes, only whether it is read.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from l4a.graph.sparql.compact_rows import CompactRows, Encoded
from l4a.graph.store.base import Store
from l4a.graph.store.derived import derived

YEAR = re.compile(r"-?\d{1,9}")  # a date's year: the digits before its first "-"
OTHER = "other"
NONE = "none"  # a row with the column unbound: never passes its narrowing, read when that one is not bound
EncodedKey = tuple[Encoded, ...]
Part = tuple[list[int], list[tuple[Encoded, ...]]]  # the rows' places in the whole answer, and the rows


@dataclass(frozen=True)
class Parts:
    """The parts of an unfiltered answer: its columns, the columns its parts are keyed by (those of every values
    narrowing of the query, in order), each part's label, and the distinct values of each narrowing's columns
    (none unbound): what its table holds (graph/sparql/narrow.py)."""

    columns: tuple[str, ...]
    keyed: tuple[str, ...]
    names: frozenset[str]
    values: dict[tuple[str, ...], list[EncodedKey]]
    sizes: dict[str, int] = field(default_factory=dict)  # rows per part

    def most(self, names: set[str]) -> bool:
        """Whether these parts hold more than half the rows: reading the whole answer at once is then quicker than
        reading them and putting their rows back in order (a period open on one side)."""
        return 2 * sum(self.sizes.get(name, 0) for name in names) > sum(self.sizes.values())

    def wanted(self, passing: dict[tuple[str, ...], set[EncodedKey]]) -> set[str]:
        """The parts that hold a row whose values pass each bound narrowing (its columns: the keys that pass)."""
        allowed = {
            tuple(self.keyed.index(c) for c in columns): {tuple(map(_year, key)) for key in keys}
            for columns, keys in passing.items()
        }
        found = set()
        for name in self.names:
            years = name.split("/")
            if all(tuple(years[i] for i in places) in keep for places, keep in allowed.items()):
                found.add(name)
        return found


def label(key: EncodedKey) -> str:
    """The part of a key: the year of each value, joined by "/" (`2022`, `2021/2023` for a start and an end)."""
    return "/".join(map(_year, key))


def _year(value: Encoded) -> str:
    """A value's part: a date's year; another literal's first two letters or digits, in capitals (a country code:
    itself); OTHER for an IRI, a blank node or a literal with neither."""
    if value is None:
        return NONE
    if isinstance(value, tuple) and len(value) == 2:
        lexical = str(value[0])
        match = YEAR.match(lexical)
        if match:
            return match.group(0)
        letters = "".join(c for c in lexical[:2].upper() if c.isascii() and c.isalnum())
        if len(letters) == 2:
            return "~" + letters
    return OTHER


def _index_name(whole_key: str, keyed: tuple[str, ...]) -> str:
    return f"narrow-parts\t{' '.join(keyed)}\t{whole_key}"


def _part_name(whole_key: str, keyed: tuple[str, ...], name: str) -> str:
    return f"narrow-part\t{' '.join(keyed)}\t{name}\t{whole_key}"


def keep_parts(
    store: Store, whole_key: str, narrowings: list[tuple[str, ...]], every: Callable[[], CompactRows]
) -> Parts:
    """The parts of the unfiltered answer kept under `whole_key` by the columns of its values `narrowings` (read by
    `every` only if they are not kept yet), each part kept on the disk; once per write."""
    keyed = tuple(c for columns in narrowings for c in columns)

    def split() -> Parts:
        answer = every()
        groups = _split(answer, keyed)
        for name, part in groups.items():
            derived(store, _part_name(whole_key, keyed, name), functools.partial(_given, part))
        values = {columns: answer.distinct(columns) for columns in narrowings}
        sizes = {name: len(part[0]) for name, part in groups.items()}
        return Parts(answer.columns, keyed, frozenset(groups), values, sizes)

    return derived(store, _index_name(whole_key, keyed), split, shared=True)


def _split(answer: CompactRows, keyed: tuple[str, ...]) -> dict[str, Part]:
    positions = answer.key(keyed)
    labels: dict[EncodedKey, str] = {}
    groups: dict[str, Part] = {}
    for place, row in enumerate(answer.rows):
        key = tuple(None if i is None else row[i] for i in positions)
        name = labels.get(key)
        if name is None:
            name = labels[key] = label(key)
        places, rows = groups.setdefault(name, ([], []))
        places.append(place)
        rows.append(row)
    return groups


def _given(part: Part) -> Part:
    return part


def read_parts(
    store: Store, whole_key: str, parts: Parts, names: set[str], every: Callable[[], CompactRows]
) -> CompactRows:
    """The rows of the parts `names`, in the whole answer's order (a part no longer on the disk is made again from
    the whole answer, read by `every`)."""

    def again(name: str) -> Part:
        return _split(every(), parts.keyed).get(name, ([], []))

    found: list[tuple[int, tuple[Encoded, ...]]] = []
    for name in sorted(names):
        places, rows = derived(store, _part_name(whole_key, parts.keyed, name), functools.partial(again, name))
        found.extend(zip(places, rows, strict=True))
    if len(names) > 1:
        found.sort(key=lambda pair: pair[0])
    return CompactRows(parts.columns, [row for _, row in found])
