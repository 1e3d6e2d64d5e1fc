"""What the memorial list filters, orders and counts by: one row per public memorial, and counts per group.

`search_entry` holds exactly the memorials a visitor may see, kept in step by memorials/search/index.py.
Its covering index lets a list page (with or without filters) be read from the index alone, newest first.
`search_count` keeps how many public memorials fall in each (state, year they died, age group), with
roll-up rows for all states and all ages, so that "how many match" (and which years to offer) is a sum
over at most a few dozen rows whatever the number of memorials.

The words themselves live in the database's own full-text engine:
  SQLite      the FTS5 table `search_text` (rowid = story id), made here and in migration 0007;
  PostgreSQL  `search_entry.document`, a tsvector with a GIN index (unused, always NULL, on SQLite), and a second
              GIN index of its words with the memorial's state, for a search with a state (STATE_WORDS_INDEX).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, String, Text, event, false
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

# The groups the form offers, as inclusive (low, high); None: no upper bound ("65 and over").
AGE_GROUPS: tuple[tuple[int, int | None], ...] = (
    (0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, None),
)
UNKNOWN_AGE_GROUP = -1   # no date of birth given
NO_STATE = ""            # no state given
# Roll-up rows in search_count: every memorial is also counted under "all states" and "all ages", so
# that any combination of filters sums a dozen or so rows, never the whole table.
ALL_STATES = "*"
ALL_AGES = 99

# PostgreSQL answers a search with a state from a second full-text index, of the same words each carrying its
# memorial's state ("oh_garcia"; a word never holds "_"): asked for "garcia" in Ohio, it reads Ohio's Garcias
# alone, where the document's own index would read every Garcia and every Ohioan and keep those in both (at
# 1,000,000 memorials, about 17,000 of each for a few hundred in both). The index is of an expression, so
# nothing more is stored in the row; migration 0024 makes the same.
STATE_WORDS_INDEX = "ix_search_entry_state_words"
STATE_WORDS_FUNCTION = """
CREATE OR REPLACE FUNCTION search_state_words(document tsvector, state_code text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN array_to_tsvector(ARRAY(SELECT lower(state_code) || '_' || lexeme FROM unnest(document)));
END $$"""
CREATE_STATE_WORDS_INDEX = (f"CREATE INDEX {STATE_WORDS_INDEX} ON search_entry "
                            "USING gin (search_state_words(document, state_code))")

# The FTS5 table and the five shadow tables SQLite keeps for it: not models, so the schema
# comparison leaves exactly these out (see schema_objects_to_compare).
FTS_TABLE = "search_text"
FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")
# unicode61 with remove_diacritics 2: "José" is found as "jose" (the words are folded in Python too).
# prefix: "dan" finds "daniel" without scanning every term.
CREATE_FTS = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
              "name, place, story, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')")
DROP_FTS = f"DROP TABLE IF EXISTS {FTS_TABLE}"


def count_keys(state_code: str, died_year: int, age: int | None) -> list[tuple[str, int, int]]:
    """The search_count rows one memorial adds to: its own group and the three roll-ups."""
    group = age_group(age)
    return [(s, died_year, g) for s in (state_code, ALL_STATES) for g in (group, ALL_AGES)]


def age_group(age: int | None) -> int:
    """The index in AGE_GROUPS of an age at death, or UNKNOWN_AGE_GROUP."""
    if age is None:
        return UNKNOWN_AGE_GROUP
    for index, (low, high) in enumerate(AGE_GROUPS):
        if age >= low and (high is None or age <= high):
            return index
    return UNKNOWN_AGE_GROUP  # a negative age cannot be entered; kept out of every group


class SearchEntry(db.Model):
    """One public memorial, as the list filters and orders it (no story text)."""

    __tablename__ = "search_entry"

    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)
    # The live version: a memorial card is rendered once per version (search/cards.py keys on it).
    version_id: Mapped[int] = mapped_column()
    published_at: Mapped[datetime] = mapped_column()
    state_code: Mapped[str] = mapped_column(String(2))
    died_year: Mapped[int] = mapped_column()
    age: Mapped[int | None] = mapped_column()
    # The live version has a photo: the wall of faces (/stories/wall) and the front page read only these.
    face: Mapped[bool] = mapped_column(default=False, server_default=false())
    # PostgreSQL's full-text document (name weighted A, place B, story D); SQLite uses search_text. Kept in the
    # row, compressed (DOCUMENT_IN_ROW), where a search ranks it without a trip to the TOAST table.
    document: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))

    __table_args__ = (
        # Newest first, with every filter column inside the index: a page is read from the index alone.
        Index("ix_search_entry_newest", published_at.desc(), story_id.desc(), version_id, state_code, died_year, age),
        Index("ix_search_entry_document", document, postgresql_using="gin", sqlite_where=document.is_not(None)),
        # The wall of faces, newest first, optionally one state: read from this small index alone.
        Index("ix_search_entry_faces", published_at.desc(), story_id.desc(), version_id, state_code,
              sqlite_where=face.is_(True), postgresql_where=face.is_(True)),
    )


class SearchCount(db.Model):
    """How many public memorials share a state, a year of death and an age group (ALL_STATES, ALL_AGES:
    the roll-ups)."""

    __tablename__ = "search_count"

    state_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    died_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    age_group: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    memorials: Mapped[int] = mapped_column(default=0)


class SearchCard(db.Model):
    """A public memorial's card (templates/_macros.html `story_card_body`) in one language, drawn when its version
    was approved, so that a first visit to a list page reads 24 cards instead of drawing them (search/cards.py).
    Its link and photo are stand-ins each page puts its own addresses in. `stamp` names the templates, catalogs
    and code that drew it: a card another stamp drew (after an upgrade) is drawn on the page, as before, until
    `flask --app app reindex-search` draws every card again. Goes with its memorial (withdrawn: deleted)."""

    __tablename__ = "search_card"

    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    version_id: Mapped[int]
    stamp: Mapped[str] = mapped_column(String(16))
    html: Mapped[str] = mapped_column(Text)


class SearchDay(db.Model):
    """How many public memorials were first published on each day (YYYYMMDD), and how many of them show a photo:
    a deep page of the whole list, or of the wall of faces, starts from the day it falls in, so the database
    skips at most one day's memorials (a few hundred at 1,000,000), never every newer one."""

    __tablename__ = "search_day"

    day: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    memorials: Mapped[int] = mapped_column(default=0)
    faces: Mapped[int] = mapped_column(default=0)


class SearchFace(db.Model):
    """How many public memorials with a photo each state has (ALL_STATES: every state): the wall's page count."""

    __tablename__ = "search_face"

    state_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    memorials: Mapped[int] = mapped_column(default=0)


def day_of(moment: datetime) -> int:
    """The day a memorial was first published, as search_day counts it (YYYYMMDD)."""
    return moment.year * 10000 + moment.month * 100 + moment.day


# PostgreSQL keeps each document in its row (STORAGE MAIN: compressed, moved out only when a row would not fit a
# page), with lz4 where the server has it (14 or later, built with lz4); migration 0023 does the same.
DOCUMENT_IN_ROW = """
DO $$ BEGIN
    ALTER TABLE search_entry ALTER COLUMN document SET STORAGE MAIN;
    IF EXISTS (SELECT FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) THEN
        EXECUTE 'ALTER TABLE search_entry ALTER COLUMN document SET COMPRESSION lz4';
    END IF;
END $$"""

# create_all (tests, a first run) makes the FTS5 table beside search_entry (migration 0007 does the same), and
# sets how PostgreSQL stores the document and makes its index of the state's words.
event.listen(SearchEntry.__table__, "after_create", DDL(CREATE_FTS).execute_if(dialect="sqlite"))
event.listen(SearchEntry.__table__, "before_create", DDL(STATE_WORDS_FUNCTION).execute_if(dialect="postgresql"))
event.listen(SearchEntry.__table__, "after_create", DDL(DOCUMENT_IN_ROW).execute_if(dialect="postgresql"))
event.listen(SearchEntry.__table__, "after_create", DDL(CREATE_STATE_WORDS_INDEX).execute_if(dialect="postgresql"))
event.listen(SearchEntry.__table__, "before_drop", DDL(DROP_FTS).execute_if(dialect="sqlite"))


def schema_objects_to_compare(name, type_, parent_names) -> bool:
    """For Alembic's include_name: everything but SQLite's FTS5 table and its shadow tables, and PostgreSQL's
    index of an expression (STATE_WORDS_INDEX), which the models do not declare."""
    if type_ == "index" and name == STATE_WORDS_INDEX:
        return False
    if type_ == "table" and name is not None:
        return name != FTS_TABLE and not any(name == FTS_TABLE + suffix for suffix in FTS_SHADOW_SUFFIXES)
    return True
