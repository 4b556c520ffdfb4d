"""The command line's French reports follow French typography (a no-break space before : ; ! ?) and are French:
the report's own words come from the same gettext catalogues as the web pages, with their plural forms."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from .test_catalogues import french_typography_problems

ROOT = Path(__file__).parents[1]
DEMO_HUB = "demo-exampleton-green-corridors"
DEMO_COUNCIL = "demo-exampleton-council"


@pytest.fixture
def french(cli: Callable[..., Result]) -> Callable[..., str]:
    """Runs `l4a ... --lang fr` on a store built with the fictional demo (which has monitoring figures)."""
    assert cli("build", "--with-examples").exit_code == 0

    def run(*args: str, codes: tuple[int, ...] = (0,)) -> str:
        result = cli(*args, "--lang", "fr")
        assert result.exit_code in codes, result.output
        return result.stdout

    return run


def test_french_reports_put_a_no_break_space_before_colons_and_the_like(french: Callable[..., str]) -> None:
    reports = {
        "validate": french("validate", codes=(0, 1)),  # the whole store: every kind of finding
        "propose": french("propose", str(ROOT / "docs" / "examples" / "proposal-exampleton.fr.yaml"), codes=(0, 1)),
        "monitor status": french("monitor", "status", "--hub", DEMO_HUB, "--today", "2027-01-31"),
        "monitor links": french("monitor", "links", "--cutoff", "2025-01-01"),
        "brief": french("brief", "--council", DEMO_COUNCIL, "--format", "md"),
    }
    for name, text in reports.items():
        problems = french_typography_problems(text.replace("\t", " "))
        assert not problems, f"l4a {name} --lang fr: {problems[:5]}"
    assert "Avertissement\u00a0: " in reports["validate"] and "Avertissement:" not in reports["validate"]
    assert "moteur\u00a0: compiler" in reports["validate"]
    assert "avertissements," in reports["validate"]  # "76 avertissements": a plural form, not "76 avertissement"
    assert "(révision 1, " in reports["propose"] and reports["propose"].endswith("\u00a0: soumise\n")
    assert "avancement\u00a0" not in reports["monitor status"] and "\u00a0: avancement" in reports["monitor status"]
    assert reports["brief"].startswith("# Note pour le Conseil politique\u00a0: ")
    assert "Lacunes" in reports["brief"] and "Gaps" not in reports["brief"]


def test_spanish_and_english_put_no_space_before_a_colon(cli: Callable[..., Result]) -> None:
    assert cli("build").exit_code == 0
    for lang, warning in (("es", "Advertencia: "), ("en", "Warning: ")):
        text = cli("validate", "--lang", lang).stdout
        assert warning in text and "\u00a0:" not in text
