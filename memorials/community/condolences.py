"""State changes of a condolence: left by a visitor, approved or rejected by a moderator, then (if the family
asked to read messages first) approved by the family; hidden or shown again by the family at any time. Each
decision and its log row go in the caller's one transaction (the steps themselves are in review.py)."""
from __future__ import annotations

from flask_babel import gettext as _

from ..extensions import db
from ..stories.models import Story
from . import notices, review
from .models import Condolence, CondolenceStatus

DecisionError = review.DecisionError


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


KIND = review.Kind("condolence", Condolence, notices.condolence_published, notices.condolence_is_up,
                   lambda: _("Someone already decided on this message."))


def approve(condolence: Condolence, moderator) -> str:
    """A moderator's yes: on the memorial (the family told unless they switched it off, the writer once), or
    waiting for the family's own yes. Returns "published_told", "published" or "with_family"."""
    return review.moderator_yes(condolence, KIND, moderator)


def reject(condolence: Condolence, moderator) -> None:
    """Turn the message down. Its writer is not written to; the family never sees it."""
    review.moderator_no(condolence, KIND, moderator)


def family_approve(story: Story, condolence: Condolence) -> bool:
    """The family lets a message a moderator approved appear on the memorial."""
    return review.family_yes(story, condolence, KIND)


def hide(story: Story, condolence: Condolence) -> bool:
    """The family takes a message off their memorial, at once. False if it is not theirs or not shown."""
    return review.hide(story, condolence, KIND)


def show_again(story: Story, condolence: Condolence) -> bool:
    """The family puts back a message they hid."""
    return review.show_again(story, condolence, KIND)


def set_family_choices(story: Story, *, condolence_mail: bool, remembrance: bool,
                       family_review: bool | None = None) -> None:
    """The family's choices about their memorial's mail and messages; they apply at once."""
    story.condolence_mail = condolence_mail
    story.remembrance = remembrance
    if family_review is not None:
        story.family_review = family_review
