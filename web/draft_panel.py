"""The proposal form's suggestions and similar hubs, in the reader's words: what the draft states (typed, ticked or
accepted), the choices graph/proposals/draft.py offers for its text, the hubs closest to it, and why when there are
none. Used by the form (web/pages/propose.py: "Suggest from my description", without JavaScript) and by
/api/suggest (web/pages/draft.py, for the site's own script); both render templates/propose_suggestions.html.

Also the fair share of the suggester per client: a token bucket (SUGGESTIONS_PER_MINUTE, in a burst of
SUGGESTIONS_BURST) and at most SUGGESTIONS_AT_ONCE requests running per client, as /sparql shares its workers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template, request, url_for
from flask_babel import gettext, ngettext

from l4a.graph.namespaces import SDG, record_iri
from l4a.graph.proposals.accepted import AcceptedSuggestion
from l4a.graph.proposals.draft import (
    ALL_CHOSEN,
    NO_LINKS,
    NO_TEXT,
    NOTHING_FOUND,
    DraftLinks,
    DraftSuggestions,
    SimilarHubs,
    accepted_from,
    draft_text,
    similar_hubs,
    suggest_for_draft,
)
from l4a.graph.sync.index import Reason, SyncIndex
from l4a.web.catalogues import country_name
from l4a.web.extensions import app_value
from l4a.web.fair_share import ClientShares
from l4a.web.proposal_form import TARGET, notation_key, resolve_targets
from l4a.web.ratelimit import TokenBuckets
from l4a.web.state import app_hub_table, app_index, app_labels, app_suggested_index, cached

SUGGESTIONS_PER_MINUTE = 120  # typing with the script asks at most about once a second, after a pause
SUGGESTIONS_BURST = 30
SUGGESTIONS_AT_ONCE = 2  # requests of one client running at the same time (more: 503, retry)
KINDS = ("target", "goal", "manifesto", "council")
IRI = re.compile(r"^https?://\S+$")


@dataclass
class Draft:
    """A draft as the form (or the script) sent it: its texts, the links it states by hand, the suggestions the
    applicant ticked (kind -> target notations, goal numbers, manifesto or council IRIs), time frame and country."""

    name: str = ""
    description: str = ""
    theme: str = ""
    targets: list[str] = field(default_factory=list)  # as typed: numbers or words
    manifestos: list[str] = field(default_factory=list)
    councils: list[str] = field(default_factory=list)
    section: str | None = None
    accepted: dict[str, list[str]] = field(default_factory=dict)
    start: dt.date | None = None
    end: dt.date | None = None
    country: str | None = None
    revise: str | None = None

    @property
    def text(self) -> str:
        return draft_text(self.name, self.description, self.theme)


def draft_of_form(form: Any, revise: str | None = None) -> Draft:
    """The draft a ProposalForm holds (posted, or filled in again for a revision)."""

    def listed(field_: Any) -> list[str]:
        return [str(v) for v in (field_.data or []) if str(v).strip()]

    return Draft(
        name=form.name.data or "",
        description=form.description.data or "",
        theme=form.theme.data or "",
        targets=listed(form.sdg_target),
        manifestos=listed(form.manifesto),
        councils=listed(form.council),
        section=form.section.data or None,
        accepted={kind: listed(getattr(form, f"accept_{kind}")) for kind in KINDS},
        start=form.start_date.data if isinstance(form.start_date.data, dt.date) else None,
        end=form.end_date.data if isinstance(form.end_date.data, dt.date) else None,
        country=form.country.data or None,
        revise=revise,
    )


def wants_panel(form: Any) -> bool:
    """Whether the form shows the suggestions: asked for once (kept by a hidden field) or some accepted."""
    return request.form.get("suggestions_shown") == "1" or any(getattr(form, f"accept_{k}").data for k in KINDS)


def _known(kind: str, values: Sequence[str], options: Mapping[str, set[str]]) -> list[str]:
    """The accepted values that name something the form knows (others are left to the rules when sent)."""
    if kind == "target":
        return [m.group(1).lower() for v in values if (m := TARGET.match(v)) and m.group(1).lower() in options[kind]]
    if kind == "goal":
        return [v.strip() for v in values if v.strip().isdigit() and 1 <= int(v) <= 17]
    return [v for v in values if v in options[kind]]


def form_options(targets: Sequence[tuple[str, str, str]], form: Any) -> dict[str, set[str]]:
    """What the form offers, to check ticked values against: target notations, manifesto and council IRIs."""
    return {
        "target": {n for n, _, _ in targets},
        "manifesto": {c.value for c in form.manifesto.choices},
        "council": {c.value for c in form.council.choices},
    }


def typed_links(draft: Draft, targets: Sequence[tuple[str, str, str]]) -> DraftLinks:
    """The links the applicant states by hand (typed targets resolved as the form resolves them, ticked boxes)."""
    notations, _problems = resolve_targets(draft.targets, [(n, w) for n, _, w in targets])  # problems: on sending
    return DraftLinks(
        targets=tuple(dict.fromkeys(notations)),
        manifestos=tuple(draft.manifestos),
        councils=tuple(draft.councils),
        section=draft.section,
    )


def with_accepted(links: DraftLinks, accepted: Mapping[str, Sequence[str]]) -> DraftLinks:
    """The links with the accepted suggestions added (the applicant's own once ticked)."""
    return DraftLinks(
        targets=tuple(dict.fromkeys([*links.targets, *accepted.get("target", [])])),
        goals=tuple(dict.fromkeys(int(g) for g in accepted.get("goal", []))),
        manifestos=tuple(dict.fromkeys([*links.manifestos, *accepted.get("manifesto", [])])),
        councils=tuple(dict.fromkeys([*links.councils, *accepted.get("council", [])])),
        section=links.section,
    )


@dataclass
class Panel:
    """What the form shows: the choices by kind (ticked where accepted), the similar hubs, and why when empty."""

    suggestions: DraftSuggestions
    similar: SimilarHubs
    accepted: dict[str, list[str]]
    context: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "suggestions": self.suggestions.as_json(),
            "accepted": self.accepted,
            "similar": self.similar.as_json(),
            "messages": {
                "suggestions": self.context["empty"],
                "similar": self.context["similar_empty"],
                "status": self.context["status"],
            },
        }


def build_panel(
    draft: Draft, targets: Sequence[tuple[str, str, str]], options: Mapping[str, set[str]], lang: str
) -> Panel:
    """The choices for a draft's text and the hubs closest to it, in `lang` (labels, reasons, messages);
    `targets` and `options` are what the form offers (form_options)."""
    accepted = known_accepted(draft, options)
    base = str(current_app.config["L4A_SETTINGS"].base_iri)
    typed = typed_links(draft, targets)
    suggestions = suggest_for_draft(draft.text, typed, lang, base=base)
    links = with_accepted(typed, accepted)
    index = app_suggested_index(current_app)  # other hubs' pending suggestions count too, each reason marked
    exclude = [record_iri(base, "hub", draft.revise)] if draft.revise else []
    similar = similar_hubs(
        index, links, suggestions, draft.start, draft.end, draft.country, _countries(), exclude, limit=5
    )
    groups = _groups(suggestions, accepted, targets, lang)
    context: dict[str, Any] = {
        "method": suggestions.method,
        "read_in": suggestions.lang,
        "groups": groups,
        "empty": _empty_message(suggestions, accepted),
        "similar": [_similar_hub(h, lang) for h in similar.hubs],
        "similar_empty": _similar_message(similar, app_index(current_app)),
    }
    offered = sum(len(g["choices"]) for g in groups)
    context["status"] = " · ".join(
        [
            ngettext("%(num)d suggestion", "%(num)d suggestions", offered) if offered else gettext("No suggestion"),
            ngettext("%(num)d hub close to yours", "%(num)d hubs close to yours", len(similar.hubs)),
        ]
    )
    return Panel(suggestions, similar, accepted, context)


def _countries() -> dict[str, tuple[str, ...]]:
    """Each hub's country codes (from the hub table; kept until the app writes)."""
    table = app_hub_table(current_app)
    found: dict[str, tuple[str, ...]] = cached(
        current_app, "hub_table:countries", lambda: {row.iri: row.values("countries") for row in table.rows}
    )
    return found


GROUP_TITLES = {
    "target": lambda: gettext("SDG targets"),
    "goal": lambda: gettext("SDG goals whose target is unclear"),
    "manifesto": lambda: gettext("Durban manifestos"),
    "council": lambda: gettext("Policy Councils"),
}


def _groups(
    suggestions: DraftSuggestions, accepted: Mapping[str, list[str]], targets: Sequence[tuple[str, str, str]], lang: str
) -> list[dict[str, Any]]:
    """The choices of each kind: the ones suggested for this text (ticked when accepted), then those the applicant
    ticked on an earlier text and the method no longer suggests (kept ticked: they are the applicant's choice)."""
    labels = app_labels(current_app)
    shown_target = {n: shown for n, shown, _ in targets}
    groups = []
    for kind in KINDS:
        keys = _keys(kind, accepted.get(kind, []))
        rows = []
        offered = suggestions.of_kind(kind) + [c for c in suggestions.already if c.kind == kind and c.key in keys]
        seen = set()
        for choice in offered:
            seen.add(choice.key)
            rows.append(_row(kind, choice.key, choice.iri, choice.why, choice.key in keys, labels, shown_target, lang))
        for key in keys:
            if key not in seen:
                rows.append(_row(kind, key, _iri(kind, key, accepted), "", True, labels, shown_target, lang, True))
        if kind == "target":
            rows.sort(key=lambda r: notation_key(r["key"]))
        if rows:
            groups.append({"kind": kind, "title": GROUP_TITLES[kind](), "choices": rows})
    return groups


def _keys(kind: str, values: Sequence[str]) -> list[str]:
    """The keys the choices of a kind go by: target notations and goal numbers as given, slugs of IRIs."""
    return [v.rstrip("/").rsplit("/", 1)[-1] if kind in ("manifesto", "council") else v for v in values]


def _iri(kind: str, key: str, accepted: Mapping[str, list[str]]) -> str:
    if kind in ("target", "goal"):
        return f"{SDG}{key}"
    return next(v for v in accepted.get(kind, []) if v.rstrip("/").rsplit("/", 1)[-1] == key)


def _row(
    kind: str,
    key: str,
    iri: str,
    why: str,
    checked: bool,
    labels: Any,
    shown_target: Mapping[str, str],
    lang: str,
    earlier: bool = False,
) -> dict[str, Any]:
    """One choice: its checkbox (name accept_<kind>, the value the form reads), its label in the reader's language
    (marked when only English exists), and the words of the text that matched."""
    if kind == "target":  # the target's whole text: the applicant decides on it
        value, code, label = key, key, re.sub(r"^\s*\d+\.\w+\s*", "", labels.get(iri, lang))
    elif kind == "goal":
        value, code = key, gettext("SDG %(num)s", num=key)
        label = labels.short_name(iri, lang)  # the group says its target is unclear
    else:
        value, code, label = iri, "", labels.get(iri, lang)
    return {
        "kind": kind,
        "key": key,
        "id": "accept-" + re.sub(r"[^a-z0-9]+", "-", f"{kind}-{key}".lower()),
        "name": f"accept_{kind}",
        "value": value,
        "code": code,
        "label": label,
        "label_lang": "" if labels.has(iri, lang) or kind in ("target", "goal") else "en",
        "why": why,
        "checked": checked,
        "earlier": earlier,
    }


def _empty_message(suggestions: DraftSuggestions, accepted: Mapping[str, list[str]]) -> str | None:
    if suggestions.choices:
        return None
    if any(accepted.values()) and suggestions.empty != NO_TEXT:
        return str(gettext("No other suggestion for your text: the ones you ticked are kept."))
    messages: dict[str, str] = {
        NO_TEXT: gettext(
            "No suggestion yet: write the hub's description in step 1 (a few sentences on what it does, for whom and "
            "on which topics); suggestions come from its name, description and theme."
        ),
        NOTHING_FOUND: gettext(
            "No suggestion: your name, description and theme use no words the method links to an SDG goal, a Durban "
            "manifesto or a Policy Council. Say what the hub does, for whom and on which topics (housing, water, "
            "gender equality…), or pick targets, manifestos and councils yourself."
        ),
        ALL_CHOSEN: gettext("No further suggestion: what the method finds in your text is already in your proposal."),
    }
    return messages.get(suggestions.empty or "")


def _similar_message(similar: SimilarHubs, index: SyncIndex) -> str | None:
    """Why no hub is listed, and what would list some (`index`: the facts only, to count the hubs with links)."""
    if similar.hubs:
        return None
    if similar.empty == NO_LINKS:
        return str(
            gettext(
                "No hub to compare yet: hubs are close to yours when they share SDG targets or goals, Durban "
                "manifestos, Policy Councils or the UCLG section. Pick some, or ask for suggestions from your "
                "description."
            )
        )
    linked = sum(1 for h in index.hubs.values() if h.concepts and not h.fictional)
    total = sum(1 for h in index.hubs.values() if not h.fictional)
    return str(
        gettext(
            "No published hub shares an SDG target or goal, a manifesto, a council or the section with your draft: "
            "only %(linked)d of %(total)d published hubs record any such link. Yours may be the first on these "
            "topics; more links on the published hubs (confirmed suggestions) would find more.",
            linked=linked,
            total=total,
        )
    )


def _similar_hub(related: Any, lang: str) -> dict[str, Any]:
    slug = related.hub.rstrip("/").rsplit("/", 1)[-1]
    return {
        "url": url_for("hubs.hub_page", slug=slug, lang=lang),
        "label": related.label or slug,
        "score": round(related.score, 3),
        "reasons": [_reason(r, lang) for r in related.reasons if not r.suggested],
        "suggested_reasons": [_reason(r, lang) for r in related.reasons if r.suggested],
    }


def _reason(reason: Reason, lang: str) -> dict[str, Any]:
    labels = app_labels(current_app)
    concept = reason.concept
    if reason.kind == "target":
        text = gettext("SDG target %(code)s", code=concept.rsplit("/", 1)[-1])
    elif reason.kind == "goal":
        text = gettext("SDG %(num)s", num=concept.rsplit("/", 1)[-1])
    elif reason.kind == "overlap":
        text = gettext("active at the same time")
    elif reason.kind == "place":
        text = gettext("in %(country)s too", country=country_name(concept, lang))
    elif reason.kind == "buildsOn":
        text = gettext("builds on it")
    else:
        text = labels.get(concept, lang)
    english = reason.kind in ("manifesto", "council", "section") and not labels.has(concept, lang)
    return {"kind": reason.kind, "text": text, "suggested": reason.suggested, "lang": "en" if english else ""}


def render_panel(panel: Panel, lang: str) -> dict[str, str]:
    """The panel's two parts as HTML (the choices, the similar hubs), as the form shows them."""
    return {
        part: render_template("propose_suggestions.html", panel=panel.context, part=part, lang=lang)
        for part in ("choices", "similar")
    }


def known_accepted(draft: Draft, options: Mapping[str, set[str]]) -> dict[str, list[str]]:
    """The suggestions the applicant ticked that name something the form offers, by kind."""
    return {kind: list(dict.fromkeys(_known(kind, draft.accepted.get(kind, []), options))) for kind in KINDS}


def accepted_for_store(
    draft: Draft, targets: Sequence[tuple[str, str, str]], form: Any, lang: str
) -> tuple[dict[str, list[str]], list[AcceptedSuggestion]]:
    """What the applicant accepted, to merge into the proposal as if typed, and to record as accepted from a
    suggestion (with the method's score and words for the text sent, when the method still suggests it)."""
    accepted = known_accepted(draft, form_options(targets, form))
    if not any(accepted.values()):
        return accepted, []
    base = str(current_app.config["L4A_SETTINGS"].base_iri)
    suggestions = suggest_for_draft(draft.text, DraftLinks(), lang, base=base)
    ticked = [(kind, key, _iri(kind, key, accepted)) for kind in KINDS for key in _keys(kind, accepted[kind])]
    return accepted, accepted_from(suggestions, ticked)


def merge_accepted(data: dict[str, Any], accepted: Mapping[str, list[str]]) -> dict[str, Any]:
    """The proposal's data with the accepted suggestions added to its targets, goals, manifestos and councils."""
    for kind, key in (("target", "sdg_targets"), ("manifesto", "manifestos"), ("council", "policy_councils")):
        if accepted.get(kind):
            data[key] = list(dict.fromkeys([*data.get(key, []), *accepted[kind]]))
    if accepted.get("goal"):
        data["sdg_goals"] = list(dict.fromkeys([*data.get("sdg_goals", []), *(str(g) for g in accepted["goal"])]))
    return data


# --- Fair share ------------------------------------------------------------------------------------------------


def _buckets() -> TokenBuckets:
    return app_value(current_app, "l4a_suggest_buckets", TokenBuckets,
                     lambda: TokenBuckets(SUGGESTIONS_PER_MINUTE / 60.0, SUGGESTIONS_BURST))  # fmt: skip


def _shares() -> ClientShares:
    return app_value(current_app, "l4a_suggest_shares", ClientShares, lambda: ClientShares(SUGGESTIONS_AT_ONCE))


@contextmanager
def fair_share() -> Iterator[tuple[int, bool]]:
    """(seconds to wait, 0 when within the client's rate; whether a slot was free) for one suggestion request."""
    client = request.remote_addr or "unknown"
    wait = _buckets().take(client)
    if wait > 0:
        yield max(1, math.ceil(wait)), False
        return
    with _shares().slot(client) as allowed:
        yield 0, allowed


def busy_message(wait: int) -> str:
    """The words for a client over its share (the form shows them in place of the suggestions)."""
    if wait:
        return str(gettext("Too many suggestion requests: wait %(num)d s and ask again.", num=wait))
    return str(gettext("Your earlier suggestion requests are still running: ask again in a few seconds."))
