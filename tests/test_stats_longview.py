"""The long view since 1999: CDC WONDER months and NCHS rates, read in their public formats and shown honestly.

Expected figures are read from the fixture files here with nothing but csv, so every year total
and rate on the page is checked against what WONDER and NCHS published.
"""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date

import pytest

from memorials.extensions import db
from memorials.stats import longview, queries
from memorials.stats.commands import import_file
from memorials.stats.importer import StatsImportError
from memorials.stats.models import LongFigure, StatRelease

from .test_stats import FIXTURES, csv_rows, loaded, page_text, words  # noqa: F401 (loaded is a fixture)

FIPS = {"39": "OH", "54": "WV", "50": "VT"}


def wonder_months(name: str) -> dict[tuple[str, int, int], int]:
    """(state, year, month) -> deaths, as the WONDER file has them (suppressed months absent)."""
    text = (FIXTURES / name).read_text()
    rows = list(csv.reader(io.StringIO(text), delimiter="\t" if name.endswith(".txt") else ","))
    header = [h.strip('"') for h in rows[0]]
    out = {}
    for row in rows[1:]:
        if not row or row[0].strip('"') == "---" or len(row) < len(header):
            break
        record = dict(zip(header, [c.strip('"') for c in row]))
        year, month = record["Month Code"].split("/")
        state = record.get("State Code") or record["Residence State Code"]
        out[(FIPS[state], int(year), int(month))] = int(record["Deaths"])
    return out


def year_totals(months) -> dict[tuple[str, int], tuple[int, int]]:
    """(state, year) -> (sum of published months, how many months were published)."""
    totals = defaultdict(lambda: [0, 0])
    for (state, year, _), deaths in months.items():
        totals[(state, year)][0] += deaths
        totals[(state, year)][1] += 1
    return {k: tuple(v) for k, v in totals.items()}


def long_table(page: str, code: str) -> str:
    return page.split(f'id="long-{code}-caption"')[1].split("</table>")[0]


def row_of(table: str, label: str) -> str:
    return words(table.split(f'<th scope="row">{label}</th>')[1].split("</tr>")[0])


# --- Reading WONDER and NCHS ----------------------------------------------------------------------

@pytest.mark.both_databases
def test_a_wonder_csv_export_is_read_exactly(app):
    expected = wonder_months("wonder_final.csv")
    with app.app_context():
        release = longview.import_long(str(FIXTURES / "wonder_final.csv"))
        assert (release.dataset, release.first_period, release.latest_period) == ("wonder", date(2013, 1, 1),
                                                                                   date(2014, 12, 1))
        stored = {(f.jurisdiction, f.year, f.month): f.value for f in db.session.execute(
            db.select(LongFigure).where(LongFigure.dataset == "wonder")).scalars()}
        assert stored == expected and len(stored) == 31
        one = db.session.execute(db.select(LongFigure).filter_by(jurisdiction="OH", year=2014, month=1)).scalar_one()
        assert (one.final, one.measure, one.indicator) == (True, "synthetic", "Other synthetic narcotics (T40.4)")


@pytest.mark.both_databases
def test_wonders_own_tab_export_with_its_notes_footer_and_a_partial_year(app, runner):
    result = runner.invoke(args=["import-stats", str(FIXTURES / "wonder_provisional.txt")])
    assert result.exit_code == 0, result.output
    assert "Imported 24 CDC WONDER months through March 2025" in result.output
    with app.app_context():
        release = db.session.execute(db.select(StatRelease)).scalar_one()
        # 2025 is "provisional and partial": the file covers it only through its last month.
        assert (release.first_period, release.latest_period) == (date(2024, 1, 1), date(2025, 3, 1))
        finals = {f.final for f in db.session.execute(db.select(LongFigure)).scalars()}
        assert finals == {False}
        stored = {(f.jurisdiction, f.year, f.month): f.value for f in db.session.execute(db.select(LongFigure)).scalars()}
        assert stored == wonder_months("wonder_provisional.txt")


@pytest.mark.both_databases
@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace("2013/01,Ohio,39,Other synthetic narcotics,T40.4,", "2013/01,Ohio,39,Other synthetic narcotics,T40.4,1x"),
     "line 2: Deaths is '1x"),
    (lambda t: t.replace(",Ohio,39,", ",Ohio,99,", 1), "line 2: State Code is '99', not a state"),
    (lambda t: t.replace("T40.4", "T99.9", 1), "line 2: multiple cause of death 'T99.9'"),
    (lambda t: t.replace("Multiple Cause of death Code", "Cause"), "line 1: .*missing Multiple Cause of death Code"),
    (lambda t: t + t.splitlines()[1] + "\n", "the same state, month and cause as line 2"),
])
def test_a_malformed_wonder_file_is_refused_whole(loaded, tmp_path, change, message):
    path = tmp_path / "wonder.csv"
    path.write_text(change((FIXTURES / "wonder_final.csv").read_text()))
    with loaded.app_context():
        before = db.session.execute(db.select(db.func.count(LongFigure.id))).scalar()
        with pytest.raises(StatsImportError, match=message):
            longview.import_long(str(path))
        assert db.session.execute(db.select(db.func.count(LongFigure.id))).scalar() == before


@pytest.mark.both_databases
def test_a_month_now_suppressed_disappears_when_its_export_is_imported_again(loaded, client, tmp_path):
    ohio_2014 = year_totals(wonder_months("wonder_final.csv"))[("OH", 2014)]
    assert ohio_2014[1] == 12
    assert row_of(long_table(page_text(client, "/stats/OH"), "OH"), "2014").startswith(f"{ohio_2014[0]:,} final")
    lines = (FIXTURES / "wonder_final.csv").read_text().splitlines()
    dropped = [line for line in lines if "2014/06,Ohio" in line]
    path = tmp_path / "again.csv"
    path.write_text("\n".join(line for line in lines if line not in dropped) + "\n")
    with loaded.app_context():
        import_file(str(path))  # imported and published, as `import-stats` does
    row = row_of(long_table(page_text(client, "/stats/OH"), "OH"), "2014")
    june = int(dropped[0].split(",")[-3])
    assert row == f"at least {ohio_2014[0] - june:,} 1 month under 10, not published"


@pytest.mark.both_databases
def test_nchs_rates_keep_the_national_rows_and_refuse_a_contradiction(app, tmp_path):
    rows = list(csv.DictReader(io.StringIO((FIXTURES / "nchs_rates.csv").read_text())))
    national = {(r["PANEL"], r["UNIT"], int(r["YEAR"])): float(r["ESTIMATE"]) for r in rows
                if r["STUB_NAME"] == "Total" and r["AGE"] == "All ages"}
    with app.app_context():
        release = longview.import_long(str(FIXTURES / "nchs_rates.csv"))
        assert release.skipped == 1  # the row by sex
        stored = {(f.indicator, f.unit, f.year): f.value for f in db.session.execute(db.select(LongFigure)).scalars()}
        assert {(p, "age_adjusted_rate" if "age-adjusted" in u else "crude_rate", y): v
                for (p, u, y), v in national.items()} == stored
    text = (FIXTURES / "nchs_rates.csv").read_text()
    first = text.splitlines()[1]
    contradiction = first.rsplit(",", 2)[0] + ",99.9," + first.rsplit(",", 1)[1]
    path = tmp_path / "nchs.csv"
    path.write_text(text + contradiction + "\n")
    with app.app_context(), pytest.raises(StatsImportError, match=r"line 15: All drug overdose deaths, 2016 is 99.9 here"):
        longview.import_long(str(path))


@pytest.mark.both_databases
def test_figures_quoted_from_text_keep_their_source(app):
    with app.app_context():
        release = longview.import_long(str(FIXTURES / "nchs_key_figures.csv"))
        assert release.skipped == 1  # a population group: the site shows national totals
        figures = {(f.year, f.unit): f for f in db.session.execute(db.select(LongFigure)).scalars()}
        assert figures[(2023, "deaths")].value == 105007 and figures[(2023, "deaths")].source == "NCHS Data Brief No. 522"
        assert figures[(2024, "deaths")].source.startswith("NCHS final figures as reported by a secondary source")
        assert figures[(2024, "deaths")].note.startswith("https://")


# --- On the pages -------------------------------------------------------------------------------

def test_a_year_with_a_suppressed_month_is_at_least_never_exact(loaded, client):
    totals = year_totals(wonder_months("wonder_final.csv")) | year_totals(wonder_months("wonder_provisional.txt"))
    ohio = page_text(client, "/stats/OH")
    table = long_table(ohio, "OH")
    deaths, published = totals[("OH", 2013)]
    assert published == 9
    assert row_of(table, "2013") == f"at least {deaths:,} 3 months under 10, not published"
    assert row_of(table, "2014") == f"{totals[('OH', 2014)][0]:,} final"
    assert row_of(table, "2024") == f"{totals[('OH', 2024)][0]:,} provisional"
    assert '<th scope="row">2025</th>' not in table  # January to March is not a year
    text = words(ohio)
    assert "WONDER's provisional file here also has 2025 through March 2025; part of a year is not shown as a year." in text
    assert "a slightly wider definition than the overdose counts above" in text
    assert "Final data through 2014. Later years are provisional" in text
    assert text.index("Provisional 2024") < text.index("Final data 2014")  # the table marks where final data ends
    vermont = page_text(client, "/stats/VT")
    vt = long_table(vermont, "VT")
    assert row_of(vt, "2013") == "under 10 each month final"
    deaths, published = totals[("VT", 2024)]
    assert published == 9 and row_of(vt, "2024") == f"at least {deaths:,} 3 months under 10, not published"
    # On the chart, a lower bound is a hollow point.
    svg = re.findall(r"<svg[^>]*chart-wide.*?</svg>", ohio.split('id="long-OH-title"')[1], flags=re.S)[0]
    assert svg.count("hollow") == 1 and 'class="join"' in svg and "at least" in svg


def test_the_national_long_view_joins_final_rates_to_provisional_counts_and_marks_the_join(loaded, client):
    rows = list(csv.DictReader(io.StringIO((FIXTURES / "nchs_rates.csv").read_text())))
    crude = {(r["PANEL"][:3], int(r["YEAR"])): r["ESTIMATE"] for r in rows
             if r["STUB_NAME"] == "Total" and "crude" in r["UNIT"]}
    adjusted = {(r["PANEL"][:3], int(r["YEAR"])): r["ESTIMATE"] for r in rows
                if r["STUB_NAME"] == "Total" and "age-adjusted" in r["UNIT"]}
    page = page_text(client, "/stats/")
    table = long_table(page, "US")
    for year in (2016, 2017, 2018):
        assert row_of(table, str(year)) == (f"{float(crude[('All', year)]):.1f} ({float(adjusted[('All', year)]):.1f}) "
                                            f"{float(crude[('Dru', year)]):.1f} ({float(adjusted[('Dru', year)]):.1f})")
    text = words(table)
    assert text.index("2018") < text.index("Final data ends here.") < text.index("12 months ending September 2025")
    with loaded.app_context():
        people = db.session.execute(db.text("select population from population where jurisdiction='US' and year=2025")).scalar()
    assert row_of(table, "12 months ending September 2025") == (
        f"68,962 ({68962 / people * 100000:.1f}) 39,662 ({39662 / people * 100000:.1f})")
    svg = re.findall(r"<svg[^>]*chart-wide.*?</svg>", page.split('id="long-US-title"')[1], flags=re.S)[0]
    assert 'class="join"' in svg and 'class="provisional-zone"' in svg and ">final</text>" in svg
    assert ">provisional</text>" in svg
    words_page = words(page)
    assert "That table gives rates per 100,000 residents, not counts, so the long view is drawn as a rate." in words_page
    final = words(page.split('id="long-US-final-caption"')[1].split("</table>")[0])
    assert "2023 all drug overdose deaths 105,007 NCHS Data Brief No. 522" in final
    assert "2024 all drug overdose deaths 79,384 Not from an NCHS table. NCHS final figures as reported by a secondary" in final
    assert "2024 deaths involving synthetic opioids 47,735 CDC WONDER" in final


@pytest.mark.both_databases
def test_the_download_gains_the_long_view_with_its_source(loaded, client):
    rows = csv_rows(client.get("/stats/data.csv"))
    wonder = {(r["jurisdiction"], int(r["period_end"][:4]), int(r["period_end"][5:])): int(r["reported"])
              for r in rows if r["source"].startswith("CDC WONDER, Multiple Cause") and r["period"] == "month"}
    assert wonder == wonder_months("wonder_final.csv") | wonder_months("wonder_provisional.txt")
    assert {r["final"] for r in rows if r["period"] == "month" and r["period_end"].startswith("2024")} == {"no"}
    totals = {(r["jurisdiction"], r["period_end"]): r for r in rows if r["source"].startswith("Computed here")}
    assert totals[("OH", "2013-12")]["at_least"] == "yes" and totals[("OH", "2014-12")]["at_least"] == ""
    assert int(totals[("OH", "2013-12")]["reported"]) == year_totals(wonder_months("wonder_final.csv"))[("OH", 2013)][0]
    nchs = {(r["indicator"][:3], r["unit"], r["period_end"]): r["reported"] for r in rows
            if r["source"].startswith("NCHS, Health, United States")}
    assert nchs[("All", "crude_rate", "2018-12")] == "20.6" and nchs[("Dru", "age_adjusted_rate", "2016-12")] == "6.2"
    quoted = [r for r in rows if r["source"].startswith("NCHS Data Brief No. 522")]
    assert {(r["period_end"], r["reported"], r["unit"]) for r in quoted} == {("2023-12", "105007", "deaths"),
                                                                            ("2023-12", "31.3", "age_adjusted_rate")}
    data = client.get("/stats/data.json?jurisdiction=VT").get_json()
    assert {f["source"] for f in data["figures"]} >= {"CDC WONDER, Multiple Cause of Death, provisional"}


@pytest.mark.both_databases
def test_letters_and_headlines_never_use_the_long_view(loaded):
    with loaded.app_context():
        figures = queries.latest_figures("OH")
        assert (figures.overdose_deaths, figures.period_end) == (2830, date(2025, 4, 1))
