"""Who runs this: the project is about UCLG's programme and does not speak for UCLG; the programme's rules are told
apart from the project's own, and the project's own rules do not hold a proposal back (they are Warnings).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from l4a.graph.build import build
from l4a.graph.namespaces import DEFAULT_BASE
from l4a.graph.proposals.pipeline import submit
from l4a.graph.store.embedded import EmbeddedStore

from .webapp import web_app

ROOT = Path(__file__).parents[1]
EXAMPLE = next((ROOT / "docs" / "examples").glob("proposal-*.en.yaml"))
# Claims that UCLG runs the project or a deployment, in the three languages.
UCLG_RUNS_IT = re.compile(
    r"UCLG staff|UCLG's Local4Action team|UCLG secretariat|personnel de (la )?CGLU|personal de (la )?CGLU"
    r"|only UCLG|production site|within a week",
    re.IGNORECASE,
)


def test_security_policy_makes_no_claim_that_uclg_runs_the_project() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert not UCLG_RUNS_IT.search(text)
    assert "does not speak for UCLG" in text and "operators" in text
    report = " ".join(text.split("## Reporting a problem", 1)[1].split())
    assert "private vulnerability reporting" in report and "no reply time is promised" in report


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_ui_messages_speak_of_the_deployment_staff_not_uclg_staff(lang: str) -> None:
    """Every UI text, in English (the msgids) and translated, from the gettext catalogue the whole UI goes through."""
    path = ROOT / "web" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    texts = []
    for message in catalog:
        for part in (message.id, message.string):
            texts += [part] if isinstance(part, str) else [t for t in part if t]
    assert len(texts) > 500  # the whole UI, not an empty file
    assert [text for text in texts if UCLG_RUNS_IT.search(text)] == []
    assert [text for text in texts if "Take an active part" in text or "Participez activement" in text
            or "Participe activamente" in text] == []  # fmt: skip


def test_proposal_docs_do_not_act_as_uclg() -> None:
    text = (ROOT / "docs" / "proposals.md").read_text(encoding="utf-8")
    assert not UCLG_RUNS_IT.search(text) and "Take an active part" not in text
    assert "does not speak for UCLG" in text


def test_docs_say_which_rules_are_the_programmes_and_which_the_projects() -> None:
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    whose = text.split("## Whose rules", 1)[1].split("\n## ", 1)[0]
    programme, project = whose.split("**This project's own**", 1)
    for rule in ("hub-locally-driven", "hub-has-start-date", "hub-has-deliverable", "hub-has-communication-plan"):
        assert rule in programme
    for rule in ("hub-has-policy-council", "hub-topic", "hub-goal-only", "indicator-"):
        assert rule in project and rule not in programme


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore.open(tmp_path / "store")
    build(opened)
    yield opened
    opened.close()


def _without(tmp_path: Path, name: str, pattern: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    cut, count = re.subn(pattern, "", text, flags=re.MULTILINE)
    assert count == 1, pattern
    path = tmp_path / name
    path.write_text(cut, encoding="utf-8")
    return path


def test_a_proposal_missing_only_the_projects_own_rules_is_submitted_with_warnings(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    path = _without(tmp_path, "no-council.yaml", r"^policy_councils: .*\n")
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^sdg_targets: .*\nmanifestos: .*\n", "sdg_goals: [11]\n", text, flags=re.M), "utf-8")
    [stored] = submit(store, [path], DEFAULT_BASE)
    assert stored.status == "submitted" and stored.report.conforms
    warned = {r.shape.rsplit("#", 1)[1]: r for r in stored.report.results if r.severity == "Warning"}
    assert {"proposed-hub-has-policy-council", "proposed-hub-topic", "proposed-hub-goal-only"} <= set(warned)
    # The proposal's own message: the applicant is the source, so "has no" / "is not linked" stay here.
    assert "not linked to any UCLG Policy Council" in warned["proposed-hub-has-policy-council"].message
    assert "hub-has-policy-council" not in warned  # the published twin is collapsed into the proposal's


def test_a_proposal_missing_a_programme_must_needs_changes(store: EmbeddedStore, tmp_path: Path) -> None:
    path = _without(tmp_path, "no-end.yaml", r"^end_date: .*\n")
    [stored] = submit(store, [path], DEFAULT_BASE)
    assert stored.status == "needs-changes"
    assert {r.shape.rsplit("#", 1)[1] for r in stored.report.results if r.severity == "Violation"} == {
        "proposed-hub-has-end-date"
    }


def test_the_form_says_whose_rules_and_is_not_uclgs_call(tmp_path: Path) -> None:
    with web_app(tmp_path / "data") as app:
        for lang in ("en", "fr", "es"):
            page = app.test_client().get(f"/propose?lang={lang}").get_data(as_text=True)
            assert 'id="whose-rules"' in page and 'class="programme-rules"' in page and 'class="project-rules"' in page
            assert "Take an active part" not in page and "Participez activement" not in page
        page = app.test_client().get("/propose?lang=en").get_data(as_text=True)
        assert "not UCLG&#39;s label" in page or "not UCLG's label" in page
        project = page.split('class="project-rules"', 1)[1].split("</ul>", 1)[0]
        assert "Policy Council" in project and "SDG target" in project
