"""US states, DC and territories by two-letter postal code, in the order people look for them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "AS": "American Samoa", "GU": "Guam", "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico", "VI": "U.S. Virgin Islands",
}


def state_name(code: str | None) -> str:
    return STATES.get((code or "").upper(), "")


# The few names made of ordinary words, which Spanish writes in its own words ("Distrito de Columbia");
# the states' own names stay as they are. Lazy, so STATES stays plain data for importers and downloads.
_WORDED: dict[str, object] = {
    "DC": _l("District of Columbia"), "AS": _l("American Samoa"), "MP": _l("Northern Mariana Islands"),
    "VI": _l("U.S. Virgin Islands"),
}


def local_state_name(code: str | None) -> str:
    """A state's name as the reader's language writes it ("Distrito de Columbia" on Spanish pages)."""
    code = (code or "").upper()
    return str(_WORDED[code]) if code in _WORDED else STATES.get(code, "")


def state_choices() -> list[tuple[str, object]]:
    """(code, name) for a form's list of states, in the reader's language where a name is made of words."""
    return [(code, _WORDED.get(code, name)) for code, name in STATES.items()]


# Census/FIPS state codes, for reading Census population files.
FIPS: dict[str, str] = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT", "10": "DE",
    "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL", "18": "IN", "19": "IA",
    "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD", "25": "MA", "26": "MI", "27": "MN",
    "28": "MS", "29": "MO", "30": "MT", "31": "NE", "32": "NV", "33": "NH", "34": "NJ", "35": "NM",
    "36": "NY", "37": "NC", "38": "ND", "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI",
    "45": "SC", "46": "SD", "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA",
    "54": "WV", "55": "WI", "56": "WY", "72": "PR", "60": "AS", "66": "GU", "69": "MP", "78": "VI",
}
