"""Remembering together in a real browser (headless Chromium), mostly on a phone: a visitor reads a story
behind its content note, lights a candle, leaves a message and reports a concern; a moderator approves
and decides; the family hides a message. Every page visited is checked with axe-core.
"""
from __future__ import annotations

import os
from datetime import date

import pytest

from memorials.community.models import Condolence, Report
from memorials.extensions import db
from memorials.letters.models import Campaign
from memorials.stories.models import Story
from memorials.stories.services import StoryInput, submit_story

from . import factories
from .browser import assert_accessible, new_driver, page_overflow, quit_driver, require_browser, visit
from .test_browser import (STORY, add_moderator, assert_no_horizontal_scroll, browser_for, click_and_wait,  # noqa: F401
                           fill_story_form, live, sign_in_moderator, type_into, value_of, wait_for)

pytestmark = pytest.mark.browser

if os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402


def add_memorial(live, **overrides):
    """A published memorial without a photo, set up directly. Returns (slug, private token)."""
    values = dict(name="Daniel James Rivera", nickname="Danny", died=date(2023, 7, 2), born=date(1998, 3, 14),
                  story_markdown=STORY, email="maria@example.org", city="Dayton", state_code="OH",
                  content_note="describes the night he died", submitter_name="Maria Rivera",
                  relationship_to="mother")
    values.update(overrides)
    with live.context():
        story, token = submit_story(StoryInput(**values), None)
        factories.publish(story)
        return story.slug, token


def button(driver, text):
    return driver.find_element(By.XPATH, f"//button[normalize-space()=\"{text}\"]")


def focused_id(driver):
    return driver.execute_script("return document.activeElement && document.activeElement.id")


def test_on_a_phone_a_visitor_reads_lights_a_candle_and_leaves_a_message(live, browser_for):
    slug, token = add_memorial(live)
    add_moderator(live)
    visitor = browser_for("phone")
    visit(visitor, f"{live.url}/stories/{slug}")

    # The story waits behind its content note until the reader chooses to read on.
    story = visitor.find_element(By.CSS_SELECTOR, ".memorial-story")
    assert not story.is_displayed()
    summary = visitor.find_element(By.CSS_SELECTOR, "details.content-note > summary")
    assert "Content note: describes the night he died" in summary.text and "Read the story" in summary.text
    # Without a photo the header is a few lines, not a screen-tall placeholder; the dates say what they are.
    header = visitor.find_element(By.CSS_SELECTOR, ".memorial-header")
    assert header.size["height"] < 300
    assert visitor.find_element(By.CSS_SELECTOR, ".memorial-dates").text == \
        "born March 14, 1998 — died July 2, 2023 · 25 years old"
    summary.click()
    wait_for(visitor, lambda d: story.is_displayed())
    assert "burnt pancakes on Sundays" in story.text
    assert_accessible(visitor, "the memorial with its story open")
    assert_no_horizontal_scroll(visitor, "the memorial")

    # A candle: one press, counted, and the page says so.
    assert visitor.find_element(By.CSS_SELECTOR, ".candle-count").text == "No candles yet. You can light the first one."
    click_and_wait(visitor, button(visitor, "Light a candle"))
    assert visitor.current_url.endswith("#candles")
    assert visitor.find_element(By.CSS_SELECTOR, ".candle-count").text == \
        "1 candle has been lit for Daniel James Rivera."
    assert "Your candle for Daniel James Rivera is lit" in visitor.find_element(By.CSS_SELECTOR, "#candles").text
    assert not visitor.find_elements(By.XPATH, "//button[normalize-space()='Light a candle']")

    # The form is folded behind a button (issue 18): opened, then sent empty, the title says Error, the summary
    # takes focus and links to each field.
    visitor.find_element(By.CSS_SELECTOR, "#leave-message > summary").click()
    click_and_wait(visitor, button(visitor, "Send your message"))
    assert visitor.title.startswith("Error:")
    assert focused_id(visitor) == "form-errors"
    links = [a.get_attribute("href").rsplit("#", 1)[1]
             for a in visitor.find_elements(By.CSS_SELECTOR, "#form-errors a")]
    assert links == ["name", "message"]
    visitor.find_element(By.CSS_SELECTOR, "#form-errors a[href$='#message']").click()
    assert focused_id(visitor) == "message"
    assert visitor.find_element(By.ID, "message-error").text == "Please write a few words for the family."
    assert_no_horizontal_scroll(visitor, "the memorial with a message refused")

    type_into(visitor, "name", "Aunt Rosa")
    type_into(visitor, "message", "We miss him every day.\nHis laugh filled the kitchen.")
    click_and_wait(visitor, button(visitor, "Send your message"))
    assert not visitor.title.startswith("Error:")
    assert "Your message will appear here once a moderator has read it" in \
        visitor.find_element(By.ID, "guestbook-said").text
    assert "His laugh filled the kitchen." not in visitor.find_element(By.ID, "condolences").text

    # A moderator approves it from the messages tab.
    moderator = browser_for("desktop")
    sign_in_moderator(moderator, live)
    click_and_wait(moderator, moderator.find_element(By.PARTIAL_LINK_TEXT, "Messages (1)"))
    assert "His laugh filled the kitchen." in moderator.find_element(By.TAG_NAME, "main").text
    click_and_wait(moderator, button(moderator, "Approve the message from Aunt Rosa"))
    assert "No messages are waiting." in moderator.find_element(By.TAG_NAME, "main").text

    visit(visitor, f"{live.url}/stories/{slug}")
    message = visitor.find_element(By.CSS_SELECTOR, "#condolences .condolence")
    assert "We miss him every day.\nHis laugh filled the kitchen." in message.text
    assert "Aunt Rosa" in message.find_element(By.CSS_SELECTOR, ".condolence-by").text

    # The family hides it from their private page, at once.
    family = browser_for("phone")
    visit(family, f"{live.url}/stories/manage/{token}")
    hide = family.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Hide')]")
    assert hide.text == "Hide the message from Aunt Rosa"
    click_and_wait(family, hide)
    assert "is hidden" in family.find_element(By.CSS_SELECTOR, ".flashes").text
    assert_no_horizontal_scroll(family, "the family's page")
    visit(visitor, f"{live.url}/stories/{slug}")
    assert "His laugh filled the kitchen." not in visitor.find_element(By.TAG_NAME, "main").text
    with live.context():
        assert db.session.execute(db.select(Condolence.status)).scalar_one() == "hidden"


def test_on_a_phone_a_visitor_reports_a_concern_and_a_moderator_dismisses_it(live, browser_for):
    slug, _ = add_memorial(live, content_note=None)
    add_moderator(live)
    visitor = browser_for("phone")
    visit(visitor, f"{live.url}/stories/{slug}")
    click_and_wait(visitor, visitor.find_element(By.LINK_TEXT, "Report a concern about this memorial"))
    assert visitor.find_element(By.TAG_NAME, "h1").text == "Report a concern"
    type_into(visitor, "details", "This shares my address.")
    click_and_wait(visitor, button(visitor, "Send the report"))
    assert visitor.title.startswith("Error:") and focused_id(visitor) == "form-errors"
    assert value_of(visitor, "details") == "This shares my address."
    Select(visitor.find_element(By.ID, "reason")).select_by_visible_text("It shares private information")
    click_and_wait(visitor, button(visitor, "Send the report"))
    assert visitor.find_element(By.TAG_NAME, "h1").text == "Thank you for telling us"
    assert_no_horizontal_scroll(visitor, "the thank-you")

    moderator = browser_for("phone")
    sign_in_moderator(moderator, live)
    click_and_wait(moderator, moderator.find_element(By.PARTIAL_LINK_TEXT, "Reports (1)"))
    click_and_wait(moderator, moderator.find_element(By.LINK_TEXT, "Daniel James Rivera"))
    assert "This shares my address." in moderator.find_element(By.TAG_NAME, "main").text
    assert "burnt pancakes" in moderator.find_element(By.CSS_SELECTOR, ".review-preview").text
    click_and_wait(moderator, button(moderator, "Dismiss the report"))
    assert "Dismissed" in moderator.find_element(By.CSS_SELECTOR, ".flashes").text
    assert_no_horizontal_scroll(moderator, "the reports tab")
    with live.context():
        assert db.session.execute(db.select(Report.status)).scalar_one() == "dismissed"


def test_a_photo_too_large_is_announced_beside_the_field_and_the_words_are_kept(live, browser_for, tmp_path):
    big = tmp_path / "holiday.jpg"
    with open(big, "wb") as fh:  # 50 MB, as a phone's panorama can be (sparse: nothing is really written)
        fh.truncate(50 * 1024 * 1024)
    family = browser_for("phone")
    visit(family, live.url + "/stories/new")
    fill_story_form(family)
    family.find_element(By.ID, "photo").send_keys(str(big))
    message = family.find_element(By.ID, "photo-size-error")
    wait_for(family, lambda d: message.text)
    assert message.text == ("This photo is 50 MB, larger than the 10 MB we can take. "
                            "Please choose a smaller one: nothing you wrote is lost.")
    assert message.get_attribute("role") == "alert"
    photo = family.find_element(By.ID, "photo")
    assert "photo-size-error" in photo.get_attribute("aria-describedby").split()
    assert photo.get_attribute("aria-invalid") == "true" and photo.get_property("value") == ""
    assert message.find_element(By.XPATH, "ancestor::div[contains(@class,'field')][1]") == \
        photo.find_element(By.XPATH, "ancestor::div[contains(@class,'field')][1]")
    assert_accessible(family, "the story form with the photo refused")
    assert value_of(family, "story") == STORY

    # The story goes through without the photo; nothing typed was lost.
    click_and_wait(family, button(family, "Send the story"))
    assert family.find_element(By.TAG_NAME, "h1").text == "Thank you for sharing their story"
    with live.context():
        version = db.session.scalars(db.select(Story)).one().latest_version
        assert version.story_markdown == STORY.replace("\r\n", "\n") and version.photo is None


def test_the_story_counter_speaks_only_near_or_past_the_limit(live, browser_for):
    family = browser_for("desktop")
    visit(family, live.url + "/stories/new")
    live_region = family.find_element(By.ID, "story-count-live")
    counter = family.find_element(By.CSS_SELECTOR, "[data-counter-for=story]")
    type_into(family, "story", "He loved the lake.")
    assert counter.text == "18 characters: a few more words, please (at least 50)."
    assert live_region.text == "" and live_region.get_attribute("aria-live") == "polite"
    assert counter.get_attribute("aria-live") is None

    def set_length(n):
        family.execute_script("var f = document.getElementById('story'); f.value = 'x'.repeat(arguments[0]);"
                              "f.dispatchEvent(new Event('input', {bubbles: true}));", n)

    def announced():
        return family.execute_script("return document.getElementById('story-count-live').textContent")

    set_length(5000)
    assert counter.text == "5,000 characters." and announced() == ""
    set_length(19_501)
    assert announced() == "19,501 characters: 499 left, of 20,000."
    set_length(19_520)   # the next keystrokes, in the same hundred: nothing new is read out
    assert announced() == "19,501 characters: 499 left, of 20,000."
    assert counter.text == "19,520 characters: 480 left, of 20,000."
    set_length(20_050)
    assert announced() == "20,050 characters: please shorten to 20,000."
    set_length(19_000)
    assert announced() == "19,000 characters: 1,000 left, of 20,000."


def test_the_focus_ring_is_dark_amber_with_a_white_halo(live, browser_for):
    visitor = browser_for("desktop")
    visit(visitor, live.url + "/help")
    from selenium.webdriver.common.keys import Keys

    visitor.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    style = visitor.execute_script(
        "var s = getComputedStyle(document.activeElement);"
        "return [s.outlineColor, s.outlineStyle, s.outlineWidth, s.boxShadow];")
    assert style[:3] == ["rgb(138, 90, 0)", "solid", "3px"]
    assert "rgb(255, 255, 255)" in style[3]


def test_the_campaign_table_scrolls_in_its_own_box_at_320_pixels(live):
    require_browser()
    with live.context():
        factories.make_moderator(admin=True)
        db.session.add(Campaign(slug="a-long-campaign-address-that-does-not-break", status="live",
                                title="Stop fentanyl deaths in every state of the country", summary="s", ask="a",
                                letter_template="t"))
        db.session.commit()
    driver = new_driver((500, 800))
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 320, "height": 640, "deviceScaleFactor": 1, "mobile": True})
        sign_in_moderator(driver, live)
        visit(driver, live.url + "/moderate/campaigns/")
        assert driver.execute_script("return window.innerWidth") == 320
        overflow = page_overflow(driver)
        assert overflow["scrollWidth"] <= 320, overflow
        box = driver.find_element(By.CSS_SELECTOR, ".table-scroll")
        assert driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", box)
    finally:
        quit_driver(driver)


def test_the_help_page_names_its_two_crisis_boxes_apart(live, browser_for):
    visitor = browser_for("phone")
    visit(visitor, live.url + "/help")
    labels = [s.get_attribute("aria-label") for s in visitor.find_elements(By.CSS_SELECTOR, "section.crisis")]
    assert len(labels) == 2 and len(set(labels)) == 2


def test_a_memorial_without_a_photo_gives_the_name_the_whole_width_on_a_desktop(live, browser_for):
    slug, _ = add_memorial(live, content_note=None)
    visitor = browser_for("desktop")
    visit(visitor, f"{live.url}/stories/{slug}")
    heading = visitor.find_element(By.CSS_SELECTOR, ".memorial-heading")
    article = visitor.find_element(By.CSS_SELECTOR, "article.memorial")
    assert heading.size["width"] > 0.8 * article.size["width"]
    assert visitor.find_element(By.TAG_NAME, "h1").size["height"] < 80   # one line, not squeezed


def test_the_family_chooses_their_mail_and_a_note_can_be_stopped_and_started_again(live, browser_for):
    slug, token = add_memorial(live, content_note=None)
    family = browser_for("phone")
    visit(family, f"{live.url}/stories/manage/{token}")
    family.find_element(By.ID, "remembrance").click()
    click_and_wait(family, button(family, "Save these choices"))
    assert family.current_url.endswith("#guestbook") and "Saved" in family.find_element(By.CSS_SELECTOR, ".flashes").text
    assert family.find_element(By.ID, "remembrance").is_selected()
    with live.context():
        story = db.session.execute(db.select(Story)).scalar_one()
        assert story.remembrance is True
        from memorials.community.remembrance import stop_token
        stop = stop_token(story.id)
    visit(family, f"{live.url}/stories/remembrance/stop/{stop}")
    assert family.find_element(By.TAG_NAME, "h1").text == "We won't send these notes any more"
    click_and_wait(family, button(family, "Send the notes again"))
    assert family.find_element(By.TAG_NAME, "h1").text == "The remembrance notes will come again"
    with live.context():
        assert db.session.execute(db.select(Story.remembrance)).scalar_one() is True


def test_in_spanish_on_a_phone_a_visitor_lights_a_candle_leaves_a_message_and_reports_a_concern(live, browser_for):
    slug, _ = add_memorial(live, content_note=None)
    visitor = browser_for("phone")
    visit(visitor, f"{live.url}/es/stories/{slug}")
    assert visitor.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert visitor.find_element(By.CSS_SELECTOR, ".candle-count").text == \
        "Todavía no hay velas. Usted puede encender la primera."

    click_and_wait(visitor, button(visitor, "Encender una vela"))
    assert visitor.current_url == f"{live.url}/es/stories/{slug}#candles"
    assert visitor.find_element(By.CSS_SELECTOR, ".candle-count").text == \
        "1 vela encendida en memoria de Daniel James Rivera."
    assert "Gracias. Su vela en memoria de Daniel James Rivera está encendida." in \
        visitor.find_element(By.CSS_SELECTOR, "#candles").text
    assert_no_horizontal_scroll(visitor, "the Spanish memorial")

    # Opened, then sent empty: the summary takes focus, in Spanish, and leads to the field.
    visitor.find_element(By.CSS_SELECTOR, "#leave-message > summary").click()
    click_and_wait(visitor, button(visitor, "Enviar su mensaje"))
    assert focused_id(visitor) == "form-errors"
    visitor.find_element(By.CSS_SELECTOR, "#form-errors a[href$='#message']").click()
    assert focused_id(visitor) == "message"
    assert visitor.find_element(By.ID, "message-error").text == "Por favor, escriba unas palabras para la familia."
    type_into(visitor, "name", "Tía Rosa")
    type_into(visitor, "message", "Te extrañamos cada día.\nSu risa llenaba la cocina.")
    click_and_wait(visitor, button(visitor, "Enviar su mensaje"))
    assert visitor.current_url.startswith(f"{live.url}/es/stories/{slug}")
    assert "Gracias. Su mensaje aparecerá aquí cuando el equipo de moderación lo haya leído" in \
        visitor.find_element(By.ID, "guestbook-said").text
    with live.context():
        assert db.session.execute(db.select(Condolence.name, Condolence.status)).one() == ("Tía Rosa", "pending")

    click_and_wait(visitor, visitor.find_element(By.LINK_TEXT, "Avísenos de un problema con este homenaje"))
    assert visitor.find_element(By.TAG_NAME, "h1").text == "Avísenos de un problema"
    Select(visitor.find_element(By.ID, "reason")).select_by_visible_text("Muestra información privada")
    type_into(visitor, "details", "Muestra mi dirección.")
    click_and_wait(visitor, button(visitor, "Enviar el aviso"))
    assert visitor.find_element(By.TAG_NAME, "h1").text == "Gracias por avisarnos"
    assert_no_horizontal_scroll(visitor, "the Spanish thank-you")
    with live.context():
        assert db.session.execute(db.select(Report.reason, Report.details)).one() == \
            ("private_information", "Muestra mi dirección.")
