"""The bridge from a memorial to a letter: which memorial, shown how, and who the writer was to them.

Memorials are read only through the stories feature's public query (published_by_slug), so a
letter can only ever carry what the memorial page itself shows: the name as the family chose
to show it, the age, the hometown, the year, and the public address.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _

from .. import pagecache
from ..extensions import db
from ..stories.models import Story
from ..stories.queries import published_by_slug
from .compose import Remembered
from .models import Campaign, CampaignStatus, MemorialLetterCount
from .services import memorial_letters

# The submitter says who they were to the person ("mother"); a letter needs who the person was
# to the writer. Only inversions that need no guess about gender are offered, as a suggestion.
INVERSE = {
    "child": ("mother", "father", "parent", "mom", "mum", "dad", "stepmother", "stepfather", "stepmom",
              "stepdad", "stepparent", "adoptive mother", "adoptive father", "adoptive parent", "foster mother",
              "foster father", "foster parent"),
    "grandchild": ("grandmother", "grandfather", "grandparent", "grandma", "grandpa"),
    "parent": ("son", "daughter", "child", "stepson", "stepdaughter"),
    "grandparent": ("grandson", "granddaughter", "grandchild"),
    "sibling": ("sister", "brother", "sibling", "twin", "twin sister", "twin brother", "half-sister",
                "half-brother", "stepsister", "stepbrother"),
    "spouse": ("wife", "husband", "spouse"),
    "partner": ("partner", "girlfriend", "boyfriend", "fiance", "fiancé", "fiancee", "fiancée"),
    "friend": ("friend",),
    "best friend": ("best friend",),
    "cousin": ("cousin",),
}
SUGGESTIONS = {said: suggestion for suggestion, words in INVERSE.items() for said in words}


@dataclass(frozen=True)
class Attached:
    """A published memorial a letter is written in memory of."""

    story_id: int
    slug: str
    remembered: Remembered
    relationship_to: str | None  # what the submitter said they were to the person, to suggest a relation


def attached_memorial(slug: str | None) -> Attached | None:
    """The published memorial at this address, as the family shows it; None for anything else."""
    story = published_by_slug(slug)
    if story is None or story.live_version is None:
        return None
    version = story.live_version
    url = current_app.config["SITE_URL"] + url_for("stories.show", slug=story.slug)
    return Attached(story.id, story.slug,
                    Remembered(name=version.display_name, died_year=version.died.year, url=url, age=version.age,
                               place=version.hometown or ""),
                    version.relationship_to)


def suggested_relation(relationship_to: str | None) -> str:
    """'mother' -> 'child': who the person was to the family member who shared the story, or ''."""
    said = " ".join((relationship_to or "").lower().split())
    said = re.sub(r"^(his|her|their|the|my)\s+", "", said)
    return SUGGESTIONS.get(said, "")


def ignored_note() -> str:
    return _("We couldn't find a published memorial at that address, so your letter won't mention one. "
             "You can still write it, and tell their story in your own words.")


@dataclass(frozen=True)
class MemorialLetters:
    """What a memorial page shows about letters: how many, and where to write one."""

    count: int
    campaigns: tuple[str, ...]    # the addresses (slugs) of up to two live campaigns (shared: never changed)


def letters_subquery():
    """How many letters were written in memory of the outer query's Story row: the memorial page reads it with
    the story (stories/memorial.py)."""
    return (db.select(MemorialLetterCount.letters).where(MemorialLetterCount.story_id == Story.id)
            .correlate(Story).scalar_subquery())


def for_memorial(story_id: int, count: int | None = None) -> MemorialLetters:
    """The letters written in a memorial's memory (`count`, when read with the story: letters_subquery), and (up
    to two) live campaigns to write for: one query for the count otherwise, and one more for the campaigns once
    per worker while nothing public changes."""
    count = memorial_letters(story_id) if count is None else int(count or 0)
    return MemorialLetters(count, pagecache.while_unchanged(("live campaigns",), _live_campaign_slugs))


def _live_campaign_slugs() -> tuple[str, ...]:
    return tuple(db.session.execute(
        db.select(Campaign.slug).where(Campaign.status == CampaignStatus.LIVE.value)
        .order_by(Campaign.position, Campaign.id).limit(2)).scalars())
