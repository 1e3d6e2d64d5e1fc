"""Share cards kept in step with what is public: written when a memorial is published, removed when
it is hidden; campaign and site cards made at first request and kept until their words change.

Cards live in the store's share-cards area (INSTANCE_PATH/share-cards on one machine, or object storage:
memorials/storage), named by what they show (a memorial's version, a hash of a
campaign's words), so a stale card is never served and a link preview refreshes when words change.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import gettext as _

from .. import storage
from ..i18n import LANGUAGES, current_language, localized_url, long_date
from ..stories import photos
from ..stories.models import Story, StoryVersion
from . import cards, printable

log = logging.getLogger(__name__)

FOLDER = storage.CARDS      # the store's area (INSTANCE_PATH/share-cards on one machine)


def card_store() -> storage.Store:
    return storage.store(storage.CARDS)


def _remove_others(prefix: str, keep: str | None = None) -> None:
    """Every card whose name starts with prefix, but keep."""
    found = card_store()
    for name in list(found.names(prefix)):
        if name != keep:
            found.delete(name)


# Memorials ---------------------------------------------------------------------------------------

def life_dates(version: StoryVersion) -> str:
    """'March 14, 1998 – July 2, 2023', or 'Died July 2, 2023' when the family gave no birth date."""
    if version.born:
        return _("%(born)s – %(died)s", born=long_date(version.born), died=long_date(version.died))
    return _("Died %(date)s", date=long_date(version.died))


def photo_of(version: StoryVersion) -> bytes | None:
    """The family's photo for a card (None without one, or when its file is missing). A store that is down
    raises StoreUnavailable: no card is drawn without the photo it should have."""
    return photo_named(version.photo.filename if version.photo else None)


def photo_named(name: str | None) -> bytes | None:
    if name is None:
        return None
    try:
        return photos.store().read(name)
    except FileNotFoundError:
        return None


def share_summary(version: StoryVersion) -> str:
    """What a link preview or a feed reader shows of the story: its opening words, unless the family
    put a content note before it (then the story stays behind the note, as on the page)."""
    if version.content_note:
        return _("In loving memory of %(name)s, %(dates)s.", name=version.display_name, dates=life_dates(version))
    return version.excerpt or ""


def memorial_card(version: StoryVersion, with_photo: bool = True) -> cards.Card:
    """What a memorial's card says: the name as the family chose to show it, the dates, the hometown (and its
    photo, read from the store unless with_photo is False: the caller adds it when it draws)."""
    return cards.Card(
        blocks=[
            cards.Block(_("In loving memory"), "italic", 32, color=cards.SOFT, gap_after=20),
            cards.Block(version.display_name, "bold", 78, 44, max_lines=3, gap_after=26),
            cards.Block(life_dates(version), "regular", 34, 26, max_lines=2, gap_after=12),
            cards.Block(version.hometown, "regular", 30, 24, color=cards.SOFT),
        ],
        footer=current_app.config["SITE_NAME"],
        photo=photo_of(version) if with_photo else None,
        frame=None if version.photo else years(version),
    )


def years(version: StoryVersion) -> str:
    """'1998 – 2023', or the year they died alone: the frame's words on a card without a photo."""
    return f"{version.born.year} – {version.died.year}" if version.born else str(version.died.year)


def story_card_name(story_id: int, version_id: int, lang: str | None = None) -> str:
    """A memorial's card's name in the store: one file per version and language (its fixed words are translated)."""
    return f"story-{story_id}-{version_id}-{lang or current_language()}.jpg"


def build_story_card(name: str, card: cards.Card) -> None:
    """Draw and store a memorial's card, and remove the cards of its earlier versions (in every language)."""
    card_store().save(name, cards.render(card))
    _, story_id, version_id, _lang = name.removesuffix(".jpg").split("-")
    for old in list(card_store().names(f"story-{story_id}-")):
        if old.split("-")[2] != version_id:
            card_store().delete(old)


def story_card_names(story: Story) -> list[str]:
    """Every card a memorial may have: each version's, in each language (exact names: a store that is down when
    the memorial is withdrawn gets each one retried, with no listing needed)."""
    return [story_card_name(story.id, version.id, lang) for version in story.versions for lang in LANGUAGES]


def story_card_file(story: Story) -> str:
    """The public memorial's card's name, drawn now if it is missing (published before cards, or a failed write)."""
    name = story_card_name(story.id, story.live_version_id)
    if not card_store().exists(name):
        build_story_card(name, memorial_card(story.live_version))
    return name


# Campaigns and the site --------------------------------------------------------------------------

def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass
class CachedCard:
    """A card made at first request and kept while its words stay the same."""

    name: str           # the file's name in the card folder
    stem: str           # what every version of this card's file name starts with
    card: cards.Card

    @property
    def version(self) -> str:
        return self.name.rsplit("-", 1)[-1].split(".")[0]

    def file(self) -> str:
        """The card's name in the store, drawn now if it is not there yet (and its older versions removed)."""
        if not card_store().exists(self.name):
            card_store().save(self.name, cards.render(self.card))
            _remove_others(f"{self.stem}-", keep=self.name)
        return self.name


def campaign_card(campaign) -> CachedCard:
    """A live campaign's card: whom it writes to ('Write to Congress', 'Write to your state's leaders'), its title
    and summary, the site's name."""
    card = cards.Card(
        blocks=[
            cards.Block(_("Write to your state's leaders") if campaign.is_state else _("Write to Congress"), "italic",
                        32, color=cards.SOFT, gap_after=22),
            cards.Block(campaign.title, "bold", 64, 40, max_lines=3, gap_after=24),
            cards.Block(campaign.summary, "regular", 30, 24, max_lines=3, color=cards.SOFT),
        ],
        footer=current_app.config["SITE_NAME"],
    )
    return _cached(f"campaign-{campaign.id}-{current_language()}", card)


def site_card() -> CachedCard:
    """The card for pages without a memorial: the site's name and what it is for."""
    card = cards.Card(
        blocks=[
            cards.Block(current_app.config["SITE_NAME"], "bold", 72, 44, max_lines=2, gap_after=28),
            cards.Block(_("Memorials for people lost to fentanyl and other drug overdoses, the numbers "
                          "behind them, and letters to lawmakers."), "regular", 32, 24, max_lines=4,
                        color=cards.SOFT),
        ],
        footer=urlsplit(current_app.config["SITE_URL"]).netloc,
    )
    return _cached(f"site-{current_language()}", card)


def _cached(stem: str, card: cards.Card) -> CachedCard:
    words = [b.text for b in card.blocks] + [card.footer, str(cards.WIDTH), CARD_DESIGN]
    return CachedCard(f"{stem}-{_digest(*words)}.jpg", stem, card)


# Change this when the drawing changes, so cached campaign and site cards are drawn again.
CARD_DESIGN = "1"


# The printable remembrance card ----------------------------------------------------------------

def remembrance_card(story: Story) -> bytes:
    """The public memorial's printable card as a PDF, in the reader's language."""
    v = story.live_version
    return printable.render(printable.PrintableCard(
        name=v.display_name,
        kicker=_("In loving memory"),
        dates=life_dates(v),
        hometown=v.hometown,
        line=story_line(v),
        url=localized_url(current_app.config["SITE_URL"] + url_for("stories.show", slug=story.slug),
                          current_language()),
        qr_caption=_("Scan to read %(name)s's story and leave a message for the family.", name=v.display_name),
        site_name=current_app.config["SITE_NAME"],
        title=_("Remembering %(name)s", name=v.display_name),
        language=current_language(),
        photo=photo_of(v),
        photo_size=(v.photo.width, v.photo.height) if v.photo else None,
    ))


def story_line(version: StoryVersion, limit: int = 180) -> str:
    """A short line from the story for the printed card: its first sentence or two, cut at a word.
    Empty when the family put a content note before the story."""
    if version.content_note:
        return ""
    text = " ".join((version.excerpt or "").split())
    sentences = re.split(r"(?<=[.!?…])\s+", text)
    line = ""
    for sentence in sentences:
        candidate = f"{line} {sentence}".strip()
        if line and len(candidate) > limit:
            break
        line = candidate
        if len(line) >= 60:
            break
    if len(line) > limit:
        line = line[:limit].rsplit(" ", 1)[0].rstrip(",;:-–—") + "…"
    return line
