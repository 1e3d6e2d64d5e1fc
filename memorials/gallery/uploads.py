"""Gallery photos from a form (the story form or the family's gallery form), each through the same path as the
main photo: read with a size limit, checked by content, re-encoded, resized. Errors go beside the field."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from ..i18n import number
from ..stories import photos
from .services import NewPhoto


def processed(form) -> list[NewPhoto] | None:
    """The chosen photos with their words, in order; None when one could not be used (the reason is on the
    `photos` field, naming the photo by its place)."""
    chosen = form.chosen_photos()
    new, problems = [], []
    for index, upload in enumerate(chosen):
        row = form.gallery.entries[index].form
        try:
            data = photos.read_upload(upload, current_app.config["PHOTO_MAX_BYTES"])
            if data is None:
                continue
            new.append(NewPhoto(photos.process(data), row.alt.data.strip(), (row.caption.data or "").strip() or None))
        except photos.PhotoError as error:
            problems.append(_("Photo %(number)s: %(problem)s", number=number(index + 1), problem=str(error)))
    if problems:
        form.photos.errors = [*form.photos.errors, *problems]
        return None
    return new
