"""Keeping the search index in step with what the public sees.

A memorial enters the index when a version goes live (first approval, approved edit, republishing) and
leaves it when it is unpublished or withdrawn: the receivers below listen to memorials/events.py and
write in the same transaction as the decision. Only what the public page shows is indexed: the name as
the family chose to show it (a surname they hid is never written here), the nickname, the hometown and
state name, and the words of the approved story.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, delete, func, insert, inspect, literal_column, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ..events import story_hidden, story_published
from ..extensions import db
from ..states import state_name
from ..stories import queries as story_queries
from ..stories.models import Story, StoryStatus, StoryVersion
from . import cards
from .models import (ALL_STATES, FTS_TABLE, NO_STATE, SearchCard, SearchCount, SearchDay, SearchEntry, SearchFace,
                     count_keys, day_of)

_WORD = re.compile(r"[^\W_]+")
# Combining marks left by NFKD ("é" -> "e" + U+0301): removed, so accents never matter.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_TAG = re.compile(r"<[^>]*>")
MAX_WORDS = 5000  # a 20,000-character story has about 4,000; enough, and a bound on index rows


def words(value: str | None) -> list[str]:
    """Lower-case words without accents: 'José-María' -> ['jose', 'maria']. Used for documents and queries."""
    if not value:
        return []
    folded = value.casefold()
    if not folded.isascii():
        folded = _MARKS.sub("", unicodedata.normalize("NFKD", folded))
    return _WORD.findall(folded)


def plain_text(story_html: str | None) -> str:
    """The words a reader sees in the stored story HTML (tags and link addresses left out)."""
    return html.unescape(_TAG.sub(" ", story_html or ""))


def age_at(born: date | None, died: date) -> int | None:
    """Age at death, as StoryVersion.age counts it."""
    if not born:
        return None
    return died.year - born.year - ((died.month, died.day) < (born.month, born.day))


@dataclass
class Document:
    """One memorial as the index keeps it."""

    story_id: int
    version_id: int
    published_at: datetime
    state_code: str
    died_year: int
    age: int | None
    name: str     # words of the name as shown and the nickname
    place: str    # words of the hometown and the state's name
    story: str    # words of the story as published
    face: bool = False   # the live version has a photo (the wall of faces)

    @classmethod
    def of(cls, story_id: int, published_at: datetime, version) -> Document:
        """From a live version (a StoryVersion, or any object with its fields and display_name)."""
        return cls(
            story_id=story_id,
            version_id=version.id,
            published_at=published_at,
            state_code=version.state_code or NO_STATE,
            died_year=version.died.year,
            age=age_at(version.born, version.died),
            name=" ".join(words(version.display_name) + words(version.nickname)),
            place=" ".join(words(version.city) + words(state_name(version.state_code))),
            story=" ".join(words(plain_text(version.story_html))[:MAX_WORDS]),
            face=version.photo_id is not None,
        )

    def entry_row(self) -> dict:
        return asdict(self)


def _pg_document():
    """The tsvector of a document: the name counts most, then the place, then the story."""
    def weighted(param: str, weight: str):
        return func.setweight(func.to_tsvector(literal_column("'simple'::regconfig"), bindparam(param)),
                            literal_column(f"'{weight}'"))
    return weighted("name", "A").op("||")(weighted("place", "B")).op("||")(weighted("story", "D"))


def add_documents(connection: Connection, documents: Iterable[Document], *, faces: bool = True) -> None:
    """Add memorials that are not in the index yet (many at once: the seeder and rebuild use this too).

    faces=False only for rebuild() inside migration 0007, which runs before the wall's column and the counts per
    day exist (migration 0021 counts the days)."""
    rows = [d.entry_row() for d in documents]
    if not rows:
        return
    postgres = connection.dialect.name == "postgresql"
    values = {c: bindparam(c) for c in ("story_id", "version_id", "published_at", "state_code", "died_year", "age")}
    if faces:
        values["face"] = bindparam("face")
    if postgres:
        values["document"] = _pg_document()
    connection.execute(insert(SearchEntry).values(values), rows)
    if not postgres:
        connection.execute(text(f"INSERT INTO {FTS_TABLE} (rowid, name, place, story) "
                                "VALUES (:story_id, :name, :place, :story)"), rows)
    add_counts(connection, rows, faces=faces)


def add_counts(connection: Connection, rows: list[dict], *, faces: bool = True) -> None:
    """Count these new index rows (state_code, died_year, age, published_at, face) in search_count, search_day
    and, for memorials with a photo, search_face."""
    postgres = connection.dialect.name == "postgresql"
    counts: dict[tuple, int] = {}
    for row in rows:
        for key in count_keys(row["state_code"], row["died_year"], row["age"]):
            counts[key] = counts.get(key, 0) + 1
    dialect_insert = postgresql.insert if postgres else sqlite.insert
    statement = dialect_insert(SearchCount).values(
        state_code=bindparam("s"), died_year=bindparam("y"), age_group=bindparam("a"), memorials=bindparam("n"))
    # Two moderators approving at once both add to the same group: the database adds, never overwrites.
    statement = statement.on_conflict_do_update(
        index_elements=["state_code", "died_year", "age_group"],
        set_={"memorials": SearchCount.memorials + statement.excluded.memorials})
    connection.execute(statement, [{"s": s, "y": y, "a": a, "n": n} for (s, y, a), n in counts.items()])
    if not faces:
        return   # inside migration 0007: no wall and no counts per day yet
    days: dict[int, list[int]] = {}
    for row in rows:
        counted = days.setdefault(day_of(row["published_at"]), [0, 0])
        counted[0] += 1
        counted[1] += 1 if row["face"] else 0
    statement = dialect_insert(SearchDay).values(day=bindparam("d"), memorials=bindparam("n"), faces=bindparam("f"))
    statement = statement.on_conflict_do_update(
        index_elements=["day"], set_={"memorials": SearchDay.memorials + statement.excluded.memorials,
                                      "faces": SearchDay.faces + statement.excluded.faces})
    connection.execute(statement, [{"d": d, "n": n, "f": f} for d, (n, f) in days.items()])
    per_state: dict[str, int] = {}
    for row in rows:
        if row["face"]:
            for state in (row["state_code"], ALL_STATES):
                per_state[state] = per_state.get(state, 0) + 1
    if per_state:
        statement = dialect_insert(SearchFace).values(state_code=bindparam("s"), memorials=bindparam("n"))
        statement = statement.on_conflict_do_update(
            index_elements=["state_code"], set_={"memorials": SearchFace.memorials + statement.excluded.memorials})
        connection.execute(statement, [{"s": s, "n": n} for s, n in per_state.items()])


def remove_story(connection: Connection, story_id: int) -> None:
    """Take a memorial out of the index (nothing happens if it is not there)."""
    entry = connection.execute(
        select(SearchEntry.state_code, SearchEntry.died_year, SearchEntry.age, SearchEntry.published_at,
               SearchEntry.face)
        .where(SearchEntry.story_id == story_id)
    ).first()
    if entry is None:
        return
    connection.execute(delete(SearchEntry).where(SearchEntry.story_id == story_id))
    connection.execute(delete(SearchCard).where(SearchCard.story_id == story_id))
    if connection.dialect.name != "postgresql":
        connection.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": story_id})
    connection.execute(
        update(SearchCount)
        .where(SearchCount.state_code == bindparam("s"), SearchCount.died_year == bindparam("y"),
               SearchCount.age_group == bindparam("a"))
        .values(memorials=SearchCount.memorials - 1),
        [{"s": s, "y": y, "a": a} for s, y, a in count_keys(entry.state_code, entry.died_year, entry.age)])
    connection.execute(update(SearchDay).where(SearchDay.day == day_of(entry.published_at))
                       .values(memorials=SearchDay.memorials - 1, faces=SearchDay.faces - (1 if entry.face else 0)))
    if entry.face:
        connection.execute(update(SearchFace).where(SearchFace.state_code.in_([entry.state_code, ALL_STATES]))
                           .values(memorials=SearchFace.memorials - 1))


def index_story(story) -> None:
    """Put a public story's live version in the index, replacing what was there. The caller commits."""
    connection = db.session.connection()
    remove_story(connection, story.id)
    add_documents(connection, [Document.of(story.id, story.published_at, story.live_version)])
    cards.store(connection, [story])


def unindex_story(story) -> None:
    """A story that is no longer public leaves the index. The caller commits."""
    remove_story(db.session.connection(), story.id)


@story_published.connect
def _on_published(story, **_):
    index_story(story)


@story_hidden.connect
def _on_hidden(story, **_):
    unindex_story(story)


def rebuild(connection: Connection) -> int:
    """Empty the index and fill it again from every public memorial; returns how many.

    For an existing database (migration 0007) and for `flask --app app reindex-search`. Reads named columns
    only, so that it also runs inside the migration that creates the index.
    """
    connection.execute(delete(SearchEntry))
    connection.execute(delete(SearchCount))
    faces = "face" in {column["name"] for column in inspect(connection).get_columns("search_entry")}
    if faces:   # not inside migration 0007
        connection.execute(delete(SearchDay))
        connection.execute(delete(SearchFace))
    if connection.dialect.name != "postgresql":
        connection.execute(text(f"DELETE FROM {FTS_TABLE}"))
    s, v = Story.__table__.c, StoryVersion.__table__.c
    query = (
        select(s.id, s.published_at, v.id.label("version_id"), v.name, v.name_display, v.nickname, v.born,
               v.died, v.city, v.state_code, v.story_html, v.photo_id)
        .join(StoryVersion.__table__, v.id == s.live_version_id)
        .where(s.status == StoryStatus.PUBLISHED.value)
        .order_by(s.id)
    )
    total = 0
    batch: list[Document] = []
    for row in connection.execute(query):
        version = StoryVersion(id=row.version_id, name=row.name, name_display=row.name_display,
                               nickname=row.nickname, born=row.born, died=row.died, city=row.city,
                               state_code=row.state_code, story_html=row.story_html,
                               photo_id=row.photo_id)
        batch.append(Document.of(row.id, row.published_at, version))
        if len(batch) == 1000:
            add_documents(connection, batch, faces=faces)
            total, batch = total + len(batch), []
    add_documents(connection, batch, faces=faces)
    optimize(connection)
    if faces and inspect(connection).has_table(SearchCard.__tablename__):   # not inside a migration before 0022
        store_every_card(connection)
    return total + len(batch)


def store_every_card(connection: Connection, batch: int = 1000) -> None:
    """Draw and store every public memorial's cards again (after an upgrade changed how they are drawn)."""
    connection.execute(delete(SearchCard))
    after = 0
    while found := story_queries.read_cards(
            story_queries.card_query().where(Story.id > after).order_by(Story.id).limit(batch)):
        cards.store(connection, found)
        after = found[-1].id


def optimize(connection: Connection) -> None:
    """After many rows at once: merge SQLite's FTS5 segments into one (PostgreSQL's GIN needs nothing)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
