"""A gallery photo's own page (the plain link every thumbnail is), and the family's gallery form."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..responses import private_page, public_page
from ..stories import photos
from ..stories import manage
from ..stories.queries import published_by_slug
from ..stories.services import find_access
from . import queries, services, uploads
from .forms import GalleryForm

bp = Blueprint("gallery", __name__, url_prefix="/stories")


@bp.get("/<slug>/photos/<int:item_id>")
@public_page(shared=60, keys=("memorials",))
def photo_page(slug, item_id):
    """One photo of a memorial's gallery, large, with its caption and the photos before and after it."""
    story = published_by_slug(slug)
    if story is None:
        abort(404)
    items = queries.for_memorial(story)
    index = next((i for i, item in enumerate(items) if item.id == item_id), None)
    if index is None:
        abort(404)
    return render_template("gallery/photo.html", story=story, v=story.live_version, item=items[index],
                           number=index + 1, total=len(items),
                           before=items[index - 1] if index > 0 else None,
                           after=items[index + 1] if index + 1 < len(items) else None)


@bp.post("/manage/<token>/gallery")
@private_page
def family_gallery(token):
    """The family adds photos, changes their words and order, or removes them. New photos and new words wait for a
    moderator; the rest of the memorial stays as it is meanwhile."""
    access = find_access(token)
    if access is None:
        abort(make_response(render_template("stories/manage_missing.html"), 404))
    story = access.story
    items = {str(item.id): item for item in queries.for_family(story)}
    form = GalleryForm()
    valid = form.validate()
    valid = form.validate_existing_rows() and valid
    removing = sum(1 for entry in form.existing.entries if entry.form.remove.data and entry.form.item.data in items)
    valid = form.validate_gallery_rows(services.room(story) + removing) and valid
    new = uploads.processed(form) if valid else None
    if not valid or new is None:
        return manage.render_manage(access, token, gallery_form=form)
    changes = [services.Change(items[row.item.data], row.alt.data.strip(), (row.caption.data or "").strip() or None,
                               row.position.data, bool(row.remove.data))
               for row in (entry.form for entry in form.existing.entries) if row.item.data in items]
    written: list[str] = []
    try:
        removed = services.change(story, changes)
        added = services.add(story, new, written)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        photos.delete_files(*written)
        if not isinstance(error, photos.StoreDown):
            raise
        # Nothing was saved: the family's words come back with the note beside the photos.
        form.photos.errors = [*form.photos.errors, str(error)]
        return manage.render_manage(access, token, gallery_form=form)
    photos.delete_files(*removed)
    flash(_("Thank you. New photos and new words will be read by a moderator before they appear; everything else "
            "is saved.") if added or any(c.item.words_waiting for c in changes if not c.remove)
          else _("Saved. Thank you."), "success")
    return redirect(url_for("stories.manage", token=token, _anchor="gallery"))
