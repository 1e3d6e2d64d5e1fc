"""What the pages and the rest of the site read from the statistics: what publish stored, one small query each.

Nothing is computed here per view: compute.py made it when the figures last changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .. import pagecache
from ..i18n import month_year
from ..states import STATES
from . import publish
from .compute import place_name
from .indicators import NATIONAL, PAGE_CODES

SORTS = ("name", "count", "rate", "change")
_SORT_KEYS = {
    "name": lambda r: r["name"],
    "count": lambda r: -(r["reported"] if r["reported"] is not None else -1),
    "rate": lambda r: -(r["rate"] if r["rate"] is not None else -1),
    "change": lambda r: -(r["change"] if r["change"] is not None else -1e9),
}


def page(code: str, etag: str | None) -> dict | None:
    """One place's page figures (see compute.page; the nation's has "states", the table), parsed once per
    process per content."""
    return publish.payload(f"page/{code}", etag)


def sorted_rows(table: dict, sort: str) -> list[dict]:
    """The state table's rows in the order asked for: by name, or the largest deaths, rate or change first."""
    return sorted(table["rows"], key=_SORT_KEYS[sort])


def page_etag(code: str) -> str | None:
    """The page's content hash now (one small query): a page view needs nothing else when it is unchanged."""
    return publish.etag(f"page/{code}")


def headline(code: str) -> dict | None:
    """A place's headline figures (see compute.headline), or None; one small query."""
    code = (code or "").upper()
    if code not in PAGE_CODES:
        return None
    return publish.read(f"headline/{code}")


def national_headline() -> dict | None:
    """The nation's headline for the home page, or None before any figures are loaded."""
    return headline(NATIONAL)


def state_line(code: str | None) -> dict | None:
    """For a memorial: its state's headline figure with the state's name, or None (no query for other codes;
    asked once per worker while nothing public changes)."""
    code = (code or "").upper()
    if code == NATIONAL or code not in PAGE_CODES:
        return None
    head = pagecache.while_unchanged(("headline", code), lambda: headline(code))
    if not head or not (head["overdose"] or head["synthetic"]):
        return None
    return {"code": code, "name": STATES[code], **head}


@dataclass
class LatestFigures:
    """A state's figures for letters to Congress: the same figures, months and rule as its page and the table.

    overdose_deaths: CDC's newest reported 12-month count of all drug overdose deaths (None where the
    site has only synthetic-opioid counts, as for Puerto Rico), for the 12 months ending period_end.
    synthetic_opioid_deaths: deaths involving synthetic opioids in the same 12 months (None where CDC
    publishes none, as for Louisiana and Pennsylvania); synthetic_period_end is its month. Reported
    counts (CDC's "Data Value"), as the page and the state table lead with. New York is the whole state.
    """

    jurisdiction: str
    state_name: str
    period_end: date
    overdose_deaths: int | None
    synthetic_opioid_deaths: int | None
    synthetic_period_end: date | None

    @property
    def month_label(self) -> str:
        return month_year(self.period_end)


def latest_figures(code: str) -> LatestFigures | None:
    """The figures a letter quotes for a state, DC, PR or US; None for other codes or no current figures."""
    code = (code or "").upper()
    head = headline(code)
    if not head:
        return None
    overdose, same, synthetic = head["overdose"], head["synthetic_same"], head["synthetic"]
    if overdose is not None:
        return LatestFigures(code, place_name(code), overdose["period_end"], overdose["reported"],
                             same["reported"] if same else None, same["period_end"] if same else None)
    if synthetic is not None:
        return LatestFigures(code, place_name(code), synthetic["period_end"], None, synthetic["reported"],
                             synthetic["period_end"])
    return None

