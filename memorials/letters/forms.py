"""The letter form a visitor fills in, and the campaign form admins use."""
from __future__ import annotations


from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (EmailField, FieldList, Form, FormField, HiddenField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField, URLField)
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length, Optional, Regexp, ValidationError

from ..slugs import WELL_FORMED
from ..states import STATES
from .compose import PLACEHOLDERS, unknown_placeholders
from . import models
from .importer import NON_STATES

NOTE_PROMPTS = _l("Who did you lose, and what were they like? What has it been like since? "
                  "What do you want your members of Congress to do?")
STATE_NOTE_PROMPTS = _l("Who did you lose, and what were they like? What has it been like since? "
                        "What do you want your state's leaders to do?")
# A recipient on the letters page: a member of Congress's bioguide id, or a state official's Open States id.
RECIPIENT = r"[A-Z]\d{6}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# The languages a letter can be written in: English first, what congressional offices read fastest.
LETTER_LANGUAGES = [("en", _l("English")), ("es", _l("Spanish (español)"))]


class LetterEdit(Form):
    """One member's letter as the sender changed it on the letters page (never stored)."""

    member = HiddenField(validators=[Optional(), Regexp(rf"^(?:{RECIPIENT})$")])
    body = TextAreaField(validators=[Optional(), Length(max=20000, message=_l(
        "Please keep each letter under 20,000 characters."))])


class LetterForm(FlaskForm):
    """One form for the whole letter, phone first: ZIP, then name and address, then their own words.

    The district question appears only when the ZIP needs it. Everything else the letters page
    needs to redo its work (which memorial, edits, the one-time token) travels in the POST.
    """

    zip = StringField(_l("Your ZIP code"), validators=[
        InputRequired(_l("Please enter your ZIP code.")),
        Regexp(r"^\s*\d{5}(-?\d{4})?\s*$", message=_l("Please enter a five-digit ZIP code, like 20002.")),
    ], description=_l("We use it only to find your members of Congress."), render_kw={"inputmode": "numeric"})
    district = RadioField(_l("Which district do you live in?"), choices=[], validate_choice=False,
                          validators=[Optional()])
    # The ZIP the district question was asked for: sent back without a choice, it is an error.
    district_zip = HiddenField(validators=[Optional(), Length(max=10)])
    # For a state campaign: the district in each chamber, asked when the ZIP touches several; and for which ZIP.
    upper_district = RadioField(_l("Which state senate district do you live in?"), choices=[],
                                validate_choice=False, validators=[Optional(), Length(max=90)])
    lower_district = RadioField(_l("Which state house district do you live in?"), choices=[],
                                validate_choice=False, validators=[Optional(), Length(max=90)])
    state_district_zip = HiddenField(validators=[Optional(), Length(max=10)])
    sender_name = StringField(_l("Your name"), validators=[
        InputRequired(_l("Please enter your name: it signs the letter.")),
        Length(max=120, message=_l("Please keep your name under 120 characters."))])
    sender_address = StringField(_l("Street address"), validators=[
        InputRequired(_l("Please enter your street address: offices answer constituents by mail.")),
        Length(max=200, message=_l("Please keep the address under 200 characters."))],
        description=_l("Offices reply to the people they represent by mail, and check that you live where you say."))
    sender_city = StringField(_l("City or town"), validators=[
        InputRequired(_l("Please enter your city or town.")),
        Length(max=80, message=_l("Please keep the city under 80 characters."))])
    memorial = HiddenField()  # a memorial's slug; anything else is ignored with a note, never an error
    relation = StringField(_l("Who were they to you?"), validators=[
        Optional(), Length(max=60, message=_l("Please keep this under 60 characters."))])
    personal_note = TextAreaField(_l("In your own words"), validators=[
        Optional(), Length(max=5000, message=_l("Please keep your words under 5,000 characters."))],
        description=NOTE_PROMPTS)
    letter_language = RadioField(_l("Write my letters in"), choices=LETTER_LANGUAGES, default="en",
                                 validate_choice=False, validators=[Optional(), AnyOf(
                                     [code for code, _name in LETTER_LANGUAGES],
                                     message=_l("Please choose English or Spanish for your letters."))],
                                 description=_l("English is what congressional offices read fastest, so it is "
                                                "the usual choice. Your own words stay exactly as you typed "
                                                "them, in either language."))
    email = EmailField(_l("Email me a copy"), validators=[
        Optional(), Email(_l("Please check the email address.")), Length(max=254)],
        description=_l("We send the copy once and keep nothing: not your address, not your words."))
    once = HiddenField()  # checked by services.token_is_valid; a bad one only means nothing is counted
    # The member a button on the letters page names (download one letter, "I called"): the button's own value.
    member = HiddenField(validators=[Optional(), Length(max=40)])
    # One per letter: a state senator, up to ten representatives of a New Hampshire district, and the governor.
    edits = FieldList(FormField(LetterEdit), min_entries=0, max_entries=16)

    def chosen_language(self) -> str:
        """The letter's language: what the sender chose, English when they chose nothing we offer."""
        codes = [code for code, _name in LETTER_LANGUAGES]
        return self.letter_language.data if self.letter_language.data in codes else codes[0]

    def edited_bodies(self) -> dict[str, str]:
        """{bioguide: the body the sender wrote}, for letters they changed."""
        return {entry.form.member.data: entry.form.body.data for entry in self.edits
                if entry.form.member.data and entry.form.body.data}



STATUS_NAMES = {"draft": _l("Draft"), "live": _l("Live"), "archived": _l("Archived"), "won": _l("Won"),
                "closed": _l("Closed")}
LEVEL_NAMES = {"congress": _l("Congress"), "state": _l("State legislators and governors")}
RECIPIENT_NAMES = {"upper": _l("The state senator"), "lower": _l("The state representative (or assemblymember, "
                                                                "delegate: the state's own title)"),
                   "governor": _l("The governor")}
ASK_PROMPT = _l("What we ask them to do (Markdown).")
CALL_PROMPT = _l("Finishes the sentence “I'm calling to ask Senator Smith to …”, for example: fund naloxone in "
                 "every school. Leave empty to name the campaign instead.")
SPANISH = {"lang": "es"}  # the Spanish fields are read and spell-checked as Spanish, whatever the page's language


def _placeholder_names() -> str:
    return ", ".join("{{ %s }}" % name for name in PLACEHOLDERS)


def _known_placeholders(field) -> None:
    unknown = unknown_placeholders(field.data)
    if unknown:
        raise ValidationError(_("We don't know %(unknown)s. The placeholders are: %(names)s.",
                                unknown=", ".join("{{ %s }}" % n for n in unknown), names=_placeholder_names()))


class CampaignForm(FlaskForm):
    """A campaign in English and Spanish. English is required (DataRequired: blank space is not words); the
    Spanish, shown to Spanish readers once its title, summary, ask and letter are all written, may come later:
    the page says what is missing."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Please give the campaign a title.")),
                                                 Length(max=160)])
    slug = StringField(_l("Address (slug)"), validators=[
        InputRequired(_l("Please give the campaign an address.")), Length(max=80),
        Regexp(WELL_FORMED, message=_l("Use lower-case letters, digits and hyphens, like saving-lives-now."))],
        description=_l("The end of the page address: /letters/<slug>."))
    summary = TextAreaField(_l("Short summary"), validators=[
        DataRequired(_l("Please write a short summary.")),
        Length(max=500, message=_l("Keep it under 500 characters."))],
        description=_l("One or two sentences, shown in the list of campaigns."))
    ask = TextAreaField(_l("The ask"), validators=[DataRequired(_l("Please say what the letter asks for.")),
                                                   Length(max=5000)], description=ASK_PROMPT)
    call_ask = StringField(_l("The ask, for a phone call"), validators=[Optional(), Length(max=300)],
                           description=CALL_PROMPT)
    letter_template = TextAreaField(_l("Letter"), validators=[DataRequired(_l("Please write the letter.")),
                                                              Length(max=20000)])

    title_es = StringField(_l("Title in Spanish"), validators=[Optional(), Length(max=160)], render_kw=SPANISH)
    summary_es = TextAreaField(_l("Short summary in Spanish"), validators=[
        Optional(), Length(max=500, message=_l("Keep it under 500 characters."))], render_kw=SPANISH)
    ask_es = TextAreaField(_l("The ask in Spanish"), validators=[Optional(), Length(max=5000)],
                           description=ASK_PROMPT, render_kw=SPANISH)
    call_ask_es = StringField(_l("The ask for a phone call, in Spanish"), validators=[Optional(), Length(max=300)],
                              description=_l("Finishes “Llamo para pedirle a Jane Smith que …”, for example: "
                                             "financie la naloxona en todas las escuelas."), render_kw=SPANISH)
    letter_template_es = TextAreaField(_l("Letter in Spanish"), validators=[Optional(), Length(max=20000)],
                                       render_kw=SPANISH)

    level = RadioField(_l("Who the letters go to"), choices=list(LEVEL_NAMES.items()), default="congress",
                       validators=[Optional(), AnyOf(list(LEVEL_NAMES), message=_l(
                           "Please choose Congress or the states."))])
    state = SelectField(_l("Which state"), choices=[("", _l("Every state"))], default="",
                        validators=[Optional()],
                        description=_l("A state campaign is for one state (a bill in Ohio) or for every state."))
    recipients = SelectMultipleField(_l("Write to"), choices=list(RECIPIENT_NAMES.items()),
                                     widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                     validate_choice=False,  # validate_recipients says what is wrong
                                     description=_l("For a state campaign: any of them, and as many as you like."))
    bill_number = StringField(_l("Bill number"), validators=[Optional(), Length(max=40)],
                              description=_l("Optional: the bill this campaign is about, like HB 1006."))
    bill_url = URLField(_l("Official page of the bill"), validators=[
        Optional(), Length(max=300), Regexp(r"^https?://\S+$", message=_l(
            "Please give the bill's full address, starting with https://."))],
        description=_l("Its page on the legislature's own site, or congress.gov."))
    status = SelectField(_l("Status"), choices=list(STATUS_NAMES.items()), validators=[InputRequired()],
                         description=_l("Live campaigns take letters. Won and closed ones show what happened and "
                                        "their totals, under “Done”; drafts and archived ones are not shown."))
    update = TextAreaField(_l("What happened"), validators=[Length(max=5000)],  # needed when won: validate_update
                           description=_l("For a won or closed campaign: the news, for everyone who wrote "
                                          "(Markdown)."))
    update_es = TextAreaField(_l("What happened, in Spanish"), validators=[Optional(), Length(max=5000)],
                              render_kw=SPANISH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [("", _("Every state"))] + [(code, name) for code, name in STATES.items()
                                                         if code not in NON_STATES]
        # Made per request: the placeholders' names stay as they are, the sentence around them is translated.
        self.letter_template.description = _("Markdown. Placeholders: %(names)s.", names=_placeholder_names())
        self.letter_template_es.description = self.letter_template.description

    def validate_letter_template(self, field) -> None:
        _known_placeholders(field)

    def validate_letter_template_es(self, field) -> None:
        _known_placeholders(field)

    def validate_state(self, field) -> None:
        if field.data and field.data not in dict(self.state.choices):
            raise ValidationError(_("Please choose one of the states, or every state."))

    def validate_recipients(self, field) -> None:
        unknown = [value for value in field.data or [] if value not in RECIPIENT_NAMES]
        if unknown:
            raise ValidationError(_("Please choose among the state senator, the state representative and the "
                                    "governor."))
        if self.level.data == "state" and not field.data:
            raise ValidationError(_("Please choose who the letters go to: the state senator, the state "
                                    "representative, the governor, or several of them."))

    def validate_update(self, field) -> None:
        if self.status.data in ("won", "closed") and not (field.data or "").strip():
            raise ValidationError(_("Please say what happened, for the people who wrote: a won or closed "
                                    "campaign shows it."))

    def missing_spanish(self) -> list[str]:
        """The labels of the Spanish fields still empty, as the form holds them now (the campaign's own rule)."""
        missing = models.missing_spanish({name: self[name].data for name in models.SPANISH_TWINS},
                                         {name: self[f"{name}_es"].data for name in models.SPANISH_TWINS})
        return [str(self[f"{name}_es"].label.text) for name in missing]
