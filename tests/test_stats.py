"""The numbers: CDC's figures imported from their public shapes, shown by one rule, downloaded exactly.

The fixtures are real CDC rows (see tests/fixtures/stats/README.md), imported in CDC's release
order, so "what the page shows" can be checked against "what CDC published" line by line.
"""
from __future__ import annotations

import csv
import gzip
import html
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event

from memorials.extensions import db
from memorials.stats import compute, importer, publish, queries
from memorials.stats.commands import import_file
from memorials.stats.indicators import ALL_DRUGS as ALL
from memorials.stats.indicators import INDICATORS
from memorials.stats.indicators import STATE_CODES
from memorials.stats.indicators import SYNTHETIC as SYN
from memorials.stats.longview import import_long
from memorials.stats.models import StatArtifact, StatFigure, StatRelease

FIXTURES = Path(__file__).parent / "fixtures" / "stats"
# Oldest CDC release first, as SOURCES.md orders the real files.
RELEASE_ORDER = ["vsrr_export.csv", "vsrr_api.json", "vsrr_export_2026.csv", "vsrr_api.csv"]
LONG_VIEW = ["wonder_final.csv", "wonder_provisional.txt", "nchs_rates.csv", "nchs_key_figures.csv",
             "wonder_summary_2024.csv"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def figure(jurisdiction, indicator, period):
    return db.session.execute(db.select(StatFigure).filter_by(
        jurisdiction=jurisdiction, indicator=indicator, period_end=period)).scalar_one_or_none()


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def words(page: str) -> str:
    """The page as a person reads it: no tags, no charts, one space between words."""
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def cdc_figures_last_file_wins() -> dict[tuple[str, str, str], tuple[str, str]]:
    """What CDC's files say, read here with nothing but csv/json: (state, indicator, YYYY-MM) -> values."""
    months = {m: n for n, m in enumerate(MONTHS, start=1)}
    expected = {}
    for name in RELEASE_ORDER:
        text = (FIXTURES / name).read_text(encoding="utf-8-sig")
        records = json.loads(text) if name.endswith(".json") else list(csv.DictReader(io.StringIO(text)))
        for r in records:
            r = {k.lower().replace(" ", "_"): v for k, v in r.items()}
            if r["indicator"] not in INDICATORS:
                continue
            key = (r["state"], r["indicator"], f"{r['year']}-{months[r['month']]:02d}")
            expected[key] = (r.get("data_value", "").replace(",", ""), r.get("predicted_value", "").replace(",", ""))
    return expected


def load_everything(app, long_view=True):
    """Every fixture, each in its own import; what the pages serve is computed once at the end, as init-db does."""
    with app.app_context():
        for name in RELEASE_ORDER:
            importer.import_vsrr(str(FIXTURES / name))
        importer.import_population(str(FIXTURES / "population.csv"), "Census Vintage 2020 test rows")
        importer.import_population(str(FIXTURES / "population_2025.csv"), "Census Vintage 2025 test rows")
        importer.import_age_groups(str(FIXTURES / "age_groups.csv"), "WONDER test rows")
        for name in LONG_VIEW if long_view else []:
            import_long(str(FIXTURES / name))
        publish.refresh()
        db.session.commit()
    return app


@pytest.fixture
def loaded(app):
    """The four VSRR fixtures in CDC's release order, population, age groups and the long view."""
    return load_everything(app)


class Statements:
    """Every SQL statement the app runs while counting."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self.seen

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, *args):
        self.seen.append(statement)


def queries_in(statements: list[str]) -> list[str]:
    """The statements that ask the database something (not the transaction's own BEGIN)."""
    return [s for s in statements
            if not s.upper().startswith(("PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK"))]


# --- The importer -----------------------------------------------------------------------------

@pytest.mark.both_databases
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


@pytest.mark.both_databases
def test_the_newer_export_every_field_quoted_and_no_bom(app):
    with app.app_context():
        importer.import_vsrr(str(FIXTURES / "vsrr_export_2026.csv"))
        pa = figure("PA", ALL, date(2025, 9, 1))
        assert (pa.reported, pa.predicted) == (2891, 3042)
        assert (figure("US", ALL, date(2025, 9, 1)).reported, figure("US", ALL, date(2025, 9, 1)).predicted) == (68962, 72108)


@pytest.mark.both_databases
def test_the_last_import_wins_for_what_it_carries_and_leaves_the_rest(loaded):
    with loaded.app_context():
        # The 2019 release said 31,466 / 32,656; the 2026 release (API shape) revised it.
        revised = figure("US", SYN, date(2019, 2, 1))
        assert (revised.reported, revised.predicted) == (31754, 31971)
        assert figure("OH", SYN, date(2019, 2, 1)).reported == 2869
        # Not in the newer files: untouched.
        assert figure("US", SYN, date(2018, 2, 1)).reported == 28811
        assert figure("US", ALL, date(2019, 2, 1)).reported == 67029
        assert db.session.execute(db.select(db.func.count(StatRelease.id)).where(
            StatRelease.dataset == "vsrr")).scalar() == 4
        assert db.session.execute(db.select(db.func.count(StatFigure.id))).scalar() == len(cdc_figures_last_file_wins())


@pytest.mark.both_databases
def test_api_json_shape_and_new_york_as_the_source_added_it(app):
    with app.app_context():
        importer.import_vsrr(str(FIXTURES / "vsrr_api.json"))
        ny = figure("NY", ALL, date(2019, 2, 1))
        assert ny.reported == 3617 and ny.predicted is None and ny.nyc_included is True
        wyoming = figure("WY", ALL, date(2019, 3, 1))
        assert (wyoming.reported, wyoming.predicted, wyoming.nyc_included) == (64, None, None)


@pytest.mark.both_databases
def test_a_malformed_file_is_refused_whole_with_the_line_and_nothing_changes(loaded, runner):
    with loaded.app_context():
        before = [(f.jurisdiction, f.indicator, f.period_end, f.reported, f.predicted) for f in
                  db.session.execute(db.select(StatFigure).order_by(StatFigure.id)).scalars()]
        etags = dict(db.session.execute(db.select(StatArtifact.key, StatArtifact.etag)).all())
    result = runner.invoke(args=["import-stats", str(FIXTURES / "vsrr_malformed.csv")])
    assert result.exit_code != 0
    assert "Nothing was imported" in result.output and "line 3" in result.output and "not a number" in result.output
    with loaded.app_context():
        after = [(f.jurisdiction, f.indicator, f.period_end, f.reported, f.predicted) for f in
                 db.session.execute(db.select(StatFigure).order_by(StatFigure.id)).scalars()]
        # Line 2 of the bad file was fine and would have changed this figure: it did not.
        assert after == before and figure("US", ALL, date(2019, 2, 1)).reported == 67029
        assert db.session.execute(db.select(db.func.count(StatRelease.id)).where(
            StatRelease.dataset == "vsrr")).scalar() == 4
        # Nor what the pages serve.
        assert dict(db.session.execute(db.select(StatArtifact.key, StatArtifact.etag)).all()) == etags


HEADER = "state,year,month,period,indicator,data_value,predicted_value\n"


@pytest.mark.both_databases
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


@pytest.mark.both_databases
def test_import_stats_command_reports_what_it_did(app, runner):
    result = runner.invoke(args=["import-stats", str(FIXTURES / "vsrr_export.csv")])
    assert result.exit_code == 0, result.output
    assert "Imported 22 CDC VSRR figures through February 2019" in result.output
    assert "2 rows of other indicators skipped" in result.output
    census = runner.invoke(args=["import-stats", str(FIXTURES / "population_2025.csv")])
    assert census.exit_code == 0 and "Imported 30 population estimates" in census.output


HEADLINES = {
    "en": {
        "/stats/": ["68,962 people died of a drug overdose in the United States in the 12 months ending September "
                    "2025, 21.3% fewer than a year earlier. 58% of these deaths (39,662) involved synthetic opioids, "
                    "mainly fentanyl.",
                    "CDC's count of deaths involving synthetic opioids runs later: 36,825 in the 12 months ending "
                    "January 2026.",
                    "CDC expects the count to reach about 72,108 as death investigations close"],
        "/stats/OH": ["2,830 people died of a drug overdose in Ohio in the 12 months ending April 2025, 32.6% fewer "
                      "than a year earlier. 63% of these deaths (1,771) involved synthetic opioids, mainly fentanyl.",
                      "CDC's count of deaths involving synthetic opioids runs later: 1,330 in the 12 months ending "
                      "January 2026."],
    },
    "es": {
        "/stats/": ["68,962 personas murieron por sobredosis de drogas en los Estados Unidos en los 12 meses que "
                    "terminan en septiembre de 2025, un 21.3% menos que un año antes. El 58% de estas muertes "
                    "(39,662) estuvieron relacionadas con opioides sintéticos, sobre todo fentanilo.",
                    "La cifra de los CDC de muertes relacionadas con opioides sintéticos llega más lejos: 36,825 en "
                    "los 12 meses que terminan en enero de 2026.",
                    "Los CDC calculan que la cifra llegará a unas 72,108 cuando terminen las investigaciones"],
        "/stats/OH": ["2,830 personas murieron por sobredosis de drogas en Ohio en los 12 meses que terminan en abril "
                      "de 2025, un 32.6% menos que un año antes. El 63% de estas muertes (1,771) estuvieron "
                      "relacionadas con opioides sintéticos, sobre todo fentanilo.",
                      "La cifra de los CDC de muertes relacionadas con opioides sintéticos llega más lejos: 1,330 en "
                      "los 12 meses que terminan en enero de 2026."],
    },
}
PREFIX = {"en": "", "es": "/es"}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_one_plain_headline_with_each_month_said_once(loaded, client, lang):
    for url, sentences in HEADLINES[lang].items():
        page = page_text(client, PREFIX[lang] + url)
        headline = headline_of(page)
        for sentence in sentences:
            assert sentence in headline, (url, headline)
        # The headline's month is said once; the later synthetic-opioid figure says its own, once.
        months = months_in(headline, lang == "es")
        assert len(months) == len(set(months)) == 2, (url, months)
        # The figures in the same order in both languages.
        if lang == "es":
            english = headline_of(page_text(client, url))
            assert FIGURES.findall(english) == FIGURES.findall(headline)
            assert months_in(english, False) == months


STANDING = {
    "en": {"/stats/OH": "At 23.8 deaths per 100,000 residents, Ohio has the 3rd highest rate of the 4 states with a "
                        "current figure; across the United States it was 22.0 in the same 12 months.",
           "/stats/VT": "At 27.9 deaths per 100,000 residents, Vermont has the highest rate of the 4 states with a "
                        "current figure; across the United States it was 22.0 in the same 12 months.",
           "/stats/LA": "At 26.0 deaths per 100,000 residents, Louisiana has the 2nd highest rate of the 4 states "
                        "with a current figure; across the United States it was 20.2 in the same 12 months. Most "
                        "states' figures run only through April 2025; this one runs through September 2025."},
    "es": {"/stats/OH": "Con 23.8 muertes por cada 100,000 habitantes, Ohio tiene la 3.ª tasa más alta de los 4 "
                        "estados con una cifra actual; en todo Estados Unidos fue de 22.0 en los mismos 12 meses.",
           "/stats/VT": "Con 27.9 muertes por cada 100,000 habitantes, Vermont tiene la tasa más alta de los 4 "
                        "estados con una cifra actual; en todo Estados Unidos fue de 22.0 en los mismos 12 meses.",
           "/stats/LA": "Con 26.0 muertes por cada 100,000 habitantes, Louisiana tiene la 2.ª tasa más alta de los 4 "
                        "estados con una cifra actual; en todo Estados Unidos fue de 20.2 en los mismos 12 meses. La "
                        "mayoría de las cifras de los estados llegan solo hasta abril de 2025; esta llega hasta "
                        "septiembre de 2025."},
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_state_page_says_its_rate_its_rank_and_the_nations_in_one_sentence(loaded, client, lang):
    # Rates: 2,830 / 11,883,304 (Census 2025) x 100,000 = 23.8; the nation's for April 2025, not its newest month.
    for url, sentence in STANDING[lang].items():
        assert sentence in words(page_text(client, PREFIX[lang] + url)), url
    with loaded.app_context():
        table = queries.page("US", queries.page_etag("US"))["states"]
    ranks = {r["code"]: r["rank"] for r in table["rows"]}
    assert ranks == {"VT": 1, "LA": 2, "OH": 3, "NY": 4, "PA": None}  # Pennsylvania: no population in the fixture


def test_cdcs_footnotes_reach_the_page_in_plain_words(loaded, client):
    for url in ("/stats/", "/stats/OH", "/"):
        page = words(page_text(client, url))
        assert "Note with this figure in the source" not in page and "Underreported due to incomplete data" not in page
        assert "See Technical Notes" not in page
    notes = ("CDC says this count is probably low: some deaths are still being investigated. CDC counts 0.35% of "
             "the deaths in these 12 months as still pending investigation.")
    assert notes in words(page_text(client, "/stats/"))
    # The home page shows them inline (no stylesheet of the statistics' own): one space between sentences.
    home = page_text(client, "/")
    assert notes in words(home) and re.search(r"investigated\.</span>\s+<span", home)
    assert "investigated.CDC" not in re.sub(r"<[^>]+>", "", home)  # as the browser joins the text


def test_history_is_headed_with_its_period_placed_last_and_never_a_headline(loaded, client):
    ohio = page_text(client, "/stats/OH")
    text = words(ohio)
    # Ohio's figures by drug end in February 2019, more than 18 months before January 2026: history.
    assert "Deaths by drug in Ohio, February 2018 to February 2019 history: chart and table" in text
    assert ("This is history, not the current picture: the copy of CDC's release on this site gives deaths by drug "
            "for Ohio only through February 2019. Importing CDC's current export (import-stats) brings it up to date.") in text
    assert (text.index("Every month since") < text.index("The long view")
            < text.index("Deaths by drug in Ohio, February 2018") < text.index("About these numbers"))
    assert '<details class="fold history" id="drugs-OH">' in ohio
    assert "2019" not in headline_of(ohio)
    # Wyoming: nothing newer than March 2019, so no headline, no chart at the top, no table row, no letter figures.
    wyoming_page = page_text(client, "/stats/WY")
    wyoming = words(wyoming_page)
    assert "We have no current CDC figures for Wyoming" in wyoming and "people died" not in wyoming
    assert "Deaths over time in Wyoming, February 2019 to March 2019" in wyoming
    assert '<svg class="chart ' not in wyoming_page.split("<details")[0]  # no chart at the top: it is history
    assert 'class="chart-figure lead-chart"' in wyoming_page.split('id="trend-WY-history"')[1].split("</details>")[0]
    index = page_text(client, "/stats/")
    assert 'href="/stats/WY">Wyoming</a></th>' not in index
    assert "Wyoming is not in the table: its count ends in March 2019, too old to set beside the others." in words(index)
    with loaded.app_context():
        assert queries.latest_figures("WY") is None and queries.headline("WY") is None


def test_the_state_table_has_each_states_page_figures_and_sorts(loaded, client):
    page = client.get("/stats/?sort=rate").get_data(as_text=True)
    ohio = page.split('href="/stats/OH">Ohio</a>')[1].split("</tr>")[0]
    assert "Apr 2025" in ohio and "2,830" in ohio and "23.8" in ohio and "-32.6%" in ohio
    louisiana = page.split('href="/stats/LA">Louisiana</a>')[1].split("</tr>")[0]
    # 1,202 (September 2025) / 4,618,189 (Census 2025) x 100,000; against 1,710 a year earlier.
    assert "Sep 2025" in louisiana and "1,202" in louisiana and "26.0" in louisiana and "-29.7%" in louisiana
    rates = [float(r) for r in re.findall(r'<td class="num">(\d+\.\d)</td>', page.split("states-table")[1])]
    assert rates == sorted(rates, reverse=True) and len(rates) >= 4
    assert 'aria-sort="descending">Per 100,000' in page and 'href="/stats/?sort=count#states-title"' in page
    assert 'aria-sort="ascending">State' in client.get("/stats/?sort=nonsense").get_data(as_text=True)
    by_name = client.get("/stats/").get_data(as_text=True)
    assert by_name.index(">Louisiana<") < by_name.index(">New York<") < by_name.index(">Ohio<") < by_name.index(">Vermont<")
    # The months are said: most places run through April 2025, two through September 2025.
    assert "most end in April 2025. 2 end in September 2025." in words(by_name)


def test_state_page_any_case_and_unknown_code(loaded, client):
    assert client.get("/stats/oh").status_code == 200
    for unknown in ("ZZ", "ohio", "YC", "1", "%00", "O%00"):
        assert client.get(f"/stats/{unknown}").status_code == 404
    assert "Overdose deaths in the United States" in page_text(client, "/stats/us")
    page = page_text(client, "/stats/OH")
    assert 'href="/stories/?state=OH"' in page and "Memorials from Ohio" in page


def test_new_york_is_shown_whole_and_says_how(loaded, client):
    with loaded.app_context():
        data = compute.load()
        series = compute.series_for("NY", data)
        february_2018 = series[ALL].at(date(2018, 2, 1))
        assert (february_2018.reported, february_2018.predicted) == (2410 + 1495, 2587 + 1504)
        assert february_2018.method == compute.NY_ADDED_HERE
        assert series[ALL].at(date(2019, 2, 1)).method == compute.NY_SOURCE_ADDED
        synthetic = series[SYN].at(date(2025, 4, 1))
        assert (synthetic.reported, synthetic.predicted) == (1208 + 1379, 1220 + 1409)
    page = words(page_text(client, "/stats/NY"))
    assert "3,814 people died of a drug overdose in New York in the 12 months ending April 2025" in page
    assert "68% of these deaths (2,587) involved synthetic opioids" in page   # NY + NYC for April 2025
    assert "runs later: 2,169 in the 12 months ending January 2026" in page   # 934 + 1,235, January 2026
    assert "New York State, whole" in page and "added here" in page and "added together in the source" in page


def test_louisiana_says_cdc_publishes_no_fentanyl_count_and_we_do_not_estimate(loaded, client):
    page = words(page_text(client, "/stats/LA"))
    assert "1,202 people died of a drug overdose in Louisiana in the 12 months ending September 2025" in page
    assert "CDC publishes no synthetic-opioid (fentanyl) counts for Louisiana" in page
    assert "involved synthetic opioids, mainly fentanyl, in Louisiana" not in page


def test_a_place_with_only_synthetic_opioid_counts_says_so(app, client, tmp_path):
    rows = (FIXTURES / "vsrr_api.csv").read_text().splitlines()[:1]
    # CDC's row, from the 2026-06-27 release (T40.4 file): Puerto Rico has no all-drug rows there.
    rows.append("PR,2025,December,12 month-ending,\"Synthetic opioids, excl. methadone (T40.4)\",100,0.112835839,"
                "Puerto Rico,Underreported due to incomplete data.,*,304,305")
    path = tmp_path / "pr.csv"
    path.write_text("\n".join(rows) + "\n")
    with app.app_context():
        import_file(str(path))
        letter = queries.latest_figures("PR")
        assert (letter.overdose_deaths, letter.synthetic_opioid_deaths, letter.period_end) == (None, 304, date(2025, 12, 1))
    page = words(page_text(client, "/stats/pr"))
    assert "304 deaths involved synthetic opioids, mainly fentanyl, in Puerto Rico in the 12 months ending December 2025" in page
    assert "CDC expects the count to reach about 305" in page and "people died" not in page


def test_charts_are_accessible_svg_drawn_for_phones_and_desktops(loaded, client):
    page = client.get("/stats/").get_data(as_text=True)
    svg = [s for s in re.findall(r"<svg.*?</svg>", page, flags=re.S) if 'class="chart ' in s]
    assert svg and len(svg) % 2 == 0
    assert all('role="img"' in s and "<title id=" in s and "<desc id=" in s for s in svg)
    assert sum('class="chart chart-wide"' in s for s in svg) == sum('class="chart chart-narrow"' in s for s in svg)
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # two drawings of one chart never share an id
    narrow = [s for s in svg if "chart-narrow" in s][0]
    years = re.findall(r'class="axis" x="[\d.]+" y="[\d.]+" text-anchor="middle">(\d{4})</text>', narrow)
    assert 2 <= len(years) <= 6  # thinned on the phone drawing
    assert " style=" not in page and "<script>" not in page and " onclick=" not in page
    assert 'href="/static/css/stats.css?v=' in page


def test_the_page_opens_with_the_headline_and_one_chart_and_the_rest_opens_on_demand(loaded, client):
    page = client.get("/stats/OH").get_data(as_text=True)
    main = page.split("<main")[1]
    # Before the first fold: the headline, one chart (two drawings of it), where Ohio stands, its downloads.
    top = main.split("<details")[0]
    assert 'class="headline"' in top and len(re.findall(r'<svg class="chart ', top)) == 2
    assert 'class="standing"' in top and 'href="/stats/OH/data.csv"' in top and "<table" not in top
    folds = re.findall(r'<details class="fold[^"]*" id="([^"]+)">\s*<summary><span class="fold-title" '
                       r'id="([^"]+)">', page)
    assert [f[0] for f in folds] == ["trend-OH", "ages-OH", "long-OH", "drugs-OH", "about-data"]
    assert all(title == f"{sid}-title" for sid, title in folds)
    assert "<details open" not in page  # nothing is open before the reader opens it
    # Every table is in a fold, in its own named, focusable scrolling box.
    boxes = re.findall(r'<div class="table-box[^"]*" role="region" tabindex="0" aria-labelledby="([^"]+)">', page)
    assert len(boxes) >= 4 and all(f'id="{b}"' in page for b in boxes)
    assert page.count('class="data-table') == len(boxes)
    trend = page.split('id="trend-OH-caption"')[1].split("</table>")[0]
    assert "Jan 2026" in trend and "1,330" in trend and "2,830" in trend
    # Nothing a journalist needs is gone: the national page still carries every section and the long view.
    national = words(page_text(client, "/stats/"))
    for part in ("Every month since February 2018", "The long view: 2016 to January 2026", "Who is dying",
                 "Final figures published since 2018", "About these numbers", "Download every figure"):
        assert part in national


# --- The map of the states -------------------------------------------------------------------------

TILE = re.compile(r'<a href="([^"]+)" aria-label="([^"]+)" class="tile-link"><rect class="tile ([\w-]+)"')


def map_tiles(page: str, frame: str = "wide") -> list[tuple[str, str, str]]:
    """(href, accessible name, shade) of each square on one drawing of the map."""
    drawing = page.split(f'<svg class="tile-map chart-{frame}"')[1].split("</svg>")[0]
    return [(href, html.unescape(label), css) for href, label, css in TILE.findall(drawing)]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_map_has_every_state_as_a_named_link_with_its_figure(loaded, client, lang):
    page = client.get(PREFIX[lang] + "/stats/").get_data(as_text=True)
    for frame in ("wide", "narrow"):
        tiles = map_tiles(page, frame)
        assert len(tiles) == 51 and len({t[0] for t in tiles}) == 51  # the 50 states and DC, each once
        assert {t[0].rsplit("/", 1)[1] for t in tiles} == set(STATE_CODES)
        assert all(t[0].startswith(PREFIX[lang] + "/stats/") for t in tiles)
    tiles = {t[0].rsplit("/", 1)[1]: t for t in map_tiles(page)}
    if lang == "en":
        assert tiles["OH"][1] == "Ohio: 23.8 deaths per 100,000 residents in the 12 months ending April 2025"
        assert tiles["WY"][1] == "Wyoming: no current figure" and tiles["WY"][2] == "none"
        assert tiles["DC"][1] == "District of Columbia: no current figure"
    else:
        assert tiles["OH"][1] == ("Ohio: 23.8 muertes por cada 100,000 habitantes en los 12 meses que terminan en "
                                  "abril de 2025")
        assert tiles["DC"][1] == "Distrito de Columbia: sin cifra actual"
    # Shaded by rate: the darker shade for the higher rate, and the legend names every shade used.
    shades = {code: int(t[2].split("-")[1]) for code, t in tiles.items() if t[2] != "none"}
    assert set(shades) == {"OH", "VT", "LA", "NY"}  # Pennsylvania has no population figure in the fixture
    rates = {"VT": 27.9, "LA": 26.0, "OH": 23.8, "NY": 19.1}
    assert all(shades[a] >= shades[b] for a in rates for b in rates if rates[a] > rates[b])
    assert shades["VT"] > shades["NY"]
    legend = page.split('<ul class="map-legend"')[1].split("</ul>")[0]
    assert all(f'class="swatch rate-{n}"' in legend for n in set(shades.values()))
    assert 'class="swatch none"' in legend
    # The svg is a group named by the section's heading; its links are in reading order, row by row.
    assert 'role="group" aria-labelledby="map-title"' in page and 'id="map-title"' in page
    order = [t[0].rsplit("/", 1)[1] for t in map_tiles(page)]
    assert order[:3] == ["AK", "ME", "WI"] and order[-3:] == ["HI", "TX", "FL"]
    # The table beside it carries the same figures.
    table = page.split('id="states-caption"')[1].split("</table>")[0]
    ohio = words(table.split(f'href="{PREFIX[lang]}/stats/OH">Ohio</a>')[1].split("</tr>")[0])
    assert "2,830 23.8 -32.6%" in ohio


def test_the_map_says_how_the_rate_is_made_and_can_shade_by_change(loaded, client):
    page = client.get("/stats/").get_data(as_text=True)
    text = words(page)
    assert ("Rate: CDC's reported deaths per 100,000 residents, with the Census Bureau's July 1 population estimate "
            "for 2025; not age-adjusted.") in text
    assert ("Each state's newest 12 months: most end in April 2025. 2 end in September 2025. The United States, 12 "
            "months ending April 2025: 22.0.") in text
    assert 'href="/stats/?map=change#map-title"' in page and '<strong aria-current="true">rate</strong>' in page
    change = client.get("/stats/?map=change&sort=rate").get_data(as_text=True)
    tiles = {t[0].rsplit("/", 1)[1]: t for t in map_tiles(change)}
    assert tiles["OH"][1] == "Ohio: 32.6% fewer deaths from a year earlier, 12 months ending April 2025"
    assert tiles["OH"][2] == "change-0" and tiles["VT"][2] == "change-2"  # -32.6% and -18.6%
    assert tiles["PA"][2] == "change-1"  # -21.6%: a change needs no population
    assert "Change from a year earlier, by state" in words(change) and "fell 30% or more" in words(change)
    # The table keeps its sort when the map changes, and the map its view when the table is sorted.
    assert 'href="/stats/?sort=rate#map-title"' in change and 'href="/stats/?sort=count&amp;map=change#states-title"' in change
    # Anything else asked for is the default view, never an error.
    for odd in ("map=%00", "map=<b>", "map=" + "x" * 5000, "map=rate&map=change"):
        assert client.get(f"/stats/?{odd}").status_code == 200


def test_the_tile_map_is_the_familiar_layout():
    from memorials.stats.charts import TILES

    assert set(TILES) == set(STATE_CODES) and len(set(TILES.values())) == 51
    assert all(0 <= col <= 10 and 0 <= row <= 7 for col, row in TILES.values())
    # West to east and north to south where it matters to a reader.
    assert TILES["WA"][0] < TILES["MT"][0] < TILES["MN"][0] < TILES["MI"][0] < TILES["NY"][0] < TILES["MA"][0]
    assert TILES["ND"][1] < TILES["SD"][1] < TILES["NE"][1] < TILES["KS"][1] < TILES["OK"][1] < TILES["TX"][1]


# --- Computed once per import -------------------------------------------------------------------

@pytest.mark.both_databases
def test_pages_read_what_the_import_computed_in_one_small_query(loaded, client):
    for url in ("/stats/", "/stats/OH", "/stats/NY", "/"):
        client.get(url)  # this process parses and renders once per stored version
    counts = {}
    urls = ("/stats/", "/stats/?sort=rate", "/stats/?map=change", "/stats/OH", "/stats/NY", "/", "/stats/data.csv",
            "/stats/OH/data.csv", "/stats/NY/data.json")
    for url in urls:
        client.get(url)
        with Statements(loaded) as seen:
            assert client.get(url).status_code == 200
        counts[url] = len(queries_in(seen))
        assert not any("stat_figure" in s or "stat_long_figure" in s or "population" in s for s in seen), url
    assert counts == {**{url: 1 for url in urls}, "/": counts["/"]}
    # The statistics' share of the home page is one query, whatever else the page shows.
    with loaded.app_context():
        with Statements(loaded) as seen:
            queries.national_headline()
    assert len(queries_in(seen)) == 1


@pytest.mark.both_databases
def test_an_import_changes_what_pages_serve_at_once(loaded, client, tmp_path):
    before = words(page_text(client, "/stats/LA"))
    assert "1,202 people died" in before
    rows = (FIXTURES / "vsrr_export_2026.csv").read_text().splitlines()
    # A made-up later month for Louisiana (figures here are CDC's elsewhere; this one tests the refresh only).
    rows = [rows[0], rows[2].replace('"2025","September"', '"2025","October"').replace('"1,202"', '"1,190"')]
    path = tmp_path / "later.csv"
    path.write_text("\n".join(rows) + "\n")
    with loaded.app_context():
        import_file(str(path))
    after = words(page_text(client, "/stats/LA"))
    assert "1,190 people died of a drug overdose in Louisiana in the 12 months ending October 2025" in after


@pytest.mark.both_databases
def test_pages_work_before_anything_is_computed_and_init_db_computes_them(loaded, client):
    from memorials.stats.snapshot import load_bundled

    with loaded.app_context():
        db.session.execute(db.delete(StatArtifact))
        db.session.commit()
    # An upgrade without init-db: the page computes what it needs for this request, and stores nothing.
    assert "2,830 people died" in words(page_text(client, "/stats/OH"))
    with loaded.app_context():
        assert db.session.execute(db.select(db.func.count(StatArtifact.id))).scalar() == 0
        publish.ensure_built()
        assert db.session.execute(db.select(db.func.count(StatArtifact.id))).scalar() > 50
        assert publish.ensure_built() is False
        assert "loaded" in load_bundled() or "already" in load_bundled()


@pytest.mark.both_databases
def test_no_headline_before_anything_is_loaded(app, client):
    with app.app_context():
        assert queries.national_headline() is None and queries.latest_figures("OH") is None
    assert "We don't have CDC figures for the United States yet." in words(page_text(client, "/stats/"))
    assert client.get("/stats/OH").status_code == 200 and client.get("/").status_code == 200
    assert client.get("/stats/data.csv").get_data(as_text=True).startswith("jurisdiction,indicator,period_end")


# --- The downloads ----------------------------------------------------------------------------

def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.both_databases
def test_download_csv_equals_cdcs_figures_last_file_wins(loaded, client):
    response = client.get("/stats/data.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert list(rows[0]) == ["jurisdiction", "indicator", "period_end", "reported", "predicted",
                             "percent_pending_investigation", "footnote", "new_york_scope", "source", "period",
                             "unit", "final", "at_least"]
    vsrr = [r for r in rows if r["source"].startswith("CDC NCHS VSRR")]
    got = {(r["jurisdiction"], r["indicator"], r["period_end"]): (r["reported"], r["predicted"]) for r in vsrr}
    assert got == cdc_figures_last_file_wins()  # every figure, exactly; empty stays empty
    assert got[("AK", "Methadone (T40.3)", "2019-02")] == ("", "10")
    assert {(r["period"], r["unit"], r["final"]) for r in vsrr} == {("12 months ending", "deaths", "no")}
    scope = {(r["jurisdiction"], r["period_end"], r["indicator"]): r["new_york_scope"] for r in vsrr}
    assert scope[("NY", "2018-02", ALL)].startswith("excludes New York City")
    assert scope[("NY", "2019-02", ALL)] == "includes New York City"
    only_ohio = csv_rows(client.get("/stats/data.csv?jurisdiction=oh"))
    assert {r["jurisdiction"] for r in only_ohio} == {"OH"}
    assert len([r for r in only_ohio if r["source"].startswith("CDC NCHS VSRR")]) == len(
        [k for k in cdc_figures_last_file_wins() if k[0] == "OH"])
    for odd in ("ZZ", "ohio", "<b>"):
        response = client.get(f"/stats/data.csv?jurisdiction={odd}")
        assert response.status_code == 200 and csv_rows(response) == []
    # A NUL byte is stripped from every parameter (one rule for the whole site): what is left is Ohio.
    assert {r["jurisdiction"] for r in csv_rows(client.get("/stats/data.csv?jurisdiction=O%00H"))} == {"OH"}


@pytest.mark.both_databases
def test_download_json_has_every_figure_and_the_source(loaded, client):
    data = client.get("/stats/data.json").get_json()
    assert "National Center for Health Statistics" in data["source"] and data["data_through"] == "2026-01"
    got = {(f["jurisdiction"], f["indicator"], f["period_end"]):
           ("" if f["reported"] is None else str(f["reported"]), "" if f["predicted"] is None else str(f["predicted"]))
           for f in data["figures"] if f["source"].startswith("CDC NCHS VSRR")}
    assert got == cdc_figures_last_file_wins()
    assert [i["file"] for i in data["imports"] if i["dataset"] == "vsrr"] == RELEASE_ORDER
    us = client.get("/stats/data.json?jurisdiction=US").get_json()["figures"]
    assert {f["jurisdiction"] for f in us} == {"US"}


@pytest.mark.both_databases
def test_downloads_are_made_once_and_answer_conditional_requests(loaded, client):
    first = client.get("/stats/data.csv", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in first.headers["Vary"]
    plain = client.get("/stats/data.csv")
    etag, modified = plain.headers["ETag"], plain.headers["Last-Modified"]
    assert "Content-Encoding" not in plain.headers and first.headers["ETag"] == etag[:-1] + '-gz"'
    assert gzip.decompress(first.get_data()) == plain.get_data()
    assert client.get("/stats/data.csv", headers={"If-None-Match": etag}).status_code == 304
    again = client.get("/stats/data.csv", headers={"If-None-Match": first.headers["ETag"], "Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == first.headers["ETag"]
    assert client.get("/stats/data.csv", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/stats/data.json", headers={"If-None-Match": etag}).status_code == 200  # another file
    with loaded.app_context():
        stored = db.session.execute(db.select(StatArtifact).where(StatArtifact.key == publish.key("data.csv"))).scalar_one()
        assert gzip.decompress(stored.body) == plain.get_data()
        import_file(str(FIXTURES / "vsrr_api.csv"))  # the same figures again: nothing changes
    assert client.get("/stats/data.csv").headers["ETag"] == etag
    with loaded.app_context():
        import_file(str(FIXTURES / "vsrr_export.csv"))  # the 2019 release: older figures return
    assert client.get("/stats/data.csv", headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.both_databases
def test_each_state_has_its_own_download_with_the_same_columns(loaded, client):
    whole = csv_rows(client.get("/stats/data.csv"))
    ohio = client.get("/stats/OH/data.csv")
    assert ohio.status_code == 200 and ohio.mimetype == "text/csv"
    assert ohio.headers["Content-Disposition"] == "attachment; filename=overdose-deaths-cdc-OH.csv"
    rows = csv_rows(ohio)
    assert list(rows[0]) == list(whole[0])  # the same columns as the national file
    # Every indicator, every month, every source Ohio has in the whole file, and nothing else.
    assert rows == [r for r in whole if r["jurisdiction"] == "OH"]
    assert {r["source"].split(" (")[0] for r in rows} >= {"CDC NCHS VSRR provisional counts",
                                                         "Computed here: the sum of CDC WONDER's months"}
    assert {r["final"] for r in rows} == {"yes", "no"}  # with its provisional flag
    json_rows = client.get("/stats/OH/data.json").get_json()
    assert [{k: ("" if v is None else str(v)) for k, v in r.items()} for r in json_rows["figures"]] == rows
    assert json_rows["source"] == client.get("/stats/data.json").get_json()["source"]
    # New York State's file: CDC's NY rows and New York City's (YC), as the state's page adds them.
    new_york = csv_rows(client.get("/stats/ny/data.csv"))
    assert {r["jurisdiction"] for r in new_york} == {"NY", "YC"}
    assert new_york == [r for r in whole if r["jurisdiction"] in ("NY", "YC")]
    # A state with a page but no figures: the columns alone. A code without a page: a plain 404.
    assert csv_rows(client.get("/stats/MT/data.csv")) == [] and client.get("/stats/MT/data.csv").status_code == 200
    for bad in ("ZZ", "YC", "ohio", "O%00", "1", "%3Cb%3E", "US%20"):
        for name in ("data.csv", "data.json"):
            response = client.get(f"/stats/{bad}/{name}")
            assert response.status_code == 404, (bad, name)
            assert "text/html" in response.content_type


@pytest.mark.both_databases
def test_a_states_download_answers_head_etag_and_304_as_the_national_file(loaded, client):
    for url in ("/stats/OH/data.csv", "/stats/OH/data.json", "/stats/NY/data.csv"):
        plain = client.get(url)
        etag, modified = plain.headers["ETag"], plain.headers["Last-Modified"]
        assert plain.headers["Cache-Control"].startswith("public, max-age=300, s-maxage=300")
        assert "Accept-Encoding" in plain.headers["Vary"]
        head = client.head(url)
        assert head.status_code == 200 and head.get_data() == b"" and head.headers["ETag"] == etag
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.get_data()) == plain.get_data()
        assert zipped.headers["ETag"] == etag[:-1] + '-gz"'
        assert client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"}).status_code == 200
    # Another state's file is another representation.
    assert client.get("/stats/VT/data.csv", headers={"If-None-Match": plain.headers["ETag"]}).status_code == 200


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_state_page_links_its_own_download_at_one_address(loaded, client, lang):
    page = page_text(client, PREFIX[lang] + "/stats/OH")
    top = page.split("<details")[0]
    assert 'href="/stats/OH/data.csv"' in top and 'href="/stats/OH/data.json"' in top
    assert client.get("/es/stats/OH/data.csv").get_data() == client.get("/stats/OH/data.csv").get_data()


# --- What other parts of the site use ---------------------------------------------------------

def test_home_page_shows_one_month_side_by_side(loaded, client):
    page = page_text(client, "/")
    headline = words(page.split('class="headline"')[1].split("</div>")[0])
    assert "68,962 people died of a drug overdose in the United States in the 12 months ending September 2025" in headline
    assert "58% of these deaths (39,662) involved synthetic opioids" in headline
    assert "January 2026" not in headline and 'href="/stats/"' in page


@pytest.mark.both_databases
def test_latest_figures_for_letters(loaded):
    with loaded.app_context():
        ohio = queries.latest_figures("oh")
        assert (ohio.jurisdiction, ohio.state_name, ohio.period_end, ohio.month_label) == (
            "OH", "Ohio", date(2025, 4, 1), "April 2025")
        # Reported counts, both for the same 12 months, as the page's headline.
        assert (ohio.overdose_deaths, ohio.synthetic_opioid_deaths, ohio.synthetic_period_end) == (
            2830, 1771, date(2025, 4, 1))
        new_york = queries.latest_figures("NY")
        assert (new_york.overdose_deaths, new_york.month_label, new_york.synthetic_opioid_deaths) == (
            3814, "April 2025", 1208 + 1379)
        louisiana = queries.latest_figures("LA")
        assert (louisiana.overdose_deaths, louisiana.synthetic_opioid_deaths) == (1202, None)
        assert louisiana.synthetic_period_end is None
        for nothing in ("ZZ", "", "YC", None, "\x00"):
            assert queries.latest_figures(nothing) is None


@pytest.mark.both_databases
def test_stats_status_says_what_each_indicator_covers(loaded, runner):
    result = runner.invoke(args=["stats-status"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "the newest month on the site is January 2026" in out
    assert f"{ALL}: 8 places, through September 2025" in out
    assert "3 through September 2025" in out and "3 through April 2025" in out
    assert "1 through March 2019 (history: more than 18 months old)" in out
    assert f"{SYN}: 5 places, through January 2026" in out and "Cocaine (T40.5): no figures" in out
    assert "CDC WONDER synthetic-opioid deaths by state and month: 3 places" in out
    assert "NCHS national rates: 2016 to 2018." in out


# --- The bundled snapshot ---------------------------------------------------------------------

@pytest.mark.both_databases
def test_bundled_snapshot_loads_the_newest_release_figures_once(app, runner):
    """Figures SOURCES.md quotes from the newest releases are what the snapshot gives."""
    from memorials.stats.models import LongFigure
    from memorials.stats.snapshot import load_bundled, manifest

    with app.app_context():
        assert "loaded" in load_bundled()
        count = db.session.execute(db.select(db.func.count(StatFigure.id))).scalar()
        assert count == manifest()["figures"]["rows"]
        assert load_bundled() == "statistics: already loaded"
        assert db.session.execute(db.select(db.func.count(StatFigure.id))).scalar() == count
        september = figure("US", ALL, date(2025, 9, 1))
        assert (september.reported, september.predicted) == (68962, 72108)
        assert (figure("US", ALL, date(2024, 9, 1)).reported, figure("US", ALL, date(2024, 9, 1)).predicted) == (87652, 88948)
        december = figure("US", SYN, date(2025, 12, 1))
        assert (december.reported, december.predicted) == (37777, 38200)
        assert figure("LA", SYN, date(2025, 1, 1)) is None  # CDC publishes none for Louisiana
        assert figure("NY", ALL, date(2025, 4, 1)).nyc_included is True
        assert figure("NY", SYN, date(2026, 1, 1)).nyc_included is False and figure("YC", SYN, date(2026, 1, 1))
        # The long view: WONDER months 1999 to March 2025, NCHS rates 1999-2018, with sources in the manifest.
        long_view = {part["dataset"]: part for part in manifest()["long_view"]}
        assert {"wonder", "nchs_rates", "key_figures", "wonder_summary"} <= set(long_view)
        assert all(part["from"] for part in long_view.values())
        wonder = db.session.execute(db.select(db.func.count(LongFigure.id)).where(LongFigure.dataset == "wonder")).scalar()
        assert wonder == long_view["wonder"]["rows"]
        head = queries.headline("US")
        assert head["overdose"]["reported"] == 68962 and head["synthetic"]["period_end"] == date(2026, 1, 1)
    # A later CDC file imported by hand is not undone by running init-db's loader again.
    result = runner.invoke(args=["import-stats", str(FIXTURES / "vsrr_api.csv")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "already loaded" in load_bundled()
        assert figure("US", SYN, date(2019, 2, 1)).reported == 31754


@pytest.mark.both_databases
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
    assert result.exit_code == 0 and "Imported 8 CDC VSRR figures through September 2025" in result.output
    assert missing.exit_code != 0 and "Nothing was imported. Could not read" in missing.output
    with app.app_context():
        assert figure("PA", ALL, date(2025, 9, 1)).predicted == 3042
        assert db.session.execute(db.select(StatRelease.source)).scalar() == url


# --- In Spanish --------------------------------------------------------------------------------

MONTHS_ES = {"January": "enero", "February": "febrero", "March": "marzo", "April": "abril", "May": "mayo",
             "June": "junio", "July": "julio", "August": "agosto", "September": "septiembre", "October": "octubre",
             "November": "noviembre", "December": "diciembre"}
FIGURES = re.compile(r"\d[\d,.]*\d%?|\d%?")
# Titles of sources cited as published (English names of CDC's datasets and reports), not our sentences.
CITED = ("NCHS final figures as reported by a secondary source: NCHS annual report on 2024 final drug overdose deaths "
         "(as summarized by Filter, Jan 29 2026 CDC report)", "Multiple Cause of Death, final (United States)",
         "Multiple Cause of Death", "Provisional Drug Overdose Death Counts")
ENGLISH = re.compile(r"\b(the|and|of|in|to|by|for|with|from|is|are|per|deaths?|people|years?|months?|ending|"
                     r"reported|predicted|figures?|counts?|drugs?|state)\b", re.I)


def main_text(page: str) -> str:
    """The statistics' part of a page (inside <main>, charts' titles and descriptions included), as words."""
    main = page.split("<main")[1].split("</main>")[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def headline_of(page: str) -> str:
    return words(page.split('class="headline"')[1].split("</div>")[0])


def months_in(text: str, spanish: bool) -> list[str]:
    if spanish:
        return re.findall(r"(?<!\d de )\b(%s) de (\d{4})" % "|".join(MONTHS_ES.values()), text)
    return [(MONTHS_ES[m], y) for m, y in re.findall(r"\b(%s) (\d{4})" % "|".join(MONTHS_ES), text)]


def test_the_spanish_pages_say_the_same_figures_and_months_in_spanish_sentences(loaded, client):
    # (The headline's own sentences in both languages: test_one_plain_headline_with_each_month_said_once.)
    # Sentence for sentence, the same figures and months as the English pages, in the same order.
    for url in ("/stats/", "/stats/OH", "/stats/VT"):
        english, spanish = page_text(client, url), page_text(client, "/es" + url)
        assert FIGURES.findall(headline_of(english)) == FIGURES.findall(headline_of(spanish)), url
        assert months_in(headline_of(english), False) == months_in(headline_of(spanish), True), url
        assert months_in(main_text(english), False) == months_in(main_text(spanish), True), url
        assert len(months_in(main_text(spanish), True)) > 10


def test_cdcs_footnotes_and_history_read_in_plain_spanish(loaded, client):
    national = words(page_text(client, "/es/stats/"))
    assert ("Los CDC dicen que esta cifra probablemente es baja: todavía se están investigando algunas muertes. "
            "Según los CDC, el 0.26% de las muertes de estos 12 meses todavía está en investigación.") in national
    page = page_text(client, "/es/stats/OH")
    text = words(page)
    assert ('<span class="fold-title" id="drugs-OH-title">Muertes por droga en Ohio, de febrero de 2018 a febrero '
            'de 2019</span>' in page)
    assert ("Esto es historia, no la situación actual: la copia de la publicación de los CDC que tiene este sitio da "
            "las muertes por droga en Ohio solo hasta febrero de 2019. Al importar la exportación actual de los CDC "
            "(import-stats), se pone al día.") in text
    assert (text.index("Cada mes desde") < text.index("La vista a largo plazo")
            < text.index("Muertes por droga en Ohio, de febrero de 2018") < text.index("Sobre estas cifras"))
    assert "2019" not in headline_of(page)
    wyoming = words(page_text(client, "/es/stats/WY"))
    assert ("No tenemos cifras actuales de los CDC para Wyoming: lo que este sitio tiene es historia, y aparece abajo "
            "con sus fechas.") in wyoming and "personas murieron" not in wyoming
    assert "Muertes a lo largo del tiempo en Wyoming, de febrero de 2019 a marzo de 2019" in wyoming
    assert ("Wyoming no está en la tabla: su cifra termina en marzo de 2019, demasiado antigua para ponerla junto a "
            "las demás.") in national


def test_the_spanish_state_table_charts_and_tables_leave_no_english_sentence(loaded, client):
    page = page_text(client, "/es/stats/?sort=rate")
    ohio = page.split('href="/es/stats/OH">Ohio</a>')[1].split("</tr>")[0]
    assert "abr 2025" in ohio and "2,830" in ohio and "23.8" in ohio and "-32.6%" in ohio
    assert 'aria-sort="descending">Por cada 100,000' in page and 'href="/es/stats/?sort=count#states-title"' in page
    assert "la mayoría terminan en abril de 2025. 2 terminan en septiembre de 2025." in words(page)
    assert "Muertes por sobredosis de drogas por estado, cifras de 12 meses más recientes, ordenadas por tasa" in words(page)
    ohio_page = page_text(client, "/es/stats/OH")
    # Charts: title, description and labels in Spanish; the trend table's months are Babel's short months.
    assert ('<title id="trend-OH-0-narrow-t">Muertes por sobredosis en Ohio, cifras de 12 meses, de febrero de 2018 a '
            'enero de 2026</title>') in ohio_page
    assert ("Todas las sobredosis de drogas: 2,830 en los 12 meses que terminan en abril de 2025, frente a 4,739 en "
            "los 12 meses que terminan en febrero de 2018") in ohio_page
    assert '<text class="label" x="2" y="18">menos de 1 año</text>' in ohio_page
    assert '<th scope="row">15 a 24 años</th>' in ohio_page and '<th scope="row">ene 2026</th>' in ohio_page
    assert "<th scope=\"row\">Heroína<br><span class=\"hint\">T40.1</span></th>" in ohio_page
    # The downloads keep one language-neutral address, columns and all.
    assert 'href="/stats/data.csv"' in ohio_page and 'href="/stats/data.json"' in ohio_page
    for url in ("/es/stats/", "/es/stats/OH", "/es/stats/WY", "/es/stats/US", "/es/stats/?sort=change&map=change"):
        # (The map's squares carry postal codes, "IN" among them: their names are checked in the map's test.)
        text = main_text(re.sub(r'<svg class="tile-map.*?</svg>', "", page_text(client, url), flags=re.S))
        for cited in CITED:
            text = text.replace(cited, "")
        assert ENGLISH.findall(text) == [], (url, ENGLISH.findall(text)[:10])
    assert "Las cifras › los Estados Unidos" in words(page_text(client, "/es/stats/US"))


def test_each_language_has_its_own_rendered_page(loaded, client):
    english = "2,830 people died of a drug overdose in Ohio in the 12 months ending April 2025, 32.6% fewer"
    spanish = ("2,830 personas murieron por sobredosis de drogas en Ohio en los 12 meses que terminan en abril de 2025, "
               "un 32.6% menos")
    for _ in range(2):  # the second round is served from the memo of rendered pages
        assert english in words(page_text(client, "/stats/OH")) and "personas" not in page_text(client, "/stats/OH")
        assert spanish in words(page_text(client, "/es/stats/OH")) and "people died" not in page_text(client, "/es/stats/OH")
    home = words(page_text(client, "/es/"))
    assert ("68,962 personas murieron por sobredosis de drogas en los Estados Unidos en los 12 meses que terminan en "
            "septiembre de 2025, un 21.3% menos que un año antes.") in home and "Más cifras" in home
