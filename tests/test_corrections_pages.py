"""The corrections page split like a long timeline: per-year pages, numbered past a size.

Builds a small desk archive (one event a month over three years, each report with
author corrections, and one event whose two reports disagree on a figure) with the
split thresholds lowered, then reads the pages as a reader and a crawler would.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import timeline
from generator.cli import main
from generator.config import load_config
from generator.models import Event, Note, PartialDate
from generator.parse import parse_article
from generator.render import make_environment

from .conftest import REPO, read_events

BASE = "https://example.org/desk/"
PLACES = ("Arden", "Belmora", "Calvik", "Dunmere", "Eskholt", "Farrow", "Glenport",
          "Hallin", "Irwick", "Jorvale", "Kestry", "Lunden")
SUBJECTS = ("ferry timetable", "library budget", "bridge repairs", "school merger",
            "water tariff", "harbour dredging", "tram extension", "market licence",
            "flood barrier", "hospital wing", "recycling contract", "stadium lease")
MONTHS = 36  # one event a month, 2022-2024
PAGER = "Newer and older corrections"
SPLIT_OVER, PAGE_SIZE = 8, 5  # so a few dozen notes need several pages


def report(month: int) -> str:
    """One article a month, with one to three author corrections (one undated)."""
    day = dt.date(2022 + month // 12, month % 12 + 1, 10)
    place, subject = PLACES[month % 12], SUBJECTS[(month * 5) % 12]
    notes = [f"  - date: {day + dt.timedelta(days=2)}\n"
             f'    text: "Correction {month}a: the {subject} vote in {place} was misdated."']
    if month % 3 == 0:  # a later correction, some crossing into the next year
        notes.append(f"  - date: {day + dt.timedelta(days=100)}\n"
                     f'    text: "Correction {month}b: the {place} councillor was misnamed."')
    if month == 7:
        notes.append(f'  - "Correction {month}c: an undated note about {place}."')
    return (f"---\ntitle: {place} council settles the {subject} (month {month})\n"
            f"date: {day}\nsource: Desk {month % 4}\nurl: https://example.org/{month}\n"
            "corrections:\n" + "\n".join(notes) + "\n---\n"
            f"Councillors in {place} voted on the {subject} after a long debate "
            f"about {subject} costs, the mayor of {place} said.\n")


def disputed(outlet: str, figure: str) -> str:
    """Two reports forced into one event that count the evacuated differently."""
    return (f"---\ntitle: Wildfire forces evacuation near Mossby\ndate: 2023-08-20\n"
            f"source: {outlet}\nevent: mossby-wildfire\n---\n"
            f"Firefighters evacuated {figure} residents near Mossby on Sunday.\n")


def write_site(root: Path) -> Path:
    content = root / "content"
    content.mkdir(parents=True)
    for month in range(MONTHS):
        (content / f"report-{month:02d}.md").write_text(report(month), encoding="utf-8")
    (content / "wildfire-a.md").write_text(disputed("Hill Post", "1,200"), encoding="utf-8")
    (content / "wildfire-b.md").write_text(disputed("Vale Wire", "2,400"), encoding="utf-8")
    return content


def run_build(content: Path, output: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--output",
                                       str(output), "--base-url", BASE, "--no-search",
                                       "--no-cache", "--quiet"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    """The archive built with lowered split thresholds (and built again beside it, in
    `../again`, for the determinism check)."""
    root = tmp_path_factory.mktemp("corrections")
    content = write_site(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timeline, "SPLIT_OVER", SPLIT_OVER)
        patch.setattr(timeline, "PAGE_SIZE", PAGE_SIZE)
        run_build(content, root / "site")
        run_build(content, root / "again")
    return root / "site"


class Links(HTMLParser):
    """The heading levels in order, and the links of each <nav> by its aria-label."""

    def __init__(self) -> None:
        super().__init__()
        self.navs: dict[str, list[dict]] = {}
        self.headings: list[str] = []
        self._nav: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "nav":
            self._nav = attributes.get("aria-label", "")
            self.navs[self._nav] = []
        elif tag == "a" and self._nav is not None:
            self.navs[self._nav].append(attributes)
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(tag)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._nav = None


def read(page: Path) -> tuple[str, Links]:
    html = page.read_text(encoding="utf-8")
    parser = Links()
    parser.feed(html)
    return html, parser


def year_pages(output: Path) -> list[Path]:
    return sorted((output / "corrections" / "years").rglob("index.html"))


def notes_on(html: str) -> list[str]:
    return re.findall(r"<p>(Correction \d+[abc]: [^<]*)</p>", html)


def target(page: Path, href: str) -> Path:
    return (page.parent / href).resolve()


def test_the_archive_is_one_event_a_month_plus_the_disputed_one(output):
    events = read_events(output)
    assert len(events) == MONTHS + 1
    (wildfire,) = [e for e in events if e["id"] == "mossby-wildfire"]
    assert any(n["kind"] == "figure" for n in wildfire["corrections"])


def test_first_page_stays_at_corrections_index_and_later_pages_exist(output):
    first = output / "corrections" / "index.html"
    assert first.is_file()
    paths = {p.relative_to(output).as_posix() for p in year_pages(output)}
    assert {"corrections/years/2022/index.html", "corrections/years/2023/index.html",
            "corrections/years/2023/page/2/index.html", "corrections/years/2024/index.html",
            "corrections/years/2025/index.html"} <= paths
    html, _ = read(first)
    newest, _ = read(output / "corrections" / "years" / "2025" / "index.html")
    assert notes_on(html) == notes_on(newest), "the first page is the newest year's"
    assert "showing 2025." in html


def test_every_note_appears_exactly_once_across_the_pages(output):
    expected = sorted(n["text"] for e in read_events(output) for n in e["corrections"]
                      if n["kind"] == "author")
    shown = sorted(n for page in year_pages(output) for n in notes_on(read(page)[0]))
    assert len(expected) > 2 * PAGE_SIZE
    assert shown == expected
    for page in year_pages(output):
        html = read(page)[0]
        assert len(notes_on(html)) + html.count("<li><time") <= PAGE_SIZE, page
    disputed = [page.relative_to(output).as_posix() for page in year_pages(output)
                if "events/mossby-wildfire/index.html" in read(page)[0]]
    assert len(disputed) == 1 and disputed[0].startswith("corrections/years/2023/")


def walk(page: Path, rel: str) -> list[Path]:
    """The pages met following rel=prev or rel=next links from `page`, itself first."""
    met = [page.resolve()]
    while True:
        links = [a for a in read(page)[1].navs[PAGER] if a.get("rel") == rel]
        if not links:
            return met
        page = target(page, links[0]["href"])
        met.append(page)


def test_rel_next_and_prev_visit_every_page_once_newest_first(output):
    first = output / "corrections" / "index.html"
    newest = output / "corrections" / "years" / "2025" / "index.html"
    forward = walk(newest, "next")
    assert walk(first, "next")[1:] == forward[1:], "the first page links on like its year"
    assert sorted(forward) == sorted(p.resolve() for p in year_pages(output))
    assert walk(forward[-1], "prev") == forward[::-1]
    dates = [d for page in forward for d in
             re.findall(r'<p class="kicker"><time datetime="([\d-]+)"', read(page)[0])]
    assert dates == sorted(dates, reverse=True)


def test_navigation_links_resolve_and_mark_the_current_page(output):
    years_folder = output / "corrections" / "years"
    for page in [output / "corrections" / "index.html", *year_pages(output)]:
        _, parsed = read(page)
        assert parsed.headings == ["h1", "h2", "h2"], page
        years, pager = parsed.navs["Years"], parsed.navs[PAGER]
        assert pager and {a.get("rel") for a in pager} <= {"prev", "next"}, page
        for link in years + pager:
            assert target(page, link["href"]).is_file(), (page, link["href"])
        year = page.relative_to(years_folder).parts[0] if years_folder in page.parents \
            else "2025"
        current = [target(page, a["href"]) for a in years if a.get("aria-current") == "page"]
        assert current[0] == (years_folder / year / "index.html").resolve(), page
        if page.parent.parent.name == "page":  # "Page n" is marked too
            assert current[1:] == [page.resolve()], page


def test_the_sitemap_lists_every_corrections_page(output):
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{BASE}corrections/</loc>" in sitemap
    assert year_pages(output)
    for page in year_pages(output):
        rel = page.relative_to(output).as_posix().removesuffix("index.html")
        assert f"<loc>{BASE}{rel}</loc>" in sitemap, rel


def test_two_builds_write_the_same_bytes(output):
    again = output.parent / "again"
    files = sorted(p.relative_to(output) for p in output.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert any(p.parts[:2] == ("corrections", "years") for p in files)
    _, mismatch, errors = filecmp.cmpfiles(output, again, files, shallow=False)
    assert not mismatch and not errors


def test_a_short_list_stays_on_one_page(tmp_path):
    content = write_site(tmp_path)
    run_build(content, tmp_path / "site")
    assert not (tmp_path / "site" / "corrections" / "years").exists()
    html, parsed = read(tmp_path / "site" / "corrections" / "index.html")
    assert "Years" not in parsed.navs and PAGER not in parsed.navs
    assert len(notes_on(html)) == sum(1 for e in read_events(tmp_path / "site")
                                      for n in e["corrections"] if n["kind"] == "author")


def test_at_default_sizes_no_corrections_page_grows_with_the_archive(tmp_path):
    """20,000 corrections over four years: every page holds at most PAGE_SIZE entries
    and renders to well under 300 KB, whatever the size of the archive."""
    start = dt.date(2021, 1, 1).toordinal()
    article, _ = parse_article("a.md", "---\ntitle: t\nsource: Desk\n---\nText.\n")
    events = [Event(id=f"e{i:05d}", date=PartialDate.of(dt.date.fromordinal(start + i // 14)),
                    title=f"Event {i}", story="", articles=(article,),
                    notes=(Note("author", f"Correction {i}a: a name was misspelt.",
                                ("Desk",), date=dt.date.fromordinal(start + i // 14 + 1)),))
              for i in range(20_000)]
    pages = timeline.corrections_pages(events)
    assert pages[0].path == "corrections/index.html"
    assert all(len(p.context["corrections"]) <= timeline.PAGE_SIZE for p in pages)
    assert sum(len(p.context["corrections"]) for p in pages[1:]) == 20_000
    env = make_environment(load_config(REPO / "content", output=tmp_path))
    page = max(pages, key=lambda p: len(p.context["corrections"]))
    html = env.get_template("corrections.html").render(
        page=page, root=page.root, nav={"stories": False, "tags": False, "search": False},
        **page.context)
    assert notes_on(html) and len(html.encode()) < 300_000
