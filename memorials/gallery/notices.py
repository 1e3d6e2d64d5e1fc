"""The mail the gallery sends: one note to moderators when photos start waiting (not one per photo)."""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from .. import mail
from ..community.notices import MODERATORS_LANGUAGE, link
from ..i18n import in_language
from ..moderation.directory import moderator_emails


def photos_waiting():
    with in_language(MODERATORS_LANGUAGE):
        body = render_template("gallery/mail/photos_waiting.txt", site_name=current_app.config["SITE_NAME"],
                               review_url=link("gallery_moderation.queue", MODERATORS_LANGUAGE))
        return mail.queue(moderator_emails(), _("Gallery photos are waiting for review"), body, kind="photos_waiting")
