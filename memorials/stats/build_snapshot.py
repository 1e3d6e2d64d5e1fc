"""Make the bundled statistics snapshot from the public files, with the project's own importers.

    python -m memorials.stats.build_snapshot ../shared/data

Imports the VSRR releases oldest first (so the newest release's figures stand), then writes
every figure the site shows, in the dataset's API shape, to memorials/data/stats/, with the
Census population estimates, the CDC WONDER age groups, the long view (CDC WONDER months by
state, NCHS national rates, NCHS figures quoted from text), and a manifest of sources and dates.
Run by hand when a new release is added; the site never reads the public folder itself.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
import sys
from datetime import date
from pathlib import Path

from ..extensions import db
from ..throwaway import throwaway_app
from ..states import FIPS, STATES
from .importer import import_vsrr, parse_population, read_text
from .longview import import_long, parse_key_figures, parse_nchs_rates
from .models import LongFigure, StatFigure, StatRelease
from .snapshot import AGE_GROUPS, FIGURES, FOLDER, MANIFEST, POPULATION

# (file under vsrr/, CDC release as SOURCES.md gives it), oldest release first.
RELEASES = [
    ("vsrr_full_all_indicators_2015-01_2019-02.csv", "2019 (downloaded 2019-10)"),
    ("vsrr_all_drug_overdose_deaths_by_state_2015-01_2025-04.canonical.csv", "2025-09-17"),
    ("vsrr_full_LA_PA_rows_2015-01_2025-09.csv", "2026-02-14"),
    ("vsrr_full_US_rows_2015-01_2025-09.csv", "2026-02-14"),
    ("vsrr_t40_4_synthetic_opioids_by_state_2015-01_2026-01.csv", "2026-06-27"),
]
# CDC WONDER exports, oldest first: where they overlap, the later file's months stand.
WONDER_FILES = [
    ("wonder_mcd_final_t40_4_by_state_month_1999-2020.csv",
     "CDC WONDER D77, Multiple Cause of Death 1999-2020 (final)", "1999-01 to 2020-12"),
    ("wonder_mcd_final_t40_4_by_state_month_2018-2023.csv",
     "CDC WONDER D157, Multiple Cause of Death 2018-2023, Single Race (final)", "2018-01 to 2023-12"),
    ("wonder_provisional_t40_4_by_state_month_2018-2025-03.csv",
     "CDC WONDER D176, Provisional Mortality Statistics 2018 through Last Week (vintage 2025-09-20); "
     "final data for 2018-2023, provisional for 2024, partial for 2025", "2018-01 to 2025-03"),
]
WONDER_SNAPSHOT = "wonder_t40_4_by_state_month.csv.gz"
NCHS_RATES = ("nchs_hus_drug_overdose_death_rates_by_drug_sex_age_race_1999-2018.csv", "nchs_hus_national_rates_1999-2018.csv")
KEY_FIGURES = ("overdose_key_figures_transcribed_from_text.csv", "nchs_key_figures_national.csv")
WONDER_SUMMARY = "wonder_t40_4_share_of_drug_poisoning_deaths_2024.csv"
API_COLUMNS = ["state", "year", "month", "period", "indicator", "percent_complete", "percent_pending_investigation",
               "state_name", "footnote", "footnote_symbol", "data_value", "predicted_value"]
WONDER_COLUMNS = ["Notes", "Year", "Year Code", "Month", "Month Code", "State", "State Code",
                  "Multiple Cause of death", "Multiple Cause of death Code", "Deaths", "Population", "Crude Rate"]
POPULATION_FILES = [("population/nst-est2020-alldata.csv", range(2010, 2020)),
                    ("population/NST-EST2025-ALLDATA.csv", range(2020, 2026))]
MONTH_ABBR = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sep.", "Oct.", "Nov.", "Dec."]


def build(shared: Path) -> dict:
    FOLDER.mkdir(parents=True, exist_ok=True)
    with throwaway_app():
        releases = []
        for name, cdc_release in RELEASES:
            release = import_vsrr(str(shared / "vsrr" / name))
            releases.append({"file": name, "cdc_release": cdc_release, "rows_imported": release.row_count,
                             "runs_through": release.latest_period.strftime("%Y-%m")})
        # mtime=0: the same figures make the same bytes, so the snapshot only changes when they do.
        with gzip.GzipFile(FIGURES, "wb", mtime=0) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(API_COLUMNS)
            count = 0
            for f in db.session.execute(db.select(StatFigure).order_by(
                    StatFigure.jurisdiction, StatFigure.indicator, StatFigure.period_end)).scalars():
                name = {"US": "United States", "YC": "New York City"}.get(f.jurisdiction, STATES.get(f.jurisdiction, ""))
                writer.writerow([f.jurisdiction, f.period_end.year, f.period_end.strftime("%B"), "12 month-ending",
                                 f.indicator, "", "" if f.percent_pending is None else f.percent_pending, name,
                                 f.footnote or "", "", "" if f.reported is None else f.reported,
                                 "" if f.predicted is None else f.predicted])
                count += 1
            latest = max(r["runs_through"] for r in releases)

        # CDC WONDER: the three exports imported in order, written back as one export of the months kept.
        wonder_from = []
        for name, dataset, months in WONDER_FILES:
            release = import_long(str(shared / "cdc_wonder" / name))
            wonder_from.append({"file": name, "dataset": dataset, "months": months, "rows_imported": release.row_count,
                                "found_in": "Data-Science-Link/fentanyl-awareness @ 4da75ee (2025-10-25), "
                                            "see shared/data/SOURCES.md"})
        fips = {v: k for k, v in FIPS.items()}
        provisional_years = {r.year for r in db.session.execute(db.select(LongFigure.year).where(
            LongFigure.dataset == "wonder", LongFigure.final.is_(False)))}
        last = max(r.latest_period for r in db.session.execute(db.select(StatRelease).where(
            StatRelease.dataset == "wonder")).scalars())
        wonder_rows = 0
        with gzip.GzipFile(FOLDER / WONDER_SNAPSHOT, "wb", mtime=0) as raw, \
                io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(WONDER_COLUMNS)
            for r in db.session.execute(db.select(LongFigure).where(LongFigure.dataset == "wonder").order_by(
                    LongFigure.year, LongFigure.month, LongFigure.jurisdiction)).scalars():
                match = re.fullmatch(r"(.*) \((T\d\d\.\d)\)", r.indicator)
                label = str(r.year)
                if r.year in provisional_years:
                    label += " (provisional and partial)" if r.year == last.year and last.month < 12 else " (provisional)"
                writer.writerow(["", label, r.year, f"{MONTH_ABBR[r.month - 1]}, {label}", f"{r.year}/{r.month:02d}",
                                 STATES[r.jurisdiction], fips[r.jurisdiction], match.group(1), match.group(2),
                                 int(r.value), "Not Applicable", "Not Applicable"])
                wonder_rows += 1

    # NCHS rates: the national all-ages rows the site reads, as they are in the public file.
    _copy_rows(shared / "nchs" / NCHS_RATES[0], FOLDER / NCHS_RATES[1], parse_nchs_rates,
               lambda row: row["STUB_NAME"] == "Total" and row["AGE"] == "All ages",
               lambda row: (row["PANEL"], row["UNIT"], row["YEAR"]))
    _copy_rows(shared / "nchs" / KEY_FIGURES[0], FOLDER / KEY_FIGURES[1], parse_key_figures,
               lambda row: row["population_group"] == "all persons", lambda row: tuple(row.values()))
    shutil.copyfile(shared / "cdc_wonder" / WONDER_SUMMARY, FOLDER / WONDER_SUMMARY)

    # Population: the Census files' own shape, only the columns and rows rates need.
    years: dict[tuple[str, str, str], dict[int, int]] = {}
    for path, wanted in POPULATION_FILES:
        for code, year, people in parse_population(read_text(str(shared / path))):
            if year in wanted:
                years.setdefault(code, {})[year] = people
    with POPULATION.open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["SUMLEV", "STATE", "NAME"] + [f"POPESTIMATE{y}" for y in range(2010, 2026)])
        fips = {v: k for k, v in FIPS.items()}
        for code in sorted(years, key=lambda c: (c != "US", c)):
            level, state = ("010", "00") if code == "US" else ("040", fips[code])
            name = "United States" if code == "US" else STATES[code]
            writer.writerow([level, state, name] + [years[code].get(y, "") for y in range(2010, 2026)])
    shutil.copyfile(shared / "cdc_wonder" / AGE_GROUPS.name, AGE_GROUPS)

    meta = {
        "built": date.today().isoformat(),
        "figures": {"file": FIGURES.name, "rows": count, "runs_through": latest,
                    "shape": "VSRR API shape (snake_case headers), the figures of the indicators the site shows"},
        "source": "CDC, National Center for Health Statistics, VSRR Provisional Drug Overdose Death Counts "
                  "(data.cdc.gov dataset xkb8-kh2a)",
        "releases": releases,
        "population_source": "U.S. Census Bureau state population estimates, Vintage 2020 (2010-2019) "
                             "and Vintage 2025 (2020-2025), July 1",
        "age_groups_source": "CDC WONDER, Multiple Cause of Death, 2024 final data: deaths involving "
                             "synthetic opioids other than methadone (T40.4), United States, by age group",
        "long_view": [
            {"file": WONDER_SNAPSHOT, "dataset": "wonder", "rows": wonder_rows,
             "what": "CDC WONDER state-months of synthetic-opioid deaths",
             "shape": "CDC WONDER export (CSV): grouped by Year, Month, State and Multiple Cause of death; "
                      "months under 10 deaths are absent, as WONDER leaves them",
             "definition": "underlying cause: all drug-induced causes (WONDER 'D'); multiple cause T40.4",
             "from": wonder_from},
            {"file": NCHS_RATES[1], "dataset": "nchs_rates", "what": "NCHS national rates",
             "shape": "NCHS Health, United States table (data.cdc.gov 95ax-ymtc), rows Total / All ages only",
             "from": [{"file": NCHS_RATES[0], "dataset": "NCHS, Health, United States: Drug overdose death rates, "
                       "by drug type, sex, age, race, and Hispanic origin (data.cdc.gov 95ax-ymtc), 1999-2018, final",
                       "found_in": "dreampuzzleee/stat451-final-project @ ee8fda9 (2023-11-16)"}]},
            {"file": KEY_FIGURES[1], "dataset": "key_figures", "what": "NCHS figures quoted from text",
             "shape": "one figure per row with its source and quote; rows for all persons only",
             "from": [{"file": KEY_FIGURES[0], "dataset": "NCHS Data Brief 522 text and secondary reports of NCHS's "
                       "2024 final figures (see each row's source_type)", "assembled": "2026-11-23"}]},
            {"file": WONDER_SUMMARY, "dataset": "wonder_summary", "what": "CDC WONDER national counts for 2024",
             "shape": "one row per year: T40.4 deaths, drug-poisoning deaths",
             "from": [{"file": WONDER_SUMMARY, "dataset": "CDC WONDER, Multiple Cause of Death, 2024 final data",
                       "extracted_at": "2026-10-01"}]},
        ],
    }
    MANIFEST.write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def _copy_rows(source: Path, target: Path, parser, keep, key) -> None:
    """The rows of a public CSV the site reads, unchanged, each once; checked with the importer's parser."""
    text = source.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    seen, rows = set(), []
    for row in reader:
        if keep(row) and key(row) not in seen:
            seen.add(key(row))
            rows.append(row)
    with target.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    parser(target.read_text())  # the snapshot reads back: refuses to write one the site could not load


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m memorials.stats.build_snapshot PATH/TO/shared/data")
    print(json.dumps(build(Path(sys.argv[1]).resolve()), indent=2))
