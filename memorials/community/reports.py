"""State changes of a report about a memorial: made by a visitor, then dismissed or upheld by a
moderator (who unpublishes the story through the moderation service, so the family is told)."""
from __future__ import annotations

from flask_babel import gettext as _

from ..audit import log_event
from ..extensions import db
from ..moderation import services as moderation
from ..stories import notices as story_notices
from ..stories import stewards
from ..stories.models import Story, StoryStatus
from ..timeutil import utcnow
from . import notices
from .models import Report, ReportStatus


class DecisionError(ValueError):
    """The report or its memorial changed while the moderator read it."""


def make(story: Story, reason: str, details: str | None, email: str | None) -> Report:
    """Keep a concern as the person wrote it, and tell the moderators at once."""
    report = Report(story_id=story.id, story=story, reason=reason, details=details or None, email=email or None)
    db.session.add(report)
    db.session.flush()
    notices.report_received(report)
    return report


def _open(report: Report) -> None:
    if report.status != ReportStatus.OPEN.value:
        raise DecisionError(_("Someone already decided on this report."))


def _close(report: Report, status: ReportStatus, moderator, action: str, note: str | None,
           answer: str | None) -> None:
    report.status = status.value
    report.decided_at = utcnow()
    log_event(report.story_id, report.story.live_version_id, action, moderator=moderator, reason=note,
              item_kind="report", item_ref=report.id)
    if report.email:
        notices.report_answer(report, status == ReportStatus.UNPUBLISHED, answer)
    report.email = None  # kept only until the answer is queued


def dismiss(report: Report, moderator, answer: str | None = None) -> None:
    """The memorial stays up; the person who reported is answered if they left an email."""
    _open(report)
    _close(report, ReportStatus.DISMISSED, moderator, "dismiss", answer, answer)


def ask_family(report: Report, moderator, request: str, also_unpublish: bool = False,
               answer: str | None = None) -> None:
    """Ask the family to change something: they get the moderator's words by mail with their private link (each
    steward their own), and the memorial stays up unless the moderator also takes it down. Logged."""
    _open(report)
    story = report.story
    if also_unpublish:
        if story.status != StoryStatus.PUBLISHED.value:
            raise DecisionError(_("This memorial is not published any more."))
        try:
            moderation.unpublish(story, moderator, request)
        except moderation.DecisionError as error:
            raise DecisionError(str(error)) from None
    story.moderator_note = request
    version = story.live_version or story.latest_version
    for email, lang, token in stewards.fresh_links_for_all(story):
        notices.change_asked(story, version, email, lang, token, request, also_unpublish)
    _close(report, ReportStatus.ASKED_FAMILY, moderator, "ask_family", request, answer)


def unpublish(report: Report, moderator, reason: str, answer: str | None = None) -> list[Report]:
    """Take the memorial down with the reason the family reads (the same service and mail as from the
    story's own page). Every open report about it is closed with it. Returns the reports closed."""
    _open(report)
    story = report.story
    if story.status != StoryStatus.PUBLISHED.value:
        raise DecisionError(_("This memorial is not published any more."))
    try:
        moderation.unpublish(story, moderator, reason)
    except moderation.DecisionError as error:
        raise DecisionError(str(error)) from None
    story_notices.decision(story, story.live_version, "unpublish", reason)
    others = db.session.execute(
        db.select(Report).where(Report.story_id == story.id, Report.status == ReportStatus.OPEN.value)
        .order_by(Report.id)
    ).scalars().all()
    closed = [report] + [other for other in others if other.id != report.id]
    for each in closed:
        _close(each, ReportStatus.UNPUBLISHED, moderator, "unpublish", reason,
               answer if each is report else None)
    return closed
