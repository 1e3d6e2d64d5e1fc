"""A memorial's gallery: up to twelve photos besides the main one, each read by a moderator before it is public,
in the order the family chooses, with their own words. Its own table, pages, moderation tab and tests."""
from flask import Blueprint

bp = Blueprint("gallery", __name__, url_prefix="/stories")
moderate_bp = Blueprint("gallery_moderation", __name__, url_prefix="/moderate")

from . import moderate, views  # noqa: E402,F401
