"""The mail a moderator's decision sends to the family: in the family's language, whatever the moderator reads.

A moderator may decide from the Spanish pages on a story a family sent in English, or the other way
round: the words, dates and links of the mail follow Story.family_language, never the page's language.
The moderator's reason is their own words and goes in as written.
"""
from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from .. import mail
from ..i18n import in_language, localized_url
from ..stories.models import Story, StoryVersion


def _link(lang: str, endpoint: str, **values) -> str:
    """An absolute link to a public page, in the family's language (/es/... or plain)."""
    return localized_url(current_app.config["SITE_URL"] + url_for(endpoint, **values), lang)


def _subject(action: str, version: StoryVersion) -> str:
    if action == "approve":
        return _("%(name)s's story is now on the site", name=version.display_name)
    if action == "reject":
        return _("About your story for %(name)s", name=version.name)
    if action == "request_changes":
        return _("A small request about %(name)s's story", name=version.name)
    return _("%(name)s's story has been taken down", name=version.display_name)


def tell_family(story: Story, version: StoryVersion, action: str, reason: str | None):
    """Queue the decision's mail (approve, reject, request_changes, unpublish) in the caller's transaction."""
    lang = story.family_language
    with in_language(lang):
        public_url = _link(lang, "stories.show", slug=story.slug) if story.slug else None
        body = render_template(f"mail/decision_{action}.txt", site_name=current_app.config["SITE_NAME"],
                               version=version, story=story, reason=reason, public_url=public_url,
                               lost_url=_link(lang, "stories.lost_link"))
        return mail.queue(story.email, _subject(action, version), body, kind=f"decision_{action}")
