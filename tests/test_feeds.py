"""Share and be found: share cards, the printable card, the Atom feed, the sitemap, robots.txt and
addresses that keep working, through the real pages on SQLite and PostgreSQL."""
from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

import pytest
import segno
from PIL import Image
from sqlalchemy import event

from memorials.extensions import db as _db
from memorials.feeds import cards, printable, services
from memorials.feeds.models import StorySlug
from memorials.letters import services as letter_services
from memorials.letters.models import Campaign
from memorials.stories.models import Story

from .factories import STORY_TEXT, form_data, make_moderator, make_story, publish, sign_in
from .forms import csrf_token, submit

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PHOTO_COLOUR = (200, 40, 40)


# --- helpers --------------------------------------------------------------------------------------

@pytest.fixture
def moderator(app):
    """A visitor's browser signed in as a moderator (its own client; families and visitors use others)."""
    with app.app_context():
        make_moderator()
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client


def decide(moderator, story_id: int, action: str, reason: str = "") -> None:
    """Press a decision button on the moderator's page for this story, as a moderator does."""
    page = moderator.get(f"/moderate/stories/{story_id}").get_data(as_text=True)
    response = moderator.post(f"/moderate/stories/{story_id}",
                              data={"csrf_token": csrf_token(page), "action": action, "reason": reason})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def photo_upload() -> tuple[io.BytesIO, str]:
    image = Image.new("RGB", (900, 1200), PHOTO_COLOUR)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    out.seek(0)
    return out, "mum.jpg"


def share(client, outbox, photo=False, **fields) -> tuple[int, str]:
    """A family shares a story through the real form. Returns the story's id and the private page."""
    data = form_data(**fields)
    if photo:
        data["photo"] = photo_upload()
    response = submit(client, "/stories/new", data)
    assert response.status_code == 302
    links = [re.search(r"http://localhost(/stories/manage/[A-Za-z0-9_-]+)", m.get_content()) for m in outbox()]
    link = [found.group(1) for found in links if found][-1]
    with client.application.app_context():
        story_id = _db.session.execute(_db.select(Story.id).order_by(Story.id.desc()).limit(1)).scalar_one()
    return story_id, link


def edit(client, manage_path: str, **fields) -> None:
    """The family changes their story on the private page."""
    data = form_data(**fields)
    data.pop("consent")
    response = submit(client, manage_path, {**data, "action": "save"})
    assert response.status_code == 302


def slug_of(app, story_id: int) -> str | None:
    with app.app_context():
        return _db.session.get(Story, story_id).slug


def card_files(app) -> list[str]:
    folder = Path(app.instance_path) / services.FOLDER
    return sorted(p.name for p in folder.glob("story-*")) if folder.exists() else []


def fetch(client, url: str):
    """GET a file (a card, a PDF) and close the response, as a browser would."""
    with client.get(url) as response:
        response.data  # read before the file is closed
        return response


def meta(page: str, key: str) -> str | None:
    """The content of <meta property|name=key>, unescaped."""
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else None


def local(url: str) -> str:
    assert url.startswith("http://localhost/"), url
    return url[len("http://localhost"):]


def jpeg_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size


def count_statements(app):
    """A list that grows by one for each SQL statement the app runs, until the test ends."""
    seen = []
    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


# --- share cards ----------------------------------------------------------------------------------

@pytest.mark.both_databases
def test_approval_draws_the_share_card_and_the_page_points_to_it(app, client, outbox, moderator):
    story_id, _ = share(client, outbox, photo=True)
    assert card_files(app) == []  # nothing public, no card
    decide(moderator, story_id, "approve")
    with app.app_context():
        version_id = _db.session.get(Story, story_id).live_version_id
    assert card_files(app) == [f"story-{story_id}-{version_id}-en.jpg"]  # drawn at approval

    slug = slug_of(app, story_id)
    page = client.get(f"/stories/{slug}").get_data(as_text=True)
    image = meta(page, "og:image")
    assert image == meta(page, "twitter:image")
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "og:title") == "Remembering Daniel James Rivera"
    assert "Daniel James Rivera" in meta(page, "og:image:alt") and "July 2, 2023" in meta(page, "og:image:alt")
    assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "630")

    response = fetch(client, local(image))
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert jpeg_size(response.data) == (1200, 630)
    with Image.open(io.BytesIO(response.data)) as card:
        # The family's photo fills the left column; the words sit on the site's colour at the right.
        assert all(abs(a - b) < 30 for a, b in zip(card.getpixel((200, 300)), PHOTO_COLOUR))
        assert all(abs(a - b) < 12 for a, b in zip(card.getpixel((1180, 20)), cards.BACKGROUND))


def test_a_memorial_without_a_photo_gets_a_card_of_words(app, client, outbox, moderator):
    story_id, _ = share(client, outbox)
    decide(moderator, story_id, "approve")
    response = fetch(client, f"/stories/{slug_of(app, story_id)}/share.jpg")
    with Image.open(io.BytesIO(response.data)) as card:
        assert card.size == (1200, 630)
        assert all(abs(a - b) < 12 for a, b in zip(card.getpixel((1150, 300)), cards.BACKGROUND))
        # Where a photo would be, a quiet frame (issue 18): its own lighter colour, not the background.
        assert all(abs(a - b) < 12 for a, b in zip(card.getpixel((10, 600)), cards.FRAME))


def test_the_card_says_the_name_as_the_family_chose_to_show_it(app):
    with app.test_request_context():
        story, _ = make_story(name_display="initials")
        publish(story)
        card = services.memorial_card(story.live_version)
        words = [block.text for block in card.blocks]
        assert "D. J. R." in words and "March 14, 1998 – July 2, 2023" in words and "Dayton, Ohio" in words
        assert not any("Rivera" in w or "Daniel" in w for w in words + [card.footer])
        assert card.footer == app.config["SITE_NAME"] and card.photo is None


def test_an_approved_edit_redraws_the_card_and_the_old_one_is_gone(app, client, outbox, moderator):
    story_id, manage = share(client, outbox, photo=True)
    decide(moderator, story_id, "approve")
    slug = slug_of(app, story_id)
    before = fetch(client, f"/stories/{slug}/share.jpg").data
    [old_file] = card_files(app)

    edit(client, manage, name_display="first")  # "Daniel" only, from now on
    assert card_files(app) == [old_file]          # the waiting edit changes nothing public
    decide(moderator, story_id, "approve")
    [new_file] = card_files(app)
    assert new_file != old_file

    new_slug = slug_of(app, story_id)
    page = client.get(f"/stories/{new_slug}").get_data(as_text=True)
    response = fetch(client, local(meta(page, "og:image")))
    assert response.status_code == 200 and response.data != before
    assert meta(page, "og:image:alt").startswith("In loving memory of Daniel,")
    assert "Rivera" not in page.split("</head>")[0]


def test_unpublish_removes_the_card_and_republish_brings_it_back(app, client, outbox, moderator):
    story_id, _ = share(client, outbox, photo=True)
    decide(moderator, story_id, "approve")
    slug = slug_of(app, story_id)
    assert fetch(client, f"/stories/{slug}/share.jpg").status_code == 200

    decide(moderator, story_id, "unpublish", reason="The family asked us to, by phone.")
    assert card_files(app) == []
    assert fetch(client, f"/stories/{slug}/share.jpg").status_code == 404
    assert fetch(client, f"/stories/{slug}/card.pdf").status_code == 404

    decide(moderator, story_id, "republish")
    assert len(card_files(app)) == 1
    assert fetch(client, f"/stories/{slug}/share.jpg").status_code == 200


def test_withdrawing_deletes_the_card(app, client, outbox, moderator):
    story_id, manage = share(client, outbox, photo=True)
    decide(moderator, story_id, "approve")
    slug = slug_of(app, story_id)
    page = client.get(manage).get_data(as_text=True)
    confirm = client.post(manage, data={"csrf_token": csrf_token(page), "action": "withdraw"}).get_data(as_text=True)
    client.post(manage, data={"csrf_token": csrf_token(confirm), "action": "withdraw", "confirm": "yes"})
    assert card_files(app) == []
    assert fetch(client, f"/stories/{slug}/share.jpg").status_code == 404


def test_a_pending_or_unknown_memorial_has_no_card(app, client, outbox):
    share(client, outbox, photo=True)
    pending_slug = "daniel-james-rivera-2023"   # the address it would have once published
    for url in (f"/stories/{pending_slug}/share.jpg", f"/stories/{pending_slug}/card.pdf",
                "/stories/nobody/share.jpg", "/stories/%00/card.pdf", "/stories/" + "x" * 500 + "/share.jpg"):
        assert client.get(url).status_code == 404, url
    assert card_files(app) == []


def test_a_card_missing_on_disk_is_drawn_at_first_request(app, client):
    with app.app_context():  # published outside a request (a script, an import): no card yet
        story, _ = make_story()
        publish(story)
        slug = story.slug
    assert card_files(app) == []
    assert fetch(client, f"/stories/{slug}/share.jpg").status_code == 200
    assert len(card_files(app)) == 1


def test_cards_use_the_fonts_the_project_ships():
    folder = Path(cards.__file__).resolve().parent.parent / "data" / "fonts"
    for name in cards.FONT_FILES.values():
        assert (folder / name).is_file()
    assert "Bitstream Vera" in (folder / "LICENSE").read_text()
    # Names from every family: accents, Vietnamese, a very long single word.
    card = cards.Card([cards.Block("Nguyễn Thị Zoë Hernández-" + "O" * 60, "bold", 78, 44, max_lines=3)],
                      footer="Remembering Them")
    assert jpeg_size(cards.render(card)) == (1200, 630)
    assert len(cards.render(card)) < 300_000  # WhatsApp shows no preview for larger pictures


def test_long_names_shrink_before_they_break():
    block = cards.Block("Daniel James Rivera-Hernández", "bold", 78, 44, max_lines=3)
    face, lines = cards.fit(block, 592)
    assert " ".join(lines) == "Daniel James Rivera-Hernández" and face.size < 78


# --- pages without a memorial, campaigns ----------------------------------------------------------

@pytest.fixture
def campaign(app):
    with app.app_context():
        campaign = Campaign(slug="stop-the-flow", title="Fund fentanyl test strips in every state",
                            summary="Ask your members of Congress to fund test strips.",
                            letter_template="Dear {{ member }},", status="live")
        letter_services.set_ask(campaign, "Please **act**.")
        _db.session.add(campaign)
        _db.session.add(Campaign(slug="a-draft", title="Draft", summary="s", ask="a", letter_template="t"))
        _db.session.commit()
    return "stop-the-flow"


@pytest.mark.parametrize("url, title", [
    ("/", "Remembering Them"),
    ("/stories/", "Memorials"),
    ("/stats/", "The numbers"),
    ("/stats/OH", "Overdose deaths in Ohio"),
    ("/letters/", "Write to your lawmakers"),
])
def test_pages_without_a_memorial_have_open_graph_and_twitter_tags(client, url, title):
    page = client.get(url).get_data(as_text=True)
    assert meta(page, "og:title") == title and meta(page, "twitter:title") == title
    assert meta(page, "og:description") and meta(page, "og:description") == meta(page, "twitter:description")
    assert meta(page, "og:url") == "http://localhost" + url
    assert meta(page, "og:site_name") == "Remembering Them" and meta(page, "og:type") == "website"
    assert meta(page, "twitter:card") == "summary_large_image"
    image = meta(page, "og:image")
    assert image == meta(page, "twitter:image") and meta(page, "og:image:alt")
    response = fetch(client, local(image))
    assert response.status_code == 200 and jpeg_size(response.data) == (1200, 630)
    assert '<link rel="alternate" type="application/atom+xml" href="/stories/feed.atom"' in page


def test_private_pages_keep_their_own_tags(app, client, outbox):
    _, manage = share(client, outbox)
    page = client.get(manage).get_data(as_text=True)
    assert meta(page, "robots") == "noindex, nofollow" and meta(page, "og:title") is None


def test_a_campaign_has_its_own_card_made_once_and_redrawn_when_its_words_change(app, client, campaign):
    page = client.get(f"/letters/{campaign}").get_data(as_text=True)
    assert meta(page, "og:title") == "Fund fentanyl test strips in every state"
    assert meta(page, "og:description") == "Ask your members of Congress to fund test strips."
    assert meta(page, "twitter:card") == "summary_large_image"
    assert '<link rel="canonical" href="http://localhost/letters/stop-the-flow">' in page
    image = meta(page, "og:image")
    assert f"/letters/{campaign}/share.jpg?v=" in image and image == meta(page, "twitter:image")

    folder = Path(app.instance_path) / services.FOLDER
    first = fetch(client, local(image))
    assert first.status_code == 200 and jpeg_size(first.data) == (1200, 630)
    [made] = folder.glob("campaign-*.jpg")
    stamp = made.stat().st_mtime_ns
    assert fetch(client, local(image)).data == first.data and made.stat().st_mtime_ns == stamp  # kept, not redrawn

    with app.app_context():
        saved = _db.session.execute(_db.select(Campaign).filter_by(slug=campaign)).scalar_one()
        saved.title = "Fund naloxone in every school"
        _db.session.commit()
    page = client.get(f"/letters/{campaign}").get_data(as_text=True)
    new_image = meta(page, "og:image")
    assert new_image != image
    assert fetch(client, local(new_image)).data != first.data
    [redrawn] = folder.glob("campaign-*.jpg")  # the old card is gone
    assert redrawn.name != made.name


def test_only_live_campaigns_have_a_card(client, campaign):
    assert client.get("/letters/a-draft/share.jpg").status_code == 404
    assert client.get("/letters/nothing-here/share.jpg").status_code == 404
    assert client.get("/letters/%00/share.jpg").status_code == 404


# --- the printable remembrance card ---------------------------------------------------------------

def test_the_printable_card_is_one_page_with_the_photo_and_a_link_to_the_memorial(app, client, outbox, moderator):
    story_id, _ = share(client, outbox, photo=True)
    decide(moderator, story_id, "approve")
    slug = slug_of(app, story_id)
    page = client.get(f"/stories/{slug}").get_data(as_text=True)
    assert f'href="/stories/{slug}/card.pdf"' in page and "Print a remembrance card" in page

    response = fetch(client, f"/stories/{slug}/card.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
    assert len(re.findall(rb"/Subtype /Image", pdf)) == 1          # the family's photo
    assert f"/URI (http://localhost/stories/{slug})".encode() in pdf  # the QR code is a link too
    assert b"DejaVuSerif" in pdf                                    # the shipped font, embedded


def test_the_printable_card_without_a_photo(app, client):
    with app.app_context():
        story, _ = make_story(born=None)
        publish(story)
        slug = story.slug
    pdf = fetch(client, f"/stories/{slug}/card.pdf").data
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1 and b"/Subtype /Image" not in pdf


def test_the_qr_code_drawn_is_the_memorials_address():
    class Recorder:
        def __init__(self):
            self.squares = []

        def set_fill_color(self, *_):
            pass

        def rect(self, x, y, w, h, style=None):
            self.squares.append((x, y, w, h))

    url = "https://example.org/stories/daniel-james-rivera-2023"
    recorder = Recorder()
    printable._qr(recorder, url, 0, 0, 100)
    expected = [list(row) for row in segno.make(url, error="m", micro=False).matrix_iter(scale=1, border=0)]
    module = 100 / len(expected)
    drawn = [[0] * len(expected) for _ in expected]
    for x, y, w, h in recorder.squares:
        for c in range(round(x / module), round((x + w) / module)):
            drawn[round(y / module)][c] = 1
    assert drawn == expected


def test_the_line_from_the_story_is_short_and_ends_at_a_word(app):
    with app.app_context():
        story, _ = make_story(story_markdown=STORY_TEXT + " " + "He was loved beyond words. " * 20)
        publish(story)
        line = services.story_line(story.live_version)
    assert line == STORY_TEXT
    with app.app_context():
        story, _ = make_story(name="Ana Ruiz", story_markdown="word " * 100)
        publish(story)
        line = services.story_line(story.live_version)
    assert len(line) <= 181 and line.endswith("word…")


# --- the Atom feed --------------------------------------------------------------------------------

def parse_feed(client) -> ET.Element:
    response = client.get("/stories/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)


@pytest.mark.both_databases
def test_the_feed_is_valid_atom_with_the_newest_memorials(app, client):
    with app.app_context():
        for n in range(3):
            story, _ = make_story(name=f"Person Number{n} Smith", died=date(2020 + n, 1, 1))
            publish(story)
        hidden, _ = make_story(name="Still Waiting")  # pending: never listed

    feed = parse_feed(client)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Remembering Them"
    assert RFC3339.match(feed.find(f"{ATOM}updated").text)
    links = {(link.get("rel"), link.get("hreflang")): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {("self", None): "http://localhost/stories/feed.atom",
                     ("alternate", "en"): "http://localhost/stories/",
                     ("alternate", "es"): "http://localhost/stories/feed.atom?lang=es"}

    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Person Number2 Smith", "Person Number1 Smith", "Person Number0 Smith"]
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
        assert entry.find(f"{ATOM}summary").text == STORY_TEXT
        assert entry.find(f"{ATOM}link").get("href").startswith("http://localhost/stories/person-number")
        for name in ("published", "updated"):
            stamp = entry.find(f"{ATOM}{name}").text
            assert RFC3339.match(stamp) and datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert "Still Waiting" not in ET.tostring(feed, encoding="unicode")
    assert client.get(entries[0].find(f"{ATOM}link").get("href")[len("http://localhost"):]).status_code == 200


def test_feed_ids_stay_the_same_when_the_address_changes(app, client, outbox, moderator):
    story_id, manage = share(client, outbox)
    decide(moderator, story_id, "approve")
    [before] = parse_feed(client).findall(f"{ATOM}entry")
    edit(client, manage, name="Daniel J. Rivera")
    decide(moderator, story_id, "approve")
    [after] = parse_feed(client).findall(f"{ATOM}entry")
    assert after.find(f"{ATOM}id").text == before.find(f"{ATOM}id").text
    assert after.find(f"{ATOM}link").get("href") != before.find(f"{ATOM}link").get("href")
    assert after.find(f"{ATOM}title").text == "Daniel J. Rivera"
    assert after.find(f"{ATOM}updated").text >= before.find(f"{ATOM}updated").text


@pytest.mark.both_databases
def test_the_feed_has_fifty_entries_and_hidden_names_stay_hidden(app, client):
    with app.app_context():
        moderator = make_moderator(email="many@example.org")
        for n in range(51):
            story, _ = make_story(name=f"Kept Private{n} Surname", name_display="first", died=date(2020, 1, 1))
            publish(story, moderator)
    feed = parse_feed(client)
    assert len(feed.findall(f"{ATOM}entry")) == 50
    assert "Surname" not in ET.tostring(feed, encoding="unicode")


def test_a_control_character_in_a_story_does_not_break_the_feed(app, client):
    with app.app_context():
        story, _ = make_story(story_markdown="He laughed\x0b loudly\x01 at every joke.")
        publish(story)
    [entry] = parse_feed(client).findall(f"{ATOM}entry")
    assert "laughed" in entry.find(f"{ATOM}summary").text


def test_the_feed_address_is_not_taken_for_a_memorial(client):
    response = client.get("/stories/feed.atom")
    assert response.status_code == 200 and b"<feed" in response.data


# --- the sitemap and robots.txt -------------------------------------------------------------------

def sitemap_urls(client, url="/sitemap.xml") -> dict[str, str | None]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    found = {}
    for item in root.findall(f"{SITEMAP}url"):
        lastmod = item.find(f"{SITEMAP}lastmod")
        found[item.find(f"{SITEMAP}loc").text] = lastmod.text if lastmod is not None else None
    return found


@pytest.mark.both_databases
def test_the_sitemap_lists_public_things_only(app, client, outbox, moderator, campaign):
    ids = {}
    with app.app_context():
        for name in ("Public One", "Public Two", "Taken Down", "Turned Down"):
            ids[name] = make_story(name=name)[0].id
    for name in ("Public One", "Public Two", "Taken Down"):
        decide(moderator, ids[name], "approve")
    decide(moderator, ids["Taken Down"], "unpublish", reason="Asked by the family.")
    decide(moderator, ids["Turned Down"], "reject", reason="Not a memorial.")
    with app.app_context():
        make_story(name="Still Waiting")
        withdrawn, _ = make_story(name="Gone Now")
        publish(withdrawn)
        from memorials.stories.services import withdraw_story
        withdraw_story(withdrawn)

    urls = sitemap_urls(client)
    memorials = sorted(u for u in urls if u.startswith("http://localhost/stories/") and not u.endswith("/stories/"))
    assert memorials == ["http://localhost/stories/public-one-2023", "http://localhost/stories/public-two-2023"]
    for page in ("/", "/stories/", "/stats/", "/stats/OH", "/stats/DC", "/letters/", "/letters/stop-the-flow"):
        assert "http://localhost" + page in urls, page
    assert "http://localhost/letters/a-draft" not in urls and "http://localhost/stats/US" not in urls
    for url in memorials + ["http://localhost/letters/stop-the-flow", "http://localhost/stories/"]:
        assert RFC3339.match(urls[url]), url
    for url in memorials:
        assert fetch(client, local(url)).status_code == 200


@pytest.mark.both_databases
def test_the_sitemap_runs_the_same_queries_for_3_or_30_memorials(app, client):
    def statements_for(count):
        with app.app_context():
            moderator = make_moderator(email=f"m{count}@example.org")
            for n in range(count):
                story, _ = make_story(name=f"Person{count} Number{n}")
                publish(story, moderator)
        seen = count_statements(app)
        urls = sitemap_urls(client)
        return len(seen), len(urls)

    few, few_urls = statements_for(3)
    many, many_urls = statements_for(27)
    assert many_urls == few_urls + 2 * 27 and many == few   # each memorial in English and in Spanish


@pytest.mark.both_databases
def test_a_big_sitemap_becomes_an_index_of_files(make_app):
    app = make_app(SITEMAP_URLS_PER_FILE=60)  # 60 instead of 50,000, so a test can cross it: 30 memorials, 2 languages
    client = app.test_client()
    with app.app_context():
        moderator = make_moderator()
        for n in range(130):
            story, _ = make_story(name=f"Someone Number{n}")
            publish(story, moderator)
        slugs = list(_db.session.execute(_db.select(Story.slug)).scalars())
        published = {f"http://localhost{lang}/stories/{s}" for s in slugs for lang in ("", "/es")}

    root = ET.fromstring(client.get("/sitemap.xml").data)
    assert root.tag == f"{SITEMAP}sitemapindex"
    files = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert all(RFC3339.match(lastmod.text) for lastmod in root.iter(f"{SITEMAP}lastmod"))
    assert files == ["http://localhost/sitemap-pages.xml"] + [
        f"http://localhost/sitemap-memorials-{n}.xml" for n in (1, 2, 3, 4, 5)]
    found = set()
    for url in files[1:]:
        part = sitemap_urls(client, local(url))
        assert 0 < len(part) <= 60
        found |= set(part)
    assert found == published
    pages = sitemap_urls(client, "/sitemap-pages.xml")
    assert "http://localhost/stats/" in pages and not (set(pages) & published)
    for bad in ("/sitemap-memorials-0.xml", "/sitemap-memorials-6.xml", "/sitemap-memorials-99999999999999999999.xml",
                "/sitemap-memorials-x.xml"):
        assert client.get(bad).status_code == 404, bad


def test_robots_points_to_the_sitemap_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /moderate/" in lines and "Disallow: /stories/manage/" in lines
    assert "Disallow: /es/moderate/" in lines and "Disallow: /es/stories/manage/" in lines
    assert "Disallow: /stories/*/card.pdf" in lines  # drawn per request: for people printing, not crawlers
    assert "Sitemap: http://localhost/sitemap.xml" in lines


# --- addresses that don't break -------------------------------------------------------------------

@pytest.mark.both_databases
def test_a_new_name_moves_the_memorial_and_the_old_address_answers_301(app, client, outbox, moderator):
    story_id, manage = share(client, outbox)
    decide(moderator, story_id, "approve")
    first = slug_of(app, story_id)
    assert "address changed" not in client.get(manage).get_data(as_text=True)

    edit(client, manage, name_display="initials")
    assert client.get(f"/stories/{first}").status_code == 200  # nothing moves until approved
    decide(moderator, story_id, "approve")
    second = slug_of(app, story_id)
    assert (first, second) == ("daniel-james-rivera-2023", "d-j-r-2023")
    response = client.get(f"/stories/{first}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/stories/{second}")

    page = client.get(manage).get_data(as_text=True)
    assert "The memorial's address changed" in html.unescape(page)
    assert f"http://localhost/stories/{first}" in page and f"http://localhost/stories/{second}" in page

    edit(client, manage, name_display="first")
    decide(moderator, story_id, "approve")
    third = slug_of(app, story_id)
    assert third == "daniel-2023"
    for old in (first, second):  # chains collapse: every old address goes straight to the newest
        response = client.get(f"/stories/{old}")
        assert response.status_code == 301 and response.headers["Location"].endswith(f"/stories/{third}")
    assert client.get(f"/stories/{third}").status_code == 200


@pytest.mark.both_databases
def test_an_old_address_is_never_given_to_another_memorial(app, client, outbox, moderator):
    story_id, manage = share(client, outbox)
    decide(moderator, story_id, "approve")
    edit(client, manage, name_display="first")
    decide(moderator, story_id, "approve")

    other_id, _ = share(client, outbox, email="another@example.org")  # same name, same year
    decide(moderator, other_id, "approve")
    assert slug_of(app, other_id) == "daniel-james-rivera-2023-2"
    response = client.get("/stories/daniel-james-rivera-2023")
    assert response.status_code == 301 and response.headers["Location"].endswith("/stories/daniel-2023")
    with app.app_context():
        owners = dict(_db.session.execute(_db.select(StorySlug.slug, StorySlug.story_id)).all())
    assert owners == {"daniel-james-rivera-2023": story_id, "daniel-2023": story_id,
                      "daniel-james-rivera-2023-2": other_id}


@pytest.mark.both_databases
def test_old_addresses_of_a_hidden_or_withdrawn_memorial_lead_nowhere(app, client, outbox, moderator):
    story_id, manage = share(client, outbox)
    decide(moderator, story_id, "approve")
    edit(client, manage, name_display="initials")
    decide(moderator, story_id, "approve")
    decide(moderator, story_id, "unpublish", reason="Asked by the family.")
    assert client.get("/stories/daniel-james-rivera-2023").status_code == 404
    decide(moderator, story_id, "republish")
    assert client.get("/stories/daniel-james-rivera-2023").status_code == 301

    page = client.get(manage).get_data(as_text=True)
    confirm = client.post(manage, data={"csrf_token": csrf_token(page), "action": "withdraw"}).get_data(as_text=True)
    client.post(manage, data={"csrf_token": csrf_token(confirm), "action": "withdraw", "confirm": "yes"})
    assert client.get("/stories/daniel-james-rivera-2023").status_code == 404
    with app.app_context():
        assert _db.session.execute(_db.select(StorySlug)).first() is None  # free again, nothing kept


@pytest.mark.parametrize("slug", ["nobody-2020", "%00", "feed", "a" * 2000, "%F0%9F%95%AF"])
def test_unknown_addresses_answer_a_plain_404(client, slug):
    assert client.get(f"/stories/{slug}").status_code == 404


@pytest.mark.both_databases
def test_the_migration_keeps_the_addresses_of_memorials_already_published(empty_database_url, tmp_path):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from memorials import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path / "migrated")})
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0007_search")
        with _db.engine.begin() as connection:  # a memorial published before this feature, as it was stored
            connection.execute(text(
                "INSERT INTO story (slug, status, email, manage_token_hash, created_at, published_at) "
                "VALUES ('ana-ruiz-2021', 'published', 'a@example.org', 'h1', :now, :now), "
                "(NULL, 'pending', 'b@example.org', 'h2', :now, NULL)"), {"now": datetime(2024, 5, 1)})
        upgrade(directory=directory, revision="head")
        rows = _db.session.execute(_db.select(StorySlug.slug, StorySlug.created_at)).all()
        assert rows == [("ana-ruiz-2021", datetime(2024, 5, 1))]
        _db.session.remove()
        _db.engine.dispose()


# --- in a browser ---------------------------------------------------------------------------------

@pytest.mark.browser
def test_share_section_and_moved_address_on_a_phone_are_accessible(tmp_path):
    from selenium.webdriver.common.by import By

    from memorials.moderation import services as moderation
    from memorials.stories.services import StoryInput, edit_story, submit_story

    from .browser import PHONE, LiveServer, new_driver, page_overflow, quit_driver, require_browser, visit

    require_browser()
    live = LiveServer(tmp_path).start()
    driver = None
    try:
        with live.context():
            fields = dict(name="Daniel James Rivera", died=date(2023, 7, 2), born=date(1998, 3, 14),
                          story_markdown=STORY_TEXT, email="maria@example.org", city="Dayton", state_code="OH")
            story, token = submit_story(StoryInput(**fields), None)
            moderator = make_moderator()
            moderation.approve(story, moderator)
            _db.session.commit()
            edit_story(story, StoryInput(**{**fields, "name_display": "first"}), None)
            moderation.approve(story, moderator)
            _db.session.commit()
            slug = story.slug
        driver = new_driver(PHONE)

        visit(driver, f"{live.url}/stories/{slug}")
        share = driver.find_element(By.ID, "share-title").find_element(By.XPATH, "..")
        links = {a.text: a.get_attribute("href") for a in share.find_elements(By.TAG_NAME, "a")}
        assert links["Print a remembrance card"] == f"{live.url}/stories/{slug}/card.pdf"
        assert page_overflow(driver)["scrollWidth"] <= PHONE[0]

        visit(driver, f"{live.url}/stories/daniel-james-rivera-2023")   # the old address, followed
        assert driver.current_url == f"{live.url}/stories/daniel-2023"

        visit(driver, f"{live.url}/stories/manage/{token}")
        status = driver.find_element(By.CSS_SELECTOR, ".address-changed").text
        assert "address changed" in status
        old = driver.find_element(By.CSS_SELECTOR, ".old-addresses").text
        assert f"{live.url}/stories/daniel-james-rivera-2023" in old
        assert page_overflow(driver)["scrollWidth"] <= PHONE[0]
    finally:
        if driver is not None:
            quit_driver(driver)
        live.stop()


def test_a_content_note_keeps_the_story_out_of_previews_the_feed_and_the_printed_card(app, client):
    with app.app_context():
        story, _ = make_story(content_note="Describes the night he died.",
                              story_markdown="The night he died, the police came at three.")
        publish(story)
        slug = story.slug
        assert services.story_line(story.live_version) == ""
    page = client.get(f"/stories/{slug}").get_data(as_text=True)
    expected = "In loving memory of Daniel James Rivera, March 14, 1998 – July 2, 2023."
    assert meta(page, "og:description") == expected and meta(page, "twitter:description") == expected
    [entry] = parse_feed(client).findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}summary").text == expected
    assert "police" not in ET.tostring(entry, encoding="unicode")


# --- in Spanish ------------------------------------------------------------------------------------

def test_a_spanish_page_shares_a_card_with_spanish_words_kept_apart_from_the_english_one(app, client, outbox, moderator):
    story_id, manage = share(client, outbox)
    decide(moderator, story_id, "approve")
    slug = slug_of(app, story_id)
    with app.app_context():
        version_id = _db.session.get(Story, story_id).live_version_id
    english = fetch(client, f"/stories/{slug}/share.jpg").data
    page = client.get(f"/es/stories/{slug}").get_data(as_text=True)
    image = meta(page, "og:image")
    assert image == f"http://localhost/stories/{slug}/share.jpg?v={version_id}&lang=es"   # one address, a language
    assert meta(page, "og:locale") == "es_US"
    spanish = fetch(client, local(image))
    assert spanish.status_code == 200 and jpeg_size(spanish.data) == (1200, 630) and spanish.data != english
    assert card_files(app) == [f"story-{story_id}-{version_id}-en.jpg", f"story-{story_id}-{version_id}-es.jpg"]
    assert fetch(client, f"/stories/{slug}/share.jpg?lang=zz").data == english   # an unknown language: English

    share_part = page[page.index('<section class="share"'):]
    assert "Comparta la historia de Daniel James Rivera" in share_part and "Imprimir una tarjeta de recuerdo" in share_part
    assert f'href="/stories/{slug}/card.pdf?lang=es"' in share_part

    # An approved edit replaces the cards of every language (the Spanish one is drawn again at its first view).
    edit(client, manage, name_display="first")
    decide(moderator, story_id, "approve")
    with app.app_context():
        new_version = _db.session.get(Story, story_id).live_version_id
    assert card_files(app) == [f"story-{story_id}-{new_version}-en.jpg"]
    with app.app_context():
        from memorials.i18n import in_language
        with app.test_request_context(), in_language("es"):
            card = services.memorial_card(_db.session.get(Story, story_id).live_version)
            words = [block.text for block in card.blocks]
    assert words[:3] == ["En memoria de", "Daniel", "14 de marzo de 1998 – 2 de julio de 2023"]


def test_a_story_written_in_spanish_gets_its_spanish_card_at_approval(app, client, outbox, moderator):
    story_id, _ = share(client, outbox)
    with app.app_context():
        _db.session.get(Story, story_id).latest_version.language = "es"
        _db.session.commit()
    decide(moderator, story_id, "approve")
    with app.app_context():
        version_id = _db.session.get(Story, story_id).live_version_id
    assert card_files(app) == [f"story-{story_id}-{version_id}-es.jpg"]


def test_the_printable_card_in_spanish_links_to_the_spanish_page(app, client):
    with app.app_context():
        story, _ = make_story()
        publish(story)
        slug = story.slug
    pdf = fetch(client, f"/stories/{slug}/card.pdf?lang=es").data
    assert pdf.startswith(b"%PDF-") and len(re.findall(rb"/Type /Page\b", pdf)) == 1
    assert f"/URI (http://localhost/es/stories/{slug})".encode() in pdf
    assert b"/Lang (es)" in pdf and b"(En memoria de Daniel James Rivera)" in pdf
    english = fetch(client, f"/stories/{slug}/card.pdf").data
    assert f"/URI (http://localhost/stories/{slug})".encode() in english and b"/Lang (en)" in english


def test_the_spanish_feed_has_spanish_words_and_links_to_the_spanish_pages(app, client):
    with app.app_context():
        story, _ = make_story(content_note="Habla de la noche en que murió.")
        publish(story)
        slug = story.slug
    page = client.get("/es/stories/").get_data(as_text=True)
    assert 'type="application/atom+xml" href="/stories/feed.atom?lang=es"' in page
    response = client.get("/stories/feed.atom?lang=es")
    feed = ET.fromstring(response.data)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    assert feed.find(f"{ATOM}title").text == "Homenajes · Remembering Them"
    assert feed.find(f"{ATOM}subtitle").text.startswith("Los homenajes más recientes que compartieron las familias")
    links = {(link.get("rel"), link.get("hreflang")): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {("self", None): "http://localhost/stories/feed.atom?lang=es",
                     ("alternate", "es"): "http://localhost/es/stories/",
                     ("alternate", "en"): "http://localhost/stories/feed.atom"}
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == f"http://localhost/es/stories/{slug}"
    assert entry.find(f"{ATOM}summary").text == \
        "En memoria de Daniel James Rivera, 14 de marzo de 1998 – 2 de julio de 2023."
    english = parse_feed(client)
    assert english.find(f"{ATOM}id").text != feed.find(f"{ATOM}id").text   # two feeds, two ids
    assert english.find(f"{ATOM}entry/{ATOM}id").text != entry.find(f"{ATOM}id").text


def test_the_sitemap_lists_each_page_in_both_languages_with_its_alternates(app, client):
    with app.app_context():
        story, _ = make_story()
        publish(story)
        slug = story.slug
    root = ET.fromstring(client.get("/sitemap.xml").data)
    xhtml = "{http://www.w3.org/1999/xhtml}"
    listed = {}
    for item in root.findall(f"{SITEMAP}url"):
        listed[item.find(f"{SITEMAP}loc").text] = {
            link.get("hreflang"): link.get("href") for link in item.findall(f"{xhtml}link")}
    both = {"en": f"http://localhost/stories/{slug}", "es": f"http://localhost/es/stories/{slug}",
            "x-default": f"http://localhost/stories/{slug}"}
    assert listed[f"http://localhost/stories/{slug}"] == both == listed[f"http://localhost/es/stories/{slug}"]
    assert listed["http://localhost/es/stats/"]["en"] == "http://localhost/stats/"
    assert len(listed) % 2 == 0 and all(set(links) == {"en", "es", "x-default"} for links in listed.values())
