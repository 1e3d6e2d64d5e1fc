"""CDC's provisional overdose counts as imported, the releases they came from, and what rates need."""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class StatRelease(db.Model):
    """One imported file: where it came from, when it was imported, how far it runs."""

    __tablename__ = "stat_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(500))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    latest_period: Mapped[date | None]
    row_count: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(Text)

    @property
    def name(self) -> str:
        """The file's name or URL, without the server's folders."""
        return self.source if "://" in self.source else self.source.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def cdc_releases(self) -> list[dict]:
        """For the bundled snapshot: the CDC releases it was built from (file, cdc_release, runs_through)."""
        try:
            found = json.loads(self.note or "")
        except ValueError:
            return []
        return found if isinstance(found, list) else []


class StatFigure(db.Model):
    """One 12-month-ending count: CDC's figure for a jurisdiction, indicator and month, exactly.

    reported is CDC's "Data Value", predicted its delay-adjusted "Predicted Value"; either is
    empty (None) where CDC suppressed it or has none, never 0. nyc_included says, for New York
    rows only, whether the figure covers New York City too (True: a source added NY and YC
    together) or not (False: CDC's own NY, which excludes NYC, reported apart as YC).
    """

    __tablename__ = "stat_figure"
    __table_args__ = (UniqueConstraint("jurisdiction", "indicator", "period_end", name="uq_stat_figure_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(2), index=True)
    indicator: Mapped[str] = mapped_column(String(120))
    period_end: Mapped[date]
    reported: Mapped[int | None]
    predicted: Mapped[int | None]
    percent_pending: Mapped[float | None]
    footnote: Mapped[str | None] = mapped_column(Text)
    nyc_included: Mapped[bool | None]
    release_id: Mapped[int] = mapped_column(ForeignKey("stat_release.id"), index=True)


class Population(db.Model):
    """Census resident population estimate (July 1) for a state, DC, PR or the nation (US)."""

    __tablename__ = "population"
    __table_args__ = (UniqueConstraint("jurisdiction", "year", name="uq_population_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    year: Mapped[int]
    population: Mapped[int]
    source: Mapped[str] = mapped_column(String(200))


class AgeGroupDeaths(db.Model):
    """Deaths involving synthetic opioids (T40.4) by age group for one year, from CDC WONDER."""

    __tablename__ = "age_group_deaths"
    __table_args__ = (UniqueConstraint("year", "age_group", name="uq_age_group_deaths_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    age_group: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    deaths: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(200))
