"""Condolences, candles, reports and the record of remembrance notes sent.

Nothing here identifies a visitor: a candle is a number per memorial per day, a report keeps
only what the person chose to write, and an email left with a condolence or a report is erased
once it has been used for the one answer it was given for.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, unseen_by_visitors
from ..stories.models import Story
from ..timeutil import utcnow

NAME_MAX, MESSAGE_MAX, DETAILS_MAX = 80, 2000, 5000


class CondolenceStatus(str, enum.Enum):
    PENDING = "pending"        # waiting for a moderator; shown nowhere
    WITH_FAMILY = "with_family"  # a moderator approved it; the family asked to read it before it appears
    PUBLISHED = "published"    # on the memorial
    REJECTED = "rejected"      # a moderator turned it down
    HIDDEN = "hidden"          # the family took it off their memorial


class Condolence(db.Model):
    """A message a visitor left for the family on a memorial."""

    __tablename__ = "condolence"
    # The memorial page reads one story's published messages, oldest first.
    __table_args__ = (Index("ix_condolence_story_status", "story_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default=CondolenceStatus.PENDING.value, index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    message: Mapped[str] = mapped_column(Text)
    # Never shown; used once, to say the message is up, then erased.
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    story: Mapped[Story] = relationship()


class CandleTally(db.Model):
    """How many candles were lit for a memorial on one day (UTC). Nothing about who lit them."""

    __tablename__ = "candle_tally"

    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    candles: Mapped[int] = mapped_column(default=0)


class ReportReason(str, enum.Enum):
    NOT_AGREED = "not_agreed"
    FALSE_OR_HURTFUL = "false_or_hurtful"
    PRIVATE_INFORMATION = "private_information"
    SPAM = "spam"
    OTHER = "other"


class ReportStatus(str, enum.Enum):
    OPEN = "open"
    DISMISSED = "dismissed"        # the memorial stays up
    ASKED_FAMILY = "asked_family"  # the family was asked for a change (the memorial stays up unless unpublished)
    UNPUBLISHED = "unpublished"    # the memorial was taken down


@unseen_by_visitors
class Report(db.Model):
    """A concern about a memorial, as the person wrote it; no address, no account."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ReportStatus.OPEN.value, index=True)
    reason: Mapped[str] = mapped_column(String(24))
    details: Mapped[str | None] = mapped_column(Text)
    # For an answer only; erased once the answer is queued.
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    story: Mapped[Story] = relationship()


@unseen_by_visitors
class RemembranceSent(db.Model):
    """A remembrance note went out: the key makes a second run on the same day send nothing."""

    __tablename__ = "remembrance_sent"

    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), primary_key=True)
    occasion: Mapped[str] = mapped_column(String(12), primary_key=True)   # "anniversary" or "birthday"
    year: Mapped[int] = mapped_column(primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
