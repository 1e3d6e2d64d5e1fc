"""The numbers: CDC's figures imported from both public shapes, shown and downloaded exactly.

The fixtures are real CDC rows (see tests/fixtures/stats/README.md), imported in CDC's release
order, so "what the page shows" can be checked against "what CDC published" line by line.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event

from memorials.extensions import db
from memorials.stats import importer, queries
from memorials.stats.models import StatFigure, StatRelease

FIXTURES = Path(__file__).parent / "fixtures" / "stats"
ALL = importer.ALL_DRUGS
SYN = importer.SYNTHETIC
# Oldest CDC release first, as SOURCES.md orders the real files.
RELEASE_ORDER = ["vsrr_export.csv", "vsrr_api.json", "vsrr_export_2026.csv", "vsrr_api.csv"]


def figure(jurisdiction, indicator, period):
    return db.session.execute(db.select(StatFigure).filter_by(
        jurisdiction=jurisdiction, indicator=indicator, period_end=period)).scalar_one_or_none()


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def cdc_figures_last_file_wins() -> dict[tuple[str, str, str], tuple[str, str]]:
    """What CDC's files say, read here with nothing but csv/json: (state, indicator, YYYY-MM) -> values."""
    months = {m: n for n, m in enumerate(["January", "February", "March", "April", "May", "June", "July", "August",
                                          "September", "October", "November", "December"], start=1)}
    expected = {}
    for name in RELEASE_ORDER:
        text = (FIXTURES / name).read_text(encoding="utf-8-sig")
        records = json.loads(text) if name.endswith(".json") else list(csv.DictReader(io.StringIO(text)))
        for r in records:
            r = {k.lower().replace(" ", "_"): v for k, v in r.items()}
            if r["indicator"] not in importer.INDICATORS:
                continue
            key = (r["state"], r["indicator"], f"{r['year']}-{months[r['month']]:02d}")
            expected[key] = (r.get("data_value", "").replace(",", ""), r.get("predicted_value", "").replace(",", ""))
    return expected


@pytest.fixture
def loaded(app):
    """The four VSRR fixtures in CDC's release order, then population and age groups."""
    with app.app_context():
        for name in RELEASE_ORDER:
            importer.import_vsrr(str(FIXTURES / name))
        importer.import_population(str(FIXTURES / "population.csv"), "Census Vintage 2020 test rows")
        importer.import_population(str(FIXTURES / "population_2025.csv"), "Census Vintage 2025 test rows")
        importer.import_age_groups(str(FIXTURES / "age_groups.csv"), "WONDER test rows")
    return app


# --- The importer -----------------------------------------------------------------------------

def test_csv_export_is_read_exactly_thousands_separators_bom_and_all(app):
    with app.app_context():
        release = importer.import_vsrr(str(FIXTURES / "vsrr_export.csv"))
        us = figure("US", ALL, date(2019, 2, 1))
        assert (us.reported, us.predicted, us.percent_pending) == (67029, 69029, 0.216727325)
        assert us.footnote == "Underreported due to incomplete data."
        assert release.latest_period == date(2019, 2, 1) and release.row_count == 22
        assert release.skipped == 2  # "Percent with drugs specified" and "Number of Deaths" are not shown
        # Suppressed (<10) or low-quality cells stay empty, never 0 - even when the other value is given.
        suppressed = figure("AK", "Methadone (T40.3)", date(2019, 2, 1))
        assert (suppressed.reported, suppressed.predicted) == (None, 10)
        low_quality = figure("AK", "Methadone (T40.3)", date(2015, 4, 1))
        assert (low_quality.reported, low_quality.predicted) == (None, None)


def test_the_newer_export_every_field_quoted_and_no_bom(app):
    with app.app_context():
        importer.import_vsrr(str(FIXTURES / "vsrr_export_2026.csv"))
        pa = figure("PA", ALL, date(2025, 9, 1))
        assert (pa.reported, pa.predicted) == (2891, 3042)
        assert (figure("US", ALL, date(2025, 9, 1)).reported, figure("US", ALL, date(2025, 9, 1)).predicted) == (68962, 72108)


def test_the_last_import_wins_for_what_it_carries_and_leaves_the_rest(loaded):
    with loaded.app_context():
        # The 2019 release said 31,466 / 32,656; the 2026 release (API shape) revised it.
        revised = figure("US", SYN, date(2019, 2, 1))
        assert (revised.reported, revised.predicted) == (31754, 31971)
        assert figure("OH", SYN, date(2019, 2, 1)).reported == 2869
        # Not in the newer files: untouched.
        assert figure("US", SYN, date(2018, 2, 1)).reported == 28811
        assert figure("US", ALL, date(2019, 2, 1)).reported == 67029
        assert db.session.execute(db.select(db.func.count(StatRelease.id))).scalar() == 4
        assert db.session.execute(db.select(db.func.count(StatFigure.id))).scalar() == len(cdc_figures_last_file_wins())


def test_api_json_shape_and_new_york_as_the_source_added_it(app):
    with app.app_context():
        importer.import_vsrr(str(FIXTURES / "vsrr_api.json"))
        ny = figure("NY", ALL, date(2019, 2, 1))
        assert ny.reported == 3617 and ny.predicted is None and ny.nyc_included is True
        wyoming = figure("WY", ALL, date(2019, 3, 1))
        assert (wyoming.reported, wyoming.predicted, wyoming.nyc_included) == (64, None, None)


def test_a_malformed_file_is_refused_whole_with_the_line_and_nothing_changes(loaded, runner):
    with loaded.app_context():
        before = [(f.jurisdiction, f.indicator, f.period_end, f.reported, f.predicted) for f in
                  db.session.execute(db.select(StatFigure).order_by(StatFigure.id)).scalars()]
    result = runner.invoke(args=["import-stats", str(FIXTURES / "vsrr_malformed.csv")])
    assert result.exit_code != 0
    assert "Nothing was imported" in result.output and "line 3" in result.output and "not a number" in result.output
    with loaded.app_context():
        after = [(f.jurisdiction, f.indicator, f.period_end, f.reported, f.predicted) for f in
                 db.session.execute(db.select(StatFigure).order_by(StatFigure.id)).scalars()]
        # Line 2 of the bad file was fine and would have changed this figure: it did not.
        assert after == before and figure("US", ALL, date(2019, 2, 1)).reported == 67029
        assert db.session.execute(db.select(db.func.count(StatRelease.id))).scalar() == 4


HEADER = "state,year,month,period,indicator,data_value,predicted_value\n"


@pytest.mark.parametrize("content, message", [
    ("name,value\nx,1\n", "line 1: .*missing columns"),
    ("", "empty"),
    (HEADER + "USA,2019,February,12 month-ending,x,1,1\n", "line 2: State"),
    (HEADER + "US,2019,Febtober,12 month-ending,x,1,1\n", "line 2: Month .*not a month"),
    (HEADER + f"US,2019,May,12 month-ending,{ALL},1,1\nUS,2019,May,12 month-ending,{ALL},2,2\n", "line 3: the same State"),
    (HEADER + f"US,2019,May,12 month-ending,{ALL},1.5,1\n", "line 2: Data Value .*not a whole count"),
    (HEADER + f"US,2019,May,12 month-ending,{ALL},-4,1\n", "line 2: Data Value .*not a whole count"),
    (HEADER + f"US,2019,May,12 month-ending,{ALL},4\n", "line 2: expected 7 fields, found 6"),
    (HEADER + f"US,2019,May,Calendar year,{ALL},4,4\n", "line 2: Period"),
    ("[{\"state\": ", "JSON is broken"),
])
def test_broken_files_get_a_clear_message(app, tmp_path, content, message):
    path = tmp_path / "broken.csv"
    path.write_text(content)
    with app.app_context(), pytest.raises(importer.StatsImportError, match=message):
        importer.import_vsrr(str(path))
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(StatFigure.id))).scalar() == 0


def test_import_stats_command_reports_what_it_did(app, runner):
    result = runner.invoke(args=["import-stats", str(FIXTURES / "vsrr_export.csv")])
    assert result.exit_code == 0, result.output
    assert "Imported 22 figures through February 2019" in result.output
    assert "2 rows of other indicators skipped" in result.output


# --- The pages --------------------------------------------------------------------------------

def test_national_page_shows_cdc_figures_exactly_with_source_and_provisional_note(loaded, client):
    page = page_text(client, "/stats/")
    # Headline: CDC's predicted count, its reported count, and the change predicted-to-predicted
    # (72,108 against 88,948 a year earlier), as CDC itself compares them.
    assert "72,108" in page and "68,962 reported so far" in page and "12 months ending September 2025" in page
    assert "Down 18.9% from a year earlier (predicted counts)" in page
    assert "Note with this figure in the source: Underreported due to incomplete data." in page
    # Synthetic opioids run through a different month in CDC's releases; the page says which.
    assert "32,242" in page and "32,019 reported so far" in page and "12 months ending March 2019" in page
    assert "Up 10.0% from a year earlier (predicted counts)" in page   # 32,242 against 29,313
    assert "National Center for Health Statistics" in page and "provisional" in page
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "runs through September 2025 for all drug overdose deaths, and through March 2019 for synthetic opioids" in words
    assert "12-month-ending count" in page and "Imported:" in page and "vsrr_api.csv, running through March 2019" in page
    assert "87,652" in page and "88,948" in page                     # the trend table, a year earlier
    assert "25-34 years" in page and "10,421" in page                # who is dying


def test_deaths_by_drug_compare_one_month(loaded, client):
    page = page_text(client, "/stats/")
    table = page.split("<caption>Deaths by drug in the United States, 12 months ending February 2019")[1].split("</table>")[0]
    assert "14,918" in table and "15,349" in table and "31,754" in table and "31,971" in table
    ohio = page_text(client, "/stats/OH")
    assert "12 months ending February 2019" in ohio and "710" in ohio and "2,869" in ohio
    assert "only through February 2019" not in ohio  # Ohio's totals here are as old as its figures by drug
    louisiana = page_text(client, "/stats/LA")
    assert "CDC publishes no synthetic-opioid (fentanyl) counts for Louisiana" in louisiana
    assert "1,202" in louisiana and "3,042" not in louisiana


def test_charts_are_accessible_svg_and_tell_reported_from_predicted(loaded, client):
    page = client.get("/stats/").get_data(as_text=True)
    svg = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(svg) == 3 and all('role="img"' in s and "<title id=" in s and "<desc id=" in s for s in svg)
    assert 'class="line all predicted"' in svg[0] and 'class="line all"' in svg[0]
    assert ">All drug overdoses</text>" in svg[0]  # lines are named on the chart, not told apart by colour
    assert " style=" not in page and "<script>" not in page and " onclick=" not in page
    assert 'href="/static/css/stats.css?v=' in page and "<caption>" in page


def test_state_table_has_count_rate_change_and_links(loaded, client):
    page = client.get("/stats/?sort=rate").get_data(as_text=True)
    row = page.split('href="/stats/OH">Ohio</a>')[1].split("</tr>")[0]
    # 4,004 reported (Feb 2019) / 11,696,507 (Census 2019) x 100,000; against 4,739 a year earlier.
    assert "4,004" in row and "34.2" in row and "-15.5%" in row
    louisiana = page.split('href="/stats/LA">Louisiana</a>')[1].split("</tr>")[0]
    assert "1,202" in louisiana and "26.0" in louisiana and "-29.7%" in louisiana
    by_name = client.get("/stats/").get_data(as_text=True)
    assert by_name.index(">Louisiana<") < by_name.index(">New York<") < by_name.index(">Ohio<")


def test_sorted_by_rate_highest_first(loaded, client):
    page = client.get("/stats/?sort=rate").get_data(as_text=True)
    rates = [float(r) for r in re.findall(r'<td class="num">(\d+\.\d)</td>', page.split("states-table")[1])]
    assert rates == sorted(rates, reverse=True) and rates
    assert 'aria-sort="descending">Per 100,000' in page and 'href="/stats/?sort=count#states-title"' in page
    assert 'aria-sort="ascending">State' in client.get("/stats/?sort=nonsense").get_data(as_text=True)


def test_state_page_any_case_and_unknown_code(loaded, client):
    assert client.get("/stats/oh").status_code == 200
    page = page_text(client, "/stats/OH")
    assert "Overdose deaths in Ohio" in page and "4,023" in page and "4,004 reported so far" in page
    for unknown in ("ZZ", "ohio", "YC", "1"):
        assert client.get(f"/stats/{unknown}").status_code == 404
    assert "Overdose deaths in the United States" in page_text(client, "/stats/us")


def test_new_york_is_shown_whole_and_says_how(loaded, client):
    with loaded.app_context():
        series = queries.series_for("NY")
        february_2018 = series[ALL].at(date(2018, 2, 1))
        assert (february_2018.reported, february_2018.predicted) == (2410 + 1495, 2587 + 1504)
        assert february_2018.method == queries.NY_ADDED_HERE
        february_2019 = series[ALL].at(date(2019, 2, 1))
        assert february_2019.reported == 3617 and february_2019.method == queries.NY_SOURCE_ADDED
        synthetic = series[SYN].at(date(2019, 2, 1))
        assert (synthetic.reported, synthetic.predicted) == (1326 + 856, 1388 + 856)
    page = page_text(client, "/stats/NY")
    assert "New York State, whole" in page and "added here" in page and "added together in the source" in page
    assert "3,905" in page and "3,639" in page


def test_pages_do_not_run_a_query_per_state(loaded, client):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with loaded.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/stats/")
        on_index = len(statements)
        statements.clear()
        client.get("/stats/NY")
        on_state = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert on_index <= 10 and on_state <= 8, (on_index, on_state)


# --- The downloads ----------------------------------------------------------------------------

def test_download_csv_equals_cdcs_figures_last_file_wins(loaded, client):
    response = client.get("/stats/data.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0])[:5] == ["jurisdiction", "indicator", "period_end", "reported", "predicted"]
    got = {(r["jurisdiction"], r["indicator"], r["period_end"]): (r["reported"], r["predicted"]) for r in rows}
    assert got == cdc_figures_last_file_wins()  # every figure, exactly; empty stays empty
    assert got[("AK", "Methadone (T40.3)", "2019-02")] == ("", "10")
    scope = {(r["jurisdiction"], r["period_end"], r["indicator"]): r["new_york_scope"] for r in rows}
    assert scope[("NY", "2018-02", ALL)].startswith("excludes New York City")
    assert scope[("NY", "2019-02", ALL)] == "includes New York City"
    only_ohio = list(csv.DictReader(io.StringIO(client.get("/stats/data.csv?jurisdiction=oh").get_data(as_text=True))))
    assert {r["jurisdiction"] for r in only_ohio} == {"OH"} and len(only_ohio) == 7


def test_download_json_has_every_figure_and_the_source(loaded, client):
    data = client.get("/stats/data.json").get_json()
    assert "National Center for Health Statistics" in data["source"] and data["data_through"] == "2025-09"
    got = {(f["jurisdiction"], f["indicator"], f["period_end"]):
           ("" if f["reported"] is None else str(f["reported"]), "" if f["predicted"] is None else str(f["predicted"]))
           for f in data["figures"]}
    assert got == cdc_figures_last_file_wins()
    assert [i["file"] for i in data["imports"]] == RELEASE_ORDER and data["imports"][-1]["runs_through"] == "2019-03"
    us = client.get("/stats/data.json?jurisdiction=US").get_json()["figures"]
    assert {f["jurisdiction"] for f in us} == {"US"}


# --- What other parts of the site use ---------------------------------------------------------

def test_home_page_shows_the_headline(loaded, client):
    page = page_text(client, "/")
    assert "72,108" in page and 'href="/stats/"' in page


def test_national_headline_for_the_home_page(loaded):
    with loaded.app_context():
        head = queries.national_headline()
        assert (head.overdose_deaths, head.month_label, head.period_end) == (72108, "September 2025", date(2025, 9, 1))
        assert round(head.overdose_change, 1) == -18.9 and head.overdose_change_basis == "predicted"
        assert (head.synthetic_opioid_deaths, head.synthetic_period_end) == (32242, date(2019, 3, 1))
        assert (head.overdose.reported, head.synthetic.reported) == (68962, 32019)


def test_no_headline_before_anything_is_loaded(app, client):
    with app.app_context():
        assert queries.national_headline() is None and queries.latest_figures("OH") is None
    assert client.get("/stats/").status_code == 200 and client.get("/stats/OH").status_code == 200
    assert client.get("/").status_code == 200


def test_latest_figures_for_letters(loaded):
    with loaded.app_context():
        ohio = queries.latest_figures("oh")
        assert (ohio.jurisdiction, ohio.state_name, ohio.period_end, ohio.month_label) == (
            "OH", "Ohio", date(2019, 2, 1), "February 2019")
        # Reported counts, both for the same 12 months: the T40.4 figure is the newest release's.
        assert (ohio.overdose_deaths, ohio.synthetic_opioid_deaths, ohio.synthetic_period_end) == (
            4004, 2869, date(2019, 2, 1))
        new_york = queries.latest_figures("NY")
        assert (new_york.overdose_deaths, new_york.month_label) == (3639, "March 2019")
        assert new_york.synthetic_opioid_deaths == 1338 + 863
        louisiana = queries.latest_figures("LA")
        assert (louisiana.overdose_deaths, louisiana.synthetic_opioid_deaths) == (1202, None)
        assert louisiana.synthetic_period_end is None
        assert queries.latest_figures("ZZ") is None and queries.latest_figures("") is None
        assert queries.latest_figures("YC") is None


# --- The bundled snapshot ---------------------------------------------------------------------

def test_bundled_snapshot_loads_the_newest_release_figures_once(app, runner):
    """Figures SOURCES.md quotes from the newest releases are what the snapshot gives."""
    from memorials.stats.snapshot import load_bundled, manifest

    with app.app_context():
        assert "loaded" in load_bundled()
        count = db.session.execute(db.select(db.func.count(StatFigure.id))).scalar()
        assert count == manifest()["figures"]["rows"]
        assert "already loaded" in load_bundled()
        assert db.session.execute(db.select(db.func.count(StatFigure.id))).scalar() == count
        september = figure("US", ALL, date(2025, 9, 1))
        assert (september.reported, september.predicted) == (68962, 72108)
        assert (figure("US", ALL, date(2024, 9, 1)).reported, figure("US", ALL, date(2024, 9, 1)).predicted) == (87652, 88948)
        december = figure("US", SYN, date(2025, 12, 1))
        assert (december.reported, december.predicted) == (37777, 38200)
        assert figure("LA", SYN, date(2025, 1, 1)) is None  # CDC publishes none for Louisiana
        assert figure("NY", ALL, date(2025, 4, 1)).nyc_included is True
        assert figure("NY", SYN, date(2026, 1, 1)).nyc_included is False and figure("YC", SYN, date(2026, 1, 1))
        assert queries.population("OH", 2025)[0] > 11_000_000
    # A later CDC file imported by hand is not undone by running init-db's loader again.
    result = runner.invoke(args=["import-stats", str(FIXTURES / "vsrr_api.csv")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "already loaded" in load_bundled()
        assert figure("US", SYN, date(2019, 2, 1)).reported == 31754


def test_import_stats_reads_a_url_too(app, runner):
    """CDC's export is fetched by URL in practice; here a loopback server stands in for data.cdc.gov."""
    import functools
    import threading
    from http.server import HTTPServer, SimpleHTTPRequestHandler

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(FIXTURES)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/vsrr_export_2026.csv"
        result = runner.invoke(args=["import-stats", url])
        missing = runner.invoke(args=["import-stats", url.replace("2026", "1999")])
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0 and "Imported 6 figures through September 2025" in result.output
    assert missing.exit_code != 0 and "Nothing was imported. Could not read" in missing.output
    with app.app_context():
        assert figure("PA", ALL, date(2025, 9, 1)).predicted == 3042
        assert db.session.execute(db.select(StatRelease.source)).scalar() == url


def test_a_place_with_only_synthetic_opioid_counts_says_so(app, client, tmp_path):
    rows = (FIXTURES / "vsrr_api.csv").read_text().splitlines()[:1]
    # CDC's row, from the 2026-06-27 release (T40.4 file): Puerto Rico has no all-drug rows there.
    rows.append("PR,2025,December,12 month-ending,\"Synthetic opioids, excl. methadone (T40.4)\",100,0.112835839,"
                "Puerto Rico,Underreported due to incomplete data.,*,304,305")
    path = tmp_path / "pr.csv"
    path.write_text("\n".join(rows) + "\n")
    with app.app_context():
        importer.import_vsrr(str(path))
    page = " ".join(re.sub(r"<[^>]+>", " ", page_text(client, "/stats/pr")).split())
    assert "no count of all drug overdose deaths for Puerto Rico" in page
    assert "305 in the 12 months ending December 2025, by CDC's delay-adjusted estimate (304 reported so far)" in page
