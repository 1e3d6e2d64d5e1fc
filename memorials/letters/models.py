"""Members of Congress, the ZIP-to-district table, campaigns, and letter counts (no personal data)."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, unseen_by_visitors
from ..text import stored_html
from ..timeutil import utcnow

# Non-voting House members: five delegates, and Puerto Rico's Resident Commissioner.
DELEGATES = {"DC", "AS", "GU", "MP", "VI"}
RESIDENT_COMMISSIONER = "PR"


def member_title(chamber: str, state: str) -> str:
    """'Senator', 'Representative', 'Delegate' or 'Resident Commissioner', in the page's language."""
    if chamber == "senate":
        return _("Senator")
    if state == RESIDENT_COMMISSIONER:
        return _("Resident Commissioner")
    return _("Delegate") if state in DELEGATES else _("Representative")


class Legislator(db.Model):
    """A sitting member: the last term of a congress-legislators record, and only what letters use."""

    __tablename__ = "legislator"

    id: Mapped[int] = mapped_column(primary_key=True)
    bioguide: Mapped[str] = mapped_column(String(10), unique=True)
    chamber: Mapped[str] = mapped_column(String(6))  # "house" or "senate"
    state: Mapped[str] = mapped_column(String(2), index=True)
    district: Mapped[int | None]  # House only; 0 is at-large (and delegates)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    full_name: Mapped[str] = mapped_column(String(160))
    party: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20))
    office: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(300))
    contact_form: Mapped[str | None] = mapped_column(String(300))

    @property
    def title(self) -> str:
        return member_title(self.chamber, self.state)


class DistrictOffice(db.Model):
    """A member's office at home (congress-legislators district offices), for a local phone number."""

    __tablename__ = "district_office"

    id: Mapped[int] = mapped_column(primary_key=True)
    bioguide: Mapped[str] = mapped_column(String(10), index=True)
    city: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(2))
    address: Mapped[str | None] = mapped_column(String(400))
    zip: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    hours: Mapped[str | None] = mapped_column(String(200))  # as the office gives them, when it does


class ZipDistrict(db.Model):
    """One row per (ZCTA, state, district): a ZIP that spans districts has several rows."""

    __tablename__ = "zip_district"
    __table_args__ = (UniqueConstraint("zcta", "state", "district", name="uq_zip_district_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    zcta: Mapped[str] = mapped_column(String(5), index=True)
    state: Mapped[str] = mapped_column(String(2))
    district: Mapped[int]


class LetterDataset(db.Model):
    """Where the loaded legislators and ZIP table came from, and when: shown on the pages."""

    __tablename__ = "letter_dataset"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), unique=True)  # "legislators" or "zip_districts"
    source: Mapped[str] = mapped_column(String(500))
    as_of: Mapped[str | None] = mapped_column(String(40))
    row_count: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def as_of_date(self) -> date:
        """The data's own date when it has one (an ISO date), else when it was imported."""
        try:
            return date.fromisoformat(self.as_of or "")
        except ValueError:
            return self.imported_at.date()


class CampaignStatus(str, enum.Enum):
    DRAFT = "draft"
    LIVE = "live"
    ARCHIVED = "archived"


class Campaign(db.Model):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(500))
    ask: Mapped[str] = mapped_column(Text)  # Markdown
    # The ask as HTML, made by text.py when the campaign is saved, so page views never render Markdown.
    ask_html: Mapped[str] = mapped_column(Text, default="")
    letter_template: Mapped[str] = mapped_column(Text)  # Markdown with {{ placeholders }}
    # What a caller asks for, to finish "I'm calling to ask Senator X to ...": one short clause.
    call_ask: Mapped[str | None] = mapped_column(String(300))
    # Running totals, kept with the per-state counts, so lists of campaigns read one row each.
    letters_total: Mapped[int] = mapped_column(default=0, server_default="0")
    calls_total: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(10), default=CampaignStatus.DRAFT.value, index=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    counts: Mapped[list[LetterCount]] = relationship(back_populates="campaign", cascade="all, delete-orphan",
                                                     passive_deletes=True)

    @property
    def ask_markup(self) -> Markup:
        """The ask as HTML, made by text.py when the campaign was saved."""
        return stored_html(self.ask_html)

    @property
    def is_live(self) -> bool:
        return self.status == CampaignStatus.LIVE.value


class LetterCount(db.Model):
    """How many letters were written, and calls made, for a campaign from one state. Nothing about who."""

    __tablename__ = "letter_count"
    __table_args__ = (UniqueConstraint("campaign_id", "state", name="uq_letter_count_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(2))
    letters: Mapped[int] = mapped_column(default=0)
    calls: Mapped[int] = mapped_column(default=0, server_default="0")

    campaign: Mapped[Campaign] = relationship(back_populates="counts")


class MemorialLetterCount(db.Model):
    """How many letters were written in memory of one memorial: a number, nothing about the writers.

    Goes with the memorial when it is deleted (ON DELETE CASCADE).
    """

    __tablename__ = "memorial_letter_count"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), unique=True)
    letters: Mapped[int] = mapped_column(default=0)


@unseen_by_visitors
class UsedLetterToken(db.Model):
    """A one-time letter token already counted (its hash only), kept until the token expires.

    The form carries a signed token; a reload or a second send of the same form finds its hash
    here and is not counted again.
    """

    __tablename__ = "used_letter_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
