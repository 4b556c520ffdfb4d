"""A non-editable install of the wheel in a brand-new virtual environment works from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_builds_and_counts(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)], cwd=tmp_path)
    wheel = next(dist.glob("l4a-*.whl"))
    names = subprocess.run([sys.executable, "-m", "zipfile", "-l", str(wheel)], capture_output=True, text=True).stdout
    assert "l4a/ontology/l4a.ttl" in names and "l4a/queries/stats.rq" in names
    # The editor, the compiled catalogues and the internal queries are shipped: an installed wheel builds nothing.
    shipped = ["l4a/web/static/vendor/yasgui/yasgui.min.js", "l4a/web/static/vendor/yasgui/LICENSE",
               "l4a/web/static/sparql-editor.js", "l4a/web/translations/fr/LC_MESSAGES/messages.mo",
               "l4a/web/translations/es/LC_MESSAGES/messages.mo", "l4a/queries/internal/form-options.rq"]  # fmt: skip
    assert [name for name in shipped if name not in names] == []
    internal = sorted(p.name for p in (ROOT / "queries" / "internal").glob("*.rq"))
    assert internal and all(f"l4a/queries/internal/{name}" in names for name in internal)
    assert " graph/" not in names and " web/" not in names  # no top-level `graph` or `web` module

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")}
    env["L4A_DATA_DIR"] = str(tmp_path / "data")
    l4a = str(env_dir / "bin" / "l4a")
    run([l4a, "build", "--quiet"], cwd=elsewhere, env=env)
    counts = json.loads(run([l4a, "stats", "--format", "json"], cwd=elsewhere, env=env).stdout)
    assert (counts["goals"], counts["targets"], counts["indicators"], counts["hubs"]) == (17, 169, 235, 7)
    # the suggester's data ships in the wheel and works offline from the installed package
    assert "l4a/graph/suggest/keywords.toml" in names and "l4a/queries/internal/suggestions.rq" in names
    out = run([l4a, "suggest", "Safe drinking water and sanitation for every household"], cwd=elsewhere, env=env)
    assert json.loads(out.stdout)["goals"][0]["goal"] == 6
    stored = run([l4a, "suggest", "--all", "--store"], cwd=elsewhere, env=env).stdout.splitlines()
    assert len(stored) == 7 and all(json.loads(line)["stored"]["added"] > 0 for line in stored)
