"""Who reads a visitor's words before they appear, for every kind of them (a message for the family, a memory):
a moderator first, then the family if they asked to ("We want to read messages before they appear"); and the
family can hide any of them at any time. Each step and its log row go in the caller's one transaction.

An item is any row with `status` (CondolenceStatus), `story`, `story_id`, `decided_at`, `email` and `id`.
Each kind passes what is its own: its name in the log, its model, and the mail it sends when it goes public
(to the family, and to its writer if they left an email).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..audit import log_event
from ..extensions import db
from ..stories.models import Story
from ..timeutil import utcnow
from . import notices
from .models import CondolenceStatus

PENDING, WITH_FAMILY = CondolenceStatus.PENDING.value, CondolenceStatus.WITH_FAMILY.value
PUBLISHED, HIDDEN, REJECTED = (CondolenceStatus.PUBLISHED.value, CondolenceStatus.HIDDEN.value,
                               CondolenceStatus.REJECTED.value)


class DecisionError(ValueError):
    """The item changed while it was being read (someone else decided first)."""


@dataclass(frozen=True)
class Kind:
    """What differs between a message and a memory."""

    name: str                                          # "condolence", "memory": the log's item_kind
    model: type                                        # Condolence, Memory
    tell_family: Callable[[Story, object], object]     # it is on the memorial (unless they switched that off)
    tell_writer: Callable[[Story, object], object]     # once, to a writer who left an email
    already_decided: Callable[[], str]                 # what a second moderator reads ("Someone already ...")


def moderator_yes(item, kind: Kind, moderator) -> str:
    """A moderator approves: the item goes public, or waits for the family if they asked to read first.

    Returns "published_told", "published" or "with_family" (what the moderator's page says)."""
    if item.status != PENDING:
        raise DecisionError(kind.already_decided())
    story = item.story
    item.decided_at = utcnow()
    log_event(story.id, story.live_version_id, "approve", moderator=moderator, item_kind=kind.name, item_ref=item.id)
    if story.family_review:
        item.status = WITH_FAMILY
        if story.is_public and not _others_wait_for_family(kind, story, item):
            notices.family_waiting(story, kind.name)
        return "with_family"
    return "published_told" if _publish(item, kind) else "published"


def moderator_no(item, kind: Kind, moderator) -> None:
    """A moderator turns it down: nobody is told, the family never sees it, its email is erased."""
    if item.status != PENDING:
        raise DecisionError(kind.already_decided())
    item.status = REJECTED
    item.decided_at = utcnow()
    item.email = None
    log_event(item.story_id, item.story.live_version_id, "reject", moderator=moderator, item_kind=kind.name,
              item_ref=item.id)


def family_yes(story: Story, item, kind: Kind) -> bool:
    """The family lets an item a moderator approved appear. False if it is not theirs or not waiting."""
    if item.story_id != story.id or item.status != WITH_FAMILY:
        return False
    log_event(story.id, story.live_version_id, "family_approve", reason="approved by the family",
              item_kind=kind.name, item_ref=item.id)
    _publish(item, kind, family_said_yes=True)
    return True


def _others_wait_for_family(kind: Kind, story: Story, item) -> bool:
    """Something else of this kind already waits for the family: they were told then, once is enough."""
    model = kind.model
    return db.session.execute(
        db.select(model.id).where(model.story_id == story.id, model.id != item.id, model.status == WITH_FAMILY)
        .limit(1)).first() is not None


def _publish(item, kind: Kind, family_said_yes: bool = False) -> bool:
    """On the memorial: the family is told (unless they said yes themselves, or switched it off), the writer once.
    Returns True when the family is told."""
    item.status = PUBLISHED
    story = item.story
    told = not family_said_yes and story.condolence_mail and story.is_public
    if told:
        kind.tell_family(story, item)
    if item.email and story.is_public:
        kind.tell_writer(story, item)
    item.email = None  # used for its one message, or not at all: not kept
    return bool(told)


def hide(story: Story, item, kind: Kind) -> bool:
    """The family takes an item off their memorial at once (or declines one waiting for them)."""
    if item.story_id != story.id or item.status not in (PUBLISHED, WITH_FAMILY):
        return False
    item.status = HIDDEN
    item.email = None
    log_event(story.id, story.live_version_id, "hide", reason="hidden by the family", item_kind=kind.name,
              item_ref=item.id)
    return True


def show_again(story: Story, item, kind: Kind) -> bool:
    """The family puts back an item they hid."""
    if item.story_id != story.id or item.status != HIDDEN:
        return False
    item.status = PUBLISHED
    log_event(story.id, story.live_version_id, "show", reason="shown again by the family", item_kind=kind.name,
              item_ref=item.id)
    return True
