"""Letters to the statehouse in a real browser (headless Chromium), on a phone: a ZIP split between districts,
the question naming the members, then letters folded one at a time, reaching a state legislator and the
governor, with their call scripts, and "I called". Every page is checked with axe-core (0 violations)."""
from __future__ import annotations

import os

import pytest

from memorials.extensions import db
from memorials.letters import snapshot, statehouse
from memorials.letters.models import LetterCount

from .browser import PHONE, LiveServer, assert_accessible, click_and_wait, new_driver, quit_driver, require_browser, \
    type_into, visit
from .test_letters import FIXTURES
from .test_letters_statehouse import TODAY, load_statehouse_fixtures, schools_campaign

pytestmark = pytest.mark.browser

if os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


WORDS = {
    "en": {"write": "Write my letters", "ready": "Your 3 letters are ready", "next": "Next: the letter to",
           "governor": "Governor Mike DeWine", "called": "I called Governor DeWine", "counted": "Your call is counted",
           "question": "Ohio Senate: ZIP code 43215 is split between 3 districts.", "script": "I'm calling to ask"},
    "es": {"write": "Escribir mis cartas", "ready": "Sus 3 cartas están listas", "next": "Siguiente: la carta para",
           "governor": "Mike DeWine", "called": "Ya llamé a Mike DeWine", "counted": "Ya contamos su llamada",
           "question": "Senado de Ohio: el código postal 43215 está repartido entre 3 distritos.",
           "script": "Llamo para pedirle a"},
}


@pytest.fixture
def live(tmp_path, monkeypatch):
    """The app on loopback with the statehouse fixtures and one state campaign in English and Spanish."""
    require_browser()
    monkeypatch.setattr(statehouse, "today", lambda: TODAY)  # the server runs in this process
    server = LiveServer(tmp_path)
    with server.context():
        load_statehouse_fixtures((str(FIXTURES / "zccd.csv"), str(snapshot.ISLANDS)))
        db.session.add(schools_campaign())
        db.session.commit()
    server.start()
    yield server
    server.stop()


def open_folds(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('details.sheet-fold'))"
        ".filter(d => d.open).map(d => d.closest('.letter-sheet').id)")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_phone_letters_to_a_state_legislator_and_the_governor_one_at_a_time(live, lang):
    words = WORDS[lang]
    prefix = "/es" if lang == "es" else ""
    phone = new_driver(PHONE)
    try:
        visit(phone, f"{live.url}{prefix}/letters/schools")
        type_into(phone, "zip", "43215")
        type_into(phone, "sender_name", "Maria Lopez")
        type_into(phone, "sender_address", "12 Elm Street")
        type_into(phone, "sender_city", "Columbus")
        type_into(phone, "personal_note", "My brother Sam died in 2023.")
        if lang == "es":
            phone.execute_script("document.getElementById('letter_language-1').click()")
        click_and_wait(phone, phone.find_element(By.XPATH, f"//button[normalize-space()='{words['write']}']"))

        # The ZIP touches three districts in each chamber: asked, naming who holds each seat, nothing typed lost.
        question = phone.find_element(By.CSS_SELECTOR, ".district-question")
        assert words["question"] in question.text and "Hearcel Craig" in question.text
        assert phone.find_element(By.ID, "sender_name").get_attribute("value") == "Maria Lopez"
        phone.execute_script("document.querySelector('input[name=upper_district][value=\"15\"]').click();"
                             "document.querySelector('input[name=lower_district][value=\"7\"]').click()")
        click_and_wait(phone, phone.find_element(By.XPATH, f"//button[normalize-space()='{words['write']}']"))

        assert phone.find_element(By.TAG_NAME, "h1").text == words["ready"]
        overflow = phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the letters page is {overflow}px wider than the phone"
        sheets = phone.execute_script("return Array.from(document.querySelectorAll('.letter-sheet')).map(s => s.id)")
        assert len(sheets) == 3
        # One letter at a time on a phone: the first is open, the others folded.
        assert open_folds(phone) == [sheets[0]]
        senator = phone.find_element(By.ID, sheets[0])
        letter = senator.find_element(By.CSS_SELECTOR, "article.letter").text
        assert ("Dear Senator Craig:" if lang == "en" else "Respetable Hearcel Craig:") in letter
        assert words["script"] in senator.find_element(By.CSS_SELECTOR, ".call-script").text

        # "Next" opens the second letter and folds the first.
        following = senator.find_element(By.CSS_SELECTOR, ".next-letter a")
        assert words["next"] in following.text
        phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", following)
        following.click()
        WebDriverWait(phone, 5).until(lambda d: open_folds(d) == [sheets[1]])
        assert_accessible(phone, "the letters page, second letter open")

        # The governor's letter, from the list of letters: its call script, a tel: link, and "I called".
        link = phone.find_element(By.CSS_SELECTOR, f".letters-contents a[href='#{sheets[2]}']")
        phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
        WebDriverWait(phone, 5).until(lambda d: open_folds(d) == [sheets[2]])
        governor = phone.find_element(By.ID, sheets[2])
        assert words["governor"] in governor.find_element(By.TAG_NAME, "h2").text
        assert ("Dear Governor DeWine:" if lang == "en" else "Gobernación de Ohio") in governor.find_element(
            By.CSS_SELECTOR, "article.letter").text
        called = governor.find_element(By.CSS_SELECTOR, "button.js-called")
        assert called.text == words["called"]
        phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", called)
        called.click()
        status = governor.find_element(By.CSS_SELECTOR, ".call-status")
        WebDriverWait(phone, 10).until(lambda d: words["counted"] in status.text)
        assert_accessible(phone, "the letters page after calling the governor")
        # The senator's call box has tel: links too (the governor's data has no phone number).
        assert senator.find_elements(By.CSS_SELECTOR, ".phones a[href^='tel:+1614']")
        with live.context():
            assert db.session.execute(db.select(LetterCount.state, LetterCount.letters, LetterCount.calls)).all() == \
                [("OH", 3, 1)]
    finally:
        quit_driver(phone)
