"""Families of UI words chosen by a key at run time (statuses, counts, formats, reasons, ...): their English texts,
marked for the gettext catalogues with `N_` and translated where they are shown (`_(words.count[key])` in a template,
`gettext(COUNT_WORDS[key])` in Python). The families the core also shows live in the core (deliverable and proposal
statuses, severities)."""

from __future__ import annotations

from types import SimpleNamespace

from l4a.graph.i18n.words import N_
from l4a.graph.monitoring.model import STATUS_WORDS
from l4a.graph.proposals.lifecycle import STATUS_WORDS as PROPOSAL_STATUS_WORDS
from l4a.graph.shacl.report import SEVERITY_WORDS

# The store's counts (graph/stats.py), on the home and statistics pages.
COUNT_WORDS = {
    "goals": N_("SDG goals"), "targets": N_("SDG targets"), "indicators": N_("SDG indicators"),
    "manifestos": N_("Durban manifestos"), "policy_councils": N_("Policy Councils"), "sections": N_("UCLG sections"),
    "hubs": N_("Local4Action HUBs recorded here"), "organisations": N_("Organisations"),
    "evidence": N_("Evidence records"), "graphs": N_("Named graphs"), "triples": N_("Triples"),
}  # fmt: skip
# Why two hubs are related (graph/sync/index.py's reason kinds).
REASON_WORDS = {
    "target": N_("shared SDG target"), "goal": N_("shared SDG goal"), "manifesto": N_("shared manifesto"),
    "council": N_("same Policy Council"), "section": N_("same section"), "overlap": N_("active at the same time"),
    "buildsOn": N_("builds on"),
}  # fmt: skip
# What staff may do to a proposal (graph/proposals/lifecycle.py's actions), as the review page's buttons.
ACTION_WORDS = {
    "review": N_("Start the review"), "request-changes": N_("Ask for changes"), "accept": N_("Accept and publish"),
    "reject": N_("Reject"), "withdraw": N_("Withdraw"), "complete": N_("Mark as completed"),
}  # fmt: skip
# The answer formats of /sparql.
FORMAT_WORDS = {
    "html": N_("a table on this page"), "json": N_("SPARQL JSON"), "xml": N_("SPARQL XML"), "csv": N_("CSV"),
    "tsv": N_("TSV"), "turtle": N_("Turtle"), "ntriples": N_("N-Triples"), "jsonld": N_("JSON-LD"),
    "rdfxml": N_("RDF/XML"),
}  # fmt: skip
# A suggestion's state, and the kind of link it suggests.
SUGGESTION_STATE_WORDS = {"pending": N_("pending"), "confirmed": N_("confirmed"), "rejected": N_("rejected")}
SUGGESTED_KIND_WORDS = {
    "target": N_("SDG target"), "goal": N_("SDG goal"), "manifesto": N_("Durban manifesto"),
    "council": N_("Policy Council"),
}  # fmt: skip

# The families as templates see them: `words.status["at-risk"]` is the English text to translate with `_()`.
FAMILIES = SimpleNamespace(
    status=STATUS_WORDS,
    proposal_status=PROPOSAL_STATUS_WORDS,
    severity=SEVERITY_WORDS,
    count=COUNT_WORDS,
    reason=REASON_WORDS,
    action=ACTION_WORDS,
    format=FORMAT_WORDS,
    suggestion_state=SUGGESTION_STATE_WORDS,
    suggested_kind=SUGGESTED_KIND_WORDS,
)
