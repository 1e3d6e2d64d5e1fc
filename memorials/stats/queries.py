"""What the statistics pages show, computed from the stored figures (no request, no per-item query)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from ..extensions import db
from ..states import STATES
from .importer import ALL_DRUGS, INDICATORS, SYNTHETIC
from .models import AgeGroupDeaths, Population, StatFigure, StatRelease

NATIONAL = "US"
# Jurisdictions with a page: the nation, the states, DC and Puerto Rico (CDC reports these).
PAGE_CODES = ["US"] + [code for code in STATES if code not in {"AS", "GU", "MP", "VI"}]
SHORT_NAMES = {
    ALL_DRUGS: "All drug overdoses",
    "Opioids (T40.0-T40.4,T40.6)": "Any opioid",
    SYNTHETIC: "Synthetic opioids (mainly fentanyl)",
    "Heroin (T40.1)": "Heroin",
    "Natural & semi-synthetic opioids (T40.2)": "Prescription opioids",
    "Methadone (T40.3)": "Methadone",
    "Cocaine (T40.5)": "Cocaine",
    "Psychostimulants with abuse potential (T43.6)": "Methamphetamine & other stimulants",
}


def place_name(code: str) -> str:
    return "the United States" if code == NATIONAL else STATES.get(code, code)


def month_label(period: date | None) -> str:
    return period.strftime("%B %Y") if period else ""


def year_earlier(period: date) -> date:
    return date(period.year - 1, period.month, 1)


@dataclass
class Point:
    """One month of one series as shown: CDC's figures, and how they were put together."""

    period_end: date
    reported: int | None
    predicted: int | None
    method: str = ""  # for New York State: how the whole-state figure was computed
    footnote: str | None = None  # CDC's footnote for the month, e.g. "Underreported due to incomplete data."

    @property
    def best(self) -> int | None:
        """The figure to lead with: CDC's delay-adjusted prediction where it has one, else the reported count."""
        return self.predicted if self.predicted is not None else self.reported


@dataclass
class Series:
    jurisdiction: str
    indicator: str
    points: list[Point] = field(default_factory=list)

    @property
    def name(self) -> str:
        return SHORT_NAMES.get(self.indicator, self.indicator)

    @property
    def latest(self) -> Point | None:
        return next((p for p in reversed(self.points) if p.reported is not None or p.predicted is not None), None)

    def at(self, period: date) -> Point | None:
        return next((p for p in self.points if p.period_end == period), None)

    def change(self, basis: str = "reported", at: date | None = None) -> float | None:
        """Percent change from twelve months before, both "reported" or both "predicted" (latest month by default)."""
        latest = self.at(at) if at else self.latest
        before = self.at(year_earlier(latest.period_end)) if latest else None
        if before is None or getattr(latest, basis) is None or not getattr(before, basis):
            return None
        return (getattr(latest, basis) - getattr(before, basis)) / getattr(before, basis) * 100

    def change_basis(self, at: date | None = None) -> str:
        """Compare predicted with predicted where CDC gives both, as CDC does; else reported with reported."""
        return "predicted" if self.change("predicted", at) is not None else "reported"


@dataclass
class DrugRow:
    series: Series
    point: Point | None
    change: float | None
    basis: str


def by_drug(series: dict[str, Series]) -> tuple[date | None, list[DrugRow]]:
    """Deaths by drug class at ONE month, so bars compare like with like.

    The month is the latest one with the most drug classes CDC gives a count for: for the nation,
    the newest month; for states, CDC's releases here carry classes other than synthetic opioids only
    through February 2019, so that is the month shown (the page says so).
    """
    classes = [series[i] for i in INDICATORS if i in series and i != ALL_DRUGS]
    counts = Counter(p.period_end for s in classes for p in s.points if p.reported is not None)
    if not counts:
        return None, []
    most = max(counts.values())
    month = max(d for d, n in counts.items() if n == most)
    rows = []
    for s in classes:
        basis = s.change_basis(month)
        rows.append(DrugRow(s, s.at(month), s.change(basis, month), basis))
    return month, rows


def _figures(jurisdictions, indicators=None) -> list[StatFigure]:
    query = db.select(StatFigure).where(StatFigure.jurisdiction.in_(list(jurisdictions)))
    if indicators:
        query = query.where(StatFigure.indicator.in_(list(indicators)))
    return list(db.session.execute(query.order_by(StatFigure.period_end)).scalars())


def series_for(code: str, indicators=INDICATORS) -> dict[str, Series]:
    """Every shown indicator's monthly series for one jurisdiction, New York State whole."""
    code = code.upper()
    if code == "NY":
        return _new_york_whole(indicators)
    result = {indicator: Series(code, indicator) for indicator in indicators}
    for figure in _figures([code], indicators):
        result[figure.indicator].points.append(
            Point(figure.period_end, figure.reported, figure.predicted, footnote=figure.footnote))
    return {k: v for k, v in result.items() if v.points}


NY_SOURCE_ADDED = "New York State including New York City, as added together in the source release"
NY_ADDED_HERE = "CDC's New York (excluding New York City) plus CDC's New York City, added here"
NY_WITHOUT_NYC = "CDC's New York excluding New York City only: no New York City figure for this month"


def _new_york_whole(indicators) -> dict[str, Series]:
    """New York State whole. CDC reports New York City (YC) apart from the rest of the state (NY).

    Where a source already added the two, its figure is used as it is; where both CDC figures are
    there, they are added here (a sum is given only when both parts are present); otherwise the
    month is shown with what it covers. Every point carries its method, and pages say so.
    """
    by_key: dict[tuple, dict[str, StatFigure]] = defaultdict(dict)
    for figure in _figures(["NY", "YC"], indicators):
        by_key[(figure.indicator, figure.period_end)][figure.jurisdiction] = figure
    result = {indicator: Series("NY", indicator) for indicator in indicators}
    for (indicator, period), parts in sorted(by_key.items(), key=lambda item: item[0][1]):
        ny, yc = parts.get("NY"), parts.get("YC")
        if ny is not None and ny.nyc_included:
            point = Point(period, ny.reported, ny.predicted, NY_SOURCE_ADDED, ny.footnote)
        elif ny is not None and yc is not None:
            point = Point(period, _add(ny.reported, yc.reported), _add(ny.predicted, yc.predicted), NY_ADDED_HERE,
                          _same(ny.footnote, yc.footnote))
        elif ny is not None:
            point = Point(period, ny.reported, ny.predicted, NY_WITHOUT_NYC, ny.footnote)
        else:
            continue  # New York City alone is not New York State
        result[indicator].points.append(point)
    return {k: v for k, v in result.items() if v.points}


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _same(a: str | None, b: str | None) -> str | None:
    """A footnote that holds for a sum: one both parts share, else both, so no caveat is lost."""
    return a if a == b else " / ".join(part for part in (a, b) if part) or None


def population(code: str, year: int) -> tuple[int, int] | None:
    """(population, year used): the estimate for that year, or the nearest earlier one."""
    row = db.session.execute(
        db.select(Population.population, Population.year)
        .where(Population.jurisdiction == code.upper(), Population.year <= year)
        .order_by(Population.year.desc()).limit(1)
    ).first()
    return (row.population, row.year) if row else None


def rate(count: int | None, people: int | None) -> float | None:
    return None if count is None or not people else count / people * 100_000


@dataclass
class Headline:
    """The latest 12-month counts for a place: all drug overdose deaths and deaths involving synthetic opioids.

    overdose and synthetic are CDC's figures for their latest month (each a Point with .reported and
    .predicted); the two can run through different months, as CDC's releases do. overdose_deaths and
    synthetic_opioid_deaths are the figures to lead with: CDC's predicted (delay-adjusted) value where
    it has one, else the reported count. Each change is a percent from the same month a year earlier,
    on the basis named by overdose_change_basis / synthetic_change_basis ("predicted" or "reported").
    """

    jurisdiction: str
    overdose: Point
    overdose_change: float | None
    overdose_change_basis: str
    synthetic: Point | None
    synthetic_change: float | None
    synthetic_change_basis: str

    @property
    def period_end(self) -> date:
        return self.overdose.period_end

    @property
    def month_label(self) -> str:
        return month_label(self.period_end)

    @property
    def overdose_deaths(self) -> int | None:
        return self.overdose.best

    @property
    def synthetic_opioid_deaths(self) -> int | None:
        return self.synthetic.best if self.synthetic else None

    @property
    def synthetic_period_end(self) -> date | None:
        return self.synthetic.period_end if self.synthetic else None

    @property
    def synthetic_month_label(self) -> str:
        return month_label(self.synthetic_period_end)


def headline(code: str = NATIONAL) -> Headline | None:
    """The latest 12-month counts of all overdose deaths and of synthetic-opioid deaths, and their change."""
    return headline_from(code.upper(), series_for(code, [ALL_DRUGS, SYNTHETIC]))


def headline_from(code: str, series: dict[str, Series]) -> Headline | None:
    """The headline from series already loaded (a page that has them needs no second query)."""
    overdose = series.get(ALL_DRUGS)
    if overdose is None or overdose.latest is None:
        return None
    synthetic = series.get(SYNTHETIC)
    if synthetic is not None and synthetic.latest is None:
        synthetic = None
    overdose_basis = overdose.change_basis()
    synthetic_basis = synthetic.change_basis() if synthetic else "reported"
    return Headline(
        jurisdiction=code, overdose=overdose.latest,
        overdose_change=overdose.change(overdose_basis), overdose_change_basis=overdose_basis,
        synthetic=synthetic.latest if synthetic else None,
        synthetic_change=synthetic.change(synthetic_basis) if synthetic else None,
        synthetic_change_basis=synthetic_basis,
    )


def national_headline() -> Headline | None:
    """The nation's headline for the home page (see Headline), or None before any figures are loaded."""
    return headline(NATIONAL)


@dataclass
class LatestFigures:
    """A state's latest CDC counts, for letters to Congress.

    Both counts are CDC's REPORTED values ("Data Value", deaths counted so far), not the predicted
    (delay-adjusted) ones, and both are for the same 12 months ending period_end (the first of the
    month, as CDC dates it). synthetic_opioid_deaths is None where CDC publishes none for that month
    (Louisiana and Pennsylvania in the releases loaded, or a suppressed count); synthetic_period_end
    is then None, else equal to period_end. For New York the figures are the whole state.
    """

    jurisdiction: str
    state_name: str
    period_end: date
    month_label: str
    overdose_deaths: int | None
    synthetic_opioid_deaths: int | None
    synthetic_period_end: date | None


def latest_figures(code: str) -> LatestFigures | None:
    """The latest reported 12-month counts for a state, DC, PR or US; None for other codes or no figures."""
    code = (code or "").upper()
    if code not in PAGE_CODES:
        return None
    series = series_for(code, [ALL_DRUGS, SYNTHETIC])
    overdose = series.get(ALL_DRUGS)
    latest = next((p for p in reversed(overdose.points) if p.reported is not None), None) if overdose else None
    if latest is None:
        return None
    synthetic = series[SYNTHETIC].at(latest.period_end) if SYNTHETIC in series else None
    synthetic_count = synthetic.reported if synthetic else None
    return LatestFigures(code, place_name(code), latest.period_end, month_label(latest.period_end),
                         latest.reported, synthetic_count, latest.period_end if synthetic_count is not None else None)


@dataclass
class StateRow:
    code: str
    name: str
    latest: Point
    change: float | None
    rate: float | None
    note: str


SORTS = ("name", "count", "rate", "change")


def state_table(sort: str = "name") -> list[StateRow]:
    """Every state's latest all-drug count, rate per 100,000 and change from a year earlier."""
    figures = _figures([c for c in PAGE_CODES if c != NATIONAL] + ["YC"], [ALL_DRUGS])
    by_code: dict[str, Series] = defaultdict(lambda: Series("", ALL_DRUGS))
    for figure in figures:
        by_code[figure.jurisdiction].points.append(Point(figure.period_end, figure.reported, figure.predicted))
    by_code["NY"] = _new_york_whole([ALL_DRUGS]).get(ALL_DRUGS, Series("NY", ALL_DRUGS))
    people = {(p.jurisdiction, p.year): p.population for p in db.session.execute(db.select(Population)).scalars()}
    rows = []
    for code in PAGE_CODES:
        series = by_code.get(code)
        if code == NATIONAL or series is None or series.latest is None:
            continue
        latest = series.latest
        year = max((y for (c, y) in people if c == code and y <= latest.period_end.year), default=None)
        rows.append(StateRow(code, STATES[code], latest, series.change(),
                             rate(latest.reported, people.get((code, year))), latest.method))
    keys = {
        "name": lambda r: r.name,
        "count": lambda r: -(r.latest.reported or -1),
        "rate": lambda r: -(r.rate if r.rate is not None else -1),
        "change": lambda r: -(r.change if r.change is not None else -1e9),
    }
    return sorted(rows, key=keys.get(sort, keys["name"]))


def age_groups() -> tuple[int | None, list[AgeGroupDeaths]]:
    rows = list(db.session.execute(db.select(AgeGroupDeaths).order_by(AgeGroupDeaths.year.desc(),
                                                                       AgeGroupDeaths.position)).scalars())
    if not rows:
        return None, []
    year = rows[0].year
    return year, [r for r in rows if r.year == year]


def releases() -> list[StatRelease]:
    """Every import, oldest first (a handful of rows), for the pages' note on where figures come from."""
    return list(db.session.execute(db.select(StatRelease).order_by(StatRelease.imported_at, StatRelease.id)).scalars())


def latest_release() -> StatRelease | None:
    return db.session.execute(db.select(StatRelease).order_by(StatRelease.imported_at.desc(),
                                                              StatRelease.id.desc()).limit(1)).scalar_one_or_none()


def data_through() -> date | None:
    return db.session.execute(db.select(db.func.max(StatFigure.period_end))).scalar()


def all_figures(jurisdiction: str | None = None):
    """Every figure the site holds, for the download, in a stable order."""
    query = db.select(StatFigure)
    if jurisdiction:
        query = query.where(StatFigure.jurisdiction == jurisdiction.upper())
    return db.session.execute(query.order_by(StatFigure.jurisdiction, StatFigure.indicator,
                                             StatFigure.period_end)).scalars()
