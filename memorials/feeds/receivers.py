"""Keeping share cards and addresses in step with what is public, through memorials/events.py."""
from __future__ import annotations

from dataclasses import replace

from flask import current_app, has_request_context

from .. import storage
from ..events import after_commit, story_hidden, story_published
from ..i18n import in_language, language_or_default
from ..storage import tasks
from ..stories.models import Story
from . import addresses, services


@story_published.connect
def on_published(story: Story, **_) -> None:
    """Keep the new address for good and draw the card once the approval commits.

    The card is drawn when a moderator's decision commits (a request). Stories published outside a
    request (a script, a bulk import) get theirs at first view, so seeding 100,000 memorials does
    not draw 100,000 pictures inside one commit.
    """
    addresses.remember_address(story)
    if not has_request_context() or story.live_version is None:
        return
    # The card in the language the family wrote in is drawn now; another language's at its first view.
    with in_language(language_or_default(story.live_version.language)):
        card = services.memorial_card(story.live_version, with_photo=False)
        name = services.story_card_name(story.id, story.live_version_id)
    story_id, app = story.id, current_app._get_current_object()
    photo = story.live_version.photo.filename if story.live_version.photo else None

    def draw() -> None:
        try:
            services.build_story_card(name, replace(card, photo=services.photo_named(photo)))
        except Exception:  # the approval stands; the card is drawn again at first view
            app.logger.exception("could not draw the share card of story %s", story_id)

    after_commit(draw)


@story_hidden.connect
def on_hidden(story: Story, **_) -> None:
    """Unpublished or withdrawn: its cards go with the commit (they come back if it is published again). The
    deletions are recorded in the same transaction, so a store that is down only delays them."""
    tasks.plan(tasks.deletes(storage.CARDS, services.story_card_names(story)))
