"""Who may see /moderate/ pages: signed-in moderators (two factors, a current session), admins for the rest."""
from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import abort, current_app, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeSerializer

from ..database import READ_METHODS
from ..extensions import db, login_manager
from ..i18n import root_path
from ..languages import PREFIXES
from ..responses import private_page
from ..timeutil import utcnow
from .accounts import find_moderator, session_is_current
from .models import Moderator, ModeratorSession

login_manager.login_view = "moderation.login"
login_manager.login_message = _l("Please sign in to see that page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

# last_seen_at is written at most this often, so reading pages does not write on every request.
TOUCH_EVERY = timedelta(minutes=1)
DEVICE_COOKIE = "moderator_device"
PENDING = "sign_in"          # the Flask session key for a sign-in halfway through (password done)
PENDING_FOR = timedelta(minutes=10)


@login_manager.user_loader
def load_session(token: str) -> ModeratorSession | None:
    """The server-side session behind the cookie, if it is still current (else signed out)."""
    moderator_session = db.session.execute(
        db.select(ModeratorSession).filter_by(token=token)
    ).scalar_one_or_none()
    if moderator_session is None or not session_is_current(moderator_session):
        return None
    now = utcnow()
    if now - moderator_session.last_seen_at >= TOUCH_EVERY:
        if request.method in READ_METHODS:
            # A page view: its own short transaction that writes first, so SQLite takes the write
            # lock cleanly (the request's own transaction only reads).
            with db.engine.begin() as connection:
                connection.execute(db.update(ModeratorSession).where(ModeratorSession.id == moderator_session.id)
                                   .values(last_seen_at=now))
        else:
            # A form post already holds the write lock: the touch goes in with the view's own commit.
            moderator_session.last_seen_at = now
    return moderator_session


def moderator_required(view):
    """Every /moderate/ page: a signed-in moderator, else the sign-in page; private, as every moderator's page is."""
    return private_page(login_required(view))


def admin_required(view):
    """Pages that change the site itself (campaigns, the team): admin moderators only."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return private_page(wrapped)


# -- the sign-in in between its two steps --------------------------------------------------------------

def begin_sign_in(moderator, next_url: str) -> None:
    """The password was right: remember who is signing in (only until the code step, 10 minutes)."""
    session.clear()  # no session fixation: nothing from before sign-in survives
    session[PENDING] = {"id": moderator.id, "email": moderator.email, "at": utcnow().timestamp(),
                        "next": next_url}


def pending_moderator():
    """The moderator halfway through signing in on this browser, if any (and still in time)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or utcnow().timestamp() - float(pending.get("at", 0)) > PENDING_FOR.total_seconds():
        return None
    moderator = db.session.get(Moderator, pending.get("id"))
    return moderator if moderator is not None and moderator.is_active else None


# -- throttling sign-in per account (Flask-Limiter's key_func, deduct_when, exempt_when) -----------------

def account_key() -> str:
    """The account being tried: the email typed, or the one halfway through signing in."""
    email = request.form.get("email") if request.endpoint == "moderation.login" else None
    if email is None:
        pending = session.get(PENDING)
        email = pending.get("email") if isinstance(pending, dict) else None
    email = (email or "").strip().lower()[:254]
    return f"account:{email}" if email else ""


def sign_in_failed(_response) -> bool:
    """Only failures count toward the account's limit (set by the views in g)."""
    return bool(g.get("sign_in_failed"))


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="moderator-device")


def remember_device(response, moderator) -> None:
    """After a full sign-in, this browser is known for the account: its sign-ins are never slowed by
    someone else's failures (the OWASP "device cookie"), so nobody can lock a moderator out."""
    # One cookie per language's moderation pages (/moderate/, /es/moderate/): each is sent only there.
    value = _device_serializer().dumps({"m": moderator.id})
    for prefix in ("", *PREFIXES.values()):
        response.set_cookie(DEVICE_COOKIE, value, max_age=int(timedelta(days=180).total_seconds()), httponly=True,
                            samesite="Strict", secure=current_app.config["SESSION_COOKIE_SECURE"],
                            path=root_path() + prefix + "/moderate/")


def known_device() -> bool:
    """True when this browser signed in to the account being tried before."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return False
    try:
        value = _device_serializer().loads(cookie)
    except BadSignature:
        return False
    key = account_key()
    moderator = find_moderator(key.removeprefix("account:")) if key else None
    return moderator is not None and isinstance(value, dict) and value.get("m") == moderator.id
