"""Finding memorials: filters, full-text words, one page of results and how many match.

A page costs one to three statements whatever the number of memorials:
  1. how many match, and the years to offer, summed from search_count (a few dozen rows);
     with words (or an age range that is not one of the groups) the matching ids are read instead,
     up to COUNT_LIMIT + 1 of them, best first, and counted in Python;
  2. the page's memorials with what their cards show and their candles, messages and memories
     (stories/queries.py `card_query`): their ids from search_entry's covering index, newest first, joined to
     their stories in the same statement; with words, the page's share of the ids from 1. A later page of the
     whole list first reads the counts per month (search_month), so that it skips at most one month of
     memorials. The cards' HTML is drawn once per approved version and kept (search/cards.py).
The counts of 1 and the months of 2 are the same for every page with the same filters: each worker keeps
them under the page counter (pagecache.while_unchanged), so a first visit to a random page of a list already
visited sends one statement.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil

from sqlalchemy import cast, column, func, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import TSQUERY

from .. import pagecache
from ..community import queries as community_queries
from ..extensions import db
from ..memories import queries as memory_queries
from ..stories import queries as story_queries
from .index import words
from .models import (AGE_GROUPS, ALL_AGES, ALL_STATES, FTS_TABLE, SearchCount, SearchEntry, SearchFace, SearchMonth,
                     state_words)

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


def _read(query):
    """Rows of a Core query on the request's connection (no ORM objects to make: cheaper per page)."""
    return db.session.connection().execute(query)


def _entry_conditions(filters: Filters) -> list:
    conditions = []
    if filters.state:
        conditions.append(SearchEntry.state_code == filters.state)
    if filters.year:
        conditions.append(SearchEntry.died_year == filters.year)
    if filters.age:
        low, high = filters.age
        conditions.append(SearchEntry.age >= low)
        if high is not None:
            conditions.append(SearchEntry.age <= high)
    return conditions


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


def _deep_start(offset: int, counted=SearchMonth.memorials) -> tuple[datetime | None, int]:
    """Where a deep page of the whole list (or of the wall: counted=SearchMonth.faces) starts: (published
    before this moment, offset from there).

    Walks the per-month counts (a dozen rows a year) from the newest month, so the database skips at
    most one month's memorials, not every newer one.
    """
    def read() -> list[tuple[int, int]]:
        return [tuple(row) for row in
                _read(select(SearchMonth.month, counted).where(counted > 0).order_by(SearchMonth.month.desc()))]

    passed = 0
    for month, memorials in pagecache.while_unchanged(("months", counted.key), read):
        if passed + memorials > offset:
            year, number = divmod(month, 100)
            end = datetime(year + number // 12, number % 12 + 1, 1)
            return end, offset - passed
        passed += memorials
    return None, offset


def _newest(filters: Filters, limit: int, offset: int):
    """The page's memorials, newest first, from search_entry's covering index: a subquery of story_id,
    version_id and published_at (its order, for the query that reads the cards)."""
    conditions = _entry_conditions(filters)
    if offset and not conditions:
        before, offset = _deep_start(offset)
        if before is not None:
            conditions = [SearchEntry.published_at < before]
    return (select(SearchEntry.story_id, SearchEntry.version_id, SearchEntry.published_at).where(*conditions)
            .order_by(SearchEntry.published_at.desc(), SearchEntry.story_id.desc()).limit(limit).offset(offset)
            .subquery())


def _counted() -> tuple:
    """Each card's candles, messages and memories: they change with every visitor, so they are drawn beside the
    kept card (search/cards.py), but read with it."""
    return (community_queries.candle_total_subquery(), community_queries.message_total_subquery(),
            memory_queries.memory_total_subquery())


def _page_cards(page, *counted) -> list:
    """The cards of a page subquery (_newest, or the wall's), in its order: one statement."""
    query = story_queries.card_query(*counted, page=page).order_by(page.c.published_at.desc(), page.c.story_id.desc())
    return story_queries.read_cards(query)


def _matching(filters: Filters, limit: int) -> list[int]:
    """Story ids of memorials with every word (a short one may begin a longer word), best match first.

    The engine picks the `limit` newest memorials that match (it walks its index by story id and stops),
    and only those are scored: a word found in most stories costs the same as a rare name. When more
    than `limit` match, the ranking is among the newest `limit` of them (the page says "more than").
    Without filters, SQLite answers from its full-text index alone, joining nothing.
    """
    terms = filters.terms
    conditions = _entry_conditions(filters)
    if db.session.get_bind().dialect.name == "postgresql":
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"),
                                  " & ".join(f"'{t}'" + (":*" if 1 < len(t) <= PREFIX_UP_TO else "") for t in terms))
        # With a state, the index is asked for the words and the state's lexeme together (models.state_words);
        # the ranking reads the words alone.
        wanted = (tsquery.op("&&")(cast(state_words(filters.state), TSQUERY)) if filters.state else tsquery)
        newest = (select(SearchEntry.story_id.label("id"), SearchEntry.document)
                  .where(SearchEntry.document.op("@@")(wanted), *conditions)
                  .order_by(SearchEntry.story_id.desc()).limit(limit).subquery())
        score = func.ts_rank(newest.c.document, tsquery).desc()
    else:
        match = text(f"{FTS_TABLE} MATCH :match").bindparams(
            match=" ".join(f'"{t}"' + ("*" if 1 < len(t) <= PREFIX_UP_TO else "") for t in terms))
        newest = select(_fts.c.rowid.label("id"), literal_column(f"bm25({FTS_TABLE}, {FTS_WEIGHTS})").label("score"))
        if conditions:
            newest = newest.join(SearchEntry, SearchEntry.story_id == _fts.c.rowid).where(*conditions)
        newest = newest.where(match).order_by(_fts.c.rowid.desc()).limit(limit).subquery()
        score = newest.c.score   # bm25: lower is better
    return list(_read(select(newest.c.id).order_by(score, newest.c.id.desc())).scalars())


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
            newest = _newest(filters, COUNT_LIMIT + 1, 0)
            found = list(_read(select(newest.c.story_id)
                               .order_by(newest.c.published_at.desc(), newest.c.story_id.desc())).scalars())
        more, found = len(found) > COUNT_LIMIT, found[:COUNT_LIMIT]
        shown = story_queries.cards(found[offset:offset + per_page], *_counted())
        return Results(cards=shown, page=page, per_page=per_page, total=len(found), more=more, years=years)
    total = by_year.get(filters.year, 0) if filters.year else sum(by_year.values())
    results = Results(cards=[], page=page, per_page=per_page, total=total, years=years)
    if total and not results.past_end:
        results.cards = _page_cards(_newest(filters, per_page, offset), *_counted())
    return results


def faces(state: str | None, page: int, per_page: int, counted: bool = True) -> Results:
    """One page of the public memorials that show a photo, newest first (the wall of faces): the count from
    search_face (one row; counted=False for the front page, which needs no count), the page's ids from
    ix_search_entry_faces alone; a deep page of every state's faces starts from its month (search_month)."""
    def count() -> int:
        return _read(select(SearchFace.memorials).where(SearchFace.state_code == (state or ALL_STATES))).scalar() or 0

    total = pagecache.while_unchanged(("faces", state), count) if counted else per_page
    results = Results(cards=[], page=page, per_page=per_page, total=int(total))
    if total and not results.past_end:
        conditions = [SearchEntry.face.is_(True)]
        offset = (page - 1) * per_page
        if state:
            conditions.append(SearchEntry.state_code == state)
        elif offset:
            before, offset = _deep_start(offset, SearchMonth.faces)
            if before is not None:
                conditions.append(SearchEntry.published_at < before)
        query = (select(SearchEntry.story_id, SearchEntry.published_at).where(*conditions)
                 .order_by(SearchEntry.published_at.desc(), SearchEntry.story_id.desc())
                 .limit(per_page).offset(offset).subquery())
        results.cards = _page_cards(query)
    return results
