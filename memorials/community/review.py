"""Who reads a visitor's words before they appear, for every kind of them (a message for the family, a memory):
a moderator first, then the family if they asked to ("We want to read messages before they appear"); and the
family can hide any of them at any time. Each step and its log row go in the caller's one transaction.

An item is any row with `status` (CondolenceStatus), `story`, `story_id`, `decided_at`, `email` and `id`.
Each kind passes what is its own: its name in the log, what to do when it goes public (the mail it sends),
and how to ask whether another of its kind already waits for the family (so they get one note, not one per
message).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..audit import log_event
from ..stories.models import Story
from ..timeutil import utcnow
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
    # The mail when it appears (to the family unless they approved it themselves, and to its writer if they left
    # an email); True when the family was told.
    went_public: Callable[[object, bool], bool]
    others_wait_for_family: Callable[[Story, object], bool]
    family_waiting_notice: Callable[[Story], object]   # the note to the family that something waits for them
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
        if story.is_public and not kind.others_wait_for_family(story, item):
            kind.family_waiting_notice(story)
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


def _publish(item, kind: Kind, family_said_yes: bool = False) -> bool:
    item.status = PUBLISHED
    told = kind.went_public(item, not family_said_yes)
    item.email = None  # used for its one message, or not at all: not kept
    return told


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
