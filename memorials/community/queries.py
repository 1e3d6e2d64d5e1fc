"""Read-only queries for the guestbook, reports and the moderation queue: a fixed number of
statements whatever the number of messages or memorials."""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..paging import paginate
from ..stories.models import Story, StoryVersion
from .models import CandleTally, Condolence, CondolenceStatus, Report, ReportStatus


def candle_count(story_id: int) -> int:
    """Every candle ever lit for this memorial (a visitor's memorial reads it with the story instead:
    candle_total_subquery)."""
    total = db.session.execute(
        db.select(db.func.sum(CandleTally.candles)).where(CandleTally.story_id == story_id)
    ).scalar()
    return int(total or 0)


# Built once per worker, their values bound as they run: building one costs SQLAlchemy more than running it
# (see memorials/search/query.py).
@cache
def _condolences():
    return (db.select(Condolence)
            .where(Condolence.story_id == bindparam("story_id"),
                   Condolence.status == CondolenceStatus.PUBLISHED.value)
            .order_by(Condolence.created_at, Condolence.id))


def condolence_page(story_id: int, page: int, per_page: int, total: int | None = None):
    """One page of a memorial's published messages, oldest first (`total`: how many, if read with the memorial;
    none are then read from an empty guestbook)."""
    return paginate(_condolences(), page, per_page, {"story_id": story_id}, total)


FAMILY_SEES = [CondolenceStatus.WITH_FAMILY.value, CondolenceStatus.PUBLISHED.value, CondolenceStatus.HIDDEN.value]


def family_condolences(story_id: int, limit: int = 500) -> list[Condolence]:
    """The messages on a memorial, those waiting for the family and those they hid, oldest first, for their
    private page."""
    return list(db.session.execute(
        db.select(Condolence)
        .where(Condolence.story_id == story_id, Condolence.status.in_(FAMILY_SEES))
        .order_by(Condolence.created_at, Condolence.id).limit(limit)
    ).scalars())


def waiting_condolences(limit: int = 200) -> list[Condolence]:
    """Messages waiting for a moderator, oldest first, each with its memorial's name."""
    return list(db.session.execute(
        db.select(Condolence).where(Condolence.status == CondolenceStatus.PENDING.value)
        .options(joinedload(Condolence.story).joinedload(Story.live_version))
        .order_by(Condolence.created_at, Condolence.id).limit(limit)
    ).unique().scalars())


def open_reports() -> list[Report]:
    """Reports waiting for a moderator, oldest first, each with its memorial."""
    return list(db.session.execute(
        db.select(Report).where(Report.status == ReportStatus.OPEN.value)
        .options(joinedload(Report.story).joinedload(Story.live_version))
        .order_by(Report.created_at, Report.id)
    ).unique().scalars())


def report(report_id: int) -> Report | None:
    return db.session.execute(
        db.select(Report).where(Report.id == report_id)
        .options(joinedload(Report.story).joinedload(Story.live_version).joinedload(StoryVersion.photo))
    ).unique().scalar_one_or_none()


def waiting_messages():
    """How many messages wait for a moderator, as a subquery (the queue's tabs count every kind at once)."""
    return (db.select(db.func.count()).select_from(Condolence)
            .where(Condolence.status == CondolenceStatus.PENDING.value).scalar_subquery())


def open_report_count():
    """How many reports wait for a moderator, as a subquery."""
    return (db.select(db.func.count()).select_from(Report)
            .where(Report.status == ReportStatus.OPEN.value).scalar_subquery())


def candle_total_subquery():
    """Every candle lit for the memorial of the outer query's Story row (for a list's cards)."""
    return (db.select(db.func.coalesce(db.func.sum(CandleTally.candles), 0))
            .where(CandleTally.story_id == Story.id).correlate(Story).scalar_subquery())


def message_total_subquery():
    """The messages shown on the memorial of the outer query's Story row (read from the story's index)."""
    return (db.select(db.func.count()).select_from(Condolence)
            .where(Condolence.story_id == Story.id, Condolence.status == CondolenceStatus.PUBLISHED.value)
            .correlate(Story).scalar_subquery())
