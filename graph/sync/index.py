"""The synchronization index: hubs and what links them, for related hubs with reasons and potential partners.

Built from the store (queries/sync-links.rq, one row per hub, and queries/sync-titles.rq read beside it on a second
thread) and kept current hub by hub (`put_hub`,
`remove_hub`, `refresh_hub`), no full rebuild for one change. A shared concept counts by its rarity (an IDF
weight: a target few hubs share says more than a common one). Scores are summed for every hub at once over a
hub-by-concept matrix (numpy); the reasons that explain a score are made only for the hubs that can reach the top.
The scoring is described in docs/sync.md.
"""

from __future__ import annotations

import gc
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from urllib.parse import unquote

import numpy as np
import numpy.typing as npt
import pyoxigraph as ox

from l4a.graph.dates import first_day, last_day
from l4a.graph.namespaces import L4A
from l4a.graph.resources import internal_query, read_query
from l4a.graph.store.base import Row, Store, Term
from l4a.graph.store.derived import derived

# How much one shared concept of each kind counts, before its rarity.
KIND_WEIGHTS = {"target": 1.0, "manifesto": 1.0, "council": 0.6, "goal": 0.4, "section": 0.2}
OTHER_KIND_WEIGHT = 0.5  # a concept of a kind not listed above
OVERLAP_WEIGHT = 0.5  # two hubs running at the same time (scaled by the share of the shorter one's time frame)
BUILDS_ON_WEIGHT = 1.0  # one hub builds on the other, either way

# The one-letter kinds of queries/sync-links.rq that are concepts.
CONCEPT_KINDS = {"t": "target", "g": "goal", "m": "manifesto", "c": "council", "s": "section"}
# Summed in another order, two float scores of the same hub differ by about 1e-13: hubs within this margin of the
# k-th best score are all scored exactly, so the cut falls where the exact ranking puts it.
MARGIN = 1e-9
# A hub's best matches are looked for first among the hubs sharing its heaviest concepts (SyncIndex._top); when
# those are more than this share of all hubs, every hub is scored at once instead.
SCAN_ALL = 0.4
# Below this many hubs, scoring every hub at once is faster than looking among the sharing ones first (measured:
# docs/benchmarks.md, 10k and 100k hubs).
PRUNE_FROM = 30_000
# Hubs with no title in the preferred language are read again one by one up to this many, else all at once.
ONE_BY_ONE = 200


@dataclass(slots=True)
class HubRecord:
    """What the index knows of one hub."""

    iri: str
    label: str = ""
    concepts: set[str] = field(default_factory=set)
    start: date | None = None
    end: date | None = None
    # Most hubs state neither: the empty frozenset is one object shared by all (two empty sets a hub: 43 MB at 100k).
    builds_on: frozenset[str] = frozenset()
    synchronizes_with: frozenset[str] = frozenset()  # as the hub's own statements say
    fictional: bool = False  # l4a:fictional true: never among the related hubs or partners of a real hub


@dataclass(frozen=True)
class Reason:
    """One reason two hubs are related, with its share of the score."""

    kind: str
    concept: str
    label: str
    contribution: float
    suggested: bool = False  # one of the two hubs has the concept only by a pending suggestion (sync/suggested.py)
    derived: bool = False  # one of the two hubs has the concept by a link the project derives (l4a:DerivedLink)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: kind, concept, label, contribution, "suggested": true when it counted a suggestion, and
        "derived": true when it counted a link the project derived rather than read in a source."""
        found: dict[str, object] = {"kind": self.kind, "concept": self.concept, "label": self.label,
                                    "contribution": round(self.contribution, 6)}  # fmt: skip
        if self.suggested:
            found["suggested"] = True
        if self.derived:
            found["derived"] = True
        return found


@dataclass(frozen=True)
class Related:
    """A related hub, its score, and the reasons that add up to it."""

    hub: str
    label: str
    score: float
    reasons: tuple[Reason, ...]

    @property
    def suggested(self) -> bool:
        """Whether the score counted a pending suggestion (then marked as such wherever it is shown)."""
        return any(r.suggested for r in self.reasons)

    @property
    def derived(self) -> bool:
        """Whether the score counted a link the project derived (then marked as such wherever it is shown)."""
        return any(r.derived for r in self.reasons)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: hub, label, score, reasons (and "suggested": true when a reason counted a suggestion)."""
        found: dict[str, object] = {
            "hub": self.hub,
            "label": self.label,
            "score": round(self.score, 6),
            "reasons": [r.as_dict() for r in self.reasons],
        }
        if self.suggested:
            found["suggested"] = True
        return found


def _pick(values: Sequence[Term], lang: str) -> str | None:
    """The value in the preferred language, else one with no language, else any (the smallest, to be repeatable)."""
    for wanted in (lambda t: t.language == lang, lambda t: not t.language, lambda t: True):
        found = [v.value for v in values if isinstance(v, ox.Literal) and wanted(v)]
        if found:
            return min(found)
    return None


Vector = npt.NDArray[np.float64]
Item = TypeVar("Item", bound=np.generic)


def _grown(array: npt.NDArray[Item], size: int) -> npt.NDArray[Item]:
    """The array with zeros (False) appended up to `size`."""
    return np.concatenate([array, np.zeros(size - len(array), dtype=array.dtype)])


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused: a build makes millions of small objects and no cycles, and the collector
    would walk them again and again (about 1 s of a 100k-hub build). It is left as it was found."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _label(records: Iterable[HubRecord], rows: Iterable[Row]) -> dict[str, HubRecord]:
    """Give each record its title from sync-titles rows: the least of those in the language asked for, else of
    those with no language; return the records left without one."""
    found: dict[str, dict[bool, list[str]]] = defaultdict(lambda: {True: [], False: []})
    for row in rows:
        title = row["title"]
        found[row["hub"].value][bool(getattr(title, "language", None))].append(title.value)
    untitled: dict[str, HubRecord] = {}
    for record in records:
        titles = found.get(record.iri)
        best = (titles[True] or titles[False]) if titles else []
        record.label = min(best) if best else ""
        if not best:
            untitled[record.iri] = record
    return untitled


class SyncIndex:
    """Hubs, their concepts, and a hub-by-concept matrix (one row per hub, one column per concept)."""

    def __init__(self) -> None:
        self.hubs: dict[str, HubRecord] = {}
        self.built_on_by: dict[str, set[str]] = defaultdict(set)  # hub → the hubs that build on it
        self.synchronized_by: dict[str, set[str]] = defaultdict(set)  # hub → the hubs that say they synchronize with it
        self.fictional: set[str] = set()  # the fictional (demo) hubs
        self.kinds: dict[str, str] = {}
        self.derived: dict[str, set[str]] = {}  # hub -> the concepts it is linked to by a derived link only
        self._weight_cache: dict[str, float] | None = None  # concept -> weight, until the hubs change
        self.prune_from = PRUNE_FROM  # from this many rows, a hub's best are looked for among the sharing first
        self._kth_guess = math.inf  # the last `limit`-th best score found that way: where the next search starts
        self.labels: dict[str, str] = {}
        self._implied: dict[str, tuple[str, ...]] = {}  # sync-links token → its concept (and a target's goals)
        self._slots: dict[str, int] = {}  # hub → row
        self._iris: list[str] = []  # row → hub ("" for a free row)
        self._free: list[int] = []
        self._columns: dict[str, int] = {}  # concept → column
        self._member = np.zeros((0, 0), dtype=np.uint8, order="F")  # 1 where a hub has a concept
        self._holders = np.zeros(0, dtype=np.int64)  # per column: how many hubs have the concept
        self._start = np.zeros(0, dtype=np.int64)  # per row: day numbers of the time frame
        self._end = np.zeros(0, dtype=np.int64)
        self._dated = np.zeros(0, dtype=bool)  # per row: both dates known

    # Reading from the store

    @classmethod
    def from_store(cls, store: Store, lang: str = "en") -> SyncIndex:
        """The index of every hub in the store (computed once per state of the store: graph/store/derived.py)."""
        return derived(store, f"sync-index:{cls.__name__}:{lang}", lambda: cls._build(store, lang))

    @classmethod
    def _build(cls, store: Store, lang: str) -> SyncIndex:
        index = cls()
        with _collector_paused():
            index.put_hubs(index._read(store, lang, None))
        index.derived = derived_concepts(store)
        return index

    def refresh_hub(self, store: Store, iri: str, lang: str = "en") -> None:
        """Re-read one hub from the store after it was added, replaced or removed (no full rebuild)."""
        found = [r for r in self._read(store, lang, iri) if r.iri == iri]
        if found:
            self.put_hub(found[0])
        else:
            self.remove_hub(iri)

    def _read(self, store: Store, lang: str, hub: str | None) -> list[HubRecord]:
        only: dict[str, Term] = {} if hub is None else {"hub": ox.NamedNode(hub)}
        titles_of = {"lang": ox.Literal(lang), **only}
        if hub is None:  # the whole store: titles on a second thread, while this one reads and parses the links
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="l4a-sync-titles") as pool:
                titles = pool.submit(store.select, read_query("sync-titles"), titles_of)
                records = self._records(store, store.select(read_query("sync-links"), only), lang)
                title_rows = titles.result()
        else:
            records = self._records(store, store.select(read_query("sync-links"), only), lang)
            title_rows = store.select(read_query("sync-titles"), titles_of)
        untitled = _label(records, title_rows)
        if untitled:  # titles in any language, for the hubs with none in the preferred one
            anything: dict[str, Term] = {"lang": ox.Literal("*")}
            query = read_query("sync-titles")
            again = (
                [row for iri in untitled for row in store.select(query, {**anything, "hub": ox.NamedNode(iri)})]
                if len(untitled) <= ONE_BY_ONE
                else store.select(query, {**anything, **only})
            )
            _label([r for r in records if r.iri in untitled], again)
        return records

    def _records(self, store: Store, rows: Iterable[Row], lang: str) -> list[HubRecord]:
        """The hubs of sync-links rows, the goals of their targets added (their titles are read apart)."""
        records: list[HubRecord] = []
        implied = self._implied
        for row in rows:
            links = row.get("links")
            record = HubRecord(row["hub"].value)
            concepts = record.concepts
            is_hub = False
            for token in links.value.split(" ") if links is not None else ():
                code = token[:1]
                if code in CONCEPT_KINDS:
                    if len(token) > 1:
                        found = implied.get(token)
                        if found is None:
                            self._learn(store, token, lang)
                            found = implied[token]
                        concepts.update(found)
                elif code == "h":
                    is_hub = True
                elif code == "f":
                    record.fictional = True
                elif code == "b" and len(token) > 1:
                    record.builds_on = record.builds_on | {token[1:]}
                elif code == "w" and len(token) > 1:
                    record.synchronizes_with = record.synchronizes_with | {token[1:]}
                elif code == "<":
                    record.start = first_day(unquote(token[1:]))
                elif code == ">":
                    record.end = last_day(unquote(token[1:]))
            if not is_hub:
                continue  # not a hub
            records.append(record)
        return records

    def _learn(self, store: Store, token: str, lang: str) -> None:
        """Read what a concept token of sync-links implies: the concept (and a target's goals), with labels."""
        kind, concept = CONCEPT_KINDS[token[0]], token[1:]
        facts = self._facts(store, concept)
        self._weight_cache = None
        self.kinds.setdefault(concept, kind)
        implied = [concept]
        if kind == "target":
            for goal in sorted(v.value for v in facts.get("broader", ()) if isinstance(v, ox.NamedNode)):
                self.kinds.setdefault(goal, "goal")
                implied.append(goal)
                self._label(goal, "goal", self._facts(store, goal), lang)
        self._label(concept, kind, facts, lang)
        self._implied[token] = tuple(implied)

    def _facts(self, store: Store, concept: str) -> dict[str, list[Term]]:
        facts: dict[str, list[Term]] = defaultdict(list)
        try:
            bindings: dict[str, Term] = {"concept": ox.NamedNode(concept)}
        except ValueError:  # not an IRI: nothing to read
            return facts
        for row in store.select(read_query("sync-concept"), bindings):
            facts[row["fact"].value].append(row["value"])
        return facts

    def _label(self, concept: str, kind: str, facts: dict[str, list[Term]], lang: str) -> None:
        if concept in self.labels:
            return
        fact = {"target": "notation", "goal": "notation", "manifesto": "prefLabel"}.get(kind, "label")
        label = _pick(facts.get(fact, []), lang)
        if label is not None:
            self.labels[concept] = f"SDG {label}" if kind == "goal" else label

    # Keeping the index current

    def put_hub(self, record: HubRecord) -> None:
        """Add a hub, or replace it (its old links go, its new ones come)."""
        self._weight_cache = None
        self.remove_hub(record.iri)
        self.hubs[record.iri] = record
        if record.fictional:
            self.fictional.add(record.iri)
        slot = self._free.pop() if self._free else self._new_slot()
        self._slots[record.iri] = slot
        self._iris[slot] = record.iri
        columns = [self._column(concept) for concept in record.concepts]
        if columns:
            self._member[slot, columns] = 1
            self._holders[columns] += 1
        if record.start and record.end:
            self._start[slot], self._end[slot] = record.start.toordinal(), record.end.toordinal()
            self._dated[slot] = True
        for earlier in record.builds_on:
            self.built_on_by[earlier].add(record.iri)
        for other in record.synchronizes_with:
            self.synchronized_by[other].add(record.iri)

    def put_hubs(self, records: Iterable[HubRecord]) -> None:
        """Add many hubs: at once into a new index (much faster than one by one), else one by one."""
        records = list(records)
        self._weight_cache = None
        if self._iris or len({r.iri for r in records}) < len(records):
            for record in records:
                self.put_hub(record)
            return
        for concept in sorted({c for r in records for c in r.concepts}):
            self._column(concept)
        self._rows(len(records))
        self._iris = [r.iri for r in records]
        self._slots = {iri: slot for slot, iri in enumerate(self._iris)}
        self.hubs = {r.iri: r for r in records}
        self.fictional = {r.iri for r in records if r.fictional}
        columns = [self._columns[c] for r in records for c in r.concepts]
        rows = np.repeat(np.arange(len(records)), [len(r.concepts) for r in records])
        self._member[rows, columns] = 1
        self._holders[: len(self._columns)] = np.bincount(columns, minlength=len(self._columns))
        dated = [(slot, r.start.toordinal(), r.end.toordinal()) for slot, r in enumerate(records) if r.start and r.end]
        if dated:
            slots, starts, ends = (list(column) for column in zip(*dated, strict=True))
            self._start[slots], self._end[slots], self._dated[slots] = starts, ends, True
        for record in records:
            for earlier in record.builds_on:
                self.built_on_by[earlier].add(record.iri)
            for other in record.synchronizes_with:
                self.synchronized_by[other].add(record.iri)

    def remove_hub(self, iri: str) -> None:
        """Forget a hub."""
        self._weight_cache = None
        old = self.hubs.pop(iri, None)
        if old is None:
            return
        self.fictional.discard(iri)
        slot = self._slots.pop(iri)
        columns = [self._columns[concept] for concept in old.concepts]
        if columns:
            self._member[slot, columns] = 0
            self._holders[columns] -= 1
        self._dated[slot] = False
        self._iris[slot] = ""
        self._free.append(slot)
        for earlier in old.builds_on:
            self.built_on_by[earlier].discard(iri)
        for other in old.synchronizes_with:
            self.synchronized_by[other].discard(iri)

    def linked(self, hub: str) -> set[str]:
        """The hubs `hub` is already linked to: it builds on them or they on it, or either synchronizes with the
        other (by the statements of the hubs in the index)."""
        me = self.hubs.get(hub)
        mine = set(me.builds_on | me.synchronizes_with) if me else set()
        return mine | self.built_on_by.get(hub, set()) | self.synchronized_by.get(hub, set())

    def _new_slot(self) -> int:
        slot = len(self._iris)
        self._iris.append("")
        if slot >= self._member.shape[0]:
            self._rows(max(1024, 2 * self._member.shape[0]))
        return slot

    def _rows(self, rows: int) -> None:
        """Room for `rows` hubs."""
        if rows > self._member.shape[0]:
            member = np.zeros((rows, self._member.shape[1]), dtype=np.uint8, order="F")
            member[: self._member.shape[0]] = self._member
            self._member = member
            self._start, self._end = _grown(self._start, rows), _grown(self._end, rows)
            self._dated = _grown(self._dated, rows)

    def _column(self, concept: str) -> int:
        column = self._columns.get(concept)
        if column is not None:
            return column
        column = len(self._columns)
        self._columns[concept] = column
        if column >= self._member.shape[1]:
            columns = max(256, 2 * self._member.shape[1])
            member = np.zeros((self._member.shape[0], columns), dtype=np.uint8, order="F")
            member[:, :column] = self._member[:, :column]
            self._member = member
            self._holders = _grown(self._holders, columns)
        return column

    # Scores and rankings

    def idf(self, concept: str) -> float:
        """The rarity weight of a concept: log((N + 1) / hubs with it), N the number of hubs."""
        column = self._columns.get(concept)
        holders = int(self._holders[column]) if column is not None else 0
        return math.log((len(self.hubs) + 1) / max(1, holders))

    def weight(self, concept: str, idf: Callable[[str], float] | None = None) -> float:
        """What sharing `concept` adds to a score: its kind's weight times its rarity."""
        return KIND_WEIGHTS.get(self.kinds.get(concept, "target"), OTHER_KIND_WEIGHT) * (idf or self.idf)(concept)

    def _reasons(self, a: HubRecord, b: HubRecord, idf: Callable[[str], float] | None = None) -> list[Reason]:
        reasons = []
        derived = self.derived.get(a.iri, set()) | self.derived.get(b.iri, set())
        for concept in sorted(a.concepts & b.concepts):
            kind = self.kinds.get(concept, "target")
            label = self.labels.get(concept, concept)
            reasons.append(Reason(kind, concept, label, self.weight(concept, idf), derived=concept in derived))
        share = _overlap_share(a, b)
        if share is not None:
            reasons.append(Reason("overlap", "", "active at the same time", OVERLAP_WEIGHT * share))
        if b.iri in a.builds_on or a.iri in b.builds_on:
            reasons.append(Reason("buildsOn", b.iri if b.iri in a.builds_on else a.iri, "builds on", BUILDS_ON_WEIGHT))
        return reasons

    def related(self, hub: str, limit: int = 10, with_reasons: bool = True) -> list[Related]:
        """The hubs most related to `hub`, best first, each with the reasons that add up to its score.

        Every hub's score is summed at once over the matrix; reasons are made only for the hubs whose score is
        within MARGIN of the `limit`-th best, which gives exactly the ranking of `related_exhaustive`.
        """
        me = self.hubs.get(hub)
        return [] if me is None else self._top(me, limit, partners=False, with_reasons=with_reasons)

    def partners(self, hub: str, limit: int = 10, with_reasons: bool = True) -> list[Related]:
        """Potential synchronization partners: related, not linked yet, and active at the same time, or with a time
        frame (theirs or this hub's) not recorded: that is not known to be another time."""
        me = self.hubs.get(hub)
        return [] if me is None else self._top(me, limit, partners=True, with_reasons=with_reasons)

    def _top(self, me: HubRecord, limit: int, partners: bool, with_reasons: bool = True) -> list[Related]:
        """The best `limit` hubs for `me`, exactly as `related_exhaustive` ranks them.

        From `prune_from` hubs, the hubs that share `me`'s heaviest concepts are scored first: a hub that shares
        none of them scores at most the weight of `me`'s other concepts plus the overlap's, so once the `limit`-th
        best found beats that bound, no other hub can enter the list (or tie into it) and the rest are never
        scored. More concepts are taken (twice as many each round) until it does; past SCAN_ALL of the hubs,
        every row is scored at once, as it always is below `prune_from`."""
        if limit <= 0:
            return []
        rows = len(self._iris)
        weights = self._weights()
        concepts = sorted(me.concepts, key=lambda c: (-weights[c], c))  # heaviest first
        columns = [self._columns[c] for c in concepts]
        vector = np.array([weights[c] for c in concepts])
        if rows >= self.prune_from and concepts:
            found = self._top_of_sharing(me, limit, partners, concepts, columns, vector)
            if found is not None:
                return self._ranked(me, [self._iris[i] for i in found], limit, with_reasons=with_reasons)
        # One product over the hub's own columns (a few passes over the rows, not three a concept).
        total = self._member[:rows, columns].astype(np.float64) @ vector if concepts else np.zeros(rows)
        chosen, kth = self._chosen(me, total, limit, partners, None)
        if kth is not None:
            self._kth_guess = kth
        return self._ranked(me, [self._iris[i] for i in chosen], limit, with_reasons=with_reasons)

    def _top_of_sharing(
        self, me: HubRecord, limit: int, partners: bool, concepts: list[str], columns: list[int], vector: Vector
    ) -> npt.NDArray[np.int64] | None:
        """The rows `_chosen` would give over every row, found among the hubs sharing `me`'s heaviest concepts
        (`concepts` heaviest first, their `columns` and weights `vector`); None when those grow past SCAN_ALL.

        The first concepts taken are as many as leave out less weight than the last hub's `limit`-th best score
        (a guess: a wrong one costs another round, never a wrong answer). When that many already reach past
        SCAN_ALL, the search starts again from the heaviest concept alone before giving up."""
        rows = len(self._iris)
        forced = [self._slots[o] for o in me.builds_on | self.built_on_by.get(me.iri, set()) if o in self._slots]
        left = np.concatenate([np.cumsum(vector[::-1])[::-1][1:], [0.0]]) + OVERLAP_WEIGHT  # bound after taking j+1
        taken = 1 + int(np.argmax(left < self._kth_guess))  # the first whose bound is under the guess (else 1)
        sharing = np.zeros(rows, dtype=bool)  # the hubs that share one of the first `taken` concepts
        added, first = 0, True
        while True:
            for column in columns[added:taken]:
                sharing |= self._member[:rows, column].view(bool)
            added = taken
            candidate = sharing.copy()
            candidate[forced] = True  # a hub that builds on it, or it on them, is always scored
            at = np.flatnonzero(candidate)
            if len(at) > SCAN_ALL * rows:
                if not (first and taken > 1):
                    return None
                sharing[:] = False  # the guess took too many: from the heaviest concept alone
                added, taken, first = 0, 1, False
                continue
            first = False
            total = self._member[at[:, None], columns].astype(np.float64) @ vector  # BLAS: float, not uint8
            chosen, kth = self._chosen(me, total, limit, partners, at)
            if kth is not None:
                self._kth_guess = kth
            if taken == len(concepts) or (kth is not None and kth > left[taken - 1] + 2 * MARGIN):
                return chosen
            taken = min(len(concepts), 2 * taken)

    def _chosen(
        self, me: HubRecord, total: Vector, limit: int, partners: bool, at: npt.NDArray[np.int64] | None
    ) -> tuple[npt.NDArray[np.int64], float | None]:
        """The rows (slots) whose score is within MARGIN of the `limit`-th best eligible one, and that score (None
        when fewer than `limit` are eligible). `total` holds the sums of shared concepts' weights (it is changed)
        of the rows `at` (sorted slots), or of every row when `at` is None."""
        rows = len(self._iris)
        window = slice(0, rows) if at is None else at

        def positions(slots: Iterable[int]) -> npt.NDArray[np.int64]:
            wanted = np.fromiter(slots, dtype=np.int64)
            if at is None:
                return wanted
            found: npt.NDArray[np.int64] = np.searchsorted(at, wanted)
            inside = found < len(at)
            kept: npt.NDArray[np.int64] = found[inside][at[found[inside]] == wanted[inside]]
            return kept

        eligible = total > 0  # a hub needs a reason besides overlap: a shared concept or builds-on
        slot = self._slots[me.iri]
        dated = self._dated[window]
        if me.start and me.end:
            start, end = self._start[window], self._end[window]
            days = np.minimum(end, self._end[slot]) - np.maximum(start, self._start[slot])
            shorter = np.minimum(end - start, self._end[slot] - self._start[slot])
            shorter[shorter == 0] = 1
            overlapping = dated & (days > 0)
            total += np.where(overlapping, OVERLAP_WEIGHT * np.minimum(1.0, days / shorter), 0.0)
        else:
            overlapping = np.zeros(len(total), dtype=bool)
        others = me.builds_on | self.built_on_by.get(me.iri, set())
        builds = positions(self._slots[o] for o in others if o in self._slots)
        total[builds] += BUILDS_ON_WEIGHT
        eligible[builds] = True
        eligible[positions([slot])] = False
        if not me.fictional:  # a real hub's lists never show a fictional one
            eligible[positions(self._slots[o] for o in self.fictional)] = False
        if partners:  # not known to run at different times: an unrecorded time frame is not a different one
            if me.start and me.end:
                eligible &= overlapping | ~dated
            eligible[positions(self._slots[o] for o in self.linked(me.iri) if o in self._slots)] = False
        chosen = np.flatnonzero(eligible)
        kth = None
        if len(chosen) >= limit:
            scores = total[chosen]
            kth = float(np.partition(scores, len(scores) - limit)[len(scores) - limit])
            chosen = chosen[scores >= kth - MARGIN]
        return (chosen if at is None else at[chosen]), kth

    def top_reason(self, a: HubRecord, b: HubRecord) -> Reason | None:
        """The reason that adds most to the score of `a` and `b` (the first of `_reasons` sorted by contribution),
        made alone: for a network's edge title, where the other reasons are not shown."""
        weights = self._weights()
        best: tuple[float, str] | None = None
        for concept in a.concepts & b.concepts:
            value = weights[concept] if concept in weights else self.weight(concept)
            if best is None or value > best[0] or (value == best[0] and concept < best[1]):
                best = (value, concept)
        reasons = [] if best is None else [self._reason(a, b, best[1], best[0])]
        share = _overlap_share(a, b)
        if share is not None:
            reasons.append(Reason("overlap", "", "active at the same time", OVERLAP_WEIGHT * share))
        if b.iri in a.builds_on or a.iri in b.builds_on:
            reasons.append(Reason("buildsOn", b.iri if b.iri in a.builds_on else a.iri, "builds on", BUILDS_ON_WEIGHT))
        return max(reasons, key=lambda r: r.contribution, default=None)

    def _reason(self, a: HubRecord, b: HubRecord, concept: str, weight: float) -> Reason:
        derived = concept in self.derived.get(a.iri, ()) or concept in self.derived.get(b.iri, ())
        return Reason(self.kinds.get(concept, "target"), concept, self.labels.get(concept, concept), weight,
                      derived=derived)  # fmt: skip

    def _ranked(
        self,
        me: HubRecord,
        candidates: Iterable[str],
        limit: int,
        idf: Callable[[str], float] | None = None,
        with_reasons: bool = True,
    ) -> list[Related]:
        """The best `limit` of the candidates by their exact score (ties by IRI). Scores are summed from the cached
        weights in the order the reasons would be (largest first), so they equal the reasons' sum to the last bit;
        the reasons themselves are made only for the hubs kept."""
        if idf is not None:  # related_exhaustive: every reason, rarity from the records
            found = []
            for other in candidates:
                record = self.hubs.get(other)
                if record is None or (record.fictional and not me.fictional):
                    continue
                reasons = self._reasons(me, record, idf)
                if any(r.kind != "overlap" for r in reasons):
                    reasons.sort(key=lambda r: -r.contribution)
                    found.append(Related(other, record.label, sum(r.contribution for r in reasons), tuple(reasons)))
            found.sort(key=lambda r: (-r.score, r.hub))
            return found[:limit]
        weights = self._weights()
        scored: list[tuple[float, str, HubRecord]] = []
        for other in candidates:
            record = self.hubs.get(other)
            if record is None or (record.fictional and not me.fictional):
                continue
            score = self._score(me, record, weights)
            if score is not None:
                scored.append((-score, other, record))
        scored.sort(key=lambda item: (item[0], item[1]))
        kept = []
        for negative, other, record in scored[:limit]:
            if not with_reasons:
                kept.append(Related(other, record.label, -negative, ()))
                continue
            reasons = self._reasons(me, record)
            reasons.sort(key=lambda r: -r.contribution)
            kept.append(Related(other, record.label, sum(r.contribution for r in reasons), tuple(reasons)))
        return kept

    def _weights(self) -> dict[str, float]:
        """Every concept's weight, computed once until the hubs change."""
        if self._weight_cache is None:
            self._weight_cache = {concept: self.weight(concept) for concept in self._columns}
        return self._weight_cache

    def _score(self, a: HubRecord, b: HubRecord, weights: dict[str, float]) -> float | None:
        """The sum of the contributions `_reasons` would give, added in the same order; None when the two share
        no concept and neither builds on the other (overlap alone relates nothing)."""
        parts = [weights[c] if c in weights else self.weight(c) for c in a.concepts & b.concepts]
        builds_on = b.iri in a.builds_on or a.iri in b.builds_on
        if not parts and not builds_on:
            return None
        share = _overlap_share(a, b)
        if share is not None:
            parts.append(OVERLAP_WEIGHT * share)
        if builds_on:
            parts.append(BUILDS_ON_WEIGHT)
        parts.sort(reverse=True)
        return sum(parts)

    def related_exhaustive(self, hub: str, limit: int = 10) -> list[Related]:
        """The same ranking the slow way, for tests: every other hub scored in full from the records alone
        (rarity counted again from the hubs' concepts, not from the matrix)."""
        me = self.hubs.get(hub)
        if me is None or limit <= 0:
            return []
        holders = Counter(concept for record in self.hubs.values() for concept in record.concepts)

        def idf(concept: str) -> float:
            return math.log((len(self.hubs) + 1) / max(1, holders[concept]))

        return self._ranked(me, (other for other in self.hubs if other != hub), limit, idf)


def _overlap_share(a: HubRecord, b: HubRecord) -> float | None:
    """How much of the shorter time frame the two hubs share (at most 1), or None when they are not known to run at
    the same time."""
    if not (a.start and a.end and b.start and b.end):
        return None
    overlap = (min(a.end, b.end) - max(a.start, b.start)).days
    shorter = min((a.end - a.start).days, (b.end - b.start).days) or 1
    return min(1, overlap / shorter) if overlap > 0 else None


LINKING = {L4A + "addressesGoal", L4A + "addressesTarget", L4A + "addressesManifesto", L4A + "relevantCouncil"}


def derived_concepts(store: Store) -> dict[str, set[str]]:
    """Each hub's goals, targets, manifestos and councils that the project derives (l4a:DerivedLink: Bilbao's charter
    goals) rather than reads in a source: a reason resting on one is marked "derived" wherever it is shown."""
    found: dict[str, set[str]] = {}
    for row in store.select(internal_query("derived-links")):
        if row["predicate"].value in LINKING:
            found.setdefault(row["hub"].value, set()).add(row["object"].value)
    return found
