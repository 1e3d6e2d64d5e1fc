"""Read-only queries for stories: what visitors may see, loaded without a query per item."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, union_all
from sqlalchemy.orm import joinedload, load_only

from ..extensions import db
from ..slugs import is_slug
from .models import Photo, Story, StoryStatus, StoryVersion


def published_statement():
    """Published memorials with their live version and its photo (the memorial page adds its address and
    counts: stories/memorial.py)."""
    return (
        db.select(Story)
        .where(Story.status == StoryStatus.PUBLISHED.value, Story.live_version_id.is_not(None))
        .options(joinedload(Story.live_version).joinedload(StoryVersion.photo))
    )


def _with_card_fields(query):
    """Only what a memorial card shows: never the story's text or HTML, which may be 20,000 characters."""
    return query.options(
        load_only(Story.id, Story.slug, Story.published_at, Story.live_version_id),
        joinedload(Story.live_version).load_only(
            StoryVersion.name, StoryVersion.name_display, StoryVersion.born, StoryVersion.died,
            StoryVersion.city, StoryVersion.state_code, StoryVersion.excerpt, StoryVersion.photo_alt,
            StoryVersion.photo_id, StoryVersion.language,
        ).joinedload(StoryVersion.photo).load_only(Photo.thumb_filename),
    )


def recent_stories(limit: int) -> list[Story]:
    """The newest published memorials, for the front page (read in ix_story_status_newest's order)."""
    query = _with_card_fields(
        db.select(Story)
        .where(Story.status == StoryStatus.PUBLISHED.value, Story.live_version_id.is_not(None))
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query).unique().scalars())


@dataclass(frozen=True, slots=True)
class CardPhoto:
    thumb_filename: str


@dataclass(frozen=True, slots=True)
class CardVersion:
    """A live version as its card shows it: the fields _with_card_fields loads, as plain values. A list's
    first visit draws 24 cards (the wall 48), and an ORM object costs more to make than its card to draw."""

    name: str
    name_display: str
    born: date | None
    died: date
    city: str | None
    state_code: str | None
    excerpt: str | None
    photo_alt: str | None
    language: str
    photo: CardPhoto | None

    # The model's own rules, not copies: how the family chose to show the name, the age, the hometown.
    display_name = StoryVersion.display_name
    age = StoryVersion.age
    hometown = StoryVersion.hometown


@dataclass(frozen=True, slots=True)
class CardStory:
    """A published memorial as its card shows it (what templates/_macros.html's story_card reads of a Story)."""

    id: int
    slug: str
    live_version_id: int
    live_version: CardVersion
    counts: tuple[int, int] | None = None      # candles, and messages with memories, when read with the card
    html: str | None = None                     # the card as stored at approval, when read with it (search/cards.py)


def card_query(*counted, page=None):
    """What the cards of published memorials show, and then the `counted` columns (correlated to Story): from
    `page`, a subquery of the page's memorials (its story_id joined to their stories), or from story itself."""
    v = StoryVersion
    query = db.select(Story.id, Story.slug, Story.live_version_id, v.name, v.name_display, v.born, v.died, v.city,
                      v.state_code, v.excerpt, v.photo_alt, v.language, Photo.thumb_filename, *counted)
    if page is not None:
        query = query.select_from(page).join(Story, Story.id == page.c.story_id)
    return (query.join(v, v.id == Story.live_version_id).outerjoin(Photo, Photo.id == v.photo_id)
            .where(Story.status == StoryStatus.PUBLISHED.value))


def read_cards(query, values: dict | None = None) -> list[CardStory]:
    """The cards of a card_query (with these bound values), as plain rows, in its order; its counted columns,
    when it has the three of a list (candles, messages, memories), become each card's counts, and a fourth, the
    card stored for the page's language (search/cards.py stored_card_subquery), its HTML."""
    found = []
    for row in db.session.connection().execute(query, values).all():   # fetched at once, not row by row
        story_id, slug, version_id, *fields, thumb = row[:13]
        counts = (int(row[13] or 0), int(row[14] or 0) + int(row[15] or 0)) if len(row) > 13 else None
        version = CardVersion(*fields, photo=CardPhoto(thumb) if thumb is not None else None)
        found.append(CardStory(story_id, slug, version_id, version, counts, row[16] if len(row) > 16 else None))
    return found


@cache
def _published_by_slug():
    """Built once per worker, the address bound as it runs (a share card, a message or memory sent, a letter
    in someone's memory all start here; the memorial page reads its own, with counts: stories/memorial.py)."""
    return published_statement().where(Story.slug == bindparam("slug"))


def published_by_slug(slug: str | None) -> Story | None:
    """The published memorial at this address, else None (anything that cannot be an address never reaches the
    database: a NUL byte, a 2,000-character path)."""
    if not is_slug(slug):
        return None
    return db.session.execute(_published_by_slug(), {"slug": slug}).unique().scalar_one_or_none()


def public_photo_story(filename: str) -> int | None:
    """The memorial whose photo (or thumbnail) this is, when the photo is public: its published story's live
    version's, or one a moderator approved on a published memorial (its gallery, a memory: Photo.shown).

    Index lookups (by full-size name, by thumbnail name) joined through the story: no OR across joins, so
    each side stays on its unique index whatever the number of photos.
    """
    def live(column):
        return (
            db.select(Story.id)
            .join(Photo, Story.id == Photo.story_id)
            .join(StoryVersion, StoryVersion.id == Story.live_version_id)
            .where(column == filename, StoryVersion.photo_id == Photo.id,
                   Story.status == StoryStatus.PUBLISHED.value)
        )

    def shown(column):
        return (db.select(Story.id).join(Photo, Story.id == Photo.story_id)
                .where(column == filename, Photo.shown.is_(True), Story.status == StoryStatus.PUBLISHED.value))

    query = union_all(live(Photo.filename), live(Photo.thumb_filename),
                      shown(Photo.filename), shown(Photo.thumb_filename)).limit(1)
    return db.session.execute(query).scalar()
