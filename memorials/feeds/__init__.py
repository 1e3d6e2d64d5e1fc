"""Share and be found: share cards, the printable remembrance card, the Atom feed, the sitemap,
robots.txt, and memorial addresses that keep working when a name changes."""
from flask import Blueprint

bp = Blueprint("feeds", __name__)

from . import models, receivers, views  # noqa: E402,F401
