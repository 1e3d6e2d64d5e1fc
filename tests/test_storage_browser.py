"""In a browser: a family sends a story while the photo store is down, and loses nothing they typed."""
from __future__ import annotations

import pytest

from memorials import storage
from memorials.extensions import db
from memorials.stories.models import Story

from .browser import assert_accessible, click_and_wait, full_page_screenshot, visit
from .smtp import free_port
from .test_browser import (assert_no_horizontal_scroll, browser_for, error_beside, fill_story_form,  # noqa: F401
                           photo_file, shots, value_of)

pytestmark = pytest.mark.browser

try:
    from selenium.webdriver.common.by import By
except ImportError:  # pragma: no cover (selenium is in tests/requirements.txt)
    pytest.importorskip("selenium")


@pytest.fixture
def live(tmp_path):
    """The site with its photos in object storage that does not answer (nothing listens on its port)."""
    from .browser import LiveServer, require_browser

    require_browser()
    server = LiveServer(tmp_path, PHOTO_STORE_URL="s3://memorials/site", S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
                        AWS_ACCESS_KEY_ID="key", AWS_SECRET_ACCESS_KEY="secret").start()
    yield server
    server.stop()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_store_that_is_down_gives_the_family_their_form_back_with_a_plain_note(live, browser_for, photo_file, shots,
                                                                                 size):
    family = browser_for(size)
    visit(family, live.url + "/stories/new")
    typed = fill_story_form(family, photo_path=photo_file)
    click_and_wait(family, family.find_element(By.XPATH, "//button[normalize-space()='Send the story']"))

    assert family.find_element(By.TAG_NAME, "h1").text == "Share their story"
    summary = family.find_element(By.ID, "form-errors")
    assert family.switch_to.active_element == summary          # the summary takes focus
    note = error_beside(family, "photo")
    assert note.startswith("We couldn't save your photo just now, so nothing has been sent yet.")
    assert "send your story now without the photo" in note
    for field_id in ("name", "nickname", "born", "died", "city", "photo_alt", "story", "submitter_name",
                     "relationship", "email"):
        assert value_of(family, field_id) == typed[field_id], field_id
    assert_no_horizontal_scroll(family, "the form with the store's note")
    full_page_screenshot(family, shots / f"{size}-store-down.png")
    with live.context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Story)) == 0
    assert live.outbox() == []

    # The store answers again (here: the instance folder stands in for it); the family chooses the photo again.
    with live.context():
        live.app.extensions["stores"] = {area: storage.open_store("", area, live.app.config, live.instance)
                                         for area in storage.AREAS}
    family.find_element(By.ID, "photo").send_keys(str(photo_file))
    click_and_wait(family, family.find_element(By.XPATH, "//button[normalize-space()='Send the story']"))
    assert family.find_element(By.TAG_NAME, "h1").text == "Thank you for sharing their story"
    assert_accessible(family)
    with live.context():
        story = db.session.scalars(db.select(Story)).one()
        assert story.latest_version.name == "Daniel James Rivera" and story.latest_version.photo is not None
