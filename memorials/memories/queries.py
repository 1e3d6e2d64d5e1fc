"""Read-only queries for memories: a fixed number of statements whatever their number."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import ClassVar

from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from ..paging import page_number, paginate
from ..extensions import db
from ..stories.models import Story, StoryVersion
from .forms import MemoryForm
from .models import Memory, MemoryStatus

MEMORIES_PER_PAGE = 20
FAMILY_SEES = [MemoryStatus.WITH_FAMILY.value, MemoryStatus.PUBLISHED.value, MemoryStatus.HIDDEN.value]


@dataclass
class MemoryBook:
    """What the memorial page shows of its memories."""

    memories: object            # a Pagination of published memories, oldest first
    form: MemoryForm | None     # the visitor's refused one with their words and its errors; None: blank
    form_class: ClassVar[type] = MemoryForm   # drawn blank once per worker (memorials/fragments.py)


@cache
def _published_memories():
    """Built once per worker, its memorial and page bound as it runs (see memorials/paging.py)."""
    return (db.select(Memory).where(Memory.story_id == bindparam("story_id"),
                                    Memory.status == MemoryStatus.PUBLISHED.value)
            .options(joinedload(Memory.photo)).order_by(Memory.created_at, Memory.id))


def for_memorial(story: Story, form: MemoryForm | None = None, total: int | None = None) -> MemoryBook:
    """One page of a memorial's published memories with their photos (one statement, two for a later or full
    page; none when `total`, read with the memorial, says there are none) and the form."""
    page = paginate(_published_memories(), page_number("memories"), MEMORIES_PER_PAGE, {"story_id": story.id},
                    total)
    return MemoryBook(page, form)


def for_family(story_id: int, limit: int = 500) -> list[Memory]:
    """The memories on a memorial, those waiting for the family and those they hid, oldest first."""
    return list(db.session.execute(
        db.select(Memory).where(Memory.story_id == story_id, Memory.status.in_(FAMILY_SEES))
        .options(joinedload(Memory.photo)).order_by(Memory.created_at, Memory.id).limit(limit)
    ).unique().scalars())


def waiting(limit: int = 200) -> list[Memory]:
    """Memories waiting for a moderator, oldest first, each with its memorial's name and its photo."""
    return list(db.session.execute(
        db.select(Memory).where(Memory.status == MemoryStatus.PENDING.value)
        .options(joinedload(Memory.story).joinedload(Story.live_version).joinedload(StoryVersion.photo),
                 joinedload(Memory.photo))
        .order_by(Memory.created_at, Memory.id).limit(limit)
    ).unique().scalars())


def waiting_count():
    """How many memories wait for a moderator, as a subquery (for the queue's tabs)."""
    return (db.select(db.func.count()).select_from(Memory)
            .where(Memory.status == MemoryStatus.PENDING.value).scalar_subquery())


def memory_total_subquery():
    """The memories shown on the memorial of the outer query's Story row (for a list's cards)."""
    return (db.select(db.func.count()).select_from(Memory)
            .where(Memory.story_id == Story.id, Memory.status == MemoryStatus.PUBLISHED.value)
            .correlate(Story).scalar_subquery())
