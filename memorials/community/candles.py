"""Candles: a count per memorial per day, and nothing about who lit them."""
from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from .models import CandleTally


def light(story_id: int, day: date) -> None:
    """Add one candle to the day's count, in one statement, so visitors lighting at once all count."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CandleTally).values(story_id=story_id, day=day, candles=1)
    statement = statement.on_conflict_do_update(
        index_elements=[CandleTally.story_id, CandleTally.day],
        set_={"candles": CandleTally.candles + 1},
    )
    db.session.execute(statement)
