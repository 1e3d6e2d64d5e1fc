"""What a memorial and the family's private page show of the guestbook (candles, messages), as plain query
functions the views call: the memorial page object (stories/memorial.py) and the family's page take their
data from here, never from a template global."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from flask import current_app, request, session
from itsdangerous import BadSignature, URLSafeSerializer

from ..paging import page_number
from ..stories.models import Story
from ..timeutil import utcnow
from . import queries
from .forms import ButtonForm, CondolenceForm, GuestbookSettingsForm

CANDLE_COOKIE = "candles"
MESSAGES_PER_PAGE = 50
SAID = "guestbook_said"       # what the memorial page should say once, after a candle, a message or a memory


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


def take_said(story: Story) -> str | None:
    """What to thank this visitor for once ("candle", "condolence", "memory"), taken from their session."""
    said = session.get(SAID)
    if said and said.get("story") == story.id:
        session.pop(SAID)
        return said.get("what")
    return None


@dataclass
class Guestbook:
    """What the memorial page shows of its guestbook."""

    candles: int
    lit_today: bool
    messages: object       # a Pagination of published condolences
    form: CondolenceForm | None   # the visitor's refused one with their words and its errors; None: blank
    form_class: ClassVar[type] = CondolenceForm    # drawn blank once per worker (memorials/fragments.py)

    @property
    def candles_shown(self) -> int:
        """How many small candles the row draws: it grows with the count, up to a row's worth."""
        return min(self.candles, CANDLES_DRAWN)


CANDLES_DRAWN = 24


def for_memorial(story: Story, form: CondolenceForm | None = None, candles: int | None = None,
                 messages: int | None = None) -> Guestbook:
    """Candles and how many messages (`candles`, `messages`, when read with the story:
    queries.candle_total_subquery, message_total_subquery), one page of messages and the forms for one memorial
    (up to three statements; none when both were read and there is no message)."""
    return Guestbook(
        candles=queries.candle_count(story.id) if candles is None else int(candles),
        lit_today=story.id in lit_today(),
        messages=queries.condolence_page(story.id, page_number("messages"), MESSAGES_PER_PAGE, messages),
        form=form,
    )


@dataclass
class FamilyGuestbook:
    """What the family's private page shows of their guestbook."""

    condolences: list
    candles: int
    choices: GuestbookSettingsForm
    button_form: ButtonForm

    @property
    def waiting(self) -> list:
        return [c for c in self.condolences if c.status == "with_family"]


def for_family(story: Story) -> FamilyGuestbook:
    return FamilyGuestbook(
        condolences=queries.family_condolences(story.id), candles=queries.candle_count(story.id),
        choices=GuestbookSettingsForm(formdata=None, data={"condolence_mail": story.condolence_mail,
                                                           "remembrance": story.remembrance,
                                                           "family_review": story.family_review}),
        button_form=ButtonForm(),
    )
