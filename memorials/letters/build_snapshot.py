"""Make the bundled letters snapshot from the public files, with the project's own importers.

    python -m memorials.letters.build_snapshot ../shared/data

Imports congress/legislators-current.yaml and zip_to_district/zccd_119th_congress.csv into a
scratch database with importer.py, then writes back only what the site uses, in the same
public shapes, to memorials/data/letters/ with a manifest of sources and dates. Run by hand
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
from ..scratch import scratch_app
from .importer import import_legislators, import_zip_districts, parse_zip_districts
from .models import DistrictOffice, Legislator, ZipDistrict
from .snapshot import FOLDER, ISLANDS, LEGISLATORS, MANIFEST, OFFICES, ZIPS

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
    with scratch_app():
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
    # mtime=0: the same rows make the same bytes, so the snapshot only changes when they do.
    with gzip.GzipFile(ZIPS, "wb", mtime=0) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["state_abbr", "zcta", "cd"])
        writer.writerows(rows)
    meta = {"built": date.today().isoformat(),
            "legislators": {**SOURCES["legislators"], "rows": members},
            "district_offices": {**SOURCES["district_offices"], "rows": offices},
            "zip_districts": {**SOURCES["zip_districts"], "rows": zips},
            "island_zips": {**SOURCES["island_zips"], "rows": islands},
            "campaigns": {"file": "campaigns.yaml", "source": "written for this project; facts cited in the text"}}
    MANIFEST.write_text(json.dumps(meta, indent=2) + "\n")
    return meta


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
    print(json.dumps(build(shared_folder), indent=2))
