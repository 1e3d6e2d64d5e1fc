"""What the statistics pages show, computed once from every stored figure when the figures change.

publish.refresh() runs build() after each import and stores what it returns; page views, the
memorial line, letters and the home page only read it. The rules live here, once:

- "Latest": each headline figure is CDC's newest reported count for that place and indicator,
  with its month. Figures shown side by side (all drugs beside synthetic opioids, a year
  earlier, the nation) are for the same month.
- History: a section whose newest month is more than STALE_MONTHS older than the newest month
  on the site is history: headed with its period, placed last, and never a headline or a letter.
- The long view: final data (NCHS rates, CDC WONDER months) joined to CDC's provisional counts
  where final data ends; a WONDER year with a suppressed month is "at least N".
Nothing here reads the request; text a person reads is made from these figures in templates.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from ..extensions import db
from ..states import STATES
from .indicators import ALL_DRUGS, INDICATORS, NATIONAL, NEW_YORK_CITY, PAGE_CODES, STALE_MONTHS, STATE_CODES, SYNTHETIC
from .longview import KEY_FIGURES, NCHS_RATES, WONDER, WONDER_SUMMARY
from .models import AgeGroupDeaths, LongFigure, Population, StatFigure, StatRelease

VSRR_SOURCE = "CDC NCHS VSRR provisional counts (data.cdc.gov xkb8-kh2a)"
DOWNLOAD_COLUMNS = ["jurisdiction", "indicator", "period_end", "reported", "predicted",
                    "percent_pending_investigation", "footnote", "new_york_scope",
                    "source", "period", "unit", "final", "at_least"]
# CDC's footnote sentences, and what each means in plain words (the words are in templates).
FOOTNOTES = [
    ("provisional", re.compile(r"Numbers may differ from published reports using final data\.\s*See Technical Notes\.")),
    ("underreported", re.compile(r"Underreported due to incomplete data\.")),
    ("suppressed", re.compile(r"Data suppressed \(<10\)\.")),
    ("low_quality", re.compile(r"Data not shown due to low data quality\.")),
    ("new_york", re.compile(r"New York State including New York City[^.]*\.")),
]
# How a New York State month was put together (CDC reports New York City apart as YC).
NY_SOURCE_ADDED, NY_ADDED_HERE, NY_WITHOUT_NYC = "source_added", "added_here", "without_nyc"


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def year_earlier(period: date) -> date:
    return date(period.year - 1, period.month, 1)


def is_history(last: date | None, newest: date | None) -> bool:
    """More than STALE_MONTHS older than the newest month on the site: history, not news."""
    return last is not None and newest is not None and months_between(last, newest) > STALE_MONTHS


def adjusted(reported: int | None, predicted: int | None) -> int | None:
    """CDC's delay-adjusted estimate ("Predicted Value"), or None where NCHS made none.

    Where NCHS does not adjust a figure, its newer releases repeat the reported count in the predicted
    column (every synthetic-opioid figure for 20 states, for instance); an equal value is no estimate, so
    the pages never present it as one. The download keeps CDC's column exactly as published.
    """
    return None if predicted is None or predicted == reported else predicted


def place_name(code: str) -> str:
    return "the United States" if code == NATIONAL else STATES.get(code, code)


@dataclass
class Point:
    period_end: date
    reported: int | None
    predicted: int | None
    footnote: str | None = None
    pending: float | None = None
    method: str = ""


@dataclass
class Series:
    indicator: str
    points: list[Point] = field(default_factory=list)

    def __post_init__(self):
        self._index: dict[date, Point] | None = None

    def at(self, period: date) -> Point | None:
        if self._index is None or len(self._index) != len(self.points):
            self._index = {p.period_end: p for p in self.points}
        return self._index.get(period)

    @property
    def latest(self) -> Point | None:
        """The newest month with a reported count (the figure every page leads with)."""
        return next((p for p in reversed(self.points) if p.reported is not None), None)

    @property
    def last_period(self) -> date | None:
        return next((p.period_end for p in reversed(self.points) if p.reported is not None or p.predicted is not None),
                    None)


# --- Loading ----------------------------------------------------------------------------------

@dataclass
class Data:
    """Every stored figure, read once (a handful of queries) for one build."""

    rows: dict[str, list] = field(default_factory=dict)
    population: dict[tuple[str, int], int] = field(default_factory=dict)
    ages_year: int | None = None
    ages: list[dict] = field(default_factory=list)
    long: list = field(default_factory=list)
    releases: list[StatRelease] = field(default_factory=list)
    newest: date | None = None
    wonder: dict[str, dict[tuple[int, int], int]] = field(default_factory=dict)  # synthetic deaths by state, month


def load() -> Data:
    data = Data()
    figures = db.session.execute(db.select(
        StatFigure.jurisdiction, StatFigure.indicator, StatFigure.period_end, StatFigure.reported,
        StatFigure.predicted, StatFigure.percent_pending, StatFigure.footnote, StatFigure.nyc_included,
    ).order_by(StatFigure.period_end)).all()
    rows: dict[str, list] = defaultdict(list)
    for row in figures:
        rows[row.jurisdiction].append(row)
    data.rows = dict(rows)
    data.newest = max((r.period_end for r in figures if r.reported is not None or r.predicted is not None),
                      default=None)
    data.population = {(p.jurisdiction, p.year): p.population for p in
                       db.session.execute(db.select(Population.jurisdiction, Population.year, Population.population))}
    ages = db.session.execute(db.select(AgeGroupDeaths.year, AgeGroupDeaths.age_group, AgeGroupDeaths.deaths)
                              .order_by(AgeGroupDeaths.year.desc(), AgeGroupDeaths.position)).all()
    if ages:
        data.ages_year = ages[0].year
        data.ages = [{"group": a.age_group, "deaths": a.deaths} for a in ages if a.year == data.ages_year]
    data.long = list(db.session.execute(db.select(
        LongFigure.dataset, LongFigure.jurisdiction, LongFigure.measure, LongFigure.indicator, LongFigure.unit,
        LongFigure.year, LongFigure.month, LongFigure.value, LongFigure.final, LongFigure.source, LongFigure.note,
    ).order_by(LongFigure.jurisdiction, LongFigure.dataset, LongFigure.measure, LongFigure.unit,
               LongFigure.year, LongFigure.month)).all())
    data.releases = list(db.session.execute(db.select(StatRelease).order_by(StatRelease.imported_at,
                                                                            StatRelease.id)).scalars())
    wonder: dict[str, dict] = defaultdict(dict)
    for r in data.long:
        if r.dataset == WONDER and r.measure == "synthetic":
            wonder[r.jurisdiction][(r.year, r.month)] = int(r.value)
    data.wonder = dict(wonder)
    return data


def series_for(code: str, data: Data, indicators=INDICATORS) -> dict[str, Series]:
    """Every shown indicator's monthly series for one place, New York State whole."""
    if code == "NY":
        return _new_york_whole(data, indicators)
    result = {indicator: Series(indicator) for indicator in indicators}
    for r in data.rows.get(code, []):
        if r.indicator in result:
            result[r.indicator].points.append(Point(r.period_end, r.reported, adjusted(r.reported, r.predicted),
                                                    r.footnote, r.percent_pending))
    return {k: v for k, v in result.items() if v.points}


def _new_york_whole(data: Data, indicators) -> dict[str, Series]:
    """New York State whole. CDC reports New York City (YC) apart from the rest of the state (NY).

    Where a source already added the two, its figure is used as it is; where both CDC figures are
    there, they are added here (a sum only when both parts are present); otherwise the month is
    shown with what it covers. Every point carries its method, and pages say so.
    """
    parts: dict[tuple, dict] = defaultdict(dict)
    for code in ("NY", NEW_YORK_CITY):
        for r in data.rows.get(code, []):
            parts[(r.indicator, r.period_end)][code] = r
    result = {indicator: Series(indicator) for indicator in indicators}
    for (indicator, period), both in sorted(parts.items(), key=lambda item: item[0][1]):
        if indicator not in result:
            continue
        ny, yc = both.get("NY"), both.get(NEW_YORK_CITY)
        if ny is not None and ny.nyc_included:
            point = Point(period, ny.reported, adjusted(ny.reported, ny.predicted), ny.footnote, ny.percent_pending,
                          NY_SOURCE_ADDED)
        elif ny is not None and yc is not None:
            # An estimate for the whole state only where NCHS made one for both parts.
            point = Point(period, _add(ny.reported, yc.reported),
                          _add(adjusted(ny.reported, ny.predicted), adjusted(yc.reported, yc.predicted)),
                          _same(ny.footnote, yc.footnote), None, NY_ADDED_HERE)
        elif ny is not None:
            point = Point(period, ny.reported, adjusted(ny.reported, ny.predicted), ny.footnote, ny.percent_pending,
                          NY_WITHOUT_NYC)
        else:
            continue  # New York City alone is not New York State
        result[indicator].points.append(point)
    return {k: v for k, v in result.items() if v.points}


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _same(a: str | None, b: str | None) -> str | None:
    """A footnote that holds for a sum: one both parts share, else both, so no caveat is lost."""
    return a if a == b else " ".join(part for part in (a, b) if part) or None


def population(data: Data, code: str, year: int) -> tuple[int, int] | None:
    """(population, year used): the estimate for that year, or the nearest earlier one."""
    years = [y for (c, y) in data.population if c == code and y <= year]
    return (data.population[(code, max(years))], max(years)) if years else None


def rate(count: int | None, people: tuple[int, int] | None) -> float | None:
    return None if count is None or not people else count / people[0] * 100_000


def notes(footnote: str | None) -> tuple[list[str], str | None]:
    """CDC's footnote as codes the templates put in plain words, and any text we don't know."""
    codes, rest = [], footnote or ""
    for code, pattern in FOOTNOTES:
        if pattern.search(rest):
            codes.append(code)
            rest = pattern.sub("", rest)
    rest = " ".join(rest.split())
    return codes, rest or None


# --- One place: the headline and the sections --------------------------------------------------

def figure(point: Point, series: Series) -> dict:
    """One headline figure with its month, CDC's notes in codes, and the same month a year earlier."""
    before = series.at(year_earlier(point.period_end))
    change = None
    if before is not None and before.reported and point.reported is not None:
        change = (point.reported - before.reported) / before.reported * 100
    codes, other = notes(point.footnote)
    return {
        "period_end": point.period_end, "reported": point.reported, "predicted": point.predicted,
        "notes": codes, "other_note": other, "pending": point.pending, "method": point.method,
        "before": ({"period_end": before.period_end, "reported": before.reported}
                   if before is not None and before.reported is not None else None),
        "change": change,
    }


def headline(code: str, series: dict[str, Series], data: Data, nation: Series | None) -> dict | None:
    """The figures a place leads with, the same everywhere: page, state table, memorial, letter, home.

    overdose: all drug overdose deaths, CDC's newest reported count (None when history).
    synthetic_same: deaths involving synthetic opioids in those same 12 months ("of those").
    synthetic: the newest synthetic-opioid count, only when it runs later than overdose (or alone).
    """
    overdose_series, synthetic_series = series.get(ALL_DRUGS), series.get(SYNTHETIC)
    overdose = overdose_series.latest if overdose_series else None
    if overdose is not None and is_history(overdose.period_end, data.newest):
        overdose = None
    synthetic = synthetic_series.latest if synthetic_series else None
    if synthetic is not None and is_history(synthetic.period_end, data.newest):
        synthetic = None
    if overdose is None and synthetic is None:
        return None
    head = {"code": code, "overdose": None, "synthetic_same": None, "synthetic": None, "rate": None,
            "population_year": None, "nation": None}
    if overdose is not None:
        head["overdose"] = figure(overdose, overdose_series)
        same = synthetic_series.at(overdose.period_end) if synthetic_series else None
        if same is not None and same.reported is not None:
            head["synthetic_same"] = {
                "period_end": same.period_end, "reported": same.reported, "predicted": same.predicted,
                "share": same.reported / overdose.reported * 100 if overdose.reported else None}
        people = population(data, code, overdose.period_end.year)
        head["rate"], head["population_year"] = rate(overdose.reported, people), people[1] if people else None
        national = nation.at(overdose.period_end) if nation is not None and code != NATIONAL else None
        if national is not None and national.reported is not None:
            head["nation"] = {"period_end": national.period_end, "reported": national.reported,
                              "rate": rate(national.reported, population(data, NATIONAL, overdose.period_end.year))}
    if synthetic is not None and (overdose is None or synthetic.period_end > overdose.period_end):
        head["synthetic"] = figure(synthetic, synthetic_series)
    return head


def _trend(series_list: list[Series], history: bool) -> dict | None:
    if not series_list:
        return None
    return {
        "history": history,
        "first": min(s.points[0].period_end for s in series_list),
        "last": max(s.last_period for s in series_list),
        # "adjusted": whether NCHS made any delay-adjusted estimate for the series (else no such column).
        "series": [{"indicator": s.indicator, "adjusted": any(p.predicted is not None for p in s.points),
                    "points": [[p.period_end, p.reported, p.predicted, p.method] for p in s.points]}
                   for s in series_list],
        "methods": sorted({p.method for s in series_list for p in s.points if p.method}),
    }


def trends(series: dict[str, Series], newest: date | None) -> tuple[dict | None, dict | None]:
    """The all-drug and synthetic-opioid lines since 2015: current ones, and any that are history."""
    shown = [series[i] for i in (ALL_DRUGS, SYNTHETIC) if i in series and series[i].last_period]
    current = [s for s in shown if not is_history(s.last_period, newest)]
    old = [s for s in shown if is_history(s.last_period, newest)]
    return _trend(current, False), _trend(old, True)


def by_drug(series: dict[str, Series], newest: date | None) -> dict | None:
    """Deaths by drug class at ONE month, the newest month with the most classes CDC counts."""
    classes = [series[i] for i in INDICATORS if i in series and i != ALL_DRUGS]
    counts = Counter(p.period_end for s in classes for p in s.points if p.reported is not None)
    if not counts or max(counts.values()) < 2:
        return None
    most = max(counts.values())
    month = max(d for d, n in counts.items() if n == most)
    rows = []
    for s in classes:
        point, before = s.at(month), s.at(year_earlier(month))
        reported = point.reported if point else None
        earlier = before.reported if before else None
        rows.append({"indicator": s.indicator, "reported": reported, "predicted": point.predicted if point else None,
                     "before": earlier,
                     "change": (reported - earlier) / earlier * 100 if reported is not None and earlier else None})
    return {"month": month, "before": year_earlier(month), "rows": rows, "history": is_history(month, newest),
            "adjusted": any(r["predicted"] is not None for r in rows),
            "first": min(s.points[0].period_end for s in classes), "last": month}


def ages(data: Data) -> dict | None:
    if not data.ages:
        return None
    last = date(data.ages_year, 12, 1)
    return {"year": data.ages_year, "rows": data.ages, "last": last, "history": is_history(last, data.newest)}


# --- The long view ------------------------------------------------------------------------------

def _wonder_coverage(data: Data) -> tuple[set[tuple[int, int]], set[int]]:
    """The (year, month)s some WONDER import asked for, and the years any WONDER row marks provisional."""
    covered: set[tuple[int, int]] = set()
    for r in data.releases:
        if r.dataset == WONDER and r.first_period and r.latest_period:
            y, m = r.first_period.year, r.first_period.month
            while (y, m) <= (r.latest_period.year, r.latest_period.month):
                covered.add((y, m))
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    provisional = {r.year for r in data.long if r.dataset == WONDER and not r.final}
    return covered, provisional


def state_long_view(code: str, data: Data, coverage) -> dict | None:
    """Synthetic-opioid deaths by year since 1999 from CDC WONDER: a year with a suppressed month is "at least"."""
    covered, provisional = coverage
    if not covered or code == NATIONAL:
        return None
    if code == "PR":
        return None  # WONDER counts residents of the 50 states and DC
    months = data.wonder.get(code, {})
    years, partial = [], None
    for year in sorted({y for y, _ in covered}):
        asked = [m for m in range(1, 13) if (year, m) in covered]
        if len(asked) < 12:
            partial = {"year": year, "through": date(year, max(asked), 1)}
            continue  # part of a year is not a year
        present = [months[(year, m)] for m in range(1, 13) if (year, m) in months]
        years.append({"year": year, "deaths": sum(present) if present else None,
                      "suppressed": 12 - len(present), "at_least": 0 < len(present) < 12,
                      "final": year not in provisional})
    if not years:
        return None
    last = date(years[-1]["year"], 12, 1)
    final_years = [y["year"] for y in years if y["final"]]
    return {"kind": "state", "years": years, "first": date(years[0]["year"], 1, 1), "last": last,
            "final_through": max(final_years) if final_years else None, "partial": partial,
            "any_shown": any(y["deaths"] is not None for y in years), "history": is_history(last, data.newest)}


def national_long_view(data: Data, series: dict[str, Series]) -> dict | None:
    """Death rates since 1999: NCHS final rates, then CDC's provisional counts as rates from where they end."""
    hus = [r for r in data.long if r.dataset == NCHS_RATES and r.measure in ("overdose", "synthetic")]
    rates: dict[tuple[str, str, int], float] = {(r.measure, r.unit, r.year): r.value for r in hus}
    final_years = sorted({r.year for r in hus if r.unit == "crude_rate"})
    if not final_years:
        return None
    last_final = final_years[-1]
    join = date(last_final, 12, 1)
    lines = {"overdose": [], "synthetic": []}
    rows = []
    for year in final_years:
        row = {"period_end": date(year, 12, 1), "final": True}
        for measure in ("overdose", "synthetic"):
            crude = rates.get((measure, "crude_rate", year))
            row[measure] = {"deaths": None, "rate": crude, "age_adjusted": rates.get((measure, "age_adjusted_rate", year))}
            if crude is not None:
                lines[measure].append([date(year, 12, 1), crude])
        rows.append(row)
    overdose, synthetic = series.get(ALL_DRUGS), series.get(SYNTHETIC)
    later = sorted({p.period_end for s in (overdose, synthetic) if s for p in s.points
                    if p.period_end > join and p.reported is not None})
    newest = {s.latest.period_end for s in (overdose, synthetic) if s and s.latest}  # each line's own end
    for period in later:
        row = {"period_end": period, "final": False}
        people = population(data, NATIONAL, period.year)
        for measure, s in (("overdose", overdose), ("synthetic", synthetic)):
            point = s.at(period) if s else None
            reported = point.reported if point else None
            value = rate(reported, people)
            row[measure] = {"deaths": reported, "rate": value, "age_adjusted": None}
            if value is not None:
                lines[measure].append([period, value])
        if period.month == 12 or period in newest:
            rows.append(row)
    final_counts = [{"year": r.year, "measure": r.measure, "unit": r.unit, "value": r.value,
                     "source": r.source, "url": r.note if (r.note or "").startswith("http") else None,
                     "official": r.dataset == WONDER_SUMMARY or r.source.startswith("NCHS Data Brief No.")}
                    for r in data.long if r.dataset in (KEY_FIGURES, WONDER_SUMMARY) and r.jurisdiction == NATIONAL
                    and r.measure in ("overdose", "synthetic") and r.unit in ("deaths", "age_adjusted_rate")
                    and r.final and r.year > last_final]
    final_counts.sort(key=lambda f: (f["year"], f["measure"] != "overdose", f["unit"], not f["official"]))
    last = later[-1] if later else join
    return {"kind": "national", "first": date(final_years[0], 1, 1), "last": last, "join": join,
            "provisional_from": later[0] if later else None,
            "last_final": last_final, "rows": rows, "lines": lines, "final_counts": final_counts,
            "history": is_history(last, data.newest)}


# --- Everything ----------------------------------------------------------------------------------

def _release(r: StatRelease) -> dict:
    try:
        cdc = json.loads(r.note or "")
    except ValueError:
        cdc = []
    return {"name": r.name, "dataset": r.dataset, "imported_at": r.imported_at.date(),
            "first_period": r.first_period, "latest_period": r.latest_period, "rows": r.row_count,
            "cdc_releases": cdc if isinstance(cdc, list) else []}


def page(code: str, data: Data, series: dict[str, Series], head: dict | None, coverage,
         releases: list[dict]) -> dict:
    """Everything one statistics page shows, in the order it shows it (history last)."""
    trend, trend_history = trends(series, data.newest)
    drugs = by_drug(series, data.newest)
    long_view = national_long_view(data, series) if code == NATIONAL else state_long_view(code, data, coverage)
    sections = [("trend", trend), ("trend", trend_history), ("drugs", drugs), ("ages", ages(data)),
                ("long", long_view)]
    present = [(name, s) for name, s in sections if s]
    ordered = [p for p in present if not p[1]["history"]] + [p for p in present if p[1]["history"]]
    has_all = ALL_DRUGS in series
    return {
        "code": code, "place": place_name(code), "newest": data.newest, "headline": head,
        "sections": [{"name": name, **s} for name, s in ordered],
        "no_synthetic": has_all and SYNTHETIC not in series and code != NATIONAL,
        "population": population(data, code, head["overdose"]["period_end"].year)
        if head and head["overdose"] else None,
        "releases": releases,
        "wonder": any(r.dataset == WONDER for r in data.releases),
        "standing": None,
    }


def state_table(heads: dict[str, dict | None], data: Data) -> dict:
    """Every state's headline all-drug figure, as on its own page, with its rate, its rank among the states
    (1: the highest rate) and its shade on the map; places without a current figure listed apart."""
    rows, others = [], []
    for code in PAGE_CODES:
        if code == NATIONAL:
            continue
        head = heads.get(code)
        overdose = head["overdose"] if head else None
        if overdose is not None:
            rows.append({"code": code, "name": STATES[code], "period_end": overdose["period_end"],
                         "reported": overdose["reported"], "rate": head["rate"], "change": overdose["change"],
                         "population_year": head["population_year"], "method": overdose["method"]})
        elif head and head["synthetic"]:
            others.append({"code": code, "name": STATES[code], "why": "synthetic_only"})
        elif any(r.indicator == ALL_DRUGS for r in data.rows.get(code, [])):
            others.append({"code": code, "name": STATES[code], "why": "history",
                           "last": max(r.period_end for r in data.rows[code] if r.indicator == ALL_DRUGS)})
    # Ranked and shaded by the rate as shown (one decimal), so two states that read the same rank the same.
    shown = {r["code"]: round(r["rate"], 1) for r in rows if r["rate"] is not None and r["code"] in STATE_CODES}
    breaks = rate_breaks(list(shown.values()))
    for r in rows:
        rate = shown.get(r["code"])
        r["rank"] = 1 + sum(1 for v in shown.values() if v > rate) if rate is not None else None
        r["rate_class"] = shade(rate, breaks)
        r["change_class"] = shade(round(r["change"], 1) if r["change"] is not None else None, CHANGE_BREAKS,
                                  above=True)
    months = Counter(r["period_end"] for r in rows)
    usual = months.most_common(1)[0][0] if months else None
    # The nation for the month most states run through, so the map's figures have it beside them.
    national = next((heads[r["code"]]["nation"] for r in rows if r["period_end"] == usual
                     and heads[r["code"]]["nation"] and heads[r["code"]]["nation"]["rate"] is not None), None)
    return {"rows": rows, "others": others, "months": [{"period_end": m, "count": n} for m, n in months.most_common()],
            "newest": data.newest, "ranked": len(shown), "rate_breaks": breaks, "change_breaks": list(CHANGE_BREAKS),
            "population_years": sorted({r["population_year"] for r in rows if r["population_year"]}),
            "national": national}


# The map's shades: rates split at whole numbers near the states' quintiles (at most five shades: "under 16",
# "16 to 18.9", ...); the change from a year earlier at fixed steps of ten points ("fell 30% or more", ...,
# "fell less than 10%, or no change"), a rise in a shade of its own.
RATE_SHADES = 5
CHANGE_BREAKS = (-30.0, -20.0, -10.0, 0.0)


def rate_breaks(rates: list[float]) -> list[float]:
    """Up to four whole-number breaks between the lowest and the highest rate, near its quintiles."""
    values = sorted(rates)
    if len(values) < 2:
        return []
    found = []
    for step in range(1, RATE_SHADES):
        cut = float(round(values[min(len(values) - 1, round(step * len(values) / RATE_SHADES))]))
        if values[0] < cut <= values[-1] and cut not in found:
            found.append(cut)
    return found


def shade(value: float | None, breaks, above: bool = False) -> int | None:
    """Which shade a value takes: one more for each break it reaches (above: each break it passes)."""
    if value is None:
        return None
    return sum(1 for b in breaks if (value > b if above else value >= b))


def standing(table: dict) -> dict[str, dict]:
    """Where each state stands: its rank among the states with a rate, how many those are, and the month
    most of them run through (a state whose figure runs to another month says so)."""
    usual = table["months"][0]["period_end"] if table["months"] else None
    return {r["code"]: {"rank": r["rank"], "of": table["ranked"], "usual_period": usual}
            for r in table["rows"] if r["rank"] is not None}


def download_rows(data: Data, coverage) -> list[dict]:
    """Every figure the site holds, one row each, CDC's exactly, with where it comes from."""
    out = []
    for code in sorted(data.rows):
        for r in sorted(data.rows[code], key=lambda r: (r.indicator, r.period_end)):
            scope = ""
            if code == "NY":
                scope = "includes New York City" if r.nyc_included else "excludes New York City (see YC)"
            out.append({"jurisdiction": code, "indicator": r.indicator, "period_end": r.period_end.strftime("%Y-%m"),
                        "reported": r.reported, "predicted": r.predicted,
                        "percent_pending_investigation": r.percent_pending, "footnote": r.footnote or "",
                        "new_york_scope": scope, "source": VSRR_SOURCE, "period": "12 months ending",
                        "unit": "deaths", "final": "no", "at_least": ""})
    for r in data.long:
        out.append({"jurisdiction": r.jurisdiction, "indicator": r.indicator,
                    "period_end": f"{r.year}-{r.month or 12:02d}",
                    "reported": int(r.value) if r.unit in ("deaths", "predicted_provisional_deaths") else r.value,
                    "predicted": None, "percent_pending_investigation": None, "footnote": r.note or "",
                    "new_york_scope": "", "source": r.source, "period": "month" if r.month else "calendar year",
                    "unit": r.unit, "final": "yes" if r.final else "no", "at_least": ""})
    for code in sorted(data.wonder):
        view = state_long_view(code, data, coverage)
        for y in view["years"] if view else []:
            out.append({"jurisdiction": code,
                        "indicator": "Deaths involving synthetic opioids other than methadone (T40.4), year total",
                        "period_end": f"{y['year']}-12", "reported": y["deaths"], "predicted": None,
                        "percent_pending_investigation": None,
                        "footnote": (f"{y['suppressed']} month(s) under 10 deaths, suppressed by CDC WONDER"
                                     if y["suppressed"] else ""),
                        "new_york_scope": "", "source": "Computed here: the sum of CDC WONDER's months",
                        "period": "calendar year", "unit": "deaths", "final": "yes" if y["final"] else "no",
                        "at_least": "yes" if y["at_least"] else ""})
    out.sort(key=lambda r: r["jurisdiction"])  # stable: each source's order is kept within a place
    return out


def csv_bytes(rows: list[dict]) -> bytes:
    """The header and rows as CSV."""
    return (csv_header() + csv_body(rows)).encode("utf-8")


def csv_header() -> str:
    return ",".join(DOWNLOAD_COLUMNS) + "\n"


def csv_body(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([["" if row[c] is None else row[c] for c in DOWNLOAD_COLUMNS] for row in rows])
    return out.getvalue()


def json_figures(rows: list[dict]) -> str:
    """The rows as the inside of a JSON array (so one place's text is also part of the whole file)."""
    return json.dumps(rows, separators=(",", ":"))[1:-1]


def json_bytes(figures: str, data: Data) -> bytes:
    """The JSON download around figures (json_figures' text, already encoded)."""
    vsrr = [r for r in data.releases if r.dataset == "vsrr"]
    latest = max(vsrr, key=lambda r: (r.imported_at, r.id)) if vsrr else None
    document = {
        "source": "CDC, National Center for Health Statistics, VSRR Provisional Drug Overdose Death Counts "
                  "(data.cdc.gov xkb8-kh2a). Provisional 12-month-ending counts. Long view since 1999: "
                  "NCHS Health, United States rates (data.cdc.gov 95ax-ymtc), CDC WONDER Multiple Cause of Death, "
                  "and NCHS figures transcribed from text (see each row's source).",
        "data_through": data.newest.strftime("%Y-%m") if data.newest else None,
        "imported": latest.imported_at.date().isoformat() if latest else None,
        "imports": [{"file": r.name, "dataset": r.dataset, "imported": r.imported_at.date().isoformat(),
                     "runs_through": r.latest_period.strftime("%Y-%m") if r.latest_period else None,
                     "figures": r.row_count, "cdc_releases": _release(r)["cdc_releases"]} for r in data.releases],
        "new_york": "CDC reports New York City (YC) apart from the rest of New York State (NY). NY rows are "
                    "CDC's NY unless new_york_scope says a source added NYC in; never add YC to those.",
        "columns": {
            "reported": "the figure as its source gives it: a count of deaths, or a rate when unit says so",
            "predicted": "CDC's Predicted Value (delay-adjusted), exactly as published; where it equals reported, "
                         "NCHS made no adjustment for that figure and the site's pages show no estimate",
            "period": "12 months ending (CDC VSRR), calendar year, or month (CDC WONDER)",
            "unit": "deaths, crude_rate or age_adjusted_rate (per 100,000 residents)",
            "final": "yes for final data, no for provisional",
            "at_least": "yes where CDC WONDER suppressed a month (under 10 deaths): the year total is a lower bound",
        },
        "figures": [],
    }
    text = json.dumps(document, separators=(",", ":"))
    assert text.endswith('"figures":[]}')
    return (text[:-2] + figures + "]}").encode("utf-8")


def status_lines(data: Data) -> list[tuple[str, int, date | None, list]]:
    """(indicator, jurisdictions covered, month it runs through, [(month, jurisdictions)...]) for stats-status."""
    ends: dict[str, dict[str, date]] = defaultdict(dict)
    for code, rows in data.rows.items():
        for r in rows:
            if r.reported is not None or r.predicted is not None:
                ends[r.indicator][code] = max(ends[r.indicator].get(code, r.period_end), r.period_end)
    out = []
    for indicator in INDICATORS:
        by_code = ends.get(indicator, {})
        months = Counter(by_code.values())
        out.append((indicator, len(by_code), max(by_code.values(), default=None), sorted(months.items(), reverse=True)))
    return out


@dataclass
class Built:
    pages: dict[str, dict]
    headlines: dict[str, dict | None]
    states: dict
    rows: list[dict]
    data: Data


def build() -> Built:
    """Every page's figures, every headline, the state table and the download rows, from one read."""
    data = load()
    coverage = _wonder_coverage(data)
    nation = series_for(NATIONAL, data).get(ALL_DRUGS)
    pages, heads = {}, {}
    releases = [_release(r) for r in data.releases]
    for code in PAGE_CODES:
        series = series_for(code, data)
        heads[code] = headline(code, series, data, nation)
        pages[code] = page(code, data, series, heads[code], coverage, releases)
    states = state_table(heads, data)
    for code, place in standing(states).items():
        pages[code]["standing"] = place
    return Built(pages, heads, states, download_rows(data, coverage), data)
