"""The messages a story sends: to the family, and to moderators. Queued in the caller's transaction."""
from __future__ import annotations

from flask import current_app, render_template, url_for

from .. import mail
from .models import Story, StoryVersion


def absolute(endpoint: str, **values) -> str:
    """A link for an email: SITE_URL plus the route's path."""
    return current_app.config["SITE_URL"] + url_for(endpoint, **values)


def _send(to, template: str, subject: str, kind: str | None = None, **context):
    body = render_template(f"mail/{template}.txt", site_name=current_app.config["SITE_NAME"], **context)
    return mail.queue(to, subject, body, kind=kind or template)


def _to_moderators(template: str, subject: str, **context):
    body = render_template(f"mail/{template}.txt", site_name=current_app.config["SITE_NAME"], **context)
    return mail.queue_to_moderators(subject, body, kind=template)


def story_received(story: Story, version: StoryVersion, token: str):
    return _send(story.email, "received", f"We received your story about {version.name}",
                 version=version, manage_url=absolute("stories.manage", token=token))


def edit_received(story: Story, version: StoryVersion):
    return _send(story.email, "edit_received", f"We received your changes to {version.name}'s story",
                 version=version, story=story)


def tell_moderators(story: Story, version: StoryVersion, *, edit: bool):
    what = "An edit to a story" if edit else "A new story"
    return _to_moderators("moderators_new", f"{what} is waiting: {version.display_name}",
                          what=what, version=version, review_url=absolute("moderation.story", story_id=story.id))


def decision(story: Story, version: StoryVersion, action: str, reason: str | None):
    subjects = {
        "approve": f"{version.display_name}'s story is now on the site",
        "reject": f"About your story for {version.name}",
        "request_changes": f"A small request about {version.name}'s story",
        "unpublish": f"{version.display_name}'s story has been taken down",
    }
    public_url = absolute("stories.show", slug=story.slug) if story.slug else None
    return _send(story.email, f"decision_{action}", subjects[action], version=version, story=story,
                 reason=reason, public_url=public_url, lost_url=absolute("stories.lost_link"))


def fresh_links(email: str, links: list[tuple[StoryVersion, str]]):
    return _send(email, "fresh_links", "Your private links", links=[
        (version, absolute("stories.manage", token=token)) for version, token in links
    ])
