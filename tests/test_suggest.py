"""The suggester: goals only when a text addresses them (none for unrelated texts), targets that stand out with the
target's own words as the reason (or "goal N, target unclear"), en/fr/es, one model per process, JSONL in order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from l4a.graph.cli.main import main
from l4a.graph.suggest import embedding
from l4a.graph.suggest.language import content_stems, detect_language, words
from l4a.graph.suggest.model import ENGLISH_FEATURES, FEATURES, VERSION, Calibration, Suggester, get_suggester

# Texts written for these tests (not in the calibration set tests/data/suggest/), with the goal each addresses.
ADDRESSED = [
    ("en", 6, "The water board repairs leaking pipes and builds a treatment plant so that every household has safe "
              "drinking water."),
    ("en", 13, "The municipality will reduce greenhouse gas emissions by 55 per cent with a climate action plan."),
    ("en", 4, "The district organises adult literacy classes and vocational courses for young people who left "
              "school early."),
    ("fr", 15, "La ville plante des arbres et protège les zones humides pour la biodiversité et les espèces menacées."),
    ("fr", 1, "Nous luttons contre la pauvreté avec une aide sociale pour les ménages les plus modestes."),
    ("fr", 11, "Le département finance des bus électriques et un réseau de pistes cyclables pour réduire les "
               "embouteillages."),
    ("es", 8, "La alcaldía lanza un programa de empleo juvenil con prácticas en empresas locales y ayudas a "
              "emprendedores."),
    ("es", 3, "Reforzamos la atención primaria de salud y la vacunación infantil en los barrios periféricos."),
    ("es", 5, "El municipio aprueba un plan contra la violencia de género y por la igualdad entre mujeres y hombres."),
]  # fmt: skip
UNRELATED = [
    ("en", "The municipal band will play in the park on Sunday afternoon, as every year."),
    ("en", "Meeting minutes were approved unanimously; the next meeting is on Tuesday at ten."),
    ("fr", "Le stationnement sera gratuit le dimanche dans le centre, sauf pendant la fête foraine."),
    ("es", "El ayuntamiento renovó el mobiliario de su oficina de atención al público."),
]


@pytest.fixture(scope="module")
def suggester() -> Suggester:
    return get_suggester()


@pytest.mark.parametrize(("lang", "goal", "text"), ADDRESSED)
def test_a_text_about_a_goal_gets_it_in_its_language(suggester: Suggester, lang: str, goal: int, text: str) -> None:
    result = suggester.suggest(text)
    assert result.lang == lang
    assert goal in [g.goal for g in result.goals]
    assert result.goals == sorted(result.goals, key=lambda g: -g.score)
    assert len(result.goals) <= 3, "a one-topic text gets a few goals, not a top-k of all"


@pytest.mark.parametrize(("lang", "text"), UNRELATED)
def test_a_text_about_no_sdg_gets_no_goal(suggester: Suggester, lang: str, text: str) -> None:
    result = suggester.suggest(text)
    assert result.lang == lang
    assert result.goals == [] and result.targets == [] and result.unclear == []


def test_empty_text_gets_nothing(suggester: Suggester) -> None:
    result = suggester.suggest("   ")
    assert result.goals == [] and result.targets == [] and result.manifestos == [] and result.councils == []


@pytest.mark.parametrize(("lang", "goal", "text"), ADDRESSED)
def test_each_goal_has_a_target_that_stands_out_or_says_unclear(
    suggester: Suggester, lang: str, goal: int, text: str
) -> None:
    result = suggester.suggest(text)
    floor = suggester.calibration.target_floor
    for g in result.goals:
        targets = [t for t in result.targets if t.target.split(".")[0] == str(g.goal)]
        assert bool(targets) != (g.goal in result.unclear)
        assert all(t.score >= floor for t in targets), "never a weak target"
    shown = result.as_json()["targets"]
    for g in result.unclear:
        assert {"target": None, "goal": g, "why": f"goal {g}, target unclear"} in shown


@pytest.mark.parametrize(("lang", "goal", "text"), ADDRESSED)
def test_why_is_words_of_the_target_found_in_the_text(suggester: Suggester, lang: str, goal: int, text: str) -> None:
    result = suggester.suggest(text)
    stems = set(content_stems(text))
    for target in result.targets:
        own = suggester.reference.targets[target.target].texts[lang] + suggester.reference.indicators.get(
            target.target, {}
        ).get(lang, [])
        target_words = {w for t in own for w in words(t)}
        for word in target.why.split(", "):
            folded = words(word)
            assert folded and folded[0] in target_words
            assert any(stem in stems for stem in content_stems(word))


def test_french_and_spanish_texts_get_reasons_in_their_own_language(suggester: Suggester) -> None:
    fr = suggester.suggest("Protéger les espèces menacées et la biodiversité des zones humides.")
    es = suggester.suggest("Garantizar el acceso al agua potable segura y asequible para todos los hogares.")
    assert fr.lang == "fr" and fr.targets and "espèces" in fr.targets[0].why
    assert es.lang == "es" and es.targets and "agua" in es.targets[0].why


def test_a_given_language_overrides_detection(suggester: Suggester) -> None:
    assert suggester.suggest("pauvreté", "fr").lang == "fr"
    assert detect_language("La ciudad y los barrios de la región") == "es"
    assert detect_language("La ville et les quartiers de la région") == "fr"


def test_manifestos_and_councils_come_with_scores_and_matched_keywords(suggester: Suggester) -> None:
    result = suggester.suggest(
        "A disaster risk reduction network: early warning, flood preparedness and resilience plans under the Sendai "
        "Framework."
    )
    assert result.manifestos[0].key == "resilience"
    assert "sendai" in result.manifestos[0].why
    assert "resilient-regenerative-territories" in [c.key for c in result.councils]
    assert all(0 < c.score <= 1 for c in result.manifestos + result.councils)


# A goal's word in another sense, and a text about that goal (written for this test, not calibration texts)
OTHER_SENSE = [
    (15, "A random forest classifier outperformed logistic regression in predicting which patients would be "
         "readmitted to hospital within thirty days.",
         "Illegal logging and clearing for cattle pasture removed 2,000 hectares of primary forest last year, and "
         "surveys found fewer nesting sites for endangered birds and primates."),
    (7, "The detector measured the energy of each decay product with a resolution of one percent, which allowed "
        "the team to separate the two resonances.",
        "Rooftop solar panels and a battery bank now supply electricity to the clinic and forty households that the "
        "grid never reached, replacing diesel generators."),
]  # fmt: skip


@pytest.mark.parametrize(("goal", "other_sense", "on_topic"), OTHER_SENSE)
def test_a_goal_word_in_another_sense_is_narrower_evidence_than_a_text_about_the_goal(
    suggester: Suggester, goal: int, other_sense: str, on_topic: str
) -> None:
    """The breadth feature: a text about a goal uses several of its own words, another sense only the one."""
    column = FEATURES.index("breadth")
    narrow = suggester.evidence(other_sense, "en").features[goal - 1, column]
    broad = suggester.evidence(on_topic, "en").features[goal - 1, column]
    assert 0 < narrow < broad
    assert goal in [g.goal for g in suggester.suggest(on_topic).goals]


def test_the_packaged_calibration_weighs_every_feature() -> None:
    """calibration.json is written by bench/calibrate_suggest.py --write: one weight per feature, none left out."""
    calibration = Calibration.packaged()
    assert len(calibration.weights) == len(FEATURES)
    assert all(w != 0 for w in calibration.weights)
    assert 0 < calibration.goal_threshold < 1


def test_the_packaged_calibration_has_english_weights_for_the_word_vectors() -> None:
    english = Calibration.packaged().english
    assert english is not None and len(english.weights) == len(ENGLISH_FEATURES)
    assert all(w != 0 for w in english.weights) and 0 < english.goal_threshold < 1


def test_english_texts_use_the_word_vectors_french_and_spanish_do_not(suggester: Suggester) -> None:
    assert embedding.available(), "wordllama is a dependency of the project: its files must be installed"
    assert VERSION == "3" and suggester.embedder is not None
    assert suggester.evidence(ADDRESSED[0][2], "en").features.shape == (17, len(ENGLISH_FEATURES))
    assert suggester.evidence(ADDRESSED[3][2], "fr").features.shape == (17, len(FEATURES))
    assert suggester.evidence(ADDRESSED[6][2], "es").features.shape == (17, len(FEATURES))
    column = ENGLISH_FEATURES.index("embedding_target_cosine")
    water = suggester.evidence(ADDRESSED[0][2], "en").features[:, column]
    assert int(water.argmax()) + 1 == 6, "safe drinking water is closest to a target of goal 6"


def test_without_the_word_vectors_the_method_is_the_lexical_one() -> None:
    """The fallback when the package is missing: every text on the lexical features and calibration."""
    lexical = Suggester(embedder=False)
    assert lexical.embedder is None
    for lang, goal, text in ADDRESSED:
        assert lexical.evidence(text, lang).features.shape == (17, len(FEATURES))
        assert goal in [g.goal for g in lexical.suggest(text).goals]
    for _, text in UNRELATED:
        assert lexical.suggest(text).goals == []


def test_the_word_vectors_are_read_without_importing_wordllama_or_a_model_hub() -> None:
    """wordllama's own loader looks in a user cache and downloads what it lacks; the files are read directly."""
    code = (
        "import sys\n"
        "from l4a.graph.suggest.embedding import load_embedder\n"
        "e = load_embedder()\n"
        "print(e is not None, sorted({m.split('.')[0] for m in sys.modules} & {'wordllama', 'huggingface_hub', "
        "'requests', 'hf_xet'}))\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split(" ", 1)[1].strip() == "[]"
    assert done.stdout.startswith(str(embedding.available()))


def test_the_model_is_built_once_per_process() -> None:
    assert get_suggester() is get_suggester()


def test_held_out_un_targets_find_their_goal_in_each_language() -> None:
    """Targets left out of the goal documents are still matched to their own goal first, most of the time."""
    held_out = Suggester(exclude={"targets"})
    for lang in ("en", "fr", "es"):
        hits = total = 0
        for key, goal in held_out.reference.target_goal.items():
            for text in held_out.reference.targets[key].texts[lang]:
                probs = held_out.goal_probabilities(held_out.evidence(text, lang))
                hits += int(probs.argmax()) + 1 == goal
                total += 1
        assert hits / total >= 0.6, (lang, hits, total)


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_jsonl_gives_one_line_per_input_line_in_order_with_ids(tmp_path: Path) -> None:
    texts = [{"id": i, "text": text} for i, (_, _, text) in enumerate(ADDRESSED)] + [{"id": "none", "text": "x"}]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(t, ensure_ascii=False) for t in texts) + "\n", encoding="utf-8")
    code, out, _ = run("suggest", "--input", str(path))
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == [t["id"] for t in texts]
    for (_, goal, _), line in zip(ADDRESSED, lines, strict=False):
        assert goal in [g["goal"] for g in line["goals"]]
    assert lines[-1]["goals"] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": 1, "text": "water"}\nnot json\n', "line 2, column 1: not JSON"),
        ('{"id": 1, "text": 3}\n', 'line 1: field "text" is missing or not a string'),
        ('["a"]\n', "line 1: expected a JSON object"),
        ('{"id": 1, "text": "a", "lang": "de"}\n', "line 1: field \"lang\" is 'de'"),
    ],
)
def test_unreadable_jsonl_exits_2_naming_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    code, out, err = run("suggest", "--input", str(path))
    assert code == 2 and out == ""
    assert f"{path}, {message}" in err


def test_missing_or_non_utf8_input_exits_2(tmp_path: Path) -> None:
    code, _, err = run("suggest", "--input", str(tmp_path / "absent.jsonl"))
    assert code == 2 and "cannot read the file" in err
    path = tmp_path / "latin1.jsonl"
    path.write_bytes('{"id": 1, "text": "pauvreté"}'.encode("latin-1"))
    code, _, err = run("suggest", "--input", str(path))
    assert code == 2 and "not UTF-8" in err


def test_text_from_argument_and_standard_input() -> None:
    code, out, _ = run("suggest", "Safe drinking water and sanitation for all households")
    assert code == 0 and json.loads(out)["goals"][0]["goal"] == 6
    code, out, _ = run("suggest", "-", "--format", "table", stdin="Agua potable y saneamiento para todos los hogares")
    assert code == 0 and "language:   es" in out and "goals:      6" in out
    code, out, _ = run("suggest", "--input", "-", stdin='{"id": "a", "text": "Water for all"}\n')
    assert code == 0 and json.loads(out)["id"] == "a"


def test_suggest_needs_exactly_one_source() -> None:
    assert run("suggest")[0] == 2
    assert run("suggest", "text", "--hub", "x")[0] == 2
    assert run("suggest", "text", "--store")[0] == 2
