"""Memorial addresses that don't break: every slug a memorial has had keeps leading to it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from ..slugs import is_slug, slugify, unique_slug
from ..stories.models import Story, StoryStatus
from .models import StorySlug


def _taken_by_another(slug: str, story_id: int) -> bool:
    """True when another memorial has, or once had, this address."""
    in_use = db.select(Story.id).where(Story.slug == slug, Story.id != story_id)
    remembered = db.select(StorySlug.id).where(StorySlug.slug == slug, StorySlug.story_id != story_id)
    return db.session.execute(in_use.union_all(remembered).limit(1)).first() is not None


def remember_address(story: Story) -> None:
    """Keep the memorial's current address for good, in the caller's transaction.

    The slug moderation gave it is unique among current addresses; one that still redirects to
    another memorial is not free, so it gets the next free one (the same base, as slug_for makes it).
    """
    if not story.slug or story.live_version is None:
        return
    if _taken_by_another(story.slug, story.id):
        version = story.live_version
        base = f"{slugify(version.display_name)}-{version.died.year}"
        story.slug = unique_slug(base, lambda candidate: _taken_by_another(candidate, story.id))
    known = db.session.execute(db.select(StorySlug.id).where(StorySlug.story_id == story.id,
                                                             StorySlug.slug == story.slug)).first()
    if known is None:
        db.session.add(StorySlug(story_id=story.id, slug=story.slug))


def moved_to(slug: str) -> str | None:
    """The current address of the public memorial that once lived at `slug`, or None."""
    if not is_slug(slug):
        return None
    return db.session.execute(
        db.select(Story.slug).join(StorySlug, StorySlug.story_id == Story.id)
        .where(StorySlug.slug == slug, Story.slug != slug,
               Story.status == StoryStatus.PUBLISHED.value, Story.live_version_id.is_not(None))
    ).scalar_one_or_none()


@dataclass
class AddressChange:
    changed_at: datetime        # when the current address took over
    old_slugs: list[str]        # newest first; each still answers 301 to the current address


def address_change(story: Story) -> AddressChange | None:
    """How the memorial's address changed, for the family's page; None when it never did."""
    if story.id is None or not story.slug:
        return None
    rows = db.session.execute(
        db.select(StorySlug.slug, StorySlug.created_at).where(StorySlug.story_id == story.id)
        .order_by(StorySlug.created_at.desc(), StorySlug.id.desc())
    ).all()
    old = [slug for slug, _ in rows if slug != story.slug]
    if not old:
        return None
    current = next((created for slug, created in rows if slug == story.slug), rows[0][1])
    return AddressChange(current, old)
