"""Moderators decide on condolences and reports: their own tabs beside the story queue."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from babel import dates as babel_dates
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..i18n import format_locale
from ..moderation import tabs
from ..moderation.auth import moderator_required
from ..moderation.decide import decide_item
from ..moderation.services import events_for
from . import condolences, queries, reports
from .forms import ButtonForm, ReportDecisionForm, reason_label
from .models import Condolence

moderate_bp = Blueprint("community_moderation", __name__, url_prefix="/moderate")


tabs.register("condolences", "community_moderation.condolences_queue", _l("Messages"), queries.waiting_messages,
              order=20)
tabs.register("reports", "community_moderation.reports_queue", _l("Reports"), queries.open_report_count, order=50)


@moderate_bp.app_template_filter("report_reason")
def report_reason(value: str) -> str:
    return reason_label(value)


STORY_STATUS = {"pending": _l("waiting for a first review"), "changes_requested": _l("waiting for the family's changes"),
                "published": _l("published"), "rejected": _l("rejected"), "unpublished": _l("unpublished")}
REPORT_STATUS = {"open": _l("waiting for a decision"), "dismissed": _l("dismissed: the memorial stayed up"),
                 "asked_family": _l("the family was asked for a change"),
                 "unpublished": _l("upheld: the memorial was taken down")}
# What a line of a memorial's history says, by (what it was about, what happened).
EVENT_WORDS = {
    (None, "approve"): _l("story approved"), (None, "reject"): _l("story rejected"),
    (None, "request_changes"): _l("changes requested"), (None, "unpublish"): _l("memorial unpublished"),
    (None, "republish"): _l("memorial published again"), (None, "withdrawn"): _l("withdrawn by the family"),
    ("condolence", "approve"): _l("message approved"), ("condolence", "reject"): _l("message rejected"),
    ("condolence", "hide"): _l("message hidden by the family"),
    ("condolence", "show"): _l("message shown again by the family"),
    ("condolence", "family_approve"): _l("message approved by the family"),
    ("memory", "approve"): _l("memory approved"), ("memory", "reject"): _l("memory rejected"),
    ("memory", "hide"): _l("memory hidden by the family"), ("memory", "show"): _l("memory shown again by the family"),
    ("memory", "family_approve"): _l("memory approved by the family"),
    ("photo", "approve"): _l("gallery photo approved"), ("photo", "reject"): _l("gallery photo rejected"),
    ("photo", "remove"): _l("gallery photo removed by the family"),
    ("steward", "steward_added"): _l("the family gave someone access"),
    ("steward", "steward_removed"): _l("the family ended someone's access"),
    ("report", "ask_family"): _l("report: the family was asked for a change"),
    ("report", "dismiss"): _l("report dismissed"), ("report", "unpublish"): _l("report upheld, memorial unpublished"),
}


@moderate_bp.app_template_filter("story_status")
def story_status(value: str) -> str:
    return str(STORY_STATUS.get(value, value.replace("_", " ")))


@moderate_bp.app_template_filter("report_status")
def report_status(value: str) -> str:
    return str(REPORT_STATUS.get(value, value))


@moderate_bp.app_template_filter("moment")
def moment(value) -> str:
    """When something happened, to the minute, in UTC: digits only, the same in every language."""
    if value is None:
        return ""
    return babel_dates.format_datetime(value, "yyyy-MM-dd HH:mm", locale=format_locale()) + " UTC"


@moderate_bp.app_template_filter("event_words")
def event_words(event) -> str:
    """One line of a memorial's history in words: what happened, who did it, and the reason given."""
    words = EVENT_WORDS.get((event.item_kind, event.action))
    parts = [str(words) if words else f"{event.item_kind + ': ' if event.item_kind else ''}{event.action.replace('_', ' ')}"]
    if event.moderator:
        parts.append(event.moderator.email)
    if event.reason and event.action not in {"hide", "show", "family_approve", "steward_removed"}:
        # the family's own actions say it all
        parts.append(event.reason)
    return " · ".join(parts)


def approved_words(outcome: str) -> str:
    """What the moderator reads after approving a message or a memory."""
    if outcome == "with_family":
        return _("Approved. The family asked to read messages before they appear, so it now waits for them "
                 "on their private page.")
    if outcome == "published_told":
        return _("Published on the memorial. The family has been told.")
    return _("Published. The family is not emailed about it: they switched these emails off, "
             "or the memorial is not up now.")


@moderate_bp.get("/condolences")
@moderator_required
def condolences_queue():
    """Messages for families waiting for a decision, oldest first, each with its memorial."""
    return render_template("community/moderate_condolences.html", items=queries.waiting_condolences(),
                           form=ButtonForm(), tab="condolences", tabs=tabs.counted())


@moderate_bp.post("/condolences/<int:condolence_id>")
@moderator_required
def decide_condolence(condolence_id: int):
    """Approve (it appears, the family is told) or reject (nobody is told) one message."""
    condolence = db.get_or_404(Condolence, condolence_id)

    def approve():
        return approved_words(condolences.approve(condolence, current_user.moderator)), []

    def reject():
        condolences.reject(condolence, current_user.moderator)
        return _("Rejected. It will not appear."), []

    return decide_item(request.form.get("action"), {"approve": approve, "reject": reject},
                       "community_moderation.condolences_queue", (condolences.DecisionError,))


@moderate_bp.get("/reports")
@moderator_required
def reports_queue():
    """Concerns about memorials waiting for a decision, oldest first."""
    return render_template("community/moderate_reports.html", items=queries.open_reports(), tab="reports",
                           tabs=tabs.counted())


@moderate_bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
@moderator_required
def report(report_id: int):
    """One report with the memorial beside it: dismiss it, or unpublish the memorial."""
    item = queries.report(report_id)
    if item is None:
        abort(404)
    form = ReportDecisionForm()
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action")
        if form.validate_action(action):
            try:
                if action == "dismiss":
                    reports.dismiss(item, current_user.moderator, form.answer.data or None)
                elif action == "ask_family":
                    reports.ask_family(item, current_user.moderator, form.reason.data, bool(form.also_unpublish.data),
                                       form.answer.data or None)
                else:
                    reports.unpublish(item, current_user.moderator, form.reason.data, form.answer.data or None)
            except reports.DecisionError as error:
                db.session.rollback()
                flash(str(error), "error")
                return redirect(url_for("community_moderation.report", report_id=report_id))
            db.session.commit()
            flash({"dismiss": _("Dismissed. The memorial stays up."),
                   "ask_family": (_("The family has been asked for the change, and taken down until then.")
                                  if form.also_unpublish.data else
                                  _("The family has been asked for the change. The memorial stays up meanwhile.")),
                   }.get(action, _("Unpublished. The family has been told.")), "success")
            return redirect(url_for("community_moderation.reports_queue"))
    return render_template("community/moderate_report.html", report=item, story=item.story,
                           version=item.story.live_version, form=form, events=events_for(item.story_id),
                           tab="reports", tabs=tabs.counted())
