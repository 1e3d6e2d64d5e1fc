"""Moderators, their second factor, their server-side sessions, invitations, and the log of every decision."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, unseen_by_visitors
from ..timeutil import utcnow


@unseen_by_visitors
class Moderator(db.Model):
    __tablename__ = "moderator"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An admin can turn an account off (never deleted: the log keeps who decided what).
    is_active: Mapped[bool] = mapped_column(default=True)
    # Two-factor sign-in: the TOTP key (base32), set at enrolment; the last time step used, so a
    # code is accepted once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]
    last_sign_in_at: Mapped[datetime | None]

    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="moderator", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def role(self) -> str:
        return "admin" if self.is_admin else "moderator"

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


@unseen_by_visitors
class ModeratorSession(db.Model, UserMixin):
    """A signed-in browser. Logging out deletes the row, so a copied cookie stops working."""

    __tablename__ = "moderator_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderator.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Sessions end after 12 hours without use and 7 days in all (see auth.load_session).
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

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


@unseen_by_visitors
class RecoveryCode(db.Model):
    """One of ten single-use codes for a moderator without their phone; only a hash is kept."""

    __tablename__ = "moderator_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderator.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]

    moderator: Mapped[Moderator] = relationship(back_populates="recovery_codes")


@unseen_by_visitors
class Invitation(db.Model):
    """A one-time link from an admin: to join the team, or (moderator set) to choose a new password."""

    __tablename__ = "moderator_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("moderator.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("moderator.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    moderator: Mapped[Moderator | None] = relationship(foreign_keys=[moderator_id])
    invited_by: Mapped[Moderator | None] = relationship(foreign_keys=[invited_by_id])
