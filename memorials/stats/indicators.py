"""The statistics' shared names: CDC's indicators, the places with a page, how old is history.

A leaf: it imports nothing of ours, so the importers, compute, the views and other packages
(letters, feeds, the home page) import it at the top of their files without a cycle.
"""
from __future__ import annotations

# CDC VSRR's own indicator names (the dataset's "Indicator" column).
ALL_DRUGS = "Number of Drug Overdose Deaths"
SYNTHETIC = "Synthetic opioids, excl. methadone (T40.4)"
# The indicators the site shows, in the order it shows them. Others in a file are skipped.
INDICATORS = (
    ALL_DRUGS,
    "Opioids (T40.0-T40.4,T40.6)",
    SYNTHETIC,
    "Heroin (T40.1)",
    "Natural & semi-synthetic opioids (T40.2)",
    "Methadone (T40.3)",
    "Cocaine (T40.5)",
    "Psychostimulants with abuse potential (T43.6)",
)

NATIONAL = "US"
# Places with a page: the nation, the 50 states, DC and Puerto Rico (CDC reports these; not the other
# territories). In memorials/states.py's order; tests check the two agree.
STATE_CODES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
)
PAGE_CODES = (NATIONAL,) + STATE_CODES + ("PR",)
# CDC reports New York City apart from the rest of the state: New York State's rows are both codes.
NEW_YORK_CITY = "YC"
# A section whose newest month is more than this many months older than the newest month on the site is history.
STALE_MONTHS = 18
