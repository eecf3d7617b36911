"""The built example site as a reader and a crawler see it: links, landmarks, outputs.

Builds the bundled `content/` once (with a base URL and the search index), then checks
every page: each internal href/src resolves (fragments included), one h1 and one main,
nothing loaded from another host; and the outputs beside the pages follow their formats.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from jinja2 import Environment

from generator.build import build
from generator.config import load_config
from generator.jsonld import script_json
from generator.models import (
    Article,
    Body,
    Correction,
    Event,
    Note,
    NoteValue,
    PartialDate,
    Site,
    Story,
)
from generator.render import make_environment
from generator.timeline import (
    PAGE_SIZE,
    SPLIT_OVER,
    SourceRecord,
    archive_pages,
    disputed_points,
    plan_pages,
    source_record,
)

from .conftest import REPO

BASE = "https://example.org/news/"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class PageParser(HTMLParser):
    """Collects links, resources, ids, landmark counts and JSON-LD blocks of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.ids: set[str] = set()
        self.counts: dict[str, int] = {}
        self.jsonld: list[str] = []
        self._in_jsonld = False
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "link" and attributes.get("href"):
            rel = attributes.get("rel", "")
            (self.resources if rel in ("stylesheet", "icon") else self.links).append(
                attributes["href"])
        if attributes.get("src"):
            self.resources.append(attributes["src"])
        self._in_jsonld = tag == "script" and attributes.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self._in_jsonld = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(data)


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("example") / "site"
    build(load_config(REPO / "content", output=output, base_url=BASE, search=True))
    return output


@pytest.fixture(scope="module")
def pages(site) -> dict[Path, PageParser]:
    return {p: parse(p) for p in sorted(site.rglob("*.html"))
            if "pagefind" not in p.relative_to(site).parts}


def resolve(site: Path, page: Path, href: str) -> tuple[Path, str] | None:
    """The file an internal link points at and its fragment; None for other hosts."""
    if href.startswith(BASE):
        href = str(site.as_uri()) + "/" + href[len(BASE):]
        parts = urlsplit(href)
        target = Path(unquote(parts.path))
    else:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            return None
        target = (page.parent / unquote(parts.path)) if parts.path else page
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target.resolve(), parts.fragment


def test_every_internal_link_and_resource_resolves(site, pages):
    broken = []
    for page, parsed in pages.items():
        for href in parsed.links + parsed.resources:
            found = resolve(site, page, href)
            if found is None:
                continue
            target, fragment = found
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {href}")
            elif fragment and target.suffix == ".html" and fragment not in parse(target).ids:
                broken.append(f"{page.relative_to(site)} -> {href} (no #{fragment})")
    assert len(pages) > 20
    assert not broken, "\n".join(broken)


def test_no_page_loads_anything_from_another_host(pages):
    external = [(p.name, r) for p, parsed in pages.items() for r in parsed.resources
                if not r.startswith(BASE)  # 404.html is served at any depth: absolute
                and (urlsplit(r).scheme in ("http", "https") or r.startswith("//"))]
    assert not external


def test_one_h1_one_main_and_a_language_on_every_page(site, pages):
    for page, parsed in pages.items():
        name = page.relative_to(site)
        assert parsed.counts.get("h1") == 1, name
        assert parsed.counts.get("main") == 1, name
        assert parsed.counts.get("nav", 0) >= 1, name
        assert parsed.lang == "en", name


def test_the_site_navigation_marks_where_the_reader_is(site):
    """aria-current="page" on the link to the page itself, "true" on its section's link
    (an outlet's timeline sits under Sources); nothing elsewhere."""
    def current(rel: str) -> list[tuple[str, str]]:
        html = (site / rel).read_text("utf-8")
        nav = html[html.index('<nav aria-label="Site">'):html.index("</nav>")]
        return re.findall(r'aria-current="(\w+)">([^<]+)<', nav)

    assert current("index.html") == [("page", "Timeline")]
    assert current("sources/index.html") == [("page", "Sources")]
    source = next(p for p in sorted((site / "sources").iterdir()) if p.is_dir())
    assert current(f"sources/{source.name}/index.html") == [("true", "Sources")]
    event = next(p for p in sorted((site / "events").iterdir()) if p.is_dir())
    assert current(f"events/{event.name}/index.html") == []


def test_event_pages_link_the_earlier_and_later_event_with_their_dates(site):
    """The pager says which way each link goes in time, whatever the timeline's order."""
    pages = [p.read_text("utf-8") for p in sorted((site / "events").glob("*/index.html"))]
    middle = next(page for page in pages if 'rel="prev"' in page and 'rel="next"' in page)
    pager = middle[middle.index('<nav class="pager"'):]
    pager = pager[:pager.index("</nav>")]
    assert re.search(r'rel="prev"[^>]*><span class="pager-label">← Earlier · \d{1,2} \w+ '
                     r'\d{4}</span>', pager), pager
    assert re.search(r'rel="next"[^>]*><span class="pager-label">Later · \d{1,2} \w+ '
                     r'\d{4} →</span>', pager), pager


def test_expected_pages_exist(site):
    for rel in ("index.html", "404.html", "corrections/index.html", "sources/index.html",
                "tags/index.html", "tags/nato/index.html", "search/index.html",
                "pagefind/pagefind-ui.js", "pagefind/pagefind-ui.css", ".nojekyll",
                "static/dateline.js"):
        assert (site / rel).is_file(), rel


def test_corrections_page_lists_author_corrections_newest_first(site):
    events = json.loads((site / "events.json").read_text())["events"]
    authored = [(n.get("date", ""), e["id"]) for e in events for n in e["corrections"]
                if n["kind"] == "author"]
    html = (site / "corrections/index.html").read_text()
    for _, event_id in authored:
        assert f"events/{event_id}/index.html" in html
    dates = re.findall(r'<p class="kicker"><time datetime="([\d-]+)"', html)
    assert dates == sorted(dates, reverse=True)
    disputed = [e["id"] for e in events if any(n["kind"] != "author" for n in e["corrections"])]
    section = html.split('id="disputed-heading"')[1]
    assert all(f"events/{i}/index.html" in section for i in disputed)
    nato = re.search(r"Blinken assures.*?</ul></li>", section, re.S).group(0)
    summary = " ".join(re.sub(r"<[^>]+>", " ", nato.split("—", 1)[1].split("<ul")[0]).split())
    assert re.fullmatch(r"Translated wire digest contradicted on 3 points; "
                        r"\d+ quotations worded differently", summary), summary
    points = re.findall(r"<li>([^<]*)</li>", nato)
    assert points == [
        "British Foreign Secretary: David Lammy (Reuters) or David Rami (Translated wire "
        "digest); preferred: David Lammy",
        "NATO Secretary General: Mark Rutte (Reuters) or Jens Stoltenberg (Translated wire "
        "digest); preferred: Mark Rutte",
        "Ukrainian Foreign Minister: Andrii Sybiha (Reuters) or Andriy Yermak (Translated "
        "wire digest); preferred: Andrii Sybiha"], \
        "who says what on each point, without opening the event"


def test_a_revised_report_says_when_it_was_updated(site):
    events = json.loads((site / "events.json").read_text())["events"]
    updated = {a["file"]: a.get("updated") for e in events for a in e["articles"]}
    assert updated["ukraine-diplomacy/2024-11-21-meridian-press-dnipro-oreshnik.md"] == \
        "2024-11-22T07:45:00+00:00"  # (in the site's time zone)
    assert updated["ukraine-diplomacy/2024-11-13-reuters-blinken-nato.md"] is None
    coverage = {}
    for event in events:
        page = (site / event["url"] / "index.html").read_text("utf-8")
        listed = re.search(r'<ol class="coverage-list">(.*?)</ol>', page, re.S).group(1)
        coverage[event["id"]] = " ".join(re.sub(r"<[^>]+>", " ", listed).split())
    dnipro = next(text for i, text in coverage.items() if "dnipro" in i)
    assert "21 Nov 2024 , updated 22 Nov 2024" in dnipro
    ramstein = next(text for i, text in coverage.items() if "ramstein" in i)
    assert "9 Jan 2025 , updated the same day" in ramstein


def test_the_coverage_list_says_why_a_report_is_first_and_what_contradicted_means(site):
    """Reuters and the digest are dated the same day: the page says why Reuters is listed
    first, and what the "contradicted" badge means, in words every reader sees."""
    events = json.loads((site / "events.json").read_text())["events"]
    nato = next(e for e in events if "blinken" in e["id"])
    page = (site / nato["url"] / "index.html").read_text("utf-8")
    coverage = page.split('id="coverage-heading"')[1].split("</section>")[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", coverage).split())
    assert "Translated wire digest is dated the same as Reuters but says it is based on its " \
           "report, so Reuters is listed first." in text
    assert "“Contradicted” marks a report that gives, on a point where the sources disagree, " \
           "a value other than the one preferred" in text
    quiet = next(e for e in events if "dnipro" in e["id"])
    other = (site / quiet["url"] / "index.html").read_text("utf-8")
    assert "listed first" not in other and "“Contradicted” marks" not in other


def test_event_pages_carry_json_ld_that_cannot_end_the_script(site, pages):
    events = {e["id"]: e for e in json.loads((site / "events.json").read_text())["events"]}
    for page, parsed in pages.items():
        if page.parent.parent.name != "events":
            assert not parsed.jsonld
            continue
        (block,) = parsed.jsonld
        assert "</" not in block and "<!--" not in block
        data = json.loads(block)
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "NewsArticle"
        assert data["about"]["@type"] == "Event"
        assert data["author"] == {"@type": "Organization", "name": "Ukraine diplomacy desk",
                                  "url": BASE}, "the page is the site's, not the outlets'"
        outlets = [a["source"] for a in events[page.parent.name]["articles"]]
        assert [c["publisher"]["name"] for c in data["citation"]] == outlets
        assert data["url"] == f"{BASE}events/{page.parent.name}/"
        assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d))?",
                            data["dateModified"])  # (a date alone: no hour invented)
        authored = [n for n in events[page.parent.name]["corrections"] if n["kind"] == "author"]
        assert len(data.get("correction", [])) == len(authored)
        for item in data.get("correction", []):
            assert item["@type"] == "CorrectionComment" and item["text"]


def test_script_json_escapes_markup_and_round_trips():
    value = {"title": "</script><script>alert(1)</script> <!-- & -->"}
    text = str(script_json(value))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == value


def test_event_pages_are_the_only_search_bodies_with_story_and_outlet_filters(site, pages):
    for page in pages:
        html = page.read_text()
        is_event = page.parent.parent.name == "events"
        assert ("data-pagefind-body" in html) == is_event, page
        if is_event:
            assert 'data-pagefind-filter="outlet"' in html
            assert 'data-pagefind-filter="story"' in html


def test_no_text_runs_into_the_next_block_of_an_event_page(site, pages):
    """Pagefind indexes text and the block after it without a space unless the page has
    one: search results read "in UkraineNATO" where a quotation ran into its passage."""
    glued = re.compile(r"[^>\s]<(?:blockquote|p|div|li|h[1-6]|table|ul|ol|section|details)[ >]")
    for page in pages:
        if page.parent.parent.name == "events":
            assert not glued.findall(page.read_text("utf-8")), page


def test_timelinejs_json_follows_the_timelinejs_format(site):
    document = json.loads((site / "timelinejs.json").read_text())
    events = json.loads((site / "events.json").read_text())["events"]
    assert document["title"]["text"]["headline"]
    assert [e["unique_id"] for e in document["events"]] == [e["id"] for e in events]
    for event in document["events"]:
        start = event["start_date"]
        assert re.fullmatch(r"-?\d+", start["year"])
        assert 1 <= int(start.get("month", 1)) <= 12 and 1 <= int(start.get("day", 1)) <= 31
        assert set(start) <= {"year", "month", "day"}
        assert event["text"]["headline"] and "<" not in event["text"]["headline"]
        assert f'href="{BASE}events/{event["unique_id"]}/index.html"' in event["text"]["text"]
        assert event["group"] == "Ukraine diplomacy after the 2024 US election"
    texts = {e["unique_id"]: e["text"]["text"] for e in document["events"]}
    nato = next(t for i, t in texts.items() if "blinken" in i)
    assert re.search(r"the sources disagree on British Foreign Secretary: David Lammy "
                     r"\(Reuters\) or David Rami \(Translated wire digest\); preferred: David "
                     r"Lammy; NATO Secretary General: Mark Rutte \(Reuters\) or Jens Stoltenberg "
                     r"\(Translated wire digest\); preferred: Mark Rutte; Ukrainian Foreign "
                     r"Minister: .*; Translated wire digest contradicted on 3 points; \d+ "
                     r"quotations worded differently\.",
                     nato), "who says what in dispute, and the reworded quotations as the " \
        "corrections page counts them"
    dnipro = next(t for i, t in texts.items() if "dnipro" in i)
    assert "; 1 correction published." in dnipro


def test_sitemap_lists_every_page_with_absolute_urls(site, pages):
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP_NS}urlset"
    locs = [u.findtext(f"{SITEMAP_NS}loc") for u in root]
    assert all(loc.startswith(BASE) for loc in locs)
    assert len(locs) == len(set(locs)) == len(pages) - 2  # all but 404 and search
    for url in root:
        loc = url.findtext(f"{SITEMAP_NS}loc")
        target = site / loc[len(BASE):] / "index.html" if loc.endswith("/") else None
        assert target is None or target.is_file(), loc
        lastmod = url.findtext(f"{SITEMAP_NS}lastmod")
        assert lastmod is None or dt.date.fromisoformat(lastmod)
    robots = (site / "robots.txt").read_text()
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()


def test_without_base_url_there_is_no_sitemap_and_robots_names_none(tmp_path):
    output = tmp_path / "site"
    build(load_config(REPO / "content", output=output, base_url="", search=False))
    assert not (output / "sitemap.xml").exists()
    assert "Sitemap" not in (output / "robots.txt").read_text()
    assert not (output / "pagefind").exists() and not (output / "search").exists()
    assert "search/index.html" not in (output / "index.html").read_text()


def test_no_search_flag_skips_the_index(make_site, build_site):
    site = make_site({"a.md": "---\ntitle: A\ndate: 2024-01-02\nsource: X\n---\nText.\n"})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    assert not (output / "pagefind").exists()
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    assert (output / "pagefind" / "pagefind-entry.json").is_file()


def synthetic_events(count: int, years: int = 3) -> list[Event]:
    start = dt.date(2025 - years, 1, 1).toordinal()
    span = years * 365
    article = Article(path="a.md", story="s", title="t", content=Body.of(""),
                      source="Outlet")
    return [Event(id=f"e{i:06d}", date=PartialDate.of(dt.date.fromordinal(start + i * span
                                                                          // count)),
                  title=f"Event number {i} with a title of ordinary length for the news",
                  story="s", articles=(article,), summary="A one-line summary " * 6)
            for i in range(count)]


def test_long_timelines_split_by_year_and_no_page_exceeds_1_mb(tmp_path):
    events = synthetic_events(100_000)
    pages = archive_pages("", "index.html", events, True, {"s": "Story"},
                           {"nav": {"stories": False, "tags": False, "search": False}})
    assert pages[0].path == "index.html"
    assert pages[0].context["archive"]["year"] == 2024
    chunks = pages[1:]
    assert sum(p.context["count"] for p in chunks[:1]) == 100_000
    ids = [e.id for p in chunks for y in p.context["groups"] for m in y.items
           for d in m.items for e in d.items]
    assert sorted(ids) == sorted(e.id for e in events)
    assert any(p.path == "years/2023/page/2/index.html" for p in chunks)
    env: Environment = make_environment(load_config(REPO / "content", output=tmp_path))
    template = env.get_template("index.html")
    for page in (pages[0], max(chunks, key=lambda p: len(p.context["groups"][0].items))):
        html = template.render(page=page, root=page.root, **page.context)
        assert len(html.encode()) < 1_000_000, page.path


def test_timeline_cards_count_notes_on_facts_and_name_reworded_quotes_apart(tmp_path):
    """A card's badge counts the corrections and disagreements on facts and links to
    them on the event page; an event whose only notes are quotations worded differently
    says that instead, linking to those."""
    env: Environment = make_environment(load_config(REPO / "content", output=tmp_path))
    card = env.from_string('{% from "_timeline.html" import event_card with context %}'
                           "{{ event_card(event) }}")
    (event,) = synthetic_events(1)
    office = Note("office", "Sources disagree on who holds the office.")
    quote = Note("quote", "One statement is worded differently.")

    def badge(*notes: Note) -> str:
        html = card.render(event=dataclasses.replace(event, notes=notes), root="")
        found = re.search(r' · <a class="badge" href="([^"]+)">([^<]+)</a>', html)
        return f"{found.group(2)} -> {found.group(1)}" if found else ""

    page = f"events/{event.id}/index.html"
    assert badge(office, quote, quote) == f"1 disagreement -> {page}#notes-heading"
    fixed = Note("author", "An earlier version misspelt the minister's name.")
    assert badge(fixed) == f"1 correction -> {page}#notes-heading", \
        "an outlet's own correction is not a disagreement between reports"
    assert badge(fixed, office, office) == f"1 correction, 2 disagreements -> {page}#notes-heading"
    listed = Note("register", "Jens Stoltenberg was NATO Secretary General until 1 October "
                  "2024; ...", field="NATO Secretary General", preferred="Mark Rutte",
                  values=(NoteValue("Jens Stoltenberg", ("Daily Post",)),))
    assert badge(listed) == f"1 check against the list of office holders -> {page}#notes-heading", \
        "reports that agree with each other are not in disagreement"
    (point,) = disputed_points(dataclasses.replace(event, notes=(listed,)))
    assert point == "NATO Secretary General: Jens Stoltenberg (Daily Post); the site's list " \
        "of office holders has Mark Rutte"
    assert badge(quote, quote) == f"2 quotations worded differently -> {page}#quotes-heading"
    assert badge() == ""


def test_short_timelines_stay_on_one_page():
    events = synthetic_events(SPLIT_OVER)
    site = Site((Story("s", "Story", events=tuple(events)),))
    paths = [p.path for p in plan_pages(site, True)]
    assert not any("/years/" in p or p.startswith("years/") for p in paths)
    assert PAGE_SIZE >= SPLIT_OVER


@pytest.mark.parametrize(("newest_first", "count", "offered"),
                         [(False, 3, True), (True, 3, False), (False, 1, False)])
def test_jump_to_latest_is_offered_only_where_the_latest_is_not_first(newest_first, count,
                                                                       offered):
    events = synthetic_events(count)
    (page,) = archive_pages("", "index.html", events, newest_first, {"s": "Story"}, {})
    assert bool(page.context["latest"]) is offered
    if offered:
        assert page.context["latest"] == f"index.html#e-{events[-1].id}"


def test_quotation_notes_say_which_report_is_the_original_once(site):
    """In the bundled NATO event the digest translates Reuters: all five reworded
    quotations prefer Reuters for that one reason, said once above them."""
    page = next((site / "events").glob("2024-11-13-blinken-*/index.html")).read_text("utf-8")
    folded = page[page.index('<details class="quote-notes"'):page.index("</details>")]
    assert folded.count('class="note note-quote"') == 5
    assert folded.count("Reuters is the original report; Translated wire digest is based "
                        "on it") == 1


def test_a_timeline_of_one_event_does_not_give_its_order(site):
    counts = {re.search(r'<p class="count">([^<]*)</p>', p.read_text("utf-8")).group(1)
              for p in (site / "sources").glob("*/index.html")}
    assert "1 event." in counts and not any(c.startswith("1 event,") for c in counts)
    assert any(re.match(r"\d+ events, (newest|oldest) first\.", c) for c in counts), counts


def test_a_source_page_says_what_its_reports_are_based_on_and_how_often_contradicted(site):
    def record(outlet: str) -> str:
        page = (site / "sources" / outlet / "index.html").read_text("utf-8")
        found = re.search(r'<p class="source-record">(.*?)</p>', page, re.S).group(1)
        return " ".join(re.sub(r"<[^>]+>", " ", found).split())

    assert record("translated-wire-digest") == (
        "1 report, which says it is based on Reuters and Associated Press. Other reports "
        "disagree with it on 3 points of fact, in 1 event; another value is preferred on "
        "all of them. All sources")
    assert record("reuters").startswith(
        "1 report. Other reports disagree with it on 3 points of fact, in 1 event; its value "
        "is the one preferred on all of them."), "disputed, though upheld: not 'uncontradicted'"
    assert record("meridian-press").startswith(
        "1 report. It published 1 correction to it. No other report disagrees with it on a "
        "point of fact."), "an outlet's own corrections are part of its record"


def test_a_source_record_counts_every_spelling_and_every_report_of_the_outlet():
    """"A.P." and "AP" share one page; two reports of one outlet in an event are named
    "AP (file)" by the notes, and a value they give against the preferred one still
    counts against the outlet; how many reports say they are based on another is said."""
    def report(path: str, source: str, based_on: tuple[str, ...] = ()) -> Article:
        return Article(path=path, story="s", title="t", content=Body.of(""), source=source,
                       based_on=based_on)

    toll = Note("figure", "Sources disagree on the toll.", field="deaths", values=(
        NoteValue("12", ("Coastwire",)), NoteValue("15", ("AP (b.md)", "AP (c.md)"))),
        preferred="12")
    first = Event("e1", PartialDate.of(dt.date(2025, 3, 2)), "Storm", "s", (
        report("a.md", "Coastwire"), report("b.md", "AP"),
        dataclasses.replace(report("c.md", "AP", ("Reuters",)),
                corrections=(Correction(None, "The toll was 15, not 51."),))), notes=(toll,))
    second = Event("e2", PartialDate.of(dt.date(2025, 3, 3)), "Floods", "s",
                   (report("d.md", "A.P."),))
    assert source_record("ap", [first, second]) == SourceRecord(
        reports=3, derived=1, based_on=("Reuters",), contradicted=1, contradicted_events=1,
        corrections=1, disputed=1, disputed_events=1, upheld=0)
    assert source_record("coastwire", [first, second]).disagreements == (
        "Other reports disagree with it on 1 point of fact, in 1 event; its value is the one "
        "preferred on it.")
    mixed = SourceRecord(reports=4, derived=0, based_on=(), contradicted=1,
                         contradicted_events=1, disputed=4, disputed_events=2, upheld=2)
    assert mixed.disagreements == (
        "Other reports disagree with it on 4 points of fact, in 2 events: its value is the one "
        "preferred on 2, another value is preferred on 1, no value is preferred on 1.")
    both = SourceRecord(reports=2, derived=0, based_on=(), contradicted=1,
                        contradicted_events=1, disputed=1, disputed_events=1, upheld=1)
    assert both.disagreements.endswith(  # (its two reports on either side of one point)
        ": its value is the one preferred on 1, another value is preferred on 1.")


def test_of_two_reports_from_one_outlet_only_the_contradicted_one_is_marked():
    def report(path: str) -> Article:
        return Article(path=path, story="s", title="t", content=Body.of(""), source="AP")

    toll = Note("figure", "Sources disagree on the toll.", field="deaths", values=(
        NoteValue("12", ("AP (a.md)",)), NoteValue("15", ("AP (b.md)",))), preferred="12")
    first, second = report("a.md"), report("b.md")
    event = Event("e1", PartialDate.of(dt.date(2025, 3, 2)), "Storm", "s", (first, second),
                  notes=(toll,))
    assert (event.report_contradicted(first), event.report_contradicted(second)) == (0, 1)
    assert event.contradicted("AP") == 1


def test_a_source_page_shows_what_the_outlet_itself_published(site):
    """On the translated digest's page each card gives the digest's own headline, linked
    to its report on the event page, and how often it is contradicted; the outlet is not
    a link to the page it is on."""
    output = site
    events = json.loads((output / "events.json").read_text("utf-8"))["events"]
    event = next(e for e in events if e["id"].startswith("2024-11-13-blinken-assures-nato"))
    page = (output / "sources" / "translated-wire-digest" / "index.html").read_text("utf-8")
    own = re.search(r'<p class="own-report">Its report: <a href="([^"]+)">([^<]+)</a>'
                    r"( · contradicted on 3 points)?</p>", page)
    assert own and own.group(3), "its own headline and how often it is contradicted"
    digest = next(a for a in event["articles"] if a["source"] == "Translated wire digest")
    assert own.group(2) == digest["title"] != event["title"]
    position = event["articles"].index(digest) + 1
    assert own.group(1).endswith(f"events/{event['id']}/index.html#report-{position}")
    event_page = (output / event["url"] / "index.html").read_text("utf-8")
    assert f'<h3 id="report-{position}">Translated wire digest: ' in event_page
    assert 'href="../../sources/translated-wire-digest/index.html"' not in page
    reuters = (output / "sources" / "reuters" / "index.html").read_text("utf-8")
    assert 'href="../../sources/translated-wire-digest/index.html"' in reuters
    assert "contradicted on" not in re.search(r'<p class="own-report">.*?</p>', reuters).group(0)


def test_the_office_holders_the_notes_cite_have_a_page(site):
    """Notes decided by the register say so ("the site's list of office holders") and
    link to a page of it, offices in alphabetical order, each office's terms in order;
    a reader can check the list a note relies on."""
    page = (site / "register" / "index.html").read_text("utf-8")
    offices = re.findall(r'<h2 id="office-[a-z0-9-]+">([^<]+)</h2>', page)
    assert offices == sorted(offices, key=str.lower) and "NATO Secretary General" in offices
    nato = page.split('<h2 id="office-nato-secretary-general">NATO Secretary General</h2>')[1]
    nato = nato.split("</table>")[0]
    assert re.findall(r"<tr><td>([^<]+)</td>", nato) == ["Jens Stoltenberg", "Mark Rutte"]
    assert "no end given" in nato and '<time datetime="2024-10-01">' in nato
    assert 'class="values' not in page, "not the notes' tables (their phone layout)"
    events = json.loads((site / "events.json").read_text("utf-8"))["events"]
    event = next(e for e in events if e["id"].startswith("2024-11-13-blinken-assures-nato"))
    html = (site / event["url"] / "index.html").read_text("utf-8")
    whys = re.findall(r'<p class="why">(.*?)</p>', html)
    cited = [w for w in whys if "list of office holders" in w]
    assert len(cited) == 3, whys
    fields = [re.search(r'register/index.html#office-([a-z-]+)">([^<]+) in the list of '
                        r'office holders</a>$', w) for w in cited]
    assert all(fields) and [f.group(2) for f in fields] == [
        "British Foreign Secretary", "NATO Secretary General", "Ukrainian Foreign Minister"]
    assert all(f'<h2 id="office-{f.group(1)}">' in page for f in fields[:2]), \
        "each link lands on its office (when the list has it under that name)"
    assert not any("register/index.html" in w for w in whys if w not in cited)
    corrections = (site / "corrections" / "index.html").read_text("utf-8")
    assert '<a href="../register/index.html">the list of office holders</a>' in corrections


def test_a_site_without_a_register_has_no_office_holders_page(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("---\ntitle: Council approves budget\ndate: 2024-11-13\n"
                                  "source: Harbour Post\n---\nThe council approved it.\n",
                                  encoding="utf-8")
    build(load_config(content, output=tmp_path / "site"))
    assert not (tmp_path / "site" / "register").exists()
    assert "register/" not in (tmp_path / "site" / "corrections" / "index.html").read_text()


def test_the_event_page_needs_nothing_from_the_timeline_macros():
    """Sites override templates file by file (docs/configuration.md): an event page that
    imported a macro from _timeline.html failed on every site whose own _timeline.html
    predates it. What more than one template needs is a filter, in Python."""
    event_page = (REPO / "templates" / "event.html").read_text(encoding="utf-8")
    assert "_timeline.html" not in event_page
