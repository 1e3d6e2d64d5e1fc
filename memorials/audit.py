"""The moderation log: one table, written by every feature in the same transaction as the act it records.

Stories, condolences, reports, sign-ins and account changes all land here, so moderators read one
history. story_ref is a plain number, not a foreign key: when a family withdraws a story it is
deleted for good, and the log keeps only that a story with this number existed.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import pgettext
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db, unseen_by_visitors
from .timeutil import utcnow


@unseen_by_visitors
class ModerationEvent(db.Model):
    """Who did what to which item, when and why."""

    __tablename__ = "moderation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("moderator.id", ondelete="SET NULL"))
    story_ref: Mapped[int | None] = mapped_column(index=True)   # the memorial concerned, if any
    version_ref: Mapped[int | None]
    item_kind: Mapped[str | None] = mapped_column(String(20))   # "condolence", "report", "moderator", ...
    item_ref: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)

    moderator = relationship("Moderator")


def log_event(story_id: int | None, version_id: int | None, action: str, *, moderator=None,
              reason: str | None = None, item_kind: str | None = None, item_ref: int | None = None) -> ModerationEvent:
    """Record an act; added to the caller's transaction so both land or neither does."""
    event = ModerationEvent(story_ref=story_id, version_ref=version_id, action=action, reason=reason,
                            moderator=moderator, item_kind=item_kind, item_ref=item_ref)
    db.session.add(event)
    return event


# What each act is called on the moderators' pages (the log, a story's history), in their language.
# The table keeps the plain action names: they are data, not words for a reader. The words carry the
# context "moderation log" so they never share a translation with a status elsewhere ("rejected").
def _action_labels() -> dict[str, str]:
    return {
        "approve": pgettext("moderation log", "approved"),
        "reject": pgettext("moderation log", "rejected"),
        "request_changes": pgettext("moderation log", "asked for changes"),
        "unpublish": pgettext("moderation log", "unpublished"),
        "republish": pgettext("moderation log", "published again"),
        "withdrawn": pgettext("moderation log", "withdrawn by the family"),
        "hide": pgettext("moderation log", "hidden"),
        "show": pgettext("moderation log", "shown again"),
        "dismiss": pgettext("moderation log", "dismissed"),
        "ask_family": pgettext("moderation log", "asked the family for a change"),
        "family_approve": pgettext("moderation log", "approved by the family"),
        "remove": pgettext("moderation log", "removed by the family"),
        "steward_added": pgettext("moderation log", "gave someone access"),
        "steward_removed": pgettext("moderation log", "ended someone's access"),
        "sign_in": pgettext("moderation log", "signed in"),
        "sign_in_failed": pgettext("moderation log", "sign-in failed"),
        "password_changed": pgettext("moderation log", "changed their password"),
        "two_factor_enrolled": pgettext("moderation log", "set up two-factor sign-in"),
        "recovery_codes_renewed": pgettext("moderation log", "made new recovery codes"),
        "two_factor_reset": pgettext("moderation log", "two-factor sign-in reset"),
        "joined": pgettext("moderation log", "joined the team"),
        "password_reset": pgettext("moderation log", "chose a new password"),
        "invited": pgettext("moderation log", "invited someone"),
        "password_link_sent": pgettext("moderation log", "sent a new-password link"),
        "role_changed": pgettext("moderation log", "role changed"),
        "enabled": pgettext("moderation log", "account turned on"),
        "disabled": pgettext("moderation log", "account turned off"),
    }


def _kind_labels() -> dict[str, str]:
    return {"condolence": pgettext("moderation log", "condolence"), "report": pgettext("moderation log", "report"),
            "memory": pgettext("moderation log", "memory"), "photo": pgettext("moderation log", "gallery photo"),
            "steward": pgettext("moderation log", "access")}


def _system_reasons() -> dict[tuple[str, str], str]:
    """Reasons the site itself writes (not a moderator's words), shown in the reader's language."""
    return {
        ("sign_in", "recovery code"): pgettext("moderation log", "with a recovery code"),
        ("sign_in_failed", "password"): pgettext("moderation log", "wrong password"),
        ("sign_in_failed", "code"): pgettext("moderation log", "wrong code"),
        ("hide", "hidden by the family"): pgettext("moderation log", "hidden by the family"),
        ("show", "shown again by the family"): pgettext("moderation log", "shown again by the family"),
        ("family_approve", "approved by the family"): pgettext("moderation log", "approved by the family"),
        ("steward_removed", "the first steward"): pgettext("moderation log", "the person who shared the story"),
    }


def event_label(event: ModerationEvent) -> str:
    """What happened, for a moderator: "condolence: approved", "signed in"; unknown actions as they are."""
    label = _action_labels().get(event.action) or event.action.replace("_", " ")
    kind = _kind_labels().get(event.item_kind or "")
    return f"{kind}: {label}" if kind else label


def event_reason(event: ModerationEvent) -> str:
    """Why, as written: a moderator's own words stay as they are; the site's own notes are translated."""
    reason = event.reason or ""
    return _system_reasons().get((event.action, reason), reason)
