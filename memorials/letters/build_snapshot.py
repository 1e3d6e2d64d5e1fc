"""Make the bundled letters snapshot from the public files, with the project's own importers.

    python -m memorials.letters.build_snapshot ../shared/data [all|congress|state]

Imports congress/legislators-current.yaml and zip_to_district/zccd_119th_congress.csv (congress), and
openstates/ and state_legislative_districts/districts.json (state) into a throwaway database with the
importers, then writes back only what the site uses, in the same public shapes, to
memorials/data/letters/ with a manifest of sources and dates. Run by hand
when the public files are refreshed; the site never reads the public folder itself.

zip_island_areas.csv is not made here: the Census table has no ZIP codes for American Samoa,
Guam, the Northern Mariana Islands or the U.S. Virgin Islands (the Island Areas have no ZCTAs),
so their Postal Service ZIP codes are listed by hand in the same CSV shape, each to its single
at-large seat. The builder checks that file with the importer and records it in the manifest.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from datetime import date
from pathlib import Path

import yaml

from ..extensions import db
from ..throwaway import throwaway_app
from ..states import FIPS as STATE_OF_FIPS
from .importer import import_legislators, import_zip_districts, parse_zip_districts, read_bytes
from .models import DistrictOffice, Legislator, StateOfficial, ZipDistrict, ZipStateDistrict
from .snapshot import FOLDER, ISLANDS, LEGISLATORS, MANIFEST, OFFICES, STATE_DISTRICTS, STATE_PEOPLE, ZIPS
from .state_importer import import_state_districts, import_state_officials, parse_state_districts

STATE_SOURCES = {
    "state_officials": {
        "file": STATE_PEOPLE.name,
        "from": "openstates",
        "source": "Open States people data (openstates/people, CC0), its commit of 2026-08-05: state legislators "
                  "and governors of the 50 states",
        "as_of": "2026-08-05",
        "note": "Only current roles (no end date, or one still to come when the snapshot was made), and only what "
                "letters use: name, family name, party, email, the capitol and one district office (address and "
                "phone), the first link, the district and the role's end date. DC's council and Puerto Rico's "
                "legislature are left out (the ZIP table has no districts for them). A governor's phone whose area "
                "code no legislator of the state uses is left out (Wyoming's record holds Puerto Rico's number).",
    },
    "zip_state_districts": {
        "file": STATE_DISTRICTS.name,
        "from": "state_legislative_districts/districts.json",
        "source": "ZIP Code Tabulation Areas to 2024 state legislative districts, from the Census Bureau's 2020 "
                  "relationship files (tab20_sldu202420_zcta520_natl.txt and tab20_sldl202420_zcta520_natl.txt, "
                  "PD-USGov), as districts.json generated 2026-02-14",
        "as_of": "2026-02-14",
        "note": "Every ZIP area overlapping a district is listed, so about half of ZIP areas have several districts "
                "in a chamber. Districts are keyed by their name (memorials/letters/districts.py), the same way the "
                "officials' districts are. New Hampshire's floterial districts are not in the Census files.",
    },
}

SOURCES = {
    "legislators": {
        "file": LEGISLATORS.name,
        "from": "congress/legislators-current.yaml",
        "source": "unitedstates/congress-legislators legislators-current.yaml (CC0), main at dfa9622",
        "as_of": "2026-06-15",
        "note": "The 119th Congress as of 2026-06-15; later special elections and resignations are not "
                "included. Only the last (current) term and the fields letters use are kept.",
    },
    "district_offices": {
        "file": OFFICES.name,
        "from": "congress/legislators-district-offices.yaml",
        "source": "unitedstates/congress-legislators legislators-district-offices.yaml (CC0), main at dfa9622",
        "as_of": "2026-06-15",
        "note": "Each member's offices at home; only city, state, street address, ZIP, phone and hours "
                "(where the office gives them) are kept.",
    },
    "zip_districts": {
        "file": ZIPS.name,
        "from": "zip_to_district/zccd_119th_congress.csv",
        "source": "ZCTA to 119th-Congress district, from Census 2020 block equivalency files "
                  "(OpenSourceActivismTech/us-zipcodes-congress zccd.csv at f58fe99; PD-USGov data)",
        "as_of": "2024-11-12",
        "note": "A ZCTA is not exactly a USPS ZIP code; PO-box-only ZIPs have none. District maps redrawn "
                "in 2025 for the 120th Congress are not reflected. The state_fips column is dropped.",
    },
    "island_zips": {
        "file": ISLANDS.name,
        "source": "U.S. Postal Service ZIP codes of American Samoa (96799), Guam (96910-96932), the Northern "
                  "Mariana Islands (96950-96952) and the U.S. Virgin Islands (00801-00851), as listed in the "
                  "USPS ZIP Code directory (https://tools.usps.com/zip-code-lookup.htm, by city) and the "
                  "3-digit prefix table of the Domestic Mail Manual (L002: 008 Virgin Islands, 969 Guam and the "
                  "Northern Mariana Islands; 96799 American Samoa); written for this project in the "
                  "zccd CSV shape (state_fips, state_abbr, zcta, cd)",
        "as_of": "2026-11-25",
        "note": "The Census ZCTA-to-district table covers the 50 states, DC and Puerto Rico only: the Island "
                "Areas have no ZCTAs. Each territory is one at-large seat (cd 0) held by its delegate, so "
                "every ZIP code here can only lead to that delegate. Palau (96940), Micronesia (96941-96944) "
                "and the Marshall Islands (96960, 96970) share the 969 prefix but have no member of Congress "
                "and are left out.",
    },
}


def build(shared: Path) -> dict:
    FOLDER.mkdir(parents=True, exist_ok=True)
    with throwaway_app():
        members = import_legislators([str(shared / SOURCES["legislators"]["from"])]).rows
        offices = import_legislators([str(shared / SOURCES["district_offices"]["from"])]).offices
        by_member: dict[str, list] = {}
        for office in db.session.execute(db.select(DistrictOffice).order_by(DistrictOffice.bioguide,
                                                                            DistrictOffice.id)).scalars():
            by_member.setdefault(office.bioguide, []).append(
                {k: getattr(office, k) for k in ("address", "city", "state", "zip", "phone", "hours")
                 if getattr(office, k)})
        office_people = [{"id": {"bioguide": bioguide}, "offices": rows} for bioguide, rows in by_member.items()]
        zips = import_zip_districts(str(shared / SOURCES["zip_districts"]["from"])).rows
        islands = len(parse_zip_districts(ISLANDS.read_bytes(), ISLANDS.name))  # refused here if malformed
        people = [_person(m) for m in db.session.execute(
            db.select(Legislator).order_by(Legislator.state, Legislator.chamber.desc(), Legislator.district,
                                           Legislator.last_name)).scalars()]
        rows = db.session.execute(db.select(ZipDistrict.state, ZipDistrict.zcta, ZipDistrict.district)
                                  .order_by(ZipDistrict.zcta, ZipDistrict.state, ZipDistrict.district)).all()

    info = SOURCES["legislators"]
    header = (f"# Members of the 119th Congress: the congress-legislators shape, only what letters use.\n"
              f"# Source: {info['source']}, as of {info['as_of']}.\n# {info['note']}\n"
              f"# Made by memorials/letters/build_snapshot.py on {date.today().isoformat()}.\n")
    LEGISLATORS.write_text(header + yaml.safe_dump(people, allow_unicode=True, sort_keys=False, width=120),
                           encoding="utf-8")
    info = SOURCES["district_offices"]
    header = (f"# District offices of the members of the 119th Congress: the congress-legislators shape, trimmed.\n"
              f"# Source: {info['source']}, as of {info['as_of']}.\n# {info['note']} (building and suite are joined "
              f"into address)\n# Made by memorials/letters/build_snapshot.py on {date.today().isoformat()}.\n")
    OFFICES.write_text(header + yaml.safe_dump(office_people, allow_unicode=True, sort_keys=False, width=120),
                       encoding="utf-8")
    table = io.StringIO(newline="")
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["state_abbr", "zcta", "cd"])
    writer.writerows(rows)
    _write_gzip(ZIPS, table.getvalue())
    congress = {"built": date.today().isoformat(),
                "legislators": {**SOURCES["legislators"], "rows": members},
                "district_offices": {**SOURCES["district_offices"], "rows": offices},
                "zip_districts": {**SOURCES["zip_districts"], "rows": zips},
                "island_zips": {**SOURCES["island_zips"], "rows": islands},
                "campaigns": {"file": "campaigns.yaml", "source": "written for this project; facts cited in the text"}}
    _update_manifest(congress)   # the statehouse entries stay as they are
    return congress


def build_state(shared: Path) -> dict:
    """The statehouse part of the snapshot (Open States people and ZIP areas to state districts), made with
    state_importer.py in a throwaway database and written back in the same public layouts, trimmed, with its
    entries in the manifest (the Congress part is left as it is)."""
    info = {kind: {**STATE_SOURCES[kind], "built": date.today().isoformat()} for kind in STATE_SOURCES}
    with throwaway_app():
        found = import_state_officials(str(shared / STATE_SOURCES["state_officials"]["from"]))
        table = read_bytes(str(shared / STATE_SOURCES["zip_state_districts"]["from"]))
        zips = import_state_districts(parse_state_districts(table, "districts.json"), "districts.json")
        people = [_state_person(o) for o in db.session.execute(
            db.select(StateOfficial).order_by(StateOfficial.state, StateOfficial.chamber, StateOfficial.seat,
                                              StateOfficial.name)).scalars()]
        layout: dict = {}
        for row in db.session.execute(db.select(ZipStateDistrict).order_by(
                ZipStateDistrict.state, ZipStateDistrict.chamber, ZipStateDistrict.seat,
                ZipStateDistrict.zcta)).scalars():
            chambers = layout.setdefault(FIPS[row.state], {"abbreviation": row.state, "chambers": {}})["chambers"]
            district = chambers.setdefault(row.chamber, {"districts": {}})["districts"].setdefault(
                row.seat, {"name": row.name, "zips": []})
            district["zips"].append(row.zcta)
    metadata = json.loads(table).get("metadata", {})
    _write_gzip(STATE_PEOPLE, json.dumps({"source": info["state_officials"]["source"],
                                          "as_of": info["state_officials"]["as_of"], "people": people},
                                         ensure_ascii=False, separators=(",", ":")))
    _write_gzip(STATE_DISTRICTS, json.dumps({"states": layout, "metadata": {
        **metadata, "source": info["zip_state_districts"]["source"]}}, separators=(",", ":")))
    state = {"state_officials": {**info["state_officials"], "rows": found.rows, "governors": found.governors,
                                 "phones_left_out": found.dropped_phones},
             "zip_state_districts": {**info["zip_state_districts"], "rows": zips}}
    _update_manifest(state)   # the Congress entries stay as they are
    return state


def _update_manifest(entries: dict) -> None:
    """Write these entries into manifest.json, keeping the others: each part of the snapshot is rebuilt alone."""
    meta = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    meta.update(entries)
    MANIFEST.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")


FIPS = {code: fips for fips, code in STATE_OF_FIPS.items()}


def _write_gzip(path: Path, text: str) -> None:
    # mtime=0: the same rows make the same bytes, so the snapshot only changes when they do.
    with gzip.GzipFile(path, "wb", mtime=0) as out:
        out.write(text.encode("utf-8"))


def _state_person(official: StateOfficial) -> dict:
    """A state official as an Open States person record again, with only what letters use."""
    role = {"type": official.chamber, "jurisdiction": f"ocd-jurisdiction/country:us/state:{official.state.lower()}"
                                                      "/government"}
    if official.district:
        role["district"] = official.district
    if official.end_date:
        role["end_date"] = official.end_date.isoformat()
    offices = [{"classification": kind, **{k: v for k, v in (("address", address), ("voice", phone)) if v}}
               for kind, address, phone in (("capitol", official.address, official.phone),
                                           ("district", official.district_address, official.district_phone))
               if address or phone]
    person = {"id": f"ocd-person/{official.person}", "name": official.name, "family_name": official.family_name,
              "roles": [role]}
    if official.party:
        person["party"] = [{"name": official.party}]
    if official.email:
        person["email"] = official.email
    if offices:
        person["offices"] = offices
    links = [{"url": official.url}] if official.url else []
    if official.contact_form and official.contact_form != official.url:
        links.append({"url": official.contact_form, "note": "contact form"})
    if links:
        person["links"] = links
    return person


def _person(member) -> dict:
    term = {"type": "sen" if member.chamber == "senate" else "rep", "state": member.state}
    if member.chamber == "house":
        term["district"] = member.district
    for key in ("party", "url", "address", "office", "phone", "contact_form"):
        if getattr(member, key):
            term[key] = getattr(member, key)
    return {"id": {"bioguide": member.bioguide},
            "name": {"first": member.first_name, "last": member.last_name, "official_full": member.full_name},
            "terms": [term]}


if __name__ == "__main__":
    shared_folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    part = sys.argv[2] if len(sys.argv) > 2 else "all"
    if part not in ("all", "congress", "state"):
        sys.exit("usage: python -m memorials.letters.build_snapshot SHARED_DATA_FOLDER [all|congress|state]")
    built = build(shared_folder) if part in ("all", "congress") else {}
    if part in ("all", "state"):
        built.update(build_state(shared_folder))
    print(json.dumps(built, indent=2, ensure_ascii=False))
