"""What the feed and the sitemap list: public things only, a fixed number of queries however many."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy.orm import joinedload

from ..extensions import db
from ..letters.models import Campaign, CampaignStatus
from ..stats.models import StatRelease
from ..stories.models import Story, StoryStatus, StoryVersion

# Unfinished drafts, rejected, unpublished and withdrawn memorials are never listed.
PUBLIC = (Story.status == StoryStatus.PUBLISHED.value, Story.live_version_id.is_not(None))
CHANGED = db.func.coalesce(StoryVersion.decided_at, Story.published_at)


def newest_memorials(limit: int = 50) -> list[Story]:
    """The newest published memorials with their live version and photo, for the Atom feed.

    The newest are found by walking the published_at index from the top; status is tested row by
    row (through coalesce, so no planner picks the status index and sorts every memorial instead).
    """
    newest = (
        db.select(Story.id)
        .where(Story.published_at.is_not(None), Story.live_version_id.is_not(None),
               db.func.coalesce(Story.status, "") == StoryStatus.PUBLISHED.value)
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(limit)
    )
    query = (
        db.select(Story).where(Story.id.in_(newest))
        .options(joinedload(Story.live_version).joinedload(StoryVersion.photo))
        .order_by(Story.published_at.desc(), Story.id.desc())
    )
    return list(db.session.execute(query).unique().scalars())


def memorial_files(size: int) -> list[tuple[int, int]]:
    """(file number, memorials) of each non-empty sitemap file: file n holds the published memorials
    numbered (n-1)·size+1 to n·size, so it is read by a range of the primary key (no OFFSET that
    counts past 50,000 rows) and never holds more than `size`. One count over the story table: the
    files' own addresses carry their last-modified dates (a max per file, through the versions,
    took ten times as long)."""
    number = (Story.id - 1) // size + 1
    return [tuple(row) for row in db.session.execute(
        db.select(number, db.func.count()).where(*PUBLIC).group_by(number).order_by(number))]


def last_publication() -> datetime | None:
    """When the newest memorial went up: the lists' and the front page's last-modified date
    (read from the top of the published_at index, like the feed)."""
    return db.session.execute(
        db.select(Story.published_at)
        .where(Story.published_at.is_not(None), Story.live_version_id.is_not(None),
               db.func.coalesce(Story.status, "") == StoryStatus.PUBLISHED.value)
        .order_by(Story.published_at.desc()).limit(1)
    ).scalar_one_or_none()


def any_memorial_between(first_id: int, last_id: int) -> bool:
    return db.session.execute(
        db.select(Story.id).where(*PUBLIC, Story.id.between(first_id, last_id)).limit(1)).first() is not None


def memorial_addresses(first_id: int | None = None, last_id: int | None = None) -> Iterator[tuple[str, datetime]]:
    """(slug, last changed) of published memorials numbered first_id to last_id, streamed in batches."""
    query = (
        db.select(Story.slug, CHANGED)
        .join(StoryVersion, StoryVersion.id == Story.live_version_id)
        .where(*PUBLIC)
        .order_by(Story.id)
        .execution_options(yield_per=2000)
    )
    if first_id is not None:
        query = query.where(Story.id.between(first_id, last_id))
    for slug, changed in db.session.execute(query):
        yield slug, changed


def live_campaign(slug: str) -> Campaign | None:
    return db.session.execute(db.select(Campaign).where(
        Campaign.slug == slug, Campaign.status == CampaignStatus.LIVE.value)).scalar_one_or_none()


def live_campaigns() -> list[tuple[str, datetime]]:
    """(slug, last saved) of every live campaign."""
    return [tuple(row) for row in db.session.execute(
        db.select(Campaign.slug, Campaign.updated_at)
        .where(Campaign.status == CampaignStatus.LIVE.value).order_by(Campaign.position, Campaign.id)
    )]


def statistics_updated() -> datetime | None:
    """When CDC's figures were last imported: the statistics pages' last-modified date."""
    return db.session.execute(db.select(db.func.max(StatRelease.imported_at))).scalar_one()
