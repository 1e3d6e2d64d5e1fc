"""Moderator accounts: passwords, two-factor codes, sessions, invitations, roles. The caller commits.

Every sign-in, failed attempt and account change is written to the moderation log
(item_kind="moderator") in the same transaction as the change itself.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import log_event
from ..extensions import db
from ..timeutil import utcnow
from .models import Invitation, Moderator, ModeratorSession, RecoveryCode
from .passwords import password_problem

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
INVITATION_LIFETIME = timedelta(days=7)


class WeakPassword(ValueError):
    """A password the site refuses; str(error) says why, for the person choosing it."""


class AccountError(ValueError):
    """An account change that would leave the team without a way in (the last admin, say)."""


def _log(moderator: Moderator | None, action: str, *, by: Moderator | None = None, reason: str | None = None):
    return log_event(None, None, action, moderator=by or moderator, reason=reason, item_kind="moderator",
                     item_ref=moderator.id if moderator is not None else None)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# -- passwords ------------------------------------------------------------------------------------

def check_new_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise WeakPassword(problem)


def find_moderator(email: str) -> Moderator | None:
    return db.session.execute(
        db.select(Moderator).filter_by(email=(email or "").strip().lower())
    ).scalar_one_or_none()


def create_moderator(email: str, password: str, *, admin: bool = False) -> tuple[Moderator, bool]:
    """Create a moderator, or set an existing one's password (ending their sessions)."""
    check_new_password(password)
    moderator = find_moderator(email)
    created = moderator is None
    if created:
        moderator = Moderator(email=email.strip().lower(), is_active=True)
        db.session.add(moderator)
    else:
        end_all_sessions(moderator)
        end_open_links(moderator.email)
    moderator.set_password(password)
    moderator.is_admin = moderator.is_admin or admin
    return moderator, created


def change_password(moderator: Moderator, password: str) -> None:
    """A new password; every session of this moderator and every link still open for them ends (the caller
    may start a fresh session)."""
    check_new_password(password)
    moderator.set_password(password)
    end_all_sessions(moderator)
    end_open_links(moderator.email)
    _log(moderator, "password_changed")


def authenticate(email: str, password: str) -> Moderator | None:
    """The moderator whose email and password these are, else None (in the same time either way)."""
    moderator = find_moderator(email)
    if moderator is None:
        # Spend the same time as a real check, so timing does not say which emails exist.
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return moderator if moderator.check_password(password or "") else None


_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def record_failure(moderator: Moderator | None, what: str) -> None:
    """A failed sign-in, for the log (what: "password" or "code"); the typed secret is never kept."""
    _log(moderator, "sign_in_failed", reason=what)


# -- two-factor codes ----------------------------------------------------------------------------------

def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning(moderator_email: str, secret: str) -> dict:
    """What the enrolment page shows: a QR code drawn here (SVG as a data: URI) and the key as text."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=moderator_email, issuer_name=current_app.config["SITE_NAME"])
    qr = segno.make(uri, error="m")
    return {
        "qr_data_uri": qr.svg_data_uri(scale=5, border=2, dark="#000", light="#fff"),
        "key_groups": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "uri": uri,
    }


def _matching_step(secret: str, code: str, last_step: int | None, now: float | None = None) -> int | None:
    """The time step whose code this is (the current one or a neighbour, for a clock a little off),
    provided it is later than the last one used: each code works once."""
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def verify_second_factor(moderator: Moderator, code: str, now: float | None = None) -> str | None:
    """Check a six-digit code or a recovery code; returns "totp" or "recovery" when accepted."""
    code = _normalise(code)
    if re.fullmatch(r"\d{6}", code) and moderator.totp_secret:
        step = _matching_step(moderator.totp_secret, code, moderator.totp_last_step, now)
        if step is None:
            return None
        # Taken only if no request took this step (or a later one) meanwhile: two sign-ins sent at once with
        # the same code cannot both pass, on any database (the row is locked by the first until it commits).
        taken = db.session.execute(
            db.update(Moderator)
            .where(Moderator.id == moderator.id,
                   db.or_(Moderator.totp_last_step.is_(None), Moderator.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
        db.session.refresh(moderator, ["totp_last_step"])
        return "totp" if taken == 1 else None
    if len(code) == 12:
        used = db.session.execute(
            db.update(RecoveryCode)
            .where(RecoveryCode.moderator_id == moderator.id, RecoveryCode.code_hash == _digest(code),
                   RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
        return "recovery" if used == 1 else None
    return None


def enrol(moderator: Moderator, secret: str, code: str, now: float | None = None) -> list[str] | None:
    """Turn two-factor sign-in on with the key the moderator's app now holds, if the code proves it.
    Returns the ten recovery codes (shown once), else None."""
    step = _matching_step(secret, _normalise(code), None, now) if re.fullmatch(r"\d{6}", _normalise(code)) else None
    if step is None:
        return None
    moderator.totp_secret = secret
    moderator.totp_last_step = step
    _log(moderator, "two_factor_enrolled")
    return new_recovery_codes(moderator)


def new_recovery_codes(moderator: Moderator) -> list[str]:
    """Ten fresh single-use codes (the old ones stop working); only their hashes are stored."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.moderator_id == moderator.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12)) for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.session.add(RecoveryCode(moderator_id=moderator.id, code_hash=_digest(code)))
    return [f"{c[:4]}-{c[4:8]}-{c[8:]}" for c in codes]


def renew_recovery_codes(moderator: Moderator) -> list[str]:
    """A moderator's own request for ten new codes (the old ones stop working)."""
    _log(moderator, "recovery_codes_renewed")
    return new_recovery_codes(moderator)


def recovery_codes_left(moderator: Moderator) -> int:
    return db.session.execute(
        db.select(db.func.count(RecoveryCode.id)).filter_by(moderator_id=moderator.id, used_at=None)
    ).scalar_one()


def reset_two_factor(moderator: Moderator, by: Moderator | None) -> None:
    """An admin's reset (a lost phone): the moderator enrols again at next sign-in; sessions end."""
    moderator.totp_secret = None
    moderator.totp_last_step = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.moderator_id == moderator.id))
    end_all_sessions(moderator)
    _log(moderator, "two_factor_reset", by=by, reason=moderator.email)


# -- sessions ------------------------------------------------------------------------------------------

def start_session(moderator: Moderator, how: str = "totp") -> ModeratorSession:
    """A new server-side session for a moderator who passed both steps; old expired ones are cleared."""
    now = utcnow()
    idle, longest = session_limits()
    db.session.execute(db.delete(ModeratorSession).where(
        ModeratorSession.moderator_id == moderator.id,
        (ModeratorSession.last_seen_at < now - idle) | (ModeratorSession.created_at < now - longest)))
    session = ModeratorSession(token=secrets.token_urlsafe(32), moderator=moderator, created_at=now,
                               last_seen_at=now)
    db.session.add(session)
    moderator.last_sign_in_at = now
    _log(moderator, "sign_in", reason="recovery code" if how == "recovery" else None)
    return session


def end_session(session: ModeratorSession) -> None:
    """Sign out on the server: the cookie's token no longer finds anything."""
    db.session.delete(session)


def end_all_sessions(moderator: Moderator) -> None:
    """Every browser this moderator is signed in on is signed out at once."""
    if moderator.id is not None:
        db.session.execute(db.delete(ModeratorSession).where(ModeratorSession.moderator_id == moderator.id))


def session_limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return config["MODERATOR_SESSION_IDLE"], config["MODERATOR_SESSION_LONGEST"]


def session_is_current(session: ModeratorSession, now: datetime | None = None) -> bool:
    """Still valid: the moderator is active, used within 12 hours, started within 7 days."""
    now = now or utcnow()
    idle, longest = session_limits()
    return (session.moderator.is_active and now - session.last_seen_at < idle
            and now - session.created_at < longest)


# -- the team ----------------------------------------------------------------------------------------

@dataclass
class NewInvitation:
    invitation: Invitation
    token: str


def invite(email: str, *, admin: bool, by: Moderator) -> NewInvitation:
    """A one-time link for someone new to join; raises AccountError if they already have an account."""
    email = email.strip().lower()
    if find_moderator(email) is not None:
        raise AccountError(_("%(email)s already has an account. You can send them a new password link instead.",
                             email=email))
    return _invitation(email, admin=admin, moderator=None, by=by, action="invited")


def password_link(moderator: Moderator, by: Moderator) -> NewInvitation:
    """A one-time link for an existing moderator to choose a new password (a forgotten one)."""
    return _invitation(moderator.email, admin=moderator.is_admin, moderator=moderator, by=by,
                       action="password_link_sent")


def _invitation(email, *, admin, moderator, by, action) -> NewInvitation:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = Invitation(email=email, token_hash=_digest(token), is_admin=admin, moderator=moderator,
                            invited_by=by, created_at=now, expires_at=now + INVITATION_LIFETIME)
    db.session.add(invitation)
    db.session.flush()
    log_event(None, None, action, moderator=by, reason=email, item_kind="moderator",
              item_ref=moderator.id if moderator else None)
    return NewInvitation(invitation, token)


def find_invitation(token: str) -> Invitation | None:
    """An unused, unexpired invitation for this link, else None."""
    if not token or len(token) > 100:
        return None
    invitation = db.session.execute(
        db.select(Invitation).filter_by(token_hash=_digest(token))).scalar_one_or_none()
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> Moderator:
    """Set the password the invitation was for; it cannot be used again, and every other link still open for
    the same person ends with it. New moderators enrol next."""
    check_new_password(password)
    # Used once: two requests sent at once with the same link cannot both set a password (the row is locked
    # by the first until it commits, and the second then finds it used).
    taken = db.session.execute(
        db.update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        raise AccountError(_("This link has already been used. Please ask an admin for a new one."))
    end_open_links(invitation.email)
    db.session.refresh(invitation)
    moderator = invitation.moderator
    if moderator is None:
        if find_moderator(invitation.email) is not None:
            raise AccountError(_("This email already has an account. Please sign in instead."))
        moderator = Moderator(email=invitation.email, is_admin=invitation.is_admin, is_active=True)
        moderator.set_password(password)
        db.session.add(moderator)
        db.session.flush()
        _log(moderator, "joined")
    else:
        moderator.set_password(password)
        end_all_sessions(moderator)
        _log(moderator, "password_reset")
    return moderator


def end_open_links(email: str) -> None:
    """Every invitation or new-password link still open for this person stops working (a password changed,
    or a link used): an older link found later in a mailbox must not set the password again."""
    db.session.execute(
        db.update(Invitation).where(Invitation.email == email.strip().lower(), Invitation.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))


def _active_admins() -> int:
    return db.session.execute(
        db.select(db.func.count(Moderator.id)).filter_by(is_admin=True, is_active=True)).scalar_one()


def set_role(moderator: Moderator, role: str, by: Moderator) -> None:
    """Make a moderator an admin, or an admin a moderator (never the last admin)."""
    admin = role == "admin"
    if moderator.is_admin and not admin and moderator.is_active and _active_admins() <= 1:
        raise AccountError(_("The team needs at least one admin. Make someone else an admin first."))
    if moderator.is_admin != admin:
        moderator.is_admin = admin
        _log(moderator, "role_changed", by=by, reason=f"{moderator.email}: {role}")


def set_active(moderator: Moderator, active: bool, by: Moderator) -> None:
    """Turn an account off (signed out everywhere at once) or back on."""
    if not active and moderator.is_admin and moderator.is_active and _active_admins() <= 1:
        raise AccountError(_("The team needs at least one admin. Make someone else an admin first."))
    if moderator.is_active != active:
        moderator.is_active = active
        if not active:
            end_all_sessions(moderator)
        _log(moderator, "enabled" if active else "disabled", by=by, reason=moderator.email)


def team() -> list[Moderator]:
    """Everyone who has an account, in the order they joined."""
    return list(db.session.execute(db.select(Moderator).order_by(Moderator.id)).scalars())


def open_invitations() -> list[Invitation]:
    """Invitations to join not used yet and not expired, newest first."""
    return list(db.session.execute(
        db.select(Invitation).where(Invitation.used_at.is_(None), Invitation.moderator_id.is_(None),
                                    Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())).scalars())
