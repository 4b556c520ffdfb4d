"""Rewrite the expected results of the shape fixtures from pyshacl: every */expected.json and real-hubs-expected.json.

Run `python tests/data/shapes/regenerate.py` from the repository root after changing a shape or a fixture, then
review the diff: a human must check that each changed result is the one the rule should give.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).parent


def load_test_module() -> ModuleType:
    """tests/test_shapes.py, whose helpers compute results exactly as the tests compare them."""
    spec = importlib.util.spec_from_file_location("test_shapes", HERE.parent.parent / "test_shapes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    """Rewrite the expected.json files and say which ones changed."""
    shapes = load_test_module()
    with shapes.prepared_sparql():
        for rule in shapes.FIXTURES:
            target = HERE / rule / "expected.json"
            before = target.read_text(encoding="utf-8") if target.exists() else None
            shapes.write_expected(target, shapes.rule_results(rule, HERE / rule / "fail.ttl"))
            if target.read_text(encoding="utf-8") != before:
                print(f"changed: {target.relative_to(HERE)}")
        target = HERE / "real-hubs-expected.json"
        before = target.read_text(encoding="utf-8") if target.exists() else None
        shapes.write_expected(target, shapes.real_hub_results())
        if target.read_text(encoding="utf-8") != before:
            print(f"changed: {target.relative_to(HERE)}")


if __name__ == "__main__":
    main()
