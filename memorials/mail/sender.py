"""Sending what the outbox holds: `flask --app app deliver-mail [--once]`.

Each pass claims a batch of due messages (a lease, written and committed before anything is
sent, so two senders never take the same message), sends them over one SMTP connection with a
10-second timeout, and marks each one sent in its own commit as soon as the server accepts it.
A message that could not be sent is tried again with a growing pause for 24 hours, then marked
failed, and moderators see it in their queue. A sender killed mid-batch loses nothing: its
claims run out (or are released at once when it starts again on the same machine) and the
messages are taken again; at worst one message the server had already accepted is sent twice,
with the same Message-ID.
"""
from __future__ import annotations

import logging
import os
import secrets
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, update

from ..extensions import db
from ..storage import tasks as store_tasks
from ..timeutil import utcnow
from .models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 10            # seconds, on every connection and every command
BATCH = 20
LEASE = timedelta(minutes=10)
GIVE_UP_AFTER = timedelta(hours=24)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=1)
KEEP_SENT = timedelta(days=30)  # how long the bare fact of a sent message is kept


def sender_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Pass:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes after each failed try, never more than an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_PAUSE)


def _due(now: datetime):
    return (OutboxMessage.status.in_([OutboxStatus.QUEUED.value, OutboxStatus.SENDING.value]),
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now))


def claim(limit: int = BATCH, now: datetime | None = None) -> list[int]:
    """Take up to `limit` due messages for this sender, committed before anything is sent."""
    now = now or utcnow()
    query = db.select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.execute(query).scalars())
    if ids:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids), *_due(now))
            .values(status=OutboxStatus.SENDING.value, claimed_by=sender_name(), lease_until=now + LEASE))
    db.session.commit()
    return list(db.session.execute(
        db.select(OutboxMessage.id).where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == sender_name(),
                                          OutboxMessage.status == OutboxStatus.SENDING.value)
        .order_by(OutboxMessage.id)).scalars()) if ids else []


def release_orphans() -> int:
    """Give back the claims of senders on this machine that are no longer running (killed mid-batch)."""
    host = socket.gethostname()
    rows = db.session.execute(
        db.select(OutboxMessage.id, OutboxMessage.claimed_by)
        .where(OutboxMessage.status == OutboxStatus.SENDING.value, OutboxMessage.claimed_by.like(f"{host}:%"))
    ).all()
    dead = [row.id for row in rows if not _alive(row.claimed_by.rsplit(":", 1)[-1])]
    if dead:
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(dead))
                           .values(status=OutboxStatus.QUEUED.value, claimed_by=None, lease_until=None))
    db.session.commit()
    return len(dead)


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = ", ".join(message.recipient_list)
    if config["CONTACT_EMAIL"]:
        email["Reply-To"] = config["CONTACT_EMAIL"]
    email["Subject"] = message.subject or ""
    email["Date"] = format_datetime(message.created_at.replace(tzinfo=timezone.utc))
    email["Message-ID"] = message.message_id
    email.set_content(message.body or "")
    return email


class Transport:
    """SMTP when MAIL_SERVER is set, else .eml files in the instance outbox. Opened once per pass."""

    def __init__(self):
        self.config = current_app.config
        self.smtp: smtplib.SMTP | None = None

    def send(self, email: EmailMessage) -> None:
        if not self.config["MAIL_SERVER"]:
            write_eml(email)
            return
        if self.smtp is None:
            self.smtp = smtplib.SMTP(self.config["MAIL_SERVER"], self.config["MAIL_PORT"], timeout=SMTP_TIMEOUT)
            if self.config["MAIL_USE_TLS"]:
                self.smtp.starttls(context=ssl.create_default_context())
            if self.config["MAIL_USERNAME"]:
                self.smtp.login(self.config["MAIL_USERNAME"], self.config["MAIL_PASSWORD"])
        self.smtp.send_message(email)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def outbox_folder() -> Path:
    return Path(current_app.instance_path) / "outbox"


def write_eml(email: EmailMessage) -> None:
    folder = outbox_folder()
    folder.mkdir(parents=True, exist_ok=True)
    # Nanoseconds first, so the files sort in the order they were written.
    (folder / f"{time.time_ns()}-{secrets.token_hex(4)}.eml").write_bytes(bytes(email))


def deliver_due(limit: int = BATCH, now: datetime | None = None) -> Pass:
    """One pass over the outbox: claim what is due, send it, record what happened."""
    result = Pass()
    transport = Transport()
    try:
        for message_id in claim(limit, now):
            message = db.session.get(OutboxMessage, message_id)
            try:
                transport.send(build(message))
            except (OSError, smtplib.SMTPException) as error:
                transport.close()  # a broken connection is not used again
                _failed_try(message, error, result)
            else:
                _sent(message)
                result.sent += 1
            db.session.commit()
    finally:
        transport.close()
    _forget_old(now or utcnow())
    return result


def _sent(message: OutboxMessage) -> None:
    message.status = OutboxStatus.SENT.value
    message.sent_at = utcnow()
    message.attempts += 1
    message.recipients = message.subject = message.body = None
    message.claimed_by = message.lease_until = message.last_error = None


def _failed_try(message: OutboxMessage, error: Exception, result: Pass) -> None:
    now = utcnow()
    message.attempts += 1
    message.claimed_by = message.lease_until = None
    message.last_error = describe(error)
    result.errors.append(message.last_error)
    if now - message.created_at >= GIVE_UP_AFTER:
        message.status = OutboxStatus.FAILED.value
        if message.private:  # a letter copy: neither the words nor who asked for them outlive the tries
            message.body = message.recipients = None
        result.failed += 1
        log.error("gave up on mail #%s (%s) after %s tries over 24 hours: %s", message.id, message.kind,
                  message.attempts, message.last_error)
    else:
        message.status = OutboxStatus.QUEUED.value
        message.next_attempt_at = now + backoff(message.attempts)
        result.retried += 1
        log.warning("could not send mail #%s (%s), try %s: %s; trying again at %s UTC", message.id, message.kind,
                    message.attempts, message.last_error, message.next_attempt_at.strftime("%H:%M:%S"))


def describe(error: Exception) -> str:
    """What went wrong, for the log and for moderators; a server's own answer is left out (it may quote the message)."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__} {error.smtp_code}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "SMTPRecipientsRefused"
    return f"{type(error).__name__}: {str(error)[:200]}"


def _forget_old(now: datetime) -> None:
    """The bare record of a sent message is kept a month, for counting; then it goes too."""
    db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT.value,
                                                      OutboxMessage.sent_at < now - KEEP_SENT))
    db.session.commit()


def failed_messages() -> list[OutboxMessage]:
    """Messages given up on, newest first, for the moderators' queue."""
    return list(db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED.value)
        .order_by(OutboxMessage.created_at.desc()).limit(100)).scalars())


def retry(message: OutboxMessage) -> bool:
    """Put a failed message back in line (a moderator fixed the mail server). False if its body is gone."""
    if message.status != OutboxStatus.FAILED.value or message.body is None:
        return False
    message.status = OutboxStatus.QUEUED.value
    message.created_at = message.next_attempt_at = utcnow()  # another 24 hours of tries
    message.last_error = None
    return True


def _store_tasks() -> None:
    """The sender also retries what the photo store refused (a withdrawal's deletions): it runs everywhere the
    site does, already, and every such task is harmless to do twice."""
    try:
        store_tasks.work_off()
    except Exception:  # noqa: BLE001 (the store or the database may be down: mail goes on regardless)
        log.exception("could not work off the photo store's waiting tasks; trying again shortly")
        db.session.rollback()
    finally:
        db.session.remove()


def run(interval: float = 5.0, once: bool = False) -> Pass:
    """Send what is due, then wait and look again, until stopped; with once, until nothing is due."""
    released = release_orphans()
    if released:
        log.warning("took back %s messages from a sender that stopped mid-batch", released)
    total = Pass()
    while True:
        try:
            result = deliver_due()
        except Exception:  # noqa: BLE001 (a database hiccup must not stop the sender for good)
            log.exception("the mail sender's pass failed; trying again shortly")
            db.session.rollback()
            result = Pass(errors=["pass failed"])
        finally:
            db.session.remove()
        _store_tasks()
        total.sent, total.retried, total.failed = (total.sent + result.sent, total.retried + result.retried,
                                                   total.failed + result.failed)
        total.errors += result.errors
        busy = result.sent + result.retried + result.failed >= BATCH
        if once and not busy:
            return total
        if not busy:
            time.sleep(interval)
