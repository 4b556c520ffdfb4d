"""Suggestions for a proposal while it is drafted, and the published hubs closest to it: what the proposal form shows
beside its topic fields, and what `l4a propose` notes for a proposal that names no SDG target.

Nothing here writes a link. A suggestion is offered as a choice the applicant may tick; what is ticked becomes the
applicant's own claim (recorded as accepted, proposals/accepted.py); what is not stays a suggestion, marked as such
wherever it is used (as a reason two hubs are alike, for instance).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from l4a.graph.namespaces import DCTERMS, DEFAULT_BASE, L4A, SDG, record_iri
from l4a.graph.proposals.accepted import AcceptedSuggestion
from l4a.graph.proposals.pipeline import Stored, Submission, gate, read_submissions, store_submissions
from l4a.graph.store.base import Store
from l4a.graph.suggest.language import content_stems, detect_language
from l4a.graph.suggest.model import METHOD, VERSION, Suggester, Suggestions, get_suggester
from l4a.graph.sync.draft import rank_draft
from l4a.graph.sync.index import Related, SyncIndex

KINDS = ("target", "goal", "manifesto", "council")
MAX_CHOICES = 5  # per kind: a form shows a few choices, best first (the CLI's `l4a suggest` gives them all)
MAX_TEXT_CHARS = 25_000  # name, description and theme together (the form allows 300 + 20,000 + 300)

# Why a draft gets no choice, and why no similar hub: codes the web and the CLI put in words.
NO_TEXT = "no-text"  # nothing written yet (or only short or common words)
NOTHING_FOUND = "nothing-found"  # the method links the text to no goal, manifesto or council
ALL_CHOSEN = "all-chosen"  # everything suggested is already in the draft
NO_LINKS = "no-links"  # the draft has no link, chosen or suggested, to compare hubs by
NO_HUB_SHARES = "no-hub-shares"  # no published hub shares any of the draft's links


@dataclass(frozen=True)
class DraftLinks:
    """The links a draft states itself (typed, ticked or accepted): SDG targets by notation ("11.1"), goals by
    number, manifesto, council and section IRIs."""

    targets: tuple[str, ...] = ()
    goals: tuple[int, ...] = ()
    manifestos: tuple[str, ...] = ()
    councils: tuple[str, ...] = ()
    section: str | None = None

    def concepts(self) -> set[str]:
        """The IRIs of every link, a target's goal included (as the synchronization index reads a hub)."""
        found = {f"{SDG}{t}" for t in self.targets} | {f"{SDG}{goal_of(t)}" for t in self.targets}
        found |= {f"{SDG}{g}" for g in self.goals} | set(self.manifestos) | set(self.councils)
        return found | ({self.section} if self.section else set())

    def has(self, choice: Choice) -> bool:
        """Whether the draft states the choice already (a goal counts as stated when one of its targets is)."""
        if choice.kind == "target":
            return choice.key in self.targets
        if choice.kind == "goal":
            return int(choice.key) in self.goals or any(goal_of(t) == choice.key for t in self.targets)
        return choice.iri in (self.manifestos if choice.kind == "manifesto" else self.councils)


def goal_of(notation: str) -> str:
    """The goal number of a target notation ("11.a" -> "11")."""
    return notation.split(".", 1)[0]


@dataclass(frozen=True)
class Choice:
    """One suggested link, as a choice to offer: kind, key ("11.1", "11", a manifesto or council slug), value IRI,
    score and the words of the text that matched; a goal choice is one whose target is unclear."""

    kind: str
    key: str
    iri: str
    score: float | None
    why: str

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {"kind": self.kind, "key": self.key, "iri": self.iri, "score": self.score,
                                    "why": self.why}  # fmt: skip
        if self.kind == "goal":
            found["target_unclear"] = True
        return found

    def accepted(self) -> AcceptedSuggestion:
        """The choice as the applicant's accepted suggestion (for the proposal's provenance)."""
        return AcceptedSuggestion(self.kind, self.key, self.iri, METHOD, VERSION, self.score, self.why)


@dataclass(frozen=True)
class DraftSuggestions:
    """The choices to offer for a draft's text (best first within each kind, leaving out what the draft states
    already), the ones left out for that reason, and why there is no choice when there is none."""

    lang: str
    choices: tuple[Choice, ...] = ()
    already: tuple[Choice, ...] = ()
    empty: str | None = None
    method: str = f"{METHOD} {VERSION}"

    def of_kind(self, kind: str) -> list[Choice]:
        return [c for c in self.choices if c.kind == kind]

    def find(self, kind: str, key: str) -> Choice | None:
        """The choice (offered or already stated) of that kind and key, if the method suggests it for this text."""
        return next((c for c in (*self.choices, *self.already) if c.kind == kind and c.key == key), None)

    def as_json(self) -> dict[str, object]:
        return {
            "lang": self.lang,
            "method": self.method,
            "suggested_not_confirmed": True,
            **{f"{kind}s": [c.as_json() for c in self.of_kind(kind)] for kind in KINDS},
            "already_in_draft": [c.as_json() for c in self.already],
            "empty": self.empty,
        }


def draft_text(*parts: str | None) -> str:
    """The text to suggest from: the draft's name, description and theme, one per line (cut at MAX_TEXT_CHARS)."""
    return "\n".join(p.strip() for p in parts if p and p.strip())[:MAX_TEXT_CHARS]


def choices_of(result: Suggestions, limit: int = MAX_CHOICES, base: str = DEFAULT_BASE) -> list[Choice]:
    """The suggester's answer as choices: targets that stand out, goals whose target is unclear (never a weak target
    in their place), manifestos and councils (IRIs under `base`, as the store has them); at most `limit` of each
    kind, best first."""
    targets = [Choice("target", t.target, f"{SDG}{t.target}", t.score, t.why) for t in result.targets][:limit]
    scores = {g.goal: (g.score, g.why) for g in result.goals}
    goals = [Choice("goal", str(g), f"{SDG}{g}", *scores.get(g, (None, ""))) for g in result.unclear][:limit]
    manifestos = [
        Choice("manifesto", m.key, record_iri(base, "manifesto", m.key), m.score, m.why) for m in result.manifestos
    ][:limit]
    councils = [Choice("council", c.key, record_iri(base, "council", c.key), c.score, c.why) for c in result.councils][
        :limit
    ]
    return [*targets, *goals, *manifestos, *councils]


def suggest_for_draft(
    text: str,
    links: DraftLinks | None = None,
    lang: str = "en",
    suggester: Suggester | None = None,
    base: str = DEFAULT_BASE,
) -> DraftSuggestions:
    """What to offer for a draft's text: the suggester's choices minus what the draft states already. The text is
    read in the language its function words show, else in `lang` (the reader's, for a title alone)."""
    text = text[:MAX_TEXT_CHARS]
    links = links or DraftLinks()
    read_in = detect_language(text, fallback=lang)
    if not content_stems(text):
        return DraftSuggestions(read_in, empty=NO_TEXT)
    result = (suggester or get_suggester()).suggest(text, read_in)
    found = choices_of(result, base=base)
    offered = tuple(c for c in found if not links.has(c))
    already = tuple(c for c in found if links.has(c))
    empty = None if offered else (ALL_CHOSEN if already else NOTHING_FOUND)
    return DraftSuggestions(read_in, offered, already, empty)


@dataclass(frozen=True)
class SimilarHubs:
    """The published hubs closest to a draft, best first, each with its reasons (those resting on a suggestion
    marked), or why there is none."""

    hubs: tuple[Related, ...] = ()
    empty: str | None = None
    suggested_only: frozenset[str] = field(default_factory=frozenset)

    def as_json(self) -> dict[str, object]:
        return {"hubs": [h.as_dict() for h in self.hubs], "empty": self.empty}


def suggested_concepts(suggestions: DraftSuggestions | None, links: DraftLinks) -> set[str]:
    """The IRIs the draft has only by a suggestion it was offered and has not accepted (a suggested target's goal
    too, unless the draft states that goal)."""
    if suggestions is None:
        return set()
    offered = suggestions.choices
    found = {c.iri for c in offered} | {f"{SDG}{goal_of(c.key)}" for c in offered if c.kind == "target"}
    return found - links.concepts()


def similar_hubs(
    index: SyncIndex,
    links: DraftLinks,
    suggestions: DraftSuggestions | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    country: str | None = None,
    countries: Mapping[str, Collection[str]] | None = None,
    exclude: Collection[str] = (),
    limit: int = 5,
) -> SimilarHubs:
    """The hubs of `index` closest to the draft over its own links and the suggestions it was offered (these
    marked), with the draft's time frame and country; or why none (no link to compare by, or none shared)."""
    suggested = suggested_concepts(suggestions, links)
    concepts = links.concepts() | suggested
    if not concepts:
        return SimilarHubs(empty=NO_LINKS)
    found = rank_draft(index, concepts, suggested, start, end, country, countries, exclude, limit)
    return SimilarHubs(tuple(found), None if found else NO_HUB_SHARES, frozenset(suggested))


# --- `l4a propose`: suggestions noted for a proposal that names no target ------------------------------------------

TEXT_PREDICATES = (DCTERMS + "title", DCTERMS + "description", L4A + "theme")


@dataclass(frozen=True)
class ProposalNote:
    """What the report notes for one stored proposal: its suggestions when it names no SDG target, else nothing."""

    stored: Stored
    suggestions: DraftSuggestions | None

    def as_dict(self) -> dict[str, object]:
        found = self.stored.as_dict()
        if self.suggestions is not None:
            found["suggestions"] = {
                "note": "suggestions from the proposal's own text, not part of the proposal: add the ones that fit",
                **self.suggestions.as_json(),
            }
        return found


def names_a_target(submission: Submission) -> bool:
    """Whether the proposal names an SDG target (one that resolves, or one that does not: either way, its own)."""
    mapped = submission.mapped
    stated = any(t.predicate.value == L4A + "addressesTarget" for t in mapped.triples)
    return stated or any(u.kind == "target" for u in mapped.unresolved)


def links_of(submission: Submission) -> DraftLinks:
    """The links a proposal states (goals, manifestos, councils), so that its suggestions leave them out."""
    hub = ox.NamedNode(submission.mapped.hub)
    values: dict[str, list[str]] = {}
    for t in submission.mapped.triples:
        if t.subject == hub and isinstance(t.object, ox.NamedNode):
            values.setdefault(t.predicate.value, []).append(t.object.value)
    goals = [v.removeprefix(SDG) for v in values.get(L4A + "addressesGoal", [])]
    return DraftLinks(
        goals=tuple(int(g) for g in goals if g.isdigit()),
        manifestos=tuple(values.get(L4A + "addressesManifesto", [])),
        councils=tuple(values.get(L4A + "relevantCouncil", [])),
    )


def text_of(submission: Submission) -> tuple[str, str]:
    """A proposal's own name, description and theme (from its RDF, whatever format it came in) and the language
    they are tagged with, when they are."""
    hub = ox.NamedNode(submission.mapped.hub)
    parts: list[str] = []
    tags: list[str] = []
    for predicate in TEXT_PREDICATES:
        for t in submission.mapped.triples:
            if t.subject == hub and t.predicate.value == predicate and isinstance(t.object, ox.Literal):
                parts.append(t.object.value)
                if t.object.language:
                    tags.append(t.object.language)
    return draft_text(*parts), (tags[0] if tags else "en")


def note_for(
    submission: Submission, suggester: Suggester | None = None, base: str = DEFAULT_BASE
) -> DraftSuggestions | None:
    """The suggestions to note for a proposal that names no SDG target (None for one that names some)."""
    if names_a_target(submission):
        return None
    text, lang = text_of(submission)
    return suggest_for_draft(text, links_of(submission), lang, suggester, base)


def submit_noting_suggestions(
    store: Store, paths: Sequence[Path], base: str, who: str | None = None, lang: str = "en", kind: str | None = None
) -> list[ProposalNote]:
    """`l4a propose`: the pipeline's `submit` (read every file, gate, store), each stored proposal with the
    suggestions noted for it when it names no target. The suggestions are only reported, never stored."""
    submissions = read_submissions(paths, base, kind=kind)
    gate(submissions, store, base, lang)
    stored = store_submissions(store, submissions, base, who)
    return [ProposalNote(s, note_for(sub, base=base)) for s, sub in zip(stored, submissions, strict=True)]


def accepted_from(suggestions: DraftSuggestions, ticked: Iterable[tuple[str, str, str]]) -> list[AcceptedSuggestion]:
    """The applicant's ticked suggestions (kind, key, value IRI) as accepted suggestions, each with the method's
    score and words for the text sent when the method still suggests it (else none: ticked on an earlier text)."""
    found = []
    for kind, key, iri in ticked:
        choice = suggestions.find(kind, key)
        score, why = (choice.score, choice.why) if choice else (None, "")
        found.append(AcceptedSuggestion(kind, key, iri, METHOD, VERSION, score, why))
    return found
