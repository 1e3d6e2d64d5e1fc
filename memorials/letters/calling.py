"""Calling a member or official: what to say in under a minute, which office to call, and when it is open.

Pure: data in, words out. Office hours come from the congress-legislators district offices
when the office gives them; otherwise we say what is usual ("9 to 5, Monday to Friday") in
the time zone of the office's state, and say so when a state spans two zones.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .compose import Remembered, member_name, relation_in_letter

EASTERN, CENTRAL, MOUNTAIN, PACIFIC = _l("Eastern"), _l("Central"), _l("Mountain"), _l("Pacific")
ALASKA, HAWAII = _l("Alaska"), _l("Hawaii-Aleutian")
ATLANTIC, CHAMORRO, SAMOA = _l("Atlantic"), _l("Chamorro"), _l("Samoa")

# The time zone(s) of each state and territory (US standard time zones, 15 U.S.C. 260 and 49 CFR 71),
# the one most people live in first. Washington offices are on Eastern time.
ZONES = {
    "AL": (CENTRAL,), "AK": (ALASKA, HAWAII), "AZ": (MOUNTAIN,), "AR": (CENTRAL,), "CA": (PACIFIC,),
    "CO": (MOUNTAIN,), "CT": (EASTERN,), "DE": (EASTERN,), "DC": (EASTERN,), "FL": (EASTERN, CENTRAL),
    "GA": (EASTERN,), "HI": (HAWAII,), "ID": (MOUNTAIN, PACIFIC), "IL": (CENTRAL,), "IN": (EASTERN, CENTRAL),
    "IA": (CENTRAL,), "KS": (CENTRAL, MOUNTAIN), "KY": (EASTERN, CENTRAL), "LA": (CENTRAL,), "ME": (EASTERN,),
    "MD": (EASTERN,), "MA": (EASTERN,), "MI": (EASTERN, CENTRAL), "MN": (CENTRAL,), "MS": (CENTRAL,),
    "MO": (CENTRAL,), "MT": (MOUNTAIN,), "NE": (CENTRAL, MOUNTAIN), "NV": (PACIFIC,), "NH": (EASTERN,),
    "NJ": (EASTERN,), "NM": (MOUNTAIN,), "NY": (EASTERN,), "NC": (EASTERN,), "ND": (CENTRAL, MOUNTAIN),
    "OH": (EASTERN,), "OK": (CENTRAL,), "OR": (PACIFIC, MOUNTAIN), "PA": (EASTERN,), "RI": (EASTERN,),
    "SC": (EASTERN,), "SD": (CENTRAL, MOUNTAIN), "TN": (CENTRAL, EASTERN), "TX": (CENTRAL, MOUNTAIN),
    "UT": (MOUNTAIN,), "VT": (EASTERN,), "VA": (EASTERN,), "WA": (PACIFIC,), "WV": (EASTERN,),
    "WI": (CENTRAL,), "WY": (MOUNTAIN,),
    "AS": (SAMOA,), "GU": (CHAMORRO,), "MP": (CHAMORRO,), "PR": (ATLANTIC,), "VI": (ATLANTIC,),
}


def usual_hours(state: str) -> str:
    """'Usually 9 to 5, Monday to Friday, Eastern time', or both zones for a state that has two."""
    zones = ZONES.get(state, (EASTERN,))
    if len(zones) == 1:
        return _("Usually 9 to 5, Monday to Friday, %(zone)s time.", zone=zones[0])
    return _("Usually 9 to 5, Monday to Friday, local time (%(first)s or %(second)s time, depending on "
             "where the office is).", first=zones[0], second=zones[1])


def washington_hours() -> str:
    return usual_hours("DC")


def office_hours(state: str, hours: str | None) -> str:
    """The hours the office gives, with its time zone when its state has only one; else the usual hours."""
    if not hours:
        return usual_hours(state)
    zones = ZONES.get(state, ())
    if len(zones) == 1:
        return _("Hours: %(hours)s (%(zone)s time).", hours=hours, zone=zones[0])
    return _("Hours: %(hours)s (local time).", hours=hours)


def nearest_office(offices: list, zip_code: str):
    """The district office nearest the caller, judged by ZIP code, or None.

    Without coordinates for ZIP codes we go by the code itself: the same ZIP, then the same
    three-digit area (one postal sorting centre), then the closest number, with a phone first.
    """
    def distance(office) -> tuple:
        theirs = (office.zip or "")[:5]
        shared = next((n for n in (5, 3, 2, 1) if theirs[:n] == zip_code[:n]), 0)
        gap = abs(int(theirs) - int(zip_code)) if theirs.isdigit() and zip_code.isdigit() else 10 ** 6
        return (office.phone is None, -shared, gap)

    return min(offices, key=distance) if offices else None


def call_script(*, member_title: str, member_last_name: str, sender_name: str, sender_city: str,
                state_name: str, zip_code: str, campaign_title: str, call_ask: str | None,
                figures_text: str = "", remembered: Remembered | None = None, relation: str = "",
                member_full_name: str = "", quoted: bool = False) -> list[str]:
    """What to say on the phone, in a few short sentences (well under a minute read aloud), in the current
    language; quoted: the campaign's phone ask is in another language (its Spanish is not written yet), and
    is quoted as written."""
    member = member_name(member_title, member_last_name, member_full_name or member_last_name)
    lines = [_("Hello, my name is %(name)s, and I'm a constituent from %(city)s, %(state)s, ZIP code %(zip)s.",
               name=sender_name.strip(), city=sender_city.strip(), state=state_name, zip=zip_code)]
    ask = " ".join((call_ask or "").split()).rstrip(".")
    if ask and quoted:
        lines.append(_("I'm calling to ask %(member)s for what this campaign asks, in its own words in English: "
                       "“%(ask)s”.", member=member, ask=ask))
    elif ask:
        lines.append(_("I'm calling to ask %(member)s to %(ask)s.", member=member, ask=ask))
    else:
        lines.append(_("I'm calling about “%(title)s”, and I'm asking %(member)s to act on it.",
                       title=campaign_title, member=member))
    if figures_text:
        lines.append(figures_text)
    if remembered is not None:
        kind, relation = relation_in_letter(relation)
        if kind == "word":
            lines.append(_("I'm calling because %(name)s, %(relation)s, died in %(year)s.", relation=relation,
                           name=remembered.name, year=remembered.died_year))
        elif kind == "neutral":
            lines.append(_("I'm calling because I lost %(name)s, someone I love, in %(year)s.",
                           name=remembered.name, year=remembered.died_year))
        else:
            lines.append(_("I'm calling in memory of %(name)s, who died in %(year)s.", name=remembered.name,
                           year=remembered.died_year))
    lines.append(_("Please pass my message on to %(member)s. Thank you.", member=member))
    return lines
