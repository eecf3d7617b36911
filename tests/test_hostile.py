"""Hostile and broken input (issue 8): nothing injected, nothing lost, no path escapes.

tests/fixtures/hostile/content holds script tags, event handlers, javascript:/vbscript:/
data: links, ../ in every field, odd encodings, binary, empty and oversized files,
broken front matter and impossible dates. `dateline check` must print exactly
expected-report.txt; the files without errors must build, and nothing a file says may
reach a page as markup or steer a write outside the output folder.

After an intended change to the messages, regenerate the report with:
    cd tests/fixtures/hostile/content && ../../../../.venv/bin/dateline check --content . 2>&1 \\
      | grep -v 'error(s), ' | LC_ALL=C sort > ../expected-report.txt
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.media import published_path
from generator.parse import read_article

from .conftest import FIXTURES, read_events

HOSTILE = FIXTURES / "hostile"
CONTENT = HOSTILE / "content"
SAFE_NAME = re.compile(r"[a-z0-9-]+")
BAD_SCHEMES = re.compile(r"^\s*(?:javascript|vbscript|data|file):", re.IGNORECASE)
BAD_TAGS = {"iframe", "object", "embed", "svg", "math", "style", "base", "form", "frame"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href"}


def check_lines(content: Path) -> list[str]:
    """The report as printed from inside the content folder (so paths are as written)."""
    with contextlib.chdir(content):
        result = CliRunner().invoke(main, ["check", "--content", "."])
    return sorted(line for line in result.output.splitlines()
                  if line and not re.match(r"\d+ error\(s\), ", line))


def content_files(content: Path) -> list[str]:
    return sorted(p.relative_to(content).as_posix() for p in content.rglob("*")
                  if p.is_file() and not p.name.startswith("_"))


def files_with(severity: str, lines: list[str]) -> set[str]:
    """The files named by report lines of one severity ("error" or "warning")."""
    found = set()
    for line in lines:
        path = re.match(r"(.+?)(?::\d+)?: ", line).group(1)
        if (": warning: " in line) == (severity == "warning"):
            found.add(path)
    return found


@pytest.fixture(scope="module")
def report() -> list[str]:
    return check_lines(CONTENT)


@pytest.fixture(scope="module")
def valid_build(tmp_path_factory, report):
    """The hostile files that have no errors, built: they must build."""
    site = tmp_path_factory.mktemp("valid")
    shutil.copy(HOSTILE / "site.toml", site / "site.toml")
    broken = files_with("error", report)
    for rel in [*content_files(CONTENT), "Breaking News!! (Ünïcode) & more/_index.md"]:
        if rel not in broken:
            target = site / "content" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(CONTENT / rel, target)
    output = site / "public"
    result = CliRunner().invoke(main, ["build", "--content", str(site / "content"),
                                       "--output", str(output)])
    assert result.exit_code == 0, result.output
    return output


def test_check_prints_the_expected_report(report):
    expected = (HOSTILE / "expected-report.txt").read_text(encoding="utf-8").splitlines()
    assert report == sorted(expected), "\n".join(report)


def test_every_problem_names_its_file_and_errors_stop_nothing_else(report):
    files = set(content_files(CONTENT))
    assert files_with("error", report) | files_with("warning", report) <= files
    assert any(line.startswith("latin1.md:2: warning: not valid UTF-8") for line in report)


def test_nothing_lost_every_file_is_in_an_event_or_in_the_report(report, valid_build):
    built = {a["file"] for e in read_events(valid_build) for a in e["articles"]}
    errors, warned = files_with("error", report), files_with("warning", report)
    published = {rel for rel in content_files(CONTENT)
                 if (valid_build / published_path(rel)).is_file()}  # images and documents
    files = set(content_files(CONTENT))
    assert not built & errors, "a file with an error was built"
    assert files == built | errors | published | (warned - built), \
        "a file vanished without a word"
    assert not published & (built | errors | warned), "a published file was also refused"
    assert published == {"notes.pdf", "Map (Final) ÜBER.JPG"}


def test_no_markup_from_content_reaches_any_page(valid_build):
    for page in sorted(valid_build.rglob("*.html")):
        for tag, attrs in tags_in(page.read_text(encoding="utf-8")):
            assert_safe_tag(tag, attrs, page.relative_to(valid_build))


def test_raw_markup_never_appears_unescaped(valid_build):
    """HTML and XML hold no raw markup from content; JSON holds it only as string data."""
    for file in sorted(valid_build.rglob("*.json")):
        json.loads(file.read_text(encoding="utf-8"))  # structure intact, strings are data
    for file in sorted(valid_build.rglob("*")):
        if file.is_file() and file.suffix in (".html", ".xml", ".txt"):
            text = file.read_text(encoding="utf-8")
            for needle in ("<script>", "<iframe", "<object", "<svg", "<img src=x",
                           "<style>", 'href="javascript', "href='javascript"):
                assert needle not in text.lower(), f"{needle} in {file}"


def test_json_ld_cannot_close_its_script_element(valid_build):
    found = 0
    for page in sorted(valid_build.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', text,
                                re.DOTALL):
            found += 1
            assert "<" not in block and ">" not in block
            json.loads(block)
    assert found, "the event pages were expected to carry JSON-LD"


def test_timelinejs_text_is_escaped_html(valid_build):
    document = valid_build / "timelinejs.json"
    if not document.exists():
        pytest.skip("no TimelineJS export in this build")
    data = json.loads(document.read_text(encoding="utf-8"))
    for slide in [data.get("title", {}), *data.get("events", [])]:
        for value in slide.get("text", {}).values():
            for tag, attrs in tags_in(value):
                assert_safe_tag(tag, attrs, "timelinejs.json")


def test_every_page_carries_the_csp_and_no_inline_script(valid_build):
    for page in sorted(valid_build.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', text)
        assert csp, f"no CSP in {page}"
        assert "script-src 'self'" in csp.group(1) and "unsafe-inline" not in csp.group(1)
        for tag, attrs in tags_in(text):
            if tag == "script":
                assert "src" in attrs or attrs.get("type") == "application/ld+json", page


def test_outputs_stay_inside_the_output_folder_with_safe_names(valid_build):
    root = valid_build.resolve()
    assert all(p.resolve().is_relative_to(root) for p in valid_build.rglob("*"))
    assert sorted(p.name for p in valid_build.parent.iterdir()) == [  # .dateline: the cache
        ".dateline", "content", "public", "site.toml"]
    for event in read_events(valid_build):
        assert SAFE_NAME.fullmatch(event["id"]), event["id"]
        assert event["story"] == "" or SAFE_NAME.fullmatch(event["story"])
    assert sorted(p.relative_to(valid_build).as_posix()
                  for p in (valid_build / "media").rglob("*")) == [
        "media/map-final-uber.jpg", "media/notes.pdf"]  # the SVG stays out: it runs script
    for folder in ("events", "sources", "stories"):
        for entry in (valid_build / folder).iterdir():
            assert entry.name == "index.html" or entry.name.endswith(".xml") \
                or SAFE_NAME.fullmatch(entry.name), entry


def test_dot_dot_fields_are_plain_text(valid_build):
    (event,) = [e for e in read_events(valid_build)
                if e["articles"][0]["file"] == "dot-dot.md"]
    assert event["id"] == "escape"  # from event: ../../../escape, slugged
    assert event["title"] == "../../../etc/passwd"  # shown as text, never used as a path
    assert (valid_build / "sources" / "outside" / "index.html").is_file()


def test_odd_story_folder_becomes_a_safe_slug(valid_build):
    events = read_events(valid_build)
    (event,) = [e for e in events if e["story"] == "breaking-news-unicode-more"]
    assert event["articles"][0]["file"] == (
        "Breaking News!! (Ünïcode) & more/evacuation ordered (2).md")
    page = valid_build / "stories" / "breaking-news-unicode-more" / "index.html"
    assert "Breaking &lt;script&gt;" in page.read_text(encoding="utf-8")


def test_encodings_decode_to_the_same_text(valid_build):
    titles = {a["file"]: a["title"] for e in read_events(valid_build) for a in e["articles"]}
    assert titles["utf16-le.md"] == "Library extends opening hours — horaires élargis"
    assert titles["utf16-be.txt"] == "Festival moves to the river"
    assert titles["latin1.md"] == "Café owners protest rent rises"
    assert titles["bom-crlf.md"] == "Ferry timetable changes"


def test_offset_time_is_normalised_to_utc(valid_build):
    (record,) = [a for e in read_events(valid_build) for a in e["articles"]
                 if a["file"] == "time-zone.md"]
    assert record["published"] == "2024-11-13"  # 23:30 at UTC-10 is 09:30 UTC next day


@pytest.mark.parametrize("folder", ['"><img src=x onerror=alert(1)>', "index.html",
                                    "feed.xml", "and..", "%2e%2e", "CON"])
def test_hostile_story_folder_names(tmp_path, folder):
    content = tmp_path / "content"
    (content / folder).mkdir(parents=True)
    (content / folder / "a.md").write_text(
        "---\ntitle: Ferry sails\ndate: 2024-11-13\nsource: X\n---\nIt sailed.\n",
        encoding="utf-8")
    output = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--content", str(content),
                                       "--output", str(output)])
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    assert SAFE_NAME.fullmatch(event["story"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dateline", "content", "out"]
    for page in output.rglob("*.html"):
        for tag, attrs in tags_in(page.read_text(encoding="utf-8")):
            assert_safe_tag(tag, attrs, page)


def test_two_story_folders_with_one_slug_are_an_error_naming_both(tmp_path):
    content = tmp_path / "content"
    for folder in ("Storms", "storms"):
        (content / folder).mkdir(parents=True)
        (content / folder / "a.md").write_text(
            "---\ntitle: T\ndate: 2024-11-13\nsource: X\n---\nBody.\n", encoding="utf-8")
    if len(list(content.iterdir())) < 2:
        pytest.skip("case-insensitive file system")
    lines = check_lines(content)
    assert "storms: story folders 'Storms' and 'storms' both map to stories/storms/ " \
           "(merge the two folders into one, or rename one)" in lines


@pytest.mark.parametrize(("first", "second", "page"), [
    ("Reuters", "REUTERS", "reuters"),  # differing only in case
    ("AP", "A.P.", "ap"),  # initials with and without dots
])
def test_spellings_of_one_outlet_share_one_source_page(tmp_path, first, second, page):
    content = tmp_path / "content"
    content.mkdir()
    for name, outlet, words in (("a.md", first, "Ferry sails from the harbour"),
                                ("b.md", second, "Court rejects the port appeal")):
        (content / name).write_text(f"---\ntitle: {words}\ndate: 2024-11-13\nsource: "
                                    f"{outlet}\n---\n{words} today.\n", encoding="utf-8")
    output = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--content", str(content),
                                       "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (output / "sources").iterdir()) == sorted(["index.html", page])


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def tags_in(markup: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser.found


def assert_safe_tag(tag: str, attrs: dict[str, str], where) -> None:
    """No tag or attribute that could run script or frame another page."""
    assert tag not in BAD_TAGS, f"<{tag}> in {where}"
    for name, value in attrs.items():
        assert not name.startswith("on"), f"{name}= on <{tag}> in {where}"
        if name in URL_ATTRIBUTES and (tag, value) != ("link", "data:,"):  # theme's no-icon
            assert not BAD_SCHEMES.match(value), f'{name}="{value}" in {where}'


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs symlinks and named pipes")
def test_links_pipes_and_vanished_files_are_errors_not_hangs(tmp_path):
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "passwd.md").write_text("---\ntitle: Secret\ndate: 2024-01-01\n---\nx\n",
                                       encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    (content / "out.md").symlink_to(outside / "passwd.md")
    (content / "folder").symlink_to(outside)
    (content / "broken.md").symlink_to(content / "missing.md")
    os.mkfifo(content / "pipe.md")
    assert check_lines(content) == [
        "broken.md: cannot be read: No such file or directory (check that the file exists "
        "and is readable)",
        "folder: link leads outside the content folder (copy the file into content/ "
        "instead of linking it)",
        "out.md: link leads outside the content folder (copy the file into content/ "
        "instead of linking it)",
        "pipe.md: not a regular file (a pipe, device or folder) (replace it with a text file)",
    ]
    article, problems = read_article(content / "gone.md", "gone.md")
    assert article is None and problems[0].message.startswith("cannot be read")


def test_media_links_point_at_published_files_or_stay_harmless(valid_build):
    (event,) = [e for e in read_events(valid_build)
                if e["articles"][0]["file"] == "media-links.md"]
    page = valid_build / event["url"] / "index.html"
    links = {attrs.get("src") or attrs.get("href") for tag, attrs in
             tags_in(page.read_text(encoding="utf-8")) if tag in ("img", "a")}
    assert "../../media/map-final-uber.jpg" in links and "../../media/notes.pdf" in links
    assert (page.parent / "../../media/map-final-uber.jpg").resolve().is_file()
    assert "../../../../etc/passwd.png" in links  # left as written: it names nothing here
    assert not any(link and "javascript" in link.lower() for link in links)
