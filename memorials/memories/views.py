"""Visitors share a memory on a memorial; the family lets it appear, hides it, or shows it again."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _

from ..community.guestbook import SAID
from ..community import views as community_views
from ..extensions import csrf, limiter
from ..responses import private_page
from ..stories import photos
from ..stories import memorial
from ..stories.queries import published_by_slug
from . import services
from .forms import MemoryForm
from .models import Memory

bp = Blueprint("memories", __name__, url_prefix="/stories")


def _limit():
    return current_app.config["COMMUNITY_RATE_LIMIT"]


def _memorial(slug: str):
    story = published_by_slug(slug)
    if story is None:
        abort(404)
    return story


def _refused(_limit_hit):
    """Too many memories from one connection: the memorial again, every word kept, the form open, and why."""
    form = MemoryForm()
    form.form_errors.append(_("You have shared several memories in a short time. Please wait a few minutes, then "
                              "press Share again: your words are still here."))
    return memorial.render_memorial(_memorial(request.view_args["slug"]), 429, memory_form=form)


# CSRF is checked by the form (not before the view), so a stale token brings the words back.
@bp.post("/<slug>/memories")
@csrf.exempt
@limiter.limit(_limit, on_breach=_refused)
def share(slug):
    """Share a memory. A moderator (and the family, if they asked) reads it before it appears."""
    story = _memorial(slug)
    form = MemoryForm()
    valid = form.validate()
    # The same path as every photo: checked by content, re-encoded, resized; refused beside the field.
    photo = photos.from_field(form.photo, current_app.config["PHOTO_MAX_BYTES"]) if valid else None
    if valid and photo is not False:
        try:
            if not form.is_bot:
                services.leave(story, form.name.data, form.memory.data, form.email.data, photo, form.photo_alt.data)
        except photos.StoreDown as error:   # nothing was saved: the words come back, the note beside the photo
            form.photo.errors = [*form.photo.errors, str(error)]
        else:
            session[SAID] = {"story": story.id, "what": "memory"}
            return redirect(url_for("stories.show", slug=slug, _anchor="memories-said"))
    if form.csrf_token.errors:
        form.form_errors.append(_("This page was open for a long while, so please press Share once more. "
                                  "Your words are kept."))
    if getattr(form.photo.data, "filename", None) and not form.photo.errors:
        form.photo.errors = [_("Please choose the photo again: for your safety, browsers don't keep a chosen file "
                               "when a form comes back.")]
    return memorial.render_memorial(story, memory_form=form)


@bp.post("/manage/<token>/memories/<int:memory_id>")
@private_page
def family_memory(token, memory_id):
    """The family lets a memory appear, hides it at once, or shows it again; no moderator needed."""
    return community_views.family_decision(token, Memory, memory_id, {
        "approve": services.family_approve, "hide": services.hide, "show": services.show_again,
    }, {
        "approve": lambda name: _("The memory from %(name)s is now on the memorial.", name=name),
        "hide": lambda name: _("The memory from %(name)s is hidden. It does not show on the memorial.", name=name),
        "show": lambda name: _("The memory from %(name)s shows on the memorial again.", name=name),
    })
