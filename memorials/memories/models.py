"""Memories: longer words from friends and family (up to 5,000 characters, plain text with paragraphs), with an
optional photo. Like a condolence, a memory is public only once a moderator (and, if the family asked, the
family) has read it; an email left with it is never shown, used once, then erased."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..community.models import CondolenceStatus
from ..extensions import db
from ..stories.models import Photo, Story
from ..timeutil import utcnow

NAME_MAX, MEMORY_MAX, ALT_MAX = 80, 5000, 200
# A memory goes through the same states as a message for the family.
MemoryStatus = CondolenceStatus


class Memory(db.Model):
    """A memory someone shared on a memorial."""

    __tablename__ = "memory"
    __table_args__ = (Index("ix_memory_story_status", "story_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default=MemoryStatus.PENDING.value, index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    body: Mapped[str] = mapped_column(Text)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id", ondelete="SET NULL"))
    photo_alt: Mapped[str | None] = mapped_column(String(ALT_MAX))
    # Never shown; used once, to say the memory is up, then erased.
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    story: Mapped[Story] = relationship()
    photo: Mapped[Photo | None] = relationship()
