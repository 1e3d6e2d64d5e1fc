"""Moderators read memories in their own tab: approve (they appear, or wait for the family) or reject."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..community.forms import ButtonForm
from ..community.moderate import approved_words
from ..extensions import db
from ..moderation import tabs
from ..moderation.auth import moderator_required
from ..stories import photos
from . import moderate_bp, queries, services
from .models import Memory

tabs.register("memories", "memories_moderation.queue", _l("Memories"), queries.waiting_count, order=30)


@moderate_bp.get("/memories")
@moderator_required
def queue():
    """Memories waiting for a decision, oldest first, each with its memorial and photo."""
    return render_template("memories/moderate.html", items=queries.waiting(), form=ButtonForm(), tab="memories",
                           tabs=tabs.counted())


@moderate_bp.post("/memories/<int:memory_id>")
@moderator_required
def decide(memory_id: int):
    """Approve or reject one memory."""
    memory = db.get_or_404(Memory, memory_id)
    action = request.form.get("action")
    if action not in {"approve", "reject"}:
        abort(400)
    unused: list[str] = []
    try:
        if action == "approve":
            done = approved_words(services.approve(memory, current_user.moderator))
        else:
            unused = services.reject(memory, current_user.moderator)
            done = _("Rejected. It will not appear, and its photo is deleted.")
    except services.DecisionError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("memories_moderation.queue"))
    db.session.commit()
    photos.delete_files(*unused)
    flash(done, "success")
    return redirect(url_for("memories_moderation.queue"))
