"""Moderators' forms: signing in, and deciding on a story."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired("Please enter your email.")])
    password = PasswordField("Password", validators=[InputRequired("Please enter your password.")])


class DecisionForm(FlaskForm):
    """The buttons on a story (name="action"); reject, request_changes and unpublish need a reason."""

    NEEDS_REASON = {"reject", "request_changes", "unpublish"}
    ACTIONS = {"approve", "reject", "request_changes", "unpublish", "republish"}

    version_id = HiddenField(validators=[Optional()])
    reason = TextAreaField(
        "Reason (sent to the family)",
        validators=[Optional(), Length(max=2000, message="Please keep the reason under 2,000 characters.")],
        description="Needed to reject, to ask for changes or to unpublish. Write it to a grieving family: "
                    "plainly and kindly.",
    )

    def validate_action(self, action: str | None) -> bool:
        if action not in self.ACTIONS:
            self.form_errors.append("Please choose one of the buttons.")
            return False
        if action in self.NEEDS_REASON and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, "Please write a reason: the family will read it."]
            return False
        return True


class LogoutForm(FlaskForm):
    """A CSRF-only form: logging out is a POST."""
