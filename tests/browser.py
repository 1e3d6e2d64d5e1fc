"""Helpers for browser tests: the app served on loopback, and headless Chromium driven by Selenium."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from memorials import create_app
from memorials.extensions import db

from . import needs

# Debian's packages; elsewhere point these variables at the browser and its matching driver.
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BINARY", "/usr/bin/chromedriver")

PHONE = (390, 844)
DESKTOP = (1366, 900)

# Chromium as root in a closed network: no sandbox, and nothing that phones home
# (its background connections are refused here and would fill the log).
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--lang=en-US", "--hide-scrollbars",
)


def require_browser() -> None:
    """Skip where Chromium or its driver is missing, unless REQUIRE_BROWSER=1 (then fail loudly)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (os.path.isfile(p) and os.access(p, os.X_OK))]
    if missing:
        needs.missing("REQUIRE_BROWSER", f"headless Chromium is not installed ({', '.join(missing)} missing)")


class QuietRequestHandler(WSGIRequestHandler):
    """No line per request in a failing test's output; errors are still logged."""

    def log_request(self, code="-", size="-"):
        pass


class LiveServer:
    """The app on 127.0.0.1 with a random port, in a background thread, on its own SQLite file."""

    def __init__(self, folder: Path, **settings):
        self.instance = folder / "instance"
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.sqlite3'}",
            "INSTANCE_PATH": str(self.instance),
            "SECRET_KEY": "browser-test-secret-key",
            "SERVER_NAME": None,
            "MAIL_SERVER": "",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": True,
        }
        config.update(settings)
        self.app = create_app(config)
        with self.app.app_context():
            db.create_all()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True,
                                  request_handler=QuietRequestHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.app.config["SITE_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    @contextmanager
    def context(self):
        """An app context for setting up data (moderators, published stories) directly."""
        with self.app.app_context():
            try:
                yield db
            finally:
                db.session.remove()

    def outbox(self) -> list:
        """The mail the sender wrote (it is run first, as `deliver-mail --once`), oldest first."""
        from memorials.mail.sender import run

        with self.app.app_context():
            run(once=True)
        folder = self.instance / "outbox"
        if not folder.exists():
            return []
        return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def _launch(size: tuple[int, int]):
    """Headless Chromium with a fresh profile, the window at this size, the console log kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER)
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except Exception:
        shutil.rmtree(profile, ignore_errors=True)
        raise
    driver.profile_dir = profile
    driver.set_window_size(*size)
    driver.implicitly_wait(0)
    driver.set_page_load_timeout(30)
    return driver


def _quit(driver) -> None:
    try:
        driver.quit()
    finally:
        shutil.rmtree(driver.profile_dir, ignore_errors=True)



# Starting Chromium costs a second or two: a browser a test is done with waits here for the next test (in this
# worker), cleared of everything a person would carry from one visit to the next.
_IDLE: list = []
_IDLE_MAX = 3


def new_driver(size: tuple[int, int]):
    """A browser as a new visitor has it (no cookies, no permissions, no emulation), the window at this size."""
    while _IDLE:
        driver = _IDLE.pop()
        try:
            _clear(driver, size)
            return driver
        except Exception:  # noqa: BLE001 (a browser that cannot be cleared is not used again)
            _quit(driver)
    return _launch(size)


def quit_driver(driver) -> None:
    """Done with this browser: kept for the next test once cleared, or quit."""
    if len(_IDLE) < _IDLE_MAX:
        _IDLE.append(driver)
    else:
        _quit(driver)


def _clear(driver, size: tuple[int, int]) -> None:
    for handle in driver.window_handles[1:]:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(driver.window_handles[0])
    driver.get("about:blank")
    for command, arguments in (("Network.clearBrowserCookies", {}), ("Network.clearBrowserCache", {}),
                               ("Storage.clearDataForOrigin", {"origin": "*", "storageTypes": "all"}),
                               ("Emulation.clearDeviceMetricsOverride", {}), ("Emulation.setEmulatedMedia", {"media": ""}),
                               ("Browser.resetPermissions", {}),
                               ("Browser.setDownloadBehavior", {"behavior": "default"})):
        driver.execute_cdp_cmd(command, arguments)
    driver.set_window_size(*size)
    driver.get_log("browser")   # nothing from an earlier test is read as this one's console


@atexit.register
def _quit_idle() -> None:
    while _IDLE:
        _quit(_IDLE.pop())


def page_overflow(driver) -> dict:
    """How far the page is wider than the window, and which elements stick out (for the message)."""
    return driver.execute_script("""
        const width = window.innerWidth;
        const wide = [];
        for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (box.width && box.right > width + 0.5) {
                wide.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : '')
                          + ' right=' + Math.round(box.right));
            }
        }
        return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide.slice(0, 10)};
    """)


def full_page_screenshot(driver, path: Path) -> Path:
    """The whole page, not only what fits in the window, as a PNG."""
    import base64

    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


# axe-core, through axe-selenium-python: every page a browser test visits is checked, 0 violations.
# A current axe-core is vendored (see tests/vendor/README.md); the one the package bundles is from 2018.
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core-4.10.3.min.js"


def axe_violations(driver) -> list[dict]:
    """axe-core's violations on the page as it stands now (WCAG 2.1 A and AA rules, and best practices)."""
    from axe_selenium_python import Axe

    driver.set_script_timeout(30)
    axe = Axe(driver, script_url=str(AXE_SCRIPT))
    axe.inject()
    return axe.run()["violations"]


def assert_accessible(driver, where: str = "") -> None:
    """Fail with a readable list when axe-core finds anything on the current page."""
    violations = axe_violations(driver)
    if violations:
        lines = [f"{v['id']} ({v['impact']}): {v['help']} -> "
                 + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5]) for v in violations]
        raise AssertionError(f"axe-core found {len(violations)} problem(s) on {where or driver.current_url}:\n"
                             + "\n".join(lines))


def visit(driver, url: str) -> None:
    """Open a page as a person would, and check it with axe-core."""
    driver.get(url)
    assert_accessible(driver)


def _gone(element) -> bool:
    """True once the old page's element is detached. While Chromium swaps documents it may answer
    "Node with given id does not belong to the document" instead of a clean staleness error."""
    from selenium.common.exceptions import WebDriverException

    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def click_and_wait(driver, element) -> None:
    """Click something that loads a new page, wait until the new page is there, check it with axe-core."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    html = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 10).until(lambda d: _gone(html))
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert_accessible(driver)


def type_into(driver, field_id: str, text: str):
    """Clear a field and type into it, as a person does: once it can be typed into (a folded form just opened
    shows its fields a moment after the click, on a busy machine)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    field = WebDriverWait(driver, 10).until(expected_conditions.element_to_be_clickable((By.ID, field_id)))
    field.clear()
    field.send_keys(text)
    return field
