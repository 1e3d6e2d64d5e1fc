"""The long view since 1999: read CDC WONDER and NCHS files in their public formats.

- CDC WONDER, Multiple Cause of Death (final D77/D157, provisional D176), grouped by Year,
  Month and State with a Multiple Cause of death code: deaths per state and month. WONDER
  leaves out (or marks "Suppressed") every month under 10 deaths, so a month inside the
  export's years with no row was suppressed: a year with such a month is "at least N".
  Its exports come tab-separated with a "---" notes footer, or as CSV: both are read.
- NCHS, Health, United States: "Drug overdose death rates, by drug type, sex, age, race, and
  Hispanic origin" (data.cdc.gov 95ax-ymtc): national rates per 100,000, final data.
- NCHS figures transcribed from text (one row per figure, each with its source and quote),
  and a CDC WONDER one-line summary of a year's national counts.
Importers only import (see importer.py): a malformed row refuses the whole file, naming the line, before
anything is written; the caller publishes and commits.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, insert

from ..extensions import db
from ..states import FIPS
from .importer import StatsImportError, read_text
from .models import LongFigure, StatRelease

WONDER = "wonder"
NCHS_RATES = "nchs_rates"
KEY_FIGURES = "key_figures"
WONDER_SUMMARY = "wonder_summary"

# What is counted, as one word per drug class (the sources each name them their own way).
WONDER_CODES = {"T40.4": "synthetic", "T40.1": "heroin", "T40.2": "natural_semisynthetic", "T40.3": "methadone",
                "T40.5": "cocaine", "T43.6": "psychostimulants"}
HUS_PANELS = {
    "All drug overdose deaths": "overdose",
    "Drug overdose deaths involving any opioid": "any_opioid",
    "Drug overdose deaths involving natural and semisynthetic opioids": "natural_semisynthetic",
    "Drug overdose deaths involving methadone": "methadone",
    "Drug overdose deaths involving other synthetic opioids (other than methadone)": "synthetic",
    "Drug overdose deaths involving heroin": "heroin",
}
KEY_DRUGS = {
    "all drug overdose": "overdose",
    "synthetic opioids other than methadone (T40.4)": "synthetic",
    "opioids (T40.0-T40.4,T40.6)": "any_opioid",
    "heroin (T40.1)": "heroin",
    "natural and semi-synthetic opioids (T40.2)": "natural_semisynthetic",
    "natural and semisynthetic opioids (T40.2)": "natural_semisynthetic",
    "methadone (T40.3)": "methadone",
    "cocaine (T40.5)": "cocaine",
    "psychostimulants with abuse potential (T43.6)": "psychostimulants",
}
KEY_METRICS = {"deaths": ("deaths", True), "age_adjusted_rate": ("age_adjusted_rate", True),
               "predicted_provisional_deaths": ("predicted_provisional_deaths", False)}
KEY_SOURCES = {
    "official_nchs_text": "NCHS Data Brief (official text)",
    "official_nchs_text_via_mirror": "NCHS Data Brief, quoted from a mirror of its text",
    "secondary_report_of_nchs_release": "NCHS final figures as reported by a secondary source",
    "secondary_report_of_cdc_provisional_release": "CDC provisional figures as reported by a secondary source",
}


@dataclass
class LongRow:
    jurisdiction: str
    measure: str
    indicator: str
    unit: str
    year: int
    month: int
    value: float
    final: bool
    source: str
    note: str | None = None


@dataclass
class Parsed:
    dataset: str
    rows: list[LongRow]
    first: date | None = None
    last: date | None = None
    skipped: int = 0


def kind_of(header: list[str]) -> str | None:
    """Which long-view file a header belongs to, or None (then it is not one of these)."""
    names = {h.strip().strip('"') for h in header}
    if {"Month Code", "Deaths"} <= names:
        return WONDER
    if {"PANEL", "UNIT", "ESTIMATE", "YEAR"} <= names:
        return NCHS_RATES
    if {"metric", "drug", "value", "source_type"} <= names:
        return KEY_FIGURES
    if {"t40_4_deaths", "drug_poisoning_deaths", "year"} <= names:
        return WONDER_SUMMARY
    return None


def _reader(text: str):
    """csv rows of a comma- or tab-separated export (WONDER's own export is tab-separated)."""
    first = text.split("\n", 1)[0]
    return csv.reader(io.StringIO(text), delimiter="\t" if "\t" in first else ",")


def _number(value: str, line: int, column: str, whole: bool = False) -> float:
    text = (value or "").strip().replace(",", "")
    try:
        number = float(text)
    except ValueError:
        raise StatsImportError(f"line {line}: {column} is {value!r}, not a number.") from None
    if number < 0 or (whole and number != int(number)):
        raise StatsImportError(f"line {line}: {column} is {value!r}, not a {'whole ' if whole else ''}count.")
    return number


def parse_wonder(text: str) -> Parsed:
    """CDC WONDER months by state: (state, month, cause) -> deaths; suppressed months have no row."""
    reader = _reader(text)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise StatsImportError("The file is empty.") from None
    index = {name: number for number, name in enumerate(header)}
    state_column = next((c for c in ("State Code", "Residence State Code", "Occurrence State Code") if c in index),
                        None)
    missing = [c for c in ("Year", "Month Code", "Deaths", "Multiple Cause of death Code") if c not in index]
    if state_column is None:
        missing.append("State Code")
    if missing:
        raise StatsImportError("line 1: this doesn't look like a CDC WONDER export grouped by year, month, state "
                               f"and multiple cause of death: missing {', '.join(missing)}.")
    rows: list[LongRow] = []
    seen: dict[tuple, int] = {}
    years: dict[int, bool] = {}   # year -> partial
    months_seen: dict[int, int] = {}
    suppressed = 0
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        notes = row[index["Notes"]].strip() if "Notes" in index and len(row) > index["Notes"] else ""
        if notes == "---":
            break  # WONDER's footer: the query's description, not data
        if len(row) < len(header):
            if notes and not any(cell.strip() for cell in row[1:]):
                continue  # a line of notes
            raise StatsImportError(f"line {line}: expected {len(header)} fields, found {len(row)}.")
        if notes.lower() == "total" or not row[index["Month Code"]].strip():
            continue  # WONDER's subtotal rows
        match = re.fullmatch(r"((?:19|20)\d\d)/(0[1-9]|1[0-2])", row[index["Month Code"]].strip())
        if not match:
            raise StatsImportError(f"line {line}: Month Code is {row[index['Month Code']]!r}, not YYYY/MM.")
        year, month = int(match.group(1)), int(match.group(2))
        label = row[index["Year"]].strip().lower()
        provisional = "provisional" in label
        years[year] = years.get(year, False) or "partial" in label
        months_seen[year] = max(months_seen.get(year, 0), month)
        fips = row[index[state_column]].strip().zfill(2)
        code = FIPS.get(fips)
        if code is None:
            raise StatsImportError(f"line {line}: {state_column} is {row[index[state_column]]!r}, not a state.")
        cause = row[index["Multiple Cause of death Code"]].strip()
        measure = WONDER_CODES.get(cause)
        if measure is None:
            raise StatsImportError(f"line {line}: multiple cause of death {cause!r} is not one this site shows "
                                   f"({', '.join(WONDER_CODES)}).")
        deaths_text = row[index["Deaths"]].strip()
        if deaths_text.lower() == "suppressed":
            suppressed += 1
            continue
        deaths = _number(deaths_text, line, "Deaths", whole=True)
        key = (code, measure, year, month)
        if key in seen:
            raise StatsImportError(f"line {line}: the same state, month and cause as line {seen[key]}.")
        seen[key] = line
        cause_name = row[index["Multiple Cause of death"]].strip() if "Multiple Cause of death" in index else cause
        rows.append(LongRow(code, measure, f"{cause_name} ({cause})", "deaths", year, month, deaths,
                            not provisional, "CDC WONDER, Multiple Cause of Death, "
                            + ("provisional" if provisional else "final")))
    if not years:
        raise StatsImportError("The file has no months of data.")
    first_year, last_year = min(years), max(years)
    # A partial year runs to its last month with figures; whole years to December.
    last_month = months_seen[last_year] if years[last_year] else 12
    return Parsed(WONDER, rows, date(first_year, 1, 1), date(last_year, last_month, 1), suppressed)


def parse_nchs_rates(text: str) -> Parsed:
    """NCHS Health, United States rates: the national all-ages rows of each drug panel."""
    reader = csv.DictReader(io.StringIO(text))
    needed = {"PANEL", "UNIT", "STUB_NAME", "STUB_LABEL", "YEAR", "AGE", "ESTIMATE"}
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise StatsImportError("line 1: this doesn't look like NCHS's drug overdose death rates table "
                               f"(95ax-ymtc): it needs the columns {', '.join(sorted(needed))}.")
    found: dict[tuple, tuple[LongRow, int]] = {}
    skipped = 0
    for record in reader:
        line = reader.line_num
        if record["STUB_NAME"].strip() != "Total" or record["AGE"].strip() != "All ages":
            skipped += 1
            continue
        panel = record["PANEL"].strip()
        measure = HUS_PANELS.get(panel)
        if measure is None:
            skipped += 1
            continue
        unit_text = record["UNIT"].lower()
        unit = "age_adjusted_rate" if "age-adjusted" in unit_text else "crude_rate" if "crude" in unit_text else None
        if unit is None:
            raise StatsImportError(f"line {line}: UNIT is {record['UNIT']!r}, neither age-adjusted nor crude.")
        year_text = record["YEAR"].strip()
        if not re.fullmatch(r"(19|20)\d\d", year_text):
            raise StatsImportError(f"line {line}: YEAR is {year_text!r}, not a year.")
        if not record["ESTIMATE"].strip():
            skipped += 1
            continue
        value = _number(record["ESTIMATE"], line, "ESTIMATE")
        flag = (record.get("FLAG") or "").strip()
        row = LongRow("US", measure, panel, unit, int(year_text), 0, value, True,
                      "NCHS, Health, United States (final data)",
                      "NCHS flags this estimate as unreliable" if flag == "*" else None)
        key = (measure, unit, row.year)
        if key in found:
            earlier, earlier_line = found[key]
            if earlier.value != value:
                raise StatsImportError(f"line {line}: {panel}, {year_text} is {value:g} here but "
                                       f"{earlier.value:g} on line {earlier_line}.")
            continue  # the same row twice (the public file repeats some): one figure
        found[key] = (row, line)
    rows = [row for row, _ in found.values()]
    if not rows:
        raise StatsImportError("The file has no national all-ages rows.")
    years = [r.year for r in rows]
    return Parsed(NCHS_RATES, rows, date(min(years), 1, 1), date(max(years), 12, 1), skipped)


def parse_key_figures(text: str) -> Parsed:
    """Figures transcribed from NCHS text, one per row with its source: national totals kept."""
    reader = csv.DictReader(io.StringIO(text))
    needed = {"year", "metric", "drug", "population_group", "value", "source_type", "source_url"}
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise StatsImportError(f"line 1: expected the columns {', '.join(sorted(needed))}.")
    found: dict[tuple, tuple[LongRow, int]] = {}
    skipped = 0
    for record in reader:
        line = reader.line_num
        metric = KEY_METRICS.get(record["metric"].strip())
        measure = KEY_DRUGS.get(record["drug"].strip())
        if record["population_group"].strip() != "all persons" or metric is None or measure is None:
            skipped += 1
            continue
        if not re.fullmatch(r"(19|20)\d\d", record["year"].strip()):
            raise StatsImportError(f"line {line}: year is {record['year']!r}, not a year.")
        unit, final = metric
        source_type = record["source_type"].strip()
        value = _number(record["value"], line, "value", whole=unit != "age_adjusted_rate")
        title = record.get("source_title", "").strip()
        brief = re.search(r"NCHS Data Brief No\. \d+", title)
        if source_type.startswith("official") and brief:
            source = brief.group(0) + (", quoted from a mirror of its text" if "mirror" in source_type else "")
        else:
            source = KEY_SOURCES.get(source_type, source_type) + ": " + title
        row = LongRow("US", measure, record["drug"].strip(), unit, int(record["year"]), 0, value, final,
                      source, record["source_url"].strip() or None)
        key = (measure, unit, row.year)
        if key in found:
            earlier, earlier_line = found[key]
            if earlier.value != value:
                raise StatsImportError(f"line {line}: {record['drug']}, {record['year']} is {value:g} here but "
                                       f"{earlier.value:g} on line {earlier_line}.")
            continue
        found[key] = (row, line)
    rows = [row for row, _ in found.values()]
    if not rows:
        raise StatsImportError("The file has no national figures.")
    years = [r.year for r in rows]
    return Parsed(KEY_FIGURES, rows, date(min(years), 1, 1), date(max(years), 12, 1), skipped)


def parse_wonder_summary(text: str) -> Parsed:
    """A year's national counts from CDC WONDER final data: T40.4 deaths and all drug-poisoning deaths."""
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    for record in reader:
        line = reader.line_num
        if not re.fullmatch(r"(19|20)\d\d", (record.get("year") or "").strip()):
            raise StatsImportError(f"line {line}: year is {record.get('year')!r}, not a year.")
        year = int(record["year"])
        source = "CDC WONDER, Multiple Cause of Death, final (United States)"
        rows.append(LongRow("US", "synthetic", "Drug poisoning deaths involving synthetic opioids other than "
                            "methadone (T40.4)", "deaths", year, 0,
                            _number(record["t40_4_deaths"], line, "t40_4_deaths", whole=True), True, source))
        rows.append(LongRow("US", "overdose", "Drug poisoning deaths", "deaths", year, 0,
                            _number(record["drug_poisoning_deaths"], line, "drug_poisoning_deaths", whole=True),
                            True, source))
    if not rows:
        raise StatsImportError("The file has no rows.")
    years = [r.year for r in rows]
    return Parsed(WONDER_SUMMARY, rows, date(min(years), 1, 1), date(max(years), 12, 1))


PARSERS = {WONDER: parse_wonder, NCHS_RATES: parse_nchs_rates, KEY_FIGURES: parse_key_figures,
           WONDER_SUMMARY: parse_wonder_summary}


def parse(text: str) -> Parsed:
    header = next(_reader(text), None) if text.strip() else None
    kind = kind_of(header or [])
    if kind is None:
        raise StatsImportError("line 1: this is not a CDC WONDER export or an NCHS file this site reads.")
    return PARSERS[kind](text)


def store(parsed: Parsed, source: str, *, imported_at=None, note: str | None = None) -> StatRelease:
    """Write one parsed file in the caller's transaction; its figures replace what they cover.

    WONDER: every stored month of the same causes inside the file's months goes first, so a month
    that is now suppressed disappears. Other files: the same dataset, measure, unit and year.
    """
    release = StatRelease(source=source, dataset=parsed.dataset, first_period=parsed.first,
                          latest_period=parsed.last, row_count=len(parsed.rows), note=note)
    if imported_at:
        release.imported_at = imported_at
    db.session.add(release)
    db.session.flush()
    if parsed.dataset == WONDER:
        first = parsed.first.year * 12 + parsed.first.month
        last = parsed.last.year * 12 + parsed.last.month
        measures = {r.measure for r in parsed.rows} or set(WONDER_CODES.values())
        db.session.execute(delete(LongFigure).where(
            LongFigure.dataset == WONDER, LongFigure.measure.in_(measures),
            LongFigure.year * 12 + LongFigure.month >= first, LongFigure.year * 12 + LongFigure.month <= last))
    else:
        keys = {(r.measure, r.unit, r.year) for r in parsed.rows}
        existing = db.session.execute(db.select(LongFigure.id, LongFigure.measure, LongFigure.unit, LongFigure.year)
                                      .where(LongFigure.dataset == parsed.dataset)).all()
        stale = [row.id for row in existing if (row.measure, row.unit, row.year) in keys]
        for start in range(0, len(stale), 500):
            db.session.execute(delete(LongFigure).where(LongFigure.id.in_(stale[start:start + 500])))
    values = [{**r.__dict__, "dataset": parsed.dataset, "release_id": release.id} for r in parsed.rows]
    for start in range(0, len(values), 5000):
        db.session.execute(insert(LongFigure), values[start:start + 5000])
    return release


def import_long(path_or_url: str, *, source: str | None = None, imported_at=None, note: str | None = None,
                text: str | None = None) -> StatRelease:
    """Check one long-view file (WONDER, NCHS rates, transcribed figures) whole, then write it into the session."""
    parsed = parse(text if text is not None else read_text(path_or_url))
    release = store(parsed, source or path_or_url, imported_at=imported_at, note=note)
    release.skipped = parsed.skipped
    return release
