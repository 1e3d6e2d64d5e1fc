"""Families share, read and manage memorials through the real pages."""
from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from memorials.extensions import db
from memorials.stories.models import Photo, Story, StoryStatus, StoryVersion
from memorials.stories.services import hash_token

from .factories import STORY_TEXT, form_data, image_bytes, make_story, publish
from .forms import csrf_token, submit


def stories(app):
    with app.app_context():
        return list(db.session.execute(db.select(Story)).scalars())


def manage_link(message) -> str:
    match = re.search(r"http://localhost(/stories/manage/[A-Za-z0-9_-]+)", message.get_content())
    assert match, "the email has no private link"
    return match.group(1)


# --- sharing a story -------------------------------------------------------------------

def test_family_shares_a_story_through_the_real_form(app, client, outbox):
    with app.app_context():
        from .factories import make_moderator
        make_moderator()
    response = submit(client, "/stories/new", form_data(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A moderator will read it before it appears" in page

    [story] = stories(app)
    assert story.status == StoryStatus.PENDING.value
    with app.app_context():
        version = db.session.get(Story, story.id).latest_version
        assert (version.name, version.nickname, version.city, version.state_code) == ("Daniel James Rivera", "Danny", "Dayton", "OH")
        assert version.age == 25

    family, moderators = outbox()
    assert family["To"] == "maria@example.org"
    path = manage_link(family)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 40
    assert story.manage_token_hash == hash_token(token) and token not in story.manage_token_hash
    assert path in page  # the private link is also shown once, on the thank-you page
    assert moderators["To"] == "mod@example.org" and "/moderate/stories/" in moderators.get_content()

    # Nothing is public until a moderator approves it.
    assert "Daniel" not in client.get("/stories/").get_data(as_text=True)


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Please tell us their name."),
    ({"died": ""}, "died", "Please give the date they died."),
    ({"died": "07/02/2023"}, "died", "year-month-day"),
    ({"died": "2999-01-01"}, "died", "in the future"),
    ({"born": "2024-01-01"}, "born", "after the date they died"),
    ({"story": "Too short."}, "story", "between 50 and 20,000"),
    ({"story": "x" * 20001}, "story", "between 50 and 20,000"),
    ({"email": "not-an-email"}, "email", "doesn't look like an email"),
    ({"email": ""}, "email", "so we can send your private link"),
    ({"consent": ""}, "consent", "Please confirm this"),
    ({"state": "ZZ"}, "state", "choose a state from the list"),
])
def test_bad_input_gets_a_message_beside_the_field_and_keeps_everything_typed(app, client, changes, field, message):
    data = form_data(**changes)
    response = submit(client, "/stories/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert error and message in html.unescape(error.group(1))
    assert 'aria-invalid="true"' in page
    # What was typed comes back (the long story included), nothing saved.
    assert "Maria Rivera" in page and "Dayton" in page
    if field != "story":
        assert STORY_TEXT in page
    assert stories(app) == []


def test_honeypot_turns_a_bot_away_without_saving(app, client, outbox):
    response = submit(client, "/stories/new", form_data(website="http://spam.example"), follow_redirects=True)
    assert response.status_code == 200
    assert stories(app) == [] and outbox() == []


def test_a_stale_csrf_token_brings_the_words_back_with_a_plain_note(app, client):
    client.get("/stories/new")
    response = client.post("/stories/new", data={**form_data(), "csrf_token": "expired-or-missing"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your words are safe" in page and STORY_TEXT in page
    assert stories(app) == []
    # The page carries a fresh token: pressing Send again works.
    again = client.post("/stories/new", data={**form_data(), "csrf_token": csrf_token(page)})
    assert again.status_code == 302 and len(stories(app)) == 1


def test_no_csrf_time_limit_on_the_story_form(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


# --- photos ----------------------------------------------------------------------------

def exif_with_gps_and_rotation() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (39.0, 45.0, 30.0)
    gps[3], gps[4] = "W", (84.0, 11.0, 30.0)
    return exif


def test_photo_is_turned_upright_stripped_of_exif_and_resized(app, client):
    upload = image_bytes("JPEG", size=(3000, 2000), exif=exif_with_gps_and_rotation())
    assert b"PhoneMaker" in upload
    response = submit(client, "/stories/new", {**form_data(), "photo": (io.BytesIO(upload), "IMG_0001.JPG")})
    assert response.status_code == 302
    folder = Path(app.instance_path) / "photos"
    with app.app_context():
        photo = db.session.execute(db.select(Photo)).scalar_one()
        full, thumb = folder / photo.filename, folder / photo.thumb_filename
    assert "IMG_0001" not in photo.filename and full.exists() and thumb.exists()
    with Image.open(full) as image:
        assert image.size == (1067, 1600)  # rotated upright, long side 1600
        assert not image.getexif() and "exif" not in image.info
    assert b"PhoneMaker" not in full.read_bytes() and b"GPS" not in full.read_bytes()
    with Image.open(thumb) as image:
        assert max(image.size) <= 480


@pytest.mark.parametrize("payload, filename, message", [
    (b"%PDF-1.4 not a picture", "story.pdf", "couldn't read this file as a photo"),
    (b"GIF89a" + b"\0" * 100, "x.gif", "JPEG, PNG or WebP"),
    (None, "anim.gif", "JPEG, PNG or WebP"),
    (image_bytes("PNG")[:60], "broken.png", "couldn't read this file as a photo"),
])
def test_files_that_are_not_usable_photos_are_refused_and_the_story_kept(app, client, payload, filename, message):
    if payload is None:
        out = io.BytesIO()
        Image.new("RGB", (20, 20)).save(out, "GIF")
        payload = out.getvalue()
    response = submit(client, "/stories/new", {**form_data(), "photo": (io.BytesIO(payload), filename)})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert message in page and STORY_TEXT in page and "choose the photo again" in page
    assert stories(app) == []
    assert not list((Path(app.instance_path) / "photos").glob("*")) if (Path(app.instance_path) / "photos").exists() else True


def test_a_photo_over_10_mb_is_refused_beside_the_field(make_app):
    app = make_app(PHOTO_MAX_BYTES=50_000)
    client = app.test_client()
    big = image_bytes("PNG", size=(400, 400)) + b"\0" * 60_000
    response = submit(client, "/stories/new", {**form_data(), "photo": (io.BytesIO(big), "big.png")})
    assert response.status_code == 200
    assert "larger than" in response.get_data(as_text=True)
    assert stories(app) == []


def test_a_decompression_bomb_is_refused(app, client, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    bomb = image_bytes("PNG", size=(400, 400))
    response = submit(client, "/stories/new", {**form_data(), "photo": (io.BytesIO(bomb), "bomb.png")})
    assert "too large to process" in response.get_data(as_text=True)
    assert stories(app) == []


def test_a_request_far_too_large_gets_a_kind_413_page(make_app):
    app = make_app(MAX_CONTENT_LENGTH=20_000)
    response = app.test_client().post("/stories/new", data={"photo": (io.BytesIO(b"\0" * 50_000), "x.jpg")})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


# --- visitors --------------------------------------------------------------------------

def test_published_story_page_has_name_dates_age_hometown_story_share_tags_and_help(app, client):
    with app.app_context():
        story, _ = make_story(story_markdown=STORY_TEXT + "\n\n<script>alert(1)</script>", nickname="Danny")
        publish(story)
        slug = story.slug
    assert slug == "daniel-james-rivera-2023"
    page = client.get(f"/stories/{slug}").get_data(as_text=True)
    for piece in ("<h1>Daniel James Rivera</h1>", "“Danny”", "born March 14, 1998", "died July 2, 2023", "25 years old",
                  "Dayton, Ohio", "burnt pancakes", 'property="og:title" content="Remembering Daniel James Rivera"',
                  'property="og:description"', 'property="og:image"',
                  f'property="og:url" content="http://localhost/stories/{slug}"', "twitter:card",
                  "facebook.com/sharer", "x.com/intent", "bsky.app/intent", "mailto:?subject=",
                  "988", "1-800-662-4357", "Shared by Maria Rivera, mother",
                  'href="/stats/OH"', 'href="/letters/"'):
        assert piece in page, piece
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "maria@example.org" not in page
    assert "<script src" in page and page.count("<script") == 1  # our one static file, nothing else


def test_name_shown_as_the_family_chose(app, client):
    with app.app_context():
        story, _ = make_story(name_display="initials")
        publish(story)
        slug = story.slug
    page = client.get(f"/stories/{slug}").get_data(as_text=True)
    assert slug == "d-j-r-2023"
    assert "<h1>D. J. R.</h1>" in page and "Rivera" not in page.replace("Maria Rivera", "")


def test_stories_that_are_not_published_answer_404_and_so_do_their_photos(app, client):
    with app.app_context():
        pending, _ = make_story(name="Pending Person")
        rejected, _ = make_story(name="Rejected Person")
        from memorials.moderation import services
        from .factories import make_moderator
        services.reject(rejected, make_moderator(), "reason")
        db.session.commit()
    response = submit(client, "/stories/new", {**form_data(name="Photo Person"), "photo": (io.BytesIO(image_bytes()), "p.jpg")})
    assert response.status_code == 302
    with app.app_context():
        photo = db.session.execute(db.select(Photo)).scalar_one()
    assert client.get(f"/stories/photos/{photo.filename}").status_code == 404
    assert client.get(f"/stories/photos/{photo.thumb_filename}").status_code == 404
    listing = client.get("/stories/").get_data(as_text=True)
    assert "Pending Person" not in listing and "Rejected Person" not in listing
    assert client.get("/stories/pending-person-2023").status_code == 404


def test_published_photo_is_served_and_unpublished_one_is_not(app, client):
    submit(client, "/stories/new", {**form_data(), "photo": (io.BytesIO(image_bytes()), "p.jpg")})
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        publish(story)
        photo = story.live_version.photo
        filename, slug = photo.filename, story.slug
    with client.get(f"/stories/photos/{filename}") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert f"/stories/photos/{filename}" in client.get(f"/stories/{slug}").get_data(as_text=True)
    with app.app_context():
        from memorials.moderation import services
        story = db.session.get(Story, story.id)
        moderator = db.session.execute(db.select(services.Moderator)).scalars().first()
        services.unpublish(story, moderator, "asked by the family")
        db.session.commit()
    assert client.get(f"/stories/photos/{filename}").status_code == 404
    assert client.get(f"/stories/{slug}").status_code == 404


def test_memorials_list_is_newest_first_24_a_page(app, client):
    with app.app_context():
        moderator = None
        from .factories import make_moderator
        moderator = make_moderator()
        for n in range(26):
            story, _ = make_story(name=f"Person Number{n:02d}")
            publish(story, moderator)
    first = client.get("/stories/").get_data(as_text=True)
    second = client.get("/stories/?page=2").get_data(as_text=True)
    assert first.count('class="story-card"') == 24 and second.count('class="story-card"') == 2
    assert first.index("Person Number25") < first.index("Person Number24")
    assert "Person Number00" in second and 'href="/stories/?page=2"' in first
    assert client.get("/stories/?page=99").status_code == 200


def test_home_page_shows_recent_memorials_and_ways_to_take_part(app, client):
    with app.app_context():
        story, _ = make_story(name="Recent Person")
        publish(story)
    page = client.get("/").get_data(as_text=True)
    assert "Recent Person" in page and "Share a story" in page and 'href="/stories/new"' in page


def test_listing_pages_do_not_run_a_query_per_story(app, client):
    from sqlalchemy import event

    with app.app_context():
        from .factories import make_moderator
        moderator = make_moderator()
        for n in range(10):
            story, _ = make_story(name=f"Person {n}")
            publish(story, moderator)
        counts = []
        engine = db.engine

        def count(*_args):
            counts[-1] += 1

        event.listen(engine, "before_cursor_execute", count)
        try:
            for url in ("/", "/stories/"):
                counts.append(0)
                assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert counts[0] <= 3 and counts[1] <= 3, counts


# --- the family manages ----------------------------------------------------------------

def test_family_edits_a_published_story_and_the_old_version_stays_until_approved(app, client, outbox):
    submit(client, "/stories/new", form_data())
    path = manage_link(outbox()[0])
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        publish(story)
        slug = story.slug
    page = client.get(path).get_data(as_text=True)
    assert "Published." in page and "Daniel James Rivera" in page and STORY_TEXT in page

    edited = form_data(story=STORY_TEXT + " He also loved his dog, Biscuit.", email="maria.new@example.org")
    edited.pop("consent")
    response = submit(client, path, {**edited, "action": "save"}, follow_redirects=True)
    assert "will be read by a moderator" in response.get_data(as_text=True)
    public = client.get(f"/stories/{slug}").get_data(as_text=True)
    assert "Biscuit" not in public  # the approved version stays live

    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        assert story.pending_version is not None and story.email == "maria.new@example.org"
        publish(story)
    assert "Biscuit" in client.get(f"/stories/{slug}").get_data(as_text=True)


def test_family_replaces_the_photo(app, client, outbox):
    submit(client, "/stories/new", {**form_data(), "photo": (io.BytesIO(image_bytes(color=(10, 10, 200))), "a.jpg")})
    path = manage_link(outbox()[0])
    edited = {k: v for k, v in form_data().items() if k != "consent"}
    response = submit(client, path, {**edited, "action": "save", "photo": (io.BytesIO(image_bytes(color=(0, 200, 0))), "b.png")})
    assert response.status_code == 302
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        first, second = story.versions
        assert first.photo_id != second.photo_id and second.photo is not None
        thumb = second.photo.thumb_filename
    with client.get(f"{path}/photos/{thumb}") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"


def test_family_sees_the_moderators_reason_and_resubmits(app, client, outbox):
    submit(client, "/stories/new", form_data())
    path = manage_link(outbox()[0])
    with app.app_context():
        from memorials.moderation import services
        from .factories import make_moderator
        story = db.session.execute(db.select(Story)).scalar_one()
        services.request_changes(story, make_moderator(), "Please leave out the dealer's full name.")
        db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "asked for a change" in page and "Please leave out the dealer&#39;s full name." in page  # escaped
    edited = {k: v for k, v in form_data().items() if k != "consent"}
    submit(client, path, {**edited, "action": "save"})
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        assert story.status == StoryStatus.PENDING.value and story.pending_version is not None


def test_withdraw_asks_first_then_deletes_everything_for_good(app, client, outbox):
    submit(client, "/stories/new", {**form_data(), "photo": (io.BytesIO(image_bytes()), "a.jpg")})
    path = manage_link(outbox()[0])
    folder = Path(app.instance_path) / "photos"
    assert len(list(folder.glob("*.jpg"))) == 2

    page = client.get(path).get_data(as_text=True)
    first = client.post(path, data={"csrf_token": csrf_token(page), "action": "withdraw"})
    confirm_page = first.get_data(as_text=True)
    assert "delete it for good" in confirm_page and len(stories(app)) == 1

    done = client.post(path, data={"csrf_token": csrf_token(confirm_page), "action": "withdraw", "confirm": "yes"})
    assert "has been deleted" in done.get_data(as_text=True)
    assert stories(app) == []
    with app.app_context():
        assert db.session.execute(db.select(StoryVersion)).first() is None
        assert db.session.execute(db.select(Photo)).first() is None
    assert list(folder.glob("*.jpg")) == []
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("token", ["nope", "A" * 43, "not*a*token", "x" * 500])
def test_unknown_or_malformed_token_answers_a_kind_404(client, token):
    response = client.get(f"/stories/manage/{token}")
    assert response.status_code == 404
    assert "couldn't find a story for this link" in response.get_data(as_text=True)
    assert "Send me a new link" in response.get_data(as_text=True)


def test_lost_link_sends_a_fresh_link_and_the_old_one_works_until_the_new_one_is_used(app, client, outbox):
    submit(client, "/stories/new", form_data())
    old_path = manage_link(outbox()[0])
    response = submit(client, "/stories/manage/lost", {"email": "MARIA@example.org"})
    assert "Check your email" in response.get_data(as_text=True)
    new_path = manage_link(outbox()[-1])
    assert new_path != old_path
    # Someone who only knows the family's email cannot cancel their link by asking for a new one.
    assert client.get(old_path).status_code == 200
    assert client.get(new_path).status_code == 200  # using the new link makes it the family's link
    assert client.get(old_path).status_code == 404 and client.get(new_path).status_code == 200
    # An unknown address gets the same answer, and no mail.
    before = len(outbox())
    response = submit(client, "/stories/manage/lost", {"email": "stranger@example.org"})
    assert "Check your email" in response.get_data(as_text=True) and len(outbox()) == before
