"""Admins manage the team at /moderate/team/: invite, change roles, turn accounts off, reset two-factor."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import mail
from ..extensions import db
from ..i18n import in_language, localized_url
from . import accounts, auth
from .directory import MODERATOR_LANGUAGE
from .forms import InviteForm, LogoutForm
from .models import Moderator
from .views import bp

ACTIONS = {"make_admin", "make_moderator", "disable", "enable", "reset_two_factor", "password_link"}


def _queue_link_mail(new: accounts.NewInvitation, template: str, subject) -> None:
    """The one-time link by email (private: its words leave the outbox once sent), in the moderators'
    language whatever page the admin sent it from (subject: a lazy string, made in that language)."""
    link = localized_url(current_app.config["SITE_URL"] + url_for("moderation.invitation", token=new.token),
                         MODERATOR_LANGUAGE)
    with in_language(MODERATOR_LANGUAGE):
        body = render_template(template, link=link, invitation=new.invitation, inviter=current_user.email,
                               site_name=current_app.config["SITE_NAME"])
        mail.queue(new.invitation.email, str(subject), body, kind="moderator_invitation", private=True)


@bp.route("/team/", methods=["GET", "POST"])
@auth.admin_required
def team():
    """Everyone on the team, with what an admin can change, and the form to invite someone."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            new = accounts.invite(form.email.data, admin=form.role.data == "admin", by=current_user.moderator)
        except accounts.AccountError as error:
            form.email.errors = [str(error)]
        else:
            _queue_link_mail(new, "mail/moderator_invitation.txt",
                             _l("You're invited to moderate %(site)s", site=current_app.config["SITE_NAME"]))
            db.session.commit()
            flash(_("Invitation sent to %(email)s. The link works once, for 7 days.", email=new.invitation.email),
                  "success")
            return redirect(url_for("moderation.team"))
    return render_template("moderation/team.html", form=form, team=accounts.team(),
                           invitations=accounts.open_invitations(), action_form=LogoutForm(prefix="member"),
                           me=current_user.moderator)


@bp.post("/team/<int:moderator_id>")
@auth.admin_required
def team_member(moderator_id: int):
    """One change to one account, by the button pressed (name="action")."""
    if not LogoutForm(prefix="member").validate_on_submit():
        abort(400)
    action = request.form.get("action")
    if action not in ACTIONS:
        abort(400)
    moderator = db.get_or_404(Moderator, moderator_id)
    me = current_user.moderator
    try:
        message = _apply(action, moderator, me)
    except accounts.AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("moderation.team"))
    db.session.commit()
    flash(message, "success")
    if moderator.id == me.id and action in {"disable", "reset_two_factor"}:
        return redirect(url_for("moderation.login"))
    return redirect(url_for("moderation.team"))


def _apply(action: str, moderator: Moderator, me: Moderator) -> str:
    email = moderator.email
    if action in {"make_admin", "make_moderator"}:
        accounts.set_role(moderator, "admin" if action == "make_admin" else "moderator", by=me)
        return _("%(email)s is now an admin.", email=email) if moderator.is_admin else \
            _("%(email)s is now a moderator.", email=email)
    if action in {"disable", "enable"}:
        accounts.set_active(moderator, action == "enable", by=me)
        return _("%(email)s can sign in again.", email=email) if moderator.is_active else \
            _("%(email)s is turned off and signed out everywhere.", email=email)
    if action == "reset_two_factor":
        accounts.reset_two_factor(moderator, by=me)
        return _("Two-factor sign-in for %(email)s is reset: they set it up again at their next sign-in, and "
                 "are signed out everywhere now.", email=email)
    new = accounts.password_link(moderator, by=me)
    _queue_link_mail(new, "mail/moderator_password_link.txt",
                     _l("A link to choose a new password for %(site)s", site=current_app.config["SITE_NAME"]))
    return _("A link to choose a new password was sent to %(email)s.", email=email)
