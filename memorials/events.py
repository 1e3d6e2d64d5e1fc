"""What happens to a memorial, announced once, so that features which keep something in step with it
(the search index, share cards, feeds) listen here instead of reaching into moderation or stories.

Each signal is sent inside the transaction that makes the change, after the change is flushed; a
receiver adds its own rows to the same transaction. A receiver that writes files should do so only
once the transaction commits (see `after_commit`).

    story_published(story)   a version went live: first approval, an approved edit, or republishing
    story_hidden(story)      no longer public: unpublished by a moderator, or withdrawn by the family
                             (withdrawn: sent just before the story is deleted)
"""
from __future__ import annotations

from collections.abc import Callable

from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

_signals = Namespace()
story_published = _signals.signal("story-published")
story_hidden = _signals.signal("story-hidden")


def after_commit(action: Callable[[], None]) -> None:
    """Run `action` once the current transaction commits (dropped if it rolls back)."""
    db.session.info.setdefault(_PENDING, []).append(action)


_PENDING = "memorials.after_commit"


@event.listens_for(Session, "after_commit")
def _run_pending(session) -> None:
    for action in session.info.pop(_PENDING, []):
        action()


@event.listens_for(Session, "after_rollback")
def _drop_pending(session) -> None:
    session.info.pop(_PENDING, None)
