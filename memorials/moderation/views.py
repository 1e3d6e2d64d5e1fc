"""Moderators sign in, read the queue and decide."""
from __future__ import annotations

from flask import render_template

from . import auth, bp  # noqa: F401 (auth registers the user loader)


@bp.get("/")
@auth.moderator_required
def queue():
    return render_template("moderation/queue.html")


@bp.route("/login", methods=["GET", "POST"])
def login():
    return "sign in"
