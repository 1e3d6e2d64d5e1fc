"""The forms visitors and families fill in around a memorial, and the moderators' buttons."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from ..honeypot import HoneypotMixin
from ..i18n import number
from ..text import one_line
from .models import DETAILS_MAX, MESSAGE_MAX, NAME_MAX, ReportReason

class Count:
    """A limit written in the reader's language when the message is shown, not at import."""

    def __init__(self, value: int):
        self.value = value

    def __str__(self) -> str:
        return number(self.value)


def clean_text(value):
    """Multi-line text as typed, with Windows line ends made plain (control characters never reach a form: the
    request cleaner in web.py takes them out of every parameter)."""
    if value is None:
        return None
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def writer_name(required, description) -> StringField:
    """A visitor's name, shown with their words (a message, a memory)."""
    return StringField(
        _l("Your name"),
        filters=[one_line],
        validators=[DataRequired(required),
                    Length(max=NAME_MAX, message=_l("Please keep your name under %(max)s characters.",
                                                     max=Count(NAME_MAX)))],
        description=description,
    )


def writer_email(description) -> EmailField:
    """A visitor's email, never shown: used once, for the one answer it was given for."""
    return EmailField(
        _l("Your email"),
        filters=[one_line],
        validators=[Optional(),
                    Email(_l("That doesn't look like an email address. Please check it."),
                          check_deliverability=False),
                    Length(max=254)],
        description=description,
    )


class CondolenceForm(HoneypotMixin, FlaskForm):
    """A message for the family on a memorial. Read by a moderator before it appears."""

    name = writer_name(_l("Please tell the family who the message is from."), _l("Shown with your message."))
    message = TextAreaField(
        _l("Your message"),
        filters=[clean_text],
        validators=[DataRequired(_l("Please write a few words for the family.")),
                    Length(max=MESSAGE_MAX, message=_l("Please keep your message under %(max)s characters.",
                                                        max=Count(MESSAGE_MAX)))],
        description=_l("Plain text: line breaks are kept, links are shown as text."),
    )
    email = writer_email(_l("Never shown. If you give it, we write once to tell you your message is on the "
                            "memorial."))


REPORT_REASONS = [
    (ReportReason.NOT_AGREED.value, _l("It is about me or my family, and we did not agree to it")),
    (ReportReason.FALSE_OR_HURTFUL.value, _l("It is false or hurtful")),
    (ReportReason.PRIVATE_INFORMATION.value, _l("It shares private information")),
    (ReportReason.SPAM.value, _l("It is spam")),
    (ReportReason.OTHER.value, _l("Something else")),
]


def reason_label(value: str) -> str:
    """What a reason code means, in words."""
    return str(dict(REPORT_REASONS).get(value, value))


class ReportForm(HoneypotMixin, FlaskForm):
    """A concern about a memorial. Nothing about the person is kept beyond what they write here."""

    reason = SelectField(
        _l("What is wrong?"),
        choices=[("", _l("Choose one"))] + REPORT_REASONS,
        validators=[InputRequired(_l("Please choose what is wrong."))],
        validate_choice=False,
    )
    details = TextAreaField(
        _l("Tell us more"),
        filters=[clean_text],
        validators=[Optional(), Length(max=DETAILS_MAX, message=_l("Please keep this under %(max)s characters.",
                                                                     max=Count(DETAILS_MAX)))],
        description=_l("What should we look at? Only moderators read this."),
    )
    email = EmailField(
        _l("Your email, if you would like an answer"),
        filters=[one_line],
        validators=[Optional(),
                    Email(_l("That doesn't look like an email address. Please check it."),
                          check_deliverability=False),
                    Length(max=254)],
        description=_l("Only moderators see it, and we erase it once we have answered."),
    )
    def validate_reason(self, field):
        if field.data and field.data not in {value for value, _ in REPORT_REASONS}:
            raise ValidationError(_l("Please choose what is wrong from the list."))


class ButtonForm(FlaskForm):
    """A CSRF-only form: lighting a candle, hiding a message, a moderator's approve or reject."""


class GuestbookSettingsForm(FlaskForm):
    """The family's choices about the messages on their memorial and the mail it sends them."""

    family_review = BooleanField(
        _l("We want to read messages before they appear"),
        description=_l("After a moderator reads a message or a memory, it waits here for your yes before it shows "
                       "on the memorial. We email you when one is waiting."),
    )
    condolence_mail = BooleanField(_l("Email me when a message for the family is published"))
    remembrance = BooleanField(
        _l("Send me a remembrance note on the anniversary of their death, and on their birthday"),
        description=_l("Once a year on each date, with the candles lit and the messages left for them. "
                       "Each note has a link to stop them."),
    )


class ReportDecisionForm(FlaskForm):
    """A moderator's answer to a report: keep the memorial up, ask the family for a change, or take it down."""

    ACTIONS = {"dismiss", "ask_family", "unpublish"}

    reason = TextAreaField(
        _l("Reason (sent to the family)"),
        filters=[clean_text],
        validators=[Optional(), Length(max=2000, message=_l("Please keep the reason under %(max)s characters.", max=Count(2000)))],
        description=_l("Needed to ask the family for a change or to unpublish: what should change, and why. Write it "
                       "to a grieving family: plainly and kindly."),
    )
    also_unpublish = BooleanField(
        _l("Also take the memorial down until the family has changed it"),
        description=_l("Only with “Ask the family for a change”. Without it, the memorial stays up meanwhile."),
    )
    answer = TextAreaField(
        _l("Answer to the person who reported it"),
        filters=[clean_text],
        validators=[Optional(), Length(max=2000, message=_l("Please keep the answer under %(max)s characters.", max=Count(2000)))],
        description=_l("Optional. Sent only if they left an email, with a line saying what you decided."),
    )

    def validate_action(self, action: str | None) -> bool:
        if action not in self.ACTIONS:
            self.form_errors.append(_l("Please choose one of the buttons."))
            return False
        if action in ("unpublish", "ask_family") and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, _l("Please write a reason: the family will read it.")]
            return False
        return True
