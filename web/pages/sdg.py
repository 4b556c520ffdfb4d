"""SDG pages: the 17 goals, one goal (its targets and hubs), one target (hubs, evidence, whether it is a gap), gaps."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request, url_for
from flask.typing import ResponseReturnValue

from l4a.graph.reports.derived import derived_goals, read_derived_links
from l4a.graph.reports.overview import goal_counts
from l4a.graph.resources import internal_query
from l4a.graph.sdg_order import sdg_key
from l4a.graph.sync.gaps import find_gaps
from l4a.web.page_cache import kept
from l4a.web.paging import paged
from l4a.web.render import page, respond
from l4a.web.state import app_store, cached, evidence_items, hub_table
from l4a.web.suggested import include_suggested

bp = Blueprint("sdg", __name__)
SDG = "http://metadata.un.org/sdg/"
TARGETS = internal_query("sdg-targets-with-notation")
SHOWN = 3  # hubs named per target on a goal's page


def _targets_of(goal: str) -> list[str]:
    rows = cached(current_app, "targets", lambda: app_store(current_app).select(TARGETS))
    found = [r["target"].value for r in rows if r["target"].value.removeprefix(SDG).split(".")[0] == goal]
    return sorted(found, key=sdg_key)


def _base() -> str:
    return str(current_app.config["L4A_SETTINGS"].base_iri)


@page(bp, "/sdg")
def goals() -> ResponseReturnValue:
    """The 17 goals with their numbers of hubs."""
    counts = cached(current_app, "goal_counts", lambda: goal_counts(app_store(current_app)))
    # Hubs whose only link to a goal is derived (the project's inference, not the sources' statement) are counted
    # apart, never among the hubs the sources link to the goal.
    data = {"goals": [{"goal": g.goal, "number": g.number, "hubs": g.hubs, "derived": g.derived} for g in counts]}
    return respond("sdg_goals.html", data)


@page(bp, "/sdg/<int:number>")
@kept
def goal(number: int) -> ResponseReturnValue:
    """One goal: its targets (each with its hubs; the gaps marked), and the hubs working on it."""
    if not 1 <= number <= 17:
        abort(404)
    iri = f"{SDG}{number}"
    table = hub_table()
    by_target: dict[str, list[str]] = {target: [] for target in _targets_of(str(number))}
    hubs = []
    for row in table.rows:  # one pass over the hubs (10k hubs: one pass, not one per target)
        if iri in row.values("goals"):
            hubs.append(row.iri)
        for target in (t for t in row.values("targets") if t in by_target):
            by_target[target].append(row.iri)
    targets = [{"target": t, "notation": t[len(SDG) :], "hubs": found} for t, found in by_target.items()]
    derived = cached(current_app, "derived_goals", lambda: derived_goals(read_derived_links(app_store(current_app))))
    marked = sorted(hub for hub in hubs if iri in derived.get(hub, set()))
    # The HTML shows a page of hubs and a few per target (each target's page lists them all); the JSON has them all.
    return respond("sdg_goal.html", {"goal": iri, "number": number, "targets": targets, "hubs": hubs,
                                     "derived": marked},
                   listed=paged(hubs), all_url=url_for("hubs.hub_list", goal=str(number)), shown=SHOWN)  # fmt: skip


@page(bp, "/sdg/target/<notation>")
@kept
def target(notation: str) -> ResponseReturnValue:
    """One target: its hubs, the evidence about them, and whether it is a gap."""
    iri = f"{SDG}{notation}"
    if iri not in {t for g in range(1, 18) for t in _targets_of(str(g))}:
        abort(404)
    hubs = [row.iri for row in hub_table().rows if iri in row.values("targets")]
    items = evidence_items({"sdg": notation})
    return respond("sdg_target.html", {"target": iri, "notation": notation, "hubs": hubs, "gap": not hubs,
                                       "evidence": items},
                   listed=paged(hubs), all_url=url_for("hubs.hub_list", target=notation),
                   evidence_url=url_for("evidence.page", sdg=notation))  # fmt: skip


@page(bp, "/gaps")
def gaps() -> ResponseReturnValue:
    """SDG targets and manifestos no hub records a link to, and goals linked without a target (optionally counting
    only a council's or a section's hubs)."""
    council = request.args.get("council") or None
    section = request.args.get("section") or None
    suggested = include_suggested()
    # Kept until the next write, per filter (only known councils and sections get this far: others are errors).
    found = cached(current_app, f"gaps {council} {section} {suggested}",
                   lambda: find_gaps(app_store(current_app), council, section, _base(), suggested))  # fmt: skip
    return respond("gaps.html", {"council": council, "section": section, **found.as_dict()})
