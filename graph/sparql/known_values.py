"""A query parameter naming an SDG goal or target, manifesto, Policy Council or section that the store does not
hold (when it holds that kind of thing at all) is an error listing the closest names (exit 2 in the CLI, 400 on the
web), never an empty answer."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from l4a.graph.errors import UsageError
from l4a.graph.reports.hub_table import fold
from l4a.graph.resources import internal_query
from l4a.graph.store.base import Store, Term
from l4a.graph.store.derived import derived

CHECKED = {"sdg": "SDG goal or target", "goal": "SDG goal", "target": "SDG target", "manifesto": "manifesto",
           "council": "Policy Council", "section": "section"}  # fmt: skip
SHOWN = 5


def known_values(store: Store) -> dict[str, dict[str, str]]:
    """For each kind, every IRI with a name to show (notation and English label, or the slug); read once per state
    of the store (graph/store/derived.py)."""
    return derived(store, "known-values", lambda: _read(store), shared=True)


def _read(store: Store) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for row in store.select(internal_query("filter-values")):
        iri, kind = row["thing"].value, row["kind"].value
        notation = row["notation"].value if row.get("notation") is not None else ""
        label = row["label"].value if row.get("label") is not None else ""
        slug = iri.rstrip("/").rsplit("/", 1)[-1]
        label = label if len(label) <= 60 else label[:59].rsplit(" ", 1)[0] + "…"
        shown = (f"{notation} {label}".strip() if kind in ("goal", "target") else label) or slug
        names = found.setdefault(kind, {})
        if iri not in names or len(shown) > len(names[iri]):
            names[iri] = shown
    return found


def check_known(store: Store, kinds: Mapping[str, str], bindings: Mapping[str, Term]) -> None:
    """UsageError for the first parameter (by name, of a kind in CHECKED) whose value the store does not hold."""
    wanted = {name: kind for name, kind in kinds.items() if kind in CHECKED and name in bindings}
    if not wanted:
        return
    known = known_values(store)
    for name, kind in wanted.items():
        iri = bindings[name].value
        if kind == "sdg":  # a goal (11) or a target (11.3): judged against the goals or the targets held
            kind = "target" if "." in iri.rstrip("/").rsplit("/", 1)[-1] else "goal"
        names = known.get(kind, {})
        if iri in names or not names:  # known, or the store holds none of that kind (no reference data to judge by)
            continue
        given = iri.rstrip("/").rsplit("/", 1)[-1]
        raise UsageError(f"there is no {CHECKED[kind]} {given!r} (parameter '{name}'). The closest: "
                         + "; ".join(closest(given, names)) + ".")  # fmt: skip


def closest(given: str, names: Mapping[str, str], limit: int = SHOWN) -> list[str]:
    """The known values most like `given` (by slug and name), as "slug (name)"."""
    wanted = fold(given)

    def likeness(iri: str) -> float:
        slug = iri.rstrip("/").rsplit("/", 1)[-1]
        return max(difflib.SequenceMatcher(None, wanted, fold(text)).ratio() for text in (slug, names[iri]))

    ranked = sorted(names, key=lambda iri: (-likeness(iri), iri))[:limit]
    shown = []
    for iri in ranked:
        slug = iri.rstrip("/").rsplit("/", 1)[-1]
        shown.append(names[iri] if names[iri].startswith(slug) else f"{slug} ({names[iri]})")
    return shown
