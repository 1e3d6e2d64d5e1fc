"""The numbers in a real browser at phone and desktop widths: a short page before anything is opened,
labels that never overlap, no text under 12 px, no sideways scroll, a map reachable by keyboard with a
visible focus ring, tables in their own named boxes, and axe-core's 0 violations.

The app serves the bundled snapshot (real CDC, WONDER and NCHS figures: 11 years of months, 26 of
the long view, every state), so the charts and the map are as full as they will be.
"""
from __future__ import annotations

import pytest

from .browser import LiveServer, assert_accessible, new_driver, quit_driver, require_browser, visit

pytest.importorskip("selenium")

WIDTHS = [(320, 800), (390, 844), (1366, 900)]
PAGES = {"en": ["/stats/", "/stats/OH", "/stats/?map=change&sort=rate"],
         "es": ["/es/stats/", "/es/stats/OH", "/es/stats/?map=change&sort=rate"]}  # Spanish words run longer
# How tall a page may be before anything is opened (the issue: about 4,000 px at 390 px; a 320 px phone wraps
# more lines).
TALLEST = {320: 4500, 390: 4000}

# What the reader sees: every visible text at its rendered size, and each drawing's labels as boxes.
MEASURE = """
const small = [], overlaps = [], drawings = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, el = node.parentElement;
  if (!node.textContent.trim() || !el || el.closest('svg') || el.closest('.visually-hidden')) continue;
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height || !el.checkVisibility()) continue;  // (a closed fold's content is not shown)
  const size = parseFloat(getComputedStyle(el).fontSize);
  if (size < 12) small.push(el.tagName + ' ' + size + 'px: ' + node.textContent.trim().slice(0, 40));
}
for (const svg of document.querySelectorAll('svg.chart, svg.tile-map')) {
  const box = svg.getBoundingClientRect();
  if (!box.width || !svg.checkVisibility()) continue;
  const scale = box.width / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll('text')].map(t => ({t: t.textContent, r: t.getBoundingClientRect(),
                                                            size: parseFloat(getComputedStyle(t).fontSize) * scale}));
  drawings.push({id: svg.getAttribute('aria-labelledby'), map: svg.classList.contains('tile-map'),
                 labels: texts.length, scale: scale,
                 tile: svg.querySelector('rect.tile') ? svg.querySelector('rect.tile').getBoundingClientRect().width : 0});
  for (const a of texts) {
    if (a.size < 12) small.push('svg text ' + a.size.toFixed(1) + 'px: ' + a.t);
    if (a.r.left < box.left - 0.5 || a.r.right > box.right + 0.5) overlaps.push('outside the drawing: ' + a.t);
  }
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    const a = texts[i].r, b = texts[j].r;
    if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
      overlaps.push(texts[i].t + ' / ' + texts[j].t + ' in ' + svg.getAttribute('aria-labelledby'));
  }
}
// A square's letters stay inside their square.
for (const link of document.querySelectorAll('svg.tile-map a')) {
  if (!link.closest('svg').checkVisibility()) continue;
  const tile = link.querySelector('rect.tile').getBoundingClientRect();
  for (const t of link.querySelectorAll('text')) {
    const r = t.getBoundingClientRect();
    if (r.left < tile.left || r.right > tile.right || r.top < tile.top || r.bottom > tile.bottom)
      overlaps.push('outside its square: ' + t.textContent);
  }
}
return {small: small.slice(0, 10), overlaps: overlaps.slice(0, 10), drawings: drawings,
        height: document.documentElement.scrollHeight, openFolds: document.querySelectorAll('details[open]').length,
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
"""

BOXES = """
return [...document.querySelectorAll('.table-box')].filter(box => box.checkVisibility()).map(box => {
  const name = document.getElementById(box.getAttribute('aria-labelledby'));
  box.focus();
  return {role: box.getAttribute('role'), name: name ? name.textContent.trim() : null,
          focused: document.activeElement === box, scrolls: box.scrollWidth > box.clientWidth,
          fits: box.getBoundingClientRect().right <= window.innerWidth + 0.5};
});
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on loopback with the bundled statistics snapshot loaded, once for this module."""
    require_browser()
    server = LiveServer(tmp_path_factory.mktemp("stats-browser")).start()
    with server.context():
        from memorials.stats.snapshot import load_bundled

        assert "loaded" in load_bundled()
    yield server
    server.stop()


@pytest.mark.parametrize("lang", PAGES)
@pytest.mark.parametrize("size", WIDTHS, ids=lambda s: f"{s[0]}px")
def test_the_numbers_read_at_a_glance_at_every_width(live, size, lang):
    driver = new_driver(size)
    try:
        for url in PAGES[lang]:
            visit(driver, live.url + url)  # axe-core: 0 violations
            found = driver.execute_script(MEASURE)
            assert found["scrollWidth"] <= found["innerWidth"], (url, found["scrollWidth"], found["innerWidth"])
            assert found["small"] == [], (url, found["small"])
            assert found["overlaps"] == [], (url, found["overlaps"])
            assert found["openFolds"] == 0
            if size[0] in TALLEST:
                assert found["height"] <= TALLEST[size[0]], (url, found["height"])
            charts = [d for d in found["drawings"] if not d["map"]]
            maps = [d for d in found["drawings"] if d["map"]]
            # One chart at the top, before anything is opened; on /stats/ the map of the states too.
            assert len(charts) == 1, (url, charts)
            assert len(maps) == (0 if "/OH" in url else 1), (url, maps)
            # The drawing shown is the one made for this width: never shrunk below 0.87 of its size.
            assert all(d["scale"] >= 0.87 for d in found["drawings"]), (url, found["drawings"])
            assert all(("-narrow-" in d["id"]) == (size[0] < 640) for d in charts), (url, charts)
            assert all(d["tile"] >= 24 for d in maps), (url, maps)  # a square a finger can hit
            boxes = driver.execute_script(BOXES)
            assert all(b["role"] == "region" and b["name"] and b["focused"] and b["fits"] for b in boxes), (url, boxes)
            assert driver.find_element("css selector", "html").get_attribute("lang").startswith(lang)
    finally:
        quit_driver(driver)


@pytest.mark.parametrize("lang", PAGES)
def test_every_fold_opens_and_its_figures_read_well_on_a_phone(live, lang):
    driver = new_driver((320, 800))
    try:
        for url in PAGES[lang][:2]:
            visit(driver, live.url + url)
            folds = driver.find_elements("css selector", "details.fold > summary")
            assert len(folds) >= 4
            for summary in folds:
                driver.execute_script("arguments[0].scrollIntoView()", summary)
                summary.click()
            assert_accessible(driver, url + " with every part open")
            found = driver.execute_script(MEASURE)
            assert found["openFolds"] == len(folds)
            assert found["scrollWidth"] <= found["innerWidth"] and found["small"] == [] and found["overlaps"] == []
            boxes = driver.execute_script(BOXES)
            assert len(boxes) >= 4 and all(b["name"] and b["focused"] and b["fits"] for b in boxes), boxes
            assert any(b["scrolls"] for b in boxes)  # a wide table scrolls in its box, not the page
            trend = driver.find_element("css selector", "table caption[id^='trend-']")
            assert trend.is_displayed()
            if lang == "es":
                assert trend.text.startswith("Muertes por sobredosis en ")
    finally:
        quit_driver(driver)


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=lambda s: f"{s[0]}px")
def test_the_map_is_reached_by_keyboard_with_a_visible_ring_and_leads_to_the_state(live, size):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver = new_driver(size)
    try:
        visit(driver, live.url + "/stats/")
        views = driver.find_element("css selector", ".map-views a")
        driver.execute_script("arguments[0].focus()", views)
        ActionChains(driver).send_keys(Keys.TAB).perform()
        skip = driver.switch_to.active_element
        assert "skip-map" in skip.get_attribute("class") and skip.is_displayed()  # shown when it has focus
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focused = driver.execute_script("""
            const a = document.activeElement, tile = a.querySelector('rect.tile'), ring = a.querySelector('rect.ring');
            return {label: a.getAttribute('aria-label'), href: a.getAttribute('href'),
                    stroke: getComputedStyle(tile).stroke, width: parseFloat(getComputedStyle(tile).strokeWidth),
                    ring: getComputedStyle(ring).stroke};
        """)
        assert focused["label"].startswith("Alaska: ") and "per 100,000" in focused["label"], focused
        assert focused["width"] >= 3 and focused["stroke"] == "rgb(31, 35, 40)" and focused["ring"] == "rgb(255, 255, 255)"
        ActionChains(driver).send_keys(Keys.TAB).perform()
        assert driver.switch_to.active_element.get_attribute("aria-label").startswith("Maine: ")
        ActionChains(driver).send_keys(Keys.ENTER).perform()
        driver.implicitly_wait(5)
        assert driver.find_element("css selector", "h1").text == "Overdose deaths in Maine"
        assert driver.current_url.endswith("/stats/ME")
        assert_accessible(driver)
        # Skipping the map lands on the table's sort links, past the 51 squares.
        visit(driver, live.url + "/stats/")
        driver.execute_script("arguments[0].focus()", driver.find_element("css selector", ".map-views a"))
        ActionChains(driver).send_keys(Keys.TAB).send_keys(Keys.ENTER).send_keys(Keys.TAB).perform()
        assert driver.switch_to.active_element.get_attribute("href").endswith("sort=count#states-title")
    finally:
        quit_driver(driver)


@pytest.mark.parametrize("prefix, line_text, numbers, memorials, headline", [
    ("", "In Ohio, 2,830 people died of a drug overdose in the 12 months ending April 2025.", "Ohio's numbers",
     "Memorials from Ohio", "people died of a drug overdose in Ohio in the 12 months ending"),
    ("/es", "En Ohio, 2,830 personas murieron por sobredosis de drogas en los 12 meses que terminan en abril de 2025.",
     "Las cifras de Ohio", "Homenajes de Ohio",
     "personas murieron por sobredosis de drogas en Ohio en los 12 meses que terminan en"),
])
def test_on_a_phone_a_memorials_state_line_and_the_state_page_link_each_other(live, prefix, line_text, numbers,
                                                                               memorials, headline):
    from . import factories

    with live.context():
        story, _ = factories.make_story(state_code="OH")
        factories.publish(story)
        slug = story.slug
    driver = new_driver((390, 844))
    try:
        visit(driver, f"{live.url}{prefix}/stories/{slug}")
        assert line_text in driver.find_element("css selector", ".memorial-state").text
        driver.find_element("css selector", ".memorial-state").find_element("link text", numbers).click()
        assert driver.current_url.endswith(f"{prefix}/stats/OH")
        assert_accessible(driver)
        found = driver.execute_script(MEASURE)
        assert found["small"] == [] and found["overlaps"] == [], found
        assert found["scrollWidth"] <= found["innerWidth"]
        assert headline in driver.find_element("css selector", ".headline").text
        driver.find_element("css selector", ".place-links").find_element("link text", memorials).click()
        assert f"{prefix}/stories/?state=OH" in driver.current_url
        assert_accessible(driver)
    finally:
        quit_driver(driver)
