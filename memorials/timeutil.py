"""Time helpers: one place that says what "now" is.

Times are stored as naive UTC: SQLite keeps no time zone, and one convention on both
databases keeps comparisons honest. Templates say "UTC" where a time is shown.
"""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
