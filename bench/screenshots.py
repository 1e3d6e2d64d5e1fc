"""Screenshots of the memorial pages for the README, made again with one command:

    python -m bench screenshots [--out bench/screenshots] [--only memorial]

Serves the app on loopback on a fresh SQLite database filled by bench/demo.py, opens each page in headless
Chromium (Debian's chromium and chromium-driver, as the browser tests) at 390 and 1366 px, and writes one image per
page: the memorial on a phone and a desktop (English and Spanish), the memorial with no photo, the list, the wall,
the front page, the family's private page and the print view (the page as Chromium prints it to PDF, A4).
"""
from __future__ import annotations

import argparse
import base64
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from bench.demo import make_demo  # noqa: E402
from tests.browser import DESKTOP, PHONE, LiveServer, full_page_screenshot, new_driver, quit_driver  # noqa: E402

HEIGHT_LIMIT = 5200   # a very long page is cut here: the README shows its top


def _settle(driver) -> None:
    """Every image loaded (lazy ones too: a full-page picture shows what is below the window) and the fonts."""
    import time

    driver.execute_script("document.querySelectorAll('img[loading=lazy]').forEach(function (i) { i.loading = 'eager'; });")
    for _ in range(100):
        if driver.execute_script("return Array.prototype.every.call(document.images, function (i) { return i.complete; })"
                                 " && document.fonts.status === 'loaded'"):
            return
        time.sleep(0.1)


def shoot(driver, url: str, path: Path, *, full: bool = True) -> Path:
    driver.get(url)
    _settle(driver)
    raw = path.with_suffix(".raw.png")
    if full:
        full_page_screenshot(driver, raw)
    else:
        driver.save_screenshot(str(raw))
    return _compress(raw, path)


def _compress(raw: Path, path: Path) -> Path:
    """A JPEG small enough for the repository, cut at HEIGHT_LIMIT."""
    with Image.open(raw) as image:
        image = image.convert("RGB")
        if image.height > HEIGHT_LIMIT:
            image = image.crop((0, 0, image.width, HEIGHT_LIMIT))
        image.save(path, "JPEG", quality=80, optimize=True, progressive=True)
    raw.unlink()
    return path


def print_view(driver, url: str, path: Path) -> Path:
    """The page as it prints: the print stylesheet applied, at the width of an A4 page's printable area."""
    driver.get(url)
    driver.set_window_size(760, 1100)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    _settle(driver)
    raw = path.with_suffix(".raw.png")
    full_page_screenshot(driver, raw)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    return _compress(raw, path)


def pdf_pages(driver, url: str, paper: str = "a4") -> tuple[int, bytes]:
    """Print a page to PDF as Chromium does (A4 or US Letter) and count its pages."""
    import re

    sizes = {"a4": (8.27, 11.69), "letter": (8.5, 11.0)}
    width, height = sizes[paper]
    driver.get(url)
    result = driver.execute_cdp_cmd("Page.printToPDF", {"paperWidth": width, "paperHeight": height,
                                                         "printBackground": False, "preferCSSPageSize": True})
    data = base64.b64decode(result["data"])
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)), data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench screenshots", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "screenshots")
    parser.add_argument("--only", action="append", default=[], help="only the images whose name contains this")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="memorial-screenshots-") as folder:
        live = LiveServer(Path(folder), PAGE_CACHE_SECONDS=0)
        with live.context(), live.app.test_request_context("/"):
            demo = make_demo()
            rich, plain, token = demo.rich.slug, demo.plain.slug, demo.rich_token
        live.start()
        url = live.url
        shots = {
            "memorial-phone": (PHONE, f"{url}/stories/{rich}"),
            "memorial-desktop": (DESKTOP, f"{url}/stories/{rich}"),
            "memorial-desktop-es": (DESKTOP, f"{url}/es/stories/{rich}"),
            "memorial-no-photo-phone": (PHONE, f"{url}/stories/{plain}"),
            "list-desktop": (DESKTOP, f"{url}/stories/"),
            "list-phone": (PHONE, f"{url}/stories/"),
            "wall-desktop": (DESKTOP, f"{url}/stories/wall"),
            "wall-phone": (PHONE, f"{url}/stories/wall"),
            "home-desktop": (DESKTOP, f"{url}/"),
            "manage-phone": (PHONE, f"{url}/stories/manage/{token}"),
        }
        made = []
        try:
            for name, (size, address) in shots.items():
                if args.only and not any(word in name for word in args.only):
                    continue
                driver = new_driver(size)
                try:
                    made.append(shoot(driver, address, args.out / f"{name}.jpg"))
                finally:
                    quit_driver(driver)
            if not args.only or any(word in "print" for word in args.only):
                driver = new_driver(DESKTOP)
                try:
                    made.append(print_view(driver, f"{url}/stories/{rich}", args.out / "print-view.jpg"))
                    for paper in ("a4", "letter"):
                        pages, _ = pdf_pages(driver, f"{url}/stories/{plain}", paper)
                        print(f"a 300-word memorial without a gallery prints on {pages} page(s) of {paper}")
                finally:
                    quit_driver(driver)
        finally:
            live.stop()
    for path in made:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
