"""The example site in headless Chromium: renders, no console errors, axe-core, keyboard, search.

Driven by Playwright for Python with the system Chromium (`executable_path`, never
`playwright install`), over a local http.server on 127.0.0.1. axe-core comes from npm into
a cache folder. Skipped, with the reason, only when Chromium, Playwright or axe-core is
missing; `.ci/run` installs all three so they run in CI.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from generator.build import build
from generator.config import load_config

from .conftest import REPO

CHROMIUM = os.environ.get("DATELINE_CHROMIUM", "/usr/bin/chromium")
NPM_CACHE = Path(os.environ.get("DATELINE_NPM_CACHE", Path.home() / ".cache/dateline/npm"))
AXE = NPM_CACHE / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

REQUIRED = os.environ.get("DATELINE_REQUIRE_BROWSER") == "1"  # set by .ci/run: never skip


def missing(reason: str) -> NoReturn:
    if REQUIRED:
        pytest.fail(f"{reason} (DATELINE_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    from playwright import sync_api
except ImportError:
    missing("playwright is not installed (pip install -e '.[test]')")
if not Path(CHROMIUM).is_file():
    missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")


def axe_script() -> Path:
    """axe-core's axe.min.js, installed with npm into the cache folder on first use."""
    if not AXE.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix",
                        str(NPM_CACHE), "axe-core"], check=False, capture_output=True,
                       timeout=300)
    if not AXE.is_file():
        missing(f"axe-core is not installed (npm install --prefix {NPM_CACHE} axe-core)")
    return AXE


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The example site, built with search."""
    output = tmp_path_factory.mktemp("browser") / "site"
    build(load_config(REPO / "content", output=output, base_url="", search=True))
    return output


@pytest.fixture(scope="module")
def base_url(built: Path) -> Iterator[str]:
    """The example site served on a free port of 127.0.0.1."""
    handler = functools.partial(QuietHandler, directory=str(built))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def open_page(browser, **options):
    """A fresh page that records console errors, failed requests and requests off-host."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    tab.on("requestfailed", lambda r: tab.problems.append(f"failed: {r.url}"))
    tab.on("request", lambda r: r.url.startswith(("http://127.0.0.1", "data:"))
           or tab.problems.append(f"external: {r.url}"))
    return tab


@pytest.fixture
def page(browser):
    tab = open_page(browser)
    yield tab
    tab.context.close()


@pytest.fixture
def axe_page(browser):
    """axe-core is injected as an inline script, which the site's CSP rightly refuses."""
    tab = open_page(browser, bypass_csp=True)
    yield tab
    tab.context.close()


def first_event(base_url: str, page) -> str:
    page.goto(base_url + "index.html")
    return page.locator(".event-title a").first.get_attribute("href")


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(axe_script()))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


PAGES = ("index.html", "EVENT", "corrections/index.html", "search/index.html",
         "sources/reuters/index.html", "register/index.html",
         "sources/translated-wire-digest/index.html")


def test_home_and_event_page_render_with_no_console_errors(base_url, page):
    event = first_event(base_url, page)
    for url in (base_url + "index.html", base_url + event, base_url + "search/index.html"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() == 1
        assert page.locator("main").count() == 1
        assert page.title()
    assert not page.problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_serious_axe_violations(base_url, axe_page, scheme, path):
    axe_page.emulate_media(color_scheme=scheme)
    url = base_url + (first_event(base_url, axe_page) if path == "EVENT" else path)
    axe_page.goto(url)
    axe_page.wait_for_load_state("networkidle")
    assert not serious_violations(axe_page), url


def test_keyboard_reaches_skip_link_and_nav_and_follows_a_link(base_url, page):
    page.goto(base_url + "index.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator(".skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.goto(base_url + "index.html")
    focused = []
    for _ in range(6):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent.trim()"))
        if focused[-1] == "Sources":
            break
    assert "Timeline" in focused and focused[-1] == "Sources", focused
    page.keyboard.press("Enter")
    page.wait_for_url("**/sources/index.html")
    assert page.locator("h1").inner_text() == "Sources"
    assert not page.problems


def test_filter_by_outlet_hides_other_events_and_works_by_keyboard(base_url, page):
    page.goto(base_url + "index.html")
    select = page.locator('[data-filter="outlets"]')
    assert select.is_visible()
    total = page.locator(".timeline .event:visible").count()
    select.focus()
    select.select_option("reuters")
    shown = page.locator(".timeline .event:visible")
    assert 0 < shown.count() < total
    for index in range(shown.count()):
        assert "reuters" in shown.nth(index).get_attribute("data-outlets").split()
    assert "Showing" in page.locator("[data-filter-status]").inner_text()
    select.select_option("")
    assert page.locator(".timeline .event:visible").count() == total
    assert not page.problems


def test_the_filter_still_applies_after_going_back_to_the_timeline(base_url, page):
    """The browser puts the chosen outlet back in the box on Back; the timeline must
    show what the box says, not every event under a filter that reads "Reuters"."""
    page.goto(base_url + "index.html")
    page.locator('[data-filter="outlets"]').select_option("reuters")
    shown = page.locator(".timeline .event:visible").count()
    page.locator(".timeline .event:visible a").first.click()
    page.wait_for_load_state()
    page.go_back()
    page.wait_for_load_state("load")
    assert page.locator('[data-filter="outlets"]').input_value() == "reuters"
    assert page.locator(".timeline .event:visible").count() == shown
    assert "Showing" in page.locator("[data-filter-status]").inner_text()
    assert not page.problems


def test_jump_to_latest_goes_while_the_filter_hides_its_event(browser, tmp_path):
    """Oldest-first timelines offer "Jump to latest"; a filter that hides that event hides
    the link too, rather than leave it leading nowhere."""
    output = tmp_path / "site"
    build(load_config(REPO / "content", output=output, base_url="", search=False,
                      order="oldest"))
    tab = open_page(browser)
    tab.goto((output / "index.html").as_uri())
    jump = tab.locator(".jump")
    assert jump.is_visible()
    latest = jump.locator("a").get_attribute("href").partition("#")[2]
    outlets = tab.locator(f"#{latest}").get_attribute("data-outlets").split()
    tab.locator('[data-filter="outlets"]').select_option("reuters")
    assert "reuters" not in outlets and not jump.is_visible()
    tab.locator('[data-filter="outlets"]').select_option(outlets[0])
    assert jump.is_visible()
    assert not [p for p in tab.problems if not p.startswith("external: file://")]
    tab.context.close()


def test_without_javascript_the_timeline_is_there_and_the_filter_is_not(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(base_url + "index.html")
    assert tab.locator(".timeline .event").count() > 3
    assert not tab.locator("[data-filters]").is_visible()
    context.close()


def search_for(page, base_url: str, word: str) -> None:
    """Types `word` into the search page's box, once Pagefind has put it there."""
    page.goto(base_url + "search/index.html")
    box = page.locator(".pagefind-ui__search-input")
    box.wait_for(timeout=10_000)
    box.fill(word)


def test_search_finds_an_event_by_a_word_from_its_text(base_url, page):
    search_for(page, base_url, "Oreshnik")
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for(timeout=10_000)
    assert "Dnipro" in result.inner_text()
    result.click()
    page.wait_for_url("**/events/**")
    assert "Dnipro" in page.locator("h1").inner_text()
    assert not page.problems


def test_search_opened_as_a_file_says_how_to_serve_the_site(browser, built):
    """From file:// the browser refuses Pagefind's index: the page says so instead of
    showing a search box that never answers."""
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto((built / "search" / "index.html").as_uri())
    notice = tab.locator("[data-search] [role=status]")
    notice.wait_for(timeout=10_000)
    assert "dateline serve" in notice.inner_text() and "content/" in notice.inner_text()
    assert tab.locator(".pagefind-ui__search-input").count() == 0
    assert not errors
    context.close()


NATO_EVENT = "events/2024-11-13-blinken-assures-nato-of-stepped-up-ukraine-support/"


def test_a_link_to_the_folded_quotation_notes_opens_them(base_url, page):
    """The event page's "quotations worded differently" link leads into a closed
    disclosure: following it, or opening the page at that address, shows the notes."""
    page.goto(base_url + NATO_EVENT)
    folded = page.locator("details.quote-notes")
    assert folded.get_attribute("open") is None
    page.locator(".at-a-glance a[href='#quotes-heading']").click()
    assert folded.evaluate("d => d.open")
    assert page.locator(".quote-notes .note").first.is_visible()
    page.locator("details.quote-notes > summary").click()  # (the reader closes them)
    assert not folded.evaluate("d => d.open")
    page.locator(".at-a-glance a[href='#quotes-heading']").click()  # (the same address)
    assert folded.evaluate("d => d.open"), "the link opens them again"
    page.goto(base_url + "index.html")
    page.goto(base_url + NATO_EVENT + "#quotes-heading")
    assert page.locator("details.quote-notes").evaluate("d => d.open")
    assert not page.problems


def test_a_search_hit_in_a_folded_report_opens_that_report(base_url, page):
    """Pagefind links a hit to the heading above it: each report has its own, so a word
    only the translated digest has (the Secretary General it names wrongly) opens the
    digest, not the first report with the word nowhere in it."""
    search_for(page, base_url, "Stoltenberg")
    hit = page.locator(".pagefind-ui__result-nested a[href$='#report-2']").first
    hit.wait_for(timeout=10_000)
    assert "Translated wire digest" in hit.inner_text()
    hit.click()
    page.wait_for_url("**/events/**#report-2")
    report = page.locator("details.report").nth(1)
    assert report.evaluate("d => d.open")
    assert report.locator(".report-body").get_by_text("Stoltenberg").first.is_visible()
    assert not page.problems


def test_a_printed_event_page_shows_what_its_folded_sections_hold(base_url, page):
    """On paper nothing can be unfolded: the quotation notes and every report print."""
    page.goto(base_url + NATO_EVENT)
    page.emulate_media(media="print")
    assert page.locator(".quote-notes .note").first.is_visible()
    assert page.locator("details.report").nth(1).locator(".report-body").is_visible()
    page.emulate_media(media="screen")
    assert not page.locator("details.report").nth(1).locator(".report-body").is_visible()
