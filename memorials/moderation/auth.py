"""Who may see /moderate/ pages: signed-in moderators, and admins for site settings."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..extensions import db, login_manager
from .models import ModeratorSession

login_manager.login_view = "moderation.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_session(token: str) -> ModeratorSession | None:
    """The server-side session behind the cookie; gone after logout."""
    return db.session.execute(
        db.select(ModeratorSession).filter_by(token=token)
    ).scalar_one_or_none()


def moderator_required(view):
    """Every /moderate/ page: a signed-in moderator, else the sign-in page."""
    return login_required(view)


def admin_required(view):
    """Pages that change the site itself (campaigns): admin moderators only."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
