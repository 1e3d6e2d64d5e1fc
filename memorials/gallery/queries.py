"""Read-only queries for the gallery: one statement for a memorial's photos, whatever their number."""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..stories.models import Story, StoryVersion
from .models import GalleryPhoto, GalleryStatus


@cache
def _shown():
    """Built once per worker, its memorial bound as it runs (building costs more than running it)."""
    return (db.select(GalleryPhoto).where(GalleryPhoto.story_id == bindparam("story_id"),
                                          GalleryPhoto.status == GalleryStatus.PUBLISHED.value)
            .options(joinedload(GalleryPhoto.photo)).order_by(GalleryPhoto.position, GalleryPhoto.id))


def for_memorial(story: Story, total: int | None = None) -> list[GalleryPhoto]:
    """The photos a visitor sees, in the family's order (none read when `total`, read with the memorial, is 0)."""
    if total == 0:
        return []
    return list(db.session.execute(_shown(), {"story_id": story.id}).scalars())


def shown_total_subquery():
    """The photos a visitor sees in the gallery of the outer query's Story row (read with the memorial)."""
    return (db.select(db.func.count()).select_from(GalleryPhoto)
            .where(GalleryPhoto.story_id == Story.id, GalleryPhoto.status == GalleryStatus.PUBLISHED.value)
            .correlate(Story).scalar_subquery())


def for_family(story: Story) -> list[GalleryPhoto]:
    """Every photo of the gallery, waiting or shown, in the family's order (their page and their preview)."""
    return list(db.session.execute(
        db.select(GalleryPhoto).where(GalleryPhoto.story_id == story.id)
        .options(joinedload(GalleryPhoto.photo)).order_by(GalleryPhoto.position, GalleryPhoto.id)
    ).scalars())


def waiting(limit: int = 200) -> list[GalleryPhoto]:
    """Photos (or new words for them) waiting for a moderator, oldest first, with their memorial."""
    return list(db.session.execute(
        db.select(GalleryPhoto)
        .where(db.or_(GalleryPhoto.status == GalleryStatus.PENDING.value, GalleryPhoto.words_waiting.is_(True)))
        .options(joinedload(GalleryPhoto.photo),
                 joinedload(GalleryPhoto.story).joinedload(Story.live_version).joinedload(StoryVersion.photo))
        .order_by(GalleryPhoto.created_at, GalleryPhoto.id).limit(limit)
    ).unique().scalars())


def waiting_count():
    """How many gallery photos wait for a moderator, as a subquery (for the queue's tabs)."""
    return (db.select(db.func.count()).select_from(GalleryPhoto)
            .where(db.or_(GalleryPhoto.status == GalleryStatus.PENDING.value,
                          GalleryPhoto.words_waiting.is_(True))).scalar_subquery())
