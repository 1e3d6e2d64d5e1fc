"""Outgoing mail, through a transactional outbox.

A feature calls `queue(to, subject, body)` inside its own transaction (to the moderators: the addresses
`moderation.directory.moderator_emails()` gives): the message is a row written with the
thing that caused it, so it is committed (or rolled back) together with it, and no request
ever waits on a mail server. `flask --app app deliver-mail` sends what is due, over SMTP when
MAIL_SERVER is set, else as .eml files in INSTANCE_PATH/outbox/ (see sender.py).
"""
from __future__ import annotations

from .models import OutboxMessage, OutboxStatus
from .outbox import queue
from .sender import deliver_due, release_orphans

__all__ = ["OutboxMessage", "OutboxStatus", "queue", "deliver_due", "release_orphans"]
