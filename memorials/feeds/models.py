"""Every address a memorial has had, so an old link keeps leading to it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class StorySlug(db.Model):
    """One address a memorial has had (its current one too). A slug here belongs to that memorial
    for as long as the memorial exists: nobody else is given it, and it answers 301 to the current one."""

    __tablename__ = "story_slug"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
