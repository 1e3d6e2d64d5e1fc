"""The moderation log: one table, written by every feature in the same transaction as the act it records.

Stories, condolences, reports, sign-ins and account changes all land here, so moderators read one
history. story_ref is a plain number, not a foreign key: when a family withdraws a story it is
deleted for good, and the log keeps only that a story with this number existed.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .timeutil import utcnow


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
# The table keeps the plain action names: they are data, not words for a reader.
ACTION_LABELS = {
    "approve": _l("approved"),
    "reject": _l("rejected"),
    "request_changes": _l("asked for changes"),
    "unpublish": _l("unpublished"),
    "republish": _l("published again"),
    "withdrawn": _l("withdrawn by the family"),
    "hide": _l("hidden"),
    "show": _l("shown again"),
    "dismiss": _l("dismissed"),
    "sign_in": _l("signed in"),
    "sign_in_failed": _l("sign-in failed"),
    "password_changed": _l("changed their password"),
    "two_factor_enrolled": _l("set up two-factor sign-in"),
    "recovery_codes_renewed": _l("made new recovery codes"),
    "two_factor_reset": _l("two-factor sign-in reset"),
    "joined": _l("joined the team"),
    "password_reset": _l("chose a new password"),
    "invited": _l("invited someone"),
    "password_link_sent": _l("sent a new-password link"),
    "role_changed": _l("role changed"),
    "enabled": _l("account turned on"),
    "disabled": _l("account turned off"),
}
KIND_LABELS = {"condolence": _l("condolence"), "report": _l("report")}
# Reasons the site itself writes (not a moderator's words), shown in the reader's language.
SYSTEM_REASONS = {
    ("sign_in", "recovery code"): _l("with a recovery code"),
    ("sign_in_failed", "password"): _l("wrong password"),
    ("sign_in_failed", "code"): _l("wrong code"),
    ("hide", "hidden by the family"): _l("hidden by the family"),
    ("show", "shown again by the family"): _l("shown again by the family"),
}


def event_label(event: ModerationEvent) -> str:
    """What happened, for a moderator: "condolence: approved", "signed in"; unknown actions as they are."""
    label = str(ACTION_LABELS.get(event.action, event.action.replace("_", " ")))
    kind = KIND_LABELS.get(event.item_kind or "")
    return f"{kind}: {label}" if kind else label


def event_reason(event: ModerationEvent) -> str:
    """Why, as written: a moderator's own words stay as they are; the site's own notes are translated."""
    reason = event.reason or ""
    return str(SYSTEM_REASONS.get((event.action, reason), reason))
