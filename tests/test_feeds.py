"""The Atom feeds validate against RFC 4287's required elements, with RFC 3339 times."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.build import build
from generator.config import load_config

from .conftest import REPO

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


@pytest.fixture(scope="module", params=["https://example.org/news/", ""])
def site(request, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("feeds") / "site"
    build(load_config(REPO / "content", output=output, base_url=request.param, search=False))
    return output


def feeds(site: Path) -> list[Path]:
    return [site / "feed.xml", *sorted(site.glob("stories/*/feed.xml"))]


def moment(text: str) -> dt.datetime:
    assert RFC3339.fullmatch(text), text
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_feeds_are_well_formed_atom_with_required_elements(site):
    assert len(feeds(site)) >= 2
    for path in feeds(site):
        root = ET.parse(path).getroot()
        assert root.tag == f"{ATOM}feed", path
        for element in ("id", "title", "updated"):
            assert (root.findtext(f"{ATOM}{element}") or "").strip(), (path, element)
        updated = moment(root.findtext(f"{ATOM}updated"))
        entries = root.findall(f"{ATOM}entry")
        assert entries, path
        ids = [e.findtext(f"{ATOM}id") for e in entries]
        assert len(ids) == len(set(ids))
        for entry in entries:
            for element in ("id", "title", "updated"):
                assert (entry.findtext(f"{ATOM}{element}") or "").strip(), (path, element)
            assert moment(entry.findtext(f"{ATOM}updated")) <= updated
            # RFC 4287: an author (the site, at feed level: the entry's text is its own;
            # the outlets it sums up are contributors), and content or a link
            assert root.findtext(f"{ATOM}author/{ATOM}name")
            assert entry.find(f"{ATOM}author") is None
            assert [c.findtext(f"{ATOM}name") for c in entry.findall(f"{ATOM}contributor")]
            assert entry.find(f"{ATOM}link[@rel='alternate']") is not None


def test_feed_links_point_at_built_pages(site):
    for path in feeds(site):
        root = ET.parse(path).getroot()
        base = root.get("{http://www.w3.org/XML/1998/namespace}base")
        for link in root.iter(f"{ATOM}link"):
            href = link.get("href")
            if base:
                assert href.startswith(base)
                target = site / href[len(base):]
            else:
                target = (path.parent / href).resolve()
            assert target.is_file(), href


def test_entry_updated_follows_the_newest_correction(site):
    events = json.loads((site / "events.json").read_text())["events"]
    corrected = {e["id"]: max(n["date"] for n in e["corrections"] if n.get("date"))
                 for e in events if any(n.get("date") for n in e["corrections"])}
    root = ET.parse(site / "feed.xml").getroot()
    checked = 0
    for entry in root.findall(f"{ATOM}entry"):
        event_id = entry.findtext(f"{ATOM}id").rstrip("/").rsplit("/", 1)[-1]
        if event_id in corrected:
            checked += 1
            assert entry.findtext(f"{ATOM}updated")[:10] >= corrected[event_id]
    assert checked == len(corrected) > 0


def test_an_entry_carries_the_outlets_corrections_and_disputes(site):
    root = ET.parse(site / "feed.xml").getroot()
    contents = {e.findtext(f"{ATOM}title"): e.find(f"{ATOM}content") for e in root.iter(f"{ATOM}entry")}
    assert all(c is not None and c.get("type") == "html" for c in contents.values())
    dnipro = next(c.text for title, c in contents.items() if "Dnipro" in title)
    assert "<strong>Correction by Meridian Press, 2024-11-22:</strong> An earlier version" in dnipro
    nato = next(c.text for title, c in contents.items() if title.startswith("Blinken assures"))
    points = re.search(r"<p>Sources disagree on:</p><ul>(.*?)</ul>", nato).group(1)
    assert re.findall(r"<li>([^:<]*):", points) == [
        "British Foreign Secretary", "NATO Secretary General", "Ukrainian Foreign Minister"], \
        "a quotation's speaker is not a point in dispute, and rewordings are counted apart"
    assert "<li>NATO Secretary General: Mark Rutte (Reuters) or Jens Stoltenberg (Translated " \
        "wire digest); preferred: Mark Rutte</li>" in points, "who says what, not only on what"
    assert re.search(r"<p>Translated wire digest contradicted on 3 points; \d+ quotations "
                     r"worded differently\.</p>", nato), "who is contradicted, and how often"
    assert "<script" not in "".join(c.text for c in contents.values())


def test_a_story_feed_links_to_its_story_page(site):
    for path in feeds(site)[1:]:
        root = ET.parse(path).getroot()
        link = root.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert link.endswith(f"stories/{path.parent.name}/index.html"), link


def test_without_a_base_url_ids_are_the_sites_own(site):
    root = ET.parse(site / "feed.xml").getroot()
    if root.get("{http://www.w3.org/XML/1998/namespace}base"):
        return  # (the base_url build: ids are its URLs)
    ids = [root.findtext(f"{ATOM}id")] + [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
    assert all(i.startswith("urn:dateline:ukraine-diplomacy-desk:") for i in ids), ids


def test_control_characters_in_a_clipping_are_taken_out_with_a_warning(make_site, build_site):
    """A terminal escape in a clipped headline, a form feed in a front-matter title or a
    body: the feed stays XML (one of them made readers drop the whole feed)."""
    clipping = b"Harbour dredging\x1b contract signed\n\ndate 2024-02-03\n\n" \
        b"The council signed\x0c the dredging contract\x07 on Saturday.\n"
    marked = b"---\ntitle: \"Ferry\x0b strike begins\"\ndate: 2024-02-05\nsource: Desk\n---\n" \
        b"Crews walked out\x01 at dawn.\n"
    site = make_site({"harbour.txt": clipping, "ferry.md": marked})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    assert "harbour.txt:1: warning: control character U+001B removed" in result.output
    assert "ferry.md:2: warning: control character U+000B removed" in result.output
    feed = ET.parse(output / "feed.xml").getroot()  # (was: not well-formed, line 10)
    titles = sorted(e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry"))
    assert titles == ["Ferry strike begins", "Harbour dredging contract signed"]
    page = (output / "events" / "2024-02-03-harbour-dredging-contract-signed" / "index.html")
    assert "\x07" not in page.read_text(encoding="utf-8")
