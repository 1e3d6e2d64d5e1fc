"""Moderation decisions; each decision and its log row in one transaction (accounts live in accounts.py)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..audit import ModerationEvent, log_event
from ..events import story_hidden, story_published
from ..extensions import db
from ..stories.models import Story, StoryStatus, StoryVersion, VersionState
from ..stories.services import slug_for
from ..text import plain_excerpt, render_markdown
from ..timeutil import utcnow
from .models import Moderator


class DecisionError(ValueError):
    """A decision that no longer fits the story (it changed while the moderator read it)."""


def queue() -> list[StoryVersion]:
    """Everything waiting for a decision, new stories and edits alike, oldest first."""
    return list(db.session.execute(
        db.select(StoryVersion)
        .where(StoryVersion.state == VersionState.PENDING.value)
        .options(joinedload(StoryVersion.story).selectinload(Story.versions))  # "new" or "resubmitted"
        .order_by(StoryVersion.created_at, StoryVersion.id)
    ).scalars())


def _pending(story: Story, version_id: int | None) -> StoryVersion:
    version = story.pending_version
    if version is None or (version_id is not None and version.id != version_id):
        raise DecisionError(_("This story changed while you were reading it. Please read the newest version."))
    return version


def approve(story: Story, moderator: Moderator, version_id: int | None = None) -> StoryVersion:
    """Publish the waiting version; its HTML is made now, once, so page views never render Markdown."""
    version = _pending(story, version_id)
    now = utcnow()
    if story.live_version is not None:
        story.live_version.state = VersionState.SUPERSEDED.value
    version.state = VersionState.APPROVED.value
    version.decided_at = now
    version.story_html = str(render_markdown(version.story_markdown))
    version.excerpt = plain_excerpt(version.story_markdown, 240)
    story.live_version = version
    story.status = StoryStatus.PUBLISHED.value
    story.published_at = story.published_at or now
    story.moderator_note = None
    db.session.flush()
    story.slug = slug_for(version, story.id)
    log_event(story.id, version.id, "approve", moderator=moderator)
    story_published.send(story)
    return version


def reject(story: Story, moderator: Moderator, reason: str, version_id: int | None = None) -> StoryVersion:
    """Turn down the waiting version. A published story keeps its published version."""
    return _send_back(story, moderator, reason, version_id, "reject",
                      VersionState.REJECTED, StoryStatus.REJECTED)


def request_changes(story: Story, moderator: Moderator, reason: str,
                    version_id: int | None = None) -> StoryVersion:
    """Ask the family to edit through their private link."""
    return _send_back(story, moderator, reason, version_id, "request_changes",
                      VersionState.CHANGES_REQUESTED, StoryStatus.CHANGES_REQUESTED)


def _send_back(story: Story, moderator: Moderator, reason: str, version_id: int | None, action: str,
               version_state: VersionState, unpublished_status: StoryStatus) -> StoryVersion:
    """Decide against the waiting version with a reason the family reads."""
    version = _pending(story, version_id)
    version.state = version_state.value
    version.decided_at = utcnow()
    if story.live_version is None:
        story.status = unpublished_status.value
    story.moderator_note = reason
    log_event(story.id, version.id, action, moderator=moderator, reason=reason)
    return version


def unpublish(story: Story, moderator: Moderator, reason: str) -> None:
    """Take a published story down; it can be published again."""
    if story.status != StoryStatus.PUBLISHED.value:
        raise DecisionError(_("This story is not published."))
    story.status = StoryStatus.UNPUBLISHED.value
    story.moderator_note = reason
    log_event(story.id, story.live_version_id, "unpublish", moderator=moderator, reason=reason)
    story_hidden.send(story)


def republish(story: Story, moderator: Moderator) -> None:
    """Put an unpublished story back up, as it was."""
    if story.status != StoryStatus.UNPUBLISHED.value or story.live_version is None:
        raise DecisionError(_("This story cannot be published again as it is."))
    story.status = StoryStatus.PUBLISHED.value
    story.moderator_note = None
    log_event(story.id, story.live_version_id, "republish", moderator=moderator)
    story_published.send(story)


DONE_MESSAGES = {
    "approve": _l("Published. The family has been told."),
    "reject": _l("Rejected. The family has been sent your reason."),
    "request_changes": _l("The family has been asked for changes."),
    "unpublish": _l("Unpublished. The family has been told."),
    "republish": _l("Published again."),
}


def events_for(story_id: int) -> list[ModerationEvent]:
    return list(db.session.execute(
        db.select(ModerationEvent).where(ModerationEvent.story_ref == story_id)
        .options(joinedload(ModerationEvent.moderator))
        .order_by(ModerationEvent.created_at.desc(), ModerationEvent.id.desc())
    ).scalars())


def published_stories(limit: int = 50) -> list[Story]:
    """Recently published and unpublished stories, so a moderator can find one to take down."""
    return list(db.session.execute(
        db.select(Story)
        .where(Story.status.in_([StoryStatus.PUBLISHED.value, StoryStatus.UNPUBLISHED.value]))
        .options(joinedload(Story.live_version))
        .order_by(Story.published_at.desc()).limit(limit)
    ).scalars())
