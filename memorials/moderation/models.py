"""Moderators, their server-side sessions, and the log of every decision."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..timeutil import utcnow

MIN_PASSWORD_LENGTH = 12


class Moderator(db.Model):
    __tablename__ = "moderator"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class ModeratorSession(db.Model, UserMixin):
    """A signed-in browser. Logging out deletes the row, so a copied cookie stops working."""

    __tablename__ = "moderator_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderator.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    moderator: Mapped[Moderator] = relationship(lazy="joined")

    def get_id(self) -> str:
        return self.token

    # What templates and views ask of the signed-in user.
    @property
    def email(self) -> str:
        return self.moderator.email

    @property
    def is_admin(self) -> bool:
        return self.moderator.is_admin


# The log moved to memorials/audit.py (one log for every feature); kept importable from here.
from ..audit import ModerationEvent  # noqa: E402,F401
