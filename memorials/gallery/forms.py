"""The family's gallery form on their private page: the photos already there (words, place, remove) and new ones."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, FormField, HiddenField, IntegerField
from wtforms.validators import NumberRange, Optional

from ..stories.forms import GalleryRowForm, GalleryUploadFields, refresh_errors


class ExistingPhotoRow(GalleryRowForm):
    """One photo already in the gallery."""

    item = HiddenField()
    position = IntegerField(_l("Place in the gallery"), validators=[Optional(), NumberRange(
        min=1, max=99, message=_l("Please give a number from 1 to 99."))],
        description=_l("1 comes first. Give two photos the same number to keep their order."))
    remove = BooleanField(_l("Remove this photo from the gallery"))


class GalleryForm(GalleryUploadFields, FlaskForm):
    existing = FieldList(FormField(ExistingPhotoRow), max_entries=20)

    def validate_existing_rows(self) -> bool:
        ok = True
        for entry in self.existing.entries:
            row = entry.form
            if not row.remove.data and not (row.alt.data or "").strip():
                row.alt.errors = [*row.alt.errors, _("Please describe this photo in a few words.")]
                ok = False
        refresh_errors(self.existing)
        return ok


def form_data(items) -> dict:
    """What the form shows for the photos already there: the family's latest words, their order."""
    return {"existing": [{"item": str(item.id), "position": index, "alt": item.family_alt,
                          "caption": item.family_caption} for index, item in enumerate(items, start=1)]}
