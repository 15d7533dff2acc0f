"""Server-side SVG charts for the KPI dashboard: no JavaScript, no CDN, readable without CSS.

Axis ticks are whole numbers in the reader's number format (vi: 1.200): a count chart's scale
is rounded up to a multiple of 4 so its five ticks are integers (issue #16).
"""

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from dossiers.numbers import format_number

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 36
PALETTE = ("#1f5fa8", "#2e8540", "#c0392b", "#d68910")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]


TICKS = 4  # intervals between the five grid lines


def _scale(series: list[Series], ceiling: float | None) -> float:
    """The value at the top of the chart: `ceiling`, else the largest value rounded up so that
    each of the TICKS intervals is a whole number (at least 1)."""
    if ceiling:
        return ceiling
    top = max((v for s in series for v in s.values if v is not None), default=0)
    return TICKS * max(1, math.ceil(top / TICKS))


def _x(i: int, n: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner * (i + 0.5) / n if n else 0)


def _y(value: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _axes(labels: list[str], top: float) -> SafeString:
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" class="chart-label">{}</text>',
        ((f"{_x(i, len(labels)):.1f}", HEIGHT - BOTTOM + 16, label) for i, label in enumerate(labels)),
    )
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid"/><text x="{}" y="{}" text-anchor="end"'
        ' class="chart-label">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, f"{_y(v, top):.1f}", f"{_y(v, top):.1f}", LEFT - 4, f"{_y(v, top) + 4:.1f}", _tick(v))
            for v in (top * k / TICKS for k in range(TICKS + 1))
        ),
    )
    return grid + ticks


def _tick(value: float) -> str:
    return format_number(value, 0 if float(value).is_integer() else 1)


def _legend(series: list[Series]) -> SafeString:
    return format_html_join(
        "",
        '<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" class="chart-label">{}</text>',
        (
            (LEFT + i * 150, HEIGHT - 12, PALETTE[i % len(PALETTE)], LEFT + i * 150 + 14, HEIGHT - 3, s.name)
            for i, s in enumerate(series)
        ),
    )


def _svg(title: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">'
        "<title>{}</title>{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        title,
        body,
    )


def _polyline(s: Series, n: int, top: float, colour: str) -> SafeString:
    points = " ".join(f"{_x(i, n):.1f},{_y(v, top):.1f}" for i, v in enumerate(s.values) if v is not None)
    return format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>', points, colour)


def line_chart(*, title: str, labels: list[str], series: list[Series], ceiling: float | None = None) -> SafeString:
    """One line per series (e.g. on-time rate by week, ceiling 100)."""
    top = _scale(series, ceiling)
    lines = mark_safe("".join(_polyline(s, len(labels), top, PALETTE[i % len(PALETTE)]) for i, s in enumerate(series)))
    return _svg(title, _axes(labels, top) + lines + _legend(series))


def _bars(series: list[Series], n: int, top: float) -> SafeString:
    slot = (WIDTH - LEFT - RIGHT) / max(n, 1)
    width = slot * 0.8 / max(len(series), 1)
    rects = []
    for k, s in enumerate(series):
        for i, v in enumerate(s.values):
            x, y = _x(i, n) - slot * 0.4 + k * width, _y(v or 0, top)
            rects.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
                    f"{x:.1f}",
                    f"{y:.1f}",
                    f"{width:.1f}",
                    f"{HEIGHT - BOTTOM - y:.1f}",
                    PALETTE[k % len(PALETTE)],
                    s.name,
                    _tick(v or 0),
                )  # fmt: skip
            )
    return mark_safe("".join(rects))


def bar_chart(*, title: str, labels: list[str], series: list[Series]) -> SafeString:
    """Grouped bars (e.g. received and finished by month)."""
    top = _scale(series, None)
    return _svg(title, _axes(labels, top) + _bars(series, len(labels), top) + _legend(series))
