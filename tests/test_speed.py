"""Fast at any size: a fixed number of SQL statements per page, no story text in lists, cached and gzipped
answers, conditional requests, every POST protected, photos decoded near their size, one photo store."""
from __future__ import annotations

import gzip
import hashlib
import html
import io
import re
import time
from pathlib import Path

import pytest
from flask import url_for
from markupsafe import Markup
from PIL import Image
from sqlalchemy import func, inspect, text

from bench.seed import seed
from memorials.extensions import db
from memorials.pagecache import page_store
from memorials.search import cards
from memorials.search.index import index_story
from memorials.search.models import ALL_AGES, ALL_STATES, SearchCount, SearchEntry
from memorials.slugs import slugify
from memorials.stats import publish as stats_publish
from memorials.storage.local import LocalStore
from memorials.stories import photos
from memorials.stories.models import Photo, Story, StoryVersion
from memorials.text import plain_excerpt, render_markdown

from .factories import form_data, image_bytes, make_moderator, make_story, publish, sign_in
from .forms import csrf_token, submit
from .statements import Statements

# Its behaviour depends on the database: it runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.both_databases


def fetch(client, url, **kwargs):
    """GET, read whole and closed (file answers hold their file open until then)."""
    return client.get(url, buffered=True, **kwargs)


def page_urls(app) -> dict[str, str]:
    """The pages of the benchmark list (bench/pages.py), for the memorials in the database now."""
    with app.app_context():
        slug, thumb = db.session.execute(
            db.select(Story.slug, Photo.thumb_filename).join(StoryVersion, StoryVersion.id == Story.live_version_id)
            .join(Photo, Photo.id == StoryVersion.photo_id).order_by(Story.id.desc()).limit(1)).one()
    urls = {
        "home": "/", "list": "/stories/", "list page 2": "/stories/?page=2", "deep page": "/stories/?page=2000",
        "state": "/stories/?state=OH", "year": "/stories/?year=2020", "age": "/stories/?age=25-34",
        "odd age": "/stories/?age=20-40", "words": "/stories/?q=garcia", "common word": "/stories/?q=loved",
        "everything": "/stories/?q=maria&state=TX&year=2021&age=25-34", "memorial": f"/stories/{slug}",
        "thumbnail": f"/stories/photos/{thumb}",
    }
    urls.update({"stats": "/stats/", "state stats": "/stats/OH", "letters": "/letters/",
                 "representatives": "/api/representatives?zip=43215", "download": "/stats/data.csv",
                 "state download": "/stats/OH/data.csv"})
    return urls


def statements_per_page(app, urls) -> dict[str, int]:
    client = app.test_client()
    counts = {}
    with app.app_context():
        engine = db.engine
    for name, url in urls.items():
        fetch(client, url)  # files written once per import (the downloads) are on disk, as in a running site
        with app.app_context():
            cards.cache().clear()   # cold caches: the most a page ever asks of the database
            page_store().clear()
            stats_publish.memos().clear()
        with Statements(engine) as seen:
            response = fetch(client, url)
        assert response.status_code == 200, (url, response.status_code)   # a page that went is a failure, not a count
        counts[name] = len(seen.seen)
    return counts


@pytest.mark.bundled_data
@pytest.mark.usefixtures("make_app")   # the seeder commits (and on PostgreSQL analyses) on a connection of its own
def test_each_page_runs_the_same_number_of_statements_at_50_and_500_memorials(app):
    with app.app_context():
        seed(50)
    small = statements_per_page(app, page_urls(app))
    with app.app_context():
        seed(500)
    large = statements_per_page(app, page_urls(app))
    assert small == large
    # (SQLite's BEGIN counts as one, the page cache's check that nothing public changed as another) counts
    # and ids, the cards not kept yet; with words, the page's versions; on a list, every card's candles and
    # messages (one statement, issue 18); on the front page, the newest faces and their cards (issue 18)
    assert all(large[name] <= 5 for name in ("deep page", "thumbnail")), large
    assert all(large[name] <= 6 for name in ("list", "state", "year", "age")), large
    assert all(large[name] <= 7 for name in ("home", "list page 2", "words", "common word", "everything")), large


@pytest.mark.usefixtures("make_app")   # the seeder commits on a connection of its own
def test_lists_never_load_story_text(app):
    with app.app_context():
        seed(40)
        engine = db.engine
    client = app.test_client()
    for url in ("/", "/stories/", "/stories/?q=loved", "/stories/?state=OH&age=25-34"):
        with app.app_context():
            cards.cache().clear()
        with Statements(engine) as seen:
            assert fetch(client, url).status_code == 200
        sql = " ".join(seen.seen)
        assert "story_markdown" not in sql and "story_html" not in sql, url


@pytest.mark.usefixtures("make_app")   # the seeder commits on a connection of its own
def test_a_list_page_reads_its_cards_and_their_counts_in_one_statement_and_draws_kept_cards_again(app):
    with app.app_context():
        seed(60)
        engine = db.engine
        newest = db.session.execute(db.select(Story.live_version_id).order_by(Story.id.desc())).scalars().first()
    client = app.test_client()
    first = fetch(client, "/stories/").get_data(as_text=True)
    with app.app_context():
        kept = cards.cache()
        assert len(kept) == 24
        # the counts beside them: one pair of numbers here (no candle, no message), drawn once for all 24, and
        # kept apart from the cards
        assert app.extensions["memorial_card_counts"].keys() == [("counts", (0, 0), "en")]
        kept.put((newest, "h3", "story_card_body", "en", ""), Markup("<p>the card as this worker kept it</p>"))
    with Statements(engine) as seen:
        again = fetch(client, "/stories/?page=1").get_data(as_text=True)   # another address: the page made again
    assert "the card as this worker kept it" not in first and "the card as this worker kept it" in again
    assert again.count('class="story-card"') == 24
    asked = [s for s in seen.seen if "page_generation" not in s]
    assert len(asked) == 1 and "story_version" in asked[0] and "candle_tally" in asked[0]
    assert again.count("0 candles</span> · <span class=\"nowrap\">0 messages") == 24
    # the same numbers in another language are drawn in its words, not taken from the English ones
    spanish = fetch(client, "/es/stories/").get_data(as_text=True)
    assert spanish.count("0 velas</span> · <span class=\"nowrap\">0 mensajes") == 24


@pytest.mark.usefixtures("make_app")   # the seeder commits on a connection of its own
def test_a_first_visit_to_another_page_reads_only_its_memorials_until_something_public_changes(app):
    """The counts and the months are the same for every page of the list: read once per worker, read again
    (and right) as soon as a memorial is added."""
    with app.app_context():
        seed(100)
        engine = db.engine
    client = app.test_client()
    assert "100 memorials" in fetch(client, "/stories/?page=2").get_data(as_text=True)
    with Statements(engine) as seen:
        third = fetch(client, "/stories/?page=3").get_data(as_text=True)
    assert "100 memorials" in third and "Page 3 of 5" in third
    assert not any("search_count" in s or "search_day" in s for s in seen.seen)
    # one statement: its memorials, what their cards show, their candles, messages and memories (and, where
    # nothing listens for it, the page counter)
    assert len([s for s in seen.seen if "page_generation" not in s]) == 1
    with app.app_context():
        seed(101)   # one more memorial, published as an approval publishes it
    with Statements(engine) as seen:
        fourth = fetch(client, "/stories/?page=4").get_data(as_text=True)
    assert "101 memorials" in fourth and "Page 4 of 5" in fourth
    assert any("search_count" in s for s in seen.seen)


@pytest.mark.usefixtures("make_app")   # the seeder commits on a connection of its own
def test_the_seeder_leaves_what_an_approval_leaves(app):
    with app.app_context():
        assert seed(60) == 60 and seed(60) == 0
        stories = db.session.execute(db.select(Story).order_by(Story.id)).scalars().all()
        assert len(stories) == 60 and all(s.is_public and s.published_at for s in stories)
        assert len({s.slug for s in stories}) == 60
        with_photo = [s for s in stories if s.live_version.photo]
        assert 3 <= len(with_photo) <= 25
        for story in stories:
            v = story.live_version
            assert v.story_html == str(render_markdown(v.story_markdown))
            assert v.excerpt == plain_excerpt(v.story_markdown, 240)
            assert re.fullmatch(re.escape(f"{slugify(v.display_name)}-{v.died.year}") + r"(-\d+)?", story.slug)
        for story in with_photo[:3]:
            assert photos.store().read(story.live_version.photo.thumb_filename)[:2] == b"\xff\xd8"
        assert {s.live_version.state_code for s in stories} - {None} and len({s.live_version.died.year for s in stories}) > 3
        events = db.session.execute(text("SELECT count(*) FROM moderation_event WHERE action = 'approve'")).scalar()
        assert events == 60

        def index_rows():
            entries = db.session.execute(db.select(SearchEntry.story_id, SearchEntry.version_id, SearchEntry.published_at,
                                                   SearchEntry.state_code, SearchEntry.died_year, SearchEntry.age)
                                         .order_by(SearchEntry.story_id)).all()
            counts = db.session.execute(db.select(SearchCount.state_code, SearchCount.died_year, SearchCount.age_group,
                                                  SearchCount.memorials).order_by(SearchCount.state_code,
                                                                                  SearchCount.died_year,
                                                                                  SearchCount.age_group)).all()
            if db.engine.dialect.name == "sqlite":
                words = db.session.execute(text("SELECT rowid, name, place, story FROM search_text ORDER BY rowid")).all()
            else:
                words = db.session.execute(text("SELECT story_id, document::text FROM search_entry ORDER BY story_id")).all()
            return entries, counts, words

        seeded = index_rows()
        for story in stories:   # what the approval's receiver writes, story by story
            index_story(story)
        db.session.flush()
        assert index_rows() == seeded
        total = db.session.execute(db.select(SearchCount.memorials).where(
            SearchCount.state_code == ALL_STATES, SearchCount.age_group == ALL_AGES)).scalars().all()
        assert sum(total) == 60
        db.session.rollback()


def test_the_list_index_and_photo_lookup_have_their_indexes(app):
    with app.app_context():
        inspector = inspect(db.engine)
        story = {i["name"]: i["column_names"] for i in inspector.get_indexes("story")}
        assert story["ix_story_status_newest"][0] == "status" and "ix_story_live_version_id" in story
        assert "ix_story_version_photo_id" in {i["name"] for i in inspector.get_indexes("story_version")}
        if db.engine.dialect.name == "sqlite":
            plan = " ".join(str(r) for r in db.session.execute(text(
                "EXPLAIN QUERY PLAN SELECT story_id, version_id FROM search_entry WHERE state_code = 'OH' "
                "ORDER BY published_at DESC, story_id DESC LIMIT 24")))
            assert "COVERING INDEX ix_search_entry_newest" in plan and "TEMP B-TREE" not in plan


# --- HTTP: static files, gzip, conditional requests ------------------------------------------

def test_static_files_carry_their_content_hash_and_are_cached_for_a_year(app, client):
    page = fetch(client, "/stories/").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert links and all(re.search(r"\?v=[0-9a-f]{12}$", link) for link in links)
    css = next(link for link in links if "site.css" in link)
    content = Path(app.static_folder, "css/site.css").read_bytes()
    assert css.endswith(hashlib.sha256(content).hexdigest()[:12])
    assert "css/search.css" in page
    fresh = fetch(client, html.unescape(css))
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for stale in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        response = fetch(client, stale)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    with app.test_request_context():
        assert url_for("static", filename="js/site.js").startswith("/static/js/site.js?v=")


@pytest.mark.parametrize("url, kind", [
    ("/", "text/html"), ("/stories/", "text/html"), ("/static/css/site.css", "text/css"),
    ("/static/js/site.js", "text/javascript"), ("/stats/data.csv", "text/csv"), ("/stats/data.json", "application/json"),
    ("/stats/OH/data.csv", "text/csv"),
])
@pytest.mark.bundled_data
def test_text_answers_are_gzipped_when_the_browser_accepts_it(app, client, url, kind):
    plain = fetch(client, url)
    zipped = fetch(client, url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.status_code == zipped.status_code == 200
    assert kind in zipped.headers["Content-Type"] and zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert int(zipped.headers["Content-Length"]) == len(zipped.get_data()) < len(plain.get_data())
    assert "Content-Encoding" not in plain.headers
    refused = fetch(client, url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers


@pytest.mark.usefixtures("make_app")   # the seeder commits on a connection of its own
def test_public_pages_answer_conditional_requests(app, client):
    with app.app_context():
        seed(10)
        slug, thumb = db.session.execute(
            db.select(Story.slug, Photo.thumb_filename).join(StoryVersion, StoryVersion.id == Story.live_version_id)
            .outerjoin(Photo, Photo.id == StoryVersion.photo_id).order_by(Photo.id.is_(None))).first()
    urls = ["/", "/stories/", "/stories/?state=OH&age=25-34", f"/stories/{slug}", "/static/css/site.css"]
    if thumb:
        urls.append(f"/stories/photos/{thumb}")
    for url in urls:
        for headers in ({}, {"Accept-Encoding": "gzip"}):
            first = fetch(client, url, headers=headers)
            assert first.status_code == 200 and first.headers.get("ETag"), url
            again = fetch(client, url, headers={**headers, "If-None-Match": first.headers["ETag"]})
            assert again.status_code == 304 and again.get_data() == b"", url
            changed = fetch(client, url, headers={**headers, "If-None-Match": '"something-else"'})
            assert changed.status_code == 200, url


def test_private_pages_get_no_validator_and_are_never_stored(app, client):
    with app.app_context():
        _, token = make_story()
    response = fetch(client, f"/stories/manage/{token}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def _route_arguments(app, story_id, slug, token):
    values = {"slug": slug, "token": token, "story_id": story_id, "filename": "x.jpg", "code": "OH"}

    def fill(rule):
        args = {}
        for name, converter in rule._converters.items():
            kind = type(converter).__name__
            args[name] = values.get(name, 1 if kind in ("IntegerConverter", "BoundedIntConverter") else "x")
        return args

    return fill


def test_every_post_is_refused_without_its_csrf_token_and_changes_nothing(app, client):
    with app.app_context():
        make_moderator()
        story, token = make_story()
        publish(story)
        story_id, slug = story.id, story.slug
    sign_in(client)
    fill = _route_arguments(app, story_id, slug, token)

    def snapshot():
        with app.app_context():
            tables = inspect(db.engine).get_table_names()
            return {t: db.session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables
                    if not t.startswith("search_text")}, \
                db.session.execute(db.select(Story.status, Story.slug, Story.live_version_id)).all()

    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) >= 5
    for rule in posts:
        with app.test_request_context():
            url = url_for(rule.endpoint, **fill(rule))
        before = snapshot()
        response = client.post(url, data={**form_data(), "action": "approve", "reason": "x", "email": "a@b.org",
                                          "password": "a long enough password", "confirm": "yes"})
        assert response.status_code in (400, 200, 404), (url, response.status_code)
        if response.status_code == 200:  # a form that checks its own token answers with the form again
            assert 'name="csrf_token"' in response.get_data(as_text=True), url
        assert snapshot() == before, url
    page = fetch(client, f"/moderate/stories/{story_id}").get_data(as_text=True)
    assert csrf_token(page)  # and with the token, the same client can act (the refusals were about the token)


# --- photos --------------------------------------------------------------------------------------

def _halves(size, exif_orientation=None, mode="RGB", fmt="JPEG"):
    """Left half red, right half blue: after turning, we can tell where the left went."""
    image = Image.new(mode, size, (200, 0, 0, 255) if mode == "RGBA" else (200, 0, 0))
    image.paste((0, 0, 200, 255) if mode == "RGBA" else (0, 0, 200), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    kwargs = {}
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        exif[0x010F] = "PhoneMaker"
        kwargs["exif"] = exif
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def test_a_large_phone_photo_is_decoded_small_turned_upright_and_stripped():
    data = _halves((6000, 4000), exif_orientation=6)   # 24 MP, taken with the phone turned
    processed = photos.process(data)
    assert (processed.width, processed.height) == (1067, 1600)
    full = Image.open(io.BytesIO(processed.full))
    assert full.getexif() == {} and not full.info.get("exif")
    top, bottom = full.getpixel((533, 200)), full.getpixel((533, 1400))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]   # the left half is now on top
    thumb = Image.open(io.BytesIO(processed.thumb))
    assert thumb.size == (photos.THUMB_SIDE, photos.THUMB_SIDE)


def test_a_large_transparent_png_is_reduced_and_laid_on_white():
    image = Image.new("RGBA", (5000, 3000), (0, 0, 0, 0))
    image.paste((0, 120, 0, 255), (0, 0, 2500, 3000))
    out = io.BytesIO()
    image.save(out, "PNG")
    processed = photos.process(out.getvalue())
    assert (processed.width, processed.height) == (1600, 960)
    full = Image.open(io.BytesIO(processed.full))
    assert full.getpixel((1500, 500))[0] > 240 and full.getpixel((100, 500))[1] > 90


class MemoryStore:
    """Another photo store: what an object-storage backend would be, in a dict."""

    def __init__(self):
        self.files = {}

    @classmethod
    def from_app(cls, app):
        return cls()

    def save(self, name, data):
        self.files[name] = data

    def read(self, name):
        return self.files[name]

    def delete(self, name):
        self.files.pop(name, None)

    def send(self, name, max_age):
        from flask import abort, make_response

        if name not in self.files:
            abort(404)
        response = make_response(self.files[name])
        response.headers.update({"Content-Type": "image/jpeg", "Cache-Control": f"public, max-age={max_age}"})
        return response


def test_photos_go_through_the_store_and_nothing_else(make_app):
    app = make_app(PHOTO_STORE="tests.test_speed:MemoryStore")
    client = app.test_client()
    with app.app_context():
        store = photos.store()
    assert isinstance(store, MemoryStore)
    submit(client, "/stories/new", {**form_data(), "photo": (io.BytesIO(image_bytes()), "p.jpg")})
    assert len(store.files) == 2
    folder = Path(app.instance_path) / "photos"
    assert not folder.exists() or not list(folder.glob("*.jpg"))
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        publish(story)
        names = story.live_version.photo.filename, story.live_version.photo.thumb_filename
    for name in names:
        response = fetch(client, f"/stories/photos/{name}")
        assert response.status_code == 200 and response.get_data() == store.files[name]
    from tests.conftest import deliver

    deliver(app)
    mail = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))[0].read_text()
    manage = re.search(r"(/stories/manage/[A-Za-z0-9_-]+)", mail).group(1)
    page = fetch(client, manage).get_data(as_text=True)
    client.post(manage, data={"csrf_token": csrf_token(page), "action": "withdraw", "confirm": "yes"})
    assert store.files == {}


def test_the_local_store_never_writes_outside_its_folder(tmp_path):
    store = LocalStore(tmp_path / "photos")
    store.save("abc.jpg", b"\xff\xd8")
    assert store.read("abc.jpg") == b"\xff\xd8" and not list(tmp_path.glob("photos/.*"))
    for bad in ("../x.jpg", "a/b.jpg", "x.png", ""):
        with pytest.raises(FileNotFoundError):
            store.save(bad, b"")
        store.delete(bad)   # quietly nothing


@pytest.mark.usefixtures("make_app")   # the seeder commits on a connection of its own
def test_search_counts_stay_exact_through_a_seeded_database(app):
    with app.app_context():
        seed(120)
        by_state = dict(db.session.execute(db.select(SearchEntry.state_code, func.count()).group_by(SearchEntry.state_code)).all())
        counted = dict(db.session.execute(db.select(SearchCount.state_code, func.sum(SearchCount.memorials))
                                          .where(SearchCount.age_group == ALL_AGES, SearchCount.state_code != ALL_STATES)
                                          .group_by(SearchCount.state_code)).all())
        assert by_state == {k: v for k, v in counted.items() if v}
    client = app.test_client()
    page = fetch(client, "/stories/?state=OH").get_data(as_text=True)
    assert f"{by_state.get('OH', 0)} memorial" in page


@pytest.mark.usefixtures("make_app")   # the seeder commits on a connection of its own
def test_a_memorials_validator_leaves_out_the_forms_token_which_changes_each_second(app, client):
    with app.app_context():
        seed(3)
        slug = db.session.execute(db.select(Story.slug).limit(1)).scalar_one()
    first = fetch(client, f"/stories/{slug}")
    time.sleep(1.1)  # the next token is signed with another second
    again = fetch(client, f"/stories/{slug}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    page = first.get_data(as_text=True)
    # The token in the copy the browser keeps still posts: a candle lit from it is counted.
    response = client.post(f"/stories/{slug}/candle", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
