"""The mail memories send, queued in the caller's transaction, each in its reader's language (see
community/notices.py: the family's, the moderators', or the language of the memorial a visitor wrote on)."""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import mail
from ..community.notices import link, queue_waiting, visitor_language
from ..i18n import in_language
from ..stories.models import Story
from .models import Memory


def _send(to, template: str, subject: str, **context):
    body = render_template(f"memories/mail/{template}.txt", site_name=current_app.config["SITE_NAME"], **context)
    return mail.queue(to, subject, body, kind=template)


def memories_waiting():
    return queue_waiting("memories/mail/memories_waiting.txt", _l("Memories are waiting for review"),
                         "memories_moderation.queue")


def memory_published(story: Story, memory: Memory):
    """Tell the family a memory of their loved one is on the memorial (they can switch this off)."""
    version, lang = story.live_version, story.family_language
    with in_language(lang):
        return _send(story.email, "memory_published", _("A memory of %(name)s on the memorial", name=version.name),
                     version=version, memory=memory,
                     memorial_url=link("stories.show", lang, slug=story.slug, _anchor="memories"),
                     lost_url=link("stories.lost_link", lang))


def memory_is_up(story: Story, memory: Memory):
    """Tell the writer, once, that their memory is on the memorial."""
    version, lang = story.live_version, visitor_language(story)
    with in_language(lang):
        return _send(memory.email, "memory_is_up", _("Your memory is on %(name)s's memorial", name=version.display_name),
                     version=version, memorial_url=link("stories.show", lang, slug=story.slug, _anchor="memories"))
