"""Finding memorials: filters, full-text words, one page of results and how many match.

A page costs one to three statements whatever the number of memorials:
  1. how many match, and the years to offer, summed from search_count (a few dozen rows);
     with words (or an age range that is not one of the groups) the matching ids are read instead,
     up to COUNT_LIMIT + 1 of them, best first, and counted in Python;
  2. the page's memorials with what their cards show and their candles, messages and memories
     (stories/queries.py `card_query`): their ids from search_entry's covering index, newest first, joined to
     their stories in the same statement; with words, the page's share of the ids from 1. A later page of the
     whole list first reads the counts per day (search_day), so that it skips at most one day of
     memorials. The cards' HTML is drawn once per approved version and kept (search/cards.py).
The counts of 1 and the days of 2 are the same for every page with the same filters: each worker keeps
them under the page counter (pagecache.while_unchanged), so a first visit to a random page of a list already
visited sends one statement. The statements themselves are built once per worker for each shape a page can take
(which filters, a deep start or not), their values bound as they run: at 1,000,000 memorials, building the
list's statement cost SQLAlchemy more than reading its page.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from math import ceil

from sqlalchemy import Integer, Text, any_, bindparam, cast, column, func, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY

from .. import pagecache
from ..community import queries as community_queries
from ..extensions import db
from ..memories import queries as memory_queries
from ..stories import queries as story_queries
from ..stories.models import Story
from . import cards
from .index import words
from .models import AGE_GROUPS, ALL_AGES, ALL_STATES, FTS_TABLE, SearchCount, SearchDay, SearchEntry, SearchFace

# Past this many matches we say "more than 1,000" and offer the best 1,000: more words narrow them.
COUNT_LIMIT = 1000
MAX_WORDS = 8
# A short word may be the start of a name ("dan" finds Daniel, "bik" finds bikes); a longer one is taken as
# typed, so that a common word is read from its own list rather than every word that begins with it.
PREFIX_UP_TO = 4
# The name counts ten times a word of the story, the place four times (SQLite's bm25 column weights;
# PostgreSQL weighs A, B and D the same way through ts_rank's defaults).
FTS_WEIGHTS = "10.0, 4.0, 1.0"
_fts = table(FTS_TABLE, column("rowid"))


@dataclass(frozen=True)
class Filters:
    """What a visitor asked for; every part optional and already checked by the form."""

    q: str = ""
    state: str | None = None
    year: int | None = None
    age: tuple[int, int | None] | None = None   # inclusive; None as the upper bound: "and over"

    @property
    def terms(self) -> list[str]:
        return words(self.q)[:MAX_WORDS]

    @property
    def active(self) -> bool:
        return bool(self.terms or self.state or self.year or self.age)

    def age_groups(self) -> list[int] | None:
        """The AGE_GROUPS the age range covers exactly, or None when it cuts through a group."""
        if self.age is None:
            return list(range(len(AGE_GROUPS)))
        low, high = self.age
        starts = [g[0] for g in AGE_GROUPS]
        ends = [g[1] for g in AGE_GROUPS]
        if low not in starts or high not in ends:
            return None
        return list(range(starts.index(low), ends.index(high) + 1))


@dataclass
class Results:
    """One page of memorials and how many match; shaped like a Flask-SQLAlchemy page for the macro."""

    cards: list                 # stories/queries.CardStory: what each card shows, and its counts, in order
    page: int
    per_page: int
    total: int
    more: bool = False          # total is COUNT_LIMIT and more match
    years: list[int] = field(default_factory=list)
    items: list = field(default_factory=list)       # the cards, as HTML (see search/cards.py)

    @property
    def entries(self) -> list[tuple[int, int]]:
        """(story id, live version id) of each memorial shown, in order."""
        return [(card.id, card.live_version_id) for card in self.cards]

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def past_end(self) -> bool:
        return self.page > self.pages and self.total > 0

    @property
    def has_prev(self) -> bool:
        return 1 < self.page <= self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int:
        return self.page + 1


def _read(query, values: dict | None = None):
    """Rows of a Core query (with these bound values) on the request's connection (no ORM objects to make:
    cheaper per page)."""
    return db.session.connection().execute(query, values)


def _counts_by_year(filters: Filters, groups: list[int] | None) -> dict[int, int]:
    """Public memorials per year they died, for the other filters (state, age groups): the same for every page
    and every search with those filters, so each worker reads them once while nothing public changes."""
    ages = tuple(groups if groups is not None and filters.age is not None else [ALL_AGES])
    state = filters.state or ALL_STATES

    def read() -> dict[int, int]:
        query = (select(SearchCount.died_year, func.sum(SearchCount.memorials))
                 .where(SearchCount.state_code == state, SearchCount.age_group.in_(ages))
                 .group_by(SearchCount.died_year)
                 .having(func.sum(SearchCount.memorials) > 0))
        return {year: int(n) for year, n in _read(query)}

    return pagecache.while_unchanged(("years", state, ages), read)


def _deep_start(offset: int, counted=SearchDay.memorials) -> tuple[datetime | None, int]:
    """Where a deep page of the whole list (or of the wall: counted=SearchDay.faces) starts: (published before
    this moment, offset from there).

    Finds the day the offset falls in from the per-day counts (a row a day, newest first, each with the total
    through it), so the database skips at most one day's memorials, not every newer one.
    """
    def read() -> tuple[list[int], list[int]]:
        days, through, total = [], [], 0
        for day, memorials in _read(select(SearchDay.day, counted).where(counted > 0).order_by(SearchDay.day.desc())):
            total += memorials
            days.append(day)
            through.append(total)
        return days, through

    days, through = pagecache.while_unchanged(("days", counted.key), read)
    index = bisect_right(through, offset)       # the newest day the offset has not passed yet
    if index == len(days):
        return None, offset
    year, rest = divmod(days[index], 10000)
    return datetime(year, rest // 100, rest % 100) + timedelta(days=1), offset - (through[index - 1] if index else 0)


# A list page's conditions, each with its value bound when the statement runs (see _page_statement).
_BOUND = {
    "state": SearchEntry.state_code == bindparam("state"),
    "year": SearchEntry.died_year == bindparam("year"),
    "low": SearchEntry.age >= bindparam("low"),
    "high": SearchEntry.age <= bindparam("high"),
    "before": SearchEntry.published_at < bindparam("before"),
}


def _bound(filters: Filters) -> dict:
    """The filters' values, by the name of the condition in _BOUND that each binds (always in that order)."""
    values = {}
    if filters.state:
        values["state"] = filters.state
    if filters.year:
        values["year"] = filters.year
    if filters.age:
        low, high = filters.age
        values["low"] = low
        if high is not None:
            values["high"] = high
    return values


@cache
def _page_statement(dialect: str, bound: tuple[str, ...], faces: bool, reach: int):
    """The one statement that reads a page of cards, for these conditions (names in _BOUND): the page's ids
    from search_entry's covering index (ix_search_entry_faces for the wall), newest first, joined to what
    their cards show (stories/queries.py `card_query`) and, on a list, their counts.

    Built once per worker for each of the few dozen shapes a page can take, its values bound when it runs:
    building a statement this size costs SQLAlchemy about 1 ms, eight times what running it costs in Python.

    On PostgreSQL the page is not an OFFSET but the rows numbered past it, and its size is written into the
    statement: PostgreSQL then plans it once for every page (a prepared statement's generic plan) instead of
    planning each page afresh, which cost more than running it at 1,000,000 memorials. (A bound LIMIT or OFFSET
    it guesses at a tenth of the table, and plans each page for its own values.) The rows are numbered as the
    index gives them, and only as far as the page: the same rows an OFFSET skips.

    The rows numbered are also capped (`reach`, a power of two at least as far as the page goes, written into the
    statement too, so a worker prepares a statement for each of a few dozen reaches): numbering every row that
    matches, PostgreSQL would weigh sorting them all against walking the index, and where it cannot tell that
    the index alone answers (the table not yet vacuumed since a large load or migration) it sorted all 1,000,000
    for every page, 0.7 s each. Told how few rows it needs, it walks the index whatever it knows."""
    conditions = [_BOUND[name] for name in bound]
    if faces:
        conditions.append(SearchEntry.face.is_(True))
    newest = (SearchEntry.published_at.desc(), SearchEntry.story_id.desc())
    columns = (SearchEntry.story_id, SearchEntry.version_id, SearchEntry.published_at)
    if dialect == "postgresql":
        reached = (select(*columns).where(*conditions).order_by(*newest)
                   .limit(bindparam("reach", reach, type_=Integer(), literal_execute=True)).subquery())
        numbered = select(reached, func.row_number().over(order_by=(reached.c.published_at.desc(),
                                                                     reached.c.story_id.desc())).label("n")).subquery()
        page = (select(numbered.c.story_id, numbered.c.version_id, numbered.c.published_at)
                .where(numbered.c.n > bindparam("offset", type_=Integer()))
                .order_by(numbered.c.published_at.desc(), numbered.c.story_id.desc())
                .limit(bindparam("limit", type_=Integer(), literal_execute=True)).subquery())
    else:
        page = (select(*columns).where(*conditions).order_by(*newest)
                .limit(bindparam("limit", type_=Integer())).offset(bindparam("offset", type_=Integer()))
                .subquery())
    counted = () if faces else _counted()
    return (story_queries.card_query(*counted, page=page)
            .order_by(page.c.published_at.desc(), page.c.story_id.desc()))


def _page_cards(values: dict, per_page: int, offset: int, faces: bool = False) -> list:
    """One page of cards for these bound values (_bound), newest first. A later page of every memorial (or of
    every state's faces) starts from the day it falls in (_deep_start)."""
    if offset and not values:
        before, offset = _deep_start(offset, SearchDay.faces if faces else SearchDay.memorials)
        if before is not None:
            values = {"before": before}
    stored = {} if faces else cards.stored_card_values()
    reach = 1 << (offset + per_page - 1).bit_length()    # the next power of two from the page's last row
    statement = _page_statement(db.session.get_bind().dialect.name, tuple(values), faces, reach)
    return story_queries.read_cards(statement, {**values, **stored, "limit": per_page, "offset": offset})


def _counted() -> tuple:
    """Each card's candles, messages and memories (they change with every visitor, so they are drawn beside the
    kept card, but read with it), and the card stored for the page's language (search/cards.py)."""
    return (community_queries.candle_total_subquery(), community_queries.message_total_subquery(),
            memory_queries.memory_total_subquery(), cards.stored_card_subquery())


@cache
def _cards_statement(dialect: str):
    """The cards of a search's page, by their ids (bound when it runs), with their counts: built once. On
    PostgreSQL the ids are one array, so the statement's text is the same however many there are (prepared and
    planned once, its text never written again for each page); SQLite is given a list of values."""
    if dialect == "postgresql":
        chosen = Story.id == any_(bindparam("ids", type_=ARRAY(Integer())))
    else:
        chosen = Story.id.in_(bindparam("ids", expanding=True))
    return story_queries.card_query(*_counted()).where(chosen)


def _cards(ids: list[int]) -> list:
    """These published memorials' cards, in this order (one that left meanwhile is left out)."""
    if not ids:
        return []
    statement = _cards_statement(db.session.get_bind().dialect.name)
    found = {card.id: card for card in story_queries.read_cards(statement, {"ids": ids, **cards.stored_card_values()})}
    return [found[i] for i in ids if i in found]


def _matching(filters: Filters, limit: int) -> list[int]:
    """Story ids of memorials with every word (a short one may begin a longer word), best match first.

    The engine picks the `limit` newest memorials that match (it walks its index by story id and stops),
    and only those are scored: a word found in most stories costs the same as a rare name. When more
    than `limit` match, the ranking is among the newest `limit` of them (the page says "more than").
    Without filters, SQLite answers from its full-text index alone, joining nothing.
    """
    terms = filters.terms
    values = _bound(filters)
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        values["words"] = " & ".join(f"'{t}'" + (":*" if 1 < len(t) <= PREFIX_UP_TO else "") for t in terms)
        if filters.state:   # each of the query's words as the state's index holds it: 'garcia' -> 'oh_garcia'
            values["in_state"] = f"'{filters.state.lower()}_\\1'"
    else:
        values["match"] = " ".join(f'"{t}"' + ("*" if 1 < len(t) <= PREFIX_UP_TO else "") for t in terms)
    return _read(_matching_statement(dialect, tuple(values)), {**values, "limit": limit}).scalars().all()


@cache
def _matching_statement(dialect: str, bound: tuple[str, ...]):
    """_matching's statement for this database and these bound values (built once per shape, as _page_statement)."""
    conditions = [_BOUND[name] for name in bound if name in _BOUND]
    if dialect == "postgresql":
        # The words, the query made of them and how many to rank are written into the statement as it runs, not
        # bound, so that PostgreSQL plans each search for its own words. Bound, after five searches with the same
        # filters it may plan once for any words (a generic plan, which saves planning each search): right for a
        # rare name, such a plan read all 725,000 memorials holding "loved" at 1,000,000 and sorted them, for 20 s,
        # where walking the newest first stops after 1,001 (24 ms). Each search's text is its own, so psycopg
        # prepares none of them, and PostgreSQL plans each one (0.2 ms), as it did when it chose to.
        def written(value: str | None = None, name: str | None = None):
            return bindparam(name, value, type_=Text(), literal_execute=True)

        limit = bindparam("limit", type_=Integer(), literal_execute=True)
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), written(name="words"))
        if "in_state" in bound:
            # With a state, the index of the words with their state (models.STATE_WORDS_INDEX) is asked for the
            # same words with the state put in each (the query's text, its lexemes quoted: 'garcia' & 'lee':*).
            in_state = cast(func.regexp_replace(cast(tsquery, Text), written("'([^']+)'"), written(name="in_state"),
                                                written("g")), TSQUERY)
            match = func.search_state_words(SearchEntry.document, SearchEntry.state_code).op("@@")(in_state)
        else:
            match = SearchEntry.document.op("@@")(tsquery)
        newest = (select(SearchEntry.story_id.label("id"), SearchEntry.document)
                  .where(match, *conditions)
                  .order_by(SearchEntry.story_id.desc()).limit(limit).subquery())
        score = func.ts_rank(newest.c.document, tsquery).desc()
    else:
        limit = bindparam("limit", type_=Integer())
        match = text(f"{FTS_TABLE} MATCH :match")
        newest = select(_fts.c.rowid.label("id"), literal_column(f"bm25({FTS_TABLE}, {FTS_WEIGHTS})").label("score"))
        if conditions:
            newest = newest.join(SearchEntry, SearchEntry.story_id == _fts.c.rowid).where(*conditions)
        newest = newest.where(match).order_by(_fts.c.rowid.desc()).limit(limit).subquery()
        score = newest.c.score   # bm25: lower is better
    return select(newest.c.id).order_by(score, newest.c.id.desc())


def find(filters: Filters, page: int, per_page: int) -> Results:
    """One page of the memorials that match, newest first (best match first with words), with what their cards
    show and their counts; the cards' HTML is search/cards.py's."""
    groups = filters.age_groups()
    by_year = _counts_by_year(filters, groups)
    years = sorted(set(by_year) | ({filters.year} if filters.year else set()), reverse=True)
    offset = (page - 1) * per_page
    if filters.terms or groups is None:
        if filters.terms:
            found = _matching(filters, COUNT_LIMIT + 1)
        else:   # an age range that cuts through the groups: no counts kept for it, so a bounded count
            values = _bound(filters)
            found = _read(select(SearchEntry.story_id).where(*(_BOUND[name] for name in values))
                          .order_by(SearchEntry.published_at.desc(), SearchEntry.story_id.desc())
                          .limit(COUNT_LIMIT + 1), values).scalars().all()
        more, found = len(found) > COUNT_LIMIT, found[:COUNT_LIMIT]
        shown = _cards(found[offset:offset + per_page])
        return Results(cards=shown, page=page, per_page=per_page, total=len(found), more=more, years=years)
    total = by_year.get(filters.year, 0) if filters.year else sum(by_year.values())
    results = Results(cards=[], page=page, per_page=per_page, total=total, years=years)
    if total and not results.past_end:
        results.cards = _page_cards(_bound(filters), per_page, offset)
    return results


def faces(state: str | None, page: int, per_page: int, counted: bool = True) -> Results:
    """One page of the public memorials that show a photo, newest first (the wall of faces): the count from
    search_face (one row; counted=False for the front page, which needs no count), the page's ids from
    ix_search_entry_faces alone; a deep page of every state's faces starts from its day (search_day)."""
    def count() -> int:
        return _read(select(SearchFace.memorials).where(SearchFace.state_code == (state or ALL_STATES))).scalar() or 0

    total = pagecache.while_unchanged(("faces", state), count) if counted else per_page
    results = Results(cards=[], page=page, per_page=per_page, total=int(total))
    if total and not results.past_end:
        results.cards = _page_cards({"state": state} if state else {}, per_page, (page - 1) * per_page, faces=True)
    return results
