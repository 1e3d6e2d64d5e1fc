"""Visitors read memorials; families share and manage theirs."""
from __future__ import annotations

import time

from flask import abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .. import storage
from ..extensions import csrf, db, limiter
from ..feeds.addresses import is_slug, moved_to
from ..i18n import current_language
from ..responses import private_page, public_page
from ..search import cards
from ..search.forms import FindForm
from ..search.query import find
from . import bp, notices, photos
from .forms import EditStoryForm, LostLinkForm, NewStoryForm, WithdrawForm
from .models import Story, StoryVersion
from .queries import photo_is_public, published_by_slug
from .services import (StoryInput, edit_story, find_by_token, offer_new_link, stories_for_email,
                       submit_story, use_token, withdraw_story)


# Every answer to a lost-link request takes at least this long, known email or not.
LOST_LINK_SECONDS = 0.25


def _limit():
    return current_app.config.get("STORY_RATE_LIMIT", "20 per hour")


def _story_sent(response) -> bool:
    """Only a story or an edit actually sent counts toward the limit; a form sent back with a mistake does not."""
    return response.status_code in (302, 303)


def _form_back_when_limited(_limit_reached):
    """Over the limit: the form comes back with every word kept and a plain note, never an error page."""
    flash(_("Many stories have been sent from your connection in the last hour, so we can't take this one "
            "just yet. Everything you wrote is still here: please wait a little while, then press send again."),
          "error")
    if request.endpoint == "stories.manage":
        story = find_by_token(request.view_args.get("token", ""))
        if story is None:
            return None  # the plain "slow down" page
        form = EditStoryForm()
        page = render_template("stories/manage.html", story=story, current=story.pending_version or story.latest_version,
                               form=form, token=request.view_args["token"], withdraw_form=WithdrawForm(),
                               stale=False, photo_again=_photo_was_sent(form))
    else:
        form = NewStoryForm()
        page = render_template("stories/new.html", form=form, stale=False, photo_again=_photo_was_sent(form))
    return make_response(page, 429)


_story_limit = limiter.limit(_limit, methods=["POST"], deduct_when=_story_sent,
                             on_breach=_form_back_when_limited)


@bp.get("/")
@public_page(shared=60, keys=("memorials",))
def index():
    """Published memorials, newest first, 24 a page; with words or filters, those that match."""
    form = FindForm(request.args)
    form.validate()  # a value in error is set aside, with a note beside its field
    filters = form.filters()
    results = find(filters, _page_number(request.args.get("page")), current_app.config["STORIES_PER_PAGE"])
    results.items = cards.render(results.entries, heading="h3")
    form.offer_years(results.years)
    return render_template("stories/index.html", form=form, filters=filters, page=results,
                           args=form.query_args())


def _page_number(value: str | None) -> int:
    """page=3 -> 3; anything that is not a page number -> 1; absurdly large -> a page past the end."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit():
        return 1
    return max(1, min(int(value[:12]), 10**9))


def _processed_photo(form):
    """The uploaded photo, processed; None when none was chosen. Errors go beside the field."""
    try:
        data = photos.read_upload(form.photo.data, current_app.config["PHOTO_MAX_BYTES"])
        return photos.process(data) if data is not None else None
    except photos.PhotoError as error:
        form.photo.errors = [*form.photo.errors, str(error)]
        return False


def _notify_new(story: Story, token: str) -> None:
    """The family's private link and the moderators' note, queued in the story's own transaction."""
    notices.story_received(story, story.latest_version, token)
    notices.tell_moderators(story, story.latest_version, edit=False)


def _notify_edit(story: Story, version: StoryVersion) -> None:
    notices.edit_received(story, version)
    notices.tell_moderators(story, version, edit=True)


def _photo_was_sent(form) -> bool:
    return bool(getattr(form.photo.data, "filename", None))


# CSRF is checked by the form itself (not before the view), so that a token that went
# stale while a family wrote brings back their words with a note, never an error page.
@bp.route("/new", methods=["GET", "POST"])
@csrf.exempt
@_story_limit
@public_page()
def new():
    """Share a story. Nothing is public until a moderator approves it."""
    form = NewStoryForm()
    if request.method == "POST":
        valid = form.validate()
        photo = _processed_photo(form) if valid else None
        if valid and photo is not False:
            if form.is_bot:
                return redirect(url_for("stories.thanks"))
            try:
                story, token = submit_story(StoryInput.from_form(form), photo, notify=_notify_new)
            except photos.StoreDown as error:
                form.photo.errors = [*form.photo.errors, str(error)]
            else:
                session["manage_token"] = token
                return redirect(url_for("stories.thanks"))
    return render_template("stories/new.html", form=form, stale=_stale(form),
                           photo_again=request.method == "POST" and _photo_was_sent(form))


def _stale(form) -> bool:
    return bool(form.csrf_token.errors) if hasattr(form, "csrf_token") else False


@bp.get("/thanks")
@private_page
def thanks():
    """What happens next, and the private link (shown once, also sent by email)."""
    token = session.pop("manage_token", None)
    manage_url = url_for("stories.manage", token=token, _external=True) if token else None
    return render_template("stories/thanks.html", manage_url=manage_url)


@bp.get("/<slug>")
@public_page(shared=60, keys=("memorials",))
def show(slug):
    """One memorial, as the family chose to show it."""
    story = published_by_slug(slug) if is_slug(slug) else None
    if story is None:
        # A memorial whose name (or how it is shown) changed keeps its old addresses, forever.
        moved = moved_to(slug)
        if moved is None:
            abort(404)
        return redirect(url_for("stories.show", slug=moved), 301)
    return render_template("stories/show.html", story=story, v=story.live_version)


@bp.get("/photos/<filename>")
@public_page(max_age=86400, shared=86400)
def photo(filename):
    """A published story's photo; any other photo answers 404."""
    if not photo_is_public(filename):
        abort(404)
    if storage.public_url():
        # The public copy, from the bucket or a CDN; the redirect is checked again at most a minute later.
        response = redirect(f"{storage.public_url()}/{filename}", 302)
        response.cache_control.public, response.cache_control.max_age = True, 60
        return response
    response = photos.store().send(filename, max_age=storage.ONE_YEAR)
    if response.status_code in (200, 304):
        # A name never changes what it holds (it carries a hash of the bytes): kept for a year, never revalidated.
        response.cache_control.immutable = True
    return response


def _managed(token) -> Story:
    story = find_by_token(token)
    if story is None:
        abort(make_response(render_template("stories/manage_missing.html"), 404))
    if use_token(story, token):
        db.session.commit()
    return story


@bp.route("/manage/<token>", methods=["GET", "POST"])
@csrf.exempt
@_story_limit
@private_page
def manage(token):
    """The family's private page: status, edit every field, replace the photo, withdraw."""
    story = _managed(token)
    current = story.pending_version or story.latest_version
    if request.method == "POST" and request.form.get("action") == "withdraw":
        return _withdraw(story, current, token)

    form = EditStoryForm(obj=_form_values(story, current) if request.method == "GET" else None)
    if request.method == "POST":
        valid = form.validate()
        photo = _processed_photo(form) if valid else None
        if valid and photo is not False and not form.is_bot and _edited(story, form, photo):
            flash(_("Thank you. Your changes will be read by a moderator before they appear. Until then, the story "
                    "stays as it is now.") if story.is_public
                  else _("Thank you. Your changes will be read by a moderator before they appear."), "success")
            return redirect(url_for("stories.manage", token=token))
    return render_template("stories/manage.html", story=story, current=current, form=form, token=token,
                           withdraw_form=WithdrawForm(), stale=_stale(form),
                           photo_again=request.method == "POST" and _photo_was_sent(form))


def _edited(story: Story, form, photo) -> bool:
    """Save the family's edit; False (with the note beside the photo field) when the photo store is down."""
    try:
        edit_story(story, StoryInput.from_form(form), photo, remove_photo=form.remove_photo.data,
                   notify=_notify_edit)
    except photos.StoreDown as error:
        form.photo.errors = [*form.photo.errors, str(error)]
        return False
    return True


def _withdraw(story: Story, current: StoryVersion, token: str):
    """Two presses: the first shows what will be deleted, the second (confirm=yes) deletes."""
    form = WithdrawForm()
    if form.validate() and form.confirm.data == "yes":
        withdraw_story(story)
        return render_template("stories/withdrawn.html")
    return render_template("stories/withdraw.html", form=WithdrawForm(formdata=None), version=current, token=token)


def _form_values(story: Story, version: StoryVersion):
    class Values:
        pass

    values = Values()
    for field in ("name", "nickname", "name_display", "born", "died", "city", "content_note",
                  "submitter_name", "photo_alt"):
        setattr(values, field, getattr(version, field))
    values.state = version.state_code or ""
    values.story = version.story_markdown
    values.relationship = version.relationship_to
    values.email = story.email
    values.language = version.language
    return values


@bp.get("/manage/<token>/photos/<filename>")
@private_page
def manage_photo(token, filename):
    """The family sees their own photo, whatever the story's status."""
    story = _managed(token)
    if not any(filename in (p.filename, p.thumb_filename) for p in story.photos):
        abort(404)
    return photos.store().send(filename, max_age=0)


@bp.route("/manage/lost", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
@private_page
def lost_link():
    """Lost the private link? We send fresh links to the address the story was shared from."""
    form = LostLinkForm()
    if form.validate_on_submit():
        started = time.monotonic()
        stories = stories_for_email(form.email.data)
        # Asked for from this page's language: from now on the family's mail is written in it.
        links = [(s.latest_version, offer_new_link(s, current_language())) for s in stories]
        if links:
            notices.fresh_links(stories[0].email, links, current_language())
        db.session.commit()
        # The same answer, in the same time, either way: this page cannot tell anyone who has shared a story.
        time.sleep(max(0.0, LOST_LINK_SECONDS - (time.monotonic() - started)))
        return render_template("stories/lost_sent.html")
    return render_template("stories/lost.html", form=form)
