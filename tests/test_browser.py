"""The memorial story flow in a real browser (headless Chromium), on a phone and on a desktop.

A family shares a story with a photo, a moderator approves it, a visitor reads it, and the
family takes it down again: each step through the pages, as a person would use them.
Set BROWSER_SCREENSHOTS=<folder> to keep full-page screenshots of the pages visited.
"""
from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from memorials.extensions import db
from memorials.stories import photos
from memorials.stories.models import Story
from memorials.stories.services import StoryInput, submit_story

from . import factories
from .browser import (DESKTOP, PHONE, LiveServer, assert_accessible, click_and_wait, full_page_screenshot,
                      new_driver, page_overflow, quit_driver, require_browser, type_into, visit)

pytestmark = pytest.mark.browser

if os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SIZES = {"phone": PHONE, "desktop": DESKTOP}

STORY = ("Danny loved fishing with his grandfather, burnt pancakes on Sundays, and the Detroit Lions "
         "in every losing season.\n\nHe called his mother every night at nine.")


@pytest.fixture
def live(tmp_path):
    """The app served on loopback, on a fresh SQLite database."""
    require_browser()
    server = LiveServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def browser_for(live):
    """Open a fresh browser (its own profile: a different person) at a window size; all quit at the end."""
    drivers = []

    def open_browser(size):
        driver = new_driver(SIZES[size] if isinstance(size, str) else size)
        drivers.append(driver)
        return driver

    yield open_browser
    for driver in drivers:
        quit_driver(driver)


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: BROWSER_SCREENSHOTS if set, else this test's tmp folder."""
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def photo_file(tmp_path):
    """A real JPEG on disk, as a family would pick from their phone."""
    path = tmp_path / "danny.jpg"
    image = Image.new("RGB", (1200, 900), (70, 110, 160))
    for x in range(0, 1200, 100):  # some detail, so it isn't a flat colour
        image.paste((230, 200, 90), (x, 300, x + 50, 600))
    image.save(path, "JPEG", quality=85)
    return path


# Small steps a person takes --------------------------------------------------------------------

def wait_for(driver, condition, timeout=10):
    return WebDriverWait(driver, timeout).until(condition)










def set_date(driver, field_id, iso):
    """Type a date the way a person does in Chromium's en-US date input (MM, DD, YYYY)."""
    field = driver.find_element(By.ID, field_id)
    assert field.get_attribute("type") == "date"
    year, month, day = iso.split("-")
    field.click()
    field.send_keys(month + day + year)
    if field.get_property("value") != iso:  # a different locale's field order: set it directly
        driver.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
            "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", field, iso)
    assert field.get_property("value") == iso
    return field


def value_of(driver, field_id):
    return driver.find_element(By.ID, field_id).get_property("value")


def error_beside(driver, field_id):
    """The message shown beside a field, checked to be tied to it for screen readers."""
    field = driver.find_element(By.ID, field_id)
    message = driver.find_element(By.ID, f"{field_id}-error")
    assert message.is_displayed()
    assert f"{field_id}-error" in (field.get_attribute("aria-describedby") or "").split()
    assert field.get_attribute("aria-invalid") == "true"
    # beside the field: inside the same .field block
    assert message.find_element(By.XPATH, "ancestor::div[contains(@class,'field')][1]") == \
        field.find_element(By.XPATH, "ancestor::div[contains(@class,'field')][1]")
    return message.text


def assert_no_horizontal_scroll(driver, where):
    overflow = page_overflow(driver)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], f"{where} scrolls sideways: {overflow}"


def image_loaded(driver, img):
    return driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)


def fill_story_form(driver, photo_path=None, **overrides):
    """Fill in /stories/new as a family would; overrides replace what is typed (None: leave empty)."""
    values = {
        "name": "Daniel James Rivera", "nickname": "Danny", "born": "1998-03-14", "died": "2023-07-02",
        "city": "Dayton", "state": "Ohio", "photo_alt": "Danny holding a fish on the lake",
        "content_note": "", "story": STORY, "submitter_name": "Maria Rivera",
        "relationship": "mother", "email": "maria@example.org",
    }
    values.update(overrides)
    for field_id in ("name", "nickname", "city", "photo_alt", "content_note", "story",
                     "submitter_name", "relationship", "email"):
        if values[field_id]:
            type_into(driver, field_id, values[field_id])
    for field_id in ("born", "died"):
        if values[field_id]:
            set_date(driver, field_id, values[field_id])
    if values["state"]:
        Select(driver.find_element(By.ID, "state")).select_by_visible_text(values["state"])
    if photo_path:
        driver.find_element(By.ID, "photo").send_keys(str(photo_path))
    consent = driver.find_element(By.ID, "consent")
    if not consent.is_selected():
        consent.click()
    return values


def sign_in_moderator(driver, live):
    visit(driver, live.url + "/moderate/login")
    type_into(driver, "email", "mod@example.org")
    type_into(driver, "password", factories.PASSWORD)
    click_and_wait(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Sign in']"))
    assert_accessible(driver)
    # The second step: the code from the moderator's authenticator app.
    factories.forget_used_code(live.app)
    type_into(driver, "code", factories.totp_code())
    click_and_wait(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Sign in']"))
    assert driver.current_url.rstrip("/").endswith("/moderate")


def add_moderator(live):
    with live.context():
        factories.make_moderator()


def add_published_story(live, with_photo=True):
    """A story already approved (set up directly, for tests that start later in its life)."""
    with live.context():
        photo = photos.process(factories.image_bytes(size=(900, 700))) if with_photo else None
        story, token = submit_story(StoryInput(
            name="Daniel James Rivera", nickname="Danny", died=date(2023, 7, 2), born=date(1998, 3, 14),
            story_markdown=STORY, email="maria@example.org", city="Dayton", state_code="OH",
            submitter_name="Maria Rivera", relationship_to="mother", photo_alt="Danny holding a fish"), photo)
        db.session.commit()
        factories.publish(story)
        photo_names = [story.live_version.photo.filename, story.live_version.photo.thumb_filename] if with_photo else []
        return story.id, story.slug, token, photo_names


def http_status(url):
    """The status of a plain GET, the body read in full (the dev server leaks a file if we hang up early)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        with error:
            error.read()
        return error.code


# The tests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_family_shares_moderator_approves_visitor_reads(live, browser_for, photo_file, shots, size):
    add_moderator(live)

    # A family shares the story, with a photo from their phone.
    family = browser_for(size)
    visit(family, live.url + "/")
    assert_no_horizontal_scroll(family, "the home page")
    click_and_wait(family, family.find_element(By.LINK_TEXT, "Share a story"))
    assert family.find_element(By.TAG_NAME, "h1").text == "Share their story"
    assert_no_horizontal_scroll(family, "the new-story form")
    fill_story_form(family, photo_path=photo_file)
    counter = family.find_element(By.CSS_SELECTOR, "[data-counter-for=story]")
    assert re.match(r"\d+ characters\.$", counter.text), counter.text
    full_page_screenshot(family, shots / f"{size}-1-form-filled.png")
    click_and_wait(family, family.find_element(By.XPATH, "//button[normalize-space()='Send the story']"))

    assert family.find_element(By.TAG_NAME, "h1").text == "Thank you for sharing their story"
    private = family.find_element(By.CSS_SELECTOR, ".private-link a")
    manage_url = private.get_attribute("href")
    assert re.fullmatch(re.escape(live.url) + r"/stories/manage/[A-Za-z0-9_-]{32,}", manage_url), manage_url
    assert private.text == manage_url
    assert_no_horizontal_scroll(family, "the thank-you page")
    full_page_screenshot(family, shots / f"{size}-2-thanks.png")
    mail = live.outbox()
    assert manage_url in mail[0].get_body(("plain",)).get_content()
    assert mail[0]["To"] == "maria@example.org"

    # Nothing is public yet.
    visitor = browser_for(size)
    visit(visitor, live.url + "/stories/")
    assert "No memorials have been published yet." in visitor.find_element(By.TAG_NAME, "main").text

    # A moderator signs in, opens the queue, reads the story with its photo, approves it.
    moderator = browser_for(size)
    sign_in_moderator(moderator, live)
    assert_no_horizontal_scroll(moderator, "the moderation queue")
    click_and_wait(moderator, moderator.find_element(By.LINK_TEXT, "Daniel James Rivera"))
    preview = moderator.find_element(By.CSS_SELECTOR, ".review-preview img.memorial-photo")
    assert image_loaded(moderator, preview)
    assert "He called his mother every night at nine." in moderator.find_element(By.CSS_SELECTOR, ".memorial-story").text
    assert "maria@example.org" in moderator.find_element(By.CSS_SELECTOR, "dl.details").text
    assert_no_horizontal_scroll(moderator, "the moderator's review page")
    full_page_screenshot(moderator, shots / f"{size}-3-review.png")
    click_and_wait(moderator, moderator.find_element(By.CSS_SELECTOR, "button[name=action][value=approve]"))
    # Back to the queue, which is now empty, with the story among the published ones.
    assert moderator.find_element(By.CSS_SELECTOR, ".flash-success").is_displayed()
    assert "Nothing is waiting." in moderator.find_element(By.TAG_NAME, "main").text
    assert moderator.find_elements(By.LINK_TEXT, "Daniel James Rivera")

    # A visitor finds the memorial in the list, with its photo, and opens it.
    visit(visitor, live.url + "/stories/")
    card = visitor.find_element(By.CSS_SELECTOR, ".story-card")
    assert card.find_element(By.CSS_SELECTOR, ".story-card-name").text == "Daniel James Rivera"
    assert "25 years old" in card.find_element(By.CSS_SELECTOR, ".story-card-meta").text
    thumb = card.find_element(By.CSS_SELECTOR, "img.story-card-photo")
    visitor.execute_script("arguments[0].scrollIntoView()", thumb)  # the card image loads lazily
    wait_for(visitor, lambda d: image_loaded(d, thumb))
    assert thumb.get_attribute("alt") == "Danny holding a fish on the lake"
    assert_no_horizontal_scroll(visitor, "the list of memorials")
    full_page_screenshot(visitor, shots / f"{size}-4-list.png")

    click_and_wait(visitor, card.find_element(By.CSS_SELECTOR, "a.story-card-link"))
    assert visitor.find_element(By.TAG_NAME, "h1").text == "Daniel James Rivera"
    assert visitor.find_element(By.CSS_SELECTOR, ".nickname").text == "“Danny”"
    assert visitor.find_element(By.CSS_SELECTOR, ".memorial-dates").text == \
        "born March 14, 1998 — died July 2, 2023 · 25 years old"
    assert visitor.find_element(By.CSS_SELECTOR, ".memorial-hometown").text == "Dayton, Ohio"
    photo = visitor.find_element(By.CSS_SELECTOR, "img.memorial-photo")
    assert image_loaded(visitor, photo)
    assert photo.size["width"] <= visitor.execute_script("return window.innerWidth")
    story_text = visitor.find_element(By.CSS_SELECTOR, ".memorial-story").text
    assert "burnt pancakes on Sundays" in story_text
    assert "Shared by Maria Rivera, mother." in visitor.find_element(By.CSS_SELECTOR, ".shared-by").text
    assert "maria@example.org" not in visitor.page_source
    copy = visitor.find_element(By.CSS_SELECTOR, ".js-copy")
    assert copy.is_displayed()  # site.js shows it where the clipboard can be used
    assert "988" in visitor.find_element(By.TAG_NAME, "footer").text
    assert_no_horizontal_scroll(visitor, "the memorial page")
    full_page_screenshot(visitor, shots / f"{size}-5-memorial.png")

    # The memorial's address is the one on the share links and in the page's own tags.
    page_url = visitor.current_url
    assert visitor.find_element(By.CSS_SELECTOR, "meta[property='og:url']").get_attribute("content") == page_url
    assert copy.get_attribute("data-copy") == page_url


def test_copy_link_puts_the_address_on_the_clipboard(live, browser_for):
    _, slug, _, _ = add_published_story(live)
    visitor = browser_for("desktop")
    visit(visitor, live.url + f"/stories/{slug}")
    visitor.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": live.url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    copy = visitor.find_element(By.CSS_SELECTOR, ".js-copy")
    copy.click()
    wait_for(visitor, lambda d: copy.text == "Link copied")
    copied = visitor.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, e => done('failed: ' + e));")
    assert copied == f"{live.url}/stories/{slug}"


def test_mistakes_are_shown_beside_the_field_and_nothing_typed_is_lost(live, browser_for, photo_file, shots):
    family = browser_for("phone")
    visit(family, live.url + "/stories/new")
    typed = fill_story_form(family, photo_path=photo_file, name=None, story="He was kind.",
                            content_note="describes the night he died")
    family.find_element(By.ID, "name_display-1").click()  # "First name only"
    click_and_wait(family, family.find_element(By.XPATH, "//button[normalize-space()='Send the story']"))

    # Still the form, with a summary and a message beside each field that needs attention.
    assert family.find_element(By.TAG_NAME, "h1").text == "Share their story"
    summary = family.find_element(By.ID, "form-errors")
    assert "Nothing has been lost" in summary.text
    assert error_beside(family, "name") == "Please tell us their name."
    assert "at least 50 characters" in error_beside(family, "story") or \
        "between 50 and 20,000" in error_beside(family, "story")
    assert len(family.find_elements(By.CSS_SELECTOR, "p.error:not([hidden])")) == 2
    assert_no_horizontal_scroll(family, "the form with mistakes")
    full_page_screenshot(family, shots / "phone-6-form-errors.png")

    # Everything typed is still there.
    for field_id in ("nickname", "born", "died", "city", "photo_alt", "content_note", "story",
                     "submitter_name", "relationship", "email"):
        assert value_of(family, field_id) == typed[field_id], field_id
    assert value_of(family, "name") == ""
    assert Select(family.find_element(By.ID, "state")).first_selected_option.text == "Ohio"
    assert family.find_element(By.ID, "name_display-1").is_selected()
    assert family.find_element(By.ID, "consent").is_selected()
    # A browser can't keep a chosen file: the family is told to choose it again.
    assert "choose the photo again" in family.find_element(By.CSS_SELECTOR, ".note").text

    # Nothing was saved or sent.
    with live.context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Story)) == 0
    assert live.outbox() == []
    assert not list(live.instance.glob("photos/*"))

    # They fix both, choose the photo again, and the story goes through with every other value intact.
    type_into(family, "name", "Daniel James Rivera")
    type_into(family, "story", STORY)
    family.find_element(By.ID, "photo").send_keys(str(photo_file))
    click_and_wait(family, family.find_element(By.XPATH, "//button[normalize-space()='Send the story']"))
    assert family.find_element(By.TAG_NAME, "h1").text == "Thank you for sharing their story"
    with live.context():
        story = db.session.scalars(db.select(Story)).one()
        version = story.latest_version
        assert (version.name, version.nickname, version.name_display) == ("Daniel James Rivera", "Danny", "first")
        assert (version.born, version.died) == (date(1998, 3, 14), date(2023, 7, 2))
        assert (version.city, version.state_code, version.content_note) == \
            ("Dayton", "OH", "describes the night he died")
        assert version.photo is not None


def test_family_withdraws_after_confirming_and_the_memorial_is_gone(live, browser_for, shots):
    story_id, slug, token, photo_names = add_published_story(live)
    memorial_url = f"{live.url}/stories/{slug}"
    assert http_status(memorial_url) == 200
    assert all(http_status(f"{live.url}/stories/photos/{name}") == 200 for name in photo_names)

    family = browser_for("phone")
    visit(family, f"{live.url}/stories/manage/{token}")
    assert family.find_element(By.TAG_NAME, "h1").text == "Your story about Daniel James Rivera"
    assert value_of(family, "story") == STORY
    assert_no_horizontal_scroll(family, "the family's manage page")
    full_page_screenshot(family, shots / "phone-7-manage.png")

    # The first press only asks; "No, keep the story" goes back and changes nothing.
    click_and_wait(family, family.find_element(By.CSS_SELECTOR, "button[name=action][value=withdraw]"))
    assert family.find_element(By.TAG_NAME, "h1").text == "Withdraw Daniel James Rivera's story?"
    assert_no_horizontal_scroll(family, "the withdraw confirmation")
    full_page_screenshot(family, shots / "phone-8-withdraw-confirm.png")
    click_and_wait(family, family.find_element(By.LINK_TEXT, "No, keep the story"))
    assert family.find_element(By.TAG_NAME, "h1").text == "Your story about Daniel James Rivera"
    assert http_status(memorial_url) == 200

    # Then they do withdraw it.
    click_and_wait(family, family.find_element(By.CSS_SELECTOR, "button[name=action][value=withdraw]"))
    click_and_wait(family, family.find_element(By.XPATH, "//button[normalize-space()='Yes, delete it for good']"))
    assert family.find_element(By.TAG_NAME, "h1").text == "The story has been deleted"

    # The memorial, its photos and the private link are gone, kindly.
    assert http_status(memorial_url) == 404
    assert all(http_status(f"{live.url}/stories/photos/{name}") == 404 for name in photo_names)
    visitor = browser_for("phone")
    visit(visitor, memorial_url)
    assert visitor.find_element(By.TAG_NAME, "h1").text == "We couldn't find that page"
    visit(visitor, live.url + "/stories/")
    assert visitor.find_elements(By.CSS_SELECTOR, ".story-card") == []
    visit(family, f"{live.url}/stories/manage/{token}")
    assert family.find_element(By.TAG_NAME, "h1").text == "We couldn't find a story for this link"
    assert http_status(f"{live.url}/stories/manage/{token}") == 404
    with live.context():
        assert db.session.get(Story, story_id) is None
    assert not any((live.instance / "photos" / name).exists() for name in photo_names)


def test_no_content_security_policy_violations_on_desktop(live, browser_for):
    add_moderator(live)
    story_id, slug, token, _ = add_published_story(live)
    with live.context():
        waiting, _ = factories.make_story(name="Alice Waiting")
        db.session.commit()
        waiting_id = waiting.id

    browser = browser_for("desktop")
    pages = ["/", "/stories/", "/stories/new", f"/stories/{slug}", f"/stories/manage/{token}",
             "/moderate/login"]
    problems = {}
    for path in pages:
        visit(browser, live.url + path)
        problems[path] = browser.get_log("browser")
    # A form sent back with mistakes, too.
    visit(browser, live.url + "/stories/new")
    browser.get_log("browser")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Send the story']"))
    problems["/stories/new (with mistakes)"] = browser.get_log("browser")

    sign_in_moderator(browser, live)
    problems["/moderate/"] = browser.get_log("browser")
    for path in (f"/moderate/stories/{waiting_id}", f"/moderate/stories/{story_id}", "/moderate/log"):
        visit(browser, live.url + path)
        problems[path] = browser.get_log("browser")

    csp = {path: [entry["message"] for entry in entries
                  if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]]
           for path, entries in problems.items()}
    assert csp == {path: [] for path in problems}
    # Nothing else went wrong in the console either (the browser's own favicon request aside).
    errors = {path: [entry["message"] for entry in entries
                     if entry["level"] == "SEVERE"]
              for path, entries in problems.items()}
    assert errors == {path: [] for path in problems}


# Layout problems found in the browser and fixed; these keep them fixed ----------------------------

def test_a_long_link_in_a_story_does_not_widen_the_page_on_a_phone(live, browser_for):
    with live.context():
        story, _ = submit_story(StoryInput(
            name="Daniel James Rivera", died=date(2023, 7, 2), email="maria@example.org",
            story_markdown=STORY + "\n\nPhotos from his service: https://drive.google.com/drive/folders/"
                                   "1Xq7ZbKpL0mW3nRtYvUe9sAoIj2HgFdCcB?usp=sharing"), None)
        db.session.commit()
        factories.publish(story)
        slug = story.slug
    visitor = browser_for("phone")
    visit(visitor, f"{live.url}/stories/{slug}")
    assert_no_horizontal_scroll(visitor, "a memorial with a long link")


def test_buttons_that_delete_or_reject_look_different_from_the_main_action(live, browser_for):
    add_moderator(live)
    _, _, token, _ = add_published_story(live)
    with live.context():
        waiting, _ = factories.make_story(name="Alice Waiting")
        db.session.commit()
        waiting_id = waiting.id
    browser = browser_for("desktop")

    def background(element):
        return browser.execute_script("return getComputedStyle(arguments[0]).backgroundColor", element)

    visit(browser, f"{live.url}/stories/manage/{token}")
    send = browser.find_element(By.XPATH, "//button[normalize-space()='Send my changes']")
    withdraw = browser.find_element(By.CSS_SELECTOR, "button[name=action][value=withdraw]")
    assert background(withdraw) != background(send)

    sign_in_moderator(browser, live)
    visit(browser, f"{live.url}/moderate/stories/{waiting_id}")
    approve, changes, reject = (browser.find_element(By.CSS_SELECTOR, f"button[value={value}]")
                                for value in ("approve", "request_changes", "reject"))
    assert background(reject) != background(approve)
    assert background(changes) != background(approve)


SPANISH_STORY = ("Danny amaba pescar con su abuelo, los panqueques quemados de los domingos y a los Lions "
                 "de Detroit en cada temporada perdida.\n\nLlamaba a su mamá todas las noches a las nueve.")


def test_a_family_shares_a_story_in_spanish_on_a_phone(live, browser_for, shots):
    family = browser_for("phone")
    visit(family, live.url + "/es/stories/new")
    assert family.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert family.find_element(By.TAG_NAME, "h1").text == "Comparta la historia de su ser querido"
    # A Spanish page proposes Spanish as the story's language; each choice is named in its own language.
    spanish = family.find_element(By.ID, "language-1")
    assert spanish.is_selected() and spanish.get_attribute("value") == "es"
    assert family.find_element(By.CSS_SELECTOR, "label[for='language-1']").get_attribute("lang") == "es"
    assert "(marque 2 para español)" in family.find_element(By.CSS_SELECTOR, "footer .crisis").text

    # First try: no name, a story too short.
    fill_story_form(family, name=None, story="Era muy bueno.", relationship="madre")
    click_and_wait(family, family.find_element(By.XPATH, "//button[normalize-space()='Enviar la historia']"))
    summary = family.find_element(By.ID, "form-errors")
    assert family.switch_to.active_element == summary  # the summary takes focus, so it is read first
    assert "Por favor, revise los campos marcados abajo." in summary.text
    assert "No se ha perdido nada: todo lo que escribió sigue aquí." in summary.text
    assert family.title.startswith("Error: Compartir una historia")
    assert error_beside(family, "name") == "Por favor, díganos el nombre de su ser querido."
    assert error_beside(family, "story") == "Por favor, escriba entre 50 y 20,000 caracteres."
    links = [a.get_attribute("href").rsplit("#", 1)[1] for a in summary.find_elements(By.TAG_NAME, "a")]
    assert links == ["name", "story"]
    assert family.find_element(By.ID, "language-1").is_selected()
    assert value_of(family, "relationship") == "madre"
    assert_no_horizontal_scroll(family, "the Spanish form with mistakes")
    full_page_screenshot(family, shots / "phone-es-form-errors.png")

    # They fix both and send: the Spanish thank-you page, with the private link under /es/.
    type_into(family, "name", "Daniel James Rivera")
    type_into(family, "story", SPANISH_STORY)
    click_and_wait(family, family.find_element(By.XPATH, "//button[normalize-space()='Enviar la historia']"))
    assert family.find_element(By.TAG_NAME, "h1").text == "Gracias por compartir su historia"
    assert family.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    link = family.find_element(By.CSS_SELECTOR, ".private-link a").text
    assert re.match(re.escape(live.url) + r"/es/stories/manage/[A-Za-z0-9_-]{40,}$", link)
    assert_no_horizontal_scroll(family, "the Spanish thank-you page")
    full_page_screenshot(family, shots / "phone-es-thanks.png")

    with live.context():
        story = db.session.scalars(db.select(Story)).one()
        assert story.family_language == "es" and story.latest_version.language == "es"
        assert story.latest_version.relationship_to == "madre"
    [mail] = [m for m in live.outbox() if m["To"] == "maria@example.org"]
    assert mail["Subject"] == "Recibimos su historia sobre Daniel James Rivera"
