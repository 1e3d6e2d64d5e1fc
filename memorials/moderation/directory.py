"""Who the moderators are, for the features that write to them (no views, no decisions)."""
from __future__ import annotations

from ..extensions import db
from .models import Moderator

# Mail to moderators (invitations, password links, a story waiting) is written in this language: the
# team has no stored language of its own yet, and English is what every moderator so far reads.
MODERATOR_LANGUAGE = "en"


def moderator_emails() -> list[str]:
    """Every active moderator's address, in the order they joined (turned-off accounts get no mail)."""
    return list(db.session.execute(
        db.select(Moderator.email).where(Moderator.is_active.is_(True)).order_by(Moderator.id)).scalars())
