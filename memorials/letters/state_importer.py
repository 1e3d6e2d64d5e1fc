"""Importers for the statehouse: Open States' people data (state legislators and governors) and the table of
ZIP code areas to state legislative districts (districts.json, from the Census Bureau's relationship files).

Both read their public layouts from a path (see SOURCES.md sections 8 and 9):

- Open States people: a folder in Open States' own layout (`data/<state>/legislature/*.yml` and
  `data/<state>/executive/*.yml`), or a file holding a list of the same person records (JSON or YAML, gzip
  or not): the shape the bundled snapshot keeps.
- districts.json: `{"states": {"<FIPS>": {"abbreviation", "chambers": {"upper"|"lower": {"districts":
  {"<key>": {"name", "zips": [...]}}}}}}, "metadata": {...}}`.

Each import is one transaction that replaces its table, and every record is checked first: a malformed file
is refused whole, naming its problems, and nothing loaded changes. Roles that have ended are not imported;
one ending later keeps its end date, and is never offered after it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ..states import STATES
from . import districts, statehouse
from .importer import NON_STATES, LettersImportError, YAML_LOADER, refused, text_value, read_bytes, replace_table
from .models import StateOfficial, ZipStateDistrict

LEGISLATIVE = ("upper", "lower", "legislature")
ROLES = (*LEGISLATIVE, "governor")
# The 50 states: DC's council and Puerto Rico's legislature are in Open States' data, but the ZIP table
# has no districts for them, and a letter needs both.
STATEHOUSES = {code for code in STATES if code not in NON_STATES}
JURISDICTION = re.compile(r"/state:([a-z]{2})/")
MAIN_OFFICES = ("capitol", "primary", "capitol-mail")  # never "home": a legislator's own house
LOCAL_OFFICES = ("district", "district-mail")
@dataclass
class StateImportResult:
    rows: int
    source: str
    governors: int = 0
    dropped_phones: list[str] = field(default_factory=list)  # numbers left out, and why


# -- Open States people ------------------------------------------------------------------------------

def looks_like_openstates(path: str) -> bool:
    """A folder in Open States' layout, or a file of person records (what import-legislators asks)."""
    folder = Path(path)
    if folder.is_dir():
        return any(folder.glob("*/legislature")) or any(folder.glob("data/*/legislature"))
    return False


def read_people(path: str) -> list[dict]:
    """The person records at a path: every legislature and executive YAML file under an Open States folder,
    or the list one file holds."""
    folder = Path(path)
    if folder.is_dir():
        base = folder / "data" if (folder / "data").is_dir() else folder
        files = sorted([*base.glob("*/legislature/*.yml"), *base.glob("*/executive/*.yml")])
        if not files:
            raise LettersImportError(f"{path} holds no Open States people files (data/<state>/legislature/*.yml).")
        people = []
        for file in files:
            if file.parent.parent.name == "us":
                continue  # Congress: the congress-legislators import has it, with its district offices
            try:
                person = yaml.load(file.read_text(encoding="utf-8"), Loader=YAML_LOADER)
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                raise LettersImportError(f"{file} is not a readable Open States person file: {error}") from None
            people.append(person)
        return people
    people = parse_people_file(read_bytes(path), path)
    if people is None:
        raise LettersImportError(f"{path} is not Open States people data: expected a folder in Open States' "
                                 "layout (data/<state>/legislature/*.yml) or a list of its person records.")
    return people


def parse_people_file(data: bytes, name: str) -> list[dict] | None:
    """A file's list of Open States person records, or None when it holds something else."""
    try:
        text = data.decode("utf-8-sig")
        records = json.loads(text) if text.lstrip()[:1] in ("[", "{") else yaml.load(text, Loader=YAML_LOADER)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError):
        return None
    if isinstance(records, dict):
        records = records.get("people")
    if isinstance(records, list) and records and all(isinstance(r, dict) and "roles" in r for r in records[:20]):
        return records
    return None


def parse_people(people: list[dict], name: str, today: date) -> list[dict]:
    """Rows for StateOfficial: one per current legislative or governor's role in the 50 states; or refuse."""
    rows, problems, seen = [], [], set()
    for number, person in enumerate(people, start=1):
        try:
            for row in _official_rows(person, today):
                if row["person"] in seen:
                    raise ValueError("holds two current roles")
                seen.add(row["person"])
                rows.append(row)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            label = person.get("name") if isinstance(person, dict) and isinstance(person.get("name"), str) else ""
            problems.append(f"record {number}{f' ({label})' if label else ''}: {error}")
    if problems:
        raise refused("Open States people", name, problems)
    if not rows:
        raise LettersImportError(f"{name} has no current state legislator or governor.")
    return rows


def _official_rows(person: dict, today: date) -> list[dict]:
    if not isinstance(person, dict):
        raise TypeError("not a person record")
    ocd = text_value(person.get("id"), "id", required=True, limit=80)
    if not ocd.startswith("ocd-person/"):
        raise ValueError(f"id {ocd!r} is not an ocd-person id")
    full = text_value(person.get("name"), "name", required=True, limit=160)
    family = text_value(person.get("family_name"), "family name", limit=80) or full.split()[-1]
    roles = person.get("roles")
    if not isinstance(roles, list):
        raise ValueError("roles should be a list")
    rows = []
    for role in roles:
        if not isinstance(role, dict) or role.get("type") not in ROLES:
            continue
        end = _date(role.get("end_date"), "end date")
        if end is not None and end < today:
            continue  # a role that has ended is never offered
        found = JURISDICTION.search(str(role.get("jurisdiction") or ""))
        state = found.group(1).upper() if found else None
        if state not in STATEHOUSES:
            continue  # Congress, DC's council, Puerto Rico: see STATEHOUSES
        chamber = role["type"]
        district = None
        if chamber in LEGISLATIVE:
            district = text_value(role.get("district"), "district", required=True, limit=80)
        main = _office(person, MAIN_OFFICES)
        local = _office(person, LOCAL_OFFICES)
        rows.append({
            "person": ocd.removeprefix("ocd-person/")[:40], "state": state, "chamber": chamber,
            "district": district, "seat": districts.seat_key(state, district) if district else "",
            "name": full, "family_name": family, "party": _party(person.get("party")),
            "email": _email(person.get("email")),
            "phone": text_value(main.get("voice"), "phone", limit=30), "address": text_value(main.get("address"), "address"),
            "district_phone": text_value(local.get("voice"), "district phone", limit=30),
            "district_address": text_value(local.get("address"), "district address"),
            "url": _link(person.get("links")), "contact_form": _link(person.get("links"), contact=True),
            "end_date": end,
        })
    return rows


def _office(person: dict, kinds: tuple[str, ...]) -> dict:
    """The first office of these kinds with a phone, else the first with an address; {} when none."""
    offices = [o for o in person.get("offices") or [] if isinstance(o, dict) and o.get("classification") in kinds]
    offices.sort(key=lambda o: kinds.index(o["classification"]))
    return next((o for o in offices if o.get("voice")), offices[0] if offices else {})


def _party(parties) -> str | None:
    """The party the person is in now: the entry without an end date (else the last)."""
    if not isinstance(parties, list) or not parties:
        return None
    current = [p for p in parties if isinstance(p, dict) and not p.get("end_date")] or parties
    return text_value(current[-1].get("name") if isinstance(current[-1], dict) else None, "party", limit=60)


def _link(links, *, contact: bool = False) -> str | None:
    """The first web address (contact: the first whose address or note says it is a contact form)."""
    for link in links if isinstance(links, list) else []:
        url = link.get("url") if isinstance(link, dict) else None
        if not (isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= 300):
            continue
        if not contact or re.search(r"contact|webform", f"{url} {link.get('note') or ''}", re.IGNORECASE):
            return url
    return None


def _email(value) -> str | None:
    value = text_value(value, "email", limit=200)
    return value if value and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) else None




def _date(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def _area_code(phone: str | None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    return digits[-10:-7] if len(digits) >= 10 else None


def check_governor_phones(rows: list[dict]) -> list[str]:
    """Leave out a governor's phone whose area code no legislator of that state uses: a number copied from
    another state (the public data has one). Returns what was left out, to say."""
    codes: dict[str, set[str]] = {}
    for row in rows:
        if row["chamber"] != "governor":
            for phone in (row["phone"], row["district_phone"]):
                if _area_code(phone):
                    codes.setdefault(row["state"], set()).add(_area_code(phone))
    dropped = []
    for row in rows:
        known = codes.get(row["state"])
        if row["chamber"] == "governor" and known and _area_code(row["phone"]) not in known | {None}:
            dropped.append(f"{row['name']} ({row['state']}): {row['phone']}, an area code of another state")
            row["phone"] = None
    return dropped


def import_state_officials(path: str, *, source: str | None = None, as_of: str | None = None,
                           today: date | None = None) -> StateImportResult:
    """Replace the state legislators and governors with the current ones at this path, in one transaction."""
    rows = parse_people(read_people(path), path, today or statehouse.today())
    dropped = check_governor_phones(rows)
    name = source or path
    replace_table(StateOfficial, rows, "state_officials", name, as_of)
    governors = sum(1 for row in rows if row["chamber"] == "governor")
    return StateImportResult(len(rows), name, governors, dropped)


# -- ZIP code areas to state legislative districts -------------------------------------------------------

def parse_state_districts(data: bytes, name: str) -> list[dict] | None:
    """Rows for ZipStateDistrict from districts.json; None when the file is not in that layout (so the ZIP
    import can try the congressional CSV); refused when it is, but malformed."""
    try:
        table = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(table, dict) or not isinstance(table.get("states"), dict):
        return None
    rows, seen, problems = [], set(), []
    for fips, state in table["states"].items():
        try:
            code = state["abbreviation"]
            if code not in STATEHOUSES:
                raise ValueError(f"{code!r} is not one of the 50 states")
            for chamber, body in state["chambers"].items():
                if chamber not in ("upper", "lower"):
                    raise ValueError(f"chamber {chamber!r} should be upper or lower")
                for key, district in body["districts"].items():
                    label = districts.tidy_name(str(district.get("name") or key))
                    seat = districts.seat_key(code, district.get("name") or key)
                    if not seat:
                        raise ValueError(f"district {key!r} has no name")
                    for zcta in district["zips"]:
                        if not (isinstance(zcta, str) and len(zcta) == 5 and zcta.isdigit()):
                            raise ValueError(f"district {key!r}: ZIP {zcta!r} should be five digits")
                        if (zcta, code, chamber, seat) not in seen:
                            seen.add((zcta, code, chamber, seat))
                            rows.append({"zcta": zcta, "state": code, "chamber": chamber, "seat": seat,
                                         "name": label[:120]})
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            problems.append(f"state {fips}: {error}")
    if problems:
        raise refused("ZIP-to-state-district", name, problems)
    if not rows:
        raise LettersImportError(f"{name} has no districts.")
    return rows


def import_state_districts(rows: list[dict], source: str, as_of: str | None = None) -> int:
    """Replace the ZIP-to-state-district table with these rows, in one transaction."""
    if not rows:
        raise LettersImportError(f"{source} has no ZIP-to-state-district rows.")
    replace_table(ZipStateDistrict, rows, "zip_state_districts", source, as_of)
    return len(rows)


