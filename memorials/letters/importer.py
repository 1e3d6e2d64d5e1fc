"""Importers for the public files: congress-legislators (YAML or JSON) and the ZCTA-to-district CSV.

Each import is one transaction that replaces the table it loads. Every record is checked
before anything is written, so a malformed file is refused whole and nothing loaded changes.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import delete, insert, text

from ..extensions import db
from ..states import STATES
from ..timeutil import utcnow
from .models import DistrictOffice, LetterDataset, Legislator, ZipDistrict

MAX_PROBLEMS_SHOWN = 5
ZIP_COLUMNS = ("state_abbr", "zcta", "cd")
NON_STATES = {"DC", "AS", "GU", "MP", "PR", "VI"}  # no senators


class LettersImportError(ValueError):
    """A file that cannot be imported; the message says why, and nothing was changed."""


@dataclass
class ImportResult:
    rows: int
    source: str
    offices: int = 0


def read_bytes(path_or_url: str) -> bytes:
    """The file's bytes, from a path or an http(s) URL; gzip files are opened transparently."""
    try:
        if path_or_url.startswith(("http://", "https://")):
            with urllib.request.urlopen(path_or_url, timeout=60) as response:  # noqa: S310 (http(s) only)
                data = response.read()
        else:
            data = Path(path_or_url).read_bytes()
    except (OSError, ValueError) as error:
        raise LettersImportError(f"Could not read {path_or_url}: {error}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise LettersImportError(f"{path_or_url} is not a readable gzip file: {error}") from None
    return data


def refused(kind: str, name: str, problems: list[str]) -> LettersImportError:
    """The error that refuses a whole file: its first few problems, and how many more (every importer's words)."""
    shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
    more = f" (and {len(problems) - MAX_PROBLEMS_SHOWN} more)" if len(problems) > MAX_PROBLEMS_SHOWN else ""
    return LettersImportError(f"{name} is not a valid {kind} file: {shown}{more}.")


# -- legislators ---------------------------------------------------------------------------------

def parse_legislators(data: bytes, name: str) -> tuple[str, list[dict]]:
    """Parse legislators-current or legislators-district-offices (YAML or JSON) into
    ("legislators", rows for Legislator) or ("district_offices", rows for DistrictOffice), or refuse the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LettersImportError(f"{name} is not UTF-8 text.") from None
    try:
        people = json.loads(text) if text.lstrip().startswith("[") else yaml.load(text, Loader=YAML_LOADER)
    except (ValueError, yaml.YAMLError) as error:
        raise LettersImportError(f"{name} is neither valid JSON nor valid YAML: {error}") from None
    if not isinstance(people, list) or not people:
        raise LettersImportError(f"{name} is not a legislators file: expected a list of people "
                                 "(congress-legislators legislators-current.yaml or .json).")
    offices = isinstance(people[0], dict) and "offices" in people[0] and "terms" not in people[0]
    rows, problems = [], []
    for number, person in enumerate(people, start=1):
        try:
            if offices:
                rows.extend(_office_rows(person))
            else:
                rows.append(_legislator_row(person))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
            label = _label(person, number)
            problems.append(f"{label}: {error}")
    if problems:
        raise refused("district offices" if offices else "legislators", name, problems)
    return ("district_offices" if offices else "legislators"), rows


def _label(person, number: int) -> str:
    try:
        return f"record {number} ({person['id']['bioguide']})"
    except (KeyError, TypeError):
        return f"record {number}"


def text_value(value, field: str, *, required: bool = False, limit: int = 300) -> str | None:
    """A field of a record as one line of text (None when empty), or why it cannot be one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError(f"{field} is missing")
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ValueError(f"{field} should be text")
    value = " ".join(str(value).split())   # runs of spaces and line breaks in the data read as one space
    if len(value) > limit:
        raise ValueError(f"{field} is longer than {limit} characters")
    return value


def _legislator_row(person: dict) -> dict:
    if not isinstance(person, dict):
        raise TypeError("not a person record")
    ids, name, terms = person.get("id"), person.get("name"), person.get("terms")
    if not isinstance(ids, dict):
        raise ValueError("id is missing")
    if not isinstance(name, dict):
        raise ValueError("name is missing")
    if not isinstance(terms, list) or not terms or not isinstance(terms[-1], dict):
        raise ValueError("terms are missing")
    term = terms[-1]  # the last term is the seat they hold now
    kind = term.get("type")
    if kind not in ("rep", "sen"):
        raise ValueError(f"term type {kind!r} should be rep or sen")
    state = term.get("state")
    if state not in STATES:
        raise ValueError(f"state {state!r} is not a US state or territory")
    district = term.get("district")
    if kind == "rep":
        if not isinstance(district, int) or isinstance(district, bool) or not 0 <= district <= 99:
            raise ValueError(f"district {district!r} should be a number (0 for at-large)")
    else:
        if state in NON_STATES:
            raise ValueError(f"{state} has no senators")
        district = None
    first = text_value(name.get("first"), "first name", required=True, limit=80)
    last = text_value(name.get("last"), "last name", required=True, limit=80)
    suffix = text_value(name.get("suffix"), "suffix", limit=20)
    full = text_value(name.get("official_full"), "official name", limit=160) or \
        " ".join(part for part in (first, text_value(name.get("middle"), "middle name", limit=40), last) if part) + \
        (f", {suffix}" if suffix else "")
    return {
        "bioguide": text_value(ids.get("bioguide"), "bioguide id", required=True, limit=10),
        "chamber": "house" if kind == "rep" else "senate",
        "state": state,
        "district": district,
        "first_name": first,
        "last_name": last,
        "full_name": full,
        "party": text_value(term.get("party"), "party", limit=40),
        "phone": text_value(term.get("phone"), "phone", limit=20),
        "office": text_value(term.get("office"), "office", limit=200),
        "address": text_value(term.get("address"), "address"),
        "url": _web(term.get("url"), "url"),
        "contact_form": _web(term.get("contact_form"), "contact form"),
    }


def _office_rows(person: dict) -> list[dict]:
    if not isinstance(person, dict) or not isinstance(person.get("id"), dict):
        raise ValueError("id is missing")
    bioguide = text_value(person["id"].get("bioguide"), "bioguide id", required=True, limit=10)
    if not isinstance(person.get("offices"), list):
        raise ValueError("offices should be a list")
    rows = []
    for office in person["offices"]:
        if not isinstance(office, dict):
            raise ValueError("an office is not a record")
        state = office.get("state")
        if state not in STATES:
            raise ValueError(f"office state {state!r} is not a US state or territory")
        street = ", ".join(part for part in (text_value(office.get("building"), "building", limit=120),
                                              text_value(office.get("address"), "address", limit=120),
                                              text_value(office.get("suite"), "suite", limit=120)) if part)
        rows.append({"bioguide": bioguide, "city": text_value(office.get("city"), "office city", required=True, limit=80),
                     "state": state, "address": street or None, "zip": text_value(office.get("zip"), "zip", limit=10),
                     "phone": text_value(office.get("phone"), "phone", limit=20),
                     "hours": text_value(office.get("hours"), "hours", limit=200)})
    return rows


def _web(value, field: str) -> str | None:
    """A link we can show, or None: a mistyped address (the public file has one) is left out, not shown broken."""
    value = text_value(value, field)
    if value is not None and not value.startswith(("https://", "http://")):
        return None
    return value


def import_legislators(paths: list[str], *, source: str | None = None, as_of: str | None = None) -> ImportResult:
    """Replace the sitting members (legislators-current files) and/or their district offices
    (legislators-district-offices files) with what the files hold, in one transaction."""
    by_bioguide: dict[str, dict] = {}
    offices: dict[str, list[dict]] = {}
    for path in paths:
        kind, parsed = parse_legislators(read_bytes(path), path)
        if kind == "district_offices":
            for row in parsed:
                offices.setdefault(row["bioguide"], []).append(row)
        else:
            for row in parsed:
                by_bioguide[row["bioguide"]] = row  # a later file wins
    rows = list(by_bioguide.values())
    seats = {}
    for row in rows:
        if row["chamber"] == "house":
            key = (row["state"], row["district"])
            if key in seats:
                raise LettersImportError(
                    f"Nothing was imported: {seats[key]} and {row['bioguide']} both hold {key[0]}-{key[1]}.")
            seats[key] = row["bioguide"]
    office_rows = [row for rows_for_member in offices.values() for row in rows_for_member]
    try:
        if rows:
            db.session.execute(delete(Legislator))
            db.session.execute(insert(Legislator), rows)
            record_dataset("legislators", source or ", ".join(paths), as_of, len(rows))
            analyze(Legislator)
        if office_rows:
            db.session.execute(delete(DistrictOffice))
            db.session.execute(insert(DistrictOffice), office_rows)
            record_dataset("district_offices", source or ", ".join(paths), as_of, len(office_rows))
            analyze(DistrictOffice)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportResult(len(rows), source or ", ".join(paths), len(office_rows))


# -- ZIP to district -------------------------------------------------------------------------------

def parse_zip_districts(data: bytes, name: str) -> list[dict]:
    """Parse the ZCTA-to-district CSV (state_abbr, zcta, cd; other columns ignored), or refuse it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LettersImportError(f"{name} is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ZIP_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise LettersImportError(f"{name} is not a ZIP-to-district file: it has no {', '.join(missing)} "
                                 f"column (expected a header with {', '.join(ZIP_COLUMNS)}).")
    rows, seen, problems = [], set(), []
    for line, record in enumerate(reader, start=2):
        zcta = (record.get("zcta") or "").strip()
        state = (record.get("state_abbr") or "").strip().upper()
        cd = (record.get("cd") or "").strip()
        if not (len(zcta) == 5 and zcta.isdigit()):
            problems.append(f"line {line}: ZIP {zcta!r} should be five digits")
        elif state not in STATES:
            problems.append(f"line {line}: state {state!r} is not a US state or territory")
        elif not (cd.isdigit() and int(cd) <= 99):
            problems.append(f"line {line}: district {cd!r} should be a number (0 for at-large)")
        elif (zcta, state, int(cd)) not in seen:
            seen.add((zcta, state, int(cd)))
            rows.append({"zcta": zcta, "state": state, "district": int(cd)})
    if problems:
        raise refused("ZIP-to-district", name, problems)
    if not rows:
        raise LettersImportError(f"{name} has no rows.")
    return rows


def import_zip_districts(paths: str | list[str], *, source: str | None = None,
                         as_of: str | None = None) -> ImportResult:
    """Replace the ZIP-to-district table with the rows of one or more files (the Census-based table and
    the Island Areas' ZIP codes, say), in one transaction; a bad file changes nothing."""
    paths = [paths] if isinstance(paths, str) else list(paths)
    rows, seen = [], set()
    for path in paths:
        for row in parse_zip_districts(read_bytes(path), path):
            key = (row["zcta"], row["state"], row["district"])
            if key not in seen:
                seen.add(key)
                rows.append(row)
    name = source or ", ".join(paths)
    replace_table(ZipDistrict, rows, "zip_districts", name, as_of)
    return ImportResult(len(rows), name)


def replace_table(model, rows: list[dict], kind: str, source: str, as_of: str | None) -> None:
    """Replace every row of one table with these, say where they came from, and commit: all or nothing.
    (Core inserts: twice as fast as the ORM's for 100,000 rows.)"""
    try:
        db.session.execute(delete(model))
        db.session.connection().execute(insert(model.__table__), rows)
        record_dataset(kind, source, as_of, len(rows))
        analyze(model)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def record_dataset(kind: str, source: str, as_of: str | None, count: int) -> None:
    """Say where a table's rows came from and when (shown on the pages), in the import's transaction."""
    dataset = db.session.execute(db.select(LetterDataset).filter_by(kind=kind)).scalar_one_or_none()
    if dataset is None:
        dataset = LetterDataset(kind=kind)
        db.session.add(dataset)
    dataset.source, dataset.as_of, dataset.row_count, dataset.imported_at = source[:500], as_of, count, utcnow()


def analyze(model) -> None:
    """PostgreSQL's planner statistics for a table just filled, in the import's transaction, so the first lookups
    use its indexes (without them it may scan every row for every ZIP until autovacuum gets round to it)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"ANALYZE {model.__tablename__}"))


YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
