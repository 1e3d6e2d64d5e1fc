"""A memorial story, its versions (each submission or edit) and its photos."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from markupsafe import Markup

from ..extensions import db, unseen_by_visitors
from ..states import local_state_name, state_name
from ..text import stored_html
from ..timeutil import utcnow


class StoryStatus(str, enum.Enum):
    """Where a story stands, as a family would ask it: is it up, and if not, why not."""

    PENDING = "pending"                      # never published, waiting for a moderator
    CHANGES_REQUESTED = "changes_requested"  # a moderator asked the family to edit
    PUBLISHED = "published"                  # visible (an edit may be waiting, see pending_version)
    REJECTED = "rejected"
    UNPUBLISHED = "unpublished"              # was published, taken down by a moderator


class VersionState(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"
    SUPERSEDED = "superseded"   # an approved version replaced by a newer approved one
    WITHDRAWN = "withdrawn"     # a waiting edit replaced by a newer edit before review


class NameDisplay(str, enum.Enum):
    FULL = "full"
    FIRST = "first"
    INITIALS = "initials"


class Story(db.Model):
    __tablename__ = "story"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set at publication from the name as shown, so an initials-only memorial never
    # carries the full name in its address.
    slug: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=StoryStatus.PENDING.value, index=True)
    email: Mapped[str] = mapped_column(String(254))
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A link sent to a family who lost theirs: the old one keeps working until this one is used.
    new_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    live_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("story_version.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    # The reason a moderator gave for the latest rejection or request for changes.
    moderator_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    # The family's choices about the guestbook (memorials/community): a note on the anniversary
    # (opt-in), and an email when a condolence is published (on unless they switch it off).
    remembrance: Mapped[bool] = mapped_column(default=False, server_default=false())
    condolence_mail: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The language of the pages the family used (en, es): every mail to them is written in it.
    family_language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # "We want to read messages before they appear": a message or memory a moderator approved then waits
    # for the family's own yes on their private page.
    family_review: Mapped[bool] = mapped_column(default=False, server_default=false())

    # The order every list of memorials is read in (home page, feeds): newest first, from the index.
    __table_args__ = (Index("ix_story_status_newest", "status", published_at.desc(), id.desc()),)

    versions: Mapped[list[StoryVersion]] = relationship(
        back_populates="story",
        foreign_keys="StoryVersion.story_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="StoryVersion.id",
    )
    live_version: Mapped[StoryVersion | None] = relationship(
        foreign_keys=[live_version_id], post_update=True
    )
    photos: Mapped[list[Photo]] = relationship(
        back_populates="story", cascade="all, delete-orphan", passive_deletes=True
    )
    # Family members the family invited to look after the memorial with them (each with their own link).
    stewards: Mapped[list[Steward]] = relationship(
        back_populates="story", cascade="all, delete-orphan", passive_deletes=True, order_by="Steward.id"
    )

    @property
    def latest_version(self) -> StoryVersion:
        return self.versions[-1]

    @property
    def pending_version(self) -> StoryVersion | None:
        latest = self.versions[-1] if self.versions else None
        return latest if latest is not None and latest.state == VersionState.PENDING.value else None

    @property
    def is_public(self) -> bool:
        return self.status == StoryStatus.PUBLISHED.value and self.live_version_id is not None


class StoryVersion(db.Model):
    """One submission or edit, kept whole so a moderator decides on exactly what they read."""

    __tablename__ = "story_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=VersionState.PENDING.value, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    decided_at: Mapped[datetime | None]

    name: Mapped[str] = mapped_column(String(120))
    nickname: Mapped[str | None] = mapped_column(String(60))
    name_display: Mapped[str] = mapped_column(String(10), default=NameDisplay.FULL.value)
    born: Mapped[date | None]
    died: Mapped[date]
    city: Mapped[str | None] = mapped_column(String(80))
    state_code: Mapped[str | None] = mapped_column(String(2))
    story_markdown: Mapped[str] = mapped_column(Text)
    # The language the family wrote in (en, es): the memorial marks its words with it (lang="..."),
    # so a screen reader reads them with the right voice. Their words are never translated.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    content_note: Mapped[str | None] = mapped_column(String(200))
    submitter_name: Mapped[str | None] = mapped_column(String(120))
    relationship_to: Mapped[str | None] = mapped_column(String(80))
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id", ondelete="SET NULL"), index=True)
    photo_alt: Mapped[str | None] = mapped_column(String(200))
    # "In memory of": one link to a memorial fund or foundation the family names, read by a moderator with
    # the rest of the version, shown as a plain link (rel="nofollow ugc noopener").
    fund_name: Mapped[str | None] = mapped_column(String(120))
    fund_url: Mapped[str | None] = mapped_column(String(500))

    # Made from story_markdown by text.py when the version is approved, so that a page view
    # never renders Markdown.
    story_html: Mapped[str | None] = mapped_column(Text)
    excerpt: Mapped[str | None] = mapped_column(String(300))

    story: Mapped[Story] = relationship(back_populates="versions", foreign_keys=[story_id])
    photo: Mapped[Photo | None] = relationship()

    @property
    def display_name(self) -> str:
        """The name as the family chose to show it."""
        parts = self.name.split()
        if self.name_display == NameDisplay.FIRST.value and parts:
            return parts[0]
        if self.name_display == NameDisplay.INITIALS.value and parts:
            return " ".join(f"{p[0].upper()}." for p in parts)
        return self.name

    @property
    def age(self) -> int | None:
        """Age at death, from the dates the family gave."""
        if not self.born:
            return None
        years = self.died.year - self.born.year
        if (self.died.month, self.died.day) < (self.born.month, self.born.day):
            years -= 1
        return years

    @property
    def state_name(self) -> str:
        return state_name(self.state_code)

    @property
    def story_html_markup(self) -> Markup:
        """The approved story as HTML, made by text.py at approval; never re-rendered here."""
        return stored_html(self.story_html)

    @property
    def hometown(self) -> str:
        """"Dayton, Ohio"; a state named in words is said in the reader's language ("Distrito de Columbia")."""
        return ", ".join(part for part in (self.city, local_state_name(self.state_code)) if part)


class PhotoPurpose(str, enum.Enum):
    """What a photo is for: the story's own photo (kept by its versions), a gallery photo, a memory's photo."""

    STORY = "story"
    GALLERY = "gallery"
    MEMORY = "memory"


class Photo(db.Model):
    """A re-encoded photo and its thumbnail, stored under random names in the photo store."""

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(64), unique=True)
    thumb_filename: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    purpose: Mapped[str] = mapped_column(String(12), default=PhotoPurpose.STORY.value,
                                         server_default=PhotoPurpose.STORY.value)
    # A gallery or memory photo a moderator approved: public while its memorial is (the story's own photo
    # is public through the live version instead).
    shown: Mapped[bool] = mapped_column(default=False, server_default=false())

    story: Mapped[Story] = relationship(back_populates="photos")


@unseen_by_visitors
class Steward(db.Model):
    """Someone the family invited to look after the memorial with them: their own private link (only its
    hash is kept), the same powers as the family's. Story.email stays the first steward's address."""

    __tablename__ = "steward"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A fresh link asked for at /stories/manage/lost: the old one works until this one is used.
    new_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    story: Mapped[Story] = relationship(back_populates="stewards")
