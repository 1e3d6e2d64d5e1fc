"""Remembrance notes: once a year, on the anniversary of the death (and the birthday, if the family
gave it), a short note to a family who asked for one. Safe to run more than once a day: the
(story, occasion, year) key of RemembranceSent lets each note out once.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import extract
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..stories.models import Story, StoryStatus, StoryVersion
from . import notices
from .models import CandleTally, Condolence, CondolenceStatus, RemembranceSent

ANNIVERSARY, BIRTHDAY = "anniversary", "birthday"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="remembrance-stop")


def stop_token(story_id: int) -> str:
    """The token of the one-click link that stops a family's notes (no sign-in, nothing stored)."""
    return _serializer().dumps(story_id)


def story_for_stop_token(token: str) -> Story | None:
    try:
        story_id = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(Story, story_id) if isinstance(story_id, int) else None


def _same_day(column, today: date):
    """Dates whose month and day are today's; on February 28 of a common year, February 29 too."""
    days = [today.day]
    if today.month == 2 and today.day == 28 and not calendar.isleap(today.year):
        days.append(29)
    return db.and_(extract("month", column) == today.month, extract("day", column).in_(days))


def _falls_on(when: date, today: date) -> bool:
    if (when.month, when.day) == (today.month, today.day):
        return True
    return ((when.month, when.day) == (2, 29) and (today.month, today.day) == (2, 28)
            and not calendar.isleap(today.year))


@dataclass
class DueNote:
    story: Story
    occasion: str
    years: int    # years since the death, or the age they would have been


def due(today: date) -> list[DueNote]:
    """Notes due today that have not gone out this year, for published memorials that asked for them."""
    sent = db.select(RemembranceSent.story_id, RemembranceSent.occasion).where(RemembranceSent.year == today.year)
    already = {(row.story_id, row.occasion) for row in db.session.execute(sent)}
    stories = db.session.execute(
        db.select(Story).join(StoryVersion, Story.live_version_id == StoryVersion.id)
        .where(Story.remembrance.is_(True), Story.status == StoryStatus.PUBLISHED.value)
        .where(db.or_(_same_day(StoryVersion.died, today),
                      db.and_(StoryVersion.born.is_not(None), _same_day(StoryVersion.born, today))))
        .options(joinedload(Story.live_version)).order_by(Story.id)
    ).unique().scalars().all()
    notes = []
    for story in stories:
        version = story.live_version
        for occasion, when in ((ANNIVERSARY, version.died), (BIRTHDAY, version.born)):
            if when is not None and when.year < today.year and _falls_on(when, today) \
                    and (story.id, occasion) not in already:
                notes.append(DueNote(story, occasion, today.year - when.year))
    return notes


def year_counts(story_ids: list[int], today: date) -> dict[int, tuple[int, int]]:
    """Candles lit and messages published in the year up to today, per memorial (two queries)."""
    since = today - timedelta(days=365)
    candles = dict(db.session.execute(
        db.select(CandleTally.story_id, db.func.sum(CandleTally.candles))
        .where(CandleTally.story_id.in_(story_ids), CandleTally.day > since)
        .group_by(CandleTally.story_id)
    ).all())
    messages = dict(db.session.execute(
        db.select(Condolence.story_id, db.func.count(Condolence.id))
        .where(Condolence.story_id.in_(story_ids), Condolence.status == CondolenceStatus.PUBLISHED.value,
               Condolence.created_at >= since)
        .group_by(Condolence.story_id)
    ).all())
    return {story_id: (int(candles.get(story_id) or 0), int(messages.get(story_id) or 0)) for story_id in story_ids}


def send_due(today: date) -> tuple[int, int]:
    """Queue every note due today, each with its record in its own transaction.

    Returns (sent, skipped): skipped are notes another run sent in the meantime."""
    notes = due(today)
    counts = year_counts([note.story.id for note in notes], today)
    sent = skipped = 0
    for note in notes:
        story_id = note.story.id
        candles, messages = counts[story_id]
        db.session.add(RemembranceSent(story_id=story_id, occasion=note.occasion, year=today.year))
        try:
            db.session.flush()
        except IntegrityError:  # another run sent this one a moment ago
            db.session.rollback()
            skipped += 1
            continue
        stop_url = current_app.config["SITE_URL"] + url_for("community.stop_remembrance",
                                                            token=stop_token(story_id))
        notices.remembrance_note(note.story, note.occasion, note.years, candles, messages, stop_url)
        db.session.commit()
        sent += 1
    return sent, skipped


def stop(story: Story) -> None:
    """No more notes for this memorial (the caller commits)."""
    story.remembrance = False


def start(story: Story) -> None:
    story.remembrance = True
