"""The mail the gallery sends: one note to moderators when photos start waiting (not one per photo)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..community.notices import queue_waiting


def photos_waiting():
    return queue_waiting("gallery/mail/photos_waiting.txt", _l("Gallery photos are waiting for review"),
                         "gallery_moderation.queue")
