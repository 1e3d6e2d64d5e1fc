"""Changes the letters feature makes: counting letters and calls once, saving campaigns. The caller commits.

Counts are numbers only: per campaign and state, per campaign in total, and per memorial.
Nothing about who wrote or called is kept; a one-time token's hash is kept until it expires,
so that a reload or a second send of the same form is not counted twice.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import case, func, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..text import render_markdown
from ..timeutil import utcnow
from .compose import unwrap
from .models import (PUBLIC_STATUSES, STATE_RECIPIENTS, Campaign, CampaignLevel, CampaignStatus, LetterCount,
                     MemorialLetterCount, UsedLetterToken)

# How long a letter form's one-time token is good for: a day or two to write, then a fresh page.
TOKEN_MAX_AGE = timedelta(days=2)


# -- one-time tokens -----------------------------------------------------------------------------------

def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="letters-once")


def new_token() -> str:
    """A signed, random token for one letter form (nothing is stored until it is used)."""
    return _signer().dumps(secrets.token_hex(16))


def token_is_valid(token: str | None) -> bool:
    """Signed by us and not older than TOKEN_MAX_AGE."""
    if not token:
        return False
    try:
        _signer().loads(token, max_age=int(TOKEN_MAX_AGE.total_seconds()))
    except BadData:
        return False
    return True


def use_once(token: str | None, purpose: str) -> bool:
    """True the first time a valid token is used for this purpose ('letters', 'call:<member>', ...).

    Keeps only a hash of token and purpose, until the token could no longer be used anyway.
    """
    if not token_is_valid(token):
        return False
    digest = hashlib.sha256(f"{purpose}\x00{token}".encode()).hexdigest()
    inserted = db.session.execute(
        _insert(UsedLetterToken).values(token_hash=digest, expires_at=utcnow() + TOKEN_MAX_AGE)
        .on_conflict_do_nothing(index_elements=["token_hash"]).returning(UsedLetterToken.id)
    ).first()  # a row only when this is the first use (RETURNING, as rowcount is not reliable here)
    return inserted is not None


def forget_expired_tokens() -> None:
    """Drop the hashes of tokens too old to be used again (one indexed delete)."""
    db.session.execute(db.delete(UsedLetterToken).where(UsedLetterToken.expires_at < utcnow()))


# -- counting ------------------------------------------------------------------------------------------

def _insert(model):
    """INSERT with ON CONFLICT for the database in use (SQLite and PostgreSQL both have it)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def _bump_state(campaign: Campaign, state: str, *, letters: int = 0, calls: int = 0) -> None:
    table = LetterCount.__table__
    db.session.execute(
        _insert(LetterCount).values(campaign_id=campaign.id, state=state, letters=letters, calls=calls)
        .on_conflict_do_update(index_elements=["campaign_id", "state"],
                               set_={"letters": table.c.letters + letters, "calls": table.c.calls + calls}))
    db.session.execute(
        update(Campaign).where(Campaign.id == campaign.id)
        .values(letters_total=Campaign.letters_total + letters, calls_total=Campaign.calls_total + calls)
        .execution_options(synchronize_session=False))


def count_letters(campaign: Campaign, state: str, letters: int, story_id: int | None = None) -> None:
    """Add letters to the campaign's count for a state (and to the memorial's, when one is attached)."""
    if letters <= 0:
        return
    _bump_state(campaign, state, letters=letters)
    if story_id is not None:
        table = MemorialLetterCount.__table__
        db.session.execute(
            _insert(MemorialLetterCount).values(story_id=story_id, letters=letters)
            .on_conflict_do_update(index_elements=["story_id"], set_={"letters": table.c.letters + letters}))


def count_call(campaign: Campaign, state: str) -> None:
    """One more call for the campaign from a state; nothing about the caller is kept."""
    _bump_state(campaign, state, calls=1)


def count_letters_once(token: str | None, campaign: Campaign, state: str, letters: int,
                       story_id: int | None = None) -> bool:
    """Count these letters unless this form's token was counted already; True when counted now."""
    if letters <= 0 or not use_once(token, f"letters:{campaign.id}"):
        return False
    forget_expired_tokens()
    count_letters(campaign, state, letters, story_id)
    return True


def count_call_once(token: str | None, campaign: Campaign, state: str, member: str) -> bool:
    """Count a call to one member once per letter form; True when counted now."""
    if not use_once(token, f"call:{campaign.id}:{member}"):
        return False
    count_call(campaign, state)
    return True


# -- reading counts ------------------------------------------------------------------------------------

def letter_totals(campaigns: list[Campaign]) -> dict[int, int]:
    """{campaign id: letters written}, from the running totals: no query."""
    return {c.id: c.letters_total for c in campaigns}


def states_writing(campaign: Campaign) -> int:
    """How many states letters for this campaign came from."""
    return db.session.execute(
        db.select(func.count()).select_from(LetterCount)
        .where(LetterCount.campaign_id == campaign.id, LetterCount.letters > 0)).scalar_one()


def memorial_letters(story_id: int) -> int:
    """How many letters were written in memory of a memorial (a visitor's memorial reads it with the story
    instead: memorials.letters_subquery)."""
    return db.session.execute(
        db.select(MemorialLetterCount.letters).where(MemorialLetterCount.story_id == story_id)
    ).scalar_one_or_none() or 0


# -- campaigns -----------------------------------------------------------------------------------------

def set_ask(campaign: Campaign, ask: str) -> None:
    """The ask's Markdown, and the HTML text.py makes of it (hand-wrapped lines joined first)."""
    campaign.ask = ask.strip()
    campaign.ask_html = str(render_markdown(unwrap(campaign.ask)))


def set_spanish(campaign: Campaign, *, title: str | None, summary: str | None, ask: str | None,
                call_ask: str | None, letter: str | None) -> None:
    """The campaign's words in Spanish (any may still be empty), and the ask's HTML."""
    campaign.title_es = _plain(title)
    campaign.summary_es = _plain(summary)
    campaign.ask_es = (ask or "").strip() or None
    campaign.ask_html_es = str(render_markdown(unwrap(campaign.ask_es))) if campaign.ask_es else None
    campaign.call_ask_es = _plain(call_ask)
    campaign.letter_template_es = _letter(letter)


def set_update(campaign: Campaign, update: str | None, update_es: str | None) -> None:
    """What happened (Markdown, in both languages), and its HTML, for a won or closed campaign's page."""
    campaign.update_text = (update or "").strip() or None
    campaign.update_html = str(render_markdown(unwrap(campaign.update_text))) if campaign.update_text else None
    campaign.update_text_es = (update_es or "").strip() or None
    campaign.update_html_es = (str(render_markdown(unwrap(campaign.update_text_es)))
                               if campaign.update_text_es else None)


def _plain(value: str | None) -> str | None:
    return " ".join((value or "").split()) or None


def _letter(value: str | None) -> str | None:
    value = (value or "").replace("\r\n", "\n").strip()
    return value + "\n" if value else None


def public_campaigns(limit: int | None = None, offset: int = 0) -> list[Campaign]:
    """Live campaigns in the order admins set, then the won and closed ones, latest first (one query, never a
    count of them all)."""
    live = Campaign.status == CampaignStatus.LIVE.value
    query = (db.select(Campaign).where(Campaign.status.in_(PUBLIC_STATUSES))
             .order_by(case((live, 0), else_=1), case((live, Campaign.position), else_=0),
                       case((live, Campaign.id), else_=0), Campaign.updated_at.desc(), Campaign.id))
    if limit:
        query = query.limit(limit).offset(offset)
    return list(db.session.execute(query).scalars())


def slug_taken(slug: str, campaign: Campaign | None = None) -> bool:
    query = db.select(Campaign.id).where(Campaign.slug == slug)
    if campaign is not None and campaign.id is not None:
        query = query.where(Campaign.id != campaign.id)
    return db.session.execute(query).first() is not None


def save_campaign(campaign: Campaign, form) -> Campaign:
    """Copy the admin's form onto a campaign (new or existing), in both languages."""
    campaign.title = form.title.data.strip()
    campaign.slug = form.slug.data.strip()
    campaign.summary = form.summary.data.strip()
    set_ask(campaign, form.ask.data)
    campaign.call_ask = _plain(form.call_ask.data)
    campaign.letter_template = _letter(form.letter_template.data)
    set_spanish(campaign, title=form.title_es.data, summary=form.summary_es.data, ask=form.ask_es.data,
                call_ask=form.call_ask_es.data, letter=form.letter_template_es.data)
    campaign.level = form.level.data
    state = campaign.level == CampaignLevel.STATE.value
    campaign.state = (form.state.data or None) if state else None
    campaign.recipients = ",".join(r for r in STATE_RECIPIENTS if r in (form.recipients.data or [])) if state else None
    campaign.bill_number = _plain(form.bill_number.data)
    campaign.bill_url = (form.bill_url.data or "").strip() or None
    set_update(campaign, form.update.data, form.update_es.data)
    campaign.status = form.status.data
    if campaign.id is None:
        db.session.add(campaign)
    return campaign
