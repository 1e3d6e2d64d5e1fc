"""Changes the letters feature makes: counting letters, saving campaigns. The caller commits."""
from __future__ import annotations

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..text import render_markdown
from .compose import unwrap
from .models import Campaign, CampaignStatus, LetterCount


def count_letters(campaign: Campaign, state: str, letters: int) -> None:
    """Add letters to the campaign's count for a state; nothing about the sender is kept."""
    if letters <= 0:
        return
    bumped = db.session.execute(
        update(LetterCount).where(LetterCount.campaign_id == campaign.id, LetterCount.state == state)
        .values(letters=LetterCount.letters + letters)
    ).rowcount
    if bumped:
        return
    try:
        # A savepoint: if another request made this state's row first, add to theirs instead.
        with db.session.begin_nested():
            db.session.add(LetterCount(campaign_id=campaign.id, state=state, letters=letters))
    except IntegrityError:
        db.session.execute(
            update(LetterCount).where(LetterCount.campaign_id == campaign.id, LetterCount.state == state)
            .values(letters=LetterCount.letters + letters))


def total_letters(campaign: Campaign) -> int:
    return letter_totals([campaign]).get(campaign.id, 0)


def letter_totals(campaigns: list[Campaign]) -> dict[int, int]:
    """{campaign id: letters written}, for a whole list in one query."""
    ids = [c.id for c in campaigns]
    rows = db.session.execute(
        db.select(LetterCount.campaign_id, func.sum(LetterCount.letters))
        .where(LetterCount.campaign_id.in_(ids)).group_by(LetterCount.campaign_id)
    ).all()
    return {campaign_id: int(total) for campaign_id, total in rows}


def set_ask(campaign: Campaign, ask: str) -> None:
    """The ask's Markdown, and the HTML text.py makes of it (hand-wrapped lines joined first)."""
    campaign.ask = ask.strip()
    campaign.ask_html = str(render_markdown(unwrap(campaign.ask)))


def letters_by_state(campaign: Campaign) -> list[tuple[str, int]]:
    """(state, letters), most letters first."""
    return [tuple(row) for row in db.session.execute(
        db.select(LetterCount.state, LetterCount.letters).where(LetterCount.campaign_id == campaign.id)
        .order_by(LetterCount.letters.desc(), LetterCount.state)
    ).all()]


def live_campaigns() -> list[Campaign]:
    return list(db.session.execute(
        db.select(Campaign).where(Campaign.status == CampaignStatus.LIVE.value)
        .order_by(Campaign.position, Campaign.id)
    ).scalars())


def slug_taken(slug: str, campaign: Campaign | None = None) -> bool:
    query = db.select(Campaign.id).where(Campaign.slug == slug)
    if campaign is not None and campaign.id is not None:
        query = query.where(Campaign.id != campaign.id)
    return db.session.execute(query).first() is not None


def save_campaign(campaign: Campaign, form) -> Campaign:
    """Copy the admin's form onto a campaign (new or existing)."""
    campaign.title = form.title.data.strip()
    campaign.slug = form.slug.data.strip()
    campaign.summary = form.summary.data.strip()
    set_ask(campaign, form.ask.data)
    campaign.letter_template = form.letter_template.data.replace("\r\n", "\n").strip() + "\n"
    campaign.status = form.status.data
    if campaign.id is None:
        db.session.add(campaign)
    return campaign
