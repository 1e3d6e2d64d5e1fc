"""Moderators decide on condolences and reports: their own tabs beside the story queue."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
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
