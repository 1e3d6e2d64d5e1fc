"""Moderators read the queue, decide, and read the log (signing in is in signin.py, the team in team.py)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from ..audit import ModerationEvent
from ..extensions import db
from ..mail.models import OutboxMessage
from ..mail.sender import failed_messages, retry
from ..stories import notices, photos
from ..stories.models import Story
from ..stories.services import prune_photos
from ..text import render_markdown
from ..stories.models import StoryVersion, VersionState
from . import auth, labels, services, tabs
from .forms import DecisionForm, LogoutForm

bp = Blueprint("moderation", __name__, url_prefix="/moderate")


@bp.app_context_processor
def logout_form():
    return {"logout_form": LogoutForm} if current_user.is_authenticated else {}


@bp.app_context_processor
def log_words():
    """The log's words in the reader's language, for every page that shows moderation history."""
    return {"event_label": labels.event_label, "event_reason": labels.event_reason}


# The words and times of every moderator's page, from one module (moderation/labels.py).
for _filter in (labels.utc_time, labels.story_status, labels.report_status, labels.event_words):
    bp.add_app_template_filter(_filter)
tabs.register("stories", "moderation.queue", _l("Stories"), lambda: (
    db.select(db.func.count()).select_from(StoryVersion)
    .where(StoryVersion.state == VersionState.PENDING.value).scalar_subquery()), order=10)


@bp.context_processor
def preview():
    """A waiting version has no stored HTML yet: render it for the moderator, through text.py; and the words
    for stored values (a story's language, status), in the moderator's language."""

    def preview_html(version):
        return version.story_html_markup if version.story_html else render_markdown(version.story_markdown)

    return {"preview_html": preview_html, "written_in": labels.written_in, "status_label": labels.status,
            "name_display_label": labels.name_display, "mail_language": labels.mail_language,
            "reason_hint": labels.reason_hint}


@bp.get("/")
@auth.moderator_required
def queue():
    """Everything waiting, oldest first, and any mail the sender gave up on."""
    return render_template("moderation/queue.html", versions=services.queue(),
                           published=services.published_stories(), failed_mail=failed_messages(),
                           retry_form=LogoutForm(), tabs=tabs.counted())


@bp.post("/mail/<int:message_id>/retry")
@auth.moderator_required
def retry_mail(message_id: int):
    """Put a message the sender gave up on back in line (once the mail server works again)."""
    if not LogoutForm().validate_on_submit():
        abort(400)
    message = db.get_or_404(OutboxMessage, message_id)
    if retry(message):
        db.session.commit()
        flash(_("The message will be sent again."), "success")
    else:
        flash(_("This message can't be sent again: its words were not kept."), "error")
    return redirect(url_for("moderation.queue"))


def _story(story_id: int) -> Story:
    story = db.session.execute(
        db.select(Story).where(Story.id == story_id)
        .options(selectinload(Story.versions), joinedload(Story.live_version))
    ).scalar_one_or_none()
    if story is None:
        abort(404)
    return story


@bp.route("/stories/<int:story_id>", methods=["GET", "POST"])
@auth.moderator_required
def story(story_id: int):
    """The submission as it will look, its raw text, the submitter's details, and the decision."""
    story = _story(story_id)
    form = DecisionForm()
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action")
        if form.validate_action(action):
            return _decide(story, form, action)
    version = story.pending_version or story.live_version or story.latest_version
    if request.method == "GET":
        form.version_id.data = str(version.id)
    return render_template("moderation/story.html", story=story, version=version, form=form,
                           events=services.events_for(story.id))


def _decide(story: Story, form: DecisionForm, action: str):
    moderator = current_user.moderator
    reason = (form.reason.data or "").strip() or None
    version_id = int(form.version_id.data) if (form.version_id.data or "").isdigit() else None
    try:
        if action == "approve":
            version = services.approve(story, moderator, version_id)
        elif action == "reject":
            version = services.reject(story, moderator, reason, version_id)
        elif action == "request_changes":
            version = services.request_changes(story, moderator, reason, version_id)
        elif action == "unpublish":
            services.unpublish(story, moderator, reason)
            version = story.live_version
        else:
            services.republish(story, moderator)
            version = story.live_version
    except services.DecisionError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("moderation.story", story_id=story.id))
    unused = prune_photos(story)
    if action != "republish":
        notices.decision(story, version, action, reason)
    db.session.commit()
    photos.delete_files(*unused)
    flash(str(services.DONE_MESSAGES[action]), "success")
    return redirect(url_for("moderation.queue"))


@bp.get("/log")
@auth.moderator_required
def log():
    """Who did what to which story, when and why."""
    page = request.args.get("page", 1, type=int)
    events = db.paginate(
        db.select(ModerationEvent).options(joinedload(ModerationEvent.moderator))
        .order_by(ModerationEvent.created_at.desc(), ModerationEvent.id.desc()),
        page=max(page, 1), per_page=50, error_out=False,
    )
    return render_template("moderation/log.html", page=events)


@bp.get("/photos/<filename>")
@auth.moderator_required
def photo(filename):
    """Any story's photo, for moderators deciding on it (whatever the store: a folder or object storage)."""
    return photos.store().send(filename, max_age=0)
