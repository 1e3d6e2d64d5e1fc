"""Work on the store that must happen and could not yet: a delete that failed, a public copy not made."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, unseen_by_visitors
from ..timeutil import utcnow


@unseen_by_visitors
class StoreTask(db.Model):
    """One file to delete from (or copy into) one area of the store. Written in the transaction that decides it
    (a withdrawal, an unpublished memorial), done right after the commit, and kept until it is done: the mail
    sender's loop and `flask --app app store-tasks` try again, so no photo outlives a withdrawal silently."""

    __tablename__ = "store_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(10))       # "delete" or "publish"
    area: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (UniqueConstraint("action", "area", "name", name="uq_store_task_action_area_name"),)
