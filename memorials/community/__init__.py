"""Visitors remember together and tell us when something is wrong: condolences, candles, remembrance
notes, reports about a memorial. A guestbook is not a story: this package owns its own tables, and
moderation lists and decides its items through the small services here."""
from flask import Blueprint

bp = Blueprint("community", __name__, url_prefix="/stories", cli_group=None)
moderate_bp = Blueprint("community_moderation", __name__, url_prefix="/moderate")

from . import commands, context, moderate, views  # noqa: E402,F401
