"""A new admin's first sign-in on a phone, in headless Chromium: set up the code, keep the recovery codes,
run the team. Every page passes axe-core and fits the screen."""
from __future__ import annotations

import os
import re

import pyotp
import pytest

from . import factories
from .browser import (PHONE, LiveServer, assert_accessible, click_and_wait, new_driver, page_overflow, quit_driver,
                      require_browser, type_into, visit)

pytestmark = pytest.mark.browser

if os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402


@pytest.fixture
def live(tmp_path):
    require_browser()
    server = LiveServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def phone():
    driver = new_driver(PHONE)
    yield driver
    quit_driver(driver)


def fits(driver):
    overflow = page_overflow(driver)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow


def press(driver, text):
    """Press the button with this text and wait for the next page, then check it."""
    click_and_wait(driver, driver.find_element(
        By.XPATH, f"//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']"))
    fits(driver)







def test_a_new_admin_sets_up_two_factor_and_runs_the_team_on_a_phone(live, phone):
    with live.context():
        factories.make_moderator(email="admin@example.org", admin=True, enrolled=False)
    visit(phone, live.url + "/moderate/login")
    type_into(phone, "email", "admin@example.org")
    type_into(phone, "password", factories.PASSWORD)
    press(phone, "Sign in")

    assert phone.current_url.endswith("/moderate/login/enrol")
    qr = phone.find_element(By.CSS_SELECTOR, "img.enrol-qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml") and qr.get_attribute("naturalWidth") != "0"
    key = phone.find_element(By.CSS_SELECTOR, ".enrol-key code").text.replace(" ", "")
    type_into(phone, "code", "000000" if pyotp.TOTP(key).now() != "000000" else "111111")
    press(phone, "Turn on and sign in")
    assert "That code didn't work" in phone.find_element(By.ID, "form-errors").text
    assert phone.switch_to.active_element.get_attribute("id") == "form-errors"  # the summary takes focus

    type_into(phone, "code", pyotp.TOTP(key).now())
    press(phone, "Turn on and sign in")
    codes = [c.text for c in phone.find_elements(By.CSS_SELECTOR, ".recovery-codes code")]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", c) for c in codes)
    press(phone, "I have kept them: continue")
    assert phone.current_url.rstrip("/").endswith("/moderate")

    visit(phone, live.url + "/moderate/team/")
    assert_accessible(phone)
    fits(phone)
    type_into(phone, "email", "colleague@example.org")
    press(phone, "Send the invitation")
    assert "Invitation sent to colleague@example.org" in phone.page_source

    visit(phone, live.url + "/moderate/account")
    assert_accessible(phone)
    fits(phone)
    assert "You have 10 unused recovery codes." in phone.page_source


def test_a_moderator_signs_in_and_reads_the_queue_in_spanish_on_a_phone(live, phone):
    from memorials.extensions import db
    from memorials.stories.models import Story

    with live.context():
        factories.make_moderator()
        story, _ = factories.make_story(name="Rosa María Delgado")
        story = db.session.get(Story, story.id)
        story.family_language = "es"
        story.versions[0].language = "es"
        db.session.commit()
        story_id = story.id
    visit(phone, live.url + "/es/moderate/login")
    assert_accessible(phone)
    assert phone.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    type_into(phone, "email", "mod@example.org")
    type_into(phone, "password", "not the password")
    press(phone, "Iniciar sesión")
    summary = phone.find_element(By.ID, "form-errors")
    assert "Ese correo electrónico y esa contraseña no coinciden" in summary.text
    assert phone.switch_to.active_element.get_attribute("id") == "form-errors"  # the summary takes focus

    type_into(phone, "password", factories.PASSWORD)
    press(phone, "Iniciar sesión")
    assert phone.current_url.endswith("/es/moderate/login/code")
    assert "Su código para iniciar sesión" in phone.find_element(By.TAG_NAME, "h1").text
    type_into(phone, "code", factories.totp_code())
    press(phone, "Iniciar sesión")

    assert phone.current_url.endswith("/es/moderate/")
    main = phone.find_element(By.TAG_NAME, "main")
    assert "En espera de una decisión" in main.text and "Escrita en español" in main.text
    link = main.find_element(By.LINK_TEXT, "Rosa María Delgado")
    assert link.get_attribute("lang") == "es"
    press(phone, "Rosa María Delgado")
    assert phone.current_url.endswith(f"/es/moderate/stories/{story_id}")
    words = phone.find_element(By.CSS_SELECTOR, "article.memorial.preview .memorial-story")
    assert words.get_attribute("lang") == "es"
    assert "Aprobar y publicar" in phone.find_element(By.TAG_NAME, "main").text
