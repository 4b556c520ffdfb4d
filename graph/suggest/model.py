"""The suggester: goal decisions from TF-IDF similarity to the UN texts plus keyword evidence (and, for English, the
similarity of static word embeddings to the UN targets), then targets, manifestos and councils; built once per
process from the packaged reference data."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import embedding
from .embedding import Embedder, load_embedder
from .index import StemIndex, build_index
from .keywords import KeywordIndex, joined, load_keywords, matches
from .language import LANGUAGES, content_stems, detect_language, stem, words
from .reference import Reference, load_reference

METHOD = "l4a-lexical"
# 3: English texts also compared with the UN targets by static word embeddings (the word vectors of the `wordllama`
# package), with their own calibration; French and Spanish as in 2. 2: the breadth feature and the calibration on goal
# checks (2026-12-07). Without the embedding's files the method is 2, and says so.
VERSION = "3" if embedding.available() else "2"
# No "share of the keywords found" feature: it made one word used in passing ("the investment climate") look like
# the text's main topic whenever no other goal had a keyword. "breadth" counts the text's distinct words that belong
# to the goal more than to most others: a text about a goal uses several ("forest", "hectares", "species"), a text
# that uses one of its words in another sense ("a random forest classifier") only that one.
FEATURES = ("goal_cosine", "goal_cosine_share", "target_cosine", "keywords", "breadth")
# A stem belongs to a goal when that goal's document holds at least this share of the stem's weight over all 17.
SPECIFIC_SHARE = 0.3
# English only (the word vectors are trained on English): the cosine of the text's embedding with the goal's closest
# target (its text and indicators), and that cosine minus the best goal's. French and Spanish texts keep FEATURES.
EMBEDDING_FEATURES = ("embedding_target_cosine", "embedding_target_margin")
ENGLISH_FEATURES = FEATURES + EMBEDDING_FEATURES
EMBEDDING_LANG = "en"


@dataclass(frozen=True)
class Logistic:
    """Weights over a feature list, bias and goal threshold."""

    weights: tuple[float, ...]
    bias: float
    goal_threshold: float


@dataclass(frozen=True)
class Calibration:
    """The logistic weights over FEATURES, the goal threshold and the target rules (calibration.json)."""

    weights: tuple[float, ...]
    bias: float
    goal_threshold: float
    target_floor: float
    target_margin: float
    concept_threshold: float
    # English texts with the embedding (over ENGLISH_FEATURES); None: every text on the weights above (FEATURES)
    english: Logistic | None = None

    @classmethod
    def packaged(cls) -> Calibration:
        data = json.loads((files("l4a.graph.suggest") / "calibration.json").read_text(encoding="utf-8"))
        english = data.get("english_embedding")
        return cls(
            tuple(float(w) for w in data["weights"]),
            float(data["bias"]),
            float(data["goal_threshold"]),
            float(data["target_floor"]),
            float(data["target_margin"]),
            float(data["concept_threshold"]),
            Logistic(
                tuple(float(w) for w in english["weights"]), float(english["bias"]), float(english["goal_threshold"])
            )
            if english
            else None,
        )


@dataclass(frozen=True)
class GoalScore:
    """A goal the text addresses, its calibrated score and the goal's keywords found in the text."""

    goal: int
    score: float
    why: str = ""


@dataclass(frozen=True)
class TargetScore:
    target: str
    score: float
    why: str


@dataclass(frozen=True)
class ConceptScore:
    """A suggested manifesto or council: its slug, IRI, score and the keywords that matched."""

    key: str
    iri: str
    score: float
    why: str


@dataclass(frozen=True)
class Suggestions:
    """What the suggester found in one text, best first; `unclear` lists goals with no target standing out."""

    lang: str
    goals: list[GoalScore]
    targets: list[TargetScore]
    unclear: list[int]
    manifestos: list[ConceptScore]
    councils: list[ConceptScore]

    def as_json(self) -> dict[str, Any]:
        """The JSON form the CLI and the web print."""
        return {
            "lang": self.lang,
            "goals": [{"goal": g.goal, "score": g.score, "why": g.why} for g in self.goals],
            "targets": [{"target": t.target, "score": t.score, "why": t.why} for t in self.targets]
            + [{"target": None, "goal": g, "why": f"goal {g}, target unclear"} for g in self.unclear],
            "manifestos": [{"manifesto": m.key, "score": m.score, "why": m.why} for m in self.manifestos],
            "councils": [{"council": c.key, "score": c.score, "why": c.why} for c in self.councils],
        }


@dataclass
class GoalEvidence:
    """Per-goal features of one text, and what the targets and keywords matched."""

    lang: str
    features: NDArray[np.float64]  # 17 x len(FEATURES), or len(ENGLISH_FEATURES) for English with the embedding
    target_cosines: NDArray[np.float32]  # one per target, in Suggester.target_keys order
    stems: set[str] = field(default_factory=set)
    text_joined: str = ""


class Suggester:
    """Holds the index and the calibration; `suggest` is pure and thread-safe."""

    def __init__(
        self,
        reference: Reference | None = None,
        keywords: KeywordIndex | None = None,
        calibration: Calibration | None = None,
        exclude: Collection[str] = (),
        embedder: Embedder | bool | None = True,
    ) -> None:
        """`exclude` leaves "targets", "indicators" or "keywords" out of the goal documents (held-out evaluation);
        `embedder`: True for the installed word vectors if any, False or None for the lexical method alone."""
        self.reference = reference or load_reference()
        self.keywords = keywords or load_keywords()
        self.calibration = calibration or Calibration.packaged()
        ref = self.reference
        self.goal_keys = sorted(ref.goals)
        self.target_keys = sorted(ref.targets, key=_target_order)
        self.target_goal_row = np.array([self.goal_keys.index(ref.target_goal[t]) for t in self.target_keys])
        self.goal_target_rows = [np.flatnonzero(self.target_goal_row == i) for i in range(len(self.goal_keys))]
        documents: dict[str, dict[str, list[str]]] = {"goal": {}, "target": {}}
        for lang in LANGUAGES:
            goal_docs = []
            for goal in self.goal_keys:
                parts = list(ref.goals[goal].texts[lang])
                for target in self.target_keys:
                    if ref.target_goal[target] != goal:
                        continue
                    if "targets" not in exclude:
                        parts += ref.targets[target].texts[lang]
                    if "indicators" not in exclude:
                        parts += ref.indicators.get(target, {}).get(lang, [])
                if "keywords" not in exclude:
                    parts += [k.text for k in self.keywords["goal"][str(goal)][lang]]
                goal_docs.append(" ".join(parts))
            documents["goal"][lang] = goal_docs
            documents["target"][lang] = [
                " ".join(
                    ([] if "targets" in exclude else ref.targets[t].texts[lang])
                    + ([] if "indicators" in exclude else ref.indicators.get(t, {}).get(lang, []))
                )
                for t in self.target_keys
            ]
        self.index: StemIndex = build_index(documents)
        self.specific = {lang: _specific(self.index.rows[f"goal:{lang}"]) for lang in LANGUAGES}
        self.embedder = load_embedder() if embedder is True else (embedder or None)
        if self.embedder is not None:
            # the UN texts only (no keywords), centred on their mean: raw mean vectors share a common direction
            goal_docs = [
                " ".join(
                    list(ref.goals[goal].texts[EMBEDDING_LANG])
                    + [
                        text
                        for target in self.target_keys
                        if ref.target_goal[target] == goal
                        for text in ([] if "targets" in exclude else ref.targets[target].texts[EMBEDDING_LANG])
                        + ([] if "indicators" in exclude else ref.indicators.get(target, {}).get(EMBEDDING_LANG, []))
                    ]
                )
                for goal in self.goal_keys
            ]
            target_docs = documents["target"][EMBEDDING_LANG]
            units = self.embedder.unit_vectors(goal_docs + target_docs)
            self.embedding_center = units.mean(axis=0).astype(np.float32)
            self.target_vectors = self.embedder.vectors(target_docs, self.embedding_center)

    def calibrated(self, lang: str) -> Logistic:
        """The weights a text of this language is scored with: the English ones with the embedding, else the
        lexical ones."""
        cal = self.calibration
        if lang == EMBEDDING_LANG and self.embedder is not None and cal.english is not None:
            return cal.english
        return Logistic(cal.weights, cal.bias, cal.goal_threshold)

    # --- goals ------------------------------------------------------------------------------------------------

    def evidence(self, text: str, lang: str = "auto") -> GoalEvidence:
        """The per-goal features of a text."""
        if lang == "auto":
            lang = detect_language(text)
        stems = content_stems(text)
        vec = self.index.vector(stems)
        goal_cos = self.index.cosines(f"goal:{lang}", vec)
        target_cos = self.index.cosines(f"target:{lang}", vec)
        best_target = np.array(
            [float(target_cos[rows].max()) for rows in self.goal_target_rows], dtype=np.float32
        )
        text_joined = joined(text)
        # a phrase ("drinking water") says more than a single word ("water"), which a text may use in passing
        hits = np.array(
            [
                sum(min(2, k.count(" ") + 1) for k in matches(text_joined, self.keywords["goal"][str(g)][lang]))
                for g in self.goal_keys
            ],
            dtype=np.float64,
        )
        top_cos = float(goal_cos.max()) or 1.0
        breadth = self.specific[lang][:, vec[0]].sum(axis=1)
        columns = [goal_cos, goal_cos / top_cos, best_target, np.log1p(hits), np.log1p(breadth)]
        if lang == EMBEDDING_LANG and self.embedder is not None and self.calibration.english is not None:
            vector = self.embedder.vectors([text], self.embedding_center)[0]
            cosines = self.target_vectors @ vector
            closest = np.array([float(cosines[rows].max()) for rows in self.goal_target_rows])
            columns += [closest, closest - closest.max()]
        features = np.column_stack(columns).astype(np.float64)
        return GoalEvidence(lang, features, target_cos, set(stems), text_joined)

    def goal_probabilities(self, evidence: GoalEvidence) -> NDArray[np.float64]:
        """The calibrated probability that the text addresses each goal."""
        cal = self.calibrated(evidence.lang)
        z: NDArray[np.float64] = evidence.features @ np.array(cal.weights) + cal.bias
        probs: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-z))
        return probs

    def goal_threshold(self, evidence: GoalEvidence) -> float:
        """The calibrated score a goal needs to be suggested for this text (its language's calibration)."""
        return self.calibrated(evidence.lang).goal_threshold

    # --- everything ---------------------------------------------------------------------------------------------

    def suggest(self, text: str, lang: str = "auto", limit: int | None = None) -> Suggestions:
        """Goals the text addresses (none for a text about nothing in the SDGs), their targets, manifestos, councils."""
        evidence = self.evidence(text, lang)
        probs = self.goal_probabilities(evidence)
        threshold = self.goal_threshold(evidence)
        chosen = [i for i in np.argsort(-probs) if probs[i] >= threshold]
        goals = [
            GoalScore(
                self.goal_keys[i],
                round(float(probs[i]), 3),
                ", ".join(matches(evidence.text_joined, self.keywords["goal"][str(self.goal_keys[i])][evidence.lang])),
            )
            for i in chosen
        ]
        targets: list[TargetScore] = []
        unclear: list[int] = []
        for i in chosen:
            picked = self._targets_of(evidence, i)
            if picked:
                targets += picked
            else:
                unclear.append(self.goal_keys[i])
        targets.sort(key=lambda t: -t.score)
        manifestos = self._concepts(evidence, "manifesto")
        councils = self._concepts(evidence, "council")
        if limit is not None:
            goals, targets, manifestos, councils = goals[:limit], targets[:limit], manifestos[:limit], councils[:limit]
        return Suggestions(evidence.lang, goals, targets, unclear, manifestos, councils)

    def _targets_of(self, evidence: GoalEvidence, goal_row: int) -> list[TargetScore]:
        """The targets of a goal that stand out: above the floor and clearly ahead of the goal's other targets."""
        cal = self.calibration
        rows = np.flatnonzero(self.target_goal_row == goal_row)
        cos = evidence.target_cosines[rows]
        order = np.argsort(-cos)
        best = float(cos[order[0]])
        second = float(cos[order[1]]) if len(order) > 1 else 0.0
        if best < cal.target_floor or best < second * cal.target_margin:
            # several targets match about as well, or none well: the goal is clear, its target is not
            if best < cal.target_floor or second < cal.target_floor:
                return []
            picked = [int(j) for j in order[:2]]
        else:
            picked = [int(order[0])]
        out = []
        for j in picked:
            key = self.target_keys[rows[j]]
            out.append(TargetScore(key, round(float(cos[j]), 3), self._why(evidence, key)))
        return out

    def _why(self, evidence: GoalEvidence, target: str) -> str:
        """The target's words (its text, then its indicators', in the text's language) whose stems the text shares."""
        seen: list[str] = []
        own = self.reference.targets[target].texts[evidence.lang]
        for text in own + self.reference.indicators.get(target, {}).get(evidence.lang, []):
            for word in _display_words(text):
                folded = words(word)
                if folded and len(folded[0]) > 2 and stem(folded[0]) in evidence.stems and word not in seen:
                    seen.append(word)
        return ", ".join(seen)

    def _concepts(self, evidence: GoalEvidence, kind: str) -> list[ConceptScore]:
        """Manifestos or councils whose keywords the text uses; each distinct keyword adds evidence."""
        concepts = self.reference.manifestos if kind == "manifesto" else self.reference.councils
        out = []
        for key, concept in concepts.items():
            found = matches(evidence.text_joined, self.keywords[kind].get(key, {}).get(evidence.lang, ()))
            score = 1.0 - math.exp(-0.6 * len(found))
            if score >= self.calibration.concept_threshold:
                out.append(ConceptScore(key, concept.iri, round(score, 3), ", ".join(found)))
        out.sort(key=lambda c: (-c.score, c.key))
        return out


def _specific(goal_rows: NDArray[np.float32]) -> NDArray[np.bool_]:
    """Goals x stems: whether the goal's document holds at least SPECIFIC_SHARE of the stem's weight."""
    total = goal_rows.sum(axis=0)
    total[total == 0] = 1.0
    specific: NDArray[np.bool_] = (goal_rows / total) >= SPECIFIC_SHARE
    return specific


def _display_words(text: str) -> list[str]:
    return [w.strip(".,;:()[]«»\"'\u2019") for w in text.split()]


def _target_order(key: str) -> tuple[int, int, str]:
    goal, _, rest = key.partition(".")
    return (int(goal), int(rest) if rest.isdigit() else 1000, rest)


_LOCK = threading.Lock()
_SUGGESTER: Suggester | None = None


def get_suggester() -> Suggester:
    """The process's one suggester, built on first use (about 0.3 s, 0.6 s with the word vectors)."""
    global _SUGGESTER
    with _LOCK:
        if _SUGGESTER is None:
            _SUGGESTER = Suggester()
        return _SUGGESTER
