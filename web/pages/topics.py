"""Durban manifesto pages and Policy Council pages (a council's hubs across both terms, its coverage, its gaps)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, url_for
from flask.typing import ResponseReturnValue

from l4a.graph.namespaces import record_iri
from l4a.graph.resources import internal_query
from l4a.graph.sparql.queries import run_named_query
from l4a.graph.sync.gaps import find_gaps
from l4a.graph.sync.suggested import suggested_members
from l4a.web.page_cache import kept
from l4a.web.paging import paged
from l4a.web.render import page, respond
from l4a.web.state import app_store, cached, evidence_items, hub_table
from l4a.web.suggested import include_suggested

bp = Blueprint("topics", __name__)
KINDS = internal_query("topics")


def _base() -> str:
    return str(current_app.config["L4A_SETTINGS"].base_iri)


def _all(kind: str) -> list[str]:
    rows = cached(current_app, "topic_kinds", lambda: app_store(current_app).select(KINDS))
    return sorted(r["thing"].value for r in rows if r["kind"].value.endswith(kind))


@page(bp, "/manifestos")
def manifestos() -> ResponseReturnValue:
    """The ten Durban manifestos with their numbers of hubs."""
    items = cached(current_app, "manifesto counts", lambda: _counts("Manifesto", "manifestos"))
    return respond("manifestos.html", {"manifestos": [{"manifesto": m, "hubs": n} for m, n in items]})


@page(bp, "/manifestos/<slug>")
@kept
def manifesto(slug: str) -> ResponseReturnValue:
    """One manifesto: its hubs and the evidence about them."""
    iri = record_iri(_base(), "manifesto", slug)
    if iri not in _all("Manifesto"):
        abort(404)
    hubs = [r.iri for r in hub_table().rows if iri in r.values("manifestos")]
    items = evidence_items({"manifesto": slug})
    return respond("manifesto.html", {"manifesto": iri, "hubs": hubs, "gap": not hubs, "evidence": items},
                   listed=paged(hubs), all_url=url_for("hubs.hub_list", manifesto=slug),
                   evidence_url=url_for("evidence.page", manifesto=slug))  # fmt: skip


@page(bp, "/councils")
def councils() -> ResponseReturnValue:
    """The Policy Councils of both terms, with their hubs (a council's lineage counted with it)."""
    items = cached(current_app, "council counts", lambda: _counts("PolicyCouncil", "councils"))
    return respond("councils.html", {"councils": [{"council": c, "hubs": n} for c, n in items]})


def _counts(kind: str, key: str) -> list[tuple[str, int]]:
    """Each manifesto or council with its number of hubs (a council's lineage counted with it), in one pass."""
    table = hub_table()
    things = _all(kind)
    lineage = {thing: table.lineage.get(thing, {thing}) for thing in things}
    counts = dict.fromkeys(things, 0)
    for row in table.rows:
        linked = row.values(key)
        if linked:
            for thing in things:
                if not lineage[thing].isdisjoint(linked):
                    counts[thing] += 1
    return list(counts.items())


@page(bp, "/councils/<slug>")
@kept
def council(slug: str) -> ResponseReturnValue:
    """One council: its hubs across both terms, the council x SDG goal coverage (empty cells shown), its gaps."""
    iri = record_iri(_base(), "council", slug)
    if iri not in _all("PolicyCouncil"):
        abort(404)
    table = hub_table()
    lineage = sorted(table.lineage.get(iri, {iri}))
    hubs = [r.iri for r in table.rows if r.shares("councils", set(lineage))]
    coverage = cached(current_app, "coverage", lambda: run_named_query(app_store(current_app), "council-coverage", {}))
    matrix: dict[str, dict[int, int]] = {}
    for row in coverage:
        goal = int(row["goal"].value.rsplit("/", 1)[1])
        matrix.setdefault(row["council"].value, {})[goal] = int(row["hubs"].value)
    # hubs a pending suggestion links to the council: listed apart, counted (marked) only when the reader asks
    include = include_suggested()
    suggested = cached(current_app, f"suggested-members:{iri}",
                       lambda: suggested_members(app_store(current_app), set(lineage), set(hubs)))  # fmt: skip
    gaps = cached(current_app, f"gaps:{iri}:{include}",
                  lambda: find_gaps(app_store(current_app), iri, None, _base(), include).as_dict())  # fmt: skip
    counted = [x.hub for x in suggested] if include else []
    data = {"council": iri, "lineage": lineage, "hubs": hubs, "coverage": {c: matrix.get(c, {}) for c in lineage},
            "gaps": gaps, "suggested": [x.as_dict() for x in suggested], "include_suggested": include,
            "counted": counted}  # fmt: skip
    return respond("council.html", data, all_coverage=matrix, goals=range(1, 18), listed=paged(hubs + counted),
                   all_url=url_for("hubs.hub_list", council=slug))  # fmt: skip
