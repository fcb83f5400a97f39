"""Server-rendered SVG charts (issue 14), as geometry: numbers in, rectangles out. Pure.

Why SVG drawn on the server rather than a charting library: no script at all (the pages run
under a strict Content-Security-Policy with no eval), no build step, nothing to vendor; the
chart prints, scales and can be pasted into a slide as it is; and its text alternative is the
same rows the page's table shows, so a screen reader gets the figures, not a picture."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

# USWDS system colours, each with at least 3:1 contrast against white (WCAG 1.4.11).
TONES = {"confirmed": "#2e6276", "tentative": "#e5a000", "held": "#8168b3", "free": "#dfe1e2", "bar": "#005ea2"}


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    label: str  # what it stands for, as words (each <rect> gets a <title>)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rects: list[Rect]
    labels: list[tuple[float, float, str]]  # x, y, text
    anchor_end: list[tuple[float, float, str]]  # right-aligned labels (row names)


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[tuple[str, int]]]], *, width: int = 720, bar: int = 26, gap: int = 14
) -> Chart:
    """One horizontal bar per row, its parts side by side in order (confirmed, tentative,
    held, free), scaled to the largest row's total; the total is written after the bar."""
    name_width, total_width = 220, 60
    plot = width - name_width - total_width
    largest = max((sum(v for _, v in parts) for _, parts in rows), default=0) or 1
    rects: list[Rect] = []
    labels: list[tuple[float, float, str]] = []
    names: list[tuple[float, float, str]] = []
    for i, (name, parts) in enumerate(rows):
        y = gap + i * (bar + gap)
        x = float(name_width)
        for part, value in parts:
            w = plot * value / largest
            if w > 0:
                rects.append(Rect(x, y, w, bar, TONES.get(part, TONES["bar"]), f"{name}: {value} {part}"))
            x += w
        names.append((name_width - 8, y + bar * 0.7, name))
        labels.append((x + 6, y + bar * 0.7, str(sum(v for _, v in parts))))
    return Chart(width, gap + len(rows) * (bar + gap), rects, labels, names)


def columns(points: Sequence[tuple[str, Decimal | int]], *, width: int = 720, height: int = 220) -> Chart:
    """One vertical column per point (a day), scaled to the largest; every seventh point is
    labelled under the axis so the labels never overlap."""
    bottom, top = height - 24, 12
    largest = max((float(v) for _, v in points), default=0) or 1
    step = (width - 20) / max(len(points), 1)
    rects: list[Rect] = []
    labels: list[tuple[float, float, str]] = []
    for i, (name, value) in enumerate(points):
        h = (bottom - top) * float(value) / largest
        x = 10 + i * step
        if h > 0:
            rects.append(Rect(x + 1, bottom - h, max(step - 2, 1), h, TONES["bar"], f"{name}: {value}"))
        if i % 7 == 0:
            labels.append((x, height - 6, name))
    return Chart(width, height, rects, labels, [])
