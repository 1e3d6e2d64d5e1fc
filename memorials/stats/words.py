"""The statistics in words a person reads: names of what CDC counts, its footnotes in plain
sentences, how a New York month was put together, and every chart's and the map's title, summary
and labels. All translatable (Flask-Babel); the views only ask for them.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Callable

from babel import dates as babel_dates
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from markupsafe import Markup

from ..i18n import current_language, format_locale, month_year, number, percent
from ..states import STATES, local_state_name
from . import charts
from .compute import NY_ADDED_HERE, NY_SOURCE_ADDED, NY_WITHOUT_NYC
from .indicators import ALL_DRUGS, NATIONAL, SYNTHETIC

NAMES = {
    ALL_DRUGS: _l("All drug overdoses"),
    "Opioids (T40.0-T40.4,T40.6)": _l("Any opioid"),
    SYNTHETIC: _l("Synthetic opioids (mainly fentanyl)"),
    "Heroin (T40.1)": _l("Heroin"),
    "Natural & semi-synthetic opioids (T40.2)": _l("Prescription opioids"),
    "Methadone (T40.3)": _l("Methadone"),
    "Cocaine (T40.5)": _l("Cocaine"),
    "Psychostimulants with abuse potential (T43.6)": _l("Methamphetamine & other stimulants"),
}
PHRASES = {
    ALL_DRUGS: _l("all drug overdose deaths"),
    SYNTHETIC: _l("deaths involving synthetic opioids"),
}
MEASURES = {"overdose": _l("all drug overdose deaths"), "synthetic": _l("deaths involving synthetic opioids")}
METHODS = {
    NY_SOURCE_ADDED: _l("New York State including New York City, as added together in the source release"),
    NY_ADDED_HERE: _l("CDC's New York (excluding New York City) plus CDC's New York City, added here"),
    NY_WITHOUT_NYC: _l("CDC's New York excluding New York City only: no New York City figure for this month"),
}


def indicator_name(indicator: str) -> str:
    return str(NAMES.get(indicator, indicator))


def indicator_source(indicator: str) -> str:
    """CDC's own name for an indicator, shown under ours: in English whole; in another language only its
    code ("T40.4"), since CDC's words are English and the name above already says it."""
    if current_language() == "en":
        return indicator
    codes = re.findall(r"\(([^()]*\d[^()]*)\)", indicator)
    return codes[-1] if codes else indicator


AGE_RANGE = re.compile(r"^(\d+)-(\d+) years?$")
AGE_OVER = re.compile(r"^(\d+)\+ years?$")


def age_group(label: str) -> str:
    """WONDER's age group ("15-24 years", "85+ years", "< 1 year") in the reader's language."""
    if found := AGE_RANGE.match(label):
        return _("%(low)s-%(high)s years", low=number(int(found[1])), high=number(int(found[2])))
    if found := AGE_OVER.match(label):
        return _("%(low)s+ years", low=number(int(found[1])))
    if label == "< 1 year":
        return _("< 1 year")
    return label


def method_text(code: str) -> str:
    return str(METHODS.get(code, code))


def place(code: str, name: str | None = None) -> str:
    """The place as it reads inside a sentence: "the United States", "Ohio"."""
    if code == NATIONAL:
        return _("the United States")
    if code == "DC":
        return _("the District of Columbia")
    return name or STATES.get(code, code)


def pending_percent(value: float | None) -> str:
    """CDC's percent pending investigation (already a percentage: 0.22 means 0.22%)."""
    if not value:
        return ""
    return percent(value, 1 if value >= 1 else 2)


def footnote_sentences(fig: dict | None) -> list[str]:
    """CDC's footnote on a figure as plain sentences (the "provisional" one is said once per page)."""
    if not fig:
        return []
    out = []
    codes = fig.get("notes") or []
    if "underreported" in codes:
        out.append(_("CDC says this count is probably low: some deaths are still being investigated."))
        if fig.get("pending"):
            out.append(_("CDC counts %(percent)s of the deaths in these 12 months as still pending investigation.",
                         percent=pending_percent(fig["pending"])))
    if "suppressed" in codes:
        out.append(_("CDC does not publish counts under 10."))
    if "low_quality" in codes:
        out.append(_("CDC does not show this figure because the data are not yet complete enough."))
    if fig.get("other_note"):
        out.append(_("CDC adds: “%(note)s”", note=fig["other_note"]))
    return out


def names_phrase(series: list[dict], place_words: str) -> str:
    """"all drug overdose deaths and deaths involving synthetic opioids in Ohio"."""
    names = [str(PHRASES.get(s["indicator"], s["indicator"])) for s in series]
    what = names[0] if len(names) == 1 else _("%(first)s and %(second)s", first=names[0], second=names[1])
    return _("%(what)s in %(place)s", what=what, place=place_words)


def measure_name(measure: str) -> str:
    return str(MEASURES.get(measure, measure))


def key_class(indicator: str) -> str:
    return "all" if indicator == ALL_DRUGS else "synthetic"


def trend_rows(section: dict) -> list[dict]:
    """The trend table's rows, newest first: each series' (reported, predicted) for the month."""
    by_series = [{p[0]: p for p in s["points"]} for s in section["series"]]
    periods = sorted({d for points in by_series for d in points}, reverse=True)
    rows = []
    for period in periods:
        found = [points.get(period) for points in by_series]
        methods = sorted({p[3] for p in found if p and p[3]})
        rows.append({"period_end": period, "cells": [(p[1], p[2]) if p else (None, None) for p in found],
                     "methods": "; ".join(method_text(m) for m in methods)})
    return rows


def year(d: date) -> str:
    """A year as the reader's language writes it."""
    return babel_dates.format_skeleton("y", d, locale=format_locale())


def ordinal(n: int) -> str:
    """A rank as the reader's language abbreviates it: 1st, 2nd, 23rd; in Spanish 2.ª (for "la tasa")."""
    if current_language() == "es":
        return f"{n}.ª"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- Charts: each one's title and summary (its accessible name and description) ---------------------

def chart(code: str, place_words: str, section: dict) -> Markup:
    """The chart for one section of a page (compute.page), drawn with its words; empty when it has none."""
    draw = {"trend": _trend_chart, "drugs": _drugs_chart, "ages": _ages_chart}.get(section["name"])
    if section["name"] == "long":
        draw = _national_long_chart if section["kind"] == "national" else _state_long_chart
    return draw(code, place_words, section) if draw else Markup("")


def _trend_chart(code: str, place_words: str, section: dict) -> Markup:
    lines, said = [], []
    for s in section["series"]:
        lines.append({"css": f"line {key_class(s['indicator'])}", "points": [(p[0], p[1], False) for p in s["points"]]})
        shown = [p for p in s["points"] if p[1] is not None]
        if shown:
            said.append(_("%(what)s: %(last)s in the 12 months ending %(last_month)s, from %(first)s in the "
                          "12 months ending %(first_month)s", what=indicator_name(s["indicator"]),
                          last=number(shown[-1][1]), last_month=month_year(shown[-1][0]),
                          first=number(shown[0][1]), first_month=month_year(shown[0][0])))
    title = _("Overdose deaths in %(place)s, 12-month counts, %(first)s to %(last)s", place=place_words,
              first=month_year(section["first"]), last=month_year(section["last"]))
    return charts.line_chart(f"trend-{code}-{int(section['history'])}", title,
                             "; ".join(said) + "." if said else _("No figures."), lines, number=number, year=year)


def _drugs_chart(code: str, place_words: str, section: dict) -> Markup:
    bars = [(indicator_name(r["indicator"]), r["reported"]) for r in section["rows"]]
    title = _("Deaths by drug in %(place)s, 12 months ending %(month)s, reported counts", place=place_words,
              month=month_year(section["month"]))
    return charts.bar_chart(f"drugs-{code}", title, _said(bars), bars, number=number, missing=_("not published"))


def _ages_chart(code: str, place_words: str, section: dict) -> Markup:
    bars = [(age_group(r["group"]), r["deaths"]) for r in section["rows"]]
    title = _("Deaths involving synthetic opioids by age, United States, %(year)s", year=section["year"])
    return charts.bar_chart(f"ages-{code}", title, _said(bars), bars, number=number, missing=_("not published"))


def _said(bars: list[tuple[str, int | None]]) -> str:
    return "; ".join(f"{label}: {number(v)}" for label, v in bars if v is not None)


def _national_long_chart(code: str, place_words: str, section: dict) -> Markup:
    lines = [{"css": f"line {css}", "points": [(d, v, False) for d, v in section["lines"][measure]]}
             for measure, css in (("overdose", "all"), ("synthetic", "synthetic"))]
    title = _("Overdose death rates per 100,000 residents, United States, %(first)s to %(last)s",
              first=year(section["first"]), last=month_year(section["last"]))
    summary = _("Final data through %(year)s, provisional after. All drug overdoses: %(first)s per 100,000 in "
                "%(first_year)s, %(last)s in the 12 months ending %(month)s. Synthetic opioids: %(sfirst)s, then "
                "%(slast)s.", year=section["last_final"],
                first=_rate(section["lines"]["overdose"], 0), first_year=year(section["first"]),
                last=_rate(section["lines"]["overdose"], -1), month=month_year(section["last"]),
                sfirst=_rate(section["lines"]["synthetic"], 0), slast=_rate(section["lines"]["synthetic"], -1))
    return charts.line_chart(f"long-{code}", title, summary, lines, number=number, year=year,
                             join=section["join"], join_labels=(_("final"), _("provisional")))


def _state_long_chart(code: str, place_words: str, section: dict) -> Markup:
    shown = {y["year"]: y for y in section["years"]}
    years = range(section["years"][0]["year"], section["years"][-1]["year"] + 1)
    # A year no file covers breaks the line rather than join the years on either side.
    points = [(date(y, 12, 1), shown[y]["deaths"] if y in shown else None, y in shown and shown[y]["at_least"])
              for y in years]
    lines = [{"css": "line synthetic", "markers": True, "points": points}]
    last_final = section["final_through"]
    join = date(last_final, 12, 1) if last_final and last_final < section["years"][-1]["year"] else None
    title = _("Deaths involving synthetic opioids in %(place)s by year, %(first)s to %(last)s", place=place_words,
              first=year(section["first"]), last=year(section["last"]))
    said = [(_("%(year)s: at least %(deaths)s") if y["at_least"] else _("%(year)s: %(deaths)s"))
            % {"year": year(date(y["year"], 1, 1)), "deaths": number(y["deaths"])}
            for y in section["years"] if y["deaths"] is not None]
    summary = (_("Hollow points are at least the figure shown: CDC WONDER does not publish months under 10 "
                 "deaths.") + " " + "; ".join(said)) if said else _("No year with a month of 10 or more deaths.")
    return charts.line_chart(f"long-{code}", title, summary, lines, number=number, year=year,
                             join=join, join_labels=(_("final"), _("provisional")))


def _rate(points: list, index: int) -> str:
    return number(points[index][1], 1) if points else "—"


# --- The map of the states ------------------------------------------------------------------------

MAP_VIEWS = ("rate", "change")


def state_map(table: dict, view: str, href: Callable[[str], str]) -> Markup:
    """The tile map of the 50 states and DC, each a link named with its figure, shaded by rate or change."""
    rows = {r["code"]: r for r in table["rows"]}
    tiles = []
    for code in charts.TILES:
        row = rows.get(code)
        name = local_state_name(code)
        if row is None or (row["rate"] if view == "rate" else row["change"]) is None:
            figure, label, shade = "", _("%(state)s: no current figure", state=name), None
        elif view == "rate":
            figure = number(row["rate"], 1)
            label = _("%(state)s: %(rate)s deaths per 100,000 residents in the 12 months ending %(month)s",
                      state=name, rate=figure, month=month_year(row["period_end"]))
            shade = row["rate_class"]
        else:
            figure = signed_percent(row["change"])
            label = _("%(state)s: %(change)s from a year earlier, 12 months ending %(month)s", state=name,
                      change=change_words(row["change"]), month=month_year(row["period_end"]))
            shade = row["change_class"]
        tiles.append({"code": code, "href": href(code), "label": label, "figure": figure,
                      "css": f"{view}-{shade}" if shade is not None else "none"})
    return charts.tile_map("map-title", tiles)


def legend(table: dict, view: str) -> list[tuple[str, str]]:
    """(shade's CSS class, what it means) for the map's legend, lowest first, then "no current figure"."""
    if view == "change":
        words = [_("fell 30% or more"), _("fell 20% to 29.9%"), _("fell 10% to 19.9%"),
                 _("fell less than 10%, or no change"), _("rose")]
    else:
        breaks = table["rate_breaks"]
        cuts = [number(b, 1) for b in breaks]
        below = [number(b - 0.1, 1) for b in breaks]
        rates = [r["rate"] for r in table["rows"] if r["rate_class"] is not None]
        if not breaks:  # too few states to shade apart: one shade, from the lowest rate to the highest
            words = [pgettext("map legend", "%(low)s to %(high)s", low=number(min(rates), 1),
                              high=number(max(rates), 1))] if rates else []
        else:
            words = ([_("under %(high)s", high=cuts[0])]
                     + [pgettext("map legend", "%(low)s to %(high)s", low=low, high=high)
                        for low, high in zip(cuts, below[1:])]
                     + [_("%(low)s or more", low=cuts[-1])])
    return [(f"{view}-{n}", w) for n, w in enumerate(words)] + [("none", _("no current figure"))]


def signed_percent(value: float | None) -> str:
    """-32.6 -> "-32.6%", 4.1 -> "+4.1%" (a figure in a table or on the map)."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + percent(value, 1)


def change_words(value: float) -> str:
    """-32.6 -> "32.6% fewer deaths", 4.1 -> "4.1% more deaths"."""
    if value < 0:
        return _("%(percent)s fewer deaths", percent=percent(-value, 1))
    if value > 0:
        return _("%(percent)s more deaths", percent=percent(value, 1))
    return _("the same number of deaths")
