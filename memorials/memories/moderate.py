"""Moderators read memories in their own tab: approve (they appear, or wait for the family) or reject."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..community.forms import ButtonForm
from ..community.moderate import approved_words
from ..extensions import db
from ..moderation import tabs
from ..moderation.auth import moderator_required
from ..moderation.decide import decide_item
from . import queries, services
from .models import Memory

moderate_bp = Blueprint("memories_moderation", __name__, url_prefix="/moderate")

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

    def approve():
        return approved_words(services.approve(memory, current_user.moderator)), []

    def reject():
        return _("Rejected. It will not appear, and its photo is deleted."), services.reject(memory, current_user.moderator)

    return decide_item(request.form.get("action"), {"approve": approve, "reject": reject},
                       "memories_moderation.queue", (services.DecisionError,))
