"""The form a friend or relative fills in to share a memory."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..community.forms import Count, clean_text, writer_email, writer_name
from ..honeypot import HoneypotMixin
from ..text import one_line
from .models import ALT_MAX, MEMORY_MAX


class MemoryForm(HoneypotMixin, FlaskForm):
    """A memory of the person: read by a moderator before it appears."""

    name = writer_name(_l("Please tell the family who is sharing this memory."),
                       _l("Shown with your memory, for example “Rosa, his aunt”."))
    memory = TextAreaField(
        _l("Your memory"),
        filters=[clean_text],
        validators=[DataRequired(_l("Please write your memory.")),
                    Length(max=MEMORY_MAX, message=_l("Please keep your memory under %(max)s characters.",
                                                       max=Count(MEMORY_MAX)))],
        description=_l("A moment, a habit, something they said. Plain text: leave an empty line between paragraphs."),
    )
    photo = FileField(_l("A photo with your memory"),
                      description=_l("JPEG, PNG or WebP, up to 10 MB. We remove location and camera details."))
    photo_alt = StringField(
        _l("Describe the photo in a few words"),
        filters=[one_line],
        validators=[Optional(), Length(max=ALT_MAX, message=_l("Please keep this under %(max)s characters.",
                                                               max=Count(ALT_MAX)))],
        description=_l("For people who use screen readers: who is in it, and what is happening."),
    )
    email = writer_email(_l("Never shown. If you give it, we write once to tell you your memory is on the memorial."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The memorial page also holds the message form (name, email...): this form's fields get ids of their
        # own, while their names stay the ones the route reads (name, memory, photo, email).
        for field in self:
            if field.name not in ("memory", "csrf_token"):
                field.id = f"memory-{field.name}"
                field.label.field_id = field.id
