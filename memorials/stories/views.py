"""Visitors read memorials; families share and manage theirs."""
from __future__ import annotations

import time
from datetime import date
from functools import lru_cache

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from .. import storage
from ..extensions import csrf, db, limiter
from ..feeds.addresses import moved_to
from ..gallery import services as gallery_services
from ..gallery import uploads as gallery_uploads
from ..i18n import current_language, month_year, number, translations
from ..responses import cache_keys, private_page, public_page
from ..search import pages as search_pages
from . import manage as manage_page, memorial, notices, photos, stewards
from .forms import MAX_GALLERY, ButtonOnlyForm, EditStoryForm, LostLinkForm, NewStoryForm, StewardForm, WithdrawForm
from .models import Story, StoryVersion
from .queries import public_photo_story
from .services import (Access, StoryInput, edit_story, find_access, fresh_links_for_email, submit_story,
                       use_token, withdraw_story)

bp = Blueprint("stories", __name__, url_prefix="/stories")

WALL_PER_PAGE = 48


# Every answer to a lost-link request takes at least this long, known email or not.
LOST_LINK_SECONDS = 0.25


def _limit():
    return current_app.config["STORY_RATE_LIMIT"]


def _story_sent(response) -> bool:
    """Only a story or an edit actually sent counts toward the limit; a form sent back with a mistake does not."""
    return response.status_code in (302, 303)


def _form_back_when_limited(_limit_reached):
    """Over the limit: the form comes back with every word kept and a plain note, never an error page."""
    flash(_("Many stories have been sent from your connection in the last hour, so we can't take this one "
            "just yet. Everything you wrote is still here: please wait a little while, then press send again."),
          "error")
    if request.endpoint == "stories.manage":
        access = find_access(request.view_args.get("token", ""))
        if access is None:
            return None  # the plain "slow down" page
        form = EditStoryForm()
        return manage_page.render_manage(access, request.view_args["token"], 429, form=form,
                                         photo_again=_photo_was_sent(form))
    form = NewStoryForm()
    return make_response(render_template("stories/new.html", form=form, stale=False,
                                         photo_again=_photo_was_sent(form) or bool(form.chosen_photos())), 429)


_story_limit = limiter.limit(_limit, methods=["POST"], deduct_when=_story_sent,
                             on_breach=_form_back_when_limited)


@bp.get("/")
@public_page(shared=60, keys=("memorials",))
def index():
    """Published memorials, newest first, 24 a page; with words or filters, those that match. Each card says
    how many candles were lit and messages left."""
    found = search_pages.list_page(request.args, _page_number(request.args.get("page")),
                                   current_app.config["STORIES_PER_PAGE"])
    return search_pages.render_list(found)


@bp.get("/wall")
@public_page(shared=60, keys=("memorials",))
def wall():
    """A wall of faces: every published memorial with a photo, newest first, one state or all, 48 a page."""
    found = search_pages.wall_page(request.args, _page_number(request.args.get("page")), WALL_PER_PAGE)
    return search_pages.render_wall(found)


@bp.app_template_filter("years")
def life_years(version) -> str:
    """"1998 – 2023", or the year they died alone: a card's quiet frame, a face on the wall (a filter, not a
    macro: a list draws 24 of them, the wall 48)."""
    return f"{version.born.year} – {version.died.year}" if version.born else str(version.died.year)


# A card says how old they were and when they died for each of 24 memorials, from a few hundred ages and months: each
# sentence is made once per language, as the template's ngettext and pgettext would make it (the numbers escaped).
@bp.app_template_filter("age_words")
def age_words(age: int) -> Markup:
    """23 -> "23 years old" / "23 años"."""
    return _age_words(age, current_language())


@lru_cache(maxsize=512)
def _age_words(age: int, language: str) -> Markup:
    return Markup(translations().ngettext("%(num)s year old", "%(num)s years old", age)) % {"num": number(age)}


@bp.app_template_filter("died_month")
def died_month(died) -> Markup:
    """July 2, 2023 -> "died July 2023" / "falleció en julio de 2023"."""
    return _died_month(died.year, died.month, current_language())


@lru_cache(maxsize=4096)
def _died_month(year: int, month: int, language: str) -> Markup:
    sentence = translations().pgettext("month and year", "died %(date)s")
    return Markup(sentence) % {"date": month_year(date(year, month, 1))}


def _page_number(value: str | None) -> int:
    """page=3 -> 3; anything that is not a page number -> 1; absurdly large -> a page past the end."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit():
        return 1
    return max(1, min(int(value[:12]), 10**9))


def _processed_photo(form):
    """The uploaded photo, processed; None when none was chosen. Errors go beside the field."""
    return photos.from_field(form.photo, current_app.config["PHOTO_MAX_BYTES"])


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
    """Share a story, with a photo and up to twelve more. Nothing is public until a moderator approves it."""
    form = NewStoryForm()
    if request.method == "POST":
        valid = form.validate()
        valid = form.validate_gallery_rows(MAX_GALLERY) and valid
        photo = _processed_photo(form) if valid else None
        gallery = gallery_uploads.processed(form) if valid and photo is not False else None
        if valid and photo is not False and gallery is not None:
            if form.is_bot:
                return redirect(url_for("stories.thanks"))
            try:
                story, token = submit_story(StoryInput.from_form(form), photo, notify=_notify_new,
                                            also=lambda story, written: gallery_services.add(story, gallery, written))
            except photos.StoreDown as error:
                form.photo.errors = [*form.photo.errors, str(error)]
            else:
                session["manage_token"] = token
                return redirect(url_for("stories.thanks"))
    return render_template("stories/new.html", form=form, stale=_stale(form),
                           photo_again=request.method == "POST" and (_photo_was_sent(form)
                                                                     or bool(form.chosen_photos())))


def _stale(form) -> bool:
    return bool(form.csrf_token.errors) if hasattr(form, "csrf_token") else False


@bp.get("/thanks")
@private_page
def thanks():
    """What happens next, the private link (shown once, also sent by email) and a preview of the memorial."""
    token = session.pop("manage_token", None)
    manage_url = url_for("stories.manage", token=token, _external=True) if token else None
    preview_url = url_for("stories.preview", token=token) if token else None
    return render_template("stories/thanks.html", manage_url=manage_url, preview_url=preview_url)


@bp.get("/<slug>")
@public_page(shared=60, keys=("memorials",))
def show(slug):
    """One memorial, as the family chose to show it."""
    found = memorial.find(slug)
    if found is None:
        # A memorial whose name (or how it is shown) changed keeps its old addresses, forever.
        moved = moved_to(slug)
        if moved is None:
            abort(404)
        return redirect(url_for("stories.show", slug=moved), 301)
    story, counts = found
    cache_keys(f"memorial-{story.id}")   # a CDN drops it when the memorial changes, is withdrawn or unpublished
    return memorial.render_memorial(story, counts=counts)


@bp.get("/manage/<token>/preview")
@private_page
def preview(token):
    """The memorial as it will look once a moderator approves what the family sent: for the family only."""
    access = _managed(token)
    story = access.story
    return memorial.render_memorial(story, version=story.pending_version or story.latest_version,
                                    preview_token=token)


@bp.get("/photos/<filename>")
@public_page()   # its lifetime is the file's own (a year, immutable) or the redirect's; a 404 is asked again
def photo(filename):
    """A published story's photo; any other photo answers 404."""
    story_id = public_photo_story(filename)
    if story_id is None:
        abort(404)
    cache_keys(f"memorial-{story_id}")   # a CDN drops it when the memorial is withdrawn or unpublished
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


def _managed(token) -> Access:
    access = find_access(token)
    if access is None:
        abort(make_response(render_template("stories/manage_missing.html"), 404))
    if use_token(access.story, token):
        db.session.commit()
    return access


@bp.route("/manage/<token>", methods=["GET", "POST"])
@csrf.exempt
@_story_limit
@private_page
def manage(token):
    """The family's private page: status, edit every field, the gallery, messages and memories, who has access,
    preview, withdraw."""
    access = _managed(token)
    story = access.story
    current = story.pending_version or story.latest_version
    if request.method == "POST" and request.form.get("action") == "withdraw":
        return _withdraw(story, current, token)
    if request.method == "GET":
        return manage_page.render_manage(access, token)
    form = EditStoryForm()
    valid = form.validate()
    photo = _processed_photo(form) if valid else None
    if valid and photo is not False and not form.is_bot and _edited(story, form, photo):
        flash(_("Thank you. Your changes will be read by a moderator before they appear. Until then, the story "
                "stays as it is now.") if story.is_public
              else _("Thank you. Your changes will be read by a moderator before they appear."), "success")
        return redirect(url_for("stories.manage", token=token))
    return manage_page.render_manage(access, token, form=form, stale=_stale(form), photo_again=_photo_was_sent(form))


@bp.post("/manage/<token>/stewards")
@limiter.limit("10 per hour")
@private_page
def invite_steward(token):
    """Give another family member their own private link, by mail, with the same powers."""
    access = _managed(token)
    form = StewardForm()
    if not form.validate():
        return manage_page.render_manage(access, token, steward_form=form)
    try:
        steward, new_token = stewards.invite(access.story, form.steward_email.data, current_language())
    except stewards.StewardError as error:
        form.steward_email.errors = [str(error)]
        return manage_page.render_manage(access, token, steward_form=form)
    notices.steward_invited(access.story, steward, new_token)
    db.session.commit()
    flash(_("We have sent %(email)s their own private link.", email=steward.email), "success")
    return redirect(url_for("stories.manage", token=token, _anchor="access"))


@bp.post("/manage/<token>/stewards/<key>/end")
@private_page
def end_steward(token, key):
    """End someone else's access to the memorial (either steward can end the other's)."""
    access = _managed(token)
    if not ButtonOnlyForm().validate_on_submit():
        abort(400)
    try:
        ended = stewards.end_access(access, key)
    except stewards.StewardError as error:
        flash(str(error), "error")
        return redirect(url_for("stories.manage", token=token, _anchor="access"))
    db.session.commit()
    flash(_("%(email)s no longer has access to the memorial. Their link has stopped working.", email=ended),
          "success")
    return redirect(url_for("stories.manage", token=token, _anchor="access"))


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


@bp.get("/manage/<token>/photos/<filename>")
@private_page
def manage_photo(token, filename):
    """The family sees their own photos (the story's, the gallery's, a memory's), whatever their status."""
    story = _managed(token).story
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
        # Asked for from this page's language: from now on the family's mail is written in it.
        links = [(s.latest_version, token) for s, token in fresh_links_for_email(form.email.data, current_language())]
        if links:
            notices.fresh_links(form.email.data.strip(), links, current_language())
        db.session.commit()
        # The same answer, in the same time, either way: this page cannot tell anyone who has shared a story.
        time.sleep(max(0.0, LOST_LINK_SECONDS - (time.monotonic() - started)))
        return render_template("stories/lost_sent.html")
    return render_template("stories/lost.html", form=form)
