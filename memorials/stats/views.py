"""The numbers: national and state pages, and the download of every figure."""
from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template, request

from . import bp, charts, queries
from .importer import ALL_DRUGS, SYNTHETIC

DOWNLOAD_COLUMNS = ["jurisdiction", "indicator", "period_end", "reported", "predicted",
                    "percent_pending_investigation", "footnote", "new_york_scope"]


@bp.get("/")
def index():
    """The national picture and every state's latest figures."""
    sort = request.args.get("sort", "name")
    if sort not in queries.SORTS:
        sort = "name"
    return render_template("stats/index.html", sort=sort, states=queries.state_table(sort),
                           **_page("US"))


@bp.get("/<code>")
def state(code: str):
    """One state's figures (US is the nation); an unknown code answers 404."""
    code = code.upper()
    if code not in queries.PAGE_CODES:
        abort(404)
    return render_template("stats/state.html", **_page(code))


def _page(code: str) -> dict:
    series = queries.series_for(code)
    trend = [series[key] for key in (ALL_DRUGS, SYNTHETIC) if key in series]
    place = queries.place_name(code)
    year, ages = queries.age_groups()
    head = queries.headline_from(code, series)
    people = queries.population(code, head.period_end.year) if head else None
    drug_month, drugs = queries.by_drug(series)
    return {
        "code": code, "place": place, "series": series, "trend": trend, "synthetic_indicator": SYNTHETIC,
        "headline": head, "population": people,
        "rate": queries.rate(head.overdose.reported, people[0]) if head and people else None,
        "trend_chart": _trend_chart(code, place, trend),
        "drug_month": drug_month, "drugs": drugs, "drugs_chart": _drugs_chart(code, place, drug_month, drugs),
        "age_year": year, "ages": ages, "ages_chart": _ages_chart(year, ages),
        "releases": queries.releases(),
        "ny_methods": sorted({p.method for s in series.values() for p in s.points if p.method}),
    }


def _trend_chart(code, place, trend):
    lines = []
    for s in trend:
        css = "all" if s.indicator == ALL_DRUGS else "synthetic"
        lines.append({"label": s.name, "css": f"line {css}",
                      "points": [(p.period_end, p.reported) for p in s.points]})
        if any(p.predicted is not None for p in s.points):
            lines.append({"label": None, "css": f"line {css} predicted",
                          "points": [(p.period_end, p.predicted) for p in s.points]})
    summary = "; ".join(
        f"{s.name}: {s.latest.reported:,} reported"
        + (f" ({s.latest.predicted:,} predicted)" if s.latest.predicted is not None else "")
        + f" in the 12 months ending {queries.month_label(s.latest.period_end)}"
        + (f", from {s.points[0].reported:,} in the 12 months ending {queries.month_label(s.points[0].period_end)}"
           if s.points[0].reported is not None else "")
        for s in trend if s.latest and s.latest.reported is not None)
    return charts.line_chart(f"trend-{code}", f"Overdose deaths in {place}, 12-month-ending counts since 2015",
                             (summary + ". Solid lines are reported counts, dashed lines predicted.") if summary
                             else "No figures.", lines)


def _drugs_chart(code, place, month, drugs):
    if month is None:
        return None
    bars = [(row.series.name, row.point.reported if row.point else None) for row in drugs]
    summary = "; ".join(f"{name}: {value:,}" for name, value in bars if value is not None)
    return charts.bar_chart(f"drugs-{code}", f"Deaths by drug in {place}, 12 months ending "
                            f"{queries.month_label(month)}, reported counts", summary or "No figures.", bars)


def _ages_chart(year, ages):
    if not ages:
        return None
    bars = [(a.age_group, a.deaths) for a in ages]
    summary = "; ".join(f"{name}: {value:,}" for name, value in bars if value is not None)
    return charts.bar_chart("ages", f"Deaths involving synthetic opioids (mainly fentanyl) by age, {year}",
                            summary, bars)


def _rows(jurisdiction):
    for f in queries.all_figures(jurisdiction):
        scope = ""
        if f.jurisdiction == "NY":
            scope = "includes New York City" if f.nyc_included else "excludes New York City (see YC)"
        yield {"jurisdiction": f.jurisdiction, "indicator": f.indicator,
               "period_end": f.period_end.strftime("%Y-%m"), "reported": f.reported, "predicted": f.predicted,
               "percent_pending_investigation": f.percent_pending, "footnote": f.footnote or "",
               "new_york_scope": scope}


def _jurisdiction_filter() -> str | None:
    value = (request.args.get("jurisdiction") or "").strip().upper()
    return value or None


@bp.get("/data.csv")
def data_csv():
    """Every figure the site holds, one row per jurisdiction, indicator and month."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=DOWNLOAD_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in _rows(_jurisdiction_filter()):
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=overdose-deaths-cdc-vsrr.csv"})


@bp.get("/data.json")
def data_json():
    """The same figures as JSON, with the source and how far the data runs."""
    release = queries.latest_release()
    through = queries.data_through()
    imports = [{"file": r.name, "imported": r.imported_at.date().isoformat(),
                "runs_through": r.latest_period.strftime("%Y-%m") if r.latest_period else None,
                "figures": r.row_count, "cdc_releases": r.cdc_releases} for r in queries.releases()]
    return {
        "source": "CDC, National Center for Health Statistics, VSRR Provisional Drug Overdose Death Counts "
                  "(data.cdc.gov xkb8-kh2a). Provisional 12-month-ending counts.",
        "data_through": through.strftime("%Y-%m") if through else None,
        "imported": release.imported_at.date().isoformat() if release else None,
        "imports": imports,
        "new_york": "CDC reports New York City (YC) apart from the rest of New York State (NY). NY rows are "
                    "CDC's NY unless new_york_scope says a source added NYC in; never add YC to those.",
        "figures": list(_rows(_jurisdiction_filter())),
    }
