"""Make the bundled statistics snapshot from the public files, with the project's own importer.

    python -m memorials.stats.build_snapshot ../shared/data

Imports the VSRR releases oldest first (so the newest release's figures stand), then writes
every figure the site shows, in the dataset's API shape, to memorials/data/stats/, with the
Census population estimates, the CDC WONDER age groups, and a manifest of sources and dates.
Run by hand when a new release is added; the site never reads the public folder itself.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import sys
from datetime import date
from pathlib import Path

from ..states import FIPS, STATES
from .snapshot import AGE_GROUPS, FIGURES, FOLDER, MANIFEST, POPULATION

# (file under vsrr/, CDC release as SOURCES.md gives it), oldest release first.
RELEASES = [
    ("vsrr_full_all_indicators_2015-01_2019-02.csv", "2019 (downloaded 2019-10)"),
    ("vsrr_all_drug_overdose_deaths_by_state_2015-01_2025-04.canonical.csv", "2025-09-17"),
    ("vsrr_full_LA_PA_rows_2015-01_2025-09.csv", "2026-02-14"),
    ("vsrr_full_US_rows_2015-01_2025-09.csv", "2026-02-14"),
    ("vsrr_t40_4_synthetic_opioids_by_state_2015-01_2026-01.csv", "2026-06-27"),
]
API_COLUMNS = ["state", "year", "month", "period", "indicator", "percent_complete", "percent_pending_investigation",
               "state_name", "footnote", "footnote_symbol", "data_value", "predicted_value"]
POPULATION_FILES = [("population/nst-est2020-alldata.csv", range(2010, 2020)),
                    ("population/NST-EST2025-ALLDATA.csv", range(2020, 2026))]


def build(shared: Path) -> dict:
    from ..scratch import scratch_app
    from .importer import import_vsrr, parse_population, read_text
    from .queries import all_figures

    FOLDER.mkdir(parents=True, exist_ok=True)
    with scratch_app():
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
            for f in all_figures():
                name = {"US": "United States", "YC": "New York City"}.get(f.jurisdiction, STATES.get(f.jurisdiction, ""))
                writer.writerow([f.jurisdiction, f.period_end.year, f.period_end.strftime("%B"), "12 month-ending",
                                 f.indicator, "", "" if f.percent_pending is None else f.percent_pending, name,
                                 f.footnote or "", "", "" if f.reported is None else f.reported,
                                 "" if f.predicted is None else f.predicted])
                count += 1
            latest = max(r["runs_through"] for r in releases)

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
    }
    MANIFEST.write_text(json.dumps(meta, indent=2) + "\n")
    return meta


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m memorials.stats.build_snapshot PATH/TO/shared/data")
    print(json.dumps(build(Path(sys.argv[1]).resolve()), indent=2))
