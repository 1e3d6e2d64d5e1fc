"""The numbers in a real browser at phone and desktop widths: labels that never overlap, no text
under 12 px, no sideways scroll, tables in their own named boxes, and axe-core's 0 violations.

The app serves the bundled snapshot (real CDC, WONDER and NCHS figures: 11 years of months, 26 of
the long view), so the charts are as crowded as they will be.
"""
from __future__ import annotations

import pytest

from .browser import LiveServer, assert_accessible, new_driver, quit_driver, require_browser, visit

pytest.importorskip("selenium")

WIDTHS = [(320, 800), (390, 844), (1366, 900)]
PAGES = {"en": ["/stats/", "/stats/OH"], "es": ["/es/stats/", "/es/stats/OH"]}  # Spanish words run longer

# What the reader sees: every visible text at its rendered size, and each chart's labels as boxes.
MEASURE = """
const small = [], overlaps = [], charts = [];
const visible = el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
  return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0 && el.offsetParent !== null || el.closest('svg'); };
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, el = node.parentElement;
  if (!node.textContent.trim() || !el || el.closest('svg') || el.closest('.visually-hidden')) continue;
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height || getComputedStyle(el).display === 'none') continue;
  const size = parseFloat(getComputedStyle(el).fontSize);
  if (size < 12) small.push(el.tagName + ' ' + size + 'px: ' + node.textContent.trim().slice(0, 40));
}
for (const svg of document.querySelectorAll('svg.chart')) {
  const box = svg.getBoundingClientRect();
  if (!box.width || getComputedStyle(svg).display === 'none') continue;
  const scale = box.width / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll('text')].map(t => ({t: t.textContent, r: t.getBoundingClientRect(),
                                                            size: parseFloat(getComputedStyle(t).fontSize) * scale}));
  charts.push({id: svg.getAttribute('aria-labelledby'), labels: texts.length, scale: scale});
  for (const a of texts) {
    if (a.size < 12) small.push('svg text ' + a.size.toFixed(1) + 'px: ' + a.t);
    if (a.r.left < box.left - 0.5 || a.r.right > box.right + 0.5) overlaps.push('outside the chart: ' + a.t);
  }
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    const a = texts[i].r, b = texts[j].r;
    if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
      overlaps.push(texts[i].t + ' / ' + texts[j].t + ' in ' + svg.getAttribute('aria-labelledby'));
  }
}
return {small: small.slice(0, 10), overlaps: overlaps.slice(0, 10), charts: charts,
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
"""

BOXES = """
return [...document.querySelectorAll('.table-box')].map(box => {
  const name = document.getElementById(box.getAttribute('aria-labelledby'));
  box.focus();
  return {role: box.getAttribute('role'), name: name ? name.textContent.trim() : null,
          focused: document.activeElement === box, visible: box.getBoundingClientRect().height > 0,
          scrolls: box.scrollWidth > box.clientWidth, fits: box.getBoundingClientRect().right <= window.innerWidth + 0.5};
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
def test_charts_and_tables_read_well_at_every_width(live, size, lang):
    driver = new_driver(size)
    try:
        for url in PAGES[lang]:
            visit(driver, live.url + url)  # axe-core: 0 violations
            found = driver.execute_script(MEASURE)
            assert found["scrollWidth"] <= found["innerWidth"], (url, found["scrollWidth"], found["innerWidth"])
            assert found["small"] == [], (url, found["small"])
            assert found["overlaps"] == [], (url, found["overlaps"])
            shown = [c for c in found["charts"]]
            assert len(shown) >= 3, (url, shown)
            # The drawing shown is the one made for this width: never shrunk below 0.9 of its size.
            assert all(c["scale"] >= 0.9 for c in shown), (url, shown)
            assert all(("-narrow-" in c["id"]) == (size[0] < 640) for c in shown), (url, shown)
            boxes = driver.execute_script(BOXES)
            assert len(boxes) >= 3 and all(b["role"] == "region" and b["name"] and b["focused"] and b["visible"]
                                           and b["fits"] for b in boxes), (url, boxes)
            if size[0] == 320:
                assert any(b["scrolls"] for b in boxes)  # a wide table scrolls in its box, not the page
            trend = driver.find_element("css selector", "table caption[id^='trend-']")
            assert trend.is_displayed()  # the trend table is open, not in a closed box
            assert driver.find_element("css selector", "html").get_attribute("lang").startswith(lang)
            if lang == "es":
                assert trend.text.startswith("Muertes por sobredosis en ")
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
        driver.find_element("link text", memorials).click()
        assert f"{prefix}/stories/?state=OH" in driver.current_url
        assert_accessible(driver)
    finally:
        quit_driver(driver)
