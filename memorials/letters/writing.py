"""Everything the letters page shows for one member: the letter (with the sender's edits), how to send
it, and how to call. Built from what the request already loaded: no query here."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from ..i18n import in_language, localized_url
from ..states import state_name
from . import calling, lookup
from .compose import Letter, Remembered, Sender, compose, figures_sentence, letter_template, member_name
from .forms import LetterForm
from .models import Campaign, DistrictOffice, Legislator

HOUSE_FIND_YOUR_REPRESENTATIVE = "https://www.house.gov/representatives/find-your-representative"


@dataclass
class Sheet:
    """One member's letter and the ways to reach them."""

    seat: lookup.Seat
    member: Legislator
    letter: Letter
    script: list[str]
    washington_hours: str
    local: DistrictOffice | None
    local_hours: str
    more_offices: int
    language: str = "en"  # the letter's and the call script's

    @property
    def name(self) -> str:
        """'Senator Moreno' (in Spanish 'Bernie Moreno'): how every button names the member, in the page's language."""
        return member_name(self.member.title, self.member.last_name, self.member.full_name)

    @property
    def full_name(self) -> str:
        """'Senator Bernie Moreno', for headings."""
        return member_name(self.member.title, self.member.last_name, self.member.full_name, full=True)

    @property
    def key(self) -> str:
        return self.member.bioguide

    @property
    def find_your_representative(self) -> str | None:
        """The House's own lookup, for a House member whose data has no contact form."""
        return HOUSE_FIND_YOUR_REPRESENTATIVE if self.member.chamber == "house" else None


def sender_from(form: LetterForm, area: lookup.Area, zip_code: str) -> Sender:
    return Sender(name=form.sender_name.data, address=form.sender_address.data, city=form.sender_city.data,
                  state=area.state, state_name=state_name(area.state), zip=zip_code,
                  personal_note=form.personal_note.data or "")


def sheets(campaign: Campaign, found: lookup.Lookup, area: lookup.Area, form: LetterForm, figures,
           remembered: Remembered | None, today: date | None = None) -> list[Sheet]:
    """A sheet per sitting member for the chosen district, each letter with the sender's edits applied.

    The letter and the call script are in the language the sender chose for the letter (the sender's
    own words stay as typed); office hours and everything else on the page, in the page's language.
    """
    language = form.chosen_language()
    sender = sender_from(form, area, found.zip)
    relation = form.relation.data or ""
    edits = form.edited_bodies()
    if remembered is not None:
        # The memorial's address in the letter's language: an office reading an English letter gets the English page.
        remembered = dataclasses.replace(remembered, url=localized_url(remembered.url, language))
    result = []
    with in_language(language):
        figures_text = figures_sentence(figures, sender.state_name)
        template = letter_template(campaign.letter_template, campaign.ask)
    for seat in found.seats(area):
        member = seat.member
        if member is None:
            continue
        with in_language(language):
            letter = compose(template, lookup.member_for(member), sender, figures, today, remembered=remembered,
                             relation=relation, figures_text=figures_text, campaign_title=campaign.title)
            script = calling.call_script(
                member_title=member.title, member_last_name=member.last_name, member_full_name=member.full_name,
                sender_name=sender.name, sender_city=sender.city, state_name=sender.state_name, zip_code=found.zip,
                campaign_title=campaign.title, call_ask=campaign.call_ask, figures_text=figures_text,
                remembered=remembered, relation=relation)
        if member.bioguide in edits:
            letter = letter.with_body(edits[member.bioguide])
        offices = found.offices_of(member)
        local = calling.nearest_office(offices, found.zip)
        result.append(Sheet(seat, member, letter, script, calling.washington_hours(), local,
                            calling.office_hours(local.state, local.hours) if local else "",
                            max(len(offices) - 1, 0), language))
    return result
