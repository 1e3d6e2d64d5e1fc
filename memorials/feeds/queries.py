"""What the feed and the sitemap list: public things only, a fixed number of queries however many."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ..extensions import db
from ..letters.models import Campaign, CampaignStatus
from ..stats.models import StatRelease
from ..stories.models import Story, StoryStatus, StoryVersion
from ..stories.queries import recent_stories

# Unfinished drafts, rejected, unpublished and withdrawn memorials are never listed.
PUBLIC = (Story.status == StoryStatus.PUBLISHED.value, Story.live_version_id.is_not(None))
CHANGED = db.func.coalesce(StoryVersion.decided_at, Story.published_at)


def newest_memorials(limit: int = 50) -> list[Story]:
    """The newest published memorials with their live version and photo, for the Atom feed."""
    return recent_stories(limit)


def memorial_count() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(Story).where(*PUBLIC)).scalar_one()


def last_memorial_change() -> datetime | None:
    """When a memorial last went up or changed: the lists' and the front page's last-modified date."""
    return db.session.execute(
        db.select(db.func.max(CHANGED)).select_from(Story)
        .join(StoryVersion, StoryVersion.id == Story.live_version_id).where(*PUBLIC)
    ).scalar_one()


def memorial_addresses(offset: int = 0, limit: int | None = None) -> Iterator[tuple[str, datetime]]:
    """(slug, last changed) of published memorials in a stable order, streamed in batches."""
    query = (
        db.select(Story.slug, CHANGED)
        .join(StoryVersion, StoryVersion.id == Story.live_version_id)
        .where(*PUBLIC)
        .order_by(Story.id)
        .offset(offset)
        .limit(limit)
        .execution_options(yield_per=2000)
    )
    for slug, changed in db.session.execute(query):
        yield slug, changed


def live_campaigns() -> list[tuple[str, datetime]]:
    """(slug, last saved) of every live campaign."""
    return [tuple(row) for row in db.session.execute(
        db.select(Campaign.slug, Campaign.updated_at)
        .where(Campaign.status == CampaignStatus.LIVE.value).order_by(Campaign.position, Campaign.id)
    )]


def statistics_updated() -> datetime | None:
    """When CDC's figures were last imported: the statistics pages' last-modified date."""
    return db.session.execute(db.select(db.func.max(StatRelease.imported_at))).scalar_one()
