"""Read CDC's VSRR provisional overdose counts (and the Census and WONDER files rates need).

The VSRR dataset (data.cdc.gov xkb8-kh2a) comes in two public shapes, both read here:
- the CSV export: display headers ("State", "Data Value", ...), a UTF-8 BOM, thousands
  separators inside quotes ("67,029");
- the API shape: snake_case headers (state, data_value, ...) and plain numbers, as CSV or as
  the SODA JSON array.
Importers only import: they check the whole file, then write its rows into the session. The caller
ends the transaction (commands.import_file publishes what the pages show, then commits), so a file
with any malformed row changes nothing, naming the line.
"""
from __future__ import annotations

import calendar
import csv
import gzip
import io
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import delete, insert

from ..extensions import db
from ..states import FIPS
from .indicators import INDICATORS
from .models import AgeGroupDeaths, Population, StatFigure, StatRelease

MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
PERIOD = "12 month-ending"
DISPLAY_TO_API = {
    "State": "state", "Year": "year", "Month": "month", "Period": "period", "Indicator": "indicator",
    "Data Value": "data_value", "Percent Complete": "percent_complete",
    "Percent Pending Investigation": "percent_pending_investigation", "State Name": "state_name",
    "Footnote": "footnote", "Footnote Symbol": "footnote_symbol", "Predicted Value": "predicted_value",
}
REQUIRED = ("state", "year", "month", "period", "indicator", "data_value", "predicted_value")
NYC_ADDED = re.compile(r"including New York City|added the NY and YC", re.I)


class StatsImportError(ValueError):
    """A file we refuse whole; the message says where and what."""


@dataclass
class VsrrRow:
    jurisdiction: str
    indicator: str
    period_end: date
    reported: int | None
    predicted: int | None
    percent_pending: float | None
    footnote: str | None
    nyc_included: bool | None


def read_text(path_or_url: str) -> str:
    """The file's text, from a path or an http(s) URL (UTF-8, with or without a BOM)."""
    try:
        if re.match(r"^https?://", path_or_url):
            with urllib.request.urlopen(path_or_url, timeout=120) as response:  # noqa: S310 (http/https only)
                raw = response.read()
        else:
            raw = Path(path_or_url).read_bytes()
    except urllib.error.HTTPError as error:
        error.close()  # it holds the open response
        raise StatsImportError(f"Could not read {path_or_url}: HTTP {error.code} {error.reason}") from None
    except OSError as error:
        raise StatsImportError(f"Could not read {path_or_url}: {error}") from None
    if raw[:2] == b"\x1f\x8b":  # gzip, as the bundled snapshot is kept
        raw = gzip.decompress(raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatsImportError(f"{path_or_url} is not UTF-8 text: is it the CSV or JSON export?") from None


def _records(text: str):
    """(line number, record with API field names) for each row, in either shape."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise StatsImportError(f"line {error.lineno}: the JSON is broken ({error.msg}).") from None
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise StatsImportError(f"record {number}: expected an object with the dataset's fields.")
            # The SODA API leaves out fields that are empty (a suppressed value, no prediction).
            record = {"data_value": "", "predicted_value": ""}
            record.update({k: ("" if v is None else str(v)) for k, v in item.items()})
            yield number, record
        return
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise StatsImportError("The file is empty.") from None
    names = [DISPLAY_TO_API.get(h.strip(), h.strip().lower()) for h in header]
    missing = [field for field in REQUIRED if field not in names]
    if missing:
        raise StatsImportError("line 1: this doesn't look like CDC's VSRR file (xkb8-kh2a): "
                               f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}.")
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            raise StatsImportError(f"line {reader.line_num}: expected {len(names)} fields, found {len(row)}.")
        yield reader.line_num, dict(zip(names, row))


def _count(value: str, line: int, column: str) -> int | None:
    value = (value or "").strip().replace(",", "")
    if value == "":
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise StatsImportError(f"line {line}: {column} is {value!r}, not a number.") from None
    if number != number.to_integral_value() or number < 0:
        raise StatsImportError(f"line {line}: {column} is {value!r}, not a whole count.")
    return int(number)


def _percent(value: str, line: int) -> float | None:
    value = (value or "").strip().replace(",", "")
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise StatsImportError(f"line {line}: percent pending investigation is {value!r}, not a number.") from None


def parse_vsrr(text: str) -> tuple[list[VsrrRow], int]:
    """Every row of the shown indicators, checked; returns (rows, rows of other indicators skipped)."""
    rows: list[VsrrRow] = []
    seen: dict[tuple, int] = {}
    skipped = 0
    for line, record in _records(text):
        for field in REQUIRED:
            if field not in record:
                raise StatsImportError(f"line {line}: the field {field} is missing.")
        code = record["state"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise StatsImportError(f"line {line}: State is {record['state']!r}, not a two-letter code.")
        indicator = record["indicator"].strip()
        if not indicator:
            raise StatsImportError(f"line {line}: Indicator is empty.")
        year = record["year"].strip()
        if not re.fullmatch(r"(19|20)\d\d", year):
            raise StatsImportError(f"line {line}: Year is {record['year']!r}, not a year.")
        month = MONTHS.get(record["month"].strip().capitalize())
        if month is None:
            raise StatsImportError(f"line {line}: Month is {record['month']!r}, not a month name.")
        if record["period"].strip() != PERIOD:
            raise StatsImportError(f"line {line}: Period is {record['period']!r}; only "
                                   f"{PERIOD!r} counts are in this dataset.")
        if indicator not in INDICATORS:  # percentages and all-cause deaths: not shown here
            skipped += 1
            continue
        reported = _count(record["data_value"], line, "Data Value")
        predicted = _count(record["predicted_value"], line, "Predicted Value")
        pending = _percent(record.get("percent_pending_investigation", ""), line)
        period_end = date(int(year), month, 1)
        key = (code, indicator, period_end)
        if key in seen:
            raise StatsImportError(f"line {line}: the same State, Indicator and month as line {seen[key]}.")
        seen[key] = line
        footnote = record.get("footnote", "").strip() or None
        nyc = (bool(footnote and NYC_ADDED.search(footnote))) if code == "NY" else None
        rows.append(VsrrRow(code, indicator, period_end, reported, predicted, pending, footnote, nyc))
    if not rows:
        raise StatsImportError("The file has no rows of the indicators this site shows "
                               f"({', '.join(INDICATORS[:3])}, …).")
    return rows, skipped


def import_vsrr(path_or_url: str, *, source: str | None = None, imported_at: datetime | None = None,
                note: str | None = None, text: str | None = None) -> StatRelease:
    """Check one VSRR file whole, then write it into the session: the last import wins for every key it carries."""
    rows, skipped = parse_vsrr(text if text is not None else read_text(path_or_url))
    release = StatRelease(source=source or path_or_url, dataset="vsrr", first_period=min(r.period_end for r in rows),
                          latest_period=max(r.period_end for r in rows), row_count=len(rows), note=note)
    if imported_at:
        release.imported_at = imported_at
    db.session.add(release)
    db.session.flush()
    replace_figures(rows, release.id)
    release.skipped = skipped
    return release


def replace_figures(rows: list[VsrrRow], release_id: int) -> None:
    """Delete the stored figures for exactly the keys in rows, then insert rows."""
    keys = {(r.jurisdiction, r.indicator, r.period_end) for r in rows}
    jurisdictions = {r.jurisdiction for r in rows}
    indicators = {r.indicator for r in rows}
    existing = db.session.execute(
        db.select(StatFigure.id, StatFigure.jurisdiction, StatFigure.indicator, StatFigure.period_end)
        .where(StatFigure.jurisdiction.in_(jurisdictions), StatFigure.indicator.in_(indicators))
    ).all()
    stale = [row.id for row in existing if (row.jurisdiction, row.indicator, row.period_end) in keys]
    for start in range(0, len(stale), 500):
        db.session.execute(delete(StatFigure).where(StatFigure.id.in_(stale[start:start + 500])))
    values = [{**r.__dict__, "release_id": release_id} for r in rows]
    for start in range(0, len(values), 5000):
        db.session.execute(insert(StatFigure), values[start:start + 5000])


def parse_population(text: str) -> list[tuple[str, int, int]]:
    """(jurisdiction, year, population) from a Census NST-EST state totals file (any vintage)."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "SUMLEV" not in reader.fieldnames or "STATE" not in reader.fieldnames:
        raise StatsImportError("line 1: this doesn't look like a Census NST-EST state totals file "
                               "(SUMLEV and STATE columns missing).")
    years = [(name, int(name[-4:])) for name in reader.fieldnames if re.fullmatch(r"POPESTIMATE\d{4}", name)]
    if not years:
        raise StatsImportError("line 1: no POPESTIMATEyyyy columns.")
    out = []
    for record in reader:
        level = record["SUMLEV"].strip().lstrip("0")
        if level not in ("10", "40"):
            continue
        fips = record["STATE"].strip().zfill(2)
        code = "US" if level == "10" else FIPS.get(fips)
        if code is None:
            raise StatsImportError(f"line {reader.line_num}: unknown state code {record['STATE']!r}.")
        for column, year in years:
            value = _count(record[column], reader.line_num, column)
            if value is not None:
                out.append((code, year, value))
    return out


def import_population(path_or_url: str, source: str, *, text: str | None = None) -> int:
    """Replace population estimates for every state and year the file carries."""
    rows = parse_population(text if text is not None else read_text(path_or_url))
    for code, year, population in rows:
        db.session.execute(delete(Population).where(Population.jurisdiction == code, Population.year == year))
    db.session.execute(insert(Population), [
        {"jurisdiction": c, "year": y, "population": p, "source": source} for c, y, p in rows])
    return len(rows)


def import_age_groups(path_or_url: str, source: str, *, text: str | None = None) -> int:
    """CDC WONDER deaths involving T40.4 by age group (year, group, deaths, is_suppressed)."""
    reader = csv.DictReader(io.StringIO(text if text is not None else read_text(path_or_url)))
    if not reader.fieldnames or not {"year", "group", "deaths"} <= set(reader.fieldnames):
        raise StatsImportError("line 1: expected the columns year, group, deaths.")
    rows = []
    for position, record in enumerate(reader):
        suppressed = record.get("is_suppressed", "").strip().lower() == "true"
        deaths = None if suppressed else _count(record["deaths"], reader.line_num, "deaths")
        rows.append({"year": int(record["year"]), "age_group": record["group"].strip(), "position": position,
                     "deaths": deaths, "source": source})
    for row in rows:
        db.session.execute(delete(AgeGroupDeaths).where(AgeGroupDeaths.year == row["year"],
                                                        AgeGroupDeaths.age_group == row["age_group"]))
    db.session.execute(insert(AgeGroupDeaths), rows)
    return len(rows)
