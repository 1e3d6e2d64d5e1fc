"""A family that keeps its say, together: the person who shared a story can invite another family member to look
after the memorial with them. Each has their own private link (only its hash is kept) and the same powers, and
either can end the other's access. The first steward is the story itself (Story.email, manage_token_hash); the
others are Steward rows. The caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..audit import log_event
from ..extensions import db
from ..i18n import language_or_default
from .models import Steward, Story
from .services import Access, new_token, offer_new_link

# The person who shared the story and up to two more.
MAX_STEWARDS = 3


class StewardError(ValueError):
    """An invitation or a change of access that cannot be made; the message says why, kindly."""


@dataclass(frozen=True)
class Keeper:
    """One person who looks after a memorial, as their private page lists them."""

    key: str            # "first" or the steward's id: what the "end access" button names
    email: str
    is_you: bool


def keepers(access: Access) -> list[Keeper]:
    """Everyone with access to the memorial, the person reading first as "you" where it is them."""
    story = access.story
    people = [Keeper("first", story.email, access.steward is None)]
    people += [Keeper(str(s.id), s.email, access.steward is not None and access.steward.id == s.id)
               for s in story.stewards]
    return people


def family_addresses(story: Story) -> list[tuple[str, str]]:
    """Where mail for the family goes that every steward should read: (email, language) for each."""
    return [(story.email, story.family_language)] + [(s.email, s.language) for s in story.stewards]


def invite(story: Story, email: str, language: str | None) -> tuple[Steward, str]:
    """Give another family member their own private link. Returns the steward and the link's token (for the
    mail only: never stored)."""
    email = email.strip()
    if email.lower() in {address.lower() for address, _lang in family_addresses(story)}:
        raise StewardError(_("This person can already look after the memorial."))
    if len(story.stewards) + 1 >= MAX_STEWARDS:
        raise StewardError(_("%(count)s people already look after this memorial, which is as many as we allow. "
                             "End someone's access first if another person should have it.", count=MAX_STEWARDS))
    token, token_hash = new_token()
    steward = Steward(email=email, token_hash=token_hash, language=language_or_default(language))
    story.stewards.append(steward)
    db.session.flush()
    log_event(story.id, story.live_version_id, "steward_added", item_kind="steward", item_ref=steward.id)
    return steward, token


def end_access(access: Access, key: str) -> str:
    """End someone else's access ("first", or a steward's id). Returns the email whose access ended.

    When the person who shared the story loses access, the one who ended it takes their place: the story's
    mail goes to them from now on, and the old link stops working at once."""
    story = access.story
    if key == "first":
        if access.steward is None:
            raise StewardError(_("You can't end your own access here. To stop looking after the memorial, ask "
                                 "the other person to end it."))
        ended = story.email
        taking_over = access.steward
        story.email = taking_over.email
        story.manage_token_hash, story.new_token_hash = taking_over.token_hash, taking_over.new_token_hash
        story.family_language = language_or_default(taking_over.language)
        story.stewards.remove(taking_over)
        log_event(story.id, story.live_version_id, "steward_removed", reason="the first steward",
                  item_kind="steward", item_ref=None)
        return ended
    steward = next((s for s in story.stewards if str(s.id) == key), None)
    if steward is None or (access.steward is not None and access.steward.id == steward.id):
        raise StewardError(_("You can't end your own access here. To stop looking after the memorial, ask "
                             "the other person to end it.") if steward is not None
                           else _("That person no longer has access."))
    story.stewards.remove(steward)
    log_event(story.id, story.live_version_id, "steward_removed", item_kind="steward", item_ref=steward.id)
    return steward.email


def fresh_links_for_all(story: Story) -> list[tuple[str, str, str]]:
    """A new private link for every steward, for a mail that must carry each one's own link: (email, language,
    token). Their old links keep working until the new one is used."""
    links = [(story.email, story.family_language, offer_new_link(story))]
    for steward in story.stewards:
        token, steward.new_token_hash = new_token()
        links.append((steward.email, steward.language, token))
    return links
