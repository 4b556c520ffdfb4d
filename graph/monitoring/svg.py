"""A hub's charts drawn server-side as SVG (no script, no style attributes): an indicator's progress over time as a
small line chart, and the hub's timeline (its period, its deliverables' due dates, its observations, today)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from html import escape

from l4a.graph.monitoring.load import HubMonitoring, Indicator, deliverable_status

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


TIMELINE_WIDTH, TIMELINE_HEIGHT, TIMELINE_PAD = 640, 104, 44


def timeline_svg(hub: HubMonitoring, today: dt.date, title: str, words: Mapping[str, str]) -> str:
    """The hub's period as a bar, its deliverables' due dates as diamonds (classed by status when the hub has
    reported figures), each observation as a tick, and today as a dashed line when it falls in the drawn span.
    Empty string when the hub's start or end is unknown. `words`: the labels of "today", of each status and the
    reader's colon ("colon": ": "; French puts a no-break space before it)."""
    if hub.start is None or hub.end is None:
        return ""
    figures = hub.has_figures()
    dues = [(d, d.due, deliverable_status(d, hub.start, today) if figures else None)
            for d in hub.deliverables if d.due is not None]  # fmt: skip
    observed = [(i, o) for i in hub.indicators for o in i.series()]
    days = [hub.start, hub.end] + [due for _, due, _ in dues] + [o.date for _, o in observed]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return TIMELINE_PAD + (TIMELINE_WIDTH - 2 * TIMELINE_PAD) * (day - first).days / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {TIMELINE_WIDTH} {TIMELINE_HEIGHT}" '
        f'width="{TIMELINE_WIDTH}" height="{TIMELINE_HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'class="chart timeline"><title>{escape(title)}</title>',
        f'<rect class="timeline-period" x="{x(hub.start):.1f}" y="44" height="12" '
        f'width="{max(x(hub.end) - x(hub.start), 1):.1f}"><title>{hub.start.isoformat()}/{hub.end.isoformat()}'
        f"</title></rect>",
        f'<text class="chart-label" x="{x(hub.start):.1f}" y="96">{hub.start.isoformat()}</text>',
        f'<text class="chart-label" x="{x(hub.end):.1f}" y="96" text-anchor="end">{hub.end.isoformat()}</text>',
    ]
    for d, due, status in dues:
        cx = x(due)
        label = f"{d.label}{words.get('colon', ': ')}{due.isoformat()}"
        label += f" ({words.get(status, status)})" if status else ""
        parts.append(
            f'<polygon class="timeline-due status-{status or "none"}" '
            f'points="{cx:.1f},20 {cx + 7:.1f},28 {cx:.1f},36 {cx - 7:.1f},28"><title>{escape(label)}</title>'
            f"</polygon>"
        )
    for i, o in observed:
        tick = x(o.date)
        parts.append(
            f'<line class="timeline-obs" x1="{tick:.1f}" y1="62" x2="{tick:.1f}" y2="74"><title>'
            f"{o.date.isoformat()}: {escape(i.label)} = {escape(str(o.value))}</title></line>"
        )
    if first <= today <= last:
        tx = x(today)
        parts.append(
            f'<line class="timeline-today" x1="{tx:.1f}" y1="14" x2="{tx:.1f}" y2="80"/>'
            f'<text class="chart-label" x="{tx:.1f}" y="10" text-anchor="middle">'
            f"{escape(words.get('today', 'today'))} {today.isoformat()}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
