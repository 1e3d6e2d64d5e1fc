"""Read-only queries for stories: what visitors may see, loaded without a query per item."""
from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import Photo, Story, StoryStatus, StoryVersion


def _published():
    return (
        db.select(Story)
        .where(Story.status == StoryStatus.PUBLISHED.value, Story.live_version_id.is_not(None))
        .options(joinedload(Story.live_version).joinedload(StoryVersion.photo))
    )


def recent_stories(limit: int) -> list[Story]:
    """The newest published memorials, for the front page."""
    query = _published().order_by(Story.published_at.desc(), Story.id.desc()).limit(limit)
    return list(db.session.execute(query).unique().scalars())


def published_page(page: int, per_page: int):
    """One page of published memorials, newest first."""
    query = _published().order_by(Story.published_at.desc(), Story.id.desc())
    return db.paginate(query, page=page, per_page=per_page, max_per_page=per_page, error_out=False)


def published_by_slug(slug: str) -> Story | None:
    return db.session.execute(_published().where(Story.slug == slug)).unique().scalar_one_or_none()


def photo_is_public(filename: str) -> bool:
    """True when the file is the photo (or thumbnail) of a published story's live version."""
    query = (
        db.select(Photo.id)
        .join(StoryVersion, StoryVersion.photo_id == Photo.id)
        .join(Story, Story.live_version_id == StoryVersion.id)
        .where(Story.status == StoryStatus.PUBLISHED.value)
        .where(or_(Photo.filename == filename, Photo.thumb_filename == filename))
    )
    return db.session.execute(query.limit(1)).first() is not None
