"""Families share, read and manage memorials through the real pages."""
from __future__ import annotations

import html
import io
import re
from datetime import date
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

@pytest.mark.both_databases
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


@pytest.mark.both_databases
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


@pytest.mark.both_databases
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


@pytest.mark.both_databases
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


@pytest.mark.both_databases
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
    # BEGIN, the page cache's check that nothing public changed, then the page's own (the front page's faces, the
    # list's candle and message counts: one statement each, whatever the number of cards).
    assert counts[0] <= 5 and counts[1] <= 5, counts


# --- the family manages ----------------------------------------------------------------

@pytest.mark.both_databases
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


@pytest.mark.both_databases
def test_a_state_of_blank_space_is_no_state(app, client, outbox):
    """Blank space where the state goes (a browser that sends it, a hand-made request) is saved as no state: it
    answered 500 on PostgreSQL, four characters for a two-letter column."""
    submit(client, "/stories/new", form_data())
    path = manage_link(outbox()[0])
    edited = {k: v for k, v in form_data().items() if k != "consent"}
    response = submit(client, path, {**edited, "state": "\r\n\r\n", "action": "save"})
    assert response.status_code == 302
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        assert story.latest_version.state_code is None and story.latest_version.city == "Dayton"


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


@pytest.mark.both_databases
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


@pytest.mark.both_databases
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


# --- in Spanish ------------------------------------------------------------------------

SPANISH_STORY = ("Danny amaba pescar con su abuelo, los panqueques quemados de los domingos "
                 "y a los Lions de Detroit en cada temporada perdida.")


def spanish_manage_link(message) -> str:
    match = re.search(r"http://localhost(/es/stories/manage/[A-Za-z0-9_-]+)", message.get_content())
    assert match, "the email has no Spanish private link"
    return match.group(1)


def visible_text(page: str) -> str:
    """What a reader sees (tags and the whitespace between them taken out)."""
    body = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_a_family_shares_a_story_in_spanish_and_hears_back_in_spanish(app, client, outbox):
    with app.app_context():
        from .factories import make_moderator
        make_moderator()
    form = client.get("/es/stories/new").get_data(as_text=True)
    assert '<html lang="es">' in form
    assert "Comparta la historia de su ser querido" in form
    assert "Cuéntenos sobre la persona que perdió, con sus propias palabras y a su propio ritmo." in form
    # The story's language is asked, and a Spanish page proposes Spanish.
    assert "¿En qué idioma está escrita la historia?" in form
    assert re.search(r'<input checked id="language-1" name="language" type="radio" value="es">', form)
    assert "(marque 2 para español)" in form and 'href="tel:988"' in form and 'href="tel:+18006624357"' in form

    response = submit(client, "/es/stories/new", form_data(story=SPANISH_STORY, language="es"))
    assert response.status_code == 302 and response.headers["Location"] == "/es/stories/thanks"
    thanks = client.get("/es/stories/thanks").get_data(as_text=True)
    assert "Gracias por compartir su historia" in thanks
    assert re.search(r"http://localhost/es/stories/manage/[A-Za-z0-9_-]{40,}", thanks)

    [story] = stories(app)
    assert story.family_language == "es"
    with app.app_context():
        assert db.session.get(Story, story.id).latest_version.language == "es"

    family, moderators = outbox()
    assert family["Subject"] == "Recibimos su historia sobre Daniel James Rivera"
    body = family.get_content()
    assert "Gracias por compartir la historia de Daniel James Rivera" in body
    assert "Sentimos mucho su pérdida." in body and "(marque 2 para español)" in body
    assert "Thank you" not in body
    assert spanish_manage_link(family)
    # The moderators' note stays in the site's first language, with an English link.
    assert moderators["Subject"] == "A new story is waiting: Daniel James Rivera"
    assert "/es/" not in moderators.get_content()


def test_a_story_shared_from_english_pages_hears_back_in_english(app, client, outbox):
    response = submit(client, "/stories/new", form_data())
    assert response.status_code == 302
    [story] = stories(app)
    assert story.family_language == "en"
    with app.app_context():
        assert db.session.get(Story, story.id).latest_version.language == "en"
    [family] = outbox()
    assert family["Subject"] == "We received your story about Daniel James Rivera"
    assert "/es/" not in family.get_content() and manage_link(family)


def test_a_story_in_spanish_shared_from_english_pages_is_marked_spanish(app, client, outbox):
    """The language of the words and the language of the pages are two choices."""
    submit(client, "/stories/new", form_data(story=SPANISH_STORY, language="es"))
    [story] = stories(app)
    with app.app_context():
        assert db.session.get(Story, story.id).latest_version.language == "es"
    assert story.family_language == "en"
    [family] = outbox()
    assert family["Subject"].startswith("We received your story")


def test_spanish_memorial_marks_the_familys_words_with_their_language(app, client):
    with app.app_context():
        from memorials.stories.services import StoryInput, submit_story
        story, _ = submit_story(StoryInput(name="Daniel James Rivera", died=date(2023, 7, 2), born=date(1998, 3, 14),
                                           story_markdown=SPANISH_STORY, email="maria@example.org", city="Dayton",
                                           state_code="OH", nickname="Danny", language="es",
                                           family_language="es"), None)
        english, _ = make_story(name="Ana Lopez", died=date(2022, 1, 5))
        publish(story)
        publish(english)
        slug, english_slug = story.slug, english.slug

    page = client.get(f"/es/stories/{slug}").get_data(as_text=True)
    assert '<html lang="es">' in page
    assert re.search(r'<div class="memorial-story" lang="es">\s*<p>Danny amaba pescar', page)
    assert '<p class="nickname" lang="es">“Danny”</p>' in page
    # Dates by Babel, in Spanish, and the age in words.
    assert "nació el 14 de marzo de 1998" in page and "falleció el 2 de julio de 2023" in page
    assert "25 años" in page
    assert "<title>En memoria de Daniel James Rivera" in page
    # An English story read on a Spanish page keeps its English voice.
    other = client.get(f"/es/stories/{english_slug}").get_data(as_text=True)
    assert '<div class="memorial-story" lang="en">' in other
    # On the English page, the Spanish story is still marked Spanish.
    english_page = client.get(f"/stories/{slug}").get_data(as_text=True)
    assert '<html lang="en">' in english_page and '<div class="memorial-story" lang="es">' in english_page

    cards = client.get("/es/stories/").get_data(as_text=True)
    assert '<p class="story-card-excerpt" lang="es">Danny amaba' in cards
    assert '<p class="story-card-excerpt" lang="en">' in cards
    assert "falleció en julio de 2023" in cards and "2 homenajes" in cards


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Por favor, díganos el nombre de su ser querido."),
    ({"died": "07/02/2023"}, "died", "Por favor, escriba la fecha como año-mes-día, por ejemplo 2023-04-17."),
    ({"died": "2999-01-01"}, "died", "Esta fecha es en el futuro. Por favor, revísela."),
    ({"story": "Muy corta."}, "story", "Por favor, escriba entre 50 y 20,000 caracteres."),
    ({"email": ""}, "email", "para que podamos enviarle su enlace privado"),
    ({"consent": ""}, "consent", "Por favor, confirme esto antes de enviar."),
])
def test_spanish_form_answers_bad_input_in_spanish_beside_the_field(app, client, changes, field, message):
    response = submit(client, "/es/stories/new", form_data(**{"story": SPANISH_STORY, "language": "es", **changes}))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert error and message in html.unescape(error.group(1))
    # The summary that takes focus is in Spanish, and links to the field.
    assert "Por favor, revise el campo marcado abajo." in page
    assert "No se ha perdido nada: todo lo que escribió sigue aquí." in page
    assert f'href="#{field}"' in page
    assert re.search(r"<title>Error: Compartir una historia", page)
    # What was typed comes back, Spanish chosen still chosen; nothing saved.
    assert "Maria Rivera" in page and 'checked id="language-1"' in page
    assert stories(app) == []


def test_spanish_photo_refusal_is_in_spanish(app, client):
    response = submit(client, "/es/stories/new", {**form_data(), "photo": (io.BytesIO(b"not a picture"), "a.jpg")})
    error = re.search(r'<p class="error" id="photo-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert error and "No pudimos abrir este archivo como foto." in html.unescape(error.group(1))
    assert stories(app) == []


def test_family_edits_in_spanish_and_their_choice_of_language_follows_them(app, client, outbox):
    submit(client, "/stories/new", form_data())
    path = manage_link(outbox()[0])
    es_path = "/es" + path
    page = client.get(es_path).get_data(as_text=True)
    assert "Su historia sobre Daniel James Rivera" in page and "Esta página es privada" in page
    assert "Esperando al equipo de moderación." in page
    # The language the story was written in comes prefilled: English, chosen on the English page.
    assert 'checked id="language-0" name="language" type="radio" value="en"' in page
    assert re.search(r'<textarea[^>]*id="story"[^>]*lang="en"', page)  # spelling checked in the story's language
    edited = {k: v for k, v in form_data(story=SPANISH_STORY, language="es").items() if k != "consent"}
    response = submit(client, es_path, {**edited, "action": "save"}, follow_redirects=True)
    assert "El equipo de moderación leerá sus cambios antes de que aparezcan." in response.get_data(as_text=True)
    [story] = stories(app)
    assert story.family_language == "es"
    with app.app_context():
        assert db.session.get(Story, story.id).pending_version.language == "es"
    edit_mail = outbox()[-1]
    assert edit_mail["Subject"] == "Recibimos sus cambios a la historia de Daniel James Rivera"
    assert "Puede seguir usando el mismo enlace privado" in edit_mail.get_content()
    again = client.get(es_path).get_data(as_text=True)
    assert 'checked id="language-1" name="language" type="radio" value="es"' in again
    assert re.search(r'<textarea[^>]*id="story"[^>]*lang="es"', again)

    # Back on the English pages, the next edit moves their mail back to English.
    submit(client, path, {**edited, "action": "save"})
    [story] = stories(app)
    assert story.family_language == "en"
    assert outbox()[-1]["Subject"] == "We received your changes to Daniel James Rivera's story"


def test_a_lost_link_asked_for_in_spanish_comes_in_spanish(app, client, outbox):
    submit(client, "/stories/new", form_data())
    response = submit(client, "/es/stories/manage/lost", {"email": "maria@example.org"})
    assert "Revise su correo electrónico" in response.get_data(as_text=True)
    mail = outbox()[-1]
    assert mail["Subject"] == "Su enlace privado"
    assert "Aquí tiene su nuevo enlace privado." in mail.get_content()
    new_path = spanish_manage_link(mail)
    assert client.get(new_path).status_code == 200
    [story] = stories(app)
    assert story.family_language == "es"
    # Bad input on the Spanish lost-link form, in Spanish.
    bad = submit(client, "/es/stories/manage/lost", {"email": "not-an-email"}).get_data(as_text=True)
    assert "Esa dirección de correo electrónico no parece correcta." in bad


def test_a_moderators_decision_reaches_the_family_in_their_language(app, client, outbox):
    with app.app_context():
        from .factories import make_moderator
        make_moderator()
    submit(client, "/es/stories/new", form_data(story=SPANISH_STORY, language="es"))
    with app.test_request_context("/moderate/"):  # the moderator's page is English
        from memorials.stories import notices
        story = db.session.execute(db.select(Story)).scalar_one()
        publish(story)
        notices.decision(story, story.live_version, "approve", None)
        db.session.commit()
        slug = story.slug
    approved = outbox()[-1]
    assert approved["Subject"] == "La historia de Daniel James Rivera ya está en el sitio"
    assert f"http://localhost/es/stories/{slug}" in approved.get_content()


@pytest.mark.parametrize("url, title, sentence", [
    ("/es/no-such-page", "No encontramos esa página", "Ver todos los homenajes"),
    ("/es/stories/no-such-memorial-2023", "No encontramos esa página", "puede que la familia lo haya cambiado"),
])
def test_spanish_error_pages(client, url, title, sentence):
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and '<html lang="es">' in page
    assert f"<h1>{title}</h1>" in page and sentence in page
    assert "Ir a la página principal" in page and "Ir al contenido principal" in page


def test_spanish_csrf_and_size_errors_are_in_spanish(make_app):
    app = make_app(MAX_CONTENT_LENGTH=20_000)
    client = app.test_client()
    client.get("/es/stories/manage/lost")
    stale = client.post("/es/stories/manage/lost", data={"email": "a@b.org", "csrf_token": "stale"})
    assert stale.status_code == 400
    assert "Este formulario estuvo abierto mucho tiempo" in stale.get_data(as_text=True)
    big = client.post("/es/stories/new", data={"photo": (io.BytesIO(b"\0" * 50_000), "x.jpg")})
    page = big.get_data(as_text=True)
    assert big.status_code == 413 and "Ese archivo es demasiado grande" in page
    assert "las fotos pueden pesar hasta 10 MB" in page


def test_spanish_pages_of_the_stories_area_have_no_english_sentence_left(app, client):
    with app.app_context():
        story, token = make_story(content_note="describe la noche", story_markdown=SPANISH_STORY, language="es",
                                  nickname="Danny")
        publish(story)
        slug = story.slug
    english = ["Share", "Memorial", "memorial", "Please", "story", "Story", "Skip", "Help", "your", "Your", "the ",
               "Find", "Send", "Thank", "If you", "Read", "Error", "Crisis Lifeline", "National Helpline",
               "District of Columbia", "Virgin Islands", "(optional)"]
    for url in ["/es/", "/es/stories/", "/es/stories/?state=OH&age=25-34", f"/es/stories/{slug}", "/es/stories/new",
                f"/es/stories/manage/{token}", "/es/stories/manage/lost", "/es/help", "/es/about/terms",
                "/es/no-such-page", "/es/stories/manage/" + "x" * 40]:
        page = client.get(url).get_data(as_text=True)
        # Another area's parts of the memorial page and the site's name are left to their owners.
        text = visible_text(re.sub(r'(?s)<(section|aside) class="(guestbook|share|memorial-share|state-line)[^"]*".*?</\1>', "", page))
        text = text.replace("Remembering Them", "").replace("English", "").replace("FindTreatment.gov", "")
        left = [word for word in english if word in text]
        assert not left, (url, left, text[:3000])


def test_spanish_500_and_429_pages(make_app):
    app = make_app(RATELIMIT_ENABLED=True, STORY_RATE_LIMIT="1 per hour")

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    client = app.test_client()
    broken = client.get("/es/boom")
    text = html.unescape(broken.get_data(as_text=True))
    assert broken.status_code == 500 and '<html lang="es">' in text
    assert "<h1>Algo falló de nuestro lado</h1>" in text and "no es culpa suya" in text
    assert "RuntimeError" not in text
    # Over the story limit, the Spanish form comes back with every word and a Spanish note.
    assert submit(client, "/es/stories/new", form_data()).status_code == 302
    limited = submit(client, "/es/stories/new", form_data(name="Ana Lopez"))
    page = html.unescape(limited.get_data(as_text=True))
    assert limited.status_code == 429 and "En la última hora se enviaron muchas historias desde su conexión" in page
    assert "Ana Lopez" in page


def test_a_hometown_in_dc_is_said_in_the_readers_language(app, client):
    with app.app_context():
        story, _ = make_story(city="Washington", state_code="DC")
        publish(story)
        slug = story.slug
    assert "Washington, District of Columbia" in client.get(f"/stories/{slug}").get_data(as_text=True)
    assert "Washington, Distrito de Columbia" in client.get(f"/es/stories/{slug}").get_data(as_text=True)
