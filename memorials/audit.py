"""The moderation log: one table, written by every feature in the same transaction as the act it records.

Stories, condolences, reports, sign-ins and account changes all land here, so moderators read one
history. story_ref is a plain number, not a foreign key: when a family withdraws a story it is
deleted for good, and the log keeps only that a story with this number existed.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db, unseen_by_visitors
from .timeutil import utcnow


@unseen_by_visitors
class ModerationEvent(db.Model):
    """Who did what to which item, when and why."""

    __tablename__ = "moderation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("moderator.id", ondelete="SET NULL"))
    story_ref: Mapped[int | None] = mapped_column(index=True)   # the memorial concerned, if any
    version_ref: Mapped[int | None]
    item_kind: Mapped[str | None] = mapped_column(String(20))   # "condolence", "report", "moderator", ...
    item_ref: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)

    moderator = relationship("Moderator")


def log_event(story_id: int | None, version_id: int | None, action: str, *, moderator=None,
              reason: str | None = None, item_kind: str | None = None, item_ref: int | None = None) -> ModerationEvent:
    """Record an act; added to the caller's transaction so both land or neither does."""
    event = ModerationEvent(story_ref=story_id, version_ref=version_id, action=action, reason=reason,
                            moderator=moderator, item_kind=item_kind, item_ref=item_ref)
    db.session.add(event)
    return event
