"""CDC's provisional overdose counts as imported, the releases they came from, and what rates need."""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class StatRelease(db.Model):
    """One imported file: where it came from, when it was imported, how far it runs."""

    __tablename__ = "stat_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(500))
    # What kind of file: "vsrr" (CDC's provisional counts), "wonder" (CDC WONDER months), "nchs_rates"
    # (Health, United States), "key_figures" (NCHS figures transcribed from text), "wonder_summary".
    dataset: Mapped[str] = mapped_column(String(20), default="vsrr", server_default="vsrr")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The months the file covers (for WONDER: a state-month inside them and absent was suppressed).
    first_period: Mapped[date | None]
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


class LongFigure(db.Model):
    """One figure of the long view since 1999, exactly as its source gives it.

    From CDC WONDER (deaths in one state and month, month 1-12), NCHS's Health, United States
    table (national rates for a year, month 0) and NCHS figures transcribed from text (a year's
    count or rate). A WONDER month under 10 deaths is suppressed by CDC, so it has no row at all:
    the release's first_period..latest_period says which months were asked for. measure names what
    is counted ("overdose", "synthetic", ...), unit how ("deaths", "crude_rate", "age_adjusted_rate");
    final is False for provisional figures.
    """

    __tablename__ = "stat_long_figure"
    __table_args__ = (UniqueConstraint("dataset", "jurisdiction", "measure", "unit", "year", "month",
                                       name="uq_stat_long_figure_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    measure: Mapped[str] = mapped_column(String(40))
    indicator: Mapped[str] = mapped_column(String(200))  # the source's own label
    unit: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    month: Mapped[int] = mapped_column(default=0)  # 0: the whole year
    value: Mapped[float]
    final: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    release_id: Mapped[int] = mapped_column(ForeignKey("stat_release.id"), index=True)


class StatArtifact(db.Model):
    """Something the statistics pages serve, computed once when the figures change (never per view).

    A page's figures as JSON, a state's headline, the downloads (gzip-compressed). etag is a hash of
    the content; changed_at is when the content last changed (the downloads' Last-Modified).
    """

    __tablename__ = "stat_artifact"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    etag: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(80))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
