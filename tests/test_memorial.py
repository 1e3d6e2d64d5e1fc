"""The memorial as a place: the hero, sharing, the candles row, folded forms, the quiet frame without a photo (on
cards, the page and the share card), numbered pages with counts on each card, the wall of faces, the front page
leading with faces, a fixed number of statements, and the page cache seeing every public change."""
from __future__ import annotations

import ast
import html
import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from PIL import Image

from memorials.community import candles
from memorials.community.models import Condolence
from memorials.extensions import db
from memorials.letters.models import MemorialLetterCount
from memorials.memories.models import Memory
from memorials.moderation import services as moderation_services
from memorials.search import query
from memorials.search.models import SearchEntry
from memorials.stories import photos
from memorials.stories.models import Story

from .factories import image_bytes, make_moderator, make_story, publish, sign_in
from .forms import csrf_token, submit
from .statements import Statements, statements_for

ROOT = Path(__file__).resolve().parent.parent


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def published(app, count=1, photo=False, **overrides):
    """Published memorials (with a photo if asked), newest last; returns their slugs."""
    slugs = []
    with app.app_context():
        moderator = make_moderator(email="approver@example.org")
        for n in range(count):
            processed = photos.process(image_bytes(size=(60, 60))) if photo else None
            story, _ = make_story(**{"name": f"Person Number{n:03d}", "photo_alt": "A smile", **overrides})
            if processed is not None:
                from memorials.stories.services import edit_story, StoryInput

                edit_story(story, StoryInput(name=f"Person Number{n:03d}", died=date(2023, 7, 2),
                                             story_markdown="x" * 60, email="a@example.org",
                                             state_code=overrides.get("state_code", "OH"), photo_alt="A smile"),
                           processed)
            publish(story, moderator)
            slugs.append(story.slug)
    return slugs


# --- the page ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_memorial_opens_with_a_hero_and_offers_sharing_near_the_top(app, client, lang):
    slug = published(app)[0]
    prefix = "/es" if lang == "es" else ""
    page = client.get(f"{prefix}/stories/{slug}").get_data(as_text=True)
    words = text_of(client.get(f"{prefix}/stories/{slug}"))
    assert ("En memoria" if lang == "es" else "In loving memory") in words
    hero, share, story = (page.index('class="memorial-header'), page.index('class="share"'),
                          page.index('class="memorial-story"'))
    assert hero < share < story                      # sharing comes before the story
    url = f"http://localhost{prefix}/stories/{slug}"
    for link in ("https://wa.me/?text=", "sms:?&amp;body=", "https://www.facebook.com/sharer/sharer.php?u=",
                 "https://x.com/intent/post?text=", "https://bsky.app/intent/compose?text=", "mailto:?subject="):
        assert link in page, link
    assert 'class="button js-share"' in page and f'data-url="{url}"' in page
    assert "<script" not in page.replace('<script src="/static/js/site.js', "")     # no inline or foreign script


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_share_link_carries_a_name_with_an_apostrophe_as_it_is_written(app, client, lang):
    """The message a share link starts (WhatsApp, a text, mail, X, Bluesky) says "Sean O'Brien", never the
    page's HTML escape for the apostrophe."""
    from urllib.parse import parse_qs, unquote, urlsplit

    slug = published(app, name="Sean O'Brien & Co")[0]
    prefix = "/es" if lang == "es" else ""
    page = client.get(f"{prefix}/stories/{slug}").get_data(as_text=True)
    links = [html.unescape(h) for h in re.findall(r'class="share-link" href="([^"]+)"', page)]
    said = {urlsplit(link).scheme + urlsplit(link).netloc: parse_qs(urlsplit(link).query) for link in links}
    remembering = "En memoria de" if lang == "es" else "Remembering"
    expected = f"{remembering} Sean O'Brien & Co"
    assert said["httpswa.me"]["text"] == [f"{expected} http://localhost{prefix}/stories/{slug}"]
    assert said["mailto"]["subject"] == [expected]
    assert said["mailto"]["body"] == [f"{expected}\n\nhttp://localhost{prefix}/stories/{slug}"]
    assert said["httpsx.com"]["text"] == [expected]
    assert said["httpsbsky.app"]["text"][0].startswith(expected + " http")
    assert len(links) == 6 and not any("&#39;" in unquote(link) or "&amp;" in unquote(link) for link in links)


def test_the_share_section_is_drawn_once_and_each_memorial_puts_in_its_own_name_and_address(app, client):
    """memorials/fragments.py: the share section is kept per worker and language with holes; the next memorial's
    section says its own name, address, card and picture, and a name that looks like a stand-in stays a name."""
    first = published(app, name="Sean O'Brien & Co")[0]
    second = published(app, name='Ana "fragment-hole-url-here" Ruiz')[0]
    client.get(f"/stories/{first}")
    page = client.get(f"/stories/{second}").get_data(as_text=True)
    share = page[page.index('<section class="share"'):page.index("</section>", page.index('<section class="share"'))]
    assert "Share Ana &#34;fragment-hole-url-here&#34; Ruiz's story" in share
    assert 'data-title="Remembering Ana &#34;fragment-hole-url-here&#34; Ruiz"' in share
    assert f'data-url="http://localhost/stories/{second}"' in share
    assert f'href="/stories/{second}/card.pdf"' in share and f'download="remembering-{second}.jpg"' in share
    assert first not in share and "Brien" not in share


def test_the_web_font_is_our_own_file(client):
    css = client.get("/static/css/site.css", buffered=True).get_data(as_text=True)
    assert 'url("../fonts/dejavu-serif.woff")' in css
    font = client.get("/static/fonts/dejavu-serif.woff", buffered=True)
    assert font.status_code == 200 and font.data[:4] == b"wOFF" and len(font.data) < 80_000


def test_candles_are_a_row_that_grows_with_the_count_up_to_a_row(app, client):
    slug = published(app)[0]
    with app.app_context():
        story_id = db.session.execute(db.select(Story.id)).scalar_one()

    def drawn():
        page = client.get(f"/stories/{slug}").get_data(as_text=True)
        row = page[page.index('class="candle-lights"'):page.index("</p>", page.index('class="candle-lights"'))]
        return row.count('<use href="#candle"/>'), text_of(client.get(f"/stories/{slug}"))

    count, words = drawn()
    assert count == 1 and "No candles yet. You can light the first one." in words        # one unlit candle
    with app.app_context():
        for day in range(3):
            candles.light(story_id, date(2024, 1, 1 + day))
        db.session.commit()
    count, words = drawn()
    assert count == 3 and "3 candles have been lit for Person Number000." in words
    with app.app_context():
        for day in range(40):
            candles.light(story_id, date(2024, 3, 1 + day % 28))
        db.session.commit()
    count, words = drawn()
    assert count == 24 and "43 candles have been lit" in words


def test_messages_come_first_and_the_forms_are_folded(app, client):
    slug = published(app)[0]
    page = client.get(f"/stories/{slug}").get_data(as_text=True)
    assert '<details class="form-fold" id="leave-message">' in page and '<details class="form-fold" id="share-memory">' in page
    assert page.index('id="condolences-title"') < page.index('id="leave-message"')
    assert page.index('id="memories-title"') < page.index('id="share-memory"')
    refused = submit(client, f"/stories/{slug}/condolences", {"name": "", "message": "Kept words", "email": "",
                                                              "website": ""}, page=f"/stories/{slug}")
    page = refused.get_data(as_text=True)
    assert '<details class="form-fold" id="leave-message" open>' in page and "Kept words" in page
    assert page.index('id="leave-message"') < page.index('id="form-errors"')


@pytest.mark.both_databases
def test_the_blank_forms_are_drawn_once_with_each_memorials_address_and_each_visitors_token(app):
    """memorials/fragments.py: the forms to leave a message and share a memory are drawn once per worker and
    language; every memorial puts its own address in them, every visitor their own token, and they work."""
    first, second = published(app, 2)
    with app.app_context():
        app.extensions.pop("page_fragments", None)
    reader, visitor = app.test_client(), app.test_client()
    reader.get(f"/stories/{first}")
    with app.app_context():
        kept = app.extensions["page_fragments"]
        forms = [key for key in kept if key[0].endswith("form.html")]
        assert len(forms) == 2 and all("blank-form-token" in kept[key] for key in forms)
        assert not any(first in html for html in kept.values())
        kept[("memories/_form.html", "en", "")] = kept[("memories/_form.html", "en", "")].replace(
            "Share your memory", "Share your memory (as this worker kept it)")
    page = visitor.get(f"/stories/{second}").get_data(as_text=True)
    assert "Share your memory (as this worker kept it)" in page          # the kept copy, not drawn again
    assert f'action="/stories/{second}/condolences"' in page and f'action="/stories/{second}/memories"' in page
    assert first not in page and "blank-form" not in page
    tokens = set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page))
    assert len(tokens) == 1          # the candle's, the message's and the memory's: this visitor's one token
    sent = visitor.post(f"/stories/{second}/condolences", data={"csrf_token": tokens.pop(), "name": "Aunt Rosa",
                                                               "message": "We miss him.", "email": "", "website": ""})
    assert sent.status_code in (302, 303)
    with app.app_context():
        assert db.session.execute(db.select(Condolence.message)).scalars().all() == ["We miss him."]
    # each language its own words, and its own addresses
    spanish = visitor.get(f"/es/stories/{second}").get_data(as_text=True)
    assert f'action="/es/stories/{second}/condolences"' in spanish and "Compartir su recuerdo" in spanish
    with app.app_context():
        assert len([key for key in app.extensions["page_fragments"] if key[0].endswith("form.html")]) == 4


def test_the_footer_is_drawn_once_per_language_and_is_the_same_on_every_page(app, client):
    """memorials/fragments.py: the help lines and links at the foot of every page are drawn once per worker and
    language, and a signed-in moderator, a form in error or another page changes nothing in them."""
    slug = published(app)[0]
    with app.app_context():
        app.extensions.pop("page_fragments", None)

    def footer(url, who=client):
        page = who.get(url).get_data(as_text=True)
        return page[page.index('<footer class="site-footer">'):page.index("</footer>")]

    english = footer("/")
    assert "988" in english and "(press 2 for Spanish)" in english and 'href="/help"' in english
    with app.app_context():
        kept = app.extensions["page_fragments"]
        key = ("_footer.html", "en", "")
        kept[key] = kept[key].replace("Help and support", "Help and support (as this worker kept it)")
    assert "(as this worker kept it)" in footer(f"/stories/{slug}")       # the kept copy: not drawn again
    assert "(as this worker kept it)" in footer("/stories/?year=abc")     # a form in error
    spanish = footer(f"/es/stories/{slug}")
    assert "(marque 2 para español)" in spanish and 'href="/es/help"' in spanish
    assert "(as this worker kept it)" not in spanish
    with app.app_context():
        make_moderator(email="footer@example.org")
    signed_in = app.test_client()
    sign_in(signed_in, "footer@example.org")
    assert 'href="/moderate/"' in signed_in.get("/stories/").get_data(as_text=True)    # the moderator's menu
    assert "(as this worker kept it)" in footer("/stories/", signed_in)


def test_while_templates_reload_nothing_is_kept_so_an_edit_shows_at_once(make_app):
    """Development (templates reloaded as they change): the header, footer and list form are drawn on each page,
    so an edited template, or a static file's new content hash in the head's links, shows at the next visit."""
    app = make_app(TEMPLATES_AUTO_RELOAD=True)
    client = app.test_client()
    assert "Share a story" in client.get("/stories/").get_data(as_text=True)
    assert "Share a story" in client.get("/stories/?state=OH").get_data(as_text=True)
    assert not app.extensions.get("page_fragments") and not app.extensions.get("page_pieces")


def test_the_header_and_share_tags_are_drawn_once_and_each_page_puts_in_its_own_values(app, client):
    """memorials/fragments.py: the header and a page's share tags are kept per worker and language with holes; each
    page puts in its own link to the other language and its own title, address and picture, escaped, and a value
    that looks like a hole's stand-in stays a value."""
    name = 'Ana "fragment-hole-url-here" <i>Ruiz</i>'
    slug = published(app, name=name)[0]
    with app.app_context():
        app.extensions.pop("page_fragments", None)
    search = '/stories/?q=%3Cb%3E%22x&state=OH'
    first = client.get(search).get_data(as_text=True)
    with app.test_request_context("/"):
        from flask import url_for

        switch = url_for("i18n.switch", lang="es", next=search)   # the address as asked, still encoded
        page_url = app.config["SITE_URL"] + url_for("stories.show", slug=slug)
    assert f'<p class="language-switch"><a href="{html.escape(switch)}" lang="es"' in first
    with app.app_context():
        kept = app.extensions["page_fragments"]
        key = next(k for k in kept if k[:2] == ("_header.html", "en"))
        kept[key] = tuple(part.replace("Share a story", "Share a story (as kept)") for part in kept[key])
    memorial = client.get(f"/stories/{slug}").get_data(as_text=True)
    assert "Share a story (as kept)" in memorial                           # the kept header, not drawn again
    with app.test_request_context("/"):
        assert f'href="{html.escape(url_for("i18n.switch", lang="es", next=f"/stories/{slug}"))}"' in memorial
    # The memorial's own share tags: its title escaped as written, its own address and picture, never a stand-in.
    assert '<meta property="og:title" content="Remembering Ana &#34;fragment-hole-url-here&#34; &lt;i&gt;Ruiz&lt;/i&gt;">' \
        in memorial
    assert f'<meta property="og:url" content="{page_url}">' in memorial
    assert f'<link rel="canonical" href="{page_url}">' in memorial
    assert re.search(r'<meta property="og:image" content="[^"]+/stories/[^"]+/share\.jpg', memorial)
    assert "fragment-hole-" not in first
    for hole in ("title", "description", "image", "image_alt", "switch"):
        assert f"fragment-hole-{hole}-here" not in memorial
    # The list's share tags: the site's card, its own address.
    assert '<meta property="og:url" content="%s/stories/">' % app.config["SITE_URL"] in first
    with app.test_request_context("/"):
        from memorials.feeds.views import site_card_url

        assert f'<meta property="og:image" content="{site_card_url()}">' in first
    spanish = client.get(f"/es/stories/{slug}").get_data(as_text=True)
    assert "(as kept)" not in spanish and ">Compartir una historia<" in spanish
    with app.app_context():
        make_moderator(email="header@example.org")
    signed_in = app.test_client()
    sign_in(signed_in, "header@example.org")
    menu = signed_in.get("/stories/").get_data(as_text=True)
    assert 'href="/moderate/"' in menu and "(as kept)" not in menu        # the moderator's own header
    assert 'href="/moderate/"' not in client.get("/stories/?page=2").get_data(as_text=True)


def test_a_card_says_the_age_and_the_month_in_the_page_language_each_made_once(app, client):
    """stories/views.py age_words, died_month: the sentences under each card are made once per language and age
    (or month), and a Spanish list never shows the English words kept for the English one."""
    published(app, born=date(1999, 3, 14))                      # 24 when they died, July 2, 2023
    published(app, born=date(2022, 1, 5), name="Baby Person")   # 1
    english = client.get("/stories/").get_data(as_text=True)
    assert english.count("died July 2023") == 2 and "24 years old" in english and ">1 year old<" in english
    spanish = client.get("/es/stories/").get_data(as_text=True)
    assert spanish.count("falleció en julio de 2023") == 2 and "24 años" in spanish and ">1 año<" in spanish
    assert "years old" not in spanish and "died July" not in spanish
    assert client.get("/stories/?page=1&again").get_data(as_text=True).count("died July 2023") == 2


def test_without_a_photo_a_quiet_frame_on_the_card_the_page_and_the_share_card(app, client):
    slug = published(app, born=date(1998, 3, 14), city="Dayton", state_code="OH")[0]
    listing = client.get("/stories/").get_data(as_text=True)
    card = listing[listing.index('class="story-card"'):listing.index("</article>", listing.index('class="story-card"'))]
    assert 'class="frame story-card-photo story-card-nophoto"' in card and "1998 – 2023" in card
    assert "Dayton, Ohio" in card and ">P<" not in card                 # no giant initial
    page = client.get(f"/stories/{slug}").get_data(as_text=True)
    assert '<header class="memorial-header no-photo">' in page and 'class="hero-candle"' in page
    share = client.get(f"/stories/{slug}/share.jpg", buffered=True)
    with Image.open(io.BytesIO(share.data)) as image:
        image = image.convert("RGB")
        # The frame: the left column is lighter than the card's deep teal, with a candle's flame in it.
        left = image.crop((0, 0, 480, 630)).resize((1, 1)).getpixel((0, 0))
        right = image.crop((700, 0, 1200, 630)).resize((1, 1)).getpixel((0, 0))
        flame = [image.getpixel((x, y)) for x in range(200, 280) for y in range(150, 330)]
    assert sum(left) > sum(right) + 30
    assert any(r > 180 and g < 160 and b < 90 for r, g, b in flame)


# --- the list, the wall, the front page --------------------------------------------------------------------

@pytest.mark.both_databases
def test_the_list_is_numbered_with_the_current_page_marked_and_counts_on_each_card(app, client):
    published(app, 24 * 6 + 1)
    with app.app_context():
        newest = db.session.execute(db.select(Story.id).order_by(Story.id.desc())).scalars().first()
        candles.light(newest, date(2024, 1, 1))
        db.session.add(Condolence(story_id=newest, name="A", message="B", status="published"))
        db.session.add(Memory(story_id=newest, name="C", body="D", status="published"))
        db.session.commit()
    first = client.get("/stories/").get_data(as_text=True)
    nav = first[first.index('class="pagination"'):first.index("</nav>", first.index('class="pagination"'))]
    assert re.findall(r'<a aria-current="page" href="[^"]*">.*?(\d+)</a>', nav) == ["1"]
    assert [int(n) for n in re.findall(r'page=(\d+)">', nav)] == [1, 2, 3, 7, 2]     # 1 2 3 … 7, then "Older"
    assert "Page 1 of 7" in nav
    fourth = client.get("/stories/?page=4").get_data(as_text=True)
    nav = fourth[fourth.index('class="pagination"'):]
    assert re.findall(r'<a aria-current="page" href="/stories/\?page=4">', nav)
    assert sorted(set(int(n) for n in re.findall(r'page=(\d+)"', nav[:nav.index("</nav>")]))) == [1, 2, 3, 4, 5, 6, 7]
    card = first[first.index('class="story-card"'):first.index("</article>")]
    assert '>1 candle</span> · <span class="nowrap">2 messages</span>' in html.unescape(card)


@pytest.mark.both_databases
def test_the_wall_shows_only_faces_newest_first_by_state_paged(app, client):
    published(app, 2)                                               # no photo: never on the wall
    oh = published(app, 3, photo=True)
    tx = published(app, 1, photo=True, state_code="TX")
    wall = client.get("/stories/wall").get_data(as_text=True)
    faces = re.findall(r'<a class="face-link" href="/stories/([^"]+)">\s*<img class="face-photo" src="[^"]+" alt="([^"]+)"',
                       wall)
    assert [s for s, _ in faces] == tx + oh[::-1]
    assert all(alt.startswith("Person Number") for _, alt in faces)
    assert '<span class="face-name">Person Number000</span>' in wall
    assert "4 memorials with a photo" in wall
    texas = client.get("/stories/wall?state=TX").get_data(as_text=True)
    assert re.findall(r'href="/stories/([^"]+)">\s*<img', texas) == tx and "1 memorial with a photo" in texas
    assert "Please choose a state from the list." in text_of(client.get("/stories/wall?state=ZZ"))
    assert client.get("/stories/wall?page=999").status_code == 200
    assert 'href="/stories/wall"' in client.get("/stories/").get_data(as_text=True)
    # Unpublished, a face leaves the wall (and its count).
    with app.app_context():
        from memorials.moderation import services

        services.unpublish(db.session.execute(db.select(Story).where(Story.slug == tx[0])).scalar_one(), None, "x")
        db.session.commit()
    assert "3 memorials with a photo" in client.get("/stories/wall").get_data(as_text=True)


def test_the_wall_is_kept_around_its_faces_per_state_and_each_page_puts_in_its_own(app, client):
    """search/pages.py render_wall: the page around the faces is drawn once per worker, language, state and menu;
    each page puts in its own count, faces, pages, links to itself in each language and language switch."""
    oh = published(app, 3, photo=True)
    tx = published(app, 1, photo=True, state_code="TX")
    client.get("/stories/wall?state=OH")
    with app.app_context():
        pieces = app.extensions["page_pieces"]
        [key] = [k for k in pieces.keys() if k[0] == "stories/wall.html"]
        assert key[1:5] == ("en", "", False, "OH")
        pieces.put(key, tuple(part.replace("Choose one to read", "Choose one (as kept) to read") for part in pieces.get(key)))
    asked = "/stories/wall?state=OH&page=1"
    ohio = client.get(asked).get_data(as_text=True)
    assert "(as kept)" in ohio and "3 memorials with a photo" in ohio
    assert re.findall(r'href="/stories/([^"]+)">\s*<img', ohio) == oh[::-1]
    assert re.search(r'<option selected value="OH">Ohio</option>|<option value="OH" selected>', ohio)
    assert '<link rel="alternate" hreflang="es" href="http://localhost/es/stories/wall?state=OH&amp;page=1">' in ohio
    with app.test_request_context("/"):
        from flask import url_for

        switch = url_for("i18n.switch", lang="es", next=asked)
    assert f'<p class="language-switch"><a href="{html.escape(switch)}"' in ohio and "fragment-hole-" not in ohio
    texas = client.get("/stories/wall?state=TX").get_data(as_text=True)    # another state: its own form and faces
    assert "(as kept)" not in texas and "1 memorial with a photo" in texas
    assert re.findall(r'href="/stories/([^"]+)">\s*<img', texas) == tx
    refused = client.get("/stories/wall?state=ZZ").get_data(as_text=True)
    assert "Please choose a state from the list." in refused and "(as kept)" not in refused


@pytest.mark.both_databases
def test_a_deep_page_of_the_wall_starts_from_its_day_and_shows_exactly_the_faces_in_order(app, client, monkeypatch):
    """The wall's later pages skip whole days by their counts of faces (search_day.faces), not by reading every
    newer face: each page holds exactly the faces the full order puts there (a second before midnight and at
    midnight among them), before and after a face leaves, on both databases."""
    days = [datetime(2024, 1, 10), datetime(2024, 3, 5, 23, 59, 59), datetime(2024, 3, 6), datetime(2024, 6, 1)]
    for n, moment in enumerate(days):
        monkeypatch.setattr(moderation_services, "utcnow", lambda moment=moment: moment)
        published(app, 1)                              # no photo: counted in the day, never on the wall
        published(app, 2 + n, photo=True, state_code="OH" if n % 2 else "TX")
    with app.app_context():
        everyone = [tuple(row) for row in db.session.execute(
            db.select(SearchEntry.story_id, SearchEntry.version_id).where(SearchEntry.face.is_(True))
            .order_by(SearchEntry.published_at.desc(), SearchEntry.story_id.desc()))]
        assert len(everyone) == 14
        assert [query.faces(None, page, 3).entries for page in range(1, 6)] == [everyone[i:i + 3] for i in range(0, 15, 3)]
        with Statements(db.engine) as seen:
            query.faces(None, 5, 3)    # in the oldest day: every newer day skipped by its count
        wall = [sql for sql in seen.seen if "search_entry" in sql][0]
        assert "published_at <" in wall
        gone = db.session.get(Story, everyone[4][0])      # a face in the middle leaves: the later pages move up
        moderation_services.unpublish(gone, None, "x")
        db.session.commit()
        everyone.pop(4)
        assert [query.faces(None, page, 3).entries for page in range(1, 6)] == [everyone[i:i + 3] for i in range(0, 15, 3)]


@pytest.mark.both_databases
def test_the_wall_runs_the_same_statements_at_any_size(app, client):
    published(app, 2, photo=True)
    few = statements_for(app, client, "/stories/wall?state=OH")
    published(app, 30, photo=True)
    with app.app_context():
        from memorials.search import cards

        cards.cache().clear()
    assert statements_for(app, client, "/stories/wall?state=OH&page=1") <= few + 0
    assert statements_for(app, client, "/stories/wall?page=2") <= few


def test_the_front_page_leads_with_faces(app, client):
    published(app, 2, photo=True)
    page = client.get("/").get_data(as_text=True)
    assert page.index('id="faces-title"') < page.index('id="recent-title"') < page.index('id="part-title"')
    assert page.count('class="face"') == 2 and 'href="/stories/wall"' in page


# --- the page's data comes from its view -------------------------------------------------------------------

def test_no_template_global_queries_the_database(app):
    names = set(app.jinja_env.globals)
    with app.test_request_context("/"):
        for processor in [p for ps in app.template_context_processors.values() for p in ps]:
            names |= set(processor())
    for querying in ("guestbook", "family_guestbook", "queue_counts", "letters_for_memorial", "stats_state_line",
                     "letters_suggested_relation", "address_change"):
        assert querying not in names, querying


def test_stories_reads_the_list_through_the_search_package_only(app):
    tree = ast.parse((ROOT / "memorials" / "stories" / "views.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {f"{node.module}.{alias.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module for alias in node.names}
    assert not any(name.startswith(("search.query", "search.cards", "search.forms")) for name in imported), imported
    community = (ROOT / "memorials" / "community" / "views.py").read_text()
    assert "view_functions" not in community and "g.condolence_form" not in community


def test_every_form_with_a_honeypot_uses_the_one_mixin():
    from memorials.community.forms import CondolenceForm, ReportForm
    from memorials.honeypot import HoneypotMixin
    from memorials.memories.forms import MemoryForm
    from memorials.stories.forms import EditStoryForm, NewStoryForm

    for form in (CondolenceForm, ReportForm, MemoryForm, NewStoryForm, EditStoryForm):
        assert issubclass(form, HoneypotMixin), form
    for path in (ROOT / "memorials").rglob("*.py"):
        if path.name != "honeypot.py":
            assert 'website = StringField' not in path.read_text(), path


@pytest.mark.both_databases
def test_a_memorial_with_a_gallery_and_fifty_messages_runs_a_fixed_number_of_statements(app, client):
    from bench.demo import make_demo

    with app.test_request_context("/"):
        demo = make_demo(messages=0, gallery_photos=0, others=0)
        plain_slug = demo.plain.slug
    def memorial_reads(url) -> list[str]:
        """The statements reading the memorial itself (not what a worker refreshes now and then for every page:
        the campaigns, the numbers' files, SQLite's look at the kept pages' counter)."""
        with app.app_context():
            engine = db.engine
        with Statements(engine) as seen:
            assert client.get(url).status_code == 200
        return [s for s in seen.seen
                if any(f"FROM {table}" in s for table in ("story", "gallery_photo", "condolence", "memory"))]

    # A memorial with nothing but its story (no message, memory or gallery photo) is read by one statement.
    plain = memorial_reads(f"/stories/{plain_slug}")
    assert len(plain) == 1 and "FROM story" in plain[0], plain
    with app.app_context():
        rich_slug = db.session.execute(db.select(Story.slug).where(Story.slug.like("daniel%"))).scalar_one()
    with app.test_request_context("/"):
        story = db.session.execute(db.select(Story).where(Story.slug == rich_slug)).scalar_one()
        from memorials.gallery import queries, services

        services.add(story, [services.NewPhoto(photos.process(image_bytes(size=(40, 40))), f"P{n}", None)
                             for n in range(12)], [])
        for item in queries.for_family(story):
            services.approve(item, None)
        for n in range(50):
            db.session.add(Condolence(story_id=story.id, name=f"W{n}", message="Words.", status="published"))
        db.session.commit()
    # Its gallery, a page of messages and a page of memories are one more statement each (how many there are was
    # read with the story).
    rich = memorial_reads(f"/stories/{rich_slug}")
    assert len(rich) == 4, rich
    page = client.get(f"/stories/{rich_slug}?again").get_data(as_text=True)
    assert page.count('class="gallery-item"') == 12 and page.count('class="condolence"') == 50
    with app.app_context():
        story_id = db.session.execute(db.select(Story.id).where(Story.slug == rich_slug)).scalar_one()
        for n in range(50):
            db.session.add(Condolence(story_id=story_id, name=f"X{n}", message="Words.", status="published"))
        db.session.commit()
    assert len(memorial_reads(f"/stories/{rich_slug}?and-again")) == 4   # and no more, however many


@pytest.mark.both_databases
def test_a_memorial_reads_its_story_with_its_candles_and_letters_in_one_statement(app, client):
    slug = published(app)[0]
    with app.app_context():
        story_id = db.session.execute(db.select(Story.id).where(Story.slug == slug)).scalar_one()
        candles.light(story_id, date(2024, 1, 1))
        candles.light(story_id, date(2024, 1, 2))
        db.session.add(MemorialLetterCount(story_id=story_id, letters=3))
        db.session.commit()
        engine = db.engine
    with Statements(engine) as seen:
        page = text_of(client.get(f"/stories/{slug}?first=visit"))
    assert "2 candles have been lit for Person Number000." in page
    assert "3 letters to lawmakers have been written in their memory." in page
    story = [s for s in seen.seen if "FROM story" in s and "story_version" in s]
    assert len(story) == 1 and "candle_tally" in story[0] and "memorial_letter_count" in story[0]
    assert not [s for s in seen.seen if s is not story[0] and ("candle_tally" in s or "memorial_letter_count" in s)]


# --- the page cache ----------------------------------------------------------------------------------------

@pytest.mark.both_databases
def test_a_newly_approved_memory_or_photo_is_seen_by_the_next_visitor_and_private_pages_are_never_kept(make_app):
    app = make_app(PAGE_CACHE_SECONDS=60)
    visitor = app.test_client()
    with app.app_context():
        story, token = make_story()
        publish(story)
        slug, story_id = story.slug, story.id
        make_moderator()
    assert "A raft on the river" not in visitor.get(f"/stories/{slug}").get_data(as_text=True)
    visitor.get(f"/stories/{slug}")     # kept now
    submit(app.test_client(), f"/stories/{slug}/memories", {"name": "M", "memory": "A raft on the river.",
                                                            "email": "", "photo_alt": "", "website": ""},
           page=f"/stories/{slug}")
    mod = app.test_client()
    assert sign_in(mod).status_code == 302
    queue = mod.get("/moderate/memories").get_data(as_text=True)
    memory_id = re.search(r"/moderate/memories/(\d+)", queue).group(1)
    mod.post(f"/moderate/memories/{memory_id}", data={"csrf_token": csrf_token(queue), "action": "approve"})
    assert "A raft on the river." in visitor.get(f"/stories/{slug}").get_data(as_text=True)
    # A gallery photo approved is seen at once too.
    with app.test_request_context("/"):
        from memorials.gallery import services

        story = db.session.get(Story, story_id)
        services.add(story, [services.NewPhoto(photos.process(image_bytes(size=(40, 40))), "Approved now", None)], [])
        db.session.commit()
    visitor.get(f"/stories/{slug}")
    gallery_queue = mod.get("/moderate/gallery").get_data(as_text=True)
    item_id = re.search(r"/moderate/gallery/(\d+)", gallery_queue).group(1)
    mod.post(f"/moderate/gallery/{item_id}", data={"csrf_token": csrf_token(gallery_queue), "action": "approve"})
    assert 'alt="Approved now"' in visitor.get(f"/stories/{slug}").get_data(as_text=True)
    # The family's pages, the preview and anything with their link are never kept.
    from memorials.pagecache import page_store

    family = app.test_client()
    for url in (f"/stories/manage/{token}", f"/stories/manage/{token}/preview", f"/stories/manage/{token}"):
        response = family.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert not [key for key in page_store(app).keys() if token in str(key)]
