"""SDG coverage over time as a small SVG bar chart, drawn server-side (no script, no style attributes: the look
comes from classes of web/static/style.css)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from l4a.graph.reports.dashboard import GOALS_TOTAL, TARGETS_TOTAL, YearCoverage

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 220, 44, 12, 34, 28


def coverage_svg(years: Sequence[YearCoverage], title: str, goals_label: str, targets_label: str) -> str:
    """Per year, two bars: the share of the 17 goals and the share of the 169 targets addressed by a hub active
    that year, each with its count as a tooltip; 0-100% on the axis. Empty string when no hub has dates."""
    if not years:
        return ""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = inner_w / len(years)
    bar = min(group * 0.38, 28.0)

    def y(share: float) -> float:
        return TOP + inner_h * (1 - share)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart coverage"><title>{escape(title)}</title>',
        f'<rect class="bar-goals" x="{LEFT}" y="8" width="10" height="10"/>'
        f'<text class="chart-label" x="{LEFT + 14}" y="17">{escape(goals_label)}</text>',
        f'<rect class="bar-targets" x="{LEFT + 200}" y="8" width="10" height="10"/>'
        f'<text class="chart-label" x="{LEFT + 214}" y="17">{escape(targets_label)}</text>',
    ]
    for share in (0.0, 0.5, 1.0):
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" y1="{y(share):.1f}" x2="{WIDTH - RIGHT}" y2="{y(share):.1f}"/>'
            f'<text class="chart-label" x="{LEFT - 6}" y="{y(share) + 4:.1f}" text-anchor="end">'
            f"{round(share * 100)}%</text>"
        )
    for n, year in enumerate(years):
        middle = LEFT + group * (n + 0.5)
        for offset, kind, count, total, label in (
            (-bar, "goals", year.goals, GOALS_TOTAL, goals_label),
            (0.0, "targets", year.targets, TARGETS_TOTAL, targets_label),
        ):
            top = y(count / total)
            parts.append(
                f'<rect class="bar-{kind}" x="{middle + offset:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                f'height="{y(0.0) - top:.1f}"><title>{year.year}: {escape(label)} {count}/{total}</title></rect>'
            )
        parts.append(
            f'<text class="chart-label" x="{middle:.1f}" y="{HEIGHT - 8}" text-anchor="middle">{year.year}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
