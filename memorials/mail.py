"""Outgoing mail: SMTP when MAIL_SERVER is set, else .eml files in the instance outbox."""
from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
import time
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def outbox_path() -> Path:
    return Path(current_app.instance_path) / "outbox"


def build_message(to: str | list[str], subject: str, body: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = ", ".join([to] if isinstance(to, str) else to)
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = make_msgid(domain="memorials.local")
    message.set_content(body)
    return message


def send(to: str | list[str], subject: str, body: str) -> bool:
    """Send one plain-text message. Returns False, and logs, when it could not be sent.

    Callers send after their transaction has committed, so a mail server that is down
    never costs a family their story.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return True
    message = build_message(recipients, subject, body)
    config = current_app.config
    try:
        if config["MAIL_SERVER"]:
            _send_smtp(message, config)
        else:
            _write_eml(message)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send mail %r", subject)
        return False
    return True


def _send_smtp(message: EmailMessage, config) -> None:
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _write_eml(message: EmailMessage) -> None:
    folder = outbox_path()
    folder.mkdir(parents=True, exist_ok=True)
    # Nanoseconds first, so the files sort in the order they were written.
    path = folder / f"{time.time_ns()}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
