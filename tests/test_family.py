"""A family that keeps its say: a private preview, a second steward with their own link, the family's own review of
messages, "ask the family for a change" from a report, the "In memory of" link and the mail that tells them how to
share. Through the real forms, with CSRF on."""
from __future__ import annotations

import re

import pytest

from memorials.audit import ModerationEvent
from memorials.community.models import Condolence, Report
from memorials.extensions import db
from memorials.stories.models import Steward, Story

from .factories import form_data, make_story, publish
from .forms import csrf_token, submit
from .test_community import moderator_client, text_of

pytestmark = pytest.mark.both_databases



def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/stories/manage/[A-Za-z0-9_-]{32,}", body).group(0)


def local(url: str) -> str:
    return url.replace("http://localhost", "")


@pytest.fixture
def memorial(app):
    with app.app_context():
        story, token = make_story()
        publish(story)
        return story.id, story.slug, token



# --- preview ----------------------------------------------------------------------------------------------

def test_the_preview_shows_the_memorial_before_a_moderator_has_read_it_for_the_family_only(make_app):
    app = make_app(PAGE_CACHE_SECONDS=60)
    client = app.test_client()
    assert submit(client, "/stories/new", form_data()).status_code == 302
    thanks = client.get("/stories/thanks").get_data(as_text=True)
    preview_url = re.search(r'href="(/stories/manage/[^"]+/preview)"', thanks).group(1)
    for _ in range(2):   # asked twice: a kept page would be served the second time
        preview = client.get(preview_url)
        page = text_of(preview)
        assert preview.status_code == 200 and "This is a preview, for you only." in page
        assert preview.headers["Cache-Control"] == "no-store" and preview.headers["Referrer-Policy"] == "no-referrer"
        assert '<meta name="robots" content="noindex, nofollow">' in page and "og:image" not in page
        assert "<h1>Daniel James Rivera</h1>" in page and "burnt pancakes" in page
        assert "Light a candle" not in page and "Leave a message for the family" not in page
    from memorials.pagecache import page_store

    kept = list(page_store(app).keys())
    assert not any("/manage/" in key[2] for key in kept), kept
    # The manage page links to it too; a wrong link is a kind 404.
    token = preview_url.split("/")[3]
    assert preview_url in client.get(f"/stories/manage/{token}").get_data(as_text=True)
    assert client.get(f"/stories/manage/{'A' * 43}/preview").status_code == 404


def test_the_preview_of_an_edit_shows_the_new_words_while_the_memorial_keeps_the_old(app, client, memorial):
    _, slug, token = memorial
    assert submit(client, f"/stories/manage/{token}", form_data(story="A new beginning for his story, " * 3,
                                                              action="save")).status_code == 302
    assert "A new beginning" in text_of(client.get(f"/stories/manage/{token}/preview"))
    assert "A new beginning" not in text_of(client.get(f"/stories/{slug}"))


# --- a second steward --------------------------------------------------------------------------------------

def invite(client, token, email="tia@example.org"):
    return submit(client, f"/stories/manage/{token}/stewards", {"steward_email": email},
                  page=f"/stories/manage/{token}")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_second_steward_gets_their_own_link_with_the_same_powers(app, client, memorial, outbox, lang):
    story_id, slug, token = memorial
    prefix = "/es" if lang == "es" else ""
    response = submit(client, f"{prefix}/stories/manage/{token}/stewards", {"steward_email": "tia@example.org"},
                      page=f"{prefix}/stories/manage/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("#access")
    mail = [m for m in outbox() if m["To"] == "tia@example.org"]
    assert len(mail) == 1
    assert mail[0]["Subject"] == ("Ahora puede cuidar el homenaje a Daniel James Rivera" if lang == "es"
                                  else "You can now look after Daniel James Rivera's memorial")
    steward_link = local(link_in(mail[0]))
    assert steward_link.startswith(f"{prefix}/stories/manage/") and token not in steward_link
    with app.app_context():
        steward = db.session.execute(db.select(Steward)).scalar_one()
        assert steward.token_hash != "" and steward.email == "tia@example.org"
    # Their own page lists who has access (emails only here) and lets them edit, like the family.
    other = app.test_client()
    page = text_of(other.get(steward_link))
    assert "maria@example.org" in page and "tia@example.org" in page
    assert "maria@example.org" not in text_of(client.get(f"/stories/{slug}"))
    assert submit(other, steward_link.replace(prefix, "", 1) if prefix else steward_link,
                  form_data(nickname="Dan", action="save")).status_code == 302
    with app.app_context():
        assert db.session.get(Story, story_id).pending_version.nickname == "Dan"
        kinds = [(e.item_kind, e.action) for e in db.session.execute(db.select(ModerationEvent)).scalars()]
    assert ("steward", "steward_added") in kinds


def test_either_steward_ends_the_others_access(app, client, memorial, outbox):
    story_id, slug, token = memorial
    invite(client, token)
    steward_link = local(link_in([m for m in outbox() if m["To"] == "tia@example.org"][0]))
    steward_token = steward_link.rsplit("/", 1)[1]
    other = app.test_client()
    page = other.get(steward_link).get_data(as_text=True)
    # Nobody ends their own access here.
    own = other.post(f"/stories/manage/{steward_token}/stewards/2/end", data={"csrf_token": csrf_token(page)},
                     follow_redirects=True)
    assert other.get(steward_link).status_code == 200
    # The steward ends the first's access: the first link stops, the steward takes their place (and the mail).
    response = other.post(f"/stories/manage/{steward_token}/stewards/first/end", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert "maria@example.org no longer has access" in text_of(other.get(steward_link))
    assert client.get(f"/stories/manage/{token}").status_code == 404
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert story.email == "tia@example.org" and story.stewards == []
    assert own.status_code == 200


def test_the_first_steward_ends_the_invited_ones_access(app, client, memorial, outbox):
    _, _, token = memorial
    invite(client, token)
    steward_link = local(link_in([m for m in outbox() if m["To"] == "tia@example.org"][0]))
    with app.app_context():
        steward_id = db.session.execute(db.select(Steward.id)).scalar_one()
    page = client.get(f"/stories/manage/{token}").get_data(as_text=True)
    assert f'action="/stories/manage/{token}/stewards/{steward_id}/end"' in page
    assert client.post(f"/stories/manage/{token}/stewards/{steward_id}/end",
                       data={"csrf_token": csrf_token(page)}).status_code == 302
    assert app.test_client().get(steward_link).status_code == 404


@pytest.mark.parametrize("email, message", [
    ("maria@example.org", "This person can already look after the memorial."),
    ("not an email", "That doesn't look like an email address. Please check it."),
    ("", "Please give the email of the person you want to invite."),
])
def test_an_invitation_that_cannot_be_made_says_why_beside_the_field(app, client, memorial, email, message):
    _, _, token = memorial
    response = invite(client, token, email)
    page = text_of(response)
    assert response.status_code == 200 and f'<p class="error" id="steward_email-error">{message}</p>' in page
    assert "Error:" in page and 'id="form-errors"' in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Steward)).scalar() == 0


def test_a_steward_who_lost_their_link_gets_a_new_one(app, client, memorial, outbox):
    _, _, token = memorial
    invite(client, token)
    submit(client, "/stories/manage/lost", {"email": "TIA@example.org"})
    mails = [m for m in outbox() if m["To"] in ("tia@example.org", "TIA@example.org")]
    fresh = local(link_in(mails[-1]))
    assert app.test_client().get(fresh).status_code == 200


# --- the family's own review of messages -------------------------------------------------------------------

def test_with_family_review_a_message_waits_for_the_family_after_the_moderator(app, client, memorial, outbox):
    _, slug, token = memorial
    family = app.test_client()
    submit(family, f"/stories/manage/{token}/guestbook", {"family_review": "y", "condolence_mail": "y"},
           page=f"/stories/manage/{token}")
    submit(client, f"/stories/{slug}/condolences", {"name": "Aunt Rosa", "message": "We miss him.", "email": "",
                                                     "website": ""}, page=f"/stories/{slug}")
    mod = moderator_client(app)
    queue = mod.get("/moderate/condolences").get_data(as_text=True)
    condolence_id = re.search(r'/moderate/condolences/(\d+)', queue).group(1)
    done = mod.post(f"/moderate/condolences/{condolence_id}", data={"csrf_token": csrf_token(queue),
                                                                   "action": "approve"}, follow_redirects=True)
    assert "it now waits for them on their private page" in text_of(done)
    assert "We miss him." not in text_of(client.get(f"/stories/{slug}"))
    assert "A message on Daniel James Rivera's memorial is waiting for you" in [m["Subject"] for m in outbox()]
    page = family.get(f"/stories/manage/{token}").get_data(as_text=True)
    assert "Let the message from Aunt Rosa appear" in text_of(family.get(f"/stories/manage/{token}"))
    family.post(f"/stories/manage/{token}/condolences/{condolence_id}",
                data={"csrf_token": csrf_token(page), "action": "approve"})
    assert "We miss him." in text_of(client.get(f"/stories/{slug}"))
    with app.app_context():
        assert db.session.get(Condolence, int(condolence_id)).status == "published"


# --- ask the family for a change ---------------------------------------------------------------------------

def report_and_open(app, client, slug):
    submit(client, f"/stories/{slug}/report", {"reason": "private_information", "details": "It names his ex.",
                                                "email": "", "website": ""})
    mod = moderator_client(app)
    with app.app_context():
        report_id = db.session.execute(db.select(Report.id)).scalar_one()
    return mod, report_id


@pytest.mark.parametrize("also_unpublish", [False, True])
def test_a_report_can_end_in_asking_the_family_for_a_change(app, client, memorial, outbox, also_unpublish):
    story_id, slug, token = memorial
    mod, report_id = report_and_open(app, client, slug)
    data = {"action": "ask_family", "reason": "Please take out the full name of his former partner.", "answer": ""}
    if also_unpublish:
        data["also_unpublish"] = "y"
    response = submit(mod, f"/moderate/reports/{report_id}", data)
    assert response.status_code == 302
    mail = [m for m in outbox() if m["To"] == "maria@example.org" and m["Subject"].startswith("A request about")]
    assert len(mail) == 1
    body = mail[0].get_body(("plain",)).get_content()
    assert "Please take out the full name of his former partner." in body
    fresh = local(link_in(mail[0]))
    assert client.get(f"/stories/manage/{token}").status_code == 200            # the old link works until then
    manage = text_of(app.test_client().get(fresh))
    assert "Please take out the full name of his former partner." in manage    # the moderator's note, on their page
    assert client.get(f"/stories/{slug}").status_code == (404 if also_unpublish else 200)
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.status == "asked_family"
        actions = [(e.item_kind, e.action) for e in db.session.execute(db.select(ModerationEvent)).scalars()]
    assert ("report", "ask_family") in actions and ((None, "unpublish") in actions) == also_unpublish


def test_asking_the_family_needs_words_for_them(app, client, memorial):
    _, slug, _ = memorial
    mod, report_id = report_and_open(app, client, slug)
    page = text_of(submit(mod, f"/moderate/reports/{report_id}", {"action": "ask_family", "reason": ""}))
    assert "Please write a reason: the family will read it." in page


# --- the "In memory of" link -------------------------------------------------------------------------------

def test_the_in_memory_of_link_is_read_by_a_moderator_then_shown_as_a_plain_link(app, client, outbox):
    mod = moderator_client(app)
    assert submit(client, "/stories/new", form_data(fund_name="The Danny Rivera Scholarship",
                                                    fund_url="https://example.org/danny")).status_code == 302
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        story_id = story.id
    review = text_of(mod.get(f"/moderate/stories/{story_id}"))
    assert "https://example.org/danny" in review and "The Danny Rivera Scholarship" in review
    with app.app_context():
        publish(db.session.get(Story, story_id))
        slug = db.session.get(Story, story_id).slug
    page = client.get(f"/stories/{slug}").get_data(as_text=True)
    assert ('<a href="https://example.org/danny" rel="nofollow ugc noopener" lang="en">The Danny Rivera '
            'Scholarship</a>') in page


@pytest.mark.parametrize("name, url, field, message", [
    ("A fund", "javascript:alert(1)", "fund_url", "Please give a full web address, starting with https://"),
    ("A fund", "https://localhost", "fund_url", "Please give a full web address, starting with https://"),
    ("", "https://example.org/x", "fund_url", "Please give the fund's name too, so visitors know where the link goes."),
    ("A fund", "", "fund_name", "Please give the fund's web address, or leave its name empty."),
])
def test_a_link_we_cannot_show_is_refused_beside_its_field(app, client, name, url, field, message):
    page = text_of(submit(client, "/stories/new", form_data(fund_name=name, fund_url=url)))
    assert f'<p class="error" id="{field}-error">{message}</p>' in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Story)).scalar() == 0


# --- the published mail ------------------------------------------------------------------------------------

def test_the_published_mail_says_how_to_share_and_what_candles_and_messages_are(app, client, outbox):
    mod = moderator_client(app)
    submit(client, "/stories/new", form_data())
    with app.app_context():
        story_id = db.session.execute(db.select(Story.id)).scalar_one()
    submit(mod, f"/moderate/stories/{story_id}", {"action": "approve", "reason": ""})
    mail = [m for m in outbox() if m["Subject"].endswith("story is now on the site")][0]
    body = mail.get_body(("plain",)).get_content()
    for words in ("WhatsApp", "Copy link", "light a candle", "keep nothing about who lit them",
                  "A moderator reads each one before it appears", "hide any of them"):
        assert words in body, words
