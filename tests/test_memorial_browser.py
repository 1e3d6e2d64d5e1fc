"""The memorial as a place, in headless Chromium: the hero at phone and desktop width, by keyboard, the folded forms
(a refused message opens again with the summary focused), the lightbox, the wall, the family's page, the preview,
the moderators' new tabs, Spanish, 320 px, and the print view counted in PDF pages on A4 and US Letter. Every page
visited is checked with axe-core (0 violations)."""
from __future__ import annotations

import os

import pytest

from bench.demo import make_demo
from bench.screenshots import pdf_pages

from .browser import assert_accessible, click_and_wait, page_overflow, type_into, visit
from .test_browser import browser_for, live, sign_in_moderator, wait_for  # noqa: F401
from .test_browser import add_moderator

pytestmark = pytest.mark.browser

if os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402


@pytest.fixture
def demo(live):
    """A memorial with a photo, a twelve-photo gallery, 50 messages, memories and candles; one without a photo
    whose story is 300 words; a few more with photos."""
    with live.context(), live.app.test_request_context("/"):
        made = make_demo(others=4)
        return {"rich": made.rich.slug, "plain": made.plain.slug, "token": made.rich_token,
                "plain_token": made.plain_token}


def focused(driver):
    return driver.execute_script("return document.activeElement")


def no_sideways_scroll(driver, where):
    overflow = page_overflow(driver)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], f"{where} scrolls sideways: {overflow}"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_memorial_is_a_warm_place_at_every_width(live, browser_for, demo, size):
    visitor = browser_for(size)
    visit(visitor, f"{live.url}/stories/{demo['rich']}")
    width = visitor.execute_script("return window.innerWidth")
    photo = visitor.find_element(By.CSS_SELECTOR, "img.memorial-photo")
    wait_for(visitor, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", photo))
    name = visitor.find_element(By.TAG_NAME, "h1")
    assert "DejaVu Serif Web" in name.value_of_css_property("font-family")
    assert visitor.find_element(By.CSS_SELECTOR, ".in-memory").text == "In loving memory"
    story = visitor.find_element(By.CSS_SELECTOR, ".memorial-story")
    side = visitor.find_element(By.CSS_SELECTOR, ".memorial-side")
    if size == "phone":
        assert photo.size["width"] >= width - 40                   # full width, less the page's margins
        assert side.location["y"] > story.location["y"]            # one column: the story first
    else:
        assert 420 <= photo.size["width"] <= 480
        # The width is used: the story with a side column beside it, not a left column and an empty right half.
        assert side.location["x"] > story.location["x"] + story.size["width"]
        assert side.location["x"] + side.size["width"] > 0.75 * width
        assert story.size["width"] <= 680                          # a comfortable reading measure
    share = visitor.find_element(By.ID, "share-title")
    assert share.location["y"] < story.location["y"]              # sharing near the top
    assert len(visitor.find_elements(By.CSS_SELECTOR, ".candle-lights svg")) == 24
    no_sideways_scroll(visitor, "the memorial")


def test_by_keyboard_a_refused_message_opens_again_with_the_summary_focused_and_the_words_kept(live, browser_for, demo):
    visitor = browser_for("phone")
    visit(visitor, f"{live.url}/stories/{demo['rich']}")
    summary = visitor.find_element(By.CSS_SELECTOR, "#leave-message > summary")
    form = visitor.find_element(By.CSS_SELECTOR, ".condolence-form")
    assert not form.is_displayed()                                  # folded behind a button
    visitor.execute_script("arguments[0].focus()", summary)
    summary.send_keys(Keys.ENTER)                                   # opened by keyboard
    wait_for(visitor, lambda d: form.is_displayed())
    type_into(visitor, "message", "We miss him every day.\nHis laugh filled the kitchen.")
    click_and_wait(visitor, visitor.find_element(By.XPATH, "//button[normalize-space()='Send your message']"))
    assert visitor.title.startswith("Error:")
    assert focused(visitor).get_attribute("id") == "form-errors"
    assert visitor.find_element(By.ID, "leave-message").get_attribute("open") is not None
    assert visitor.find_element(By.ID, "message").get_property("value") == \
        "We miss him every day.\nHis laugh filled the kitchen."
    assert visitor.find_element(By.ID, "name-error").text == "Please tell the family who the message is from."
    assert visitor.find_element(By.ID, "share-memory").get_attribute("open") is None
    no_sideways_scroll(visitor, "the memorial with a message refused")


def test_a_memory_is_shared_through_its_folded_form(live, browser_for, demo):
    visitor = browser_for("desktop")
    visit(visitor, f"{live.url}/stories/{demo['rich']}")
    visitor.find_element(By.CSS_SELECTOR, "#share-memory > summary").click()
    # Sent without a name: the memory's form opens again, its summary focused (the message form stays folded).
    type_into(visitor, "memory", "He never missed a practice.")
    click_and_wait(visitor, visitor.find_element(By.XPATH, "//button[normalize-space()='Share your memory']"))
    assert focused(visitor).get_attribute("id") == "form-errors"
    assert visitor.find_element(By.ID, "memory-name-error").text == "Please tell the family who is sharing this memory."
    assert visitor.find_element(By.ID, "leave-message").get_attribute("open") is None
    type_into(visitor, "memory-name", "Coach Miller")
    type_into(visitor, "memory", "He never missed a practice.\n\nNot once, in four years.")
    click_and_wait(visitor, visitor.find_element(By.XPATH, "//button[normalize-space()='Share your memory']"))
    assert visitor.current_url.endswith("#memories-said")
    assert "Thank you for sharing your memory" in visitor.find_element(By.ID, "memories-said").text


def test_the_gallery_opens_in_a_lightbox_moved_by_arrows_and_closed_with_escape(live, browser_for, demo):
    visitor = browser_for("desktop")
    visit(visitor, f"{live.url}/stories/{demo['rich']}")
    thumbs = visitor.find_elements(By.CSS_SELECTOR, ".gallery-link")
    assert len(thumbs) == 12
    assert "/photos/" in thumbs[0].get_attribute("href")             # a plain link without script
    visitor.execute_script("arguments[0].scrollIntoView({block: 'center'})", thumbs[0])
    thumbs[0].send_keys(Keys.ENTER)
    dialog = visitor.find_element(By.CSS_SELECTOR, "dialog.lightbox")
    wait_for(visitor, lambda d: dialog.get_attribute("open") is not None)
    image = dialog.find_element(By.TAG_NAME, "img")
    first = image.get_attribute("src")
    assert image.get_attribute("alt") == "Danny and his family, photo 1"
    assert_accessible(visitor, "the lightbox")
    focused(visitor).send_keys(Keys.ARROW_RIGHT)
    wait_for(visitor, lambda d: image.get_attribute("src") != first)
    assert image.get_attribute("alt") == "Danny and his family, photo 2"
    focused(visitor).send_keys(Keys.ESCAPE)
    wait_for(visitor, lambda d: dialog.get_attribute("open") is None)
    # Focus goes back to the thumbnail of the photo last seen.
    wait_for(visitor, lambda d: focused(d).get_attribute("href") == thumbs[1].get_attribute("href"))
    # Without the lightbox, the photo's own page.
    visit(visitor, thumbs[0].get_attribute("href"))
    assert "Photo 1 of 12" in visitor.find_element(By.TAG_NAME, "main").text


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_list_and_the_wall_at_every_width(live, browser_for, demo, size):
    visitor = browser_for(size)
    visit(visitor, f"{live.url}/stories/")
    assert visitor.find_elements(By.CSS_SELECTOR, ".story-card-counts")
    no_sideways_scroll(visitor, "the list")
    click_and_wait(visitor, visitor.find_element(By.LINK_TEXT, "See the wall of faces"))
    faces = visitor.find_elements(By.CSS_SELECTOR, ".face img")
    assert len(faces) == 5 and faces[0].get_attribute("alt")
    no_sideways_scroll(visitor, "the wall")
    visit(visitor, f"{live.url}/stories/wall?state=TX")
    assert "No memorial with a photo yet." in visitor.find_element(By.TAG_NAME, "main").text


def test_at_320_pixels_nothing_scrolls_sideways(live, browser_for, demo):
    visitor = browser_for((320, 700))
    for path in (f"/stories/{demo['rich']}", f"/stories/{demo['plain']}", "/stories/", "/stories/wall", "/",
                 f"/stories/manage/{demo['token']}", f"/es/stories/{demo['rich']}"):
        visit(visitor, live.url + path)
        no_sideways_scroll(visitor, path)


def test_the_family_page_preview_and_an_invitation(live, browser_for, demo):
    family = browser_for("phone")
    visit(family, f"{live.url}/stories/manage/{demo['token']}")
    no_sideways_scroll(family, "the family's page")
    click_and_wait(family, family.find_element(By.LINK_TEXT, "See how the memorial looks"))
    assert "This is a preview, for you only." in family.find_element(By.CSS_SELECTOR, ".preview-banner").text
    no_sideways_scroll(family, "the preview")
    visit(family, f"{live.url}/stories/manage/{demo['token']}")
    type_into(family, "steward_email", "not an address")
    click_and_wait(family, family.find_element(By.XPATH, "//button[normalize-space()='Send them their own link']"))
    assert focused(family).get_attribute("id") == "form-errors"
    type_into(family, "steward_email", "tia@example.org")
    click_and_wait(family, family.find_element(By.XPATH, "//button[normalize-space()='Send them their own link']"))
    assert "We have sent tia@example.org their own private link." in family.find_element(By.CSS_SELECTOR, ".flashes").text
    assert "tia@example.org" in family.find_element(By.ID, "access").text


def test_the_moderators_new_tabs(live, browser_for, demo):
    add_moderator(live)
    moderator = browser_for("desktop")
    sign_in_moderator(moderator, live)
    for tab in ("Memories (0)", "Photos (0)"):
        click_and_wait(moderator, moderator.find_element(By.PARTIAL_LINK_TEXT, tab.split(" ")[0]))
        assert moderator.find_element(By.CSS_SELECTOR, ".queue-tabs a[aria-current=page]").text == tab


def test_in_spanish_the_memorial_reads_in_spanish(live, browser_for, demo):
    visitor = browser_for("desktop")
    visit(visitor, f"{live.url}/es/stories/{demo['rich']}")
    assert visitor.find_element(By.CSS_SELECTOR, ".in-memory").text == "En memoria de"
    assert visitor.find_element(By.CSS_SELECTOR, "#share-memory > summary").text.startswith("Compartir un recuerdo")
    assert visitor.find_element(By.CSS_SELECTOR, "#leave-message > summary").text.startswith("Deje un mensaje")


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_300_word_story_without_a_gallery_prints_on_one_page(live, browser_for, demo, paper):
    printer = browser_for("desktop")
    pages, data = pdf_pages(printer, f"{live.url}/stories/{demo['plain']}", paper)
    assert data.startswith(b"%PDF") and pages == 1, pages
    # And the print shows what a keepsake needs, nothing to press.
    printer.get(f"{live.url}/stories/{demo['plain']}")
    printer.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    visible = printer.execute_script("""
        return Array.from(document.querySelectorAll('button, form, nav, footer, .share, .candles'))
          .filter(e => e.getClientRects().length && getComputedStyle(e).display !== 'none').length""")
    assert visible == 0
    assert printer.find_element(By.TAG_NAME, "h1").is_displayed()
    assert printer.find_element(By.CSS_SELECTOR, ".memorial-story").is_displayed()


def test_the_story_form_gives_each_chosen_photo_its_own_row_of_words(live, browser_for, tmp_path):
    from .factories import image_bytes

    pictures = []
    for n in range(2):
        path = tmp_path / f"photo-{n}.jpg"
        path.write_bytes(image_bytes(size=(64, 64)))
        pictures.append(str(path))
    family = browser_for("phone")
    visit(family, f"{live.url}/stories/new")
    rows = family.find_elements(By.CSS_SELECTOR, "[data-gallery-row]")
    assert len(rows) == 12 and not any(row.is_displayed() for row in rows)
    family.find_element(By.ID, "photos").send_keys("\n".join(pictures))
    shown = [row for row in rows if row.is_displayed()]
    assert len(shown) == 2 and "(photo-1.jpg)" in shown[1].text
    assert_accessible(family, "the story form with two photos chosen")
    no_sideways_scroll(family, "the story form with two photos chosen")
