"""Moderators read new gallery photos and new words for them in their own tab."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..community.forms import ButtonForm
from ..extensions import db
from ..moderation import tabs
from ..moderation.auth import moderator_required
from ..moderation.decide import decide_item
from . import queries, services
from .models import GalleryPhoto

moderate_bp = Blueprint("gallery_moderation", __name__, url_prefix="/moderate")

tabs.register("photos", "gallery_moderation.queue", _l("Photos"), queries.waiting_count, order=40)


@moderate_bp.get("/gallery")
@moderator_required
def queue():
    """Gallery photos and new words waiting for a decision, oldest first, each with its memorial."""
    return render_template("gallery/moderate.html", items=queries.waiting(), form=ButtonForm(), tab="photos",
                           tabs=tabs.counted())


@moderate_bp.post("/gallery/<int:item_id>")
@moderator_required
def decide(item_id: int):
    """Approve (it appears on the memorial while the memorial is public) or reject (a new photo is deleted)."""
    item = db.get_or_404(GalleryPhoto, item_id)

    def approve():
        services.approve(item, current_user.moderator)
        return _("Approved. It shows in the memorial's gallery."), []

    def reject():
        return _("Rejected. It will not appear."), services.reject(item, current_user.moderator)

    return decide_item(request.form.get("action"), {"approve": approve, "reject": reject},
                       "gallery_moderation.queue", (services.DecisionError,))
