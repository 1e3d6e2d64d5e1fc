"""The guestbook (condolences, candles), remembrance notes, reports, the contact address, the finish of
the memorial pages and the site-wide accessibility fixes: through the real pages, on both databases."""
from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from memorials.audit import ModerationEvent
from memorials.community import remembrance as remembrance_service
from memorials.community.models import (CandleTally, Condolence, RemembranceSent, Report)
from memorials.extensions import db
from memorials.stories.models import Story
from memorials.text import plain_text_html

from .factories import form_data, make_moderator, make_story, publish, sign_in
from .forms import csrf_token, submit
from .statements import statements_for

ROOT = Path(__file__).resolve().parent.parent


# --- helpers --------------------------------------------------------------------------------------

@pytest.fixture
def memorial(app):
    """A published memorial: (story id, slug, private token)."""
    with app.app_context():
        story, token = make_story(content_note=None)
        publish(story)
        return story.id, story.slug, token


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def title_of(response) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1)).strip()


def leave(client, slug, **overrides):
    data = {"name": "Aunt Rosa", "message": "We miss him every day.", "email": "", "website": ""}
    data.update(overrides)
    return submit(client, f"/stories/{slug}/condolences", data, page=f"/stories/{slug}")


def condolences(app):
    with app.app_context():
        return [(c.name, c.status, c.email) for c in db.session.execute(
            db.select(Condolence).order_by(Condolence.id)).scalars()]


def log_rows(app, kind=None):
    with app.app_context():
        query = db.select(ModerationEvent).order_by(ModerationEvent.id)
        if kind:
            query = query.where(ModerationEvent.item_kind == kind)
        return [(e.item_kind, e.action, e.moderator.email if e.moderator else None, e.reason)
                for e in db.session.execute(query).scalars()]


def moderator_client(app):
    with app.app_context():
        make_moderator()
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client


def approve_all(app, moderator, action="approve"):
    """Press the moderator's button on every waiting message, through the real page."""
    page = moderator.get("/moderate/condolences").get_data(as_text=True)
    ids = re.findall(r'action="/moderate/condolences/(\d+)"', page)
    for condolence_id in ids:
        response = moderator.post(f"/moderate/condolences/{condolence_id}",
                                  data={"csrf_token": csrf_token(page), "action": action})
        assert response.status_code == 302
    return ids


def mails(outbox, to=None):
    return [m for m in outbox() if to is None or to in m["To"]]


# --- the guestbook --------------------------------------------------------------------------------

@pytest.mark.both_databases
def test_a_condolence_appears_only_after_a_moderator_approves_it_and_the_family_is_told(app, client, memorial, outbox):
    _, slug, _ = memorial
    response = leave(client, slug, email="rosa@example.org")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/stories/{slug}#guestbook-said")
    thanked = text_of(client.get(f"/stories/{slug}"))
    assert "Your message will appear here once a moderator has read it" in thanked
    assert "We miss him every day." not in thanked
    assert condolences(app) == [("Aunt Rosa", "pending", "rosa@example.org")]
    # The thank-you is said once; a later visit reads the page as anyone does.
    assert "Your message will appear here" not in text_of(client.get(f"/stories/{slug}"))

    moderator = moderator_client(app)
    queue = text_of(moderator.get("/moderate/condolences"))
    assert "Aunt Rosa" in queue and "We miss him every day." in queue and "rosa@example.org" not in queue
    approve_all(app, moderator)

    page = text_of(client.get(f"/stories/{slug}"))
    shown = page[page.index("Messages for the family"):]
    assert "We miss him every day." in shown and "Aunt Rosa" in shown
    with app.app_context():
        written = db.session.execute(db.select(Condolence)).scalar_one().created_at
    from memorials.i18n import long_date
    with app.test_request_context():
        assert long_date(written) in shown
    assert "rosa@example.org" not in page
    # The email was used for its one message and erased.
    assert condolences(app) == [("Aunt Rosa", "published", None)]
    assert log_rows(app, "condolence") == [("condolence", "approve", "mod@example.org", None)]

    family = mails(outbox, "maria@example.org")
    writer = mails(outbox, "rosa@example.org")
    assert [m["Subject"] for m in family] == ["A message for you on Daniel James Rivera's memorial"]
    body = family[0].get_content()
    assert "Aunt Rosa wrote:" in body and "We miss him every day." in body and f"/stories/{slug}#condolences" in body
    assert [m["Subject"] for m in writer] == ["Your message is on Daniel James Rivera's memorial"]


@pytest.mark.both_databases
def test_moderators_are_told_once_when_messages_start_waiting(app, client, memorial, outbox):
    _, slug, _ = memorial
    with app.app_context():
        make_moderator()
    leave(client, slug)
    leave(client, slug, name="Cousin Eli")
    notes = [m for m in outbox() if "mod@example.org" in m["To"]]
    assert [m["Subject"] for m in notes] == ["Messages for families are waiting for review"]
    assert "/moderate/condolences" in notes[0].get_content()


def test_published_messages_show_oldest_first_and_nothing_else_shows(app, client, memorial):
    story_id, slug, _ = memorial
    with app.app_context():
        start = datetime(2024, 1, 1, 12)
        for n, status in enumerate(["published", "pending", "published", "rejected", "hidden", "published"]):
            db.session.add(Condolence(story_id=story_id, name=f"Writer {n}", message=f"Words number {n}.",
                                      status=status, created_at=start + timedelta(days=10 - n)))
        db.session.commit()
    page = text_of(client.get(f"/stories/{slug}"))
    shown = re.findall(r"Words number (\d)\.", page)
    assert shown == ["5", "2", "0"]  # oldest first: written on day 5, 8 and 10
    assert "January 6, 2024" in page and "January 11, 2024" in page


def test_a_message_is_plain_text_with_its_line_breaks_and_no_links(app, client, memorial):
    _, slug, _ = memorial
    message = ("He was **so** kind <script>alert(1)</script>\r\nSee https://example.com/x and [me](https://evil.example)"
               "\r\n\r\nSecond paragraph & more")
    leave(client, slug, message=message)
    approve_all(app, moderator_client(app))
    raw = client.get(f"/stories/{slug}").get_data(as_text=True)
    assert ("<p>He was **so** kind &lt;script&gt;alert(1)&lt;/script&gt;<br>\nSee https://example.com/x and "
            "[me](https://evil.example)</p><p>Second paragraph &amp; more</p>") in raw
    assert 'href="https://example.com' not in raw and 'href="https://evil' not in raw and "<script>alert" not in raw


def test_plain_text_html_escapes_everything_and_keeps_line_breaks():
    assert plain_text_html("a<b>\n\n\nc\r\nd  \n") == "<p>a&lt;b&gt;</p><p>c<br>\nd</p>"
    assert plain_text_html("") == "" and plain_text_html(None) == ""
    assert plain_text_html("**x** _y_ <a href='z'>") == "<p>**x** _y_ &lt;a href=&#39;z&#39;&gt;</p>"


@pytest.mark.parametrize("overrides, field, message", [
    ({"name": ""}, "name", "Please tell the family who the message is from."),
    ({"name": "x" * 81}, "name", "Please keep your name under 80 characters."),
    ({"message": "   "}, "message", "Please write a few words for the family."),
    ({"message": "y" * 2001}, "message", "Please keep your message under 2,000 characters."),
    ({"email": "not an email"}, "email", "That doesn't look like an email address."),
])
def test_a_refused_message_comes_back_on_the_memorial_with_every_word_kept(app, client, memorial, overrides, field,
                                                                            message):
    _, slug, _ = memorial
    typed = {"name": "Aunt Rosa", "message": "We miss him.\r\nEvery day.", "email": "rosa@example.org"}
    typed.update(overrides)
    response = leave(client, slug, **typed)
    page = text_of(response)
    assert response.status_code == 200
    assert title_of(response).startswith("Error:")
    summary = page[page.index('id="form-errors"'):]
    assert f'href="#{field}"' in summary and message in summary
    assert f'id="{field}-error"' in page and "Remembering Daniel James Rivera" in title_of(response)
    for name, value in typed.items():
        if name != field and value.strip():
            kept = value.replace("\r\n", "\n")
            assert (f'value="{kept}"' in page) or re.search(r">\s*" + re.escape(kept) + "</textarea>", page), name
    assert condolences(app) == []


def test_a_stale_form_keeps_the_words_and_asks_to_send_again(app, client, memorial):
    _, slug, _ = memorial
    response = client.post(f"/stories/{slug}/condolences",
                           data={"csrf_token": "stale", "name": "Aunt Rosa", "message": "We miss him."})
    page = text_of(response)
    assert response.status_code == 200 and title_of(response).startswith("Error:")
    assert "please press Send once more" in page and 'value="Aunt Rosa"' in page and "We miss him." in page
    assert condolences(app) == []


def test_the_honeypot_is_thanked_and_nothing_is_kept(app, client, memorial):
    _, slug, _ = memorial
    response = leave(client, slug, website="http://spam.example")
    assert response.status_code == 302
    assert condolences(app) == []


def test_too_many_messages_give_the_form_back_with_the_words_kept(make_app):
    app = make_app(RATELIMIT_ENABLED=True, COMMUNITY_RATE_LIMIT="2 per hour")
    with app.app_context():
        story, _ = make_story()
        publish(story)
        slug = story.slug
    client = app.test_client()
    assert [leave(client, slug, name=f"Writer {n}").status_code for n in range(2)] == [302, 302]
    refused = leave(client, slug, name="Third writer", message="Words I do not want to lose.")
    page = text_of(refused)
    assert refused.status_code == 429 and title_of(refused).startswith("Error:")
    assert "sent several messages in a short time" in page
    assert 'value="Third writer"' in page and "Words I do not want to lose." in page
    assert [c[0] for c in condolences(app)] == ["Writer 0", "Writer 1"]


def test_odd_bytes_and_addresses_get_plain_answers(app, client, memorial):
    _, slug, _ = memorial
    response = leave(client, slug, name="Ro\x00sa", message="We\x00 miss\x07 him.")
    assert response.status_code == 302
    assert condolences(app) == [("Rosa", "pending", None)]
    with app.app_context():
        assert db.session.execute(db.select(Condolence.message)).scalar_one() == "We miss him."
    for url in ("/stories/no-such-memorial/condolences", "/stories/%00/condolences", "/stories/x%00y/candle",
                "/stories/" + "a" * 500 + "/candle"):
        page = client.get(f"/stories/{slug}").get_data(as_text=True)
        assert client.post(url, data={"csrf_token": csrf_token(page), "name": "A", "message": "B"}).status_code == 404
    for url in ("/stories/%00/report", "/stories/nobody-2020/report", f"/stories/{slug}?messages=99999999999999999999",
                f"/stories/{slug}?messages=-3", f"/stories/{slug}?messages=abc"):
        assert client.get(url).status_code in (200, 404), url


@pytest.mark.both_databases
def test_a_memorial_page_runs_the_same_number_of_queries_whatever_its_messages(app, client, memorial):
    story_id, slug, _ = memorial

    def statements():
        return statements_for(app, client, f"/stories/{slug}")

    few = statements()
    with app.app_context():
        for n in range(40):
            db.session.add(Condolence(story_id=story_id, name=f"Writer {n}", message="Words.", status="published"))
        db.session.commit()
    # An empty guestbook is not read at all (the story's statement counted its messages); a page of them is one.
    assert statements() == few + 1
    with app.app_context():
        for n in range(40, 120):
            db.session.add(Condolence(story_id=story_id, name=f"Writer {n}", message="Words.", status="published"))
        db.session.commit()
    assert statements() == few + 1


@pytest.mark.both_databases
def test_many_messages_are_paged_oldest_first(app, client, memorial):
    story_id, slug, _ = memorial
    with app.app_context():
        start = datetime(2024, 1, 1)
        for n in range(55):
            db.session.add(Condolence(story_id=story_id, name=f"Writer {n:02d}", message="Words.",
                                      status="published", created_at=start + timedelta(hours=n)))
        db.session.commit()
    first = text_of(client.get(f"/stories/{slug}"))
    assert "Writer 00" in first and "Writer 49" in first and "Writer 50" not in first
    assert "Later messages" in first and "Page 1 of 2" in first
    second = text_of(client.get(f"/stories/{slug}?messages=2"))
    assert "Writer 50" in second and "Writer 54" in second and "Writer 49" not in second
    assert "Earlier messages" in second
    # A page past the last (known to be empty from the count read with the story) shows no message, and the way back.
    past = text_of(client.get(f"/stories/{slug}?messages=3"))
    assert "Writer 00" not in past and "Writer 54" not in past and "Read the messages from the beginning" in past


def test_a_moderator_rejects_a_message_and_nobody_is_told(app, client, memorial, outbox):
    _, slug, _ = memorial
    leave(client, slug, email="rosa@example.org", message="Buy cheap watches")
    approve_all(app, moderator_client(app), action="reject")
    assert "Buy cheap watches" not in text_of(client.get(f"/stories/{slug}"))
    assert condolences(app) == [("Aunt Rosa", "rejected", None)]
    assert log_rows(app, "condolence") == [("condolence", "reject", "mod@example.org", None)]
    assert [m["Subject"] for m in outbox()] == ["Messages for families are waiting for review"]


def test_a_message_decided_twice_is_told_plainly(app, client, memorial):
    _, slug, _ = memorial
    leave(client, slug)
    moderator = moderator_client(app)
    page = moderator.get("/moderate/condolences").get_data(as_text=True)
    condolence_id = re.search(r'action="/moderate/condolences/(\d+)"', page).group(1)
    data = {"csrf_token": csrf_token(page), "action": "approve"}
    moderator.post(f"/moderate/condolences/{condolence_id}", data=data)
    again = moderator.post(f"/moderate/condolences/{condolence_id}", data=data, follow_redirects=True)
    assert "Someone already decided on this message." in text_of(again)
    assert len(log_rows(app, "condolence")) == 1
    assert moderator.post("/moderate/condolences/999", data=data).status_code == 404
    assert moderator.post(f"/moderate/condolences/{condolence_id}",
                          data={"csrf_token": csrf_token(page), "action": "delete"}).status_code == 400


@pytest.mark.parametrize("url", ["/moderate/condolences", "/moderate/reports", "/moderate/reports/1"])
def test_the_new_moderation_pages_need_a_moderator(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/moderate/login" in response.headers["Location"]


def test_the_queue_has_a_tab_for_each_kind_with_how_many_wait(app, client, memorial):
    _, slug, _ = memorial
    leave(client, slug)
    leave(client, slug, name="Cousin Eli")
    submit(client, f"/stories/{slug}/report", {"reason": "spam", "details": "", "email": "", "website": ""})
    with app.app_context():
        make_story(name="Waiting Person")
    moderator = moderator_client(app)
    for url in ("/moderate/", "/moderate/condolences", "/moderate/reports"):
        page = text_of(moderator.get(url))
        tabs = page[page.index('class="queue-tabs"'):page.index("</nav>", page.index('class="queue-tabs"'))]
        assert re.findall(r">(\w+) <span class=\"tab-count\">\((\d+)\)", tabs) == \
            [("Stories", "1"), ("Messages", "2"), ("Memories", "0"), ("Photos", "0"), ("Reports", "1")], url
        assert page.count('aria-current="page"') == 1


def test_the_family_is_not_emailed_when_they_switched_it_off(app, client, memorial, outbox):
    _, slug, token = memorial
    manage = text_of(client.get(f"/stories/manage/{token}"))
    assert 'name="condolence_mail"' in manage and 'name="remembrance"' in manage
    response = submit(client, f"/stories/manage/{token}/guestbook", {"remembrance": "y"},
                      page=f"/stories/manage/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/stories/manage/{token}#guestbook")
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        assert (story.condolence_mail, story.remembrance) == (False, True)
    leave(client, slug)
    approve_all(app, moderator_client(app))
    assert [m for m in outbox() if "maria@example.org" in m["To"]] == []


@pytest.mark.both_databases
def test_the_family_hides_a_message_at_once_and_can_show_it_again(app, client, memorial):
    story_id, slug, token = memorial
    leave(client, slug, message="Words the family does not want shown.")
    approve_all(app, moderator_client(app))
    family = app.test_client()
    manage = family.get(f"/stories/manage/{token}").get_data(as_text=True)
    button = re.search(r'<button[^>]*value="hide"[^>]*>([^<]*)</button>', manage)
    assert button and button.group(1).startswith("Hide") and "Aunt Rosa" in button.group(1)
    form_action = re.search(r'action="(/stories/manage/[^"]+/condolences/\d+)"', manage).group(1)
    response = family.post(form_action, data={"csrf_token": csrf_token(manage), "action": "hide"})
    assert response.status_code == 302
    assert "Words the family does not want shown." not in text_of(client.get(f"/stories/{slug}"))
    after = text_of(family.get(f"/stories/manage/{token}"))
    assert "is hidden. It no longer shows on the memorial." in after and "Hidden: not on the memorial" in after
    assert condolences(app)[0][1] == "hidden"
    assert log_rows(app, "condolence")[-1] == ("condolence", "hide", None, "hidden by the family")

    family.post(form_action, data={"csrf_token": csrf_token(after), "action": "show"})
    assert "Words the family does not want shown." in text_of(client.get(f"/stories/{slug}"))
    assert log_rows(app, "condolence")[-1][1] == "show"


def test_a_family_cannot_hide_a_message_on_someone_elses_memorial(app, client, memorial):
    _, slug, _ = memorial
    leave(client, slug)
    approve_all(app, moderator_client(app))
    with app.app_context():
        _, other_token = make_story(name="Someone Else", email="other@example.org")
        condolence_id = db.session.execute(db.select(Condolence.id)).scalar_one()
    page = client.get(f"/stories/manage/{other_token}").get_data(as_text=True)
    response = client.post(f"/stories/manage/{other_token}/condolences/{condolence_id}",
                           data={"csrf_token": csrf_token(page), "action": "hide"})
    assert response.status_code == 404
    assert condolences(app)[0][1] == "published"
    missing = client.post("/stories/manage/" + "x" * 40 + f"/condolences/{condolence_id}",
                          data={"csrf_token": csrf_token(page), "action": "hide"})
    assert missing.status_code == 404


# --- candles --------------------------------------------------------------------------------------

def candle_count_on(client, slug) -> str:
    page = text_of(client.get(f"/stories/{slug}"))
    return re.search(r'<p class="candle-count">(.*?)</p>', page, re.S).group(1).strip()


def light(client, slug):
    return submit(client, f"/stories/{slug}/candle", {}, page=f"/stories/{slug}")


@pytest.mark.both_databases
def test_a_candle_is_counted_once_a_day_per_browser_and_nothing_about_the_visitor_is_kept(app, client, memorial):
    _, slug, _ = memorial
    assert candle_count_on(client, slug) == "No candles yet. You can light the first one."
    response = light(client, slug)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/stories/{slug}#candles")
    page = text_of(client.get(f"/stories/{slug}"))
    assert "Thank you. Your candle for Daniel James Rivera is lit." in page
    assert "1 candle has been lit for Daniel James Rivera." in page
    # Lit today: the button gives way to a kind word.
    assert f'action="/stories/{slug}/candle"' not in page
    assert "You lit a candle for Daniel James Rivera today. Thank you." in text_of(client.get(f"/stories/{slug}"))

    # The same browser again (a second tab, the back button): counted once, and told so kindly.
    page_before = client.get(f"/stories/{slug}?messages=1").get_data(as_text=True)
    again = client.post(f"/stories/{slug}/candle", data={"csrf_token": csrf_token(page_before)},
                        follow_redirects=True)
    assert "You already lit a candle for Daniel James Rivera today, so it was counted once." in text_of(again)
    assert candle_count_on(client, slug) == "1 candle has been lit for Daniel James Rivera."

    # Another browser lights its own.
    light(app.test_client(), slug)
    assert candle_count_on(client, slug) == "2 candles have been lit for Daniel James Rivera."

    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("candle_tally")}
        assert columns == {"story_id", "day", "candles"}
        assert [(t.candles,) for t in db.session.execute(db.select(CandleTally)).scalars()] == [(2,)]


@pytest.mark.both_databases
def test_the_same_browser_lights_again_the_next_day(app, client, memorial, monkeypatch):
    _, slug, _ = memorial
    light(client, slug)
    from memorials.community import guestbook, views

    from memorials.timeutil import utcnow

    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr(views, "utcnow", lambda: tomorrow)
    monkeypatch.setattr(guestbook, "utcnow", lambda: tomorrow)
    assert f'action="/stories/{slug}/candle"' in client.get(f"/stories/{slug}").get_data(as_text=True)
    light(client, slug)
    assert candle_count_on(client, slug) == "2 candles have been lit for Daniel James Rivera."
    with app.app_context():
        assert len(db.session.execute(db.select(CandleTally)).scalars().all()) == 2


def test_a_forged_cookie_is_ignored(app, client, memorial):
    story_id, slug, _ = memorial
    client.set_cookie("candles", '{"day": "2099-01-01", "lit": [%d]}' % story_id, path="/stories/")
    assert f'action="/stories/{slug}/candle"' in client.get(f"/stories/{slug}").get_data(as_text=True)


def test_a_candle_needs_the_form_token(app, client, memorial):
    _, slug, _ = memorial
    assert client.post(f"/stories/{slug}/candle").status_code == 400
    assert candle_count_on(client, slug) == "No candles yet. You can light the first one."


def test_no_guestbook_on_a_memorial_that_is_not_published(app, client):
    with app.app_context():
        story, _ = make_story()
    page = client.get("/stories/new").get_data(as_text=True)
    for url in ("/stories/daniel-james-rivera-2023/candle", "/stories/daniel-james-rivera-2023/condolences"):
        assert client.post(url, data={"csrf_token": csrf_token(page)}).status_code == 404
    assert client.get("/stories/daniel-james-rivera-2023/report").status_code == 404


# --- remembrance notes ----------------------------------------------------------------------------

def test_the_remembrance_checkbox_on_the_story_form_is_kept(app, client):
    page = client.get("/stories/new").get_data(as_text=True)
    assert 'name="remembrance" type="checkbox"' in page or 'type="checkbox" name="remembrance"' in page \
        or re.search(r'<input[^>]*name="remembrance"[^>]*type="checkbox"', page)
    assert submit(client, "/stories/new", form_data(remembrance="y")).status_code == 302
    assert submit(client, "/stories/new", form_data(name="Another Person")).status_code == 302
    with app.app_context():
        assert [s.remembrance for s in db.session.execute(db.select(Story).order_by(Story.id)).scalars()] == [True, False]


@pytest.fixture
def remembered(app):
    """A published memorial whose family asked for notes: died 2023-07-02, born 1998-03-14."""
    with app.app_context():
        story, _ = make_story(remembrance=True)
        publish(story)
        return story.id, story.slug


def run_remembrances(app, day: str):
    result = app.test_cli_runner().invoke(args=["send-remembrances", "--date", day])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.both_databases
def test_the_anniversary_note_goes_out_once_with_the_years_candles_and_messages(app, remembered, outbox):
    story_id, slug = remembered
    with app.app_context():
        db.session.add_all([
            CandleTally(story_id=story_id, day=date(2025, 6, 30), candles=3),
            CandleTally(story_id=story_id, day=date(2024, 12, 24), candles=2),
            CandleTally(story_id=story_id, day=date(2024, 6, 1), candles=50),   # more than a year ago
            Condolence(story_id=story_id, name="A", message="m", status="published", created_at=datetime(2025, 1, 5)),
            Condolence(story_id=story_id, name="B", message="m", status="hidden", created_at=datetime(2025, 1, 6)),
            Condolence(story_id=story_id, name="C", message="m", status="published", created_at=datetime(2024, 1, 6)),
        ])
        db.session.commit()
    assert run_remembrances(app, "2025-07-01").startswith("Queued 0 remembrance notes")
    assert run_remembrances(app, "2025-07-02").startswith("Queued 1 remembrance note for 2025-07-02")
    assert run_remembrances(app, "2025-07-02").startswith("Queued 0")   # a second run the same day
    notes = [m for m in outbox() if m["To"] == "maria@example.org"]
    assert [m["Subject"] for m in notes] == ["Remembering Daniel James Rivera today"]
    body = notes[0].get_content()
    assert "Today it is 2 years since Daniel James Rivera died." in body
    assert "In the past year, 5 candles were lit for them. Visitors left 1 message for them on the memorial." in body
    assert f"http://localhost/stories/{slug}" in body
    stop = re.search(r"(http://localhost/stories/remembrance/stop/\S+)", body).group(1)
    assert "988" in body

    # One click stops them, no sign-in; a button starts them again.
    client = app.test_client()
    response = client.get(stop.replace("http://localhost", ""))
    assert response.status_code == 200 and "We won't send these notes any more" in text_of(response)
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        assert db.session.get(Story, story_id).remembrance is False
    assert run_remembrances(app, "2026-07-02").startswith("Queued 0")
    restarted = submit(client, stop.replace("http://localhost", ""), {})
    assert "The remembrance notes will come again" in text_of(restarted)
    with app.app_context():
        assert db.session.get(Story, story_id).remembrance is True
    assert client.get("/stories/remembrance/stop/not-a-real-token").status_code == 404


def test_the_birthday_note_and_who_gets_none(app, remembered, outbox):
    with app.app_context():
        quiet, _ = make_story(name="No Notes Wanted", email="quiet@example.org")
        publish(quiet)
        hidden, _ = make_story(name="Taken Down", email="down@example.org", remembrance=True)
        publish(hidden)
        hidden.status = "unpublished"
        waiting, _ = make_story(name="Not Yet Published", email="wait@example.org", remembrance=True)
        db.session.commit()
    assert run_remembrances(app, "2026-03-14").startswith("Queued 1")
    notes = outbox()
    assert [(m["To"], m["Subject"]) for m in notes if "approver" not in m["To"]] == \
        [("maria@example.org", "Remembering Daniel James Rivera on their birthday")]
    body = [m for m in notes if m["To"] == "maria@example.org"][0].get_content()
    assert "Today is Daniel James Rivera's birthday." in body
    assert "Their memorial is still there for everyone who loved them." in body
    assert "on the anniversary of their death and on their birthday" in body
    with app.app_context():
        assert [(r.occasion, r.year) for r in db.session.execute(db.select(RemembranceSent)).scalars()] == \
            [("birthday", 2026)]


def test_a_death_on_february_29_is_remembered_on_february_28_of_a_common_year(app, outbox):
    with app.app_context():
        story, _ = make_story(died=date(2024, 2, 29), born=None, remembrance=True)
        publish(story)
    assert run_remembrances(app, "2025-02-28").startswith("Queued 1")
    assert run_remembrances(app, "2028-02-28").startswith("Queued 0")   # a leap year: the 29th
    assert run_remembrances(app, "2028-02-29").startswith("Queued 1")


@pytest.mark.both_databases
def test_two_runs_at_once_send_each_note_once(app, remembered):
    story_id, _ = remembered
    with app.app_context(), app.test_request_context("/"):
        notes = remembrance_service.due(date(2025, 7, 2))
        assert len(notes) == 1
        # Another run records the same note between this run's reading and writing.
        db.session.add(RemembranceSent(story_id=story_id, occasion="anniversary", year=2025))
        db.session.commit()
        original = remembrance_service.due
        remembrance_service.due = lambda today: notes
        try:
            assert remembrance_service.send_due(date(2025, 7, 2)) == (0, 1)
        finally:
            remembrance_service.due = original


def test_bad_dates_for_the_command_are_refused_plainly(app):
    result = app.test_cli_runner().invoke(args=["send-remembrances", "--date", "July 2"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output


# --- reports --------------------------------------------------------------------------------------

def report(client, slug, **overrides):
    data = {"reason": "not_agreed", "details": "This is my brother.\r\nWe did not agree.", "email": "", "website": ""}
    data.update(overrides)
    return submit(client, f"/stories/{slug}/report", data)


def test_a_report_is_thanked_kept_as_written_and_sent_to_moderators(app, client, memorial, outbox):
    _, slug, _ = memorial
    with app.app_context():
        make_moderator()
    memorial_page = text_of(client.get(f"/stories/{slug}"))
    assert f'href="/stories/{slug}/report"' in memorial_page and "Report a concern" in memorial_page
    form = text_of(client.get(f"/stories/{slug}/report"))
    options = re.findall(r'<option value="(\w*)">([^<]+)</option>', form)
    assert [label for _, label in options] == [
        "Choose one", "It is about me or my family, and we did not agree to it", "It is false or hurtful",
        "It shares private information", "It is spam", "Something else"]
    response = report(client, slug, email="brother@example.org")
    assert response.status_code == 302
    thanks = text_of(client.get(response.headers["Location"]))
    assert "Thank you for telling us" in thanks
    with app.app_context():
        # Nothing about the person beyond what they wrote: no address, no browser, no account.
        assert {c["name"] for c in inspect(db.engine).get_columns("report")} == \
            {"id", "story_id", "status", "reason", "details", "email", "created_at", "decided_at"}
        row = db.session.execute(db.select(Report)).scalar_one()
        assert (row.reason, row.details, row.email, row.status) == \
            ("not_agreed", "This is my brother.\nWe did not agree.", "brother@example.org", "open")
    note = [m for m in outbox() if "mod@example.org" in m["To"]]
    assert [m["Subject"] for m in note] == ["A concern about Daniel James Rivera's memorial"]
    assert "It is about me or my family, and we did not agree to it" in note[0].get_content()
    assert "/moderate/reports/" in note[0].get_content()


@pytest.mark.parametrize("overrides, field, message", [
    ({"reason": ""}, "reason", "Please choose what is wrong."),
    ({"reason": "zzz"}, "reason", "Please choose what is wrong from the list."),
    ({"email": "nope"}, "email", "That doesn't look like an email address."),
    ({"details": "d" * 5001}, "details", "Please keep this under 5,000 characters."),
])
def test_a_report_with_a_mistake_comes_back_with_the_words_kept(app, client, memorial, overrides, field, message):
    _, slug, _ = memorial
    response = report(client, slug, **overrides)
    page = text_of(response)
    assert response.status_code == 200 and title_of(response).startswith("Error:")
    assert f'href="#{field}"' in page and message in page
    if field != "details":
        assert "This is my brother.\nWe did not agree." in page
    with app.app_context():
        assert db.session.execute(db.select(Report)).first() is None


def open_report(app, client, slug, **overrides):
    report(client, slug, **overrides)
    with app.app_context():
        return db.session.execute(db.select(Report.id).order_by(Report.id.desc())).scalars().first()


def decide_report(moderator, report_id, action, reason="", answer=""):
    page = moderator.get(f"/moderate/reports/{report_id}").get_data(as_text=True)
    return moderator.post(f"/moderate/reports/{report_id}", data={
        "csrf_token": csrf_token(page), "action": action, "reason": reason, "answer": answer})


def test_a_moderator_reads_the_report_beside_the_story_and_dismisses_it(app, client, memorial, outbox):
    _, slug, _ = memorial
    report_id = open_report(app, client, slug, reason="spam", email="reader@example.org", details="<b>odd</b>")
    moderator = moderator_client(app)
    listing = text_of(moderator.get("/moderate/reports"))
    assert "Daniel James Rivera" in listing and "It is spam" in listing
    page = moderator.get(f"/moderate/reports/{report_id}").get_data(as_text=True)
    assert "&lt;b&gt;odd&lt;/b&gt;" in page and "reader@example.org" in page
    assert "burnt pancakes" in page   # the story, beside the report
    response = decide_report(moderator, report_id, "dismiss", answer="We checked with the family.")
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Report, report_id)
        assert (row.status, row.email) == ("dismissed", None)
        assert db.session.execute(db.select(Story)).scalar_one().status == "published"
    assert log_rows(app, "report") == [("report", "dismiss", "mod@example.org", "We checked with the family.")]
    answer = [m for m in outbox() if m["To"] == "reader@example.org"]
    assert [m["Subject"] for m in answer] == ["About the concern you reported"]
    assert "decided to keep the memorial on the site" in answer[0].get_content()
    assert "We checked with the family." in answer[0].get_content()
    assert client.get(f"/stories/{slug}").status_code == 200


@pytest.mark.both_databases
def test_a_moderator_unpublishes_a_reported_story_and_the_family_is_told(app, client, memorial, outbox):
    _, slug, _ = memorial
    first = open_report(app, client, slug)
    second = open_report(app, client, slug, reason="false_or_hurtful", email="other@example.org")
    moderator = moderator_client(app)
    refused = decide_report(moderator, first, "unpublish")
    assert refused.status_code == 200 and "Please write a reason: the family will read it." in text_of(refused)
    assert title_of(refused).startswith("Error:")
    response = decide_report(moderator, first, "unpublish", reason="A family member asked us to take it down.")
    assert response.status_code == 302
    assert client.get(f"/stories/{slug}").status_code == 404
    with app.app_context():
        assert db.session.execute(db.select(Story)).scalar_one().status == "unpublished"
        assert [r.status for r in db.session.execute(db.select(Report).order_by(Report.id)).scalars()] == \
            ["unpublished", "unpublished"]
    rows = log_rows(app)
    assert ("report", "unpublish", "mod@example.org", "A family member asked us to take it down.") in rows
    assert (None, "unpublish", "mod@example.org", "A family member asked us to take it down.") in rows
    assert len([r for r in rows if r[0] == "report"]) == 2
    family = [m for m in outbox() if m["To"] == "maria@example.org"]
    assert [m["Subject"] for m in family][-1] == "Daniel James Rivera's story has been taken down"
    assert "A family member asked us to take it down." in family[-1].get_content()
    other = [m for m in outbox() if m["To"] == "other@example.org"]
    assert len(other) == 1 and "has taken the memorial down" in other[0].get_content()
    # Deciding again is told plainly; the page for a closed report has no buttons.
    again = decide_report(moderator, second, "dismiss")
    assert again.status_code == 302
    assert "Unpublish the memorial" not in text_of(moderator.get(f"/moderate/reports/{second}"))
    assert moderator.get("/moderate/reports/999").status_code == 404


# --- contact address ------------------------------------------------------------------------------

def test_the_contact_address_is_in_the_footer_and_the_mails(make_app):
    app = make_app(CONTACT_EMAIL="help@example.org")
    client = app.test_client()
    page = text_of(client.get("/"))
    assert 'Write to us: <a href="mailto:help@example.org">help@example.org</a>' in page
    assert submit(client, "/stories/new", form_data()).status_code == 302
    with app.app_context():
        make_moderator()
    moderator = app.test_client()
    sign_in(moderator)
    review = moderator.get("/moderate/stories/1").get_data(as_text=True)
    moderator.post("/moderate/stories/1", data={"csrf_token": csrf_token(review), "action": "reject",
                                                "reason": "Please write to us first."})
    from memorials.mail.sender import run
    with app.app_context():
        run(once=True)
    folder = Path(app.instance_path) / "outbox"
    from email import message_from_bytes, policy
    messages = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]
    family = [m for m in messages if m["To"] == "maria@example.org"]
    assert [m["Subject"] for m in family] == ["We received your story about Daniel James Rivera",
                                              "About your story for Daniel James Rivera"]
    assert all("write to us: help@example.org" in m.get_content() for m in family)
    assert all(m["Reply-To"] == "help@example.org" for m in family)


def test_without_a_contact_address_nothing_dangles(app, client):
    assert "Write to us" not in text_of(client.get("/"))


# --- the finish of the memorial pages -------------------------------------------------------------

def test_a_content_note_holds_the_story_back_until_the_reader_opens_it(app, client):
    with app.app_context():
        story, _ = make_story(content_note="describes the night he died")
        publish(story)
        slug = story.slug
    page = text_of(client.get(f"/stories/{slug}"))
    details = page[page.index('<details class="content-note">'):page.index("</details>")]
    assert "<strong>Content note:</strong> describes the night he died" in details
    assert "Read the story" in details and "burnt pancakes" in details
    assert "<details class=\"content-note\" open" not in page
    article = page[page.index("<article"):page.index("</article>")]
    before, after = article.split('<details class="content-note">')
    assert "burnt pancakes" not in before and "burnt pancakes" not in after.split("</details>", 1)[1]


def test_without_a_content_note_the_story_is_simply_there(app, client, memorial):
    _, slug, _ = memorial
    page = text_of(client.get(f"/stories/{slug}"))
    assert "<details class=\"content-note\"" not in page and "burnt pancakes" in page


def test_a_memorial_without_a_photo_uses_the_whole_width_and_says_born_and_died(app, client):
    with app.app_context():
        story, _ = make_story(born=None)
        publish(story)
        slug = story.slug
    page = text_of(client.get(f"/stories/{slug}"))
    assert '<header class="memorial-header no-photo">' in page
    assert '<span class="nowrap">died July 2, 2023</span>' in page and "born" not in page.split("memorial-dates")[1][:80]


def test_the_story_form_ties_the_photo_size_message_to_the_field(client):
    page = client.get("/stories/new").get_data(as_text=True)
    photo = re.search(r'<input[^>]*id="photo"[^>]*>', page).group(0)
    assert 'data-size-message="photo-size-error"' in photo and 'data-max-bytes="10485760"' in photo
    message = re.search(r'<p class="js-photo-size" id="photo-size-error"[^>]*>', page).group(0)
    assert 'role="alert"' in message and "larger than the 10 MB we can take" in html.unescape(message)


# --- site-wide accessibility ----------------------------------------------------------------------

def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_ratios_are_computed_as_wcag_does():
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#e3a008", "#ffffff"), 2) == 2.26   # the old focus ring, as the audit measured


def test_the_focus_ring_and_field_borders_have_3_to_1_on_every_light_background():
    css = (ROOT / "static/css/site.css").read_text()
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", css))
    focus = re.search(r":focus-visible \{ outline: 3px solid var\(--focus\)", css)
    assert focus, "the focus ring uses --focus"
    border = re.search(r"input\[type=text\][^{]*\{[^}]*border: 1px solid var\(--field-border\)", css)
    assert border, "text fields use --field-border"
    # Every background a ring or a field meets: the page, cards, soft panels, notes, the footer, error flashes.
    backgrounds = {variables["paper"], variables["card"], variables["accent-soft"], variables["note"], "#ffffff"}
    backgrounds |= set(re.findall(r"\.site-footer \{[^}]*background: (#[0-9a-fA-F]{6})", css))
    backgrounds |= set(re.findall(r"\.flash-error \{[^}]*background: (#[0-9a-fA-F]{6})", css))
    assert len(backgrounds) >= 6
    for background in backgrounds:
        assert contrast(variables["focus"], background) >= 3, background
        assert contrast(variables["field-border"], background) >= 3, background
    # The white halo inside the ring keeps it apart from dark buttons.
    assert "box-shadow: 0 0 0 2px #fff" in css
    for dark in (variables["accent"], variables["accent-dark"], variables["danger"]):
        assert contrast("#ffffff", dark) >= 3


def test_the_story_counter_is_not_a_live_region_itself(client):
    page = client.get("/stories/new").get_data(as_text=True)
    counter = re.search(r'<p class="hint counter"[^>]*>', page, re.S).group(0)
    assert "aria-live" not in counter and 'data-live="story-count-live"' in counter
    assert re.search(r'<p class="visually-hidden" id="story-count-live" aria-live="polite"></p>', page)


def test_the_two_crisis_boxes_on_the_help_page_have_distinct_names(client):
    page = client.get("/help").get_data(as_text=True)
    labels = re.findall(r'<section class="crisis" aria-label="([^"]+)"', page)
    assert len(labels) == 2 and len(set(labels)) == 2


def test_the_campaign_table_scrolls_in_its_own_box(app):
    with app.app_context():
        make_moderator(admin=True)
        from memorials.letters.models import Campaign
        db.session.add(Campaign(slug="a-cause", title="A cause", summary="s", ask="a", letter_template="t"))
        db.session.commit()
    client = app.test_client()
    sign_in(client)
    page = client.get("/moderate/campaigns/").get_data(as_text=True)
    assert re.search(r'<div class="table-scroll" tabindex="0" role="region" aria-label="Campaigns">\s*<table', page)


def test_a_failed_edit_on_the_private_page_is_titled_error_with_a_summary(app, client, memorial):
    _, _, token = memorial
    data = form_data(name="", story="Too short.")
    data.pop("consent")
    response = submit(client, f"/stories/manage/{token}", {**data, "action": "save"})
    page = text_of(response)
    assert response.status_code == 200 and title_of(response).startswith("Error:")
    summary = page[page.index('id="form-errors"'):]
    assert 'href="#name"' in summary and 'href="#story"' in summary
    # The guestbook choices on the same page keep their own names and ids.
    assert page.count('id="remembrance"') == 1 and page.count('id="name"') == 1


@pytest.mark.both_databases
def test_withdrawing_a_memorial_takes_its_messages_candles_reports_and_notes_with_it(app, client, memorial):
    story_id, slug, token = memorial
    leave(client, slug)
    light(client, slug)
    report(client, slug)
    with app.app_context():
        db.session.add(RemembranceSent(story_id=story_id, occasion="anniversary", year=2025))
        db.session.commit()
    page = client.get(f"/stories/manage/{token}").get_data(as_text=True)
    client.post(f"/stories/manage/{token}", data={"csrf_token": csrf_token(page), "action": "withdraw",
                                                  "confirm": "yes"})
    with app.app_context():
        assert db.session.get(Story, story_id) is None
        for model in (Condolence, CandleTally, Report, RemembranceSent):
            assert db.session.execute(db.select(db.func.count()).select_from(model)).scalar() == 0, model


# --- in Spanish (/es/) ----------------------------------------------------------------------------

def set_languages(app, story_id, family=None, written=None):
    """The family's language (of the pages they used) and the language their story is written in."""
    with app.app_context():
        story = db.session.get(Story, story_id)
        if family:
            story.family_language = family
        if written:
            story.live_version.language = written
        db.session.commit()


def guestbook_part(page: str) -> str:
    """The guestbook's own part of a memorial page (candles, messages, the report link)."""
    return page[page.index('<section class="candles"'):page.index('class="report-link"') + 200]


def approve_all_in_spanish(moderator):
    page = moderator.get("/es/moderate/condolences").get_data(as_text=True)
    ids = re.findall(r'action="/es/moderate/condolences/(\d+)"', page)
    for condolence_id in ids:
        response = moderator.post(f"/es/moderate/condolences/{condolence_id}",
                                  data={"csrf_token": csrf_token(page), "action": "approve"})
        assert response.status_code == 302 and response.headers["Location"].endswith("/es/moderate/condolences")
    return ids


@pytest.mark.parametrize("family_language", ["es", "en"])
def test_in_spanish_a_condolence_is_thanked_moderated_and_the_family_told_in_their_language(
        app, client, memorial, outbox, family_language):
    story_id, slug, _ = memorial
    set_languages(app, story_id, family=family_language)
    page = text_of(client.get(f"/es/stories/{slug}"))
    part = guestbook_part(page)
    for spanish in ("Mensajes para la familia", "Deje un mensaje para la familia", "Su nombre", "Su mensaje",
                    "Todavía no hay mensajes. Usted puede escribir el primero.", "Enviar su mensaje",
                    "Avísenos de un problema con este homenaje", "Encender una vela"):
        assert spanish in part, spanish
    for english in ("Messages for the family", "Your name", "Send your message", "Light a candle", "Report a concern"):
        assert english not in part, english

    # A mistake is answered in Spanish, every word kept.
    refused = submit(client, f"/es/stories/{slug}/condolences", {"name": "", "message": "Te extrañamos.",
                                                                 "email": "", "website": ""}, page=f"/es/stories/{slug}")
    assert "Por favor, dígale a la familia de quién es el mensaje." in text_of(refused)
    assert "Te extrañamos." in text_of(refused)

    response = submit(client, f"/es/stories/{slug}/condolences",
                      {"name": "Tía Rosa", "message": "Te extrañamos cada día.", "email": "rosa@example.org",
                       "website": ""}, page=f"/es/stories/{slug}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/es/stories/{slug}#guestbook-said")
    thanked = text_of(client.get(f"/es/stories/{slug}"))
    assert ("Gracias. Su mensaje aparecerá aquí cuando el equipo de moderación lo haya leído, "
            "por lo general en uno o dos días.") in thanked
    assert condolences(app) == [("Tía Rosa", "pending", "rosa@example.org")]

    moderator = moderator_client(app)
    queue = text_of(moderator.get("/es/moderate/condolences"))
    assert "Mensajes para las familias" in queue and "Aprobar el mensaje de Tía Rosa" in queue
    assert "Rechazar el mensaje de Tía Rosa" in queue and "Approve the message" not in queue
    assert re.search(r"\d{1,2} [a-z]{3}\.? \d{4}, \d\d:\d\d UTC", queue)   # "5 ene 2026, 14:03 UTC"
    assert approve_all_in_spanish(moderator)
    assert "Publicado en el homenaje. Ya le avisamos a la familia." in text_of(moderator.get("/es/moderate/condolences"))
    assert condolences(app) == [("Tía Rosa", "published", None)]

    shown = guestbook_part(text_of(client.get(f"/es/stories/{slug}")))
    assert "Te extrañamos cada día." in shown and "Tía Rosa" in shown
    with app.app_context():
        written = db.session.execute(db.select(Condolence)).scalar_one().created_at
    from memorials.i18n import in_language, long_date
    with app.test_request_context(), in_language("es"):
        assert long_date(written) in shown and " de 20" in long_date(written)

    [family] = mails(outbox, "maria@example.org")
    body = family.get_content()
    if family_language == "es":
        assert family["Subject"] == "Un mensaje para usted en el homenaje a Daniel James Rivera"
        assert "Tía Rosa escribió:" in body and "Te extrañamos cada día." in body
        assert f"http://localhost/es/stories/{slug}#condolences" in body
        assert "http://localhost/es/stories/manage/lost" in body and "Con cariño," in body
        assert "A moderator" not in body
    else:
        assert family["Subject"] == "A message for you on Daniel James Rivera's memorial"
        assert "Tía Rosa wrote:" in body and f"http://localhost/stories/{slug}#condolences" in body
        assert "/es/" not in body
    # The writer is answered in the language of the memorial's words (English here).
    [writer] = mails(outbox, "rosa@example.org")
    assert writer["Subject"] == "Your message is on Daniel James Rivera's memorial"
    assert f"http://localhost/stories/{slug}#condolences" in writer.get_content()


def test_a_visitor_is_answered_in_the_language_the_memorial_is_written_in(app, client, memorial, outbox):
    story_id, slug, _ = memorial
    set_languages(app, story_id, family="es", written="es")
    leave(client, slug, email="rosa@example.org")   # from the English page: nothing about the writer is kept
    approve_all(app, moderator_client(app))
    [writer] = mails(outbox, "rosa@example.org")
    assert writer["Subject"] == "Su mensaje ya está en el homenaje a Daniel James Rivera"
    assert "Ya borramos su dirección de correo electrónico" in writer.get_content()
    assert f"http://localhost/es/stories/{slug}#condolences" in writer.get_content()


def test_in_spanish_candles_are_counted_with_spanish_plurals_and_numbers(app, client, memorial):
    story_id, slug, _ = memorial
    count = lambda: re.search(r'<p class="candle-count">(.*?)</p>',  # noqa: E731
                              text_of(client.get(f"/es/stories/{slug}")), re.S).group(1).strip()
    assert count() == "Todavía no hay velas. Usted puede encender la primera."
    response = submit(client, f"/es/stories/{slug}/candle", {}, page=f"/es/stories/{slug}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/es/stories/{slug}#candles")
    page = text_of(client.get(f"/es/stories/{slug}"))
    assert "Gracias. Su vela en memoria de Daniel James Rivera está encendida." in page
    assert "1 vela encendida en memoria de Daniel James Rivera." in page
    assert "Hoy encendió una vela en memoria de Daniel James Rivera. Gracias." in text_of(client.get(f"/es/stories/{slug}"))
    # The same browser on the English page: already lit today, whatever the language.
    english = text_of(client.get(f"/stories/{slug}"))
    assert "You lit a candle for Daniel James Rivera today. Thank you." in english
    assert f'action="/stories/{slug}/candle"' not in english
    other = app.test_client()
    submit(other, f"/es/stories/{slug}/candle", {}, page=f"/es/stories/{slug}")
    assert count() == "2 velas encendidas en memoria de Daniel James Rivera."
    with app.app_context():
        db.session.add(CandleTally(story_id=story_id, day=date(2024, 1, 1), candles=1328))
        db.session.commit()
    assert count() == "1,330 velas encendidas en memoria de Daniel James Rivera."


def test_in_spanish_a_concern_is_reported_thanked_and_decided(app, client, memorial, outbox):
    story_id, slug, _ = memorial
    set_languages(app, story_id, written="es")
    with app.app_context():
        make_moderator()
    form = text_of(client.get(f"/es/stories/{slug}/report"))
    options = [label for _, label in re.findall(r'<option value="(\w*)">([^<]+)</option>', form)]
    assert options == ["Elija una opción", "Habla de mí o de mi familia, y no dimos permiso", "Es falso o hiriente",
                       "Muestra información privada", "Es publicidad o correo basura", "Otra cosa"]
    assert "Avísenos de un problema" in form and "Gracias por avisarnos." in form
    refused = submit(client, f"/es/stories/{slug}/report", {"reason": "", "details": "Es mi hermano.", "email": "",
                                                            "website": ""})
    assert "Por favor, elija cuál es el problema." in text_of(refused) and "Es mi hermano." in text_of(refused)
    assert title_of(refused).startswith("Error")
    response = submit(client, f"/es/stories/{slug}/report", {"reason": "not_agreed", "details": "Es mi hermano.",
                                                             "email": "hermano@example.org", "website": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/es/stories/{slug}/report/thanks")
    thanks = text_of(client.get(response.headers["Location"]))
    assert "Gracias por avisarnos" in thanks and "El equipo de moderación leerá su aviso" in thanks
    # Moderators are written to in the site's default language, with links to the English pages.
    [note] = mails(outbox, "mod@example.org")
    assert note["Subject"] == "A concern about Daniel James Rivera's memorial"
    assert "It is about me or my family" in note.get_content() and "/es/" not in note.get_content()

    moderator = app.test_client()
    assert sign_in(moderator).status_code == 302
    with app.app_context():
        report_id = db.session.execute(db.select(Report.id)).scalar_one()
    listing = text_of(moderator.get("/es/moderate/reports"))
    assert "1 aviso en espera, primero los más antiguos" in listing and "Habla de mí o de mi familia" in listing
    page = moderator.get(f"/es/moderate/reports/{report_id}").get_data(as_text=True)
    assert "Descartar el aviso" in page and "Retirar el homenaje de la página" in page
    assert "en espera de una decisión" in page and "ahora <strong>publicado</strong>" in page
    response = moderator.post(f"/es/moderate/reports/{report_id}", data={
        "csrf_token": csrf_token(page), "action": "dismiss", "reason": "", "answer": "Hablamos con la familia."})
    assert response.status_code == 302
    assert "Descartado. El homenaje sigue en la página." in text_of(moderator.get(response.headers["Location"]))
    # The person who reported is answered in the language of the memorial's words.
    [answer] = mails(outbox, "hermano@example.org")
    assert answer["Subject"] == "Sobre el problema que nos avisó"
    assert "decidió dejar el homenaje en la página" in answer.get_content()
    assert "Hablamos con la familia." in answer.get_content()


def test_in_spanish_the_family_hides_a_message_from_their_private_page(app, client, memorial):
    story_id, slug, token = memorial
    leave(client, slug, message="Palabras que la familia no quiere mostrar.")
    approve_all(app, moderator_client(app))
    family = app.test_client()
    manage = family.get(f"/es/stories/manage/{token}").get_data(as_text=True)
    button = re.search(r'<button[^>]*value="hide"[^>]*>([^<]*)</button>', manage)
    assert button and button.group(1).startswith("Ocultar") and "Aunt Rosa" in button.group(1)
    assert "Velas y mensajes" in manage and "Guardar estas opciones" in manage
    form_action = re.search(r'action="(/es/stories/manage/[^"]+/condolences/\d+)"', manage).group(1)
    response = family.post(form_action, data={"csrf_token": csrf_token(manage), "action": "hide"})
    assert response.status_code == 302 and "/es/stories/manage/" in response.headers["Location"]
    after = text_of(family.get(response.headers["Location"]))
    assert "El mensaje de Aunt Rosa está oculto. Ya no aparece en el homenaje." in after
    assert "Oculto: no aparece en el homenaje" in after and "Volver a mostrar el mensaje de Aunt Rosa" in after
    assert "Palabras que la familia no quiere mostrar." not in text_of(client.get(f"/es/stories/{slug}"))


def test_the_remembrance_note_is_in_the_family_language_with_their_links(app, remembered, outbox):
    story_id, slug = remembered
    set_languages(app, story_id, family="es")
    with app.app_context():
        db.session.add(CandleTally(story_id=story_id, day=date(2025, 6, 1), candles=5))
        db.session.commit()
    assert run_remembrances(app, "2025-07-02").startswith("Queued 1 remembrance note")
    [note] = mails(outbox, "maria@example.org")
    assert note["Subject"] == "Hoy recordamos a Daniel James Rivera"
    body = note.get_content()
    assert "Hoy se cumplen 2 años desde que Daniel James Rivera falleció." in body
    assert "En el último año se encendieron 5 velas en su memoria." in body and "Las visitas" not in body
    assert "Línea 988 de Prevención del Suicidio y Crisis" in body and "candle" not in body
    assert f"http://localhost/es/stories/{slug}\n" in body
    stop = re.search(r"(http://localhost/es/stories/remembrance/stop/\S+)", body).group(1)
    stopped = text_of(app.test_client().get(stop[len("http://localhost"):]))
    assert "Ya no le enviaremos estas notas" in stopped and "¿Las detuvo por error?" in stopped
    with app.app_context():
        assert db.session.get(Story, story_id).remembrance is False


@pytest.mark.parametrize("lang, words", [
    ("en", "Today it is 1 year since Daniel died."), ("es", "Hoy se cumple 1 año desde que Daniel falleció.")])
def test_the_first_anniversary_is_one_year_in_either_language(app, lang, words):
    from flask import render_template

    from memorials.i18n import in_language
    with app.test_request_context(), in_language(lang):
        body = render_template("community/mail/remembrance.txt", occasion="anniversary", years=1,
                               version=type("V", (), {"name": "Daniel"})(), candles=1, messages=2, both=False,
                               memorial_url="u", stop_url="s", site_name="S")
    assert words in body
    assert ("In the past year, 1 candle was lit for them. Visitors left 2 messages for them on the memorial." in body
            if lang == "en" else
            "En el último año se encendió 1 vela en su memoria. Las visitas dejaron 2 mensajes en el homenaje." in body)
