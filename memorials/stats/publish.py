"""The statistics as served: computed once when the figures change, stored, and read by page views.

refresh() runs in the importer's transaction (and init-db's), so readers never see figures
and what is shown out of step. Everything lives in the database (stat_artifact), so several
app servers serve the same thing; each keeps what it has parsed in memory, keyed by the
content's hash, and asks the database only for that hash on a page view.

What is stored holds no sentence in any language: figures, months, CDC's indicator names and
footnote codes, place codes and names. Sentences, chart words and month names are made when a page
is rendered, in the reader's language (views._rendered keeps each rendered page per language). The
downloads are language-neutral: one address, the same columns and bytes from an English or a
Spanish page; their notes for journalists ("source", "columns", "new_york") stay in English.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import threading
from datetime import date
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import bindparam, delete, insert, select, update

from ..extensions import db
from ..lru import LRU
from ..timeutil import utcnow
from . import compute
from .indicators import NATIONAL, NEW_YORK_CITY
from .models import StatArtifact

# Bump when what build() stores changes shape: keys of an older shape are then rebuilt by init-db.
FORMAT = "v3"
JSON = "application/json"
CSV = "text/csv"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
log = logging.getLogger(__name__)


def key(*parts: str) -> str:
    return "/".join((FORMAT,) + parts)


META = key("meta")


def _encode(value) -> bytes:
    def default(v):
        if isinstance(v, date):
            return v.isoformat()
        raise TypeError(type(v))
    return json.dumps(value, default=default, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _revive(value):
    """JSON back to what build() made: ISO dates become dates again."""
    if isinstance(value, str):
        return date.fromisoformat(value) if DATE.match(value) else value
    if isinstance(value, list):
        return [_revive(v) for v in value]
    if isinstance(value, dict):
        return {k: _revive(v) for k, v in value.items()}
    return value


def artifacts(built: compute.Built) -> dict[str, tuple[str, bytes]]:
    """key -> (media type, content) for everything the pages and downloads serve."""
    out = {META: (JSON, _encode({"newest": built.data.newest}))}
    for code, payload in built.pages.items():
        # The national page carries the state table: /stats/ reads one thing.
        out[key("page", code)] = (JSON, _encode({**payload, "states": built.states} if code == NATIONAL
                                                else payload))
        out[key("headline", code)] = (JSON, _encode(built.headlines[code]))
    # Each place's rows are written once; the whole file is those pieces joined, in place order.
    csv_parts, json_parts = [], []
    places: dict[str, list[dict]] = {}
    for row in built.rows:
        places.setdefault(row["jurisdiction"], []).append(row)
    pieces: dict[str, tuple[str, str]] = {}
    for place, rows in places.items():
        pieces[place] = compute.csv_body(rows), compute.json_figures(rows)
        csv_parts.append(pieces[place][0])
        json_parts.append(pieces[place][1])
        out[key("data.csv", place)] = (CSV, (compute.csv_header() + pieces[place][0]).encode("utf-8"))
        out[key("data.json", place)] = (JSON, compute.json_bytes(pieces[place][1], built.data))
    # New York State's own file: CDC's NY rows and New York City's (YC), as the state's page adds them.
    parts = [pieces[p] for p in ("NY", NEW_YORK_CITY) if p in pieces]
    if parts:
        out[key("data.csv", NEW_YORK_STATE)] = (CSV, (compute.csv_header() + "".join(p[0] for p in parts)).encode())
        out[key("data.json", NEW_YORK_STATE)] = (JSON, compute.json_bytes(",".join(p[1] for p in parts), built.data))
    out[key("data.csv")] = (CSV, (compute.csv_header() + "".join(csv_parts)).encode("utf-8"))
    out[key("data.json")] = (JSON, compute.json_bytes(",".join(json_parts), built.data))
    return out


# The stored name of New York State's own download (/stats/NY/data.csv): CDC's NY and YC rows together.
NEW_YORK_STATE = "NY+YC"


def state_download(name: str, code: str) -> str:
    """The stored name of a place's own download (name: "data.csv" or "data.json"; code: a page code)."""
    return f"{name}/{NEW_YORK_STATE if code == 'NY' else code}"


def refresh() -> int:
    """Compute everything again and store what changed, in the caller's transaction; returns keys changed."""
    made = artifacts(compute.build())
    stored = {row.key: (row.id, row.etag) for row in
              db.session.execute(db.select(StatArtifact.id, StatArtifact.key, StatArtifact.etag))}
    now = utcnow()
    changed, new = 0, []
    for name, (media_type, content) in made.items():
        etag = hashlib.sha256(content).hexdigest()[:32]
        if name in stored and stored[name][1] == etag:
            continue
        body = gzip.compress(content, compresslevel=6, mtime=0) if name.split("/")[1].startswith("data.") else content
        if name in stored:
            db.session.execute(update(StatArtifact).where(StatArtifact.id == stored[name][0])
                               .values(etag=etag, body=body, media_type=media_type, changed_at=now))
        else:
            new.append({"key": name, "etag": etag, "body": body, "media_type": media_type, "changed_at": now})
        changed += 1
    for start in range(0, len(new), 50):
        db.session.execute(insert(StatArtifact), new[start:start + 50])
    gone = [row_id for name, (row_id, _) in stored.items() if name not in made]
    if gone:
        db.session.execute(delete(StatArtifact).where(StatArtifact.id.in_(gone)))
    return changed + len(gone)


def ensure_built() -> bool:
    """Build what is stored when it is missing or of an older shape (init-db after an upgrade)."""
    if db.session.execute(db.select(StatArtifact.id).where(StatArtifact.key == META)).first():
        return False
    refresh()
    db.session.commit()
    return True


# --- Reading ------------------------------------------------------------------------------------

class Memos:
    """What one app's process keeps: stored payloads as parsed, and pages as rendered, each keyed by content
    hash (so never stale), least recently used first out (memorials/lru.py, safe across the app's threads)."""

    def __init__(self, size: int = 512):
        self.kept = {"parsed": LRU(size), "rendered": LRU(size)}

    def get(self, which: str, name):
        return self.kept[which].get(name)

    def put(self, which: str, name, value):
        self.kept[which].put(name, value)
        return value

    def clear(self) -> None:
        for kept in self.kept.values():
            kept.clear()


def memos(app: Flask | None = None) -> Memos:
    """This app's memos (each app its own: tests and scripts run several apps in one process)."""
    extensions = (app or current_app).extensions
    found = extensions.get("stats")
    return found if found is not None else extensions.setdefault("stats", Memos())


_ETAG = select(StatArtifact.__table__.c.etag).where(StatArtifact.__table__.c.key == bindparam("key"))


def etag(name: str) -> str | None:
    """The content hash stored under name: one small query, one statement compiled once (no ORM objects)."""
    return db.session.connection().execute(_ETAG, {"key": key(*name.split("/"))}).scalar()


def payload(name: str, etag: str | None, live: bool = True):
    """The stored JSON under name, parsed once per process per content (None when nothing is stored).

    live: when nothing at all is stored yet, compute it for this request (pages); else answer None.
    """
    if etag is None:
        return _built_live().get(name) if live else None
    kept = memos()
    cached = kept.get("parsed", (name, etag))
    if cached is not None:
        return cached[0]
    body = db.session.execute(db.select(StatArtifact.body).where(StatArtifact.key == key(*name.split("/")))).scalar()
    value = _revive(json.loads(body)) if body is not None else None
    kept.put("parsed", (name, etag), (value,))
    return value


def read(name: str, live: bool = False):
    """The payload under name: one small query when this process has already parsed it."""
    return payload(name, etag(name), live)


def _built_live() -> dict:
    """Nothing stored yet (no init-db since an upgrade, or nothing imported): compute, don't store."""
    if db.session.execute(db.select(StatArtifact.id).where(StatArtifact.key == META)).first():
        return {}  # built, and this key has nothing
    log.warning("statistics are not built yet: run `flask --app app init-db`; computing them for this request")
    made = artifacts(compute.build())
    return {name.split("/", 1)[1]: _revive(json.loads(content)) for name, (media, content) in made.items()
            if media == JSON and not name.split("/")[1].startswith("data.")}


def download(name: str):
    """(etag, changed_at) of a stored download, or None; the body is fetched only when it is sent."""
    return db.session.execute(db.select(StatArtifact.etag, StatArtifact.changed_at)
                              .where(StatArtifact.key == key(*name.split("/")))).first()


def live_download(name: str) -> bytes | None:
    """A download computed for this request, when nothing is stored yet (see _built_live)."""
    if db.session.execute(db.select(StatArtifact.id).where(StatArtifact.key == META)).first():
        return None
    made = artifacts(compute.build()).get(key(*name.split("/")))
    return made[1] if made else None


def download_file(name: str, etag: str, gzipped: bool) -> Path:
    """This server's copy of a stored download, written from the database once per version.

    Several app servers each keep their own copy in their instance folder, named by the content
    hash, so a new import is picked up by each on its next request and sent with sendfile.
    """
    folder = Path(current_app.instance_path) / "stats-downloads"
    stem = name.replace("/", "-")
    path = folder / f"{stem}.{etag}.{'gz' if gzipped else 'raw'}"
    if not path.exists():
        body = download_body(name) or b""
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_bytes(body if gzipped else gzip.decompress(body))
        os.replace(partial, path)
        for old in folder.glob(f"{stem}.*"):
            if old.name.split(".")[-2] != etag and old.suffix in (".gz", ".raw") and old.name.count(".") == 2 + stem.count("."):
                old.unlink(missing_ok=True)
    return path


def download_body(name: str) -> bytes | None:
    return db.session.execute(db.select(StatArtifact.body).where(StatArtifact.key == key(*name.split("/")))).scalar()
