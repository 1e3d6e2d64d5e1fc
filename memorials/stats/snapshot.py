"""The statistics snapshot bundled in memorials/data/stats/, made by build_snapshot.py with the
project's own importer, and loaded by `flask --app app init-db`."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ..extensions import db
from .importer import import_age_groups, import_population, import_vsrr
from .models import StatRelease

FOLDER = Path(__file__).resolve().parent.parent / "data" / "stats"
FIGURES = FOLDER / "vsrr_figures.csv.gz"
POPULATION = FOLDER / "census_state_population.csv"
AGE_GROUPS = FOLDER / "wonder_t40_4_deaths_by_age_group_2024.csv"
MANIFEST = FOLDER / "manifest.json"
BUNDLED = "Bundled snapshot"


def manifest() -> dict:
    return json.loads(MANIFEST.read_text())


def load_bundled() -> str:
    """Load the bundled figures unless this snapshot, or a newer import of a CDC file, is already there."""
    if not MANIFEST.exists():
        return "no statistics snapshot bundled"
    meta = manifest()
    label = f"{BUNDLED} {meta['built']}"
    built = datetime.fromisoformat(meta["built"])
    already = db.session.execute(db.select(StatRelease.id).where(StatRelease.source == label)).first()
    newer = db.session.execute(db.select(StatRelease.id).where(
        StatRelease.source.not_like(f"{BUNDLED}%"), StatRelease.imported_at > built)).first()
    if already or newer:
        return "statistics: already loaded (" + ("bundled snapshot" if already else "a newer import") + ")"
    release = import_vsrr(str(FIGURES), source=label, imported_at=built, note=json.dumps(meta["releases"]))
    people = import_population(str(POPULATION), meta["population_source"])
    ages = import_age_groups(str(AGE_GROUPS), meta["age_groups_source"])
    return (f"statistics: loaded {release.row_count:,} CDC figures through {release.latest_period:%B %Y}, "
            f"{people:,} population estimates, {ages} age groups")
