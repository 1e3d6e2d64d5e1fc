"""Moderators sign in with a password and then a code, enrol their authenticator, and sign out."""
from __future__ import annotations

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter
from ..languages import PREFIXES
from ..responses import private_page
from . import accounts, auth
from .forms import ChangePasswordForm, CodeForm, LoginForm, LogoutForm, SetPasswordForm
from .models import ModeratorSession
from .views import bp

ENROL_SECRET = "enrol_secret"


def _slowed_down(_limit):
    """Too many failures for one account: the same page back, the email kept, and a plain note."""
    form = LoginForm() if request.endpoint == "moderation.login" else CodeForm()
    form.form_errors.append(_(
        "There have been several unsuccessful attempts to sign in to this account in the last 15 minutes, "
        "so sign-in for it is slowed down for a while. Please wait a few minutes and try again. If this "
        "wasn't you, please tell an admin."))
    template = {"moderation.login": "moderation/login.html", "moderation.enrol": "moderation/enrol.html"}.get(
        request.endpoint, "moderation/code.html")
    context = {"form": form}
    if request.endpoint == "moderation.enrol":
        context.update(_enrolment_context())
    return make_response(render_template(template, **context), 429)


# Per address: every attempt counts. Per account: only failures count, and never from a browser that
# signed in to that account before (auth.known_device), so the limit cannot lock a moderator out.
per_address = limiter.shared_limit(lambda: current_app.config["SIGN_IN_ADDRESS_LIMIT"], scope="sign-in-address",
                                   methods=["POST"])
per_account = limiter.shared_limit(lambda: current_app.config["SIGN_IN_ACCOUNT_LIMIT"], scope="sign-in-account",
                                   key_func=auth.account_key, deduct_when=auth.sign_in_failed,
                                   exempt_when=auth.known_device, on_breach=_slowed_down, methods=["POST"])


def _safe_next(next_url: str | None) -> str:
    """Only a moderation page of this site, in either language (/moderate/... or /es/moderate/...)."""
    next_url = next_url or ""
    path = next_url
    for prefix in PREFIXES.values():
        if path.startswith(prefix + "/"):
            path = path[len(prefix):]
            break
    # A control character never: a line break cannot go in a Location header, and a browser drops it from an address.
    control = any(ord(c) < 32 or ord(c) == 127 for c in path)
    if not path.startswith("/moderate/") or next_url.startswith("//") or control:
        return url_for("moderation.queue")
    return next_url


@bp.route("/login", methods=["GET", "POST"])
@per_address
@per_account
@private_page
def login():
    """First step: email and password. The code comes next (or enrolment, the first time)."""
    form = LoginForm()
    if form.validate_on_submit():
        moderator = accounts.authenticate(form.email.data, form.password.data)
        if moderator is None:
            g.sign_in_failed = True
            accounts.record_failure(accounts.find_moderator(form.email.data), "password")
            db.session.commit()
            form.password.errors = [_("That email and password don't match. Please try again.")]
        elif not moderator.is_active:
            form.email.errors = [_("This account has been turned off. Please ask an admin of the site.")]
        else:
            auth.begin_sign_in(moderator, _safe_next(request.args.get("next")))
            return redirect(url_for("moderation.code" if moderator.has_two_factor else "moderation.enrol"))
    return render_template("moderation/login.html", form=form)


def _finish_sign_in(moderator, how: str):
    """Both steps passed: a new server-side session, and this browser known for the account."""
    next_url = _safe_next((session.get(auth.PENDING) or {}).get("next"))
    session.clear()
    login_user(accounts.start_session(moderator, how))
    db.session.commit()
    response = redirect(next_url)
    auth.remember_device(response, moderator)
    return response


def _code_failed(moderator, form) -> None:
    g.sign_in_failed = True
    accounts.record_failure(moderator, "code")
    db.session.commit()
    form.code.errors = [_("That code didn't work. Codes change every 30 seconds and each works once: please "
                          "type the newest one, or one of your recovery codes.")]


@bp.route("/login/code", methods=["GET", "POST"])
@per_address
@per_account
@private_page
def code():
    """Second step: the six-digit code from the authenticator app, or a recovery code."""
    moderator = auth.pending_moderator()
    if moderator is None:
        flash(_("Please sign in again: the first step was more than 10 minutes ago."), "info")
        return redirect(url_for("moderation.login"))
    if not moderator.has_two_factor:
        return redirect(url_for("moderation.enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        how = accounts.verify_second_factor(moderator, form.code.data)
        if how is not None:
            response = _finish_sign_in(moderator, how)
            if how == "recovery":
                left = accounts.recovery_codes_left(moderator)
                flash(_("You signed in with a recovery code; %(left)s are left. You can make new ones on "
                        "your account page.", left=left), "info")
            return response
        _code_failed(moderator, form)
    return render_template("moderation/code.html", form=form)


def _enrolment_context() -> dict:
    moderator = auth.pending_moderator()
    secret = session.get(ENROL_SECRET)
    if moderator is None or not secret:
        return {}
    return accounts.provisioning(moderator.email, secret)


@bp.route("/login/enrol", methods=["GET", "POST"])
@per_address
@per_account
@private_page
def enrol():
    """First sign-in: set up the authenticator app (QR code drawn here, key as text), prove it with a code."""
    moderator = auth.pending_moderator()
    if moderator is None:
        flash(_("Please sign in again: the first step was more than 10 minutes ago."), "info")
        return redirect(url_for("moderation.login"))
    if moderator.has_two_factor:
        return redirect(url_for("moderation.code"))
    if not session.get(ENROL_SECRET):
        session[ENROL_SECRET] = accounts.new_totp_secret()
    form = CodeForm()
    if form.validate_on_submit():
        codes = accounts.enrol(moderator, session[ENROL_SECRET], form.code.data)
        if codes is not None:
            response = _finish_sign_in(moderator, "totp")
            return _show_recovery_codes(codes, response.headers["Location"], response)
        _code_failed(moderator, form)
    return render_template("moderation/enrol.html", form=form, **_enrolment_context())


def _show_recovery_codes(codes: list[str], next_url: str, carrier=None):
    """The ten recovery codes, shown once (the page is never cached)."""
    response = make_response(render_template("moderation/recovery_codes.html", codes=codes, next_url=next_url))
    if carrier is not None:
        for cookie in carrier.headers.getlist("Set-Cookie"):
            response.headers.add("Set-Cookie", cookie)
    return response


@bp.post("/logout")
@auth.moderator_required
@private_page
def logout():
    """Sign out here and on the server."""
    if LogoutForm().validate_on_submit():
        moderator_session = db.session.get(ModeratorSession, current_user.id)
        if moderator_session is not None:
            accounts.end_session(moderator_session)
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
        return redirect(url_for("moderation.login"))
    abort(400)


@bp.route("/account", methods=["GET", "POST"])
@auth.moderator_required
@private_page
def account():
    """Your own account: a new password (signs out every other browser), new recovery codes."""
    moderator = current_user.moderator
    form = ChangePasswordForm(prefix="password")
    codes_form = LogoutForm(prefix="codes")
    if request.method == "POST" and request.form.get("action") == "recovery_codes":
        if not codes_form.validate_on_submit():
            abort(400)
        codes = accounts.renew_recovery_codes(moderator)
        db.session.commit()
        return _show_recovery_codes(codes, url_for("moderation.account"))
    if form.validate_on_submit():
        if not moderator.check_password(form.current.data):
            form.current.errors = [_("That isn't your current password. Please try again.")]
        else:
            accounts.change_password(moderator, form.password.data)
            login_user(accounts.start_session(moderator))
            db.session.commit()
            flash(_("Your password is changed. Every other browser you were signed in on is now signed out."),
                  "success")
            return redirect(url_for("moderation.account"))
    return render_template("moderation/account.html", form=form, codes_form=codes_form, moderator=moderator,
                           codes_left=accounts.recovery_codes_left(moderator))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@per_address
@private_page
def invitation(token: str):
    """An invitation or a new-password link from an admin: choose a password, then set up the code."""
    found = accounts.find_invitation(token)
    if found is None:
        return make_response(render_template("moderation/invitation_missing.html"), 404)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            moderator = accounts.accept_invitation(found, form.password.data)
        except accounts.AccountError as error:
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            auth.begin_sign_in(moderator, url_for("moderation.queue"))
            flash(_("Your password is set."), "success")
            return redirect(url_for("moderation.code" if moderator.has_two_factor else "moderation.enrol"))
    return render_template("moderation/invitation.html", form=form, invitation=found)
