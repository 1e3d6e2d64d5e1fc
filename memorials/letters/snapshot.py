"""The letters data bundled in memorials/data/letters/, made by build_snapshot.py with the project's own
importers, and loaded by `flask --app app init-db`."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from ..extensions import db
from .importer import import_legislators, import_zip_districts, read_bytes
from .models import Campaign, LetterDataset
from .services import set_ask, set_spanish
from .state_importer import import_state_districts, import_state_officials, parse_state_districts

FOLDER = Path(__file__).resolve().parent.parent / "data" / "letters"
LEGISLATORS = FOLDER / "legislators-current.yaml"
OFFICES = FOLDER / "legislators-district-offices.yaml"
ZIPS = FOLDER / "zccd_119th_congress.csv.gz"
ISLANDS = FOLDER / "zip_island_areas.csv"  # AS, GU, MP, VI: see build_snapshot.py
STATE_PEOPLE = FOLDER / "openstates-people.json.gz"  # state legislators and governors: see build_snapshot.py
STATE_DISTRICTS = FOLDER / "state_legislative_districts.json.gz"
CAMPAIGNS = FOLDER / "campaigns.yaml"
MANIFEST = FOLDER / "manifest.json"
BUNDLED = "Bundled snapshot"
CAMPAIGN_FIELDS = ("slug", "title", "summary", "ask", "letter_template", "status", "call_ask", "level", "state",
                   "bill_number", "bill_url")
SPANISH_FIELDS = ("title", "summary", "ask", "call_ask", "letter_template")


def manifest() -> dict:
    return json.loads(MANIFEST.read_text())


def load_bundled() -> str:
    """Load what is missing or older than this snapshot: members, offices, the ZIP table, shipped campaigns.

    A table loaded from an earlier bundled snapshot is refreshed from this one (the source names the
    snapshot's build date); one imported by hand is left alone, and a campaign already in the
    database (perhaps edited by an admin) is never changed, beyond a phone ask it never had.
    """
    done = []
    if MANIFEST.exists():
        meta = manifest()
        datasets = {d.kind: d for d in db.session.execute(db.select(LetterDataset)).scalars()}
        loaders = {
            "legislators": lambda **kw: import_legislators([str(LEGISLATORS)], **kw).rows,
            "district_offices": lambda **kw: import_legislators([str(OFFICES)], **kw).offices,
            "zip_districts": lambda **kw: import_zip_districts([str(ZIPS), str(ISLANDS)], **kw).rows,
            "state_officials": lambda **kw: import_state_officials(str(STATE_PEOPLE), **kw).rows,
            "zip_state_districts": lambda **kw: import_state_districts(
                parse_state_districts(read_bytes(str(STATE_DISTRICTS)), STATE_DISTRICTS.name), **kw),
        }
        for kind, load in loaders.items():
            if kind not in meta:
                continue
            info = meta[kind]
            source = info["source"] + (f"; and {meta['island_zips']['source']}" if kind == "zip_districts" else "")
            source = f"{BUNDLED} of {info.get('built', meta['built'])}: {source}"[:500]
            there = datasets.get(kind)
            if there is not None and (there.source == source or not there.source.startswith(BUNDLED)):
                continue  # this very snapshot, or an import by hand: refresh that with the import commands
            rows = load(source=source, as_of=info["as_of"])
            done.append(f"{rows:,} {kind.replace('_', '-')} rows")
    added = load_campaigns()
    if added:
        done.append(f"{added} campaigns")
    return "letters: loaded " + ", ".join(done) if done else "letters: already loaded"


def shipped_campaigns() -> list[dict]:
    return yaml.safe_load(CAMPAIGNS.read_text(encoding="utf-8")) if CAMPAIGNS.exists() else []


def load_campaigns() -> int:
    """Add each shipped campaign whose address is not taken; never change one that is there, except to give
    it words it never had: a phone ask (call_ask), or its Spanish (when none of it was written)."""
    existing = {c.slug: c for c in db.session.execute(db.select(Campaign)).scalars()}
    added = 0
    for position, item in enumerate(shipped_campaigns()):
        there = existing.get(item["slug"])
        if there is not None:
            if there.call_ask is None and item.get("call_ask"):
                there.call_ask = " ".join(item["call_ask"].split())
            if not any((getattr(there, f"{name}_es") or "").strip() for name in SPANISH_FIELDS):
                _spanish(there, item)
            continue
        campaign = Campaign(position=position, **{k: item[k].strip() if k != "letter_template" else item[k]
                                                  for k in CAMPAIGN_FIELDS if k in item})
        set_ask(campaign, campaign.ask)
        campaign.recipients = item.get("recipients")
        _spanish(campaign, item)
        db.session.add(campaign)
        added += 1
    db.session.commit()
    return added


def _spanish(campaign: Campaign, item: dict) -> None:
    set_spanish(campaign, **{name if name != "letter_template" else "letter": item.get(f"{name}_es")
                             for name in SPANISH_FIELDS})
