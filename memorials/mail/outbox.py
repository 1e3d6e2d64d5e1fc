"""Putting messages in the outbox. The caller's transaction commits them with what caused them."""
from __future__ import annotations

from email.utils import make_msgid

from ..extensions import db
from .models import OutboxMessage


def queue(to: str | list[str], subject: str, body: str, *, kind: str = "notice",
          private: bool = False) -> OutboxMessage | None:
    """Add one plain-text message to the caller's transaction; None when there is nobody to send to.

    private=True is for words that must not outlive delivery even when it fails (a letter copy).
    """
    recipients = [r.strip() for r in ([to] if isinstance(to, str) else list(to)) if r and r.strip()]
    if not recipients:
        return None
    message = OutboxMessage(kind=kind, private=private, recipients=",".join(recipients), subject=subject,
                            body=body, message_id=make_msgid(domain="memorials.local"))
    db.session.add(message)
    return message

