"""The messages a story sends: to the family, and to moderators. Queued in the caller's transaction.

Mail to a family is written in the language of the pages they used (Story.family_language), whatever the
language of the page that causes it (a moderator's decision, say), and every link in it leads to their
language's pages.
"""
from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from .. import mail
from ..i18n import in_language, localized_url
from ..moderation.directory import moderator_emails
from .models import Story, StoryVersion


def absolute(endpoint: str, **values) -> str:
    """A link for an email: SITE_URL plus the route's path."""
    return current_app.config["SITE_URL"] + url_for(endpoint, **values)


def family_link(lang: str | None, endpoint: str, **values) -> str:
    """A link for mail to a family: absolute, in the family's language."""
    return localized_url(absolute(endpoint, **values), lang)


def _send(to, template: str, subject: str, kind: str | None = None, **context):
    body = render_template(f"mail/{template}.txt", site_name=current_app.config["SITE_NAME"], **context)
    return mail.queue(to, subject, body, kind=kind or template)


def _to_moderators(template: str, subject: str, **context):
    body = render_template(f"mail/{template}.txt", site_name=current_app.config["SITE_NAME"], **context)
    return mail.queue(moderator_emails(), subject, body, kind=template)


def story_received(story: Story, version: StoryVersion, token: str):
    lang = story.family_language
    with in_language(lang):
        return _send(story.email, "received", _("We received your story about %(name)s", name=version.name),
                     version=version, manage_url=family_link(lang, "stories.manage", token=token))


def edit_received(story: Story, version: StoryVersion):
    with in_language(story.family_language):
        return _send(story.email, "edit_received",
                     _("We received your changes to %(name)s's story", name=version.name),
                     version=version, story=story)


def tell_moderators(story: Story, version: StoryVersion, *, edit: bool):
    # Moderators have no language of their own yet: their mail is in the site's first language.
    with in_language(None):
        what = _("An edit to a story") if edit else _("A new story")
        subject = (_("An edit to a story is waiting: %(name)s", name=version.display_name) if edit
                   else _("A new story is waiting: %(name)s", name=version.display_name))
        return _to_moderators("moderators_new", subject, what=what, version=version,
                              review_url=localized_url(absolute("moderation.story", story_id=story.id), None))


def decision(story: Story, version: StoryVersion, action: str, reason: str | None):
    lang = story.family_language
    with in_language(lang):
        subjects = {
            "approve": _("%(name)s's story is now on the site", name=version.display_name),
            "reject": _("About your story for %(name)s", name=version.name),
            "request_changes": _("A small request about %(name)s's story", name=version.name),
            "unpublish": _("%(name)s's story has been taken down", name=version.display_name),
        }
        public_url = family_link(lang, "stories.show", slug=story.slug) if story.slug else None
        return _send(story.email, f"decision_{action}", subjects[action], version=version, story=story,
                     reason=reason, public_url=public_url, lost_url=family_link(lang, "stories.lost_link"))


def fresh_links(email: str, links: list[tuple[StoryVersion, str]], language: str | None = None):
    with in_language(language):
        return _send(email, "fresh_links", _("Your private links") if len(links) > 1 else _("Your private link"),
                     links=[(version, family_link(language, "stories.manage", token=token))
                            for version, token in links])


def steward_invited(story: Story, steward, token: str):
    """A family member's own private link, sent to them (in the language of the page that invited them)."""
    lang = steward.language
    version = story.live_version or story.latest_version
    with in_language(lang):
        return _send(steward.email, "steward_invited",
                     _("You can now look after %(name)s's memorial", name=version.name), version=version,
                     manage_url=family_link(lang, "stories.manage", token=token),
                     lost_url=family_link(lang, "stories.lost_link"))
