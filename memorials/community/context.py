"""Template helpers that only format: the contact address for the footer and the mails, and a visitor's plain
words as HTML. The guestbook's data comes from the views (community/guestbook.py), never from here."""
from __future__ import annotations

from flask import current_app

from ..text import plain_text_html
from .views import bp


@bp.app_template_filter("plain_text")
def plain_text(value: str | None):
    """A visitor's plain words as HTML, through text.py (escaped, paragraphs and line breaks kept, no links)."""
    return plain_text_html(value)


@bp.app_context_processor
def community_globals():
    """The contact address for the footer and the mail (a setting, no query)."""
    return {"contact_email": current_app.config["CONTACT_EMAIL"]}
