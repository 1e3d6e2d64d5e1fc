"""The numbers: CDC's figures imported from both public shapes, shown and downloaded exactly."""
from __future__ import annotations

import csv
import html
import io
from datetime import date
from pathlib import Path

import pytest

from memorials.extensions import db
from memorials.stats import importer, queries
from memorials.stats.models import StatFigure, StatRelease

FIXTURES = Path(__file__).parent / "fixtures" / "stats"
ALL = importer.ALL_DRUGS
SYN = importer.SYNTHETIC


def figure(jurisdiction, indicator, period):
    return db.session.execute(db.select(StatFigure).filter_by(
        jurisdiction=jurisdiction, indicator=indicator, period_end=period)).scalar_one_or_none()


@pytest.fixture
def loaded(app):
    """The CSV export, then the API-shape CSV, then population and age groups."""
    with app.app_context():
        importer.import_vsrr(str(FIXTURES / "vsrr_export.csv"))
        importer.import_vsrr(str(FIXTURES / "vsrr_api.csv"))
        importer.import_population(str(FIXTURES / "population.csv"), "Census test fixture")
        importer.import_age_groups(str(FIXTURES / "age_groups.csv"), "WONDER test fixture")
    return app


def test_csv_export_is_read_exactly_thousands_separators_bom_and_all(app):
    with app.app_context():
        release = importer.import_vsrr(str(FIXTURES / "vsrr_export.csv"))
        us = figure("US", ALL, date(2019, 2, 1))
        assert (us.reported, us.predicted, us.percent_pending) == (67029, 69029, 0.41)
        assert release.latest_period == date(2019, 2, 1) and release.row_count == 11
        assert release.skipped == 2  # "Percent with drugs specified" and "Number of Deaths" are not shown
        # A suppressed or low-quality cell stays empty, never 0.
        alaska = figure("AK", "Heroin (T40.1)", date(2019, 2, 1))
        assert alaska.reported is None and alaska.predicted is None


def test_api_shape_replaces_what_it_carries_and_leaves_the_rest(loaded):
    with loaded.app_context():
        assert (figure("US", SYN, date(2019, 2, 1)).reported, figure("US", SYN, date(2019, 2, 1)).predicted) == (31200, 32100)
        assert figure("OH", SYN, date(2019, 3, 1)).reported == 2755
        assert figure("US", ALL, date(2019, 2, 1)).reported == 67029  # not in the second file: untouched
        assert db.session.execute(db.select(db.func.count(StatRelease.id))).scalar() == 2


def test_api_json_shape_and_new_york_as_the_source_added_it(app):
    with app.app_context():
        importer.import_vsrr(str(FIXTURES / "vsrr_api.json"))
        ny = figure("NY", ALL, date(2019, 3, 1))
        assert ny.reported == 3390 and ny.predicted is None and ny.nyc_included is True
        assert figure("WY", ALL, date(2019, 3, 1)).predicted == 66


def test_a_malformed_file_is_refused_whole_with_the_line_and_nothing_changes(loaded, runner):
    with loaded.app_context():
        before = [(f.jurisdiction, f.indicator, f.period_end, f.reported) for f in
                  db.session.execute(db.select(StatFigure).order_by(StatFigure.id)).scalars()]
    result = runner.invoke(args=["import-stats", str(FIXTURES / "vsrr_malformed.csv")])
    assert result.exit_code != 0
    assert "Nothing was imported" in result.output and "line 3" in result.output and "not a number" in result.output
    with loaded.app_context():
        after = [(f.jurisdiction, f.indicator, f.period_end, f.reported) for f in
                 db.session.execute(db.select(StatFigure).order_by(StatFigure.id)).scalars()]
        assert after == before and figure("US", ALL, date(2019, 2, 1)).reported == 67029
        assert db.session.execute(db.select(db.func.count(StatRelease.id))).scalar() == 2


@pytest.mark.parametrize("content, message", [
    ("name,value\nx,1\n", "missing columns"),
    ("", "empty"),
    ("state,year,month,period,indicator,data_value,predicted_value\nUSA,2019,February,12 month-ending,x,1,1\n", "line 2"),
    ("state,year,month,period,indicator,data_value,predicted_value\nUS,2019,Febtober,12 month-ending,x,1,1\n", "not a month"),
    ("state,year,month,period,indicator,data_value,predicted_value\n"
     f"US,2019,May,12 month-ending,{ALL},1,1\nUS,2019,May,12 month-ending,{ALL},2,2\n", "same State"),
    ("[{\"state\": ", "JSON is broken"),
])
def test_broken_files_get_a_clear_message(app, tmp_path, content, message):
    path = tmp_path / "broken.csv"
    path.write_text(content)
    with app.app_context(), pytest.raises(importer.StatsImportError, match=message):
        importer.import_vsrr(str(path))


def test_import_stats_command_reports_what_it_did(app, runner):
    result = runner.invoke(args=["import-stats", str(FIXTURES / "vsrr_export.csv")])
    assert result.exit_code == 0, result.output
    assert "Imported 11 figures through February 2019" in result.output and "2 rows of other indicators skipped" in result.output


def test_national_page_shows_cdc_figures_exactly_with_source_and_provisional_note(loaded, client):
    page = html.unescape(client.get("/stats/").get_data(as_text=True))
    assert "69,029" in page and "67,029 reported" in page          # headline: predicted, and reported
    assert "12 months ending February 2019" in page
    assert "Down 6.5% from a year earlier" in page                  # 67,029 vs 71,652
    assert "32,100" in page and "31,200" in page                     # the API-shape revision won
    assert "National Center for Health Statistics" in page and "provisional" in page
    assert "Data runs through March 2019" in page and "imported" in page
    assert "12-month-ending count" in page
    assert 'role="img"' in page and "<title id=" in page and " style=" not in page
    assert "<caption>" in page                                       # figures also in tables
    assert "25-34 years" in page and "10,421" in page                # who is dying


def test_state_table_has_count_rate_change_and_links(loaded, client):
    page = client.get("/stats/?sort=rate").get_data(as_text=True)
    assert 'href="/stats/OH"' in page
    row = page.split('href="/stats/OH">Ohio</a>')[1].split("</tr>")[0]
    assert "3,764" in row and "32.2" in row and "-26.4%" in row       # 3,764 / 11,689,100 × 100,000; vs 5,111


def test_state_page_any_case_and_unknown_code(loaded, client):
    assert client.get("/stats/oh").status_code == 200
    page = client.get("/stats/OH").get_data(as_text=True)
    assert "Overdose deaths in Ohio" in page and "3,880" in page and "2,880" in page
    assert client.get("/stats/ZZ").status_code == 404 and client.get("/stats/ohio").status_code == 404
    assert "United States" in client.get("/stats/US").get_data(as_text=True)


def test_new_york_is_shown_whole_and_says_how(loaded, client):
    with loaded.app_context():
        importer.import_vsrr(str(FIXTURES / "vsrr_api.json"))
        series = queries.series_for("NY")[ALL]
        february, march = series.at(date(2019, 2, 1)), series.at(date(2019, 3, 1))
        assert (february.reported, february.predicted) == (1944 + 1452, 2010 + 1500)
        assert february.method == queries.NY_ADDED_HERE
        assert march.reported == 3390 and march.method == queries.NY_SOURCE_ADDED
    page = html.unescape(client.get("/stats/NY").get_data(as_text=True))
    assert "New York State, whole" in page and "added here" in page and "3,390" in page


def test_download_csv_keeps_the_columns_and_cdcs_figures(loaded, client):
    response = client.get("/stats/data.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0])[:5] == ["jurisdiction", "indicator", "period_end", "reported", "predicted"]
    us = next(r for r in rows if r["jurisdiction"] == "US" and r["indicator"] == ALL and r["period_end"] == "2019-02")
    assert (us["reported"], us["predicted"]) == ("67029", "69029")
    alaska = next(r for r in rows if r["jurisdiction"] == "AK")
    assert alaska["reported"] == "" and alaska["predicted"] == ""
    ny = next(r for r in rows if r["jurisdiction"] == "NY")
    assert ny["new_york_scope"].startswith("excludes New York City")
    only_ohio = list(csv.DictReader(io.StringIO(client.get("/stats/data.csv?jurisdiction=oh").get_data(as_text=True))))
    assert {r["jurisdiction"] for r in only_ohio} == {"OH"} and len(only_ohio) == 4


def test_download_json_has_every_figure_and_the_source(loaded, client):
    data = client.get("/stats/data.json?jurisdiction=US").get_json()
    assert "National Center for Health Statistics" in data["source"] and data["data_through"] == "2019-03"
    by_key = {(f["indicator"], f["period_end"]): f for f in data["figures"]}
    assert by_key[(SYN, "2019-02")]["reported"] == 31200 and by_key[(ALL, "2018-02")]["predicted"] == 73510


def test_home_page_shows_the_headline(loaded, client):
    page = client.get("/").get_data(as_text=True)
    assert "69,029" in page and 'href="/stats/"' in page


def test_latest_figures_for_letters(loaded):
    with loaded.app_context():
        ohio = queries.latest_figures("oh")
        assert (ohio.overdose_deaths, ohio.month_label) == (3764, "February 2019")
        assert (ohio.synthetic_opioid_deaths, ohio.synthetic_period_end) == (2755, date(2019, 3, 1))
        assert queries.latest_figures("ZZ") is None and queries.latest_figures("WY") is None


def test_bundled_snapshot_loads_the_newest_release_figures(app):
    """Figures SOURCES.md quotes from the newest releases are what the snapshot gives."""
    from memorials.stats.snapshot import load_bundled

    with app.app_context():
        assert "loaded" in load_bundled()
        assert "already loaded" in load_bundled()
        september = figure("US", ALL, date(2025, 9, 1))
        assert (september.reported, september.predicted) == (68962, 72108)
        assert (figure("US", ALL, date(2024, 9, 1)).reported, figure("US", ALL, date(2024, 9, 1)).predicted) == (87652, 88948)
        december = figure("US", SYN, date(2025, 12, 1))
        assert (december.reported, december.predicted) == (37777, 38200)
        assert figure("LA", SYN, date(2025, 1, 1)) is None  # CDC publishes none for Louisiana
        assert queries.population("OH", 2025)[0] > 11_000_000
