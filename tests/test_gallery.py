"""The gallery: up to twelve photos besides the main one, each through the same processing as the main photo, read
by a moderator before it is public, in the family's order, with their own words; through the real forms."""
from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from memorials.extensions import db
from memorials.gallery.models import GalleryPhoto
from memorials.stories.models import Photo, Story

from .factories import form_data, image_bytes, make_story, publish
from .forms import csrf_token, submit
from .test_community import moderator_client as moderator
from .test_community import text_of
from .test_stories import exif_with_gps_and_rotation

pytestmark = pytest.mark.both_databases


def files(*payloads):
    return [(io.BytesIO(data), f"photo-{n}.jpg") for n, data in enumerate(payloads)]


def rows(*words):
    """The description and caption fields for each photo, as the form names them."""
    data = {}
    for n, (alt, caption) in enumerate(words):
        data[f"gallery-{n}-alt"], data[f"gallery-{n}-caption"] = alt, caption
    return data



def items(app):
    with app.app_context():
        return [(g.status, g.alt, g.caption, g.proposed_alt, g.words_waiting, g.position)
                for g in db.session.execute(db.select(GalleryPhoto).order_by(GalleryPhoto.position)).scalars()]



def decide_all(moderator_client, action="approve"):
    page = moderator_client.get("/moderate/gallery").get_data(as_text=True)
    for item_id in re.findall(r'action="/moderate/gallery/(\d+)"', page):
        response = moderator_client.post(f"/moderate/gallery/{item_id}",
                                         data={"csrf_token": csrf_token(page), "action": action})
        assert response.status_code == 302


def share_with_gallery(client, *pictures, words=None):
    words = words or [(f"Danny at {n}", "Summer" if n == 0 else "") for n in range(len(pictures))]
    data = {**form_data(), **rows(*words), "photos": files(*pictures)}
    return submit(client, "/stories/new", data, content_type="multipart/form-data")


def test_a_family_shares_a_gallery_that_waits_for_a_moderator_then_shows_in_their_order(app, client, outbox):
    mod = moderator(app)
    landscape = image_bytes(size=(3000, 2000), exif=exif_with_gps_and_rotation())
    response = share_with_gallery(client, landscape, image_bytes(color=(20, 120, 40)), image_bytes(fmt="PNG"))
    assert response.status_code == 302, text_of(response)[:2000]
    assert [(s, a) for s, _, _, a, _, _ in items(app)] == \
        [("pending", "Danny at 0"), ("pending", "Danny at 1"), ("pending", "Danny at 2")]
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        first = db.session.execute(db.select(GalleryPhoto).order_by(GalleryPhoto.position)).scalars().first()
        stored = Path(app.instance_path) / "photos" / first.photo.filename
        name = first.photo.thumb_filename
        publish(story)
        slug = story.slug
    # Processed like the main photo: turned upright, resized, re-encoded, no EXIF or GPS left.
    with Image.open(stored) as image:
        assert max(image.size) == 1600 and image.height > image.width and not image.getexif()
    assert "Gallery photos are waiting for review" in [m["Subject"] for m in outbox()]

    page = text_of(client.get(f"/stories/{slug}"))
    assert 'id="gallery"' not in page                       # nothing shows before a moderator looks
    assert client.get(f"/stories/photos/{name}", buffered=True).status_code == 404

    queue = text_of(mod.get("/moderate/gallery"))
    assert "Danny at 0" in queue and re.search(r'>Photos <span class="tab-count">\(3\)', queue)
    decide_all(mod)
    page = text_of(client.get(f"/stories/{slug}"))
    gallery = page[page.index('id="gallery"'):page.index("</section>", page.index('id="gallery"'))]
    assert re.findall(r'alt="(Danny at \d)"', gallery) == ["Danny at 0", "Danny at 1", "Danny at 2"]
    assert "Summer" in gallery
    assert client.get(f"/stories/photos/{name}", buffered=True).status_code == 200
    # A plain link to each photo's own page: it works without script.
    link = re.search(r'href="(/stories/[^"]+/photos/\d+)"', gallery).group(1)
    photo_page = text_of(client.get(link))
    assert "Photo 1 of 3" in photo_page and "Next photo" in photo_page and 'alt="Danny at 0"' in photo_page


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_photo_without_its_description_comes_back_beside_its_row_and_nothing_is_saved(app, client, lang):
    prefix = "/es" if lang == "es" else ""
    data = {**form_data(), **rows(("Danny at the lake", ""), ("", "A caption kept")),
            "photos": files(image_bytes(), image_bytes())}
    response = submit(client, f"{prefix}/stories/new", data, content_type="multipart/form-data")
    page = text_of(response)
    assert response.status_code == 200
    expected, photo = (("Por favor, describa esta foto en pocas palabras.", "Foto 2") if lang == "es" else
                       ("Please describe this photo in a few words.", "Photo 2"))
    assert f'<p class="error" id="gallery-1-alt-error">{expected}</p>' in page   # beside the row "Photo 2"
    assert f'href="#gallery-1-alt">{photo}: {expected}' in page                 # in the summary, linked, named
    assert 'value="A caption kept"' in page and 'value="Danny at the lake"' in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Story)).scalar() == 0
        assert db.session.execute(db.select(db.func.count()).select_from(Photo)).scalar() == 0


def test_a_file_that_is_not_a_photo_is_named_by_its_place(app, client):
    data = {**form_data(), **rows(("One", ""), ("Two", "")),
            "photos": [(io.BytesIO(image_bytes()), "a.jpg"), (io.BytesIO(b"%PDF-1.4 not a photo"), "b.jpg")]}
    page = text_of(submit(client, "/stories/new", data, content_type="multipart/form-data"))
    assert "Photo 2: We couldn't read this file as a photo." in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Photo)).scalar() == 0
    assert not list((Path(app.instance_path) / "photos").glob("*.jpg")) if (Path(app.instance_path) / "photos").exists() else True


def test_no_more_than_twelve(app, client):
    data = {**form_data(), **rows(*[(f"Photo {n}", "") for n in range(12)]),
            "photos": files(*[image_bytes(size=(40, 40))] * 13)}
    page = text_of(submit(client, "/stories/new", data, content_type="multipart/form-data"))
    assert "The gallery has room for 12 more photos. Please choose fewer." in page


@pytest.fixture
def published_gallery(app, client):
    """A published memorial with three approved gallery photos: (slug, token, moderator client)."""
    assert share_with_gallery(client, image_bytes(), image_bytes(color=(0, 0, 200)),
                              image_bytes(color=(0, 200, 0))).status_code == 302
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        publish(story)
        slug = story.slug
    token = client.get("/stories/thanks")  # the private link, as the family saw it
    manage = re.search(r'href="(http://localhost/stories/manage/[^"]+)"', token.get_data(as_text=True)).group(1)
    mod = moderator(app)
    decide_all(mod)
    return slug, manage.rsplit("/", 1)[1], mod


def gallery_form(client, token, **changes):
    page = client.get(f"/stories/manage/{token}").get_data(as_text=True)
    form = page[page.index('class="gallery-form"'):page.index("</form>", page.index('class="gallery-form"'))]
    data = {name: html.unescape(value) for name, value in
            re.findall(r'name="(existing-\d+-(?:item|alt|caption|position))"[^>]*value="([^"]*)"', form)}
    data.update(changes)
    data["csrf_token"] = csrf_token(page)
    return client.post(f"/stories/manage/{token}/gallery", data=data, content_type="multipart/form-data")


def test_the_family_reorders_recaptions_and_removes_and_new_words_wait_while_the_old_stay(app, client,
                                                                                         published_gallery):
    slug, token, mod = published_gallery
    with app.app_context():
        removed = db.session.execute(db.select(GalleryPhoto).order_by(GalleryPhoto.position)).scalars().all()[1]
        removed_files = [removed.photo.filename, removed.photo.thumb_filename]
    response = gallery_form(client, token, **{"existing-0-position": "3", "existing-2-position": "1",
                                              "existing-0-alt": "Danny laughing", "existing-1-remove": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#gallery")
    assert [(s, a, p, w, pos) for s, a, _, p, w, pos in items(app)] == [
        ("published", "Danny at 2", None, False, 1), ("published", "Danny at 0", "Danny laughing", True, 2)]
    for name in removed_files:
        assert not (Path(app.instance_path) / "photos" / name).exists()
        assert client.get(f"/stories/photos/{name}", buffered=True).status_code == 404
    page = text_of(client.get(f"/stories/{slug}"))
    assert re.findall(r'alt="(Danny[^"]*)"', page[page.index('id="gallery"'):]) [:2] == ["Danny at 2", "Danny at 0"]

    queue = text_of(mod.get("/moderate/gallery"))
    assert "New words for a photo already shown" in queue and "Danny laughing" in queue
    decide_all(mod)
    page = text_of(client.get(f"/stories/{slug}"))
    assert 'alt="Danny laughing"' in page and 'alt="Danny at 0"' not in page


def test_a_rejected_new_photo_is_deleted_and_rejected_words_leave_the_old_ones(app, client, published_gallery):
    slug, token, mod = published_gallery
    assert gallery_form(client, token, **{"existing-0-alt": "Words the moderator refuses", **rows(("New one", "")),
                                          "photos": files(image_bytes(color=(9, 9, 9)))}).status_code == 302
    with app.app_context():
        new = db.session.execute(db.select(GalleryPhoto).where(GalleryPhoto.status == "pending")).scalar_one()
        new_files = [new.photo.filename, new.photo.thumb_filename]
    decide_all(mod, "reject")
    assert all(not (Path(app.instance_path) / "photos" / name).exists() for name in new_files)
    assert [(s, a, w) for s, a, _, _, w, _ in items(app)] == [
        ("published", "Danny at 0", False), ("published", "Danny at 1", False), ("published", "Danny at 2", False)]
    with app.app_context():
        from memorials.audit import ModerationEvent

        kinds = {(e.item_kind, e.action) for e in db.session.execute(db.select(ModerationEvent)).scalars()}
    assert ("photo", "reject") in kinds and ("photo", "approve") in kinds


def test_a_gallery_photo_is_private_again_when_the_memorial_is_taken_down(app, client, published_gallery):
    slug, _, mod = published_gallery
    page = client.get(f"/stories/{slug}").get_data(as_text=True)
    thumb = re.search(r'id="gallery".*?<img src="([^"]+)"', page, re.S).group(1)
    assert client.get(thumb, buffered=True).status_code == 200
    with app.app_context():
        from memorials.moderation import services

        story = db.session.execute(db.select(Story)).scalar_one()
        services.unpublish(story, None, "A request from the family.")
        db.session.commit()
    assert client.get(thumb, buffered=True).status_code == 404
    assert client.get(f"/stories/{slug}/photos/1").status_code == 404


def test_the_family_sees_waiting_photos_in_their_preview_only(app, client):
    assert share_with_gallery(client, image_bytes()).status_code == 302
    manage = re.search(r'/stories/manage/([^"]+)"', client.get("/stories/thanks").get_data(as_text=True)).group(1)
    preview = client.get(f"/stories/manage/{manage}/preview")
    assert preview.status_code == 200 and "Waiting for a moderator" in text_of(preview)
    thumb = re.search(r'<img src="(/stories/manage/[^"]+)"[^>]*alt="Danny at 0"', preview.get_data(as_text=True))
    assert thumb and client.get(thumb.group(1), buffered=True).status_code == 200


def test_a_memorial_with_a_twelve_photo_gallery_runs_one_statement_more_than_one_without(app, client):
    from .statements import statements_for

    with app.app_context():
        story, _ = make_story(photo_alt=None)
        publish(story)
        slug, story_id = story.slug, story.id
    empty = statements_for(app, client, f"/stories/{slug}")
    with app.test_request_context("/"):
        from memorials.gallery import queries, services
        from memorials.stories import photos

        story = db.session.get(Story, story_id)
        written: list[str] = []
        processed = photos.process(image_bytes(size=(50, 50)))
        services.add(story, [services.NewPhoto(processed, f"Photo {n}", None) for n in range(12)], written)
        for item in queries.for_family(story):
            services.approve(item, None)
        db.session.commit()
    # An empty gallery is not read (the story's statement counted it); twelve photos are one statement.
    assert statements_for(app, client, f"/stories/{slug}") == empty + 1
    page = client.get(f"/stories/{slug}").get_data(as_text=True)
    assert page.count('class="gallery-item"') == 12
