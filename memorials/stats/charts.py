"""Charts drawn on the server as inline SVG: no library, no script, readable without colour.

Each chart is drawn twice, at the width it is shown at, so its words keep their size: a wide
drawing for tablets and desktops and a narrow one for phones (CSS shows one). Text is at least
14 units in a drawing shown at no less than 0.9 of its size, so never under 12 CSS px. Year
ticks are thinned until they can't touch; lines are named in the legend beside the chart, never
on a line. Every value that reaches the SVG is escaped by Markup.format. Each drawing has an
accessible name (role="img", <title>, <desc>); its figures are also in a table on the page.
Words and numbers come in already translated and formatted (memorials.i18n).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Frame:
    name: str        # "wide" or "narrow", also the CSS class that shows it
    width: int
    height: int
    font: int


WIDE = Frame("wide", 640, 300, 15)
NARROW = Frame("narrow", 300, 250, 14)
FRAMES = (WIDE, NARROW)


def text_width(text: str, font: int) -> float:
    """A generous estimate of a label's width (system sans-serif averages about 0.55 em)."""
    return len(text) * font * 0.62


def nice_max(value: float) -> float:
    if value <= 0:
        return 10
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _months(d: date) -> int:
    return d.year * 12 + d.month - 1


def _open(frame: Frame, chart_id: str, title: str, summary: str, height: int | None = None) -> Markup:
    i = f"{chart_id}-{frame.name}"
    return Markup('<svg class="chart chart-{n}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{i}-t {i}-d" '
                  'preserveAspectRatio="xMidYMid meet"><title id="{i}-t">{t}</title><desc id="{i}-d">{s}</desc>'
                  ).format(n=frame.name, w=frame.width, h=height or frame.height, i=i, t=title, s=summary)


def line_chart(chart_id: str, title: str, summary: str, lines: list[dict], *, number: Callable[[float], str],
               year: Callable[[date], str], join: date | None = None, join_labels: tuple[str, str] = ("", ""),
               ) -> Markup:
    """lines: [{"css": class, "points": [(date, value or None, hollow: bool)]}] on one time axis.

    A None value breaks the line rather than pretend a value; a hollow point is a lower bound
    ("at least"). join: where final data ends, drawn as a rule with what lies on either side,
    the provisional side shaded.
    """
    dates = sorted({p[0] for line in lines for p in line["points"]})
    values = [p[1] for line in lines for p in line["points"] if p[1] is not None]
    if len(dates) < 2 or not values:
        return Markup("")
    return Markup("").join(_line_frame(frame, chart_id, title, summary, lines, dates, values, number, year,
                                       join, join_labels) for frame in FRAMES)


def _line_frame(frame, chart_id, title, summary, lines, dates, values, number, year, join, join_labels):
    font = frame.font
    top_value = nice_max(max(values))
    ticks = [top_value * step / 4 for step in range(5)]
    tick_labels = [number(t) for t in ticks]
    left = 10 + max(text_width(t, font) for t in tick_labels)
    right = 10
    label_rows = 0
    first, last = dates[0], dates[-1]
    span = _months(last) - _months(first) or 1
    plot_w = frame.width - left - right

    def x(d: date) -> float:
        return left + (_months(d) - _months(first)) / span * plot_w

    # Where final data ends: its words above the plot, either side of the rule. A word with no room
    # on its side is left out (the legend beside the chart says what the shading means).
    join_parts = []
    if join is not None and first < join < last:
        jx = x(join)
        left_text, right_text = join_labels
        if jx - 6 - text_width(left_text, font) >= 0:
            join_parts.append((left_text, jx - 6, "end", 0))
        if jx + 6 + text_width(right_text, font) <= frame.width:
            join_parts.append((right_text, jx + 6, "start", 0))
        label_rows = 1
    top = 10 + label_rows * (font + 6)
    bottom = font + 14
    plot_h = frame.height - top - bottom

    def y(v: float) -> float:
        return top + plot_h - v / top_value * plot_h

    parts = [_open(frame, chart_id, title, summary)]
    if label_rows:
        jx = x(join)
        parts.append(Markup('<rect class="provisional-zone" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h}"/>'
                            '<line class="join" x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{b}"/>')
                     .format(x=jx, y=top, w=left + plot_w - jx, h=plot_h, b=top + plot_h))
        for text, tx, anchor, row in join_parts:
            parts.append(Markup('<text class="join-label" x="{x:.1f}" y="{y}" text-anchor="{a}">{t}</text>')
                         .format(x=tx, y=8 + font + row * (font + 6) - 4, a=anchor, t=text))
    for tick, label in zip(ticks, tick_labels):
        parts.append(Markup('<line class="grid" x1="{a:.1f}" x2="{b:.1f}" y1="{y:.1f}" y2="{y:.1f}"/>'
                            '<text class="axis" x="{tx:.1f}" y="{ty:.1f}" text-anchor="end">{v}</text>')
                     .format(a=left, b=left + plot_w, y=y(tick), tx=left - 6, ty=y(tick) + font * 0.35, v=label))
    # Year ticks: every year if they fit with room to spare, else every 2, 5, 10 or 20 years.
    years = list(range(first.year + (first.month > 1), last.year + 1))
    label_w = text_width(year(date(2000, 1, 1)), font) + font
    step = next((s for s in (1, 2, 5, 10, 20) if plot_w / max(1, (last.year - first.year) / s) >= label_w), 20)
    for tick_year in years:
        if tick_year % step:
            continue
        tx = x(date(tick_year, 1, 1))
        if tx - label_w / 2 < 0 or tx + label_w / 2 > frame.width:
            continue
        parts.append(Markup('<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{a:.1f}" y2="{b:.1f}"/>'
                            '<text class="axis" x="{x:.1f}" y="{ty:.1f}" text-anchor="middle">{v}</text>')
                     .format(x=tx, a=top + plot_h, b=top + plot_h + 4, ty=frame.height - 6,
                             v=year(date(tick_year, 1, 1))))
    for line in lines:
        segments, current = [], []
        for d, v, _hollow in sorted(line["points"], key=lambda p: p[0]):
            if v is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(f"{x(d):.1f},{y(v):.1f}")
        if current:
            segments.append(current)
        for segment in segments:
            if len(segment) == 1:
                continue
            parts.append(Markup('<polyline class="{c}" fill="none" points="{p}"/>')
                         .format(c=line["css"], p=" ".join(segment)))
        if line.get("markers"):
            for d, v, hollow in line["points"]:
                if v is not None:
                    parts.append(Markup('<circle class="{c}" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>')
                                 .format(c=line["css"].replace("line", "dot", 1) + (" hollow" if hollow else ""),
                                         x=x(d), y=y(v)))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def bar_chart(chart_id: str, title: str, summary: str, bars: list[tuple[str, int | None]], *,
              number: Callable[[float], str], missing: str) -> Markup:
    """Horizontal bars, each named on its own line above it, its figure written after it."""
    if not bars:
        return Markup("")
    return Markup("").join(_bar_frame(frame, chart_id, title, summary, bars, number, missing) for frame in FRAMES)


def wrap(text: str, font: int, width: float) -> list[str]:
    """A label in as few lines as fit the width (a long name, as Spanish ones often are, takes two)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(lines[-1] + " " + word, font) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _bar_frame(frame, chart_id, title, summary, bars, number, missing):
    font = frame.font
    labels = [number(v) if v is not None else missing for _, v in bars]
    value_w = max(text_width(t, font) for t in labels) + 8
    top_value = nice_max(max((v for _, v in bars if v is not None), default=10))
    bar_h, line_h = 14, font + 4
    row = font + 14 + 14  # a one-line name, its bar and the space below
    plot_w = frame.width - 4 - value_w
    names = [wrap(label, font, frame.width - 4) for label, _ in bars]
    height = sum(row + (len(lines) - 1) * line_h for lines in names) + 6
    parts = [_open(frame, chart_id, title, summary, height)]
    y0 = 4
    for (label, value), shown, lines in zip(bars, labels, names):
        for n, line in enumerate(lines):
            parts.append(Markup('<text class="label" x="2" y="{y}">{l}</text>').format(y=y0 + font + n * line_h, l=line))
        bar_y = y0 + font + (len(lines) - 1) * line_h + 5
        width = max(1.0, value / top_value * plot_w) if value is not None else 0
        if value is not None:
            parts.append(Markup('<rect class="bar" x="2" y="{y}" width="{w:.1f}" height="{h}"/>')
                         .format(y=bar_y, w=width, h=bar_h))
        parts.append(Markup('<text class="value" x="{x:.1f}" y="{y:.1f}">{v}</text>')
                     .format(x=2 + width + 6, y=bar_y + bar_h / 2 + font * 0.35, v=shown))
        y0 += row + (len(lines) - 1) * line_h
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


# --- The tile map ----------------------------------------------------------------------------------
# The 50 states and DC as equal squares in their familiar places (column, row), as newsrooms draw them:
# every state the same size, so a small state's shade counts as much as a large one's. No outlines needed.
TILES: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (10, 0),
    "WI": (5, 1), "VT": (9, 1), "NH": (10, 1),
    "WA": (0, 2), "ID": (1, 2), "MT": (2, 2), "ND": (3, 2), "MN": (4, 2), "IL": (5, 2), "MI": (6, 2),
    "NY": (8, 2), "MA": (9, 2),
    "OR": (0, 3), "NV": (1, 3), "WY": (2, 3), "SD": (3, 3), "IA": (4, 3), "IN": (5, 3), "OH": (6, 3),
    "PA": (7, 3), "NJ": (8, 3), "CT": (9, 3), "RI": (10, 3),
    "CA": (0, 4), "UT": (1, 4), "CO": (2, 4), "NE": (3, 4), "MO": (4, 4), "KY": (5, 4), "WV": (6, 4),
    "VA": (7, 4), "MD": (8, 4), "DE": (9, 4),
    "AZ": (1, 5), "NM": (2, 5), "KS": (3, 5), "AR": (4, 5), "TN": (5, 5), "NC": (6, 5), "SC": (7, 5),
    "DC": (8, 5),
    "OK": (3, 6), "LA": (4, 6), "MS": (5, 6), "AL": (6, 6), "GA": (7, 6),
    "HI": (0, 7), "TX": (3, 7), "FL": (8, 7),
}


@dataclass(frozen=True)
class TileFrame:
    name: str        # "wide" or "narrow", as for the charts
    tile: int        # a tile's side
    gap: int
    font: int        # the state's letters
    figure: int      # its figure under them (0: not written; the link's name and the table carry it)


# Shown at no less than 0.88 of their size (35rem for 634 units beside the table; 288 px for 328 units on a
# 320 px phone), so letters stay at 12 CSS px or more and a phone's tile at 24 px or more.
WIDE_TILES = TileFrame("wide", 54, 4, 16, 14)
NARROW_TILES = TileFrame("narrow", 28, 2, 14, 0)


def tile_map(labelledby: str, tiles: list[dict]) -> Markup:
    """tiles: [{"code", "href", "label" (the link's accessible name), "figure" (written on wide tiles),
    "css" (its shade's class)}], drawn twice like the charts, in reading order (row by row) for the keyboard.
    labelledby: the id of the heading that names the map."""
    ordered = sorted(tiles, key=lambda t: TILES[t["code"]][::-1])
    return Markup("").join(_tile_frame(frame, labelledby, ordered) for frame in (WIDE_TILES, NARROW_TILES))


def _tile_frame(frame: TileFrame, labelledby: str, tiles: list[dict]) -> Markup:
    # Plain strings with each value escaped (51 squares, two drawings: Markup.format per element costs
    # several times more, on a page made once per import and language).
    pitch = frame.tile + frame.gap
    parts = [f'<svg class="tile-map chart-{frame.name}" viewBox="0 0 {11 * pitch - frame.gap} {8 * pitch - frame.gap}" '
             f'role="group" aria-labelledby="{escape(labelledby)}">']
    for t in tiles:
        col, row = TILES[t["code"]]
        x, y = col * pitch, row * pitch
        middle, css, code = x + frame.tile / 2, escape(t["css"]), escape(t["code"])
        parts.append(f'<a href="{escape(t["href"])}" aria-label="{escape(t["label"])}" class="tile-link">'
                     f'<rect class="tile {css}" x="{x}" y="{y}" width="{frame.tile}" height="{frame.tile}" rx="3"/>'
                     f'<rect class="ring" x="{x + 3}" y="{y + 3}" width="{frame.tile - 6}" height="{frame.tile - 6}" '
                     f'rx="2"/>')
        if frame.figure and t["figure"]:
            parts.append(f'<text class="tile-code {css}" x="{middle}" y="{y + frame.tile / 2 - 3:.1f}" '
                         f'text-anchor="middle">{code}</text><text class="tile-figure {css}" x="{middle}" '
                         f'y="{y + frame.tile / 2 + frame.figure + 1:.1f}" text-anchor="middle">{escape(t["figure"])}</text>')
        else:
            parts.append(f'<text class="tile-code {css}" x="{middle}" y="{y + frame.tile / 2 + frame.font * 0.35:.1f}" '
                         f'text-anchor="middle">{code}</text>')
        parts.append("</a>")
    parts.append("</svg>")
    return Markup("".join(parts))
