"""State legislative districts by name: one key for the Census Bureau's names and the legislatures' own.

The ZIP table (Census relationship files) names districts "State Senate District 12", "1st Barnstable
District", "State House District Belknap 01" or "Addison-1 State House District"; Open States names them as
the legislature does: "12", "1st Barnstable", "Belknap 1", "Addison-1". seat_key makes one key of either.
A leaf module: it imports nothing of ours.
"""
from __future__ import annotations

import re

# Words that only say what kind of district it is; removed from a name before it is compared or shown.
GENERIC = re.compile(r"\b(?:state|house|senate|legislative|senatorial|assembly|representative|delegate|district|"
                     r"subdistrict)\b|[()]", re.IGNORECASE)
# Idaho elects two representatives in each legislative district, to seats A and B ("10A", "10B"); both
# represent all of district 10, which is how the Census Bureau names it.
SEAT_LETTERS = {"ID"}
NUMBERED = re.compile(r"^\d+[A-Z]?$")


def seat_key(state: str, district: str | int | None) -> str:
    """'State House District Belknap 01' and 'Belknap 1' -> 'belknap1'; 'Legislative (Senate) District 7' -> '7'."""
    text = GENERIC.sub(" ", str(district or "").lower())
    text = re.sub(r"\band\b", " ", text)
    text = re.sub(r"\b0+(\d)", r"\1", text)
    key = re.sub(r"[^a-z0-9]", "", text)
    if state in SEAT_LETTERS and re.fullmatch(r"\d+[ab]", key):
        key = key[:-1]
    return key


def tidy_name(name: str) -> str:
    """A Census district name as a legislature would write it: '12', '1st Barnstable', 'Belknap 1', 'Addison-1'."""
    text = GENERIC.sub(" ", name or "")
    text = re.sub(r"\b0+(\d)", r"\1", text)
    return " ".join(text.split()).strip(" -,") or (name or "").strip()


def is_numbered(district: str | None) -> bool:
    """'12' and '21A' are numbers (said "District 12"); '1st Barnstable' and 'Addison-1' are names."""
    return bool(NUMBERED.match((district or "").strip().upper()))
