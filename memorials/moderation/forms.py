"""Moderators' forms: signing in (password, then a code), the team, and deciding on a story."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError

from .passwords import password_problem


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(_l("Please enter your email.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Please enter your password.")),
                                                         Length(max=1000)])


class CodeForm(FlaskForm):
    """The second step: the six-digit code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[InputRequired(_l("Please type the code from your authenticator app.")), Length(max=40)],
        description=_l("The six digits your authenticator app shows now. Without your phone, type one of "
                       "your recovery codes here instead."),
    )


class NewPassword:
    """At least 12 characters, not one character, not a common password (see passwords.py)."""

    def __call__(self, form, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


def _new_password_fields():
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Please choose a password.")), Length(max=1000), NewPassword()],
        description=_l("At least 12 characters. A few ordinary words in a row are easy to remember and hard "
                       "to guess."),
    )
    confirm = PasswordField(
        _l("The same password again"),
        validators=[InputRequired(_l("Please type the password a second time.")),
                    EqualTo("password", _l("The two passwords are not the same. Please type them again."))],
    )
    return password, confirm


class SetPasswordForm(FlaskForm):
    """Accepting an invitation, or a link to choose a new password."""

    password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Your current password"),
                            validators=[InputRequired(_l("Please type your current password.")), Length(max=1000)])
    password, confirm = _new_password_fields()


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Their email"),
        validators=[InputRequired(_l("Please give the email to send the invitation to.")),
                    Email(_l("That doesn't look like an email address. Please check it."), check_deliverability=False),
                    Length(max=254)],
    )
    role = RadioField(
        _l("Role"),
        choices=[("moderator", _l("Moderator: reads and decides on stories")),
                 ("admin", _l("Admin: also manages the team and campaigns"))],
        default="moderator",
        validators=[InputRequired(_l("Please choose a role."))],
    )


class DecisionForm(FlaskForm):
    """The buttons on a story (name="action"); reject, request_changes and unpublish need a reason."""

    NEEDS_REASON = {"reject", "request_changes", "unpublish"}
    ACTIONS = {"approve", "reject", "request_changes", "unpublish", "republish"}

    version_id = HiddenField(validators=[Optional()])
    reason = TextAreaField(
        _l("Reason (sent to the family)"),
        validators=[Optional(), Length(max=2000, message=_l("Please keep the reason under 2,000 characters."))],
        description=_l("Needed to reject, to ask for changes or to unpublish. Write it to a grieving family: "
                       "plainly and kindly."),
    )

    def validate_action(self, action: str | None) -> bool:
        if action not in self.ACTIONS:
            self.form_errors.append(_("Please choose one of the buttons."))
            return False
        if action in self.NEEDS_REASON and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, _("Please write a reason: the family will read it.")]
            return False
        return True


class LogoutForm(FlaskForm):
    """A CSRF-only form: logging out is a POST."""
