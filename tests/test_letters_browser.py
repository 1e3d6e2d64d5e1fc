"""Letters to Congress in a real browser (headless Chromium): the phone flow from a memorial to a letter,
editing a letter, downloading its PDF, calling, copying, and the split-ZIP question's error.

Every page visited is checked with axe-core (visit, and click_and_wait after each click that loads a page).
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from memorials.extensions import db
from memorials.letters import importer, snapshot
from memorials.letters.models import Campaign, LetterCount

from . import factories
from .browser import (DESKTOP, PHONE, LiveServer, assert_accessible, click_and_wait, full_page_screenshot,
                      new_driver, quit_driver, require_browser, type_into, visit)

pytestmark = pytest.mark.browser

if os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "letters"
NOTE = "My friend Danny was the funniest person I knew."


@pytest.fixture
def live(tmp_path):
    """The app on loopback with the fixture members, ZIP codes, one live campaign and one published memorial."""
    require_browser()
    server = LiveServer(tmp_path)
    with server.context():
        importer.import_legislators([str(FIXTURES / "legislators-current.yaml"),
                                     str(FIXTURES / "legislators-territories.yaml"),
                                     str(FIXTURES / "legislators-district-offices.yaml")])
        importer.import_zip_districts([str(FIXTURES / "zccd.csv"), str(snapshot.ISLANDS)])
        snapshot.load_campaigns()
        # One live campaign (the shipped one with the longest ask), so the memorial opens its form directly.
        campaigns = db.session.execute(db.select(Campaign).order_by(Campaign.position)).scalars().all()
        for campaign in campaigns[1:]:
            campaign.status = "draft"
        db.session.commit()
        story, _ = factories.make_story()
        factories.publish(story)
        server.slug = story.slug
        server.campaign = campaigns[0].slug
    server.start()
    yield server
    server.stop()


@pytest.fixture
def browser_for(live):
    drivers = []

    def open_browser(size):
        driver = new_driver(size)
        drivers.append(driver)
        return driver

    yield open_browser
    for driver in drivers:
        quit_driver(driver)


def shot(driver, name: str) -> None:
    """A full-page screenshot in BROWSER_SCREENSHOTS, when it is set (to look at the pages by eye)."""
    if os.environ.get("BROWSER_SCREENSHOTS"):
        full_page_screenshot(driver, Path(os.environ["BROWSER_SCREENSHOTS"]) / f"letters-{name}.png")


def wait_for(driver, condition, timeout=10):
    return WebDriverWait(driver, timeout).until(condition)










def button(driver, text):
    return driver.find_element(By.XPATH, f"//button[normalize-space()=\"{text}\"]")


def in_first_screen(driver, element) -> bool:
    return driver.execute_script("const box = arguments[0].getBoundingClientRect();"
                                 "return box.top >= 0 && box.bottom <= window.innerHeight;", element)


def test_phone_letter_in_memory_edited_called_and_downloaded_as_pdf(live, browser_for, tmp_path, monkeypatch):
    from memorials.letters import pdf

    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [])  # the server runs in this process: a PDF we can read back
    phone = browser_for(PHONE)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    phone.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})

    # From the memorial to the letter form, with the memorial attached.
    visit(phone, f"{live.url}/stories/{live.slug}")
    click_and_wait(phone, phone.find_element(By.LINK_TEXT, "Write a letter in Daniel James Rivera's memory"))
    assert phone.current_url == f"{live.url}/letters/{live.campaign}?memorial={live.slug}"
    assert "Your letters will be written in memory of Daniel James Rivera." in phone.page_source.replace(
        '<a href="/stories/' + live.slug + '">', "").replace("</a>", "")

    # Phone first: the ask is folded, and the ZIP field is on the first screen with a numeric keyboard.
    ask = phone.find_element(By.CSS_SELECTOR, "details.campaign-ask")
    assert ask.get_attribute("open") is None
    zip_field = phone.find_element(By.ID, "zip")
    assert in_first_screen(phone, zip_field), "the ZIP field is below the first screen at 390x844"
    assert (zip_field.get_attribute("inputmode"), zip_field.get_attribute("autocomplete")) == ("numeric", "postal-code")

    shot(phone, "1-form")
    zip_field.send_keys("05401")
    type_into(phone, "sender_name", "Maria Lopez")
    type_into(phone, "sender_address", "12 Elm Street")
    type_into(phone, "sender_city", "Burlington")
    assert phone.find_element(By.ID, "relation").get_attribute("value") == ""
    type_into(phone, "relation", "friend")
    type_into(phone, "personal_note", NOTE)
    click_and_wait(phone, button(phone, "Write my letters"))

    assert phone.find_element(By.TAG_NAME, "h1").text == "Your 3 letters are ready"
    shot(phone, "2-letters")
    sanders = phone.find_element(By.ID, "letter-S000033")
    # On a phone the letters are folded one at a time (issue 19): open the letter to Senator Sanders from the list.
    phone.find_element(By.CSS_SELECTOR, ".letters-contents a[href='#letter-S000033']").click()
    body = sanders.find_element(By.CSS_SELECTOR, ".letter-body")
    wait_for(phone, lambda d: body.is_displayed())
    assert "Daniel James Rivera, my friend, died at 25 in Dayton, Ohio, in 2023." in body.text
    assert NOTE in body.text
    overflow = phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the letters page is {overflow}px wider than the phone"

    # Edit the letter to Senator Sanders in place: the letter on the page follows as the words are typed.
    edit = sanders.find_element(By.CSS_SELECTOR, "details.letter-edit")
    summary = edit.find_element(By.TAG_NAME, "summary")
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    box = edit.find_element(By.TAG_NAME, "textarea")
    box.clear()
    box.send_keys("Senator, these are my own words now.\n\nPlease act before another family loses someone.")
    wait_for(phone, lambda d: "these are my own words now" in body.text)
    assert "My friend Daniel" not in body.text
    assert_accessible(phone, "the letters page while editing")

    # Download that letter as a PDF: it carries the edited words.
    download = button(phone, "Download the letter to Senator Sanders (PDF)")
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", download)
    download.click()
    deadline = time.time() + 15
    while time.time() < deadline and not [p for p in downloads.glob("*.pdf")]:
        time.sleep(0.2)
    [saved] = list(downloads.glob("*.pdf"))
    data = saved.read_bytes()
    assert data.startswith(b"%PDF") and saved.name == f"letter-{live.campaign}-sanders.pdf"
    from .test_letters import pdf_pages, pdf_text

    assert pdf_pages(data) == 1 and "these are my own words now" in pdf_text(data)

    # "I called": counted without leaving the page, said in a live region.
    called = button(phone, "I called Senator Sanders")
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", called)
    called.click()
    status = phone.find_element(By.ID, "called-S000033")
    wait_for(phone, lambda d: "Your call is counted" in status.text)
    assert status.get_attribute("role") == "status" and called.get_attribute("disabled")
    with live.context():
        assert db.session.execute(db.select(LetterCount.state, LetterCount.calls, LetterCount.letters)).all() == \
            [("VT", 1, 3)]
    assert_accessible(phone, "the letters page after a call")
    shot(phone, "3-called")

    # The memorial counts the letters written in its memory.
    visit(phone, f"{live.url}/stories/{live.slug}")
    assert "3 letters to lawmakers have been written in their memory." in phone.find_element(
        By.CSS_SELECTOR, ".memorial-letters").text


def test_change_my_letter_and_copy_it_on_a_desktop(live, browser_for):
    desktop = browser_for(DESKTOP)
    visit(desktop, f"{live.url}/letters/{live.campaign}")
    assert desktop.find_element(By.CSS_SELECTOR, "details.campaign-ask").get_attribute("open") == "true"
    type_into(desktop, "zip", "20002")
    type_into(desktop, "sender_name", "Ana Díaz")
    type_into(desktop, "sender_address", "1 Capitol Way")
    type_into(desktop, "sender_city", "Washington")
    type_into(desktop, "personal_note", NOTE)
    click_and_wait(desktop, button(desktop, "Write my letters"))
    assert desktop.find_element(By.TAG_NAME, "h1").text == "Your letter is ready"
    shot(desktop, "5-desktop-letter")

    desktop.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": live.url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    copy = button(desktop, "Copy the letter to Delegate Norton")
    copy.click()
    status = desktop.find_element(By.ID, "letters-status")
    wait_for(desktop, lambda d: status.get_attribute("textContent") == "Copied the letter to Delegate Norton.")
    copied = desktop.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, e => done('failed: ' + e));")
    assert "Dear Delegate Norton:" in copied and NOTE in copied and copied.rstrip().endswith("Washington, DC 20002")

    click_and_wait(desktop, button(desktop, "Change my letter"))
    assert desktop.find_element(By.ID, "sender_name").get_attribute("value") == "Ana Díaz"
    assert desktop.find_element(By.ID, "personal_note").get_attribute("value") == NOTE
    assert desktop.find_element(By.ID, "zip").get_attribute("value") == "20002"


def test_a_split_zip_sent_without_a_choice_shows_the_error_and_the_summary_takes_focus(live, browser_for):
    phone = browser_for(PHONE)
    visit(phone, f"{live.url}/letters/{live.campaign}")
    type_into(phone, "zip", "60614")
    type_into(phone, "sender_name", "Maria Lopez")
    type_into(phone, "sender_address", "2000 N Clark St")
    type_into(phone, "sender_city", "Chicago")
    click_and_wait(phone, button(phone, "Write my letters"))
    assert "is split between 3 congressional districts" in phone.find_element(By.CSS_SELECTOR, ".district-question").text
    click_and_wait(phone, button(phone, "Write my letters"))
    assert phone.title.startswith("Error:")
    shot(phone, "4-district-error")
    assert phone.switch_to.active_element.get_attribute("id") == "form-errors"
    assert "Please choose the district you live in." in phone.find_element(By.ID, "district-error").text
    link = phone.find_element(By.CSS_SELECTOR, "#form-errors a[href='#district-0']")
    assert "Please choose the district you live in." in link.text
    phone.find_element(By.ID, "district-2").click()
    click_and_wait(phone, button(phone, "Write my letters"))
    assert re.search(r"Dear Representative Davis:", phone.page_source)


def test_phone_letters_flow_in_spanish_with_a_spanish_letter(live, browser_for):
    phone = browser_for(PHONE)

    # A Spanish-speaking visitor goes from the memorial, in Spanish, to the letter form, in Spanish.
    visit(phone, f"{live.url}/es/stories/{live.slug}")
    click_and_wait(phone, phone.find_element(By.LINK_TEXT, "Escribir una carta en memoria de Daniel James Rivera"))
    assert phone.current_url == f"{live.url}/es/letters/{live.campaign}?memorial={live.slug}"
    assert phone.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert phone.find_element(By.ID, "write-heading").text == "Escriba su carta"
    zip_field = phone.find_element(By.ID, "zip")
    assert in_first_screen(phone, zip_field), "the ZIP field is below the first screen at 390x844"

    zip_field.send_keys("05401")
    type_into(phone, "sender_name", "María López")
    type_into(phone, "sender_address", "12 Elm Street")
    type_into(phone, "sender_city", "Burlington")
    type_into(phone, "relation", "hermano")
    note = "Mi hermano Danny era la persona más divertida que conocí."
    type_into(phone, "personal_note", note)
    # English is chosen unless the visitor chooses Spanish.
    english, spanish = phone.find_element(By.ID, "letter_language-0"), phone.find_element(By.ID, "letter_language-1")
    assert english.is_selected() and not spanish.is_selected()
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", spanish)
    phone.find_element(By.CSS_SELECTOR, "label[for='letter_language-1']").click()
    assert spanish.is_selected()
    shot(phone, "es-1-form")
    click_and_wait(phone, button(phone, "Escribir mis cartas"))

    assert phone.find_element(By.TAG_NAME, "h1").text == "Sus 3 cartas están listas"
    shot(phone, "es-2-letters")
    sanders = phone.find_element(By.ID, "letter-S000033")
    # One letter at a time on a phone (issue 19): open the letter to Bernard Sanders from the list.
    phone.find_element(By.CSS_SELECTOR, ".letters-contents a[href='#letter-S000033']").click()
    letter = sanders.find_element(By.CSS_SELECTOR, "article.letter")
    wait_for(phone, lambda d: letter.is_displayed())
    assert letter.get_attribute("lang") == "es"
    text = letter.text
    assert "Respetable Bernard Sanders:" in text and "Atentamente," in text
    assert "Daniel James Rivera, mi hermano, murió a los 25 años en Dayton, Ohio, en 2023." in text
    assert note in text  # the visitor's words, exactly as typed
    overflow = phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the letters page is {overflow}px wider than the phone"

    # Back to the form: everything typed is there, the Spanish letter still chosen.
    change = button(phone, "Cambiar mi carta")
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", change)
    click_and_wait(phone, change)
    assert phone.find_element(By.ID, "letter_language-1").is_selected()
    assert phone.find_element(By.ID, "personal_note").get_attribute("value") == note
