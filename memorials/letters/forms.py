"""The letter form a visitor fills in, and the campaign form admins use."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, Email, InputRequired, Length, Optional, Regexp, ValidationError

from .compose import PLACEHOLDERS, unknown_placeholders
from .models import CampaignStatus

NOTE_PROMPTS = ("Who did you lose, and what were they like? What has it been like since? "
                "What do you want your members of Congress to do?")


class LetterForm(FlaskForm):
    """One form for the whole letter; the district question appears only when the ZIP needs it."""

    zip = StringField("Your ZIP code", validators=[
        InputRequired("Please enter your ZIP code."),
        Regexp(r"^\s*\d{5}(-?\d{4})?\s*$", message="Please enter a five-digit ZIP code, like 20002."),
    ], description="We use it only to find your members of Congress.")
    district = RadioField("Which district do you live in?", choices=[], validate_choice=False,
                          validators=[Optional()])
    sender_name = StringField("Your name", validators=[
        InputRequired("Please enter your name: it signs the letter."),
        Length(max=120, message="Please keep your name under 120 characters.")])
    sender_address = StringField("Street address", validators=[
        InputRequired("Please enter your street address: offices answer constituents by mail."),
        Length(max=200, message="Please keep the address under 200 characters.")],
        description="Congressional offices reply to constituents, and check that you live where you say.")
    sender_city = StringField("City or town", validators=[
        InputRequired("Please enter your city or town."),
        Length(max=80, message="Please keep the city under 80 characters.")])
    personal_note = TextAreaField("In your own words", validators=[
        Optional(), Length(max=5000, message="Please keep your words under 5,000 characters.")],
        description=NOTE_PROMPTS)
    email = EmailField("Email me a copy", validators=[
        Optional(), Email("Please check the email address."), Length(max=254)],
        description="We send the copy once and keep nothing.")
    # Set by the buttons on the letters page (name="format"), and which letter to download.
    format = HiddenField(validators=[Optional(), AnyOf(["", "html", "txt", "pdf"])])
    member = HiddenField(validators=[Optional(), Length(max=20)])


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CampaignForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired("Please give the campaign a title."), Length(max=160)])
    slug = StringField("Address (slug)", validators=[
        InputRequired("Please give the campaign an address."), Length(max=80),
        Regexp(SLUG, message="Use lower-case letters, digits and hyphens, like saving-lives-now.")],
        description="The end of the page address: /letters/<slug>.")
    summary = TextAreaField("Short summary", validators=[
        InputRequired("Please write a short summary."), Length(max=500, message="Keep it under 500 characters.")],
        description="One or two sentences, shown in the list of campaigns.")
    ask = TextAreaField("The ask", validators=[InputRequired("Please say what the letter asks for."),
                                                Length(max=5000)],
                        description="What we ask Congress to do (Markdown).")
    letter_template = TextAreaField("Letter", validators=[InputRequired("Please write the letter."),
                                                          Length(max=20000)],
                                    description="Markdown. Placeholders: " + ", ".join(
                                        "{{ %s }}" % name for name in PLACEHOLDERS) + ".")
    status = SelectField("Status", choices=[(s.value, s.value.capitalize()) for s in CampaignStatus],
                         validators=[InputRequired()])

    def validate_letter_template(self, field) -> None:
        unknown = unknown_placeholders(field.data)
        if unknown:
            raise ValidationError("We don't know " + ", ".join("{{ %s }}" % n for n in unknown) +
                                  ". The placeholders are: " + ", ".join("{{ %s }}" % n for n in PLACEHOLDERS) + ".")
