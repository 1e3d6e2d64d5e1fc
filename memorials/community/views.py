"""Visitors light candles, leave messages for the family and report concerns; families hide
messages and choose the mail their memorial sends them."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..extensions import csrf, db, limiter
from ..i18n import root_path
from ..responses import private_page, public_page
from ..stories import memorial
from ..stories.models import Story
from ..stories.queries import published_by_slug
from ..stories.services import find_by_token
from ..timeutil import utcnow
from . import candles, condolences, remembrance, reports
from .guestbook import CANDLE_COOKIE, SAID, candle_serializer, lit_today
from .forms import ButtonForm, CondolenceForm, GuestbookSettingsForm, ReportForm
from .models import Condolence

bp = Blueprint("community", __name__, url_prefix="/stories")

CANDLES_REMEMBERED = 100      # memorials one browser can have lit a candle for in a day


def _limit():
    return current_app.config["COMMUNITY_RATE_LIMIT"]


def _candle_limit():
    return current_app.config["CANDLE_RATE_LIMIT"]


def _memorial(slug: str) -> Story:
    story = published_by_slug(slug)
    if story is None:
        abort(404)
    return story


def _stale() -> str:
    return _("This page was open for a long while, so please press Send once more. Your words are kept.")


def _condolence_refused(_limit_hit):
    """Too many messages from one connection: the memorial again, every word kept, and why."""
    form = CondolenceForm()
    form.form_errors.append(_("You have sent several messages in a short time. Please wait a few minutes, "
                              "then press Send again: your words are still here."))
    return memorial.render_memorial(_memorial(request.view_args["slug"]), 429, condolence_form=form)


# CSRF is checked by the form (not before the view), so a stale token brings the words back.
@bp.post("/<slug>/condolences")
@csrf.exempt
@limiter.limit(_limit, on_breach=_condolence_refused)
def condolence(slug):
    """Leave a message for the family. A moderator reads it before it appears."""
    story = _memorial(slug)
    form = CondolenceForm()
    if form.validate():
        if not form.is_bot:
            condolences.leave(story, form.name.data, form.message.data, form.email.data)
            db.session.commit()
        session[SAID] = {"story": story.id, "what": "condolence"}
        return redirect(url_for("stories.show", slug=slug, _anchor="guestbook-said"))
    if form.csrf_token.errors:
        form.form_errors.append(_stale())
    return memorial.render_memorial(story, condolence_form=form)


@bp.post("/<slug>/candle")
@limiter.limit(_candle_limit)
def candle(slug):
    """Light a candle. The same browser lighting again the same day counts once."""
    story = _memorial(slug)
    lit = lit_today()
    again = story.id in lit
    if not again:
        candles.light(story.id, utcnow().date())
        db.session.commit()
    session[SAID] = {"story": story.id, "what": "candle_again" if again else "candle"}
    response = redirect(url_for("stories.show", slug=slug, _anchor="candles"))
    now = utcnow()
    remembered = ([i for i in lit if i != story.id] + [story.id])[-CANDLES_REMEMBERED:]
    response.set_cookie(
        CANDLE_COOKIE, candle_serializer().dumps({"day": now.date().isoformat(), "lit": remembered}),
        max_age=int((datetime.combine(now.date() + timedelta(days=1), time()) - now).total_seconds()) + 60,
        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
        # The whole site, not /stories/: the same browser reads the memorial at /stories/… and /es/stories/….
        path=root_path() + "/",
    )
    return response


def _report_refused(_limit_hit):
    form = ReportForm()
    form.form_errors.append(_("You have sent several reports in a short time. Please wait a few minutes, then "
                              "press Send again: your words are still here."))
    story = _memorial(request.view_args["slug"])
    return make_response(render_template("community/report.html", form=form, story=story, v=story.live_version), 429)


@bp.route("/<slug>/report", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_limit, methods=["POST"], on_breach=_report_refused)
@public_page()
def report(slug):
    """Tell the moderators something is wrong with a memorial."""
    story = _memorial(slug)
    form = ReportForm()
    if request.method == "POST":
        if form.validate():
            if not form.is_bot:
                reports.make(story, form.reason.data, form.details.data, form.email.data)
                db.session.commit()
            return redirect(url_for("community.report_thanks", slug=slug))
        if form.csrf_token.errors:
            form.form_errors.append(_stale())
    return render_template("community/report.html", form=form, story=story, v=story.live_version)


@bp.get("/<slug>/report/thanks")
@public_page()
def report_thanks(slug):
    """A plain thank-you; nothing else about the person is kept."""
    return render_template("community/report_thanks.html", story=published_by_slug(slug))


def _family_story(token: str) -> Story:
    story = find_by_token(token)
    if story is None:
        abort(make_response(render_template("stories/manage_missing.html"), 404))
    return story


@bp.post("/manage/<token>/guestbook")
@private_page
def family_choices(token):
    """The family's choices about mail: a note on each new message, and the yearly remembrance note."""
    story = _family_story(token)
    form = GuestbookSettingsForm()
    if form.validate_on_submit():
        condolences.set_family_choices(story, condolence_mail=form.condolence_mail.data,
                                       remembrance=form.remembrance.data, family_review=form.family_review.data)
        db.session.commit()
        flash(_("Saved. Thank you."), "success")
    return redirect(url_for("stories.manage", token=token, _anchor="guestbook"))


def family_decision(token: str, model, item_id: int, steps: dict, said: dict):
    """One of the family's buttons on a message or a memory (let it appear, hide it, show it again): at once, no
    moderator needed, logged; anything not theirs is a 404. `said` gives the words for each step."""
    story = _family_story(token)
    item = db.session.get(model, item_id)
    action = request.form.get("action")
    if item is None or action not in steps or not steps[action](story, item):
        abort(404)
    db.session.commit()
    flash(said[action](item.name), "success")
    return redirect(url_for("stories.manage", token=token, _anchor="guestbook"))


@bp.post("/manage/<token>/condolences/<int:condolence_id>")
@private_page
def family_condolence(token, condolence_id):
    """The family lets a message appear (when they asked to read them first), hides it at once, or shows it
    again."""
    return family_decision(token, Condolence, condolence_id, {
        "approve": condolences.family_approve, "hide": condolences.hide, "show": condolences.show_again,
    }, {
        "approve": lambda name: _("The message from %(name)s is now on the memorial.", name=name),
        "hide": lambda name: _("The message from %(name)s is hidden. It no longer shows on the memorial.", name=name),
        "show": lambda name: _("The message from %(name)s shows on the memorial again.", name=name),
    })


@bp.route("/remembrance/stop/<token>", methods=["GET", "POST"])
@private_page
def stop_remembrance(token):
    """One click from the note stops the notes (no sign-in); a button starts them again."""
    story = remembrance.story_for_stop_token(token)
    if story is None:
        response = make_response(render_template("community/remembrance_missing.html"), 404)
    else:
        if request.method == "POST":
            if ButtonForm().validate_on_submit():
                remembrance.start(story)
        elif story.remembrance:
            remembrance.stop(story)
        db.session.commit()
        response = make_response(render_template("community/remembrance_stopped.html", story=story,
                                                 version=story.live_version or story.latest_version,
                                                 form=ButtonForm(formdata=None)))
    return response
