"""Who represents a ZIP code in its statehouse: the state legislative districts it touches, their members, and
the governor. One indexed query whatever the ZIP.

A ZIP code area often overlaps several districts of a chamber (about half do): then the visitor says which
one they live in, as for a split congressional ZIP. Some districts elect several members (New Hampshire,
Vermont, Arizona, Washington...): each gets a letter. Nebraska's single chamber stands in for the upper one.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..states import state_name
from . import chambers, districts
from .importer import NON_STATES
from .models import StateOfficial, ZipStateDistrict

CHAMBERS = ("upper", "lower")
UNICAMERAL = {"NE"}  # its one chamber, the Legislature, is "upper" in the ZIP table
# What some states' voters should know about their districts that our ZIP table cannot say.
STATE_NOTES = {
    "NH": lambda: _("New Hampshire also elects some representatives from larger “floterial” districts that "
                    "overlap the ones here; our ZIP code data does not include them."),
}


@dataclass(frozen=True)
class StateSeat:
    """One district of one chamber, with its sitting members (none when the seat is vacant)."""

    state: str
    chamber: str  # upper or lower (Nebraska's Legislature is upper here)
    seat: str
    census_name: str
    members: tuple[StateOfficial, ...] = ()

    @property
    def vacant(self) -> bool:
        return not self.members

    @property
    def district(self) -> str:
        """The district as its legislature names it ("12", "1st Barnstable"), else as the Census Bureau does."""
        return self.members[0].district if self.members else self.census_name

    @property
    def label(self) -> str:
        """'District 12', or the district's own name ('1st Barnstable', 'Chittenden-6-1')."""
        return district_label(self.district)

    @property
    def body(self) -> str:
        """'Ohio Senate', 'Nebraska Legislature', 'California State Assembly'."""
        chamber = "legislature" if self.state in UNICAMERAL else self.chamber
        return chambers.body_name(self.state, chamber, state_name(self.state))

    @property
    def key(self) -> str:
        return f"{self.state}:{self.chamber}:{self.seat}"


def district_label(district: str | None) -> str:
    """'12' -> 'District 12'; a name stays a name."""
    if districts.is_numbered(district):
        return _("District %(district)s", district=district)
    return district or ""


@dataclass
class StateLookup:
    """The statehouse for one ZIP code: every district it touches in each chamber, and the governors."""

    zip: str
    seats: list[StateSeat]
    governors: dict[str, StateOfficial | None] = field(default_factory=dict)  # by state; None: none current

    @property
    def states(self) -> list[str]:
        return sorted({seat.state for seat in self.seats})

    @property
    def state(self) -> str | None:
        states = self.states
        return states[0] if len(states) == 1 else None

    def in_chamber(self, chamber: str, state: str | None = None) -> list[StateSeat]:
        return [s for s in self.seats if s.chamber == chamber and (state is None or s.state == state)]

    def needs_choice(self, chamber: str, state: str | None = None) -> bool:
        return len(self.in_chamber(chamber, state)) > 1

    @property
    def split(self) -> bool:
        """The ZIP touches more than one district in some chamber (or more than one state)."""
        return any(self.needs_choice(chamber) for chamber in CHAMBERS)

    def choice_value(self, seat: StateSeat) -> str:
        """The value of a district question's answer: the seat, or 'ST:seat' when the ZIP crosses a state line."""
        return seat.seat if self.state else f"{seat.state}:{seat.seat}"

    def seat_for(self, chamber: str, value: str | None, state: str | None = None) -> StateSeat | None:
        """The district the visitor chose in this chamber (or the only one)."""
        seats = self.in_chamber(chamber, state)
        if len(seats) == 1:
            return seats[0]
        value = (value or "").strip()
        return next((s for s in seats if value in (self.choice_value(s), f"{s.state}:{s.seat}")), None)

    @property
    def notes(self) -> list[str]:
        return [STATE_NOTES[state]() for state in self.states if state in STATE_NOTES]


def today() -> date:
    """The day a role is judged current on (one place, so tests can set it)."""
    return date.today()


def current(on=None):
    """Officials whose role has not ended: a record that says it ends is never offered after that day."""
    return or_(StateOfficial.end_date.is_(None), StateOfficial.end_date >= (on if on is not None else today()))


@functools.cache
def seats_statement():
    """The one statement, made once (at first use: an alias configures every mapper, so not at import): a ZIP's
    districts, each with its sitting members, and its state's governor, by a second join on the same (state,
    seat) index, a governor having no seat."""
    governor = aliased(StateOfficial, name="governor")
    return (
        select(ZipStateDistrict, StateOfficial, governor)
        .outerjoin(StateOfficial, and_(
            StateOfficial.state == ZipStateDistrict.state, StateOfficial.seat == ZipStateDistrict.seat,
            or_(StateOfficial.chamber == ZipStateDistrict.chamber,
                and_(ZipStateDistrict.chamber == "upper", StateOfficial.chamber == "legislature")),
            current(bindparam("on"))))
        .outerjoin(governor, and_(governor.state == ZipStateDistrict.state, governor.seat == "",
                                  governor.chamber == "governor",
                                  or_(governor.end_date.is_(None), governor.end_date >= bindparam("on"))))
        .where(ZipStateDistrict.zcta == bindparam("zcta"))
        .order_by(ZipStateDistrict.state, ZipStateDistrict.seat, StateOfficial.family_name, StateOfficial.name)
    )


def find(zcta: str, on: date | None = None) -> StateLookup:
    """The statehouse for a five-digit ZIP code (cleaned by lookup.clean_zip); no seats when it is not in the
    table (DC, the territories, a PO-box ZIP). One indexed query, whatever the ZIP."""
    grouped: dict[tuple[str, str, str], tuple[ZipStateDistrict, list[StateOfficial]]] = {}
    governors: dict[str, StateOfficial | None] = {}
    rows = db.session.execute(seats_statement(), {"zcta": zcta, "on": on or today()}).all()
    for place, official, governor in rows:
        members = grouped.setdefault((place.state, place.chamber, place.seat), (place, []))[1]
        if official is not None:
            members.append(official)
        if governors.get(place.state) is None:
            governors[place.state] = governor
    seats = [StateSeat(place.state, place.chamber, place.seat, place.name, tuple(members))
             for place, members in grouped.values()]
    seats.sort(key=lambda s: (s.state, CHAMBERS.index(s.chamber), _natural(s.district)))
    return StateLookup(zcta, seats, governors)


def _natural(district: str) -> tuple:
    """'2' before '10', names in order."""
    number = "".join(ch for ch in district if ch.isdigit())
    return (int(number) if number and districts.is_numbered(district) else 10 ** 6, district)


def no_statehouse(states: list[str]) -> bool:
    """A ZIP in DC or a territory: Congress only, since our data has no state legislature there."""
    return bool(states) and all(state in NON_STATES for state in states)


def no_statehouse_note(states: list[str]) -> str:
    place = state_name(states[0]) if states else ""
    if states and states[0] == "DC":
        place = _("the District of Columbia")
    return _("%(place)s has no state legislature in our data, so there are no state lawmakers or governor to "
             "write to here. Your member of Congress is still yours to write to.", place=place[:1].upper() + place[1:])


def member_json(seat: StateSeat, official: StateOfficial | None, title: str) -> dict:
    """One state legislator (or a vacant seat) for /api/representatives."""
    return {
        "name": official.name if official else None,
        "title": title,
        "chamber": official.chamber if official else ("legislature" if seat.state in UNICAMERAL else seat.chamber),
        "state": seat.state,
        "district": official.district if official else seat.district,  # Idaho's seats: "2A", "2B"
        "vacant": official is None,
        "party": official.party if official else None,
        "phone": official.phone if official else None,
        "address": official.address if official else None,
        "email": official.email if official else None,
        "district_office": ({"address": official.district_address, "phone": official.district_phone}
                            if official and (official.district_address or official.district_phone) else None),
        "url": official.url if official else None,
    }


def as_json(found: StateLookup, congress_states: list[str]) -> dict:
    """What /api/representatives adds for the statehouse."""
    if not found.seats:
        note = (no_statehouse_note(congress_states) if no_statehouse(congress_states) else
                _("We couldn't match ZIP code %(zip)s to state legislative districts.", zip=found.zip))
        return {"state_legislators": [], "governor": None, "state_note": note}
    titles = {(seat.state, seat.chamber): chambers.official_title(seat.state, seat.chamber) for seat in found.seats}
    answer = {
        "state_legislators": [member_json(seat, official, titles[seat.state, seat.chamber]) for seat in found.seats
                              for official in (seat.members or (None,))],
        "governor": governor_json(found.governors.get(found.state)) if found.state else None,
    }
    if not found.state:
        answer["governors"] = {state: governor_json(g) for state, g in found.governors.items()}
    if found.split:
        answer["state_districts"] = [
            {"state": seat.state, "chamber": seat.chamber, "district": seat.district, "vacant": seat.vacant,
             "members": [{"name": o.name, "party": o.party} for o in seat.members]}
            for seat in found.seats]
    if found.notes:
        answer["state_note"] = " ".join(found.notes)
    return answer


def governor_json(governor: StateOfficial | None) -> dict | None:
    if governor is None:
        return None
    return {"name": governor.name, "state": governor.state, "party": governor.party, "phone": governor.phone,
            "address": governor.address, "email": governor.email, "contact_form": governor.contact_form,
            "url": governor.url}
