"""The front page and the site's plain pages."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..responses import public_page
from ..search import pages as search_pages
from ..stats.queries import national_headline
from ..stories.queries import recent_stories

bp = Blueprint("home", __name__)

FACES = 12


@bp.get("/")
@public_page(shared=60, keys=("memorials", "stats"))
def index():
    """Faces first (the newest memorials with a photo), then the numbers, the newest memorials and ways to take
    part."""
    return render_template("home/index.html", faces=search_pages.newest_faces(FACES), stories=recent_stories(6),
                           headline=national_headline())


@bp.get("/about/terms")
@public_page(shared=3600)
def terms():
    """What a family agrees to when they share a story, in plain words."""
    return render_template("home/terms.html")


@bp.get("/help")
@public_page(shared=3600)
def help_now():
    """Crisis and grief resources."""
    return render_template("home/help.html")
