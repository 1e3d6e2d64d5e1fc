"""Charts drawn on the server as inline SVG: no library, no script, readable without colour.

Every value that reaches the SVG is escaped by Markup.format. Each chart has an accessible
name (role="img" with <title> and <desc>); its figures are also in an HTML table on the page.
"""
from __future__ import annotations

from markupsafe import Markup

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 28, 16, 36


def _nice_max(value: float) -> float:
    if value <= 0:
        return 10
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return f"{value / 1000:g}k" if value >= 1000 else f"{value:g}"


def line_chart(chart_id: str, title: str, summary: str, lines: list[dict]) -> Markup:
    """lines: [{"label", "points": [(date, value or None)], "css": class}] sharing one time axis.

    Gaps (None) break a line rather than pretend a value. Predicted lines are dashed by class, and
    a line with a label has it written at its last point, so lines are told apart without colour.
    """
    dates = sorted({d for line in lines for d, _ in line["points"]})
    values = [v for line in lines for _, v in line["points"] if v is not None]
    if len(dates) < 2 or not values:
        return Markup("")
    top = _nice_max(max(values))
    first, last = dates[0], dates[-1]
    span = (last.year - first.year) * 12 + last.month - first.month or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(d):
        return LEFT + ((d.year - first.year) * 12 + d.month - first.month) / span * plot_w

    def y(v):
        return TOP + plot_h - v / top * plot_h

    parts = [Markup('<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{i}-t {i}-d" '
                    'preserveAspectRatio="xMidYMid meet"><title id="{i}-t">{t}</title><desc id="{i}-d">{s}</desc>')
             .format(w=WIDTH, h=HEIGHT, i=chart_id, t=title, s=summary)]
    for step in range(5):
        value = top * step / 4
        parts.append(Markup('<line class="grid" x1="{a}" x2="{b}" y1="{y:.1f}" y2="{y:.1f}"/>'
                            '<text class="axis" x="{tx}" y="{ty:.1f}" text-anchor="end">{v}</text>')
                     .format(a=LEFT, b=WIDTH - RIGHT, y=y(value), tx=LEFT - 6, ty=y(value) + 4, v=_fmt(value)))
    for year in range(first.year, last.year + 1):
        d = first.replace(year=year, month=1) if year > first.year else first
        parts.append(Markup('<text class="axis" x="{x:.1f}" y="{y}" text-anchor="middle">{v}</text>')
                     .format(x=x(d), y=HEIGHT - 12, v=year))
    for line in lines:
        segments, current = [], []
        for d, v in sorted(line["points"]):
            if v is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(f"{x(d):.1f},{y(v):.1f}")
        if current:
            segments.append(current)
        for segment in segments:
            parts.append(Markup('<polyline class="{c}" fill="none" points="{p}"/>')
                         .format(c=line["css"], p=" ".join(segment)))
        shown = [(d, v) for d, v in sorted(line["points"]) if v is not None]
        if line.get("label") and shown:
            d, v = shown[-1]
            parts.append(Markup('<circle class="{c}" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>'
                                '<text class="line-label" x="{x:.1f}" y="{ty:.1f}" text-anchor="end">{l}</text>')
                         .format(c=line["css"].replace("line", "dot", 1), x=x(d), y=y(v), ty=max(TOP + 12, y(v) - 10),
                                 l=line["label"]))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def bar_chart(chart_id: str, title: str, summary: str, bars: list[tuple[str, int | None]]) -> Markup:
    """Horizontal bars with their figures written beside them; a missing figure says so."""
    shown = [(label, value) for label, value in bars]
    if not shown:
        return Markup("")
    top = _nice_max(max((v for _, v in shown if v is not None), default=10))
    row = 30
    label_w = min(330, 16 + int(8.4 * max(len(label) for label, _ in shown)))
    height = row * len(shown) + 10
    plot_w = WIDTH - label_w - 90
    parts = [Markup('<svg class="chart bars" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{i}-t {i}-d">'
                    '<title id="{i}-t">{t}</title><desc id="{i}-d">{s}</desc>')
             .format(w=WIDTH, h=height, i=chart_id, t=title, s=summary)]
    for n, (label, value) in enumerate(shown):
        y = n * row + 5
        parts.append(Markup('<text class="label" x="{x}" y="{y}" text-anchor="end">{l}</text>')
                     .format(x=label_w - 8, y=y + 19, l=label))
        if value is None:
            parts.append(Markup('<text class="value" x="{x}" y="{y}">not available</text>').format(x=label_w, y=y + 19))
            continue
        width = max(1.0, value / top * plot_w)
        parts.append(Markup('<rect class="bar" x="{x}" y="{y}" width="{w:.1f}" height="{h}"/>'
                            '<text class="value" x="{tx:.1f}" y="{ty}">{v}</text>')
                     .format(x=label_w, y=y + 4, w=width, h=row - 10, tx=label_w + width + 6, ty=y + 19,
                             v=f"{value:,}"))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


