"""Members of Congress, state legislators and governors, the ZIP-to-district tables, campaigns, and letter
counts (no personal data)."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
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
    # "legislators", "district_offices", "zip_districts", "state_officials" or "zip_state_districts"
    kind: Mapped[str] = mapped_column(String(20), unique=True)
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


class StateOfficial(db.Model):
    """A sitting state legislator or governor from the Open States people data: only what letters use.

    A role that has ended is never imported, and one that ends later (end_date) is never offered after it.
    """

    __tablename__ = "state_official"
    __table_args__ = (Index("ix_state_official_seat", "state", "seat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person: Mapped[str] = mapped_column(String(40), unique=True)  # the uuid of Open States' ocd-person id
    state: Mapped[str] = mapped_column(String(2))
    chamber: Mapped[str] = mapped_column(String(12))  # upper, lower, legislature (Nebraska) or governor
    district: Mapped[str | None] = mapped_column(String(80))  # the legislature's own name: "12", "1st Barnstable"
    seat: Mapped[str] = mapped_column(String(80), default="")  # the district as districts.seat_key makes it
    name: Mapped[str] = mapped_column(String(160))
    family_name: Mapped[str] = mapped_column(String(80))
    party: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))  # the capitol (or main) office
    address: Mapped[str | None] = mapped_column(String(300))
    district_phone: Mapped[str | None] = mapped_column(String(30))  # an office at home, where there is one
    district_address: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(300))
    contact_form: Mapped[str | None] = mapped_column(String(300))  # a link whose address or note says "contact"
    end_date: Mapped[date | None]

    @property
    def key(self) -> str:
        """How the letters page names this official in its buttons and fields."""
        return self.person


class ZipStateDistrict(db.Model):
    """One row per (ZCTA, chamber, state district) the ZIP code area overlaps: a split ZIP has several."""

    __tablename__ = "zip_state_district"
    __table_args__ = (UniqueConstraint("zcta", "state", "chamber", "seat", name="uq_zip_state_district_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    zcta: Mapped[str] = mapped_column(String(5), index=True)
    state: Mapped[str] = mapped_column(String(2))
    chamber: Mapped[str] = mapped_column(String(6))  # upper or lower
    seat: Mapped[str] = mapped_column(String(80))  # districts.seat_key of the name
    name: Mapped[str] = mapped_column(String(120))  # the Census Bureau's name, tidied: "12", "1st Barnstable"


class CampaignStatus(str, enum.Enum):
    DRAFT = "draft"
    LIVE = "live"
    ARCHIVED = "archived"
    WON = "won"        # what it asked for happened: the page says so, with the totals, and takes no letters
    CLOSED = "closed"  # over without winning (a bill died, a session ended): said the same way


# Shown to visitors: live campaigns take letters; won and closed ones are listed under "Done".
PUBLIC_STATUSES = (CampaignStatus.LIVE.value, CampaignStatus.WON.value, CampaignStatus.CLOSED.value)
DONE_STATUSES = (CampaignStatus.WON.value, CampaignStatus.CLOSED.value)


class CampaignLevel(str, enum.Enum):
    CONGRESS = "congress"
    STATE = "state"


# Who a state campaign writes to, in the order the letters come.
STATE_RECIPIENTS = ("upper", "lower", "governor")


@dataclass(frozen=True)
class CampaignText:
    """A campaign's words in one language; language says which (English when the other is not written yet)."""

    language: str
    title: str
    summary: str
    ask: str  # Markdown
    ask_html: Markup
    call_ask: str | None
    letter_template: str
    update_html: Markup | None
    update_language: str = "en"  # a won campaign's news may be written in English only, for now


# A campaign's words that have a Spanish twin. The first four are always needed for a Spanish page; the phone ask
# and the update only once they are written in English.
SPANISH_TWINS = ("title", "summary", "ask", "letter_template", "call_ask", "update")
ALWAYS_TWINNED = ("title", "summary", "ask", "letter_template")


def missing_spanish(english: dict, spanish: dict) -> list[str]:
    """The names of the Spanish twins still empty, given each field's English and Spanish words (the campaign as
    stored, or the admin form as typed: one rule for both)."""
    return [name for name in SPANISH_TWINS
            if (name in ALWAYS_TWINNED or (english.get(name) or "").strip()) and not (spanish.get(name) or "").strip()]


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
    # Congress, or the states: one state (state set) or every state (state empty), written to the recipients
    # listed ("upper,lower,governor" in any combination).
    level: Mapped[str] = mapped_column(String(10), default=CampaignLevel.CONGRESS.value,
                                       server_default=CampaignLevel.CONGRESS.value)
    state: Mapped[str | None] = mapped_column(String(2))
    recipients: Mapped[str | None] = mapped_column(String(40))
    # The same words in Spanish; a campaign is shown in Spanish once all four main ones are written.
    title_es: Mapped[str | None] = mapped_column(String(160))
    summary_es: Mapped[str | None] = mapped_column(String(500))
    ask_es: Mapped[str | None] = mapped_column(Text)
    ask_html_es: Mapped[str | None] = mapped_column(Text)
    call_ask_es: Mapped[str | None] = mapped_column(String(300))
    letter_template_es: Mapped[str | None] = mapped_column(Text)
    # What happened, for a won or closed campaign (Markdown, and its HTML made when saved).
    update_text: Mapped[str | None] = mapped_column(Text)
    update_html: Mapped[str | None] = mapped_column(Text)
    update_text_es: Mapped[str | None] = mapped_column(Text)
    update_html_es: Mapped[str | None] = mapped_column(Text)
    # The bill the campaign is about, when there is one: its number and its official page.
    bill_number: Mapped[str | None] = mapped_column(String(40))
    bill_url: Mapped[str | None] = mapped_column(String(300))
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

    @property
    def is_done(self) -> bool:
        """Won or closed: shown with its update and totals, and no longer taking letters."""
        return self.status in DONE_STATUSES

    @property
    def is_state(self) -> bool:
        return self.level == CampaignLevel.STATE.value

    @property
    def recipient_list(self) -> list[str]:
        """Who a state campaign writes to, in letter order ([] for Congress)."""
        chosen = set((self.recipients or "").split(","))
        return [r for r in STATE_RECIPIENTS if r in chosen] if self.is_state else []

    @property
    def missing_spanish(self) -> list[str]:
        """The Spanish fields still to write ('title', 'summary', ...), for the admin pages."""
        fields = {"title": self.title, "summary": self.summary, "ask": self.ask, "call_ask": self.call_ask,
                  "letter_template": self.letter_template, "update": self.update_text}
        spanish = {"title": self.title_es, "summary": self.summary_es, "ask": self.ask_es,
                   "call_ask": self.call_ask_es, "letter_template": self.letter_template_es,
                   "update": self.update_text_es}
        return missing_spanish(fields, spanish)

    def text(self, language: str) -> CampaignText:
        """The campaign's words in this language, or in English while its Spanish is not all written
        (title, summary, ask and letter go together, so a page never mixes the two)."""
        english_update = stored_html(self.update_html) if self.update_html else None
        if language == "es" and not [n for n in self.missing_spanish if n in ALWAYS_TWINNED]:
            spanish_update = stored_html(self.update_html_es) if self.update_html_es else None
            return CampaignText("es", self.title_es, self.summary_es, self.ask_es, stored_html(self.ask_html_es or ""),
                                self.call_ask_es or None, self.letter_template_es, spanish_update or english_update,
                                "es" if spanish_update else "en")
        return CampaignText("en", self.title, self.summary, self.ask, self.ask_markup, self.call_ask,
                            self.letter_template, english_update, "en")


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
