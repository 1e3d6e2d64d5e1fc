"""Everything the letters page shows for one recipient (a member of Congress, a state legislator, a governor):
the letter (with the sender's edits), how to send it, and how to call. Built from what the request already
loaded: no query here."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from ..i18n import in_language, localized_url
from ..states import state_name
from . import calling, chambers, lookup, statehouse
from .compose import (Letter, Member, Remembered, Sender, compose, figures_sentence, letter_template, mailing_lines,
                      member_name)
from .forms import LetterForm
from .models import Campaign, CampaignText, StateOfficial

HOUSE_FIND_YOUR_REPRESENTATIVE = "https://www.house.gov/representatives/find-your-representative"


@dataclass
class Phone:
    """An office to call: what it is, its number, when it is open."""

    label: str
    number: str
    hours: str
    more: str = ""


@dataclass
class Sheet:
    """One recipient's letter and the ways to reach them."""

    key: str              # bioguide id, or the Open States person id: names the recipient in buttons and fields
    name: str             # 'Senator Moreno' (in Spanish 'Bernie Moreno'): how every button names them
    full_name: str        # 'Senator Bernie Moreno', for headings
    role: str             # 'U.S. Senate, Ohio', 'Ohio Senate, District 12', 'Governor of Ohio'
    party: str | None
    letter: Letter
    script: list[str]
    phones: list[Phone]
    language: str = "en"  # the letter's and the call script's
    contact_form: str | None = None
    website: str | None = None
    email: str | None = None
    find_your_representative: str | None = None  # the House's own lookup, for a House member with no form
    mailable: bool = True  # the data has a whole mailing address for the letter


@dataclass
class Writing:
    """The sender's side of every letter on one page: who, from where, in which language, in whose memory."""

    campaign: Campaign
    form: LetterForm
    zip: str
    state: str
    figures: object
    remembered: Remembered | None
    today: date | None = None
    language: str = field(init=False)
    sender: Sender = field(init=False)
    text: CampaignText = field(init=False)

    def __post_init__(self):
        self.language = self.form.chosen_language()
        form = self.form
        self.sender = Sender(name=form.sender_name.data, address=form.sender_address.data,
                             city=form.sender_city.data, state=self.state, state_name=state_name(self.state),
                             zip=self.zip, personal_note=form.personal_note.data or "")
        self.text = self.campaign.text(self.language)
        if self.remembered is not None:
            # The memorial's address in the letter's language: an office reading an English letter gets the
            # English page.
            self.remembered = dataclasses.replace(self.remembered,
                                                  url=localized_url(self.remembered.url, self.language))
        with in_language(self.language):
            self.figures_text = figures_sentence(self.figures, self.sender.state_name)
            self.template = letter_template(self.text.letter_template, self.text.language, self.text.ask,
                                            state=self.campaign.is_state)

    def write(self, member: Member, title: str, last_name: str, full_name: str) -> tuple[Letter, list[str]]:
        """One letter and its call script, in the letter's language, with the sender's edits to it (by key)."""
        sender, text = self.sender, self.text
        relation = self.form.relation.data or ""
        with in_language(self.language):
            letter = compose(self.template, member, sender, self.figures, self.today, remembered=self.remembered,
                             relation=relation, figures_text=self.figures_text, campaign_title=text.title)
            script = calling.call_script(
                member_title=title, member_last_name=last_name, member_full_name=full_name, sender_name=sender.name,
                sender_city=sender.city, state_name=sender.state_name, zip_code=self.zip, campaign_title=text.title,
                call_ask=text.call_ask, figures_text=self.figures_text, remembered=self.remembered,
                relation=relation, quoted=text.language != self.language)
        return letter, script

    def edited(self, key: str, letter: Letter) -> Letter:
        edits = self.form.edited_bodies()
        return letter.with_body(edits[key]) if key in edits else letter


def sheets(campaign: Campaign, found: lookup.Lookup, area: lookup.Area, form: LetterForm, figures,
           remembered: Remembered | None, today: date | None = None) -> list[Sheet]:
    """A sheet per sitting member of Congress for the chosen district, each letter with the sender's edits.

    The letter and the call script are in the language the sender chose for the letter (the sender's
    own words stay as typed); office hours and everything else on the page, in the page's language.
    """
    writing = Writing(campaign, form, found.zip, area.state, figures, remembered, today)
    result = []
    for seat in found.seats(area):
        member = seat.member
        if member is None:
            continue
        with in_language(writing.language):
            recipient = lookup.member_for(member)
        letter, script = writing.write(recipient, recipient.title, member.last_name, member.full_name)
        offices = found.offices_of(member)
        local = calling.nearest_office(offices, found.zip)
        phones = [Phone(_("Washington office:"), member.phone, calling.washington_hours())] if member.phone else []
        if local and local.phone:
            more = ngettext("(%(count)s other office.)", "(%(count)s other offices.)", len(offices) - 1,
                            count=len(offices) - 1) if len(offices) > 1 else ""
            phones.append(Phone(_("District office nearest you, in %(city)s:", city=local.city), local.phone,
                                calling.office_hours(local.state, local.hours), more))
        result.append(Sheet(
            key=member.bioguide, name=member_name(member.title, member.last_name, member.full_name),
            full_name=member_name(member.title, member.last_name, member.full_name, full=True), role=seat.label,
            party=member.party, letter=writing.edited(member.bioguide, letter), script=script, phones=phones,
            language=writing.language, contact_form=member.contact_form, website=member.url,
            find_your_representative=HOUSE_FIND_YOUR_REPRESENTATIVE if member.chamber == "house" else None))
    return result


@dataclass
class StateChoice:
    """The statehouse a state campaign's letters go to: the chosen district in each chamber it writes to, and
    whether it writes to the governor."""

    state: str
    seats: list[statehouse.StateSeat]
    governor: StateOfficial | None
    to_governor: bool

    @property
    def vacant(self) -> list[statehouse.StateSeat]:
        return [seat for seat in self.seats if seat.vacant]


def state_sheets(campaign: Campaign, found: statehouse.StateLookup, choice: StateChoice, form: LetterForm, figures,
                 remembered: Remembered | None, today: date | None = None) -> list[Sheet]:
    """A sheet per sitting state senator and representative of the chosen districts (every member of a
    district that elects several), then the governor: as the campaign's recipients say."""
    writing = Writing(campaign, form, found.zip, choice.state, figures, remembered, today)
    officials = [(seat, official) for seat in choice.seats for official in seat.members]
    if choice.to_governor and choice.governor is not None:
        officials.append((None, choice.governor))
    return [_state_sheet(writing, seat, official) for seat, official in officials]


def _state_sheet(writing: Writing, seat: statehouse.StateSeat | None, official: StateOfficial) -> Sheet:
    state, place = official.state, state_name(official.state)
    with in_language(writing.language):
        title = chambers.official_title(state, official.chamber)
        body = chambers.body_name(state, official.chamber, place)
    lines = mailing_lines(official.address) or mailing_lines(official.district_address)
    member = Member(title=title, full_name=official.name, last_name=official.family_name, chamber=official.chamber,
                    body=body, lines=lines)
    letter, script = writing.write(member, title, official.family_name, official.name)
    page_title = chambers.official_title(state, official.chamber)  # in the page's language, for the buttons
    phones = []
    if official.phone:
        label = _("Governor's office:") if official.chamber == "governor" else _("Capitol office:")
        phones.append(Phone(label, official.phone, calling.usual_hours(state)))
    if official.district_phone and official.district_phone != official.phone:
        phones.append(Phone(_("District office:"), official.district_phone, calling.usual_hours(state)))
    role = (chambers.body_name(state, "governor", place) if seat is None
            else f"{seat.body}, {seat.label}")
    return Sheet(key=official.key, name=member_name(page_title, official.family_name, official.name),
                 full_name=member_name(page_title, official.family_name, official.name, full=True), role=role,
                 party=official.party, letter=writing.edited(official.key, letter), script=script, phones=phones,
                 language=writing.language, contact_form=official.contact_form, website=official.url,
                 email=official.email, mailable=bool(lines))
