"""A validation report folded into a few lines: results of the same rule and severity become one line with their
count and the values they are about ("Refine goals to targets: 17 goals, 1, 2, ... 17"), most severe first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from l4a.graph.sdg_order import sdg_key
from l4a.graph.shacl.validation import ValidationResult

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass
class RuleGroup:
    """The results of one rule at one severity."""

    severity: str
    title: str
    results: list[ValidationResult] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.results)

    @property
    def values(self) -> list[str]:
        """The values the results name (SDG goals in numeric order), each once."""
        found = {r.value for r in self.results if r.value}
        return sorted(found, key=sdg_key)

    def as_dict(self) -> dict[str, object]:
        return {"severity": self.severity, "rule": self.title, "count": self.count, "values": self.values,
                "message": self.results[0].message if self.results else ""}  # fmt: skip


def rule_title(result: ValidationResult) -> str:
    """The rule's name: the shapes write each message as "Name of the rule: what is wrong ..."."""
    head, sep, _rest = result.message.partition(":")
    return head.strip() if sep and len(head) <= 80 else result.shape.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def summarize(results: Iterable[ValidationResult]) -> list[RuleGroup]:
    """The results grouped by severity and rule, most severe first, then the biggest groups."""
    groups: dict[tuple[str, str], RuleGroup] = {}
    for result in results:
        title = rule_title(result)
        groups.setdefault((result.severity, title), RuleGroup(result.severity, title)).results.append(result)
    order = {s: n for n, s in enumerate(SEVERITIES)}
    return sorted(groups.values(), key=lambda g: (order.get(g.severity, 9), -g.count, g.title))
