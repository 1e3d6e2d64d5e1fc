"""What the memorial and the family's page show of the guestbook, and the contact address: template
helpers, read-only (the views change things)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request, session
from itsdangerous import BadSignature, URLSafeSerializer

from ..stories.models import Story
from ..text import plain_text_html
from ..timeutil import utcnow
from . import bp, queries
from .forms import ButtonForm, CondolenceForm, GuestbookSettingsForm

CANDLE_COOKIE = "candles"
MESSAGES_PER_PAGE = 50
SAID = "guestbook_said"       # what the memorial page should say once, after a candle or a message


def candle_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="candles")


def lit_today() -> set[int]:
    """Memorials this browser lit a candle for today, from its signed cookie (nothing kept on our side)."""
    try:
        value = candle_serializer().loads(request.cookies.get(CANDLE_COOKIE, ""))
    except BadSignature:
        return set()
    if not isinstance(value, dict) or value.get("day") != utcnow().date().isoformat():
        return set()
    return {i for i in value.get("lit", []) if isinstance(i, int)}


@dataclass
class Guestbook:
    """What the memorial page shows of its guestbook."""

    story: Story
    candles: int
    lit_today: bool
    said: str | None
    messages: object       # a Pagination of published condolences
    form: CondolenceForm
    button_form: ButtonForm


def guestbook_for(story: Story) -> Guestbook:
    """Candles, messages and the forms for one memorial (three queries)."""
    said = session.get(SAID)
    if said and said.get("story") == story.id:
        session.pop(SAID)
    else:
        said = None
    page = min(max(request.args.get("messages", 1, type=int) or 1, 1), 1_000_000)
    return Guestbook(
        story=story, candles=queries.candle_count(story.id), lit_today=story.id in lit_today(),
        said=said and said.get("what"), messages=queries.condolence_page(story.id, page, MESSAGES_PER_PAGE),
        form=g.get("condolence_form") or CondolenceForm(formdata=None), button_form=ButtonForm(),
    )


@dataclass
class FamilyGuestbook:
    """What the family's private page shows of their guestbook."""

    condolences: list
    candles: int
    choices: GuestbookSettingsForm
    button_form: ButtonForm


def family_guestbook(story: Story) -> FamilyGuestbook:
    return FamilyGuestbook(
        condolences=queries.family_condolences(story.id), candles=queries.candle_count(story.id),
        choices=GuestbookSettingsForm(formdata=None, data={"condolence_mail": story.condolence_mail,
                                                           "remembrance": story.remembrance}),
        button_form=ButtonForm(),
    )


@bp.app_template_filter("plain_text")
def plain_text(value: str | None):
    """A visitor's plain words as HTML, through text.py (escaped, line breaks kept, no links)."""
    return plain_text_html(value)


@bp.app_context_processor
def community_globals():
    """The contact address for the footer and the mail, and the guestbook for the memorial pages."""
    values = {"contact_email": current_app.config.get("CONTACT_EMAIL") or "",
              "guestbook": guestbook_for, "family_guestbook": family_guestbook,
              "queue_counts": queries.queue_counts}
    failed = g.get("condolence_form")
    if failed is not None and failed.errors:
        values["page_has_errors"] = True
    return values
