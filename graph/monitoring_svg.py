"""An indicator's progress over time as a small SVG line chart, drawn server-side (no script, no style attributes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape

from .monitoring import Indicator

WIDTH, HEIGHT, PAD = 480, 200, 36


def indicator_svg(indicator: Indicator, title: str, start: dt.date | None = None) -> str:
    """Progress (0 = baseline, 1 = target) at each observation, from the hub's start (or the first observation) to
    the indicator's due date (or the last observation); the target as a dashed line. Empty string if no figures."""
    series = indicator.series()
    if not series or indicator.target == indicator.baseline:
        return ""
    span = indicator.target - indicator.baseline
    points = [(o.date, (o.value - indicator.baseline) / span) for o in series]
    first = min([d for d, _ in points] + ([start] if start else []))
    last = max([d for d, _ in points] + ([indicator.due] if indicator.due else []))
    days = max((last - first).days, 1)
    top = max([Decimal(1)] + [p for _, p in points])
    bottom = min([Decimal(0)] + [p for _, p in points])

    def x(day: dt.date) -> float:
        return PAD + (WIDTH - 2 * PAD) * (day - first).days / days

    def y(value: Decimal) -> float:
        return HEIGHT - PAD - float((HEIGHT - 2 * PAD) * (value - bottom) / (top - bottom))

    line = " ".join(f"{x(d):.1f},{y(p):.1f}" for d, p in points)
    dots = "".join(
        f'<circle cx="{x(d):.1f}" cy="{y(p):.1f}" r="3.5" fill="#1f6feb"><title>{d.isoformat()}: '
        f"{escape(str(o.value))} ({round(p * 100)}%)</title></circle>"
        for (d, p), o in zip(points, series, strict=True)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<line x1="{PAD}" y1="{y(Decimal(0)):.1f}" x2="{WIDTH - PAD}" y2="{y(Decimal(0)):.1f}" stroke="#888"/>'
        f'<line x1="{PAD}" y1="{y(Decimal(1)):.1f}" x2="{WIDTH - PAD}" y2="{y(Decimal(1)):.1f}" stroke="#2a7f3f" '
        f'stroke-dasharray="5 4"/>'
        f'<text x="4" y="{y(Decimal(1)) + 4:.1f}" font-size="11" fill="#2a7f3f">100%</text>'
        f'<text x="4" y="{y(Decimal(0)) + 4:.1f}" font-size="11" fill="#555">0%</text>'
        f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="11" fill="#555">{first.isoformat()}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="11" fill="#555" text-anchor="end">'
        f"{last.isoformat()}</text>"
        f'<polyline points="{line}" fill="none" stroke="#1f6feb" stroke-width="2"/>{dots}</svg>'
    )
