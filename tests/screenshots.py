"""Screenshots of the example site for the docs: `python -m tests.screenshots`.

Builds `content/` (search off: Pagefind is not needed for a picture), serves it on
127.0.0.1 and captures the home page and the page of the event with the most notes (the
bundled NATO meeting and its mistranslated names) at 375 px and 1280 px wide into
docs/screenshots/.
"""

from __future__ import annotations

import functools
import http.server
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from generator.build import build
from generator.config import load_config

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
WIDTHS = (375, 1280)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


# The link of the timeline card whose badge counts the most notes.
MOST_NOTES = """() => [...document.querySelectorAll(".event")]
  .map(card => [parseInt(card.querySelector(".badge")?.textContent || "0", 10),
                card.querySelector(".event-title a").getAttribute("href")])
  .sort((a, b) => b[0] - a[0])[0][1]"""


def capture(base: str) -> list[Path]:
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu"])
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.emulate_media(reduced_motion="reduce")
            page.goto(base + "index.html")
            event = page.evaluate(MOST_NOTES)
            for name, url in (("home", base + "index.html"), ("event", base + event)):
                page.goto(url)
                target = OUT / f"{name}-{width}.png"
                page.screenshot(path=str(target))
                written.append(target)
            page.close()
        browser.close()
    return written


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "site"
        build(load_config(REPO / "content", output=output, base_url="", search=False))
        handler = functools.partial(QuietHandler, directory=str(output))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            written = capture(f"http://127.0.0.1:{server.server_port}/")
        finally:
            server.shutdown()
    for path in written:
        print(path.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
