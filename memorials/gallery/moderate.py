"""Moderators read new gallery photos and new words for them in their own tab."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..community.forms import ButtonForm
from ..extensions import db
from ..moderation import tabs
from ..moderation.auth import moderator_required
from ..stories import photos
from . import moderate_bp, queries, services
from .models import GalleryPhoto

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
    action = request.form.get("action")
    if action not in {"approve", "reject"}:
        abort(400)
    unused: list[str] = []
    try:
        if action == "approve":
            services.approve(item, current_user.moderator)
            done = _("Approved. It shows in the memorial's gallery.")
        else:
            unused = services.reject(item, current_user.moderator)
            done = _("Rejected. It will not appear.")
    except services.DecisionError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("gallery_moderation.queue"))
    db.session.commit()
    photos.delete_files(*unused)
    flash(done, "success")
    return redirect(url_for("gallery_moderation.queue"))
