"""Fill a database with published memorials: `python -m bench seed --stories N`.

Uses the database INSTANCE_PATH / DATABASE_URL name (the schema is created or upgraded first, as
`flask --app app init-db` does) and adds published memorials until there are N. Each one is stored in
the shape a moderator's approval leaves: the approved version with its HTML made by memorials/text.py,
its excerpt, a unique slug from the name as shown, an "approve" line in the log, the search index rows
(memorials/search/index.py), and for one in five a photo and thumbnail in the photo store.

Varied on purpose: first and family names (some accented, some shown as first name only or initials),
nicknames, every state and territory, deaths from 2015 to 2025, ages from 14 to 85 (most 25 to 44, some
unknown), stories from a few lines to 20,000 characters (2,400 on average).

Made to reach 1,000,000 in minutes, not half an hour:
- Markdown is rendered, and the story's words for the search index are found, once per story template (a few
  hundred); each memorial puts the family's first name in its place (after the excerpt, so the stored HTML
  equals what render_markdown makes of the finished story: tests/test_speed.py checks).
- PostgreSQL's full-text document is written as a tsvector, not computed by the server story by story: each
  template's vector is asked of PostgreSQL once (to_tsvector), and a memorial's is that vector with the first
  name in its place and the name and place in front, exactly what the approval's to_tsvector makes (checked
  by tests/test_speed.py); a word PostgreSQL would read differently sends that memorial the slow way.
- Rows are plain tuples, written with COPY on PostgreSQL and executemany on SQLite. A large load (--stories
  past BULK) is one transaction that drops the loaded tables' secondary indexes and constraints first and
  builds them again after the load (PostgreSQL), or builds the indexes after the load with the journal off
  (SQLite); the per-group and per-day counts are added up in Python and written once.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import io
import multiprocessing
import os
import queue
import random
import re
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402

from memorials.audit import ModerationEvent  # noqa: E402
from memorials.extensions import db  # noqa: E402
from memorials.pagecache import generation  # noqa: E402
from memorials.search import cards  # noqa: E402
from memorials.search.index import (MAX_WORDS, Document, add_counts, add_documents, age_at, optimize,  # noqa: E402
                                    plain_text, words)
from memorials.search.models import (ALL_STATES, CREATE_FTS, FTS_SHADOW_SUFFIXES, FTS_TABLE, NO_STATE, count_keys,  # noqa: E402
                                     day_of)
from memorials.slugs import slugify, unique_slug  # noqa: E402
from memorials.states import STATES, state_name  # noqa: E402
from memorials.storage.local import LocalStore  # noqa: E402
from memorials.stories import photos  # noqa: E402
from memorials.stories.models import Photo, Story, StoryStatus, StoryVersion, VersionState  # noqa: E402
from memorials.stories.queries import CardPhoto, CardStory, CardVersion  # noqa: E402
from memorials.text import plain_excerpt, render_markdown  # noqa: E402

BATCH = 5000
BULK = 50_000        # more memorials than this at once: indexes dropped and built again after the load
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


# What each memorial is made of ------------------------------------------------------------------------------

FOLDED = PLACEHOLDER.casefold()       # the placeholder as the index's words() writes it
STORY_COLUMNS = ("id", "slug", "status", "email", "manage_token_hash", "new_token_hash", "live_version_id",
                 "moderator_note", "created_at", "published_at")
VERSION_COLUMNS = ("id", "story_id", "state", "created_at", "decided_at", "name", "nickname", "name_display", "born",
                   "died", "city", "state_code", "story_markdown", "content_note", "submitter_name",
                   "relationship_to", "photo_id", "photo_alt", "story_html", "excerpt")
PHOTO_COLUMNS = ("id", "story_id", "filename", "thumb_filename", "width", "height", "created_at")
EVENT_COLUMNS = ("id", "created_at", "moderator_id", "story_ref", "version_ref", "item_kind", "item_ref", "action",
                 "reason")
ENTRY_COLUMNS = ("story_id", "version_id", "published_at", "state_code", "died_year", "age", "face")
CARD_COLUMNS = ("story_id", "language", "version_id", "stamp", "html")
CARD_LANGUAGE = StoryVersion.__table__.c.language.default.arg   # the seed's families write in the default
LOADED_TABLES = ("story", "story_version", "photo", "moderation_event", "search_entry", "search_card")


class Template(Rendered):
    """A story template, rendered once, with the words the search index keeps of it (the placeholder among them)."""

    def __init__(self, markdown: str) -> None:
        super().__init__(markdown)
        self.words = " ".join(words(plain_text(self.html))[:MAX_WORDS])
        self.vector: list[tuple[str, str]] | None = None     # PostgreSQL's to_tsvector of the words, parsed


@lru_cache(maxsize=None)
def _words(value: str | None) -> tuple[str, ...]:
    return tuple(words(value)) if value else ()


@dataclass
class Memorial:
    story: tuple
    version: tuple
    photo: tuple | None
    event: tuple
    entry: tuple
    name: tuple[str, ...]         # the index's words of the name as shown and the nickname
    place: tuple[str, ...]        # of the hometown and the state's name
    template: Template
    first: str                    # the first name as the index writes it (words of it, joined)

    def index_text(self) -> tuple[str, str, str]:
        return " ".join(self.name), " ".join(self.place), self.template.words.replace(FOLDED, self.first)


class Maker:
    """Published memorials, one after another, in the order and shape the seeder always made them.

    `decide` draws everything random (names, dates, the template, photo files, the slug); `assemble` puts the
    memorial together from that. A large seed decides in a child process (Decisions) while this one assembles
    and writes, so the two run on both cores; the random draws are the same either way."""

    def __init__(self, rng: random.Random, templates: list[Template], samples: list, taken: set, moderator_id: int,
                 ids: tuple[int, int, int, int], clock: datetime, step: timedelta, put_photo=None) -> None:
        self.rng, self.templates, self.samples, self.taken = rng, templates, samples, taken
        self.moderator_id = moderator_id
        self.story_id, self.version_id, self.photo_id, self.event_id = ids
        self.clock, self.step = clock, step
        self.put_photo = put_photo or _put_photo

    def one(self) -> Memorial:
        return self.assemble(self.decide())

    def decide(self) -> tuple:
        rng = self.rng
        self.clock += self.step
        clock = self.clock
        story_id = self.story_id
        first = rng.choice(FIRST)
        middle = rng.choice(FIRST) + " " if rng.random() < 0.3 else ""
        name = f"{first} {middle}{rng.choice(LAST)}"
        roll = rng.random()
        display = "full" if roll < 0.8 else "first" if roll < 0.92 else "initials"
        died = date(2015, 1, 1) + timedelta(days=rng.randint(0, 4017))  # to 2025-12-31
        age = _age_years(rng)
        born = None if age is None else died - timedelta(days=int(age * 365.25) + rng.randint(1, 360))
        state = rng.choice(STATE_CODES) if rng.random() < 0.97 else None
        template = rng.randrange(len(self.templates))   # what rng.choice(templates) draws
        nickname = rng.choice(NICKNAMES) if rng.random() < 0.3 else None
        city = rng.choice(TOWNS) if state else None
        submitter = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        relationship = rng.choice(("mother", "father", "sister", "brother", "wife", "husband", "daughter", "son",
                                   "friend"))
        photo = None
        if rng.random() < 0.2:
            full, thumb, width, height = rng.choice(self.samples)
            names = (f"{_token(rng)}.jpg", f"{_token(rng)}.jpg")
            self.put_photo(full, names[0])
            self.put_photo(thumb, names[1])
            photo = (self.photo_id, story_id, names[0], names[1], width, height, clock - timedelta(days=2))
            self.photo_id += 1
        slug = unique_slug(f"{slugify(_shown(name, display))}-{died.year}", self.taken.__contains__)
        self.taken.add(slug)
        token_hash = hashlib.sha256(f"bench-{story_id}-{_token(rng)}".encode()).hexdigest()
        decided = (story_id, self.version_id, self.event_id, clock, first, name, display, died, born, state, template,
                   nickname, city, submitter, relationship, photo, slug, token_hash)
        self.story_id, self.version_id, self.event_id = story_id + 1, self.version_id + 1, self.event_id + 1
        return decided

    def assemble(self, decided: tuple) -> Memorial:
        (story_id, version_id, event_id, clock, first, name, display, died, born, state, template, nickname, city,
         submitter, relationship, photo, slug, token_hash) = decided
        template = self.templates[template]
        markdown, story_html, excerpt = template.story(first)
        photo_id, photo_alt = (photo[0], f"{first} smiling") if photo else (None, None)
        shown = _shown(name, display)
        created = clock - timedelta(days=2)
        return Memorial(
            story=(story_id, slug, StoryStatus.PUBLISHED.value, f"family{story_id}@example.org", token_hash, None,
                   version_id, None, created, clock),
            version=(version_id, story_id, VersionState.APPROVED.value, created, clock, name, nickname, display, born,
                     died, city, state, markdown, None, submitter, relationship, photo_id, photo_alt, story_html,
                     excerpt),
            photo=photo,
            event=(event_id, clock, self.moderator_id, story_id, version_id, None, None, "approve", None),
            entry=(story_id, version_id, clock, state or NO_STATE, died.year, age_at(born, died), photo is not None),
            name=_words(shown) + _words(nickname), place=_words(city) + _words(state_name(state)),
            template=template, first=" ".join(_words(first)))


class Decisions:
    """A child process drawing the memorials' random parts, a batch ahead of the parent (forked: it starts with
    the parent's generator, templates and slugs taken; photo files are hard links it makes in `folder`)."""

    def __init__(self, maker: Maker, folder: Path) -> None:
        def link(source: Path, name: str) -> None:
            os.link(source, folder / name)

        maker.put_photo = link
        folder.mkdir(parents=True, exist_ok=True)
        context = multiprocessing.get_context("fork")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=self._serve, args=(maker, child), daemon=True)
        self.process.start()
        child.close()

    @staticmethod
    def _serve(maker: Maker, pipe) -> None:
        while (count := pipe.recv()) is not None:
            pipe.send([maker.decide() for _ in range(count)])

    def ask(self, count: int) -> None:
        self.pipe.send(count)

    def take(self) -> list[tuple]:
        return self.pipe.recv()

    def close(self) -> None:
        self.pipe.send(None)
        self.process.join(timeout=30)


def _shown(name: str, display: str) -> str:
    """The name as StoryVersion.display_name shows it."""
    parts = name.split()
    if display == "first":
        return parts[0]
    if display == "initials":
        return " ".join(f"{p[0].upper()}." for p in parts)
    return name


def _token(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for _ in range(32))


# PostgreSQL's full-text documents, made here as to_tsvector would make them ----------------------------------

_LEXEME = re.compile(r"'((?:[^']|'')*)'(?::([0-9A-D,]+))?")


class Vectors:
    """tsvector text for memorials: the template's vector (asked of PostgreSQL once) with the first name put in
    place of the placeholder, behind the name (weight A) and the place (B), positions moved as `||` moves them."""

    def __init__(self, connection, templates: list[Template], vocabulary: set[str]) -> None:
        ask = text("SELECT w, to_tsvector('simple'::regconfig, w)::text FROM unnest(CAST(:ws AS text[])) AS t(w)")
        found = dict(connection.execute(ask, {"ws": [t.words for t in templates]}).all())
        for template in templates:
            template.vector = [(m.group(1), m.group(2) or "") for m in _LEXEME.finditer(found[template.words])]
        # A word PostgreSQL's parser reads as anything but itself at one position goes the slow way.
        checked = dict(connection.execute(ask, {"ws": sorted(vocabulary)}).all()) if vocabulary else {}
        self.plain = {w for w, vector in checked.items() if vector == f"'{w}':1"}
        self._shifted: dict[tuple[int, int], str] = {}

    def exact(self, memorial: Memorial) -> bool:
        return all(w in self.plain for w in (*memorial.name, *memorial.place, memorial.first))

    def text(self, memorial: Memorial) -> str:
        name, place = memorial.name, memorial.place
        parts = [f"'{w}':{i}A" for i, w in enumerate(name, 1)]
        parts += [f"'{w}':{i}B" for i, w in enumerate(place, len(name) + 1)]
        shift = len(name) + len(place)
        key = (id(memorial.template), shift)
        story = self._shifted.get(key)
        if story is None:
            story = self._shifted[key] = " ".join(
                f"'{lexeme}':{','.join(str(int(p) + shift) for p in positions.split(','))}" if positions
                else f"'{lexeme}'" for lexeme, positions in memorial.template.vector)
        parts.append(story.replace(f"'{FOLDED}':", f"'{memorial.first}':"))
        return " ".join(parts)


def _vocabulary() -> set[str]:
    found = set()
    for value in (*FIRST, *LAST, *NICKNAMES, *TOWNS, *(state_name(code) for code in STATE_CODES)):
        found.update(words(value))
    for first in FIRST:
        found.update(words(f"{first[0].upper()}."))
    return found


# Writing: the same rows, two ways ----------------------------------------------------------------------------

def card_rows(batch: list[Memorial]) -> list[tuple]:
    """The memorials' list cards in each language, drawn as an approval draws them (search/cards.py), as rows."""
    stories = []
    for m in batch:
        v, photo = m.version, m.photo
        version = CardVersion(name=v[5], name_display=v[7], born=v[8], died=v[9], city=v[10], state_code=v[11],
                              excerpt=v[19], photo_alt=v[17], language=CARD_LANGUAGE,
                              photo=CardPhoto(photo[3]) if photo else None)
        stories.append(CardStory(m.story[0], m.story[1], m.story[6], version))
    return [tuple(row[c] for c in CARD_COLUMNS) for row in cards.drawn_to_store(stories)]


class Rows:
    """Plain writes on the session's connection (small seeds, and tests inside their transaction)."""

    def __init__(self, connection, vectors: Vectors | None) -> None:
        self.connection, self.vectors = connection, vectors
        self.postgres = connection.dialect.name == "postgresql"

    def _insert(self, table: str, columns: tuple, rows: list[tuple]) -> None:
        if rows:
            marks = ", ".join(f":{c}" for c in columns)
            self.connection.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"),
                                    [dict(zip(columns, row)) for row in rows])

    def write(self, batch: list[Memorial]) -> None:
        stories = [m.story[:6] + (None,) + m.story[7:] for m in batch]   # the live version once it exists
        self._insert("story", STORY_COLUMNS, stories)
        self._insert("photo", PHOTO_COLUMNS, [m.photo for m in batch if m.photo])
        self._insert("story_version", VERSION_COLUMNS, [m.version for m in batch])
        self.connection.execute(text("UPDATE story SET live_version_id = :v WHERE id = :s"),
                                [{"s": m.story[0], "v": m.story[6]} for m in batch])
        self._insert("moderation_event", EVENT_COLUMNS, [m.event for m in batch])
        self.index(batch)
        self._insert("search_card", CARD_COLUMNS, card_rows(batch))

    def index(self, batch: list[Memorial]) -> None:
        if self.postgres:
            exact = [m for m in batch if self.vectors.exact(m)]
            if exact:
                marks = ", ".join(f":{c}" for c in ENTRY_COLUMNS)
                self.connection.execute(
                    text(f"INSERT INTO search_entry ({', '.join(ENTRY_COLUMNS)}, document) "
                         f"VALUES ({marks}, CAST(:document AS tsvector))"),
                    [{**dict(zip(ENTRY_COLUMNS, m.entry)), "document": self.vectors.text(m)} for m in exact])
            slow = [m for m in batch if not self.vectors.exact(m)]
            add_documents(self.connection, [Document(*m.entry[:6], *m.index_text(), m.entry[6]) for m in slow])
            add_counts(self.connection, [dict(zip(ENTRY_COLUMNS, m.entry)) for m in exact])
            return
        self._insert("search_entry", ENTRY_COLUMNS, [m.entry for m in batch])
        self.connection.execute(text(f"INSERT INTO {FTS_TABLE} (rowid, name, place, story) "
                                     "VALUES (:id, :name, :place, :story)"),
                                [dict(zip(("name", "place", "story"), m.index_text()), id=m.story[0]) for m in batch])
        add_counts(self.connection, [dict(zip(ENTRY_COLUMNS, m.entry)) for m in batch])

    def finish(self) -> None:
        pass


class PostgresBulk(Rows):
    """COPY into the tables, with their secondary indexes and constraints dropped first and made again after
    the load, all in the session's one transaction (a failed load leaves the database as it was)."""

    def __init__(self, connection, vectors: Vectors) -> None:
        super().__init__(connection, vectors)
        self.cursor = connection.connection.driver_connection.cursor()
        tables = list(LOADED_TABLES)
        self.constraints = connection.execute(text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype IN ('f', 'u') AND conrelid::regclass::text = ANY(:t) ORDER BY contype DESC"),
            {"t": tables}).all()
        self.indexes = connection.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(:t) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))"), {"t": tables}).all()
        connection.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        connection.execute(text("SET LOCAL synchronous_commit = off"))
        for table, name, _ in self.constraints:
            connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for name, _ in self.indexes:
            connection.execute(text(f'DROP INDEX "{name}"'))

    def _copy(self, table: str, columns: tuple, rows) -> None:
        with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def write(self, batch: list[Memorial]) -> None:
        self._copy("story", STORY_COLUMNS, (m.story for m in batch))
        self._copy("photo", PHOTO_COLUMNS, (m.photo for m in batch if m.photo))
        self._copy("story_version", VERSION_COLUMNS, (m.version for m in batch))
        self._copy("moderation_event", EVENT_COLUMNS, (m.event for m in batch))
        exact = [m for m in batch if self.vectors.exact(m)]
        self._copy("search_entry", (*ENTRY_COLUMNS, "document"), (m.entry + (self.vectors.text(m),) for m in exact))
        slow = [m for m in batch if not self.vectors.exact(m)]
        add_documents(self.connection, [Document(*m.entry[:6], *m.index_text(), m.entry[6]) for m in slow])
        add_counts(self.connection, [dict(zip(ENTRY_COLUMNS, m.entry)) for m in exact])
        self._copy("search_card", CARD_COLUMNS, card_rows(batch))

    def finish(self) -> None:
        for name, definition in self.indexes:
            self.connection.execute(text(definition))
        for table, name, definition in reversed(self.constraints):   # unique ones first: foreign keys need them
            self.connection.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))


class SQLiteBulk(Rows):
    """executemany in one transaction with the rollback journal (not the WAL, which would write everything
    twice), foreign keys unchecked while loading, the loaded tables' indexes made after the load, and the
    full-text index built at the same time on the other core (FtsBuilder), then copied in whole."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.raw = sqlite3.connect(path, isolation_level=None)
        self.raw.execute("PRAGMA journal_mode = DELETE")
        for pragma in ("synchronous = OFF", "cache_size = -1000000", "temp_store = MEMORY", "foreign_keys = OFF"):
            self.raw.execute(f"PRAGMA {pragma}")
        self.builder = FtsBuilder(f"{path}.fts-build")
        self.builder.start()
        self.raw.execute("BEGIN IMMEDIATE")
        # The memorials already indexed go into the new index first (it replaces the old one at the end).
        existing = self.raw.execute(f"SELECT id, c0, c1, c2 FROM {FTS_TABLE}_content ORDER BY id")
        while rows := existing.fetchmany(BATCH):
            self.builder.add(rows)
        marks = ", ".join("?" * len(LOADED_TABLES))
        self.indexes = self.raw.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                        f"AND tbl_name IN ({marks})", LOADED_TABLES).fetchall()
        for name, _ in self.indexes:
            self.raw.execute(f'DROP INDEX "{name}"')

    def _insert(self, table: str, columns: tuple, rows) -> None:
        self.raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                             rows)

    def write(self, batch: list[Memorial]) -> None:
        self.builder.add([(m.story[0], *m.index_text()) for m in batch])
        self._insert("story", STORY_COLUMNS, [m.story for m in batch])
        self._insert("photo", PHOTO_COLUMNS, [m.photo for m in batch if m.photo])
        self._insert("story_version", VERSION_COLUMNS, [m.version for m in batch])
        self._insert("moderation_event", EVENT_COLUMNS, [m.event for m in batch])
        self._insert("search_entry", ENTRY_COLUMNS, [m.entry for m in batch])
        self._insert("search_card", CARD_COLUMNS, card_rows(batch))
        self._count(batch)

    def _count(self, batch: list[Memorial]) -> None:
        counts: dict[tuple, int] = {}
        days: dict[int, list[int]] = {}
        faces: dict[str, int] = {}
        for m in batch:
            for key in count_keys(m.entry[3], m.entry[4], m.entry[5]):
                counts[key] = counts.get(key, 0) + 1
            counted = days.setdefault(day_of(m.entry[2]), [0, 0])
            counted[0] += 1
            counted[1] += 1 if m.entry[6] else 0
            if m.entry[6]:   # a face on the wall, in its state and in every state
                for state in (m.entry[3], ALL_STATES):
                    faces[state] = faces.get(state, 0) + 1
        self.raw.executemany("INSERT INTO search_count (state_code, died_year, age_group, memorials) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (state_code, died_year, age_group) DO UPDATE SET "
                             "memorials = memorials + excluded.memorials", [(*k, n) for k, n in counts.items()])
        self.raw.executemany("INSERT INTO search_day (day, memorials, faces) VALUES (?, ?, ?) ON CONFLICT (day) "
                             "DO UPDATE SET memorials = memorials + excluded.memorials, faces = faces + excluded.faces",
                             [(day, n, f) for day, (n, f) in days.items()])
        self.raw.executemany("INSERT INTO search_face (state_code, memorials) VALUES (?, ?) ON CONFLICT (state_code) "
                             "DO UPDATE SET memorials = memorials + excluded.memorials", list(faces.items()))

    def finish(self) -> None:
        self.builder.add(None)
        for _, definition in self.indexes:     # while the builder merges its index
            self.raw.execute(definition)
        self.raw.execute("COMMIT")
        self.builder.join()
        if self.builder.error is not None:
            raise self.builder.error
        # The new index replaces the old one, shadow table by shadow table (ATTACH needs no open transaction).
        self.raw.execute("ATTACH DATABASE ? AS fts_build", (self.builder.path,))
        self.raw.execute("BEGIN IMMEDIATE")
        for suffix in FTS_SHADOW_SUFFIXES:
            self.raw.execute(f"DELETE FROM main.{FTS_TABLE}{suffix}")
            self.raw.execute(f"INSERT INTO main.{FTS_TABLE}{suffix} SELECT * FROM fts_build.{FTS_TABLE}{suffix}")
        self.raw.execute("COMMIT")
        self.raw.execute("DETACH DATABASE fts_build")
        self.raw.execute("PRAGMA journal_mode = WAL")
        self.raw.close()
        Path(self.builder.path).unlink()


class FtsBuilder(threading.Thread):
    """SQLite's full-text index for the loaded memorials, built in a file of its own by a thread of its own:
    sqlite3 lets go of Python's lock while SQLite works, so the words are indexed on one core while rows are
    made and written on the other. A large in-memory buffer and no merging until the end (then one 'optimize')
    cut the index's own work by about a third."""

    def __init__(self, path: str) -> None:
        super().__init__(daemon=True)
        self.path = path
        Path(path).unlink(missing_ok=True)
        self.rows: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None

    def add(self, rows: list | None) -> None:
        if self.error is not None:
            raise self.error
        self.rows.put(rows)

    def run(self) -> None:
        try:
            connection = sqlite3.connect(self.path, isolation_level=None)
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA cache_size = -500000")
            connection.execute(CREATE_FTS)
            setting = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES (?, ?)"
            connection.execute(setting, ("hashsize", 64 * 1024 * 1024))
            connection.execute(setting, ("automerge", 0))
            connection.execute("BEGIN")
            while (rows := self.rows.get()) is not None:
                connection.executemany(f"INSERT INTO {FTS_TABLE} (rowid, name, place, story) VALUES (?, ?, ?, ?)", rows)
            connection.execute("COMMIT")
            connection.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
            connection.execute(f"DELETE FROM {FTS_TABLE}_config WHERE k IN ('hashsize', 'automerge')")  # defaults again
            connection.close()
        except BaseException as error:  # noqa: BLE001 (handed to the main thread)
            self.error = error
            while self.rows.get() is not None:   # let the main thread finish putting
                pass


# The seeder ---------------------------------------------------------------------------------------------------

def seed(count: int, *, seed_value: int = 7, quiet: bool = True, bulk: bool | None = None) -> int:
    """Add published memorials until `count` are published; returns how many were added. A small seed commits per
    batch on the session; a large one (more than BULK, or bulk=True) is one bulk transaction."""
    existing = db.session.execute(
        select(func.count()).select_from(Story).where(Story.status == StoryStatus.PUBLISHED.value)).scalar()
    wanted = max(0, count - existing)
    if not wanted:
        return 0
    rng = random.Random(seed_value * 1_000_003 + existing)
    templates = [Template(t) for t in story_templates(min(400, max(20, wanted // 50)), rng)]
    store = photos.store()
    samples = sample_photos((store.folder.parent if isinstance(store, LocalStore)
                             else Path(tempfile.gettempdir())) / "bench-photo-samples", rng)
    taken = set(db.session.execute(select(Story.slug).where(Story.slug.is_not(None))).scalars())
    moderator_id = _bench_moderator()
    ids = tuple(_next_id(m) for m in (Story, StoryVersion, Photo, ModerationEvent))
    newest = db.session.execute(select(func.max(Story.published_at))).scalar()
    clock = max(newest or datetime(2016, 1, 1), datetime(2016, 1, 1))
    step = timedelta(seconds=max(1, int(10 * 365 * 86400 / max(wanted, 1))))
    maker = Maker(rng, templates, samples, taken, moderator_id, ids, clock, step)
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    vectors = Vectors(connection, templates, _vocabulary()) if postgres else None
    bulk = wanted > BULK if bulk is None else bulk
    # Forked before any thread or bulk connection exists; the child never touches the database.
    decisions = Decisions(maker, store.folder) if bulk and isinstance(store, LocalStore) else None
    if bulk and not postgres:
        db.session.commit()
        db.session.remove()
        db.engine.dispose()      # the bulk connection changes the journal: no other connection may be open
        writer = SQLiteBulk(db.engine.url.database)
    else:
        writer = PostgresBulk(connection, vectors) if bulk else Rows(connection, vectors)
    started = time.perf_counter()
    added = 0
    spent = {"making": 0.0, "writing": 0.0}
    sizes = [min(BATCH, wanted - done) for done in range(0, wanted, BATCH)]
    if decisions is not None:
        decisions.ask(sizes[0])
    for number, size in enumerate(sizes):
        began = time.perf_counter()
        if decisions is not None:
            decided = decisions.take()
            if number + 1 < len(sizes):
                decisions.ask(sizes[number + 1])   # the child draws the next batch while this one is written
            batch = [maker.assemble(d) for d in decided]
        else:
            batch = [maker.one() for _ in range(size)]
        made = time.perf_counter()
        writer.write(batch)
        spent["making"] += made - began
        spent["writing"] += time.perf_counter() - made
        if not bulk:
            generation.changed()   # written with SQL of its own: every kept page is made again
            db.session.commit()
            connection = writer.connection = db.session.connection()
        added += len(batch)
        if not quiet and added % 50_000 < BATCH:
            rate = added / (time.perf_counter() - started)
            print(f"  {existing + added:>9,} published ({rate:,.0f}/s)", flush=True)
    if decisions is not None:
        decisions.close()
    if not quiet:
        print(f"  rows made in {spent['making']:.0f} s and written in {spent['writing']:.0f} s; building indexes",
              flush=True)
    finishing = time.perf_counter()
    writer.finish()
    generation.changed()
    db.session.commit()
    _after_bulk_insert()
    if not quiet:
        print(f"  indexes, statistics and the search index's last merge: {time.perf_counter() - finishing:.0f} s")
    return added


def _bench_moderator() -> int:
    from memorials.moderation.models import Moderator
    from memorials.moderation.accounts import create_moderator

    found = db.session.execute(select(Moderator.id).where(Moderator.email == "bench@example.org")).scalar()
    if found is None:
        moderator, _ = create_moderator("bench@example.org", "bench password 123")
        db.session.commit()
        found = moderator.id
    return found


def _after_bulk_insert() -> None:
    """Rows were written with explicit ids: move PostgreSQL's sequences past them; refresh statistics (and mark
    the narrow tables all-visible, so their index-only scans stay index-only)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        for table in ("story", "story_version", "photo", "moderation_event"):
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
        db.session.commit()
        # Every loaded table vacuumed now, as a running site's tables are kept by autovacuum: left to autovacuum,
        # the versions (2.5 GB at 1,000,000) were vacuumed while the pages were being measured.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
            autocommit.execute(text("VACUUM (ANALYZE) story, story_version, photo, moderation_event, search_entry, "
                                    "search_count, search_day, search_card"))
    else:
        optimize(connection)
        # Statistics from a sample of each index (as PRAGMA optimize takes them): minutes saved at 1,000,000.
        connection.execute(text("PRAGMA analysis_limit = 1000"))
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
