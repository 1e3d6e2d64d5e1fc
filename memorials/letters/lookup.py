"""Who represents a ZIP code: its districts, their House members, and the state's senators."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, or_

from ..extensions import db
from ..states import state_name
from .compose import Member, washington_address
from .importer import NON_STATES
from .models import DistrictOffice, Legislator, ZipDistrict

ZIP_PATTERN = re.compile(r"^\s*(\d{5})(?:-?\d{4})?\s*$")


class MalformedZip(ValueError):
    pass


class UnknownZip(LookupError):
    pass


# Military mail (APO, FPO, DPO) has ZIP codes of its own that belong to no district.
MILITARY_PREFIXES = ("090", "091", "092", "093", "094", "095", "096", "097", "098", "099", "340",
                     "962", "963", "964", "965", "966")


def clean_zip(value: str | None) -> str:
    """Five digits from '12345' or '12345-6789', else MalformedZip."""
    match = ZIP_PATTERN.match(value or "")
    if not match:
        raise MalformedZip(_("Please enter a five-digit ZIP code, like 20002."))
    return match.group(1)


def unknown_zip_message(zcta: str) -> str:
    """What to say about a ZIP code that is in no district we know, plainly."""
    if zcta.startswith(MILITARY_PREFIXES):
        return _("ZIP code %(zip)s is a military (APO, FPO or DPO) address, which belongs to no congressional "
                 "district. Please enter the ZIP code of your home of record, where you vote.", zip=zcta)
    return _("We couldn't find ZIP code %(zip)s. Please check it. If it is right, it may be a PO box or business "
             "ZIP code, which belongs to no district: please try the ZIP code of where you live.", zip=zcta)


@dataclass(frozen=True)
class Seat:
    """A seat in Congress and who holds it; member is None when the seat is vacant."""

    chamber: str
    state: str
    district: int | None
    member: Legislator | None

    @property
    def vacant(self) -> bool:
        return self.member is None

    @property
    def label(self) -> str:
        """'Illinois, District 7', 'Vermont (at large)', 'Senate, Ohio'."""
        if self.chamber == "senate":
            return _("Senate, %(state)s", state=state_name(self.state))
        if not self.district:
            return _("%(state)s (at large)", state=state_name(self.state))
        return _("%(state)s, District %(district)s", state=state_name(self.state), district=self.district)

    @property
    def key(self) -> str:
        return f"{self.state}-{self.district}"


@dataclass(frozen=True)
class Area:
    """One district a ZIP touches, with its House seat."""

    state: str
    district: int
    house: Seat

    @property
    def key(self) -> str:
        return f"{self.state}-{self.district}"


@dataclass
class Lookup:
    zip: str
    areas: list[Area]
    senators: dict[str, list[Seat]] = field(default_factory=dict)  # by state
    offices: dict[str, list[DistrictOffice]] = field(default_factory=dict)  # by bioguide

    def offices_of(self, member: Legislator | None) -> list[DistrictOffice]:
        return self.offices.get(member.bioguide, []) if member else []

    @property
    def states(self) -> list[str]:
        return sorted({a.state for a in self.areas})

    @property
    def state(self) -> str | None:
        """The ZIP's state, or None for the few ZIPs that cross a state line."""
        states = self.states
        return states[0] if len(states) == 1 else None

    @property
    def needs_choice(self) -> bool:
        return len(self.areas) > 1

    def choice_value(self, area: Area) -> str:
        """The value of the district field: the number, or 'ST-N' when the ZIP crosses a state line."""
        return str(area.district) if self.state else area.key

    def area_for(self, value: str | None) -> Area | None:
        """The area a visitor chose (or the only one)."""
        if not self.needs_choice:
            return self.areas[0]
        value = (value or "").strip().upper()
        for area in self.areas:
            if value in (area.key, self.choice_value(area)):
                return area
        return None

    def seats(self, area: Area | None = None) -> list[Seat]:
        """House seat(s) first, then senators: for one chosen area, or for every area."""
        areas = [area] if area else self.areas
        seats = [a.house for a in areas]
        for state in sorted({a.state for a in areas}):
            seats.extend(self.senators.get(state, []))
        return seats


def find(zip_code: str) -> Lookup:
    """Everything needed to write to the members for a ZIP; MalformedZip or UnknownZip otherwise.

    Two indexed queries whatever the ZIP: its districts with their members (the House member of
    each district and the state's senators, joined), then those members' district offices.
    """
    zcta = clean_zip(zip_code)
    seat_of = and_(Legislator.state == ZipDistrict.state,
                   or_(Legislator.chamber == "senate", Legislator.district == ZipDistrict.district))
    rows = db.session.execute(
        db.select(ZipDistrict.state, ZipDistrict.district, Legislator).outerjoin(Legislator, seat_of)
        .where(ZipDistrict.zcta == zcta).order_by(ZipDistrict.state, ZipDistrict.district)
    ).all()
    if not rows:
        raise UnknownZip(unknown_zip_message(zcta))
    districts = sorted({(state, district) for state, district, _m in rows})
    states = sorted({state for state, _d in districts})
    members = list({m.id: m for _s, _d, m in rows if m is not None}.values())
    house = {(m.state, m.district): m for m in members if m.chamber == "house"}
    areas = [Area(state, district, Seat("house", state, district, house.get((state, district))))
             for state, district in districts]
    senators = {}
    for state in states:
        if state in NON_STATES:
            continue
        sitting = sorted((m for m in members if m.chamber == "senate" and m.state == state),
                         key=lambda m: m.last_name)
        seats = [Seat("senate", state, None, m) for m in sitting[:2]]
        seats += [Seat("senate", state, None, None)] * (2 - len(seats))  # a vacancy is said, not skipped
        senators[state] = seats
    offices: dict[str, list[DistrictOffice]] = {}
    if members:  # a territory whose seat is vacant has no one to look up
        for office in db.session.execute(
            db.select(DistrictOffice).where(DistrictOffice.bioguide.in_([m.bioguide for m in members]))
            .order_by(DistrictOffice.city, DistrictOffice.id)
        ).scalars():
            offices.setdefault(office.bioguide, []).append(office)
    return Lookup(zcta, areas, senators, offices)


def as_json(lookup: Lookup) -> dict:
    """The /api/representatives answer."""
    return {
        "zip": lookup.zip,
        "state": lookup.state,
        "states": lookup.states,
        "districts": [a.district for a in lookup.areas],
        "areas": [{"state": a.state, "district": a.district} for a in lookup.areas],
        "representatives": [_seat_json(seat, lookup.offices_of(seat.member)) for seat in lookup.seats()],
    }


def _seat_json(seat: Seat, offices: list[DistrictOffice]) -> dict:
    """One seat for the API: who holds it and how to reach them (office hours as the office gives them)."""
    member = seat.member
    return {
        "name": member.full_name if member else None,
        "title": member.title if member else None,
        "chamber": seat.chamber,
        "state": seat.state,
        "district": seat.district,
        "vacant": member is None,
        "party": member.party if member else None,
        "phone": member.phone if member else None,
        "office": ", ".join(washington_address(member_for(member))) if member else None,
        "contact_form": member.contact_form if member else None,
        "url": member.url if member else None,
        "local_offices": [{"city": o.city, "state": o.state, "address": o.address, "zip": o.zip, "phone": o.phone,
                           "hours": o.hours} for o in offices],
    }


def member_for(legislator: Legislator) -> Member:
    """What compose needs to know about a sitting member."""
    return Member(title=legislator.title, full_name=legislator.full_name, last_name=legislator.last_name,
                  chamber=legislator.chamber, office=legislator.office, address=legislator.address)
