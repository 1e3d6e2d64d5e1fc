"""The forms families fill in: sharing a story, editing it, withdrawing it, finding their link."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (BooleanField, DateField, EmailField, FieldList, Form, FormField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from ..gallery.models import MAX_PHOTOS
from ..honeypot import HoneypotMixin
from ..i18n import current_language, number
from ..languages import LANGUAGE_NAMES, LANGUAGES
from ..states import STATES, state_choices
from ..text import one_line
from ..timeutil import utcnow
from .models import NameDisplay

STORY_MIN, STORY_MAX = 50, 20_000
MAX_GALLERY = MAX_PHOTOS   # photos besides the main one (memorials/gallery)
EARLIEST = date(1900, 1, 1)


def stripped(value):
    return value.strip() if isinstance(value, str) else value


def _story_length_message() -> str:
    return _("Please write between %(min)s and %(max)s characters.", min=number(STORY_MIN), max=number(STORY_MAX))


class KindDateField(DateField):
    """A date field whose complaint a person can act on."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Please give the date as year-month-day, for example 2023-04-17.")) from None


class GalleryRowForm(Form):
    """The words for one gallery photo: a description for people who cannot see it, and a caption."""

    alt = StringField(
        _l("Describe this photo"),
        filters=[one_line],
        validators=[Optional(), Length(max=200, message=_l("Please keep this under 200 characters."))],
        description=_l("Needed for each photo, for people who use screen readers: who is in it, and what is happening."),
    )
    caption = StringField(
        _l("Caption"),
        filters=[one_line],
        validators=[Optional(), Length(max=300, message=_l("Please keep the caption under 300 characters."))],
        description=_l("Shown under the photo, if you like: a place, a year, a few words."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Needed for every photo chosen (checked with the photos, since a row without a photo may stay empty):
        # the label says so, not "(optional)".
        self.alt.flags.required = True


def refresh_errors(rows: FieldList) -> None:
    """After errors were added to rows once the form was validated: the list says so too (as WTForms would)."""
    errors = [entry.errors for entry in rows.entries]
    rows.errors = errors if any(errors) else []


class GalleryUploadFields:
    """Up to twelve more photos, each with its own description (required) and caption (optional): the rows follow
    the order the photos were chosen in. Mixed into the story form, and the gallery's form on the family's page."""

    photos = MultipleFileField(
        _l("More photos"),
        description=_l("Up to %(count)s, in the order you choose them. JPEG, PNG or WebP, up to 10 MB each and "
                       "40 MB together; you can add more later from your private page.", count=MAX_GALLERY),
    )
    gallery = FieldList(FormField(GalleryRowForm), min_entries=MAX_GALLERY, max_entries=MAX_GALLERY)

    def chosen_photos(self) -> list:
        """The files chosen (an empty file input sends one nameless part: not a photo)."""
        return [f for f in (self.photos.data or []) if getattr(f, "filename", None)]

    def validate_gallery_rows(self, room: int) -> bool:
        """Each chosen photo needs its description; no more photos than the gallery has room for."""
        chosen = self.chosen_photos()
        ok = True
        if len(chosen) > room:
            self.photos.errors = [*self.photos.errors, _("The gallery has room for %(count)s more photos. Please "
                                                          "choose fewer.", count=number(room)) if room else
                                  _("The gallery is full (%(count)s photos). Remove one before adding another.",
                                    count=number(MAX_GALLERY))]
            ok = False
        for index, _upload in enumerate(chosen[:MAX_GALLERY]):
            row = self.gallery.entries[index].form
            if not (row.alt.data or "").strip():
                row.alt.errors = [*row.alt.errors, _("Please describe this photo in a few words.")]
                ok = False
        refresh_errors(self.gallery)
        return ok


class StoryFields(HoneypotMixin, FlaskForm):
    """Every field of a story; the new-story form adds consent, the edit form a photo removal."""

    name = StringField(
        _l("Their name"),
        validators=[InputRequired(_l("Please tell us their name.")),
                    Length(max=120, message=_l("Please keep the name under 120 characters."))],
        description=_l("Their full name. You choose below how it is shown."),
    )
    nickname = StringField(
        _l("What people called them"),
        validators=[Optional(), Length(max=60, message=_l("Please keep this under 60 characters."))],
        description=_l("A nickname, if they had one."),
    )
    name_display = RadioField(
        _l("How should their name appear?"),
        choices=[
            (NameDisplay.FULL.value, _l("Full name")),
            (NameDisplay.FIRST.value, _l("First name only")),
            (NameDisplay.INITIALS.value, _l("Initials only")),
        ],
        default=NameDisplay.FULL.value,
        validators=[InputRequired(_l("Please choose how their name should appear."))],
    )
    born = KindDateField(_l("Date of birth"), validators=[Optional()],
                         description=_l("If you know it. We show their age."))
    died = KindDateField(_l("Date they died"), validators=[InputRequired(_l("Please give the date they died."))])
    city = StringField(_l("Hometown"),
                       validators=[Optional(), Length(max=80, message=_l("Please keep this under 80 characters."))])
    state = SelectField(
        _l("State"),
        choices=[("", _l("Choose a state"))] + state_choices(),
        validators=[Optional()],   # which passes blank space on as it came: one_line makes it no state
        filters=[one_line],
        validate_choice=False,
    )
    photo = FileField(_l("A photo of them"),
                      description=_l("JPEG, PNG or WebP, up to 10 MB. We remove location and camera details."))
    photo_alt = StringField(
        _l("Describe the photo in a few words"),
        validators=[Optional(), Length(max=200, message=_l("Please keep this under 200 characters."))],
        description=_l("For people who use screen readers, for example: “Maria laughing at the beach”."),
    )
    story = TextAreaField(
        _l("Their story"),
        validators=[
            InputRequired(_l("Please write a few words about them.")),
            Length(max=STORY_MAX, message=LazyString(_story_length_message)),
        ],
        description=_l("Who they were, what they loved, what you want people to know. "
                       "You can use *italics*, **bold**, lists and links."),
    )
    content_note = StringField(
        _l("Content note"),
        validators=[Optional(), Length(max=200, message=_l("Please keep this under 200 characters."))],
        description=_l("A short warning shown before the story, if it describes something hard to read "
                       "(for example: “describes the night of the overdose”)."),
    )
    submitter_name = StringField(_l("Your name"),
                                 validators=[Optional(),
                                             Length(max=120, message=_l("Please keep this under 120 characters."))],
                                 description=_l("Shown with the story as “Shared by …” unless you leave it empty."))
    relationship = StringField(_l("Your relationship to them"),
                               validators=[Optional(), Length(max=80, message=_l("Please keep this under 80 characters."))],
                               description=_l("For example: mother, brother, best friend."))
    email = EmailField(
        _l("Your email"),
        validators=[InputRequired(_l("Please give your email, so we can send your private link.")),
                    Email(_l("That doesn't look like an email address. Please check it."), check_deliverability=False),
                    Length(max=254, message=_l("Please keep this under 254 characters."))],
        description=_l("Never shown to anyone. We send your private link to edit or withdraw the story here."),
    )
    # Each language's own name (not translated): a reader of either finds theirs at once.
    language = RadioField(
        _l("Which language is the story written in?"),
        choices=[(lang, LANGUAGE_NAMES[lang]) for lang in LANGUAGES],
        validators=[Optional()],
        description=_l("We mark the story with it, so that screen readers read it aloud in the right voice."),
    )
    fund_name = StringField(
        _l("In memory of: a fund or foundation"),
        filters=[one_line],
        validators=[Optional(), Length(max=120, message=_l("Please keep this under 120 characters."))],
        description=_l("If the family asks for gifts in their memory: the fund's name, for example “The Danny "
                       "Rivera Scholarship”."),
    )
    fund_url = StringField(
        _l("Its web address"),
        filters=[stripped],
        validators=[Optional(), Length(max=500, message=_l("Please keep the address under 500 characters."))],
        description=_l("One address, starting with https://. A moderator reads it with the story."),
    )

    def validate_fund_name(self, field):
        # The address's own check stops at an empty address (Optional), so a name without one is said here.
        if (field.data or "").strip() and not (self.fund_url.data or "").strip():
            raise ValidationError(_("Please give the fund's web address, or leave its name empty."))

    def validate_fund_url(self, field):
        parts = urlsplit(field.data)
        if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname \
                or any(c.isspace() for c in field.data):
            raise ValidationError(_("Please give a full web address, starting with https://"))
        if not (self.fund_name.data or "").strip():
            raise ValidationError(_("Please give the fund's name too, so visitors know where the link goes."))

    def validate_name(self, field):
        # InputRequired lets "   " through; a name of only spaces would be stored as no name at all.
        if not " ".join((field.data or "").split()):
            raise ValidationError(_l(_l("Please tell us their name.")))

    def validate_state(self, field):
        if field.data and field.data not in STATES:
            raise ValidationError(_("Please choose a state from the list."))

    def validate_died(self, field):
        if field.data and field.data > utcnow().date():
            raise ValidationError(_("This date is in the future. Please check it."))
        if field.data and field.data < EARLIEST:
            raise ValidationError(_("Please check the year."))

    def validate_born(self, field):
        if field.data and self.died.data and field.data > self.died.data:
            raise ValidationError(_("The date of birth is after the date they died. Please check both."))
        if field.data and field.data < EARLIEST:
            raise ValidationError(_("Please check the year."))

    def validate_story(self, field):
        # Counted without surrounding spaces, so a few words and many blank lines are not enough.
        if field.data and len(field.data.strip()) < STORY_MIN:
            raise ValidationError(_story_length_message())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page's language unless the family chose (or, on their private page, already chose) another.
        if self.language.data not in LANGUAGES:
            self.language.data = current_language()
        # The family's words are marked with it while they write, too: spelling checks and screen readers
        # follow the story's language, not the page's.
        for field in (self.story, self.content_note):
            field.render_kw = {**(field.render_kw or {}), "lang": self.language.data}


class NewStoryForm(GalleryUploadFields, StoryFields):
    consent = BooleanField(
        _l("I am their family, or I have their family's permission, and I accept the sharing terms."),
        validators=[InputRequired(_l("Please confirm this before sending."))],
    )
    # Opt-in; the family can stop it from every note, or change it on their private page.
    remembrance = BooleanField(
        _l("Send me a remembrance note on the anniversary of their death, and on their birthday"),
        description=_l("Once a year on each date, a short note with the candles lit and the messages left "
                       "for them. Each note has a link to stop them."),
    )


class EditStoryForm(StoryFields):
    remove_photo = BooleanField(_l("Remove the photo"))


class WithdrawForm(FlaskForm):
    """A confirmation step: the first press asks, the second (confirm=yes) deletes."""

    confirm = StringField(validators=[Optional()])


class LostLinkForm(FlaskForm):
    email = EmailField(
        _l("Your email"),
        validators=[InputRequired(_l("Please give the email you used when you shared the story.")),
                    Email(_l("That doesn't look like an email address. Please check it."), check_deliverability=False)],
    )


class StewardForm(FlaskForm):
    """Invite another family member to look after the memorial: they get their own private link by mail."""

    steward_email = EmailField(
        _l("Their email"),
        filters=[stripped],
        validators=[InputRequired(_l("Please give the email of the person you want to invite.")),
                    Email(_l("That doesn't look like an email address. Please check it."), check_deliverability=False),
                    Length(max=254, message=_l("Please keep this under 254 characters."))],
        description=_l("We send them their own private link. They can do everything you can, and you can end their "
                       "access at any time (and they yours)."),
    )


class ButtonOnlyForm(FlaskForm):
    """A CSRF-only form for the family's buttons (ending someone's access)."""
