"""The outbox table: one row a message, from the transaction that caused it until it is sent."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, unseen_by_visitors
from ..timeutil import utcnow


class OutboxStatus(str, enum.Enum):
    QUEUED = "queued"      # waiting, or waiting to be tried again (next_attempt_at)
    SENDING = "sending"    # claimed by a sender until lease_until
    SENT = "sent"          # delivered: recipients, subject and body are gone
    FAILED = "failed"      # tried for 24 hours; shown to moderators in the queue


@unseen_by_visitors
class OutboxMessage(db.Model):
    """A message waiting to be sent.

    Once sent, only the fact remains (kind, times, attempts): the recipients, subject and body are
    erased, so private links and letter writers' words are never kept. A message marked private
    (a letter copy) loses its body when it fails, too.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.QUEUED.value)
    private: Mapped[bool] = mapped_column(default=False)
    recipients: Mapped[str | None] = mapped_column(Text)  # comma-separated; None once sent
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200))  # the same on every try, so a resend can be recognised
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))

    @property
    def recipient_list(self) -> list[str]:
        return [r for r in (self.recipients or "").split(",") if r]
