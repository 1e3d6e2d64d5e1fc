"""State changes of a condolence: left by a visitor, approved or rejected by a moderator, hidden or
shown again by the family. Each decision and its log row go in the caller's one transaction."""
from __future__ import annotations

from flask_babel import gettext as _

from ..audit import log_event
from ..extensions import db
from ..stories.models import Story
from ..timeutil import utcnow
from . import notices
from .models import Condolence, CondolenceStatus


class DecisionError(ValueError):
    """The message changed while it was being read (someone else decided first)."""


def leave(story: Story, name: str, message: str, email: str | None) -> Condolence:
    """Keep a visitor's message, waiting for a moderator. Nothing shows until it is approved."""
    waiting_before = db.session.execute(
        db.select(Condolence.id).where(Condolence.status == CondolenceStatus.PENDING.value).limit(1)
    ).first()
    condolence = Condolence(story_id=story.id, name=name, message=message, email=email or None)
    db.session.add(condolence)
    db.session.flush()
    if waiting_before is None:
        notices.condolences_waiting()
    return condolence


def _waiting(condolence: Condolence) -> None:
    if condolence.status != CondolenceStatus.PENDING.value:
        raise DecisionError(_("Someone already decided on this message."))


def approve(condolence: Condolence, moderator) -> bool:
    """Publish the message; the family is told (unless they switched it off), and the writer once.

    Returns True when the family is emailed."""
    _waiting(condolence)
    story = condolence.story
    condolence.status = CondolenceStatus.PUBLISHED.value
    condolence.decided_at = utcnow()
    log_event(story.id, story.live_version_id, "approve", moderator=moderator,
              item_kind="condolence", item_ref=condolence.id)
    told = story.condolence_mail and story.is_public
    if told:
        notices.condolence_published(story, condolence)
    if condolence.email and story.is_public:
        notices.condolence_is_up(story, condolence)
    condolence.email = None  # used for its one message, or not at all: not kept
    return told


def reject(condolence: Condolence, moderator) -> None:
    """Turn the message down. Its writer is not written to; the family never sees it."""
    _waiting(condolence)
    condolence.status = CondolenceStatus.REJECTED.value
    condolence.decided_at = utcnow()
    condolence.email = None
    log_event(condolence.story_id, condolence.story.live_version_id, "reject", moderator=moderator,
              item_kind="condolence", item_ref=condolence.id)


def hide(story: Story, condolence: Condolence) -> bool:
    """The family takes a message off their memorial, at once. False if it is not theirs or not shown."""
    if condolence.story_id != story.id or condolence.status != CondolenceStatus.PUBLISHED.value:
        return False
    condolence.status = CondolenceStatus.HIDDEN.value
    log_event(story.id, story.live_version_id, "hide", reason="hidden by the family",
              item_kind="condolence", item_ref=condolence.id)
    return True


def show_again(story: Story, condolence: Condolence) -> bool:
    """The family puts back a message they hid."""
    if condolence.story_id != story.id or condolence.status != CondolenceStatus.HIDDEN.value:
        return False
    condolence.status = CondolenceStatus.PUBLISHED.value
    log_event(story.id, story.live_version_id, "show", reason="shown again by the family",
              item_kind="condolence", item_ref=condolence.id)
    return True


def set_family_choices(story: Story, *, condolence_mail: bool, remembrance: bool) -> None:
    """The family's choices about the mail their memorial sends them; they apply at once."""
    story.condolence_mail = condolence_mail
    story.remembrance = remembrance
