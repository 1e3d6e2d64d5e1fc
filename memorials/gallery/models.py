"""A memorial's gallery: up to twelve photos besides the main one, in the family's order.

Each photo is read by a moderator before it is public, and so are new words for it: the words the public
sees (`alt`, `caption`) stay as they are until the moderator approves the proposed ones. The files are
ordinary `Photo` rows of the story (purpose "gallery"), so withdrawing a story removes them with the rest.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..stories.models import Photo, Story
from ..timeutil import utcnow

MAX_PHOTOS = 12
ALT_MAX, CAPTION_MAX = 200, 300


class GalleryStatus(str, enum.Enum):
    PENDING = "pending"        # new: waiting for a moderator, shown nowhere but to the family
    PUBLISHED = "published"    # on the memorial (new words may be waiting beside it)


class GalleryPhoto(db.Model):
    """One photo in a memorial's gallery."""

    __tablename__ = "gallery_photo"
    # The memorial reads one story's published photos in the family's order.
    __table_args__ = (Index("ix_gallery_photo_story", "story_id", "status", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"))
    photo_id: Mapped[int] = mapped_column(ForeignKey("photo.id", ondelete="CASCADE"), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default=GalleryStatus.PENDING.value, index=True)
    # What the public reads: the description (alt text) and the caption a moderator approved.
    alt: Mapped[str | None] = mapped_column(String(ALT_MAX))
    caption: Mapped[str | None] = mapped_column(String(CAPTION_MAX))
    # Words the family wrote that a moderator has not read yet (a new photo's, or new words for a shown one).
    proposed_alt: Mapped[str | None] = mapped_column(String(ALT_MAX))
    proposed_caption: Mapped[str | None] = mapped_column(String(CAPTION_MAX))
    words_waiting: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    story: Mapped[Story] = relationship()
    photo: Mapped[Photo] = relationship()

    @property
    def is_published(self) -> bool:
        return self.status == GalleryStatus.PUBLISHED.value

    @property
    def waiting(self) -> bool:
        """Something here waits for a moderator: the photo itself, or new words for it."""
        return not self.is_published or self.words_waiting

    @property
    def family_alt(self) -> str:
        """The description as the family last wrote it (what their form shows)."""
        return (self.proposed_alt if self.words_waiting or not self.is_published else self.alt) or ""

    @property
    def family_caption(self) -> str:
        return (self.proposed_caption if self.words_waiting or not self.is_published else self.caption) or ""
