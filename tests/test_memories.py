"""Memories from friends and family: shared through the real form on a memorial, public only once a moderator (and,
if the family asked, the family) has read them, with an optional photo processed like every photo."""
from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest

from memorials.extensions import db
from memorials.memories.models import Memory
from memorials.stories.models import Photo, Story

from .factories import image_bytes, make_story, publish
from .forms import csrf_token, submit
from .test_community import moderator_client, text_of

pytestmark = pytest.mark.both_databases

WORDS = ("The summer we were sixteen, Danny decided we would build a raft.\n\n"
         "It sank in twenty minutes. We walked home soaking wet, laughing.")


@pytest.fixture
def memorial(app):
    with app.app_context():
        story, token = make_story()
        publish(story)
        return story.id, story.slug, token



def share(client, slug, prefix="", **overrides):
    data = {"name": "Marcus", "memory": WORDS, "email": "", "photo_alt": "", "website": ""}
    data.update(overrides)
    return submit(client, f"{prefix}/stories/{slug}/memories", data, page=f"{prefix}/stories/{slug}",
                  content_type="multipart/form-data")


def memories(app):
    with app.app_context():
        return [(m.name, m.status, m.email, m.photo_id is not None)
                for m in db.session.execute(db.select(Memory).order_by(Memory.id)).scalars()]



def decide_all(mod, action="approve"):
    page = mod.get("/moderate/memories").get_data(as_text=True)
    for memory_id in re.findall(r'action="/moderate/memories/(\d+)"', page):
        assert mod.post(f"/moderate/memories/{memory_id}",
                        data={"csrf_token": csrf_token(page), "action": action}).status_code == 302


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_memory_appears_only_once_a_moderator_approves_it_with_its_photo(app, client, memorial, outbox, lang):
    _, slug, _ = memorial
    prefix = "/es" if lang == "es" else ""
    mod = moderator_client(app)
    response = share(client, slug, prefix, email="marcus@example.org", photo_alt="Two boys on a raft",
                     photo=(io.BytesIO(image_bytes(size=(2400, 1800))), "raft.jpg"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{prefix}/stories/{slug}#memories-said")
    thanked = text_of(client.get(f"{prefix}/stories/{slug}"))
    assert ("Gracias por compartir su recuerdo" if lang == "es" else "Thank you for sharing your memory") in thanked
    assert "It sank in twenty minutes" not in thanked
    assert memories(app) == [("Marcus", "pending", "marcus@example.org", True)]
    with app.app_context():
        photo = db.session.execute(db.select(Photo).where(Photo.purpose == "memory")).scalar_one()
        name, width = photo.filename, photo.width
    assert width == 1600 and client.get(f"/stories/photos/{name}", buffered=True).status_code == 404
    assert "Memories are waiting for review" in [m["Subject"] for m in outbox()]

    queue = text_of(mod.get("/moderate/memories"))
    assert "It sank in twenty minutes" in queue and "marcus@example.org" not in queue
    decide_all(mod)
    page = text_of(client.get(f"{prefix}/stories/{slug}"))
    memory = page[page.index('id="memories"'):page.index("</section>", page.index('id="memories"'))]
    # Plain text with its paragraphs, the name and the date; the photo described.
    assert "<p>The summer we were sixteen, Danny decided we would build a raft.</p>" in memory
    assert "Marcus" in memory and 'alt="Two boys on a raft"' in memory
    assert client.get(f"/stories/photos/{name}", buffered=True).status_code == 200
    assert "marcus@example.org" not in page
    assert memories(app) == [("Marcus", "published", None, True)]
    subjects = [m["Subject"] for m in outbox()]
    assert any(s.startswith(("Your memory is on", "Su recuerdo ya está")) for s in subjects)
    assert any(s.startswith("A memory of Daniel James Rivera on the memorial") for s in subjects)  # the family, in English


@pytest.mark.parametrize("overrides, field, message", [
    ({"memory": ""}, "memory", "Please write your memory."),
    ({"name": ""}, "memory-name", "Please tell the family who is sharing this memory."),
    ({"memory": "x" * 5001}, "memory", "Please keep your memory under 5,000 characters."),
    ({"email": "not an email"}, "memory-email", "That doesn't look like an email address. Please check it."),
])
def test_a_refused_memory_comes_back_open_with_its_words_and_the_summary(app, client, memorial, overrides, field,
                                                                         message):
    _, slug, _ = memorial
    response = share(client, slug, **{"name": "Marcus Reed", **overrides})
    page = text_of(response)
    assert response.status_code == 200
    assert '<details class="form-fold" id="share-memory" open>' in page
    assert '<details class="form-fold" id="leave-message">' in page            # the other form stays folded
    assert f'<p class="error" id="{field}-error">{message}</p>' in page
    assert 'id="form-errors"' in page and page.index('id="form-errors"') > page.index('id="share-memory"')
    if overrides.get("name", "Marcus Reed"):
        assert 'value="Marcus Reed"' in page
    if "memory" not in overrides:
        assert "It sank in twenty minutes" in page
    assert page.count('id="name"') <= 1 and page.count('id="email"') <= 1   # two forms, no id twice
    assert memories(app) == []


def test_a_photo_that_is_not_a_photo_is_refused_and_the_words_kept(app, client, memorial):
    _, slug, _ = memorial
    page = text_of(share(client, slug, photo=(io.BytesIO(b"GIF89a not really"), "x.jpg")))
    assert "We couldn't read this file as a photo" in page and "It sank in twenty minutes" in page
    assert memories(app) == []


def test_the_honeypot_thanks_a_bot_and_keeps_nothing(app, client, memorial):
    _, slug, _ = memorial
    assert share(client, slug, website="http://spam.example").status_code == 302
    assert memories(app) == []


def test_too_many_memories_give_the_form_back_with_the_words_kept(make_app):
    app = make_app(RATELIMIT_ENABLED=True, COMMUNITY_RATE_LIMIT="1 per hour")
    client = app.test_client()
    with app.app_context():
        story, _ = make_story()
        publish(story)
        slug = story.slug
    assert share(client, slug).status_code == 302
    refused = share(client, slug, memory="A second memory, kept when refused.")
    page = text_of(refused)
    assert refused.status_code == 429 and "A second memory, kept when refused." in page
    assert "You have shared several memories in a short time" in page and "Error:" in page


def test_the_form_needs_its_token(app, client, memorial):
    _, slug, _ = memorial
    response = client.post(f"/stories/{slug}/memories", data={"name": "A", "memory": "Words that are kept."})
    page = text_of(response)
    assert response.status_code == 200 and "please press Share once more" in page and "Words that are kept." in page
    assert memories(app) == []


def test_the_family_reads_first_when_they_asked_and_is_told_once(app, client, memorial, outbox):
    story_id, slug, token = memorial
    family = app.test_client()
    assert submit(family, f"/stories/manage/{token}/guestbook", {"family_review": "y", "condolence_mail": "y"},
                  page=f"/stories/manage/{token}").status_code == 302
    mod = moderator_client(app)
    share(client, slug)
    share(client, slug, name="Rosa")
    decide_all(mod)
    assert [s for _, s, _, _ in memories(app)] == ["with_family", "with_family"]
    assert "It sank in twenty minutes" not in text_of(client.get(f"/stories/{slug}"))
    to_family = [m["Subject"] for m in outbox() if m["To"] == "maria@example.org"]
    assert to_family.count("A memory of Daniel James Rivera is waiting for you") == 1

    manage = family.get(f"/stories/manage/{token}").get_data(as_text=True)
    assert "2 wait for your yes" in html.unescape(manage)
    memory_id = re.search(r'action="/stories/manage/[^/]+/memories/(\d+)"', manage).group(1)
    response = family.post(f"/stories/manage/{token}/memories/{memory_id}",
                           data={"csrf_token": csrf_token(manage), "action": "approve"})
    assert response.status_code == 302
    page = text_of(client.get(f"/stories/{slug}"))
    assert page.count("It sank in twenty minutes") == 1
    # The family hides it again at any time; a stranger's link cannot.
    assert family.post(f"/stories/manage/{'x' * 43}/memories/{memory_id}",
                       data={"csrf_token": csrf_token(manage), "action": "hide"}).status_code == 404
    family.post(f"/stories/manage/{token}/memories/{memory_id}", data={"csrf_token": csrf_token(manage), "action": "hide"})
    assert "It sank in twenty minutes" not in text_of(client.get(f"/stories/{slug}"))
    assert sorted(s for _, s, _, _ in memories(app)) == ["hidden", "with_family"]


def test_a_rejected_memory_takes_its_photo_with_it(app, client, memorial):
    _, slug, _ = memorial
    mod = moderator_client(app)
    share(client, slug, photo=(io.BytesIO(image_bytes()), "a.jpg"))
    with app.app_context():
        photo = db.session.execute(db.select(Photo).where(Photo.purpose == "memory")).scalar_one()
        path = Path(app.instance_path) / "photos" / photo.filename
    assert path.exists()
    decide_all(mod, "reject")
    assert not path.exists() and memories(app) == [("Marcus", "rejected", None, False)]


def test_a_memorial_with_many_memories_runs_the_same_statements(app, client, memorial):
    from .statements import statements_for

    story_id, slug, _ = memorial
    few = statements_for(app, client, f"/stories/{slug}")
    with app.app_context():
        for n in range(30):
            db.session.add(Memory(story_id=story_id, name=f"Friend {n}", body="Words.", status="published"))
        db.session.commit()
    many = statements_for(app, client, f"/stories/{slug}")
    assert many == few + 1   # one page read; none while there were none (the story's statement counts them)
    with app.app_context():
        for n in range(30, 60):
            db.session.add(Memory(story_id=story_id, name=f"Friend {n}", body="Words.", status="published"))
        db.session.commit()
    assert statements_for(app, client, f"/stories/{slug}") == many   # and no more, however many
    second = text_of(client.get(f"/stories/{slug}?memories=2"))
    assert "Friend 29" in second and "Friend 0," not in second


def test_withdrawing_takes_the_memories_and_their_photos(app, client, memorial):
    story_id, slug, token = memorial
    share(client, slug, photo=(io.BytesIO(image_bytes()), "a.jpg"))
    with app.app_context():
        path = Path(app.instance_path) / "photos" / db.session.execute(db.select(Photo.filename)).scalars().first()
    page = client.get(f"/stories/manage/{token}").get_data(as_text=True)
    client.post(f"/stories/manage/{token}", data={"csrf_token": csrf_token(page), "action": "withdraw",
                                                    "confirm": "yes"})
    assert memories(app) == [] and not path.exists()
    with app.app_context():
        assert db.session.get(Story, story_id) is None
