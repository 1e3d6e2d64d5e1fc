"""Visitors read memorials; families submit and manage theirs."""
from __future__ import annotations

from flask import abort, current_app, render_template, request

from . import bp
from .queries import published_page


@bp.get("/")
def index():
    """Published memorials, newest first, 24 a page."""
    page = request.args.get("page", 1, type=int)
    stories = published_page(max(page, 1), current_app.config["STORIES_PER_PAGE"])
    return render_template("stories/index.html", page=stories)


@bp.route("/new", methods=["GET", "POST"])
def new():
    abort(404)


@bp.get("/<slug>")
def show(slug):
    abort(404)


@bp.get("/photos/<filename>")
def photo(filename):
    abort(404)
