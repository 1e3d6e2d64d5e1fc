"""Fill a database with published memorials: `python -m bench seed --stories N`.

Uses the database INSTANCE_PATH / DATABASE_URL name (the schema is created or upgraded first, as
`flask --app app init-db` does) and adds published memorials until there are N. Each one is stored in
the shape a moderator's approval leaves: the approved version with its HTML made by memorials/text.py,
its excerpt, a unique slug from the name as shown, an "approve" line in the log, the search index rows
(memorials/search/index.py), and for one in five a photo and thumbnail in the photo store.

Varied on purpose: first and family names (some accented, some shown as first name only or initials),
nicknames, every state and territory, deaths from 2015 to 2025, ages from 14 to 85 (most 25 to 44, some
unknown), stories from a few lines to 20,000 characters. Rows are written in batches with executemany;
Markdown is rendered once per story template (the family's first name is placed after the excerpt, so
the stored HTML equals what render_markdown makes of the finished story: tests/test_speed.py checks).
"""
from __future__ import annotations

import argparse
import hashlib
import html
import io
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text, update  # noqa: E402

from memorials.audit import ModerationEvent  # noqa: E402
from memorials.extensions import db  # noqa: E402
from memorials.search.index import Document, add_documents, optimize  # noqa: E402
from memorials.slugs import slugify, unique_slug  # noqa: E402
from memorials.states import STATES  # noqa: E402
from memorials.storage.local import LocalStore  # noqa: E402
from memorials.stories import photos  # noqa: E402
from memorials.stories.models import Photo, Story, StoryStatus, StoryVersion, VersionState  # noqa: E402
from memorials.text import plain_excerpt, render_markdown  # noqa: E402

BATCH = 2000
VERSION_FIELDS = ("id", "story_id", "state", "created_at", "decided_at", "name", "nickname", "name_display", "born",
                  "died", "city", "state_code", "story_markdown", "content_note", "submitter_name",
                  "relationship_to", "photo_id", "photo_alt", "story_html", "excerpt")
PLACEHOLDER = "Zqfirstnamezq"   # survives Markdown and bleach untouched; replaced by the first name

FIRST = ("James Michael Robert John David William Richard Joseph Thomas Christopher Charles Daniel Matthew "
         "Anthony Mark Steven Andrew Joshua Kevin Brian Ryan Jacob Tyler Austin Brandon Justin Nicholas "
         "Jonathan Zachary Dylan Cody Kyle Travis Derek Shane Corey Jesse Trevor Logan Mary Patricia "
         "Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Ashley Amanda Stephanie Melissa Nicole "
         "Emily Megan Rachel Lauren Brittany Samantha Kayla Heather Amber Danielle Chelsea Courtney Whitney "
         "Taylor Haley Morgan Alexis José María Jesús Sofía Andrés Camila Valentina Ángel Lucía Martín "
         "Renée Zoë Chloé Noël André Aaliyah Malik DeShawn Jamal Imani Keisha Tariq Hiroshi Mei Nguyen Anh "
         "Priya Arjun Olu Kwame Aiyana Dakota Cheyenne Kai Leilani Bjorn Søren Siobhán Padraig").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
        "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
        "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
        "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gómez Phillips Evans Turner Díaz Parker "
        "Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutiérrez Ortiz Morgan Cooper "
        "Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chávez Wood James "
        "Bennett Gray Mendoza Ruiz Hughes Price Álvarez Castillo Sanders Patel Myers Long Ross Foster Jiménez "
        "O'Brien McAllister Kowalski Nowak Schmidt Müller Johansson Larsen Begay Yazzie Tsosie Kealoha "
        "Fitzgerald Sullivan Byrne Whitaker Holloway Abernathy Okafor Mensah Haddad Khoury Novak").split()
NICKNAMES = ("Bubba Sissy Buddy Junior Red Bug Peanut Tank Moose Ace Sunny Bear Boo Scooter Dee Tiny Pip "
             "Chuy Nena Güero Flaco Mija Chino Gordo Lulu Coco Bean Bird Doc Skip Smiley").split()
TOWNS = ("Springfield Franklin Greenville Bristol Clinton Fairview Salem Madison Georgetown Arlington "
         "Dayton Akron Huntington Charleston Wheeling Morgantown Portland Bangor Lowell Worcester Camden "
         "Trenton Scranton Allentown Erie Toledo Youngstown Flint Lansing Gary Dover Wilmington Baltimore "
         "Frederick Roanoke Lynchburg Asheville Knoxville Chattanooga Louisville Lexington Covington "
         "Albuquerque Tucson Phoenix Mesa Reno Fresno Bakersfield Stockton Modesto Tacoma Spokane Boise "
         "Billings Fargo Duluth Madison Peoria Rockford Joliet Evansville Kokomo Anchorage Hilo Ponce").split()
STATE_CODES = list(STATES)

# Sentences a family might write; {n} is the first name (kept after the excerpt: see the module's note).
OPENINGS = [
    "My son was the funniest person in every room he walked into, and the kindest when nobody was watching.",
    "She was my baby sister, my shadow when we were little, and later my best friend.",
    "He was a father first. Everything else came after his two girls and their Saturday pancakes.",
    "Our daughter loved horses, thunderstorms, old country songs and her little brother, in that order.",
    "He was a carpenter who could fix anything except the pain he carried after his accident.",
    "She sang in the church choir from the age of six and never once learned to whisper.",
    "My brother was a lineman, a fisherman, a terrible cook and the best uncle my kids could have had.",
    "Mi hijo era alegre, trabajador y cariñoso. Siempre llegaba con flores para su abuela los domingos.",
    "He had been sober for fourteen months. We were so proud of him, and he was proud of himself.",
    "She was a nurse who held strangers' hands through their worst nights.",
]
MIDDLES = [
    "{n} loved the lake in summer and could sit on the dock for hours without saying a word.",
    "Every birthday, {n} baked a lopsided cake and called it a masterpiece.",
    "When {n} laughed, the whole kitchen laughed with him.",
    "{n} wanted to be a firefighter, then a chef, then a marine biologist, and meant every one of them.",
    "The pills came after the surgery. Nobody warned us what they could do.",
    "We did not know the pill was counterfeit. We did not know fentanyl could hide in something so small.",
    "{n} called me every Sunday night, even from the hardest places.",
    "The dog still waits by the door at six o'clock, when {n} used to come home.",
    "Treatment worked for a while. Then a bed was not available, and the wait was three weeks.",
    "{n} taught three nephews to ride bikes on the same cracked driveway.",
    "If you knew {n}, you knew the jokes, the terrible puns, and the way they always landed anyway.",
    "*Please* carry naloxone. Learn the signs. Talk to your kids, and then talk to them again.",
    "{n} was more than the way we lost them. That is why we are writing this.",
    "Le encantaba bailar cumbias en la cocina con su mamá.",
    "We found a notebook full of song lyrics that {n} never showed anyone.",
]
CLOSINGS = [
    "We miss you every day, {n}. We always will.",
    "Rest easy, {n}. The porch light is still on.",
    "Te extrañamos todos los días, {n}.",
    "Say their name: {n}.",
    "Love you to the moon, {n}.",
]


def story_templates(count: int, rng: random.Random) -> list[str]:
    """Markdown stories with PLACEHOLDER for the first name, from a few lines to 20,000 characters."""
    templates = []
    for _ in range(count):
        roll = rng.random()
        target = (rng.randint(260, 600) if roll < 0.25 else rng.randint(600, 2500) if roll < 0.85
                  else rng.randint(2500, 8000) if roll < 0.98 else rng.randint(8000, 19_000))
        opening = rng.choice(OPENINGS)
        while len(opening) < 300:  # the excerpt (240 characters) never reaches the first name
            opening += " " + rng.choice(OPENINGS)
        paragraphs = [opening]
        length = len(paragraphs[0])
        while length < target:
            paragraph = " ".join(rng.choice(MIDDLES) for _ in range(rng.randint(2, 6)))
            paragraphs.append(paragraph)
            length += len(paragraph) + 2
        paragraphs.append(rng.choice(CLOSINGS))
        templates.append("\n\n".join(paragraphs).replace("{n}", PLACEHOLDER)[:19_500])
    return templates


class Rendered:
    """A template's Markdown rendered once; the story's own HTML is the first name put in its place."""

    def __init__(self, markdown: str) -> None:
        self.markdown = markdown
        self.html = str(render_markdown(markdown))
        excerpt = plain_excerpt(markdown, 240)
        self.excerpt = None if PLACEHOLDER in excerpt or excerpt.endswith(PLACEHOLDER[:5]) else excerpt

    def story(self, first: str) -> tuple[str, str, str]:
        markdown = self.markdown.replace(PLACEHOLDER, first)
        story_html = self.html.replace(PLACEHOLDER, html.escape(first, quote=False))
        excerpt = self.excerpt if self.excerpt is not None else _excerpt(markdown)
        return markdown, story_html, excerpt


@lru_cache(maxsize=20_000)
def _excerpt(markdown: str) -> str:
    return plain_excerpt(markdown, 240)


def _age_years(rng: random.Random) -> int | None:
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.12:
        return rng.randint(14, 17)
    if roll < 0.62:
        return rng.randint(25, 44)
    if roll < 0.75:
        return rng.randint(18, 24)
    if roll < 0.95:
        return rng.randint(45, 64)
    return rng.randint(65, 85)


def sample_photos(folder: Path, rng: random.Random, count: int = 12) -> list[tuple[Path, Path, int, int]]:
    """A few real processed photos (full size and thumbnail) that seeded memorials share as hard links."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for n in range(count):
        size = (1200, 1600) if n % 2 else (1600, 1200)
        image = Image.new("RGB", size, tuple(rng.randint(60, 200) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(40):
            x, y = rng.randint(0, size[0]), rng.randint(0, size[1])
            r = rng.randint(20, 300)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randint(0, 255) for _ in range(3)))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90)
        processed = photos.process(out.getvalue())
        full, thumb = folder / f"sample-{n}.jpg", folder / f"sample-{n}-thumb.jpg"
        for path in (full, thumb):  # a new file, never rewritten in place: seeded photos are hard links to it
            path.unlink(missing_ok=True)
        full.write_bytes(processed.full)
        thumb.write_bytes(processed.thumb)
        made.append((full, thumb, processed.width, processed.height))
    return made


def _put_photo(source: Path, name: str) -> None:
    store = photos.store()
    if isinstance(store, LocalStore):
        store.folder.mkdir(parents=True, exist_ok=True)
        os.link(source, store.folder / name)
    else:
        store.save(name, source.read_bytes())


def _next_id(model) -> int:
    return (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1


def seed(count: int, *, seed_value: int = 7, quiet: bool = True) -> int:
    """Add published memorials until `count` are published; returns how many were added. Commits per batch."""
    existing = db.session.execute(
        select(func.count()).select_from(Story).where(Story.status == StoryStatus.PUBLISHED.value)).scalar()
    wanted = max(0, count - existing)
    if not wanted:
        return 0
    rng = random.Random(seed_value * 1_000_003 + existing)
    rendered = [Rendered(t) for t in story_templates(min(400, max(20, wanted // 50)), rng)]
    store = photos.store()
    samples = sample_photos((store.folder.parent if isinstance(store, LocalStore)
                             else Path(tempfile.gettempdir())) / "bench-photo-samples", rng)
    taken = set(db.session.execute(select(Story.slug).where(Story.slug.is_not(None))).scalars())
    moderator_id = _bench_moderator()
    story_id, version_id, photo_id, event_id = (_next_id(m) for m in (Story, StoryVersion, Photo, ModerationEvent))
    newest = db.session.execute(select(func.max(Story.published_at))).scalar()
    clock = max(newest or datetime(2016, 1, 1), datetime(2016, 1, 1))
    step = timedelta(seconds=max(1, int(10 * 365 * 86400 / max(wanted, 1))))
    added = 0
    started = time.perf_counter()
    while added < wanted:
        stories, versions, photo_rows, events, live, documents = [], [], [], [], [], []
        for _ in range(min(BATCH, wanted - added)):
            clock += step
            first = rng.choice(FIRST)
            middle = rng.choice(FIRST) + " " if rng.random() < 0.3 else ""
            name = f"{first} {middle}{rng.choice(LAST)}"
            roll = rng.random()
            display = "full" if roll < 0.8 else "first" if roll < 0.92 else "initials"
            died = date(2015, 1, 1) + timedelta(days=rng.randint(0, 4017))  # to 2025-12-31
            age = _age_years(rng)
            born = None if age is None else died - timedelta(days=int(age * 365.25) + rng.randint(1, 360))
            state = rng.choice(STATE_CODES) if rng.random() < 0.97 else None
            markdown, story_html, excerpt = rng.choice(rendered).story(first)
            version = StoryVersion(
                id=version_id, story_id=story_id, state=VersionState.APPROVED.value, created_at=clock - timedelta(days=2),
                decided_at=clock, name=name, nickname=rng.choice(NICKNAMES) if rng.random() < 0.3 else None,
                name_display=display, born=born, died=died, city=rng.choice(TOWNS) if state else None,
                state_code=state, story_markdown=markdown, content_note=None,
                submitter_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", relationship_to=rng.choice(
                    ("mother", "father", "sister", "brother", "wife", "husband", "daughter", "son", "friend")),
                photo_id=None, photo_alt=None, story_html=story_html, excerpt=excerpt)
            if rng.random() < 0.2:
                full, thumb, width, height = rng.choice(samples)
                names = [f"{_token(rng)}.jpg", f"{_token(rng)}.jpg"]
                _put_photo(full, names[0])
                _put_photo(thumb, names[1])
                photo_rows.append({"id": photo_id, "story_id": story_id, "filename": names[0], "thumb_filename": names[1],
                                   "width": width, "height": height, "created_at": clock - timedelta(days=2)})
                version.photo_id, version.photo_alt = photo_id, f"{first} smiling"
                photo_id += 1
            slug = unique_slug(f"{slugify(version.display_name)}-{died.year}", taken.__contains__)
            taken.add(slug)
            stories.append({"id": story_id, "slug": slug, "status": StoryStatus.PUBLISHED.value,
                            "email": f"family{story_id}@example.org",
                            "manage_token_hash": hashlib.sha256(f"bench-{story_id}-{_token(rng)}".encode()).hexdigest(),
                            "new_token_hash": None, "live_version_id": None, "moderator_note": None,
                            "created_at": clock - timedelta(days=2), "published_at": clock})
            versions.append({key: getattr(version, key) for key in VERSION_FIELDS})
            live.append({"sid": story_id, "vid": version_id})
            events.append({"id": event_id, "created_at": clock, "moderator_id": moderator_id, "story_ref": story_id,
                           "version_ref": version_id, "item_kind": None, "item_ref": None, "action": "approve",
                           "reason": None})
            documents.append(Document.of(story_id, clock, version))
            story_id, version_id, event_id = story_id + 1, version_id + 1, event_id + 1
        connection = db.session.connection()
        connection.execute(insert(Story.__table__), stories)
        if photo_rows:
            connection.execute(insert(Photo.__table__), photo_rows)
        connection.execute(insert(StoryVersion.__table__), versions)
        connection.execute(update(Story.__table__).where(Story.__table__.c.id == db.bindparam("sid"))
                           .values(live_version_id=db.bindparam("vid")), live)
        connection.execute(insert(ModerationEvent.__table__), events)
        add_documents(connection, documents)
        db.session.commit()
        added += len(stories)
        if not quiet:
            rate = added / (time.perf_counter() - started)
            print(f"  {existing + added:>9,} published ({rate:,.0f}/s)", flush=True)
    _after_bulk_insert()
    return added


def _token(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for _ in range(32))


def _bench_moderator() -> int:
    from memorials.moderation.models import Moderator
    from memorials.moderation.services import create_moderator

    found = db.session.execute(select(Moderator.id).where(Moderator.email == "bench@example.org")).scalar()
    if found is None:
        moderator, _ = create_moderator("bench@example.org", "bench password 123")
        db.session.commit()
        found = moderator.id
    return found


def _after_bulk_insert() -> None:
    """Rows were written with explicit ids: move PostgreSQL's sequences past them; refresh statistics."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        for table in ("story", "story_version", "photo", "moderation_event"):
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
            autocommit.execute(text("VACUUM ANALYZE"))
    else:
        optimize(connection)
        connection.execute(text("ANALYZE"))
        db.session.commit()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench seed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, required=True, help="how many published memorials there should be")
    args = parser.parse_args(argv)
    from memorials import create_app
    from memorials.cli import init_db

    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        init_db()
        started = time.perf_counter()
        added = seed(args.stories, quiet=False)
        elapsed = time.perf_counter() - started
        print(f"added {added:,} published memorials in {elapsed:.1f} s "
              f"({db.session.get_bind().dialect.name}); {args.stories:,} in all")


if __name__ == "__main__":
    main()
