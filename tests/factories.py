"""Plain helpers that make what tests need: photos, stories, moderators."""
from __future__ import annotations

import io
from datetime import date

import pyotp
from PIL import Image

from memorials.extensions import db
from memorials.moderation import services as moderation
from memorials.moderation.accounts import create_moderator
from memorials.stories.services import StoryInput, submit_story

STORY_TEXT = ("Danny loved fishing with his grandfather, burnt pancakes on Sundays, "
              "and the Detroit Lions in every losing season.")

PASSWORD = "a long enough password"
# Every moderator made here has set up two-factor sign-in with this key (as if enrolled on a phone).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def form_data(**overrides) -> dict:
    """What a family fills in on /stories/new, as the browser sends it."""
    data = {
        "name": "Daniel James Rivera",
        "nickname": "Danny",
        "name_display": "full",
        "born": "1998-03-14",
        "died": "2023-07-02",
        "city": "Dayton",
        "state": "OH",
        "story": STORY_TEXT,
        "content_note": "",
        "submitter_name": "Maria Rivera",
        "relationship": "mother",
        "email": "maria@example.org",
        "consent": "y",
        "photo_alt": "Danny holding a fish",
        "website": "",
    }
    data.update(overrides)
    return data


def image_bytes(fmt: str = "JPEG", size=(800, 600), color=(200, 30, 30), exif=None) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def make_story(**overrides):
    """A story as submitted (waiting for a moderator). Returns (story, token)."""
    values = dict(name="Daniel James Rivera", died=date(2023, 7, 2), story_markdown=STORY_TEXT,
                  email="maria@example.org", born=date(1998, 3, 14), city="Dayton", state_code="OH",
                  submitter_name="Maria Rivera", relationship_to="mother")
    values.update(overrides)
    return submit_story(StoryInput(**values), None)


def make_moderator(email="mod@example.org", admin=False, enrolled=True):
    """A moderator with PASSWORD; enrolled in two-factor sign-in with TOTP_SECRET unless enrolled=False."""
    moderator, _ = create_moderator(email, PASSWORD, admin=admin)
    if enrolled:
        moderator.totp_secret = TOTP_SECRET
    db.session.commit()
    return moderator


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The six digits the moderator's authenticator app shows now."""
    return pyotp.TOTP(secret).now()


def forget_used_code(app, email="mod@example.org") -> None:
    """Let the current code be used again: each code works once, and a test may sign in twice in 30 s."""
    from memorials.moderation.models import Moderator

    with app.app_context():
        moderator = db.session.execute(db.select(Moderator).filter_by(email=email)).scalar_one_or_none()
        if moderator is not None:
            moderator.totp_last_step = None
            db.session.commit()


def publish(story, moderator=None):
    moderator = moderator or make_moderator(email=f"approver{story.id}@example.org")
    moderation.approve(story, moderator)
    db.session.commit()
    return story


def sign_in(client, email="mod@example.org", password=PASSWORD, next_url=None):
    """Sign in through the real forms: email and password, then the code from the authenticator app.
    Returns the answer to the last step (a redirect to the queue when both were right)."""
    from tests.forms import submit

    login = "/moderate/login" + (f"?next={next_url}" if next_url else "")
    first = submit(client, login, {"email": email, "password": password})
    if first.status_code != 302 or not first.headers["Location"].endswith("/moderate/login/code"):
        return first
    forget_used_code(client.application, email.strip().lower())
    return submit(client, "/moderate/login/code", {"code": totp_code()})
