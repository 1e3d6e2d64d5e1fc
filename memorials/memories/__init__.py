"""Memories from friends and family: longer words and a photo, shared on a memorial, read by a moderator (and by
the family, if they asked) before they appear. Its own tables, pages, moderation tab and tests."""
from flask import Blueprint

bp = Blueprint("memories", __name__, url_prefix="/stories")
moderate_bp = Blueprint("memories_moderation", __name__, url_prefix="/moderate")

from . import moderate, views  # noqa: E402,F401
