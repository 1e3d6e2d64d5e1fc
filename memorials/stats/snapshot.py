"""The statistics snapshot bundled in memorials/data/stats/, made by build_snapshot.py with the
project's own importers, and loaded by `flask --app app init-db`."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ..extensions import db
from . import publish
from .importer import import_age_groups, import_population, import_vsrr
from .longview import import_long
from .models import StatRelease

FOLDER = Path(__file__).resolve().parent.parent / "data" / "stats"
FIGURES = FOLDER / "vsrr_figures.csv.gz"
POPULATION = FOLDER / "census_state_population.csv"
AGE_GROUPS = FOLDER / "wonder_t40_4_deaths_by_age_group_2024.csv"
MANIFEST = FOLDER / "manifest.json"
BUNDLED = "Bundled snapshot"


def manifest() -> dict:
    return json.loads(MANIFEST.read_text())


def _wanted(label: str, dataset: str, built: datetime) -> bool:
    """Not loaded yet, and no file of the same kind imported by hand since the snapshot was built."""
    already = db.session.execute(db.select(StatRelease.id).where(StatRelease.source == label)).first()
    newer = db.session.execute(db.select(StatRelease.id).where(
        StatRelease.source.not_like(f"{BUNDLED}%"), StatRelease.dataset == dataset,
        StatRelease.imported_at > built)).first()
    return not already and not newer


def load_bundled() -> str:
    """Load each part of the bundled snapshot unless it, or a newer import of its kind, is already there.

    The importers only import; what the pages serve is then computed once and committed with them, in one
    transaction (also computed when nothing was loaded but it never was).
    """
    if not MANIFEST.exists():
        return "no statistics snapshot bundled"
    meta = manifest()
    built = datetime.fromisoformat(meta["built"])
    done = []
    label = f"{BUNDLED} {meta['built']}"
    try:
        if _wanted(label, "vsrr", built):
            release = import_vsrr(str(FIGURES), source=label, imported_at=built, note=json.dumps(meta["releases"]))
            people = import_population(str(POPULATION), meta["population_source"])
            ages = import_age_groups(str(AGE_GROUPS), meta["age_groups_source"])
            done.append(f"{release.row_count:,} CDC figures through {release.latest_period:%B %Y}, "
                        f"{people:,} population estimates, {ages} age groups")
        for part in meta.get("long_view", []):
            part_label = f"{BUNDLED} {meta['built']}: {part['file']}"
            if _wanted(part_label, part["dataset"], built):
                release = import_long(str(FOLDER / part["file"]), source=part_label, imported_at=built,
                                      note=json.dumps(part["from"]))
                done.append(f"{release.row_count:,} {part['what']}")
        if done:
            publish.refresh()
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if done:
        return "statistics: loaded " + "; ".join(done)
    built_now = publish.ensure_built()
    return "statistics: already loaded" + ("; pages computed" if built_now else "")
