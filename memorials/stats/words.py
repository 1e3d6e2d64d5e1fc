"""The statistics in words a person reads: names of what CDC counts, its footnotes in plain
sentences, how a New York month was put together. All translatable (Flask-Babel)."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import current_language, number, percent
from ..states import STATES
from .compute import NATIONAL, NY_ADDED_HERE, NY_SOURCE_ADDED, NY_WITHOUT_NYC
from .importer import ALL_DRUGS, SYNTHETIC

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
