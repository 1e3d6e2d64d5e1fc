"""Moderator accounts and moderation decisions; each decision and its log row in one transaction."""
from __future__ import annotations

from ..extensions import db
from .models import MIN_PASSWORD_LENGTH, Moderator


class PasswordTooShort(ValueError):
    pass


def create_moderator(email: str, password: str, *, admin: bool = False) -> tuple[Moderator, bool]:
    """Create a moderator, or reset an existing one's password. The caller commits."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(f"Please use a password of at least {MIN_PASSWORD_LENGTH} characters.")
    email = email.strip().lower()
    moderator = db.session.execute(db.select(Moderator).filter_by(email=email)).scalar_one_or_none()
    created = moderator is None
    if created:
        moderator = Moderator(email=email)
        db.session.add(moderator)
    moderator.set_password(password)
    moderator.is_admin = moderator.is_admin or admin
    return moderator, created
