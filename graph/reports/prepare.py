"""`l4a prepare`: compute, once per write, the whole-store values that commands and pages read (graph/store/derived.py).

After a write, the first `l4a communities`, `brief`, `monitor status`, `validate`, ... on a big store would each pay
for reading every hub again (seconds on 10k hubs, minutes on 100k). Preparing computes those values right after the
write, in the order a reader most often needs them, so that the commands that follow find them ready. A command that
needs a value being prepared meanwhile waits for it (graph/store/derived.py `_computing`): it never computes it a
second time.

Each step calls the very function its command calls, with the command's defaults: what is prepared is exactly
what the command would read. A write that lands while preparing makes the values of the older state useless; the
preparation then starts again on the new state (`prepare_steps` returns the steps done on the last state).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from l4a.graph.i18n.words import LANGUAGES
from l4a.graph.store.base import Store

RESTARTED = "the store was written meanwhile: again from the start, on the new state"
Progress = Callable[[str, float, "Exception | None"], None]


@dataclass(frozen=True)
class Step:
    """One value (or family of values) to prepare: its name for people, and how to compute it on a store."""

    name: str
    run: Callable[[Store, str], object]


def _stats(store: Store, base: str) -> object:
    from l4a.graph.stats import store_stats

    return store_stats(store)


def _hub_table(store: Store, base: str) -> object:
    from l4a.graph.reports.hub_table import HubTable

    return HubTable.from_store(store)


def _index(store: Store, base: str) -> object:
    from l4a.graph.sync.index import SyncIndex

    return SyncIndex.from_store(store)


def _network(store: Store, base: str) -> object:
    from l4a.graph.sync.network import keep_network_file, store_measures

    for fmt in ("json", "graphml"):
        keep_network_file(store, fmt)
    return store_measures(store)


def _labels(store: Store, base: str) -> object:
    from l4a.graph.labels import Labels

    return Labels.from_store(store)


def _monitoring(store: Store, base: str) -> object:
    from l4a.graph.monitoring.status import status_rows

    return status_rows(store, base, dt.date.today())


def _links(store: Store, base: str) -> object:
    from l4a.graph.sync.measures import link_measures

    return link_measures(store, [dt.date(dt.date.today().year, 1, 1)])


def _validation(store: Store, base: str) -> object:
    from l4a.graph.shacl.validation import owners, shipped_validator

    shipped_validator().validate_store(store, "en")
    return owners(store)


def _evidence(store: Store, base: str) -> object:
    """Every evidence record: `evidence` and `query run evidence-for` with any filter are cut from it (a filter's
    hubs: one lookup; graph/sparql/narrow.py)."""
    from l4a.graph.sparql.queries import prepare_named_query

    return prepare_named_query(store, "evidence-for", base)


def _deliverables(store: Store, base: str) -> object:
    """Every dated deliverable and indicator: `query run deliverables-due` for any period is cut from it."""
    from l4a.graph.sparql.queries import prepare_named_query

    return prepare_named_query(store, "deliverables-due", base)


def _filter_values(store: Store, base: str) -> object:
    """Every narrowed named query's answer for each value of its filters that names a known thing (each SDG goal
    and target, manifesto, council, section), cut from its unfiltered answer: `query run hubs-by-sdg -p sdg=11`
    and its page read their own rows only (at 100k hubs, 4-20 s each when run)."""
    from l4a.graph.sparql.queries import named_queries, prepare_filter_values

    return {name: prepare_filter_values(store, name, base) for name, query in named_queries().items() if query.narrow}


def _council_briefs(store: Store, base: str, languages: tuple[str, ...] = ("en",)) -> object:
    from l4a.graph.reports.brief import COUNCILS, make_brief

    councils = sorted({row["council"].value for row in store.select(COUNCILS)})
    return [make_brief(store, council, lang, base) for lang in languages for council in councils]


def _edition_briefs(store: Store, base: str, languages: tuple[str, ...] = ("en",)) -> object:
    from l4a.graph.reports.brief_vcs import make_edition_brief, read_editions

    return [make_edition_brief(store, iri, lang, base) for lang in languages for iri in sorted(read_editions(store))]


def _briefs_in_other_languages(store: Store, base: str) -> object:
    """The briefs in the other languages (their pages and `brief --lang`): the words and the HTML only, the facts
    under them being the English briefs' (made once for every language)."""
    others = tuple(lang for lang in LANGUAGES if lang != "en")
    return _council_briefs(store, base, others), _edition_briefs(store, base, others)


# Most read first: the counts and the hub list, related hubs, the network, monitoring, checks, evidence, briefs.
def _export(store: Store, base: str) -> object:
    from l4a.graph.store.exchange import EXPORT_FORMATS, keep_export

    for fmt in EXPORT_FORMATS:  # every one `l4a export` offers (a first run at 10k hubs: 3-4 s each)
        keep_export(store, fmt, base)
    return None


STEPS = (
    Step("counts", _stats),
    Step("hub table", _hub_table),
    Step("labels", _labels),
    Step("synchronization index", _index),
    Step("network, communities and bridges", _network),
    Step("monitoring status", _monitoring),
    Step("links between hubs", _links),
    Step("validation", _validation),
    Step("evidence", _evidence),
    Step("deliverables and indicators due", _deliverables),
    Step("named queries, every filter value", _filter_values),
    Step("council briefs", _council_briefs),
    Step("Venice City Solutions briefs", _edition_briefs),
    Step("briefs in French and Spanish", _briefs_in_other_languages),
)
EXPORT = Step("export (TriG, N-Quads, Turtle, JSON-LD)", _export)  # last: the other steps' values are read more often


def prepare_steps(
    open_snapshot: Callable[[], Store],
    is_current: Callable[[Store], bool],
    base: str,
    progress: Progress | None = None,
    extra: tuple[Step, ...] = (),
) -> list[Done]:
    """Run every step (the `extra` ones, such as the site's pages, before the export) on a read-only snapshot
    (`open_snapshot`), again from the start on a new snapshot whenever `is_current` says the store was written
    meanwhile; what was done on the last state. A step that fails is reported (its command will say why when run)
    and the others go on."""
    steps = (*STEPS, *extra, EXPORT)
    while True:
        done: list[Done] = []
        if _run(open_snapshot, is_current, base, progress, done, steps):
            return done
        if progress is not None:
            progress(RESTARTED, 0.0, None)


@dataclass(frozen=True)
class Done:
    """A step done: its name, its seconds, and its error if it failed."""

    name: str
    seconds: float
    error: Exception | None = None


def _run(
    open_snapshot: Callable[[], Store],
    is_current: Callable[[Store], bool],
    base: str,
    progress: Progress | None,
    done: list[Done],
    steps: tuple[Step, ...],
) -> bool:
    """Do the steps on one snapshot (into `done`); False when the store changed under them."""
    store = open_snapshot()
    try:
        for step in steps:
            if not is_current(store):
                return False
            started, error = time.perf_counter(), None
            try:
                step.run(store, base)
            except Exception as exc:  # one step's failure must not keep the others from being ready
                error = exc
            done.append(Done(step.name, time.perf_counter() - started, error))
            if progress is not None:
                progress(step.name, done[-1].seconds, error)
        return is_current(store)
    finally:
        store.close()
