"""Whole pages kept for visitors who are not signed in: made once, served again, and never stale for
anyone (a change on one worker is seen at once by the others), never kept when private or personal."""
from __future__ import annotations

import gzip
import html
import logging
import io
import re
import time

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memorials.extensions import UNSEEN, db
from memorials.mail.models import OutboxMessage
from memorials.pagecache import generation, listen, page_store, pieces
from memorials.search import cards

from memorials.stories.models import Photo, Story

from .factories import form_data, image_bytes, make_moderator, make_story, publish, sign_in
from .forms import csrf_token, submit
from .statements import Statements

# Its behaviour depends on the database: it runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.both_databases


@pytest.fixture
def memorial(app):
    """A published memorial: (slug, private token)."""
    with app.app_context():
        story, token = make_story(content_note=None)
        publish(story)
        return story.slug, token


@pytest.fixture
def other_worker(make_app):
    """A second app on the same database: another gunicorn worker, or another app server."""
    return make_app()


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def statements(app, client, url, **kwargs) -> tuple[list[str], object]:
    with app.app_context():
        engine = db.engine
    with Statements(engine) as seen:
        response = client.get(url, **kwargs)
    return seen.seen, response


def candles_on(client, slug) -> str:
    page = text_of(client.get(f"/stories/{slug}"))
    return re.search(r'<p class="candle-count">(.*?)</p>', page, re.S).group(1).strip()


def test_a_page_seen_again_is_served_as_it_was_made_with_one_small_question_to_the_database(app, memorial):
    visitor = app.test_client()
    made_statements, made = statements(app, visitor, "/stories/", headers={"Accept-Encoding": "gzip"})
    with app.app_context():
        cards.cache().clear()
    again_statements, again = statements(app, app.test_client(), "/stories/", headers={"Accept-Encoding": "gzip"})
    assert again.status_code == 200 and again.headers["Content-Encoding"] == "gzip"
    assert again.data == made.data and again.headers["ETag"] == made.headers["ETag"]
    assert "Daniel James Rivera" in gzip.decompress(again.data).decode()
    assert len(made_statements) > 1 and len(again_statements) == 1 and "page_generation" in again_statements[0]
    # The same page for a browser without gzip is kept apart, and is plain.
    plain = app.test_client().get("/stories/")
    assert "Content-Encoding" not in plain.headers and b"Daniel James Rivera" in plain.data
    # A browser that has the page already is told so.
    assert app.test_client().get("/stories/", headers={"Accept-Encoding": "gzip",
                                                         "If-None-Match": made.headers["ETag"]}).status_code == 304


def test_english_and_spanish_pages_are_kept_apart(app, memorial):
    english = text_of(app.test_client().get("/stories/"))
    spanish = text_of(app.test_client().get("/es/stories/"))
    assert text_of(app.test_client().get("/stories/")) == english
    assert text_of(app.test_client().get("/es/stories/")) == spanish
    assert english != spanish and 'lang="es"' in spanish and 'lang="en"' in english


def test_a_withdrawn_memorial_is_gone_at_once_on_every_worker(app, other_worker, memorial):
    slug, token = memorial
    visitor = app.test_client()
    assert visitor.get(f"/stories/{slug}").status_code == 200
    assert "Daniel James Rivera" in text_of(visitor.get("/stories/"))
    assert "Daniel James Rivera" in text_of(visitor.get("/"))

    # The family withdraws on the other worker, through their private page.
    family = other_worker.test_client()
    done = submit(family, f"/stories/manage/{token}", {"action": "withdraw", "confirm": "yes"})
    assert done.status_code == 200

    assert app.test_client().get(f"/stories/{slug}").status_code == 404
    assert "Daniel James Rivera" not in text_of(app.test_client().get("/stories/"))
    assert "Daniel James Rivera" not in text_of(app.test_client().get("/"))


def test_an_approval_on_another_worker_shows_at_once(app, other_worker, memorial):
    assert "Ana Lucia Torres" not in text_of(app.test_client().get("/stories/"))
    with other_worker.app_context():
        story, _ = make_story(name="Ana Lucia Torres", email="ana@example.org")
        publish(story)
    assert "Ana Lucia Torres" in text_of(app.test_client().get("/stories/"))


def test_a_candle_lit_by_one_visitor_is_counted_for_the_next(app, other_worker, memorial):
    slug, _ = memorial
    assert candles_on(app.test_client(), slug) == "No candles yet. You can light the first one."
    lit = submit(other_worker.test_client(), f"/stories/{slug}/candle", {}, page=f"/stories/{slug}")
    assert lit.status_code == 302
    assert candles_on(app.test_client(), slug) == "1 candle has been lit for Daniel James Rivera."


def test_each_visitor_gets_their_own_form_token_and_it_works(app, memorial):
    slug, _ = memorial
    first, second = app.test_client(), app.test_client()
    first_page = first.get(f"/stories/{slug}").get_data(as_text=True)
    seen, second_answer = statements(app, second, f"/stories/{slug}")
    second_page = second_answer.get_data(as_text=True)
    assert len(seen) == 1   # the second visitor was served the kept page
    first_token, second_token = csrf_token(first_page), csrf_token(second_page)
    assert first_token != second_token
    assert "\x00" not in second_page
    # The kept page is the page made for the first visitor, but for the token.
    assert second_page.replace(second_token, "T") == first_page.replace(first_token, "T")
    # The second visitor's token posts; the first one's does not, from the second visitor's browser.
    assert second.post(f"/stories/{slug}/candle", data={"csrf_token": first_token}).status_code == 400
    assert second.post(f"/stories/{slug}/candle", data={"csrf_token": second_token}).status_code == 302


def test_a_kept_page_with_a_form_is_compressed_once_and_still_gives_each_visitor_their_own_token(app, memorial):
    slug, _ = memorial
    gzip_asked = {"Accept-Encoding": "gzip"}
    first, second, third = app.test_client(), app.test_client(), app.test_client()
    made = first.get(f"/stories/{slug}", headers=gzip_asked)
    seen, kept = statements(app, second, f"/stories/{slug}", headers=gzip_asked)
    assert len(seen) <= 1 and made.headers["Content-Encoding"] == kept.headers["Content-Encoding"] == "gzip"
    # An ordinary gzip stream, the whole page but for the visitor's own token, with the same validator.
    made_page, kept_page = gzip.decompress(made.data).decode(), gzip.decompress(kept.data).decode()
    made_token, kept_token = csrf_token(made_page), csrf_token(kept_page)
    assert made_token != kept_token and kept_page.count(kept_token) == made_page.count(made_token) >= 2
    assert kept_page.replace(kept_token, "T") == made_page.replace(made_token, "T")
    assert kept.headers["ETag"] == made.headers["ETag"] and int(kept.headers["Content-Length"]) == len(kept.data)
    # The first visit was sent the parts the page is kept as, with its own token: compressed once, and its token
    # too is never compressed (BREACH), as for every later visitor.
    assert made.data.count(made_token.encode()) == made_page.count(made_token)
    assert kept.data.count(kept_token.encode()) == kept_page.count(kept_token)
    assert abs(len(kept.data) - len(made.data)) < 20
    # A browser holding the page is told it has it, and the token posts.
    third_answer = third.get(f"/stories/{slug}", headers={**gzip_asked, "If-None-Match": kept.headers["ETag"]})
    assert third_answer.status_code == 304
    assert second.post(f"/stories/{slug}/candle", data={"csrf_token": kept_token}).status_code == 302


def test_a_page_with_a_message_waiting_or_a_cookie_of_its_own_is_made_afresh(app, memorial):
    slug, _ = memorial
    visitor = app.test_client()
    visitor.get(f"/stories/{slug}")
    lit = submit(visitor, f"/stories/{slug}/candle", {}, page=f"/stories/{slug}", follow_redirects=True)
    page = text_of(lit)
    assert "Thank you. Your candle for Daniel James Rivera is lit." in page
    # The candle cookie keeps the button away for the rest of the day, on every visit.
    assert "You lit a candle for Daniel James Rivera today. Thank you." in text_of(visitor.get(f"/stories/{slug}"))
    # Anyone else still gets the button.
    assert f'action="/stories/{slug}/candle"' in app.test_client().get(f"/stories/{slug}").get_data(as_text=True)


def test_moderators_and_private_pages_are_never_kept(app, memorial):
    slug, token = memorial
    with app.app_context():
        make_moderator()
    moderator = app.test_client()
    assert sign_in(moderator).status_code == 302
    page_store(app).clear()
    assert moderator.get(f"/stories/{slug}").status_code == 200
    assert moderator.get("/stories/").status_code == 200
    assert moderator.get("/moderate/").status_code == 200
    assert len(page_store(app)) == 0

    family = app.test_client()
    assert family.get(f"/stories/manage/{token}").status_code == 200
    assert family.get(f"/stories/manage/{token}").status_code == 200
    assert len(page_store(app)) == 0


def test_the_thank_you_page_is_never_kept_and_the_empty_form_is(app):
    family = app.test_client()
    sent = submit(family, "/stories/new", form_data())
    assert sent.status_code == 302
    thanks = family.get(sent.headers["Location"])
    assert thanks.status_code == 200 and "/stories/manage/" in thanks.get_data(as_text=True)
    # Only the empty form is kept, for the next family: it holds nothing of this one's.
    assert [key[2] for key in page_store(app).keys()] == ["/stories/new"]
    empty = app.test_client().get("/stories/new").get_data(as_text=True)
    assert "Daniel James Rivera" not in empty and "maria@example.org" not in empty


def test_mail_and_sign_ins_leave_kept_pages_alone_but_public_tables_do_not(app, memorial):
    with app.app_context():
        before = generation.current()
        make_moderator()
    assert sign_in(app.test_client()).status_code == 302
    with app.app_context():
        assert generation.current() == before
        db.session.add(OutboxMessage(kind="test", recipients="a@example.org", subject="s", body="b",
                                     message_id="<test@example.org>"))
        db.session.commit()
        assert generation.current() == before
        db.session.execute(db.text("UPDATE story SET moderator_note = moderator_note"))
        db.session.commit()
        assert generation.current() == before + 1
        db.session.execute(db.text("UPDATE story SET moderator_note = moderator_note"))
        db.session.rollback()
        assert generation.current() == before + 1


def test_pages_are_also_dropped_after_their_time(make_app, memorial):
    app = make_app(PAGE_CACHE_SECONDS=0.3)
    slug, _ = memorial
    app.test_client().get(f"/stories/{slug}")
    key = page_store(app).keys()[0]
    with app.app_context():
        counted = generation.current()
    assert page_store(app).get(key, counted) is not None
    time.sleep(0.35)
    assert page_store(app).get(key, counted) is None


def test_no_page_is_kept_when_the_cache_is_off(make_app, memorial):
    app = make_app(PAGE_CACHE_SECONDS=0)
    slug, _ = memorial
    for _ in range(2):
        assert app.test_client().get(f"/stories/{slug}").status_code == 200
    assert len(page_store(app)) == 0


def test_a_kept_thumbnail_is_the_same_file(app, client):
    sent = submit(client, "/stories/new", form_data(photo=(io.BytesIO(image_bytes()), "d.jpg")),
                  content_type="multipart/form-data")
    assert sent.status_code == 302

    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        publish(story)
        thumb = db.session.execute(db.select(Photo.thumb_filename)).scalar_one()
    first = app.test_client().get(f"/stories/photos/{thumb}", buffered=True)
    again_statements, again = statements(app, app.test_client(), f"/stories/photos/{thumb}", buffered=True)
    assert first.status_code == again.status_code == 200 and first.data == again.data and len(again.data) > 500
    assert again.headers["Content-Type"] == "image/jpeg" and len(again_statements) == 1



def test_a_database_not_yet_migrated_to_the_counter_serves_every_page_fresh_and_keeps_saving(make_app):
    app = make_app()
    with app.app_context():
        db.session.execute(db.text("DROP TABLE page_generation"))
        db.session.commit()
        story, _ = make_story(content_note=None)
        publish(story)            # commits without the counter, and nothing fails
        slug = story.slug
    for _ in range(2):
        assert app.test_client().get(f"/stories/{slug}").status_code == 200
    assert len(page_store(app)) == 0
    with app.app_context():      # migrated: pages are kept from then on
        db.create_all()
        db.session.commit()
    for _ in range(2):
        assert app.test_client().get(f"/stories/{slug}").status_code == 200
    assert len(page_store(app)) == 1


def test_only_mail_sign_in_and_bookkeeping_tables_are_left_out_of_the_counter():
    unseen = {name for name, table in db.metadata.tables.items() if table.info.get(UNSEEN)}
    assert {"outbox_message", "moderator", "moderator_session", "moderation_event", "used_letter_token"} <= unseen
    assert not unseen & {"story", "story_version", "photo", "condolence", "candle_tally", "search_entry",
                         "stat_artifact", "campaign", "letter_count", "story_slug"}


def test_a_write_the_app_might_send_in_another_form_is_counted_too(app):
    with app.app_context():
        before = generation.current()
        db.session.execute(db.text("/* by hand */ UPDATE story SET moderator_note = moderator_note"))
        db.session.commit()
        db.session.execute(db.text("WITH s AS (SELECT 1) UPDATE story SET moderator_note = moderator_note"))
        db.session.commit()
        assert generation.current() == before + 2


def test_a_message_for_one_visitor_is_never_shown_to_the_next(app, memorial):
    slug, _ = memorial
    app.test_client().get(f"/stories/{slug}")              # the page is kept
    visitor = app.test_client()
    data = {"name": "Aunt Rosa", "message": "We miss him every day.", "email": "", "website": ""}
    left = submit(visitor, f"/stories/{slug}/condolences", data, page=f"/stories/{slug}", follow_redirects=True)
    thanks = "Your message will appear here once a moderator has read it"
    assert thanks in text_of(left)
    # Neither the next visitor nor the same one coming back sees it again.
    for page in (app.test_client().get(f"/stories/{slug}"), visitor.get(f"/stories/{slug}")):
        assert page.status_code == 200 and thanks not in text_of(page)


def test_a_visitor_who_chose_a_language_and_a_head_request_get_the_kept_page(app, memorial):
    slug, _ = memorial
    app.test_client().get("/es/stories/")
    chose = app.test_client()
    chose.set_cookie("lang", "es")
    seen, page = statements(app, chose, "/es/stories/")
    assert page.status_code == 200 and len(seen) == 1 and 'lang="es"' in page.get_data(as_text=True)
    head = app.test_client().head("/es/stories/")
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Language"] == "es"


def test_a_small_kept_answer_keeps_its_validator(app):
    made = app.test_client().get("/robots.txt", headers={"Accept-Encoding": "gzip"})
    kept = app.test_client().get("/robots.txt", headers={"Accept-Encoding": "gzip"})
    assert made.status_code == kept.status_code == 200 and made.headers["ETag"] == kept.headers["ETag"]
    assert app.test_client().get("/robots.txt", headers={"Accept-Encoding": "gzip",
                                                          "If-None-Match": made.headers["ETag"]}).status_code == 304


# --- PostgreSQL: each worker hears the counter change (memorials/pagecache/listen.py) ------------------------

def _by_hand(app):
    """A connection of PostgreSQL's own, outside every app: what another app server or an operator's psql is."""
    with app.app_context():
        url = db.engine.url
    return psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True)


def _moved_by_hand(app) -> None:
    """The memorial's hometown changed and the counter raised, committed by nothing in this process."""
    with _by_hand(app) as other, other.transaction():
        other.execute("UPDATE story_version SET city = 'Kettering' WHERE city = 'Dayton'")
        other.execute("UPDATE page_generation SET value = value + 1")


def _until(condition, seconds: float = 2.0) -> float:
    """How long condition took to hold (it must within `seconds`)."""
    started = time.perf_counter()
    while not condition():
        assert time.perf_counter() - started < seconds, "not seen in time"
        time.sleep(0.001)
    return time.perf_counter() - started


@pytest.mark.postgresql_only
def test_on_postgresql_a_kept_page_needs_no_query_and_a_change_made_anywhere_is_seen(make_app, memorial):
    app = make_app()
    slug, _ = memorial
    app.test_client().get(f"/stories/{slug}")
    again_statements, again = statements(app, app.test_client(), f"/stories/{slug}")
    assert again.status_code == 200 and "Dayton" in text_of(again) and again_statements == []

    _moved_by_hand(app)   # only PostgreSQL's notice can tell this worker
    waited = _until(lambda: "Kettering" in text_of(app.test_client().get(f"/stories/{slug}")))
    assert waited < 0.5
    assert "Dayton" not in text_of(app.test_client().get(f"/stories/{slug}"))


@pytest.mark.postgresql_only
def test_behind_a_pooler_that_drops_notices_the_listener_can_be_turned_off(make_app, memorial):
    app = make_app(PAGE_CACHE_LISTEN=False)
    slug, _ = memorial
    app.test_client().get(f"/stories/{slug}")
    again_statements, again = statements(app, app.test_client(), f"/stories/{slug}")
    assert "Dayton" in text_of(again) and len(again_statements) == 1 and "page_generation" in again_statements[0]
    _moved_by_hand(app)
    assert "Kettering" in text_of(app.test_client().get(f"/stories/{slug}"))   # asked, not heard: at once


@pytest.mark.postgresql_only
def test_on_postgresql_a_lost_listening_connection_falls_back_to_asking_and_misses_nothing(make_app, memorial):
    app = make_app()
    slug, _ = memorial
    app.test_client().get(f"/stories/{slug}")
    assert "Dayton" in text_of(app.test_client().get(f"/stories/{slug}"))
    # The server ends the worker's listening connection (a restart, an administrator); then a change commits
    # that no notice will ever bring to it.
    with _by_hand(app) as other:
        ended = other.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' "
                              "OR query LIKE 'SELECT value FROM page_generation%' AND pid <> pg_backend_pid()").fetchall()
    assert ended
    _moved_by_hand(app)
    time.sleep(0.05)   # the end of the connection has reached the worker's socket
    # The very next visit asks the database itself: nothing stale is served.
    assert "Kettering" in text_of(app.test_client().get(f"/stories/{slug}"))
    assert "Dayton" not in text_of(app.test_client().get(f"/stories/{slug}"))


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.binary(max_size=3000), min_size=1, max_size=5),
       token=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-_", min_size=1, max_size=120),
       other=st.text(alphabet="ABCDEF0123456789", max_size=120))
def test_a_page_with_holes_is_one_ordinary_gzip_stream_whatever_is_around_them(parts, token, other):
    hole = ("\x01hole" + token).encode()     # never in the parts: they are cut there
    body = hole.join(part for part in parts if hole not in part)   # any bytes, NUL too (then no dictionary)
    made = pieces.holed(body, hole, 5)
    for visitor in (hole, ("\x02" + token + "x" * 5).encode()[: len(hole)], other.encode()):
        assert gzip.decompress(made.filled(visitor)) == body.replace(hole, visitor)
    assert made.filled(hole)[:2] == b"\x1f\x8b"


@pytest.mark.postgresql_only
def test_on_postgresql_a_notice_that_comes_during_the_full_read_is_not_lost(make_app, memorial):
    app = make_app()
    slug, _ = memorial
    app.test_client().get(f"/stories/{slug}")
    with app.app_context():
        listener = listen.listener_for(db.engine)
        before = listener.current()
        _moved_by_hand(app)          # its notice is waiting on the worker's socket
        time.sleep(0.05)
        with listener.lock:          # the ten-second read in full comes first, and takes the notice with it
            listener._read()
        assert listener.heard_up_to == listener.value == before + 1 and listener.awaited is None
    assert "Kettering" in text_of(app.test_client().get(f"/stories/{slug}"))


@pytest.mark.postgresql_only
def test_on_postgresql_a_worker_whose_notices_stop_asks_the_database_again(make_app, memorial, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="memorials")
    monkeypatch.setattr(listen, "REREAD_SECONDS", 0.1)
    monkeypatch.setattr(listen, "AWAIT_SECONDS", 0.1)
    app = make_app()
    slug, _ = memorial
    app.test_client().get(f"/stories/{slug}")
    assert "Dayton" in text_of(app.test_client().get(f"/stories/{slug}"))
    with _by_hand(app) as other:   # an operator disables the trigger: no notice will come
        other.execute("ALTER TABLE page_generation DISABLE TRIGGER page_generation_notify")
    _moved_by_hand(app)
    # Seen by the next read in full; and since no notice comes for what it read, the worker stops listening.
    waited = _until(lambda: "Kettering" in text_of(app.test_client().get(f"/stories/{slug}")))
    assert waited < 1.0
    time.sleep(0.2)
    app.test_client().get(f"/stories/{slug}")
    assert "no notice said so" in caplog.text
    seen, again = statements(app, app.test_client(), f"/stories/{slug}")
    assert len(seen) == 1 and "page_generation" in seen[0] and "Dayton" not in text_of(again)


@pytest.mark.postgresql_only
def test_on_postgresql_a_savepoint_is_not_taken_for_a_commit(make_app):
    app = make_app()
    with app.test_request_context("/"):
        listener = listen.listener_for(db.engine)
        before = listener.current()
        db.session.rollback()
        with db.session.begin_nested():
            db.session.execute(db.text("UPDATE story SET slug = slug WHERE false"))   # a public table
        assert listener.current() == before     # the savepoint is released; the transaction is not committed
        db.session.rollback()
        assert listener.current() == before == (db.session.execute(db.text(generation.READ)).scalar() or 0)
        db.session.remove()
