"""`dateline build` and `dateline check` as a user runs them: pages, events.json, exit codes."""

from __future__ import annotations

import json
import re

import pytest

from generator.cli import main
from generator.write import MARKER

from .conftest import REPO, read_events

GOOD = """---
title: {title}
date: {date}
source: {source}
url: https://example.org/{slug}
---
{body}
"""


def article(title, date, source, body, slug="a"):
    return GOOD.format(title=title, date=date, source=source, body=body, slug=slug)


def test_raw_seeds_make_one_event_dated_2024_11_13(seeds_site, build_site):
    result, output = build_site(seeds_site)
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    assert event["date"] == "2024-11-13"
    assert sorted(a["file"] for a in event["articles"]) == [
        "000_ca7f983b08f06bbf.txt", "001_effe825b68eb2d18.txt"]
    assert (output / event["url"] / "index.html").is_file()


def test_the_seeds_event_page_puts_wrong_names_first_and_quote_wording_folded(
        seeds_site, build_site):
    """The three offices the translation gets wrong lead the notes, each under its own
    heading; the five quotations it words differently wait folded below them; a line
    under the lede counts both and the reports, linking to each."""
    result, output = build_site(seeds_site)
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    page = (output / event["url"] / "index.html").read_text("utf-8")
    notes = page[page.index('<section class="notes"'):page.index("</section>")]
    facts, _, folded = notes.partition('<details class="quote-notes">')
    assert re.findall(r'<h3 class="note-label">([^<]+)</h3>', facts) == [
        "British Foreign Secretary", "NATO Secretary General", "Ukrainian Foreign Minister"]
    assert folded and len(re.findall(r'class="note note-quote"', folded)) == 5
    assert "note-quote" not in facts
    assert len(re.findall(r'<h4 class="note-label">Quotation: ', folded)) == 5
    # Each wording once, in its table (with the sentence around it); a line on why one
    # is preferred said once for the quotations it holds for, not once per quotation.
    assert "Sources quote" not in folded
    whys = re.findall(r'<p class="why">([^<]*)</p>', folded)
    assert len(whys) == len(set(whys)), whys
    glance = " ".join(re.sub(r"<[^>]+>", " ", re.search(
        r'<p class="at-a-glance">(.*?)</p>', page, re.S).group(1)).split())
    assert glance.endswith("· 3 disagreements · 5 quotations worded "
                           "differently"), glance
    assert glance.startswith("2 reports :")
    card = (output / "index.html").read_text("utf-8")
    assert '#notes-heading">3 disagreements</a>' in card  # (not 8)


def test_with_one_story_the_home_page_links_to_its_page(make_site, build_site):
    """The navigation shows Stories only for several: one story's page (its introduction,
    its feed) is named on the home page instead; with two, the navigation has them."""
    one = {"war/_index.md": "---\ntitle: The war\n---\nHow it unfolded.\n",
           "war/a.md": article("Dnipro hit by new missile", "2024-11-21", "Meridian Press",
                               "Russia struck Dnipro with a new missile.", "a")}
    result, output = build_site(make_site(one))
    assert result.exit_code == 0, result.output
    home = (output / "index.html").read_text("utf-8")
    assert '<p class="muted">The story: <a href="stories/war/index.html">The war</a>' in home
    assert "stories/index.html" not in home
    two = {**one, "peace/b.md": article("Talks open in Geneva", "2024-12-02", "Wire",
                                        "Delegations met in Geneva.", "b")}
    result, output = build_site(make_site(two))
    home = (output / "index.html").read_text("utf-8")
    assert "The story:" not in home and 'href="stories/index.html"' in home


def test_missing_source_and_date_are_warnings_for_plain_files(seeds_site, build_site):
    result, _ = build_site(seeds_site)
    assert "000_ca7f983b08f06bbf.txt: warning: no source" in result.output
    assert "no publication date" in result.output


def test_events_json_follows_the_contract(make_site, build_site):
    site = make_site({
        "war/_index.md": "---\ntitle: The war\ndescription: How it unfolded.\n---\n",
        "war/a.md": article("Dnipro hit by new missile", "2024-11-21", "Meridian Press",
                            "Russia struck Dnipro with a new intermediate-range missile.", "a"),
        "war/b.md": article("Parliament passes budget", "2024-11-19", "Kyiv Courier",
                            "Lawmakers in Kyiv approved the 2025 budget on Tuesday.", "b"),
    })
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    document = json.loads((output / "events.json").read_text())
    assert document["version"] == 1
    assert document["generated_by"].startswith("dateline")
    dates = [e["date"] for e in document["events"]]
    assert dates == sorted(dates)
    first = document["events"][0]
    assert set(first) >= {"id", "date", "title", "story", "url", "first_reported_by",
                          "articles", "corrections"}
    assert first["story"] == "war"
    assert first["articles"][0] == {"file": "war/b.md", "title": "Parliament passes budget",
                                     "source": "Kyiv Courier", "url": "https://example.org/b",
                                     "published": "2024-11-19"}
    assert re.fullmatch(r"2024-11-19-[a-z0-9-]+", first["id"])


def test_every_bundled_article_is_in_exactly_one_event(runner, tmp_path):
    output = tmp_path / "out"
    result = runner.invoke(main, ["build", "--content", str(REPO / "content"),
                                  "--output", str(output)])
    assert result.exit_code == 0, result.output
    files = sorted(a["file"] for e in read_events(output) for a in e["articles"])
    expected = sorted(p.relative_to(REPO / "content").as_posix()
                      for p in (REPO / "content").rglob("*.md") if not p.name.startswith("_"))
    assert files == expected


def test_the_report_the_notes_contradict_is_marked_in_the_coverage(runner, tmp_path):
    """On the bundled NATO event, the translation names three people the other report
    and the register contradict: its line in the coverage says so, linking to the notes;
    Reuters' line does not."""
    output = tmp_path / "out"
    result = runner.invoke(main, ["build", "--content", str(REPO / "content"),
                                  "--output", str(output)])
    assert result.exit_code == 0, result.output
    (event,) = [e for e in read_events(output) if "nato" in e["id"] and
                e["date"] == "2024-11-13"]
    page = (output / event["url"] / "index.html").read_text("utf-8")
    coverage = page[page.index('<ol class="coverage-list">'):page.index("</ol>")]
    lines = {re.search(r'data-pagefind-filter="outlet">([^<]+)<', item).group(1): item
             for item in coverage.split("<li>")[1:]}
    assert "contradicted on 3 points" in lines["Translated wire digest"]
    assert 'href="#notes-heading"' in lines["Translated wire digest"]
    assert "contradicted" not in lines["Reuters"]


def test_content_errors_exit_1_list_every_problem_and_write_nothing(make_site, build_site):
    site = make_site({
        "bad-yaml.md": "---\ntitle: [oops\n---\nBody\n",
        "bad-date.md": "---\ntitle: T\ndate: 2024-13-45\nsource: X\n---\nBody\n",
        "good.md": article("Fine", "2024-11-13", "X", "Fine text."),
    })
    result, output = build_site(site)
    assert result.exit_code == 1
    assert "bad-yaml.md:2: YAML front matter is not valid" in result.output
    assert "bad-date.md:3:" in result.output
    assert "Build failed: 2 error(s)" in result.output
    assert not output.exists()


def test_failed_build_leaves_previous_site_untouched(make_site, build_site):
    site = make_site({"good.md": article("Fine", "2024-11-13", "X", "Fine text.")})
    result, output = build_site(site)
    assert result.exit_code == 0
    before = {p.relative_to(output): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    (site / "content" / "broken.md").write_text("---\ntitle: [x\n---\n", encoding="utf-8")
    result, _ = build_site(site)
    assert result.exit_code == 1
    after = {p.relative_to(output): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert after == before


def test_refuses_to_replace_a_folder_it_did_not_build(make_site, runner):
    site = make_site({"good.md": article("Fine", "2024-11-13", "X", "Fine text.")})
    precious = site / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    result = runner.invoke(main, ["build", "--content", str(site / "content"),
                                  "--output", str(precious)])
    assert result.exit_code == 1
    assert "not built by Dateline" in result.output
    assert (precious / "thesis.tex").read_text() == "years of work"


def test_rebuild_replaces_previous_output_and_marks_it(make_site, build_site):
    site = make_site({"good.md": article("Fine", "2024-11-13", "X", "Fine text.")})
    build_site(site)
    result, output = build_site(site)
    assert result.exit_code == 0
    assert (output / MARKER).is_file()
    assert (output / ".nojekyll").is_file()


def test_usage_errors_exit_2(runner, tmp_path):
    result = runner.invoke(main, ["build", "--content", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert runner.invoke(main, ["build", "--no-such-flag"]).exit_code == 2


def test_check_reports_without_writing(make_site, runner):
    site = make_site({"bad.md": "---\ntitle: [x\n---\n",
                      "good.md": article("Fine", "2024-11-13", "X", "Fine text.")})
    result = runner.invoke(main, ["check", "--content", str(site / "content")])
    assert result.exit_code == 1
    assert "bad.md:2:" in result.output
    assert not (site / "site").exists()


def test_drafts_are_skipped_unless_asked(make_site, build_site):
    draft = article("Secret", "2024-11-13", "X", "Not yet.").replace("---\n", "---\ndraft: true\n", 1)
    site = make_site({"d.md": draft, "good.md": article("Fine", "2024-11-14", "X", "Fine.")})
    result, output = build_site(site)
    assert [e["title"] for e in read_events(output)] == ["Fine"]
    assert "Skipped 1 draft(s): d.md" in result.output
    _, output = build_site(site, "--drafts")
    assert len(read_events(output)) == 2


def test_warnings_about_a_whole_file_and_about_one_line_print_together(make_site, build_site):
    """One file with a line warning (unknown key) and a file warning (no line): a 100k
    build once crashed here sorting None against a line number."""
    text = "---\nsorce: typo\ntitle: Fine\ndate: 2024-11-13\n---\nFine.\n"
    site = make_site({"a.md": text})
    result, _ = build_site(site)
    assert result.exit_code == 0, result.output
    whole = result.output.index("a.md: warning: no source")
    assert whole < result.output.index("a.md:2: warning: unknown front-matter key 'sorce'")


def test_unknown_site_setting_is_an_error_with_suggestion(make_site, build_site):
    site = make_site({"good.md": article("Fine", "2024-11-13", "X", "Fine.")},
                     config='title = "My desk"\ntitel = "typo"\n')
    result, _ = build_site(site)
    assert result.exit_code == 1
    assert "site.toml:2: unknown setting 'titel' (did you mean 'title'?)" in result.output


def test_same_input_gives_byte_identical_output(make_site, build_site, tmp_path):
    site = make_site({
        "a.md": article("Dnipro hit by new missile", "2024-11-21", "Meridian Press",
                        "Russia struck Dnipro with a new missile.", "a"),
        "b.md": article("Budget passed", "2024-11-19", "Kyiv Courier", "Lawmakers voted.", "b"),
    })
    _, output = build_site(site)
    first = {p.relative_to(output): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    _, output = build_site(site)
    second = {p.relative_to(output): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert first == second


def test_content_errors_survive_a_trip_through_a_worker_process():
    import pickle

    from generator.errors import ContentError, warning

    for problem in (ContentError("a.md", 3, "bad", "fix it"), warning("b.md", None, "odd")):
        assert pickle.loads(pickle.dumps(problem)) == problem


def test_the_garbage_collector_is_paused_for_a_build_and_back_on_after(seeds_site, build_site,
                                                                         monkeypatch):
    """Paused for speed (generator/parallel.py), but `serve` and library callers get their
    collector back, also after a build that failed."""
    import gc

    from generator import build as build_module

    seen = []
    real = build_module.plan_pages
    monkeypatch.setattr(build_module, "plan_pages",
                        lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    assert gc.isenabled()
    result, _ = build_site(seeds_site)
    assert result.exit_code == 0, result.output
    assert seen == [False] and gc.isenabled()
    (seeds_site / "content" / "broken.md").write_text("---\ntitle: [unclosed\n---\nText.\n")
    result, _ = build_site(seeds_site)
    assert result.exit_code == 1 and gc.isenabled()


def test_timings_add_up_to_the_build_time(seeds_site, build_site):
    result, _ = build_site(seeds_site, "--timings", "--no-search")
    assert result.exit_code == 0, result.output
    table = result.stderr.split("stage  ")[-1].splitlines()[1:]
    seconds = {name: float(value) for name, value in (row.split() for row in table)}
    assert {"parse", "merge", "compare", "render", "outputs", "other", "total"} <= set(seconds)
    parts = sum(v for name, v in seconds.items() if name != "total")
    assert abs(parts - seconds["total"]) < 0.005  # (each row rounded to a millisecond)
    assert "Built " in result.stdout and "stage" not in result.stdout


def test_a_story_page_shows_its_index_body_as_written_and_safely(make_site, build_site):
    report = "---\ntitle: Vote\ndate: 2024-11-13\nsource: Wire\n---\nThe council voted.\n"
    site = make_site({
        "war/_index.md": "---\ntitle: The war\ndescription: How it unfolded.\n---\n"
                         "Two reports are *real*; the rest are invented.\n\n<script>x()</script>\n",
        "vote/_index.md": "---\ntitle: The vote\n---\nEvery report of the **council** vote.\n",
        "war/a.md": report.replace("The council voted.", "Shelling hit the port of Odesa."),
        "vote/b.md": report.replace("2024-11-13", "2025-02-03")})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    war = (output / "stories" / "war" / "index.html").read_text(encoding="utf-8")
    assert '<p class="lede">How it unfolded.</p>' in war
    assert "<p>Two reports are <em>real</em>; the rest are invented.</p>" in war
    assert "<script>x()" not in war
    vote = (output / "stories" / "vote" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="Every report of the council vote.">' in vote
    assert 'class="lede">Every report' not in vote, "the body is not repeated as a lede"
    assert "<strong>council</strong>" in vote
    listing = (output / "stories" / "index.html").read_text(encoding="utf-8")
    assert "Every report of the council vote." in listing  # (its first paragraph describes it)


def test_why_merged_names_people_and_places_as_the_reports_write_them(seeds_site, build_site):
    result, output = build_site(seeds_site, "--no-search")
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    shared = event["merge"]["shared_names"]  # (the export keeps the merge's tokens)
    assert "secretary of state antony blinken" in shared and "blinken" not in shared
    page = (output / event["url"] / "index.html").read_text(encoding="utf-8")
    why = re.search(r'<details class="why-merged".*?</details>', page, re.S).group(0)
    assert "Match score above 0.99 (how likely, from 0 to 1, that these report one event, " \
        "not whether they agree)" in why, "never shown as a certainty"
    names = re.search(r"shared names: ([^;]*);", why).group(1).split(", ")
    assert "Secretary of State Antony Blinken" in names and "NATO" in names
    assert "North Korea" in names and "North" not in names  # (a part of a name is not one)
    words = re.search(r"shared words: ([^;]*);", why).group(1).split(", ")
    assert "blinken" not in words, "a shared name's words are not listed again as words"
    assert "all dated the same day" in why


def test_a_name_is_written_as_a_report_writes_it_outside_a_capitalised_dateline():
    from types import SimpleNamespace

    from generator.render import find_written

    wire = SimpleNamespace(title="Drones hit Dnipro",
                           text="KYIV, Nov 17 (Reuters) - Drones struck Dnipro overnight.")
    other = SimpleNamespace(title="Dnipro attacked", text="Officials in Kyiv said so.")
    assert find_written(["kyiv"], [wire, other]) == ["Kyiv"], "not the dateline's KYIV"
    assert find_written(["kyiv"], [wire]) == ["KYIV"], "the dateline when nothing else has it"
    assert find_written(["dnipro"], [wire, other]) == ["Dnipro"]


def test_the_site_timezone_dates_an_evening_report_on_the_desks_own_day(make_site, build_site):
    evening = "---\ntitle: Levee breaks\ndate: 2024-10-08T21:30:00-05:00\nsource: Wire\n" \
              "corrections:\n  - date: 2024-10-08T21:30:00-05:00\n    text: Fixed the hour.\n" \
              "---\nThe levee broke late in the evening.\n"
    naive = "---\ntitle: Curfew set\ndate: 2024-11-20T23:45\nsource: Desk\n---\n" \
            "The city set a curfew for the weekend.\n"
    for zone, days in (("America/Chicago", ["2024-10-08", "2024-11-20"]),
                       ("UTC", ["2024-10-09", "2024-11-20"])):
        site = make_site({"levee.md": evening, "curfew.md": naive},
                         config=f'title = "Desk"\ntimezone = "{zone}"\n')
        result, output = build_site(site, "--no-search")
        assert result.exit_code == 0, result.output
        events = sorted(read_events(output), key=lambda e: e["date"])
        assert [e["date"] for e in events] == days, zone
        assert [e["articles"][0]["published"] for e in events] == days, zone
        (correction,) = [c for c in events[0]["corrections"] if c["kind"] == "author"]
        assert correction["date"] == days[0], "a correction's day is the site's day too"
        feed = (output / "feed.xml").read_text(encoding="utf-8")
        assert "<updated>2024-10-09T02:30:00Z</updated>" in feed, zone  # (feeds stay in UTC)


def test_a_file_size_limit_below_one_byte_is_a_setting_error(make_site, build_site):
    site = make_site({"good.md": article("Fine", "2024-11-13", "X", "Fine.")},
                     config='title = "My desk"\nmax_file_size = -5\n')
    result, _ = build_site(site)
    assert result.exit_code == 1
    assert "site.toml:2: 'max_file_size' must be a positive number of bytes" in result.output


@pytest.mark.parametrize("address", ["example.org/news", "javascript:alert(1)//",
                                     "https://", "https://example.org/a b/",
                                     "https://example.org/?page=1", "https://[::1",
                                     "https://example.org:abc/",
                                     "https://user:secret@example.org/"])
def test_a_site_address_that_is_not_absolute_is_refused_from_either_place(
        make_site, build_site, address):
    site = make_site({"good.md": article("Fine", "2024-11-13", "X", "Fine.")})
    result, output = build_site(site, "--base-url", address)
    assert result.exit_code == 2, result.output  # (a usage error, like any bad option)
    assert "Invalid value for '--base-url'" in result.output
    assert "https://user.github.io/repo/" in result.output
    assert not output.exists()
    (site / "site.toml").write_text(f'title = "Desk"\nbase_url = "{address}"\n')
    result, _ = build_site(site)
    assert result.exit_code == 1
    assert "site.toml:2: 'base_url' " in result.output and "Traceback" not in result.output


def test_a_site_address_in_capitals_or_with_a_port_is_accepted(make_site, build_site):
    site = make_site({"good.md": article("Fine", "2024-11-13", "X", "Fine.")})
    result, output = build_site(site, "--no-search", "--base-url", "HTTPS://Desk.example.org:8443/t/")
    assert result.exit_code == 0, result.output
    assert "HTTPS://Desk.example.org:8443/t/" in (output / "sitemap.xml").read_text()


def test_check_reports_settings_and_content_problems_together(make_site, runner):
    site = make_site({"bad.md": "---\ntitle: Broken\ndate: 2024-13-45\n---\nText.\n"},
                     config='title = "My desk"\ntitel = "typo"\n')
    result = runner.invoke(main, ["check", "--content", str(site / "content")])
    assert result.exit_code == 1
    assert "site.toml:2: unknown setting 'titel'" in result.output
    assert "bad.md:3:" in result.output, "the content is still checked"
    assert "nothing was built" not in result.output


def test_an_hour_beats_no_hour_only_on_another_day(make_site, build_site):
    """A date without a time may be any hour of that day: the report dated the day
    before is first; one out at 08:30 on the 13th cannot be said to come before one dated
    the 13th without an hour (it was credited first), so the dates do not tell."""
    body = "Storm Elra hit Port Alden with 140 km/h winds on Wednesday."
    reports = {
        "a.md": article("Storm hits Port Alden", "2024-11-13", "Coastwire", body),
        "b.md": article("Storm Elra makes landfall", "2024-11-13T08:30:00Z", "Harbour Post",
                        body, "b"),
        "c.md": article("Elra reaches the coast", "2024-11-12T23:00:00Z", "Night Desk", body,
                        "c")}
    site = make_site({name: text.replace("---\n", "---\nevent: elra\n", 1)
                      for name, text in reports.items()})
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    assert event["first_reported_by"] == "Night Desk"  # the day before beats any hour after
    assert "first_reported_together" not in event
    assert [a["source"] for a in event["articles"]] == ["Night Desk", "Harbour Post",
                                                        "Coastwire"]
    (site / "content" / "c.md").unlink()
    result, output = build_site(site)
    (event,) = read_events(output)
    assert event["first_reported_together"] == ["Harbour Post", "Coastwire"]
    page = (output / event["url"] / "index.html").read_text("utf-8")
    assert 'class="badge badge-ok">first<' not in page
    assert "The dates given do not say which came first: Harbour Post or Coastwire." in page


@pytest.mark.parametrize("says", ["based_on: [Coastwire]\n", "based_on: [The Coastwire]\n",
                                  "", "based_on: [Night Desk]\n"])
def test_a_report_based_on_another_is_not_first_when_the_dates_tie(make_site, build_site,
                                                                   says):
    """Two reports of one day with no time, the later file saying it is based on the
    other outlet's report (in its front matter, however it spells the outlet, or in a
    closing line): the original came first, and the pages say so. Based on an outlet that
    did not report the event, it says nothing about which came first."""
    body = "Storm Elra hit Port Alden with 140 km/h winds on Wednesday."
    closing = "\n\n(This article is based on reports from Coastwire.)\n" if not says else ""
    site = make_site({
        "a.md": article("Storm Elra makes landfall", "2024-11-13", "Harbour Post",
                        body + closing).replace("---\n", f"---\nevent: elra\n{says}", 1),
        "b.md": article("Storm hits Port Alden", "2024-11-13", "Coastwire", body, "b")
        .replace("---\n", "---\nevent: elra\n", 1)})
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    page = (output / event["url"] / "index.html").read_text("utf-8")
    if "Night Desk" in says:  # (not one of the event's outlets: the dates still tie)
        assert event["first_reported_together"] == ["Harbour Post", "Coastwire"]
        assert "which came first" in page
        return
    assert event["first_reported_by"] == "Coastwire"
    assert [a["source"] for a in event["articles"]] == ["Coastwire", "Harbour Post"]
    assert "first_reported_together" not in event
    assert page.count('class="badge badge-ok">first<') == 1 and "which came first" not in page


@pytest.mark.parametrize("reports, order", [
    # A chain on one day: each after the report it is based on, whatever the file names.
    ({"a.md": ("Digest", "2024-11-13", "BBC"), "b.md": ("BBC", "2024-11-13", "AP"),
      "c.md": ("AP", "2024-11-13", None)}, ["AP", "BBC", "Digest"]),
    # The original of the day's first report came a day later: the digest based on the
    # BBC's report still follows it, and the BBC is first.
    ({"a.md": ("Digest", "2024-11-13", "BBC"), "b.md": ("BBC", "2024-11-13", "AP"),
      "c.md": ("AP", "2024-11-14", None)}, ["BBC", "Digest", "AP"]),
])
def test_reports_based_on_each_other_on_one_day_follow_their_originals(
        make_site, build_site, reports, order):
    body = "Storm Elra hit Port Alden with 140 km/h winds on Wednesday."
    site = make_site({name: article(f"Storm report {k}", day, outlet, body, name[0]).replace(
        "---\n", "---\nevent: elra\n" + (f"based_on: [{based}]\n" if based else ""), 1)
        for k, (name, (outlet, day, based)) in enumerate(reports.items())})
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    assert [a["source"] for a in event["articles"]] == order
    assert event["first_reported_by"] == order[0]
    assert "first_reported_together" not in event
    page = (output / event["url"] / "index.html").read_text("utf-8")
    assert "which came first" not in page
    card = (output / "index.html").read_text("utf-8")
    assert re.search(rf"first: <a [^>]*>{order[0]}</a>", card), "the card agrees"


def test_no_page_claims_first_when_the_dates_cannot_tell(make_site, build_site):
    """Two reports dated the same day with no time: either may have come first. The
    export names both (`first_reported_together`), the event page gives no "first" badge
    and says the dates do not tell, the timeline card names both outlets as sources."""
    body = "Storm Elra hit Port Alden with 140 km/h winds on Wednesday."
    site = make_site({
        "a.md": article("Storm hits Port Alden", "2024-11-13", "Coastwire", body)
        .replace("---\n", "---\nevent: elra\n", 1),
        "b.md": article("Storm Elra makes landfall", "2024-11-13", "Harbour Post", body, "b")
        .replace("---\n", "---\nevent: elra\n", 1)})
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    assert event["first_reported_by"] == "Coastwire"  # (the contract's one name: by path)
    assert event["first_reported_together"] == ["Coastwire", "Harbour Post"]
    page = (output / event["url"] / "index.html").read_text("utf-8")
    assert 'class="badge badge-ok">first<' not in page
    assert "The dates given do not say which came first: Coastwire or Harbour Post." in page
    card = re.search(r'<p class="meta">(.*?)</p>', (output / "index.html").read_text("utf-8"),
                     re.S).group(1)
    assert " ".join(re.sub(r"<[^>]+>", " ", card).split()) == \
        "2 reports · from: Coastwire , Harbour Post"


def test_images_beside_an_article_are_published_and_linked(make_site, build_site):
    """As Hugo's page bundles: the file beside the article, linked by its own name, shows
    on the event page at any base path; deleting it removes it from the site."""
    text = article("Storm Elra makes landfall", "2024-11-13", "Coastwire",
                   "Storm Elra hit Port Alden.\n\n![Path of the storm](maps/Elra%20Path.png)"
                   "\n\n![Rainfall](chart.svg) [Forecast, page 3](forecast.pdf#page=3)")
    site = make_site({"storms/elra.md": text, "storms/maps/Elra Path.png": b"\x89PNG\r\n",
                      "storms/chart.svg": "<svg/>", "storms/forecast.pdf": b"%PDF",
                      "storms/_index.md": "---\ntitle: Storms\n---\nThe season's [tracks]"
                                          "(maps/tracks.pdf).\n",
                      "storms/maps/tracks.pdf": b"%PDF-tracks"},
                     config="trusted_html = true\n")
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    page = output / event["url"] / "index.html"
    (src,) = re.findall(r'<img src="([^"]+)" alt="Path of the storm"', page.read_text("utf-8"))
    assert src == "../../media/storms/maps/elra-path.png"
    assert (page.parent / src).resolve().read_bytes() == b"\x89PNG\r\n"
    assert (output / "media/storms/chart.svg").is_file()  # trusted content: SVG published
    assert 'href="../../media/storms/forecast.pdf#page=3"' in page.read_text("utf-8")
    story = output / "stories/storms/index.html"  # a story's _index.md links the same way
    (tracks,) = re.findall(r'<a href="([^"]+)">tracks</a>', story.read_text("utf-8"))
    assert (story.parent / tracks).resolve().read_bytes() == b"%PDF-tracks"
    (site / "content/storms/maps/Elra Path.png").unlink()
    result, output = build_site(site)
    assert "links to 'storms/maps/Elra Path.png', which is not in the content folder" \
        in result.output
    assert not (output / "media/storms/maps/elra-path.png").exists()


def test_reports_are_ordered_by_time_in_the_sites_time_zone(make_site, build_site):
    """In New York, 10:00 comes before 22:00 of the same day (03:00 UTC the next day)."""
    body = "Storm Elra hit Port Alden with 140 km/h winds."
    site = make_site({
        "a.md": article("Storm hits Port Alden", "2024-11-12T10:00:00-05:00", "Morning Desk",
                        body).replace("---\n", "---\nevent: elra\n", 1),
        "b.md": article("Storm Elra makes landfall", "2024-11-12T22:00:00-05:00", "Night Desk",
                        body, "b").replace("---\n", "---\nevent: elra\n", 1)},
        config='timezone = "America/New_York"\n')
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    assert event["first_reported_by"] == "Morning Desk"
    assert [a["source"] for a in event["articles"]] == ["Morning Desk", "Night Desk"]


def test_only_files_published_articles_link_to_are_published(make_site, build_site):
    """A draft's attachment, a memo nobody links to and a file in an "_" folder stay out
    of the site, each with a word saying so."""
    draft = article("Embargoed storm damage", "2024-11-14", "Coastwire",
                    "Damage estimate in [the memo](memo.pdf).").replace(
                        "---\n", "---\ndraft: true\n", 1)
    text = article("Storm Elra makes landfall", "2024-11-13", "Coastwire",
                   "Storm Elra hit.\n\n![Map](_private/map.png) ![Radar](radar%2Epng)")
    site = make_site({"storms/embargo.md": draft, "storms/memo.pdf": b"%PDF",
                      "storms/elra.md": text, "storms/_private/map.png": b"PNG",
                      "storms/radar.png": b"PNG", "storms/notes.png": b"PNG"})
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(output).as_posix() for p in (output / "media").rglob("*.*")) \
        == ["media/storms/radar.png"]  # linked as radar%2Epng: decoded before it is judged
    assert "Skipped 1 draft(s): storms/embargo.md and the 1 file they link to (storms/memo.pdf)" \
        in result.output, "a draft's attachment waits with it, and is named"
    assert "storms/notes.png: warning: no published article or story links to this file" in result.output
    assert "links to 'storms/_private/map.png', but files and folders whose names start " \
        "with '_' or '.' are not published" in result.output
    result, output = build_site(site, "--drafts")
    assert (output / "media/storms/memo.pdf").is_file()


def test_a_story_without_a_page_publishes_nothing_its_index_links(make_site, build_site):
    """A story whose only article is a draft has no page, so its _index.md's attachment
    stays out; an _index.md below a story folder is not read, and says so."""
    draft = article("Embargoed report", "2024-11-14", "Coastwire", "Embargoed.").replace(
        "---\n", "---\ndraft: true\n", 1)
    site = make_site({
        "secret/_index.md": "---\ntitle: Secret\n---\nSee [the leak](leak.pdf).\n",
        "secret/leak.pdf": b"%PDF", "secret/embargo.md": draft,
        "storms/elra.md": article("Storm Elra makes landfall", "2024-11-13", "Coastwire",
                                  "Storm Elra hit."),
        "storms/_index.md": "---\ntitle: Storms\n---\nThe season.\n",
        "storms/sub/_index.md": "---\ntitle: Sub\n---\nSub text.\n"})
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    assert not (output / "media").exists()
    assert "secret/leak.pdf: warning: no published article or story links" in result.output
    assert "storms/sub/_index.md: warning: only a story folder's own _index.md" in result.output
    assert "The season." in (output / "stories/storms/index.html").read_text("utf-8")


def test_marked_links_are_placed_but_alt_and_title_text_is_left_alone():
    from generator.media import from_root, marked_link

    mark = marked_link("storms/map.png")
    html = f'<img src="{mark}" alt="{mark}" title="{mark}" /><a href="{mark}#p=2">x</a>'
    assert from_root(html, "../../") == (
        f'<img src="../../media/storms/map.png" alt="{mark}" title="{mark}" />'
        '<a href="../../media/storms/map.png#p=2">x</a>')


def test_a_shared_name_no_report_writes_is_shown_word_by_word(make_site, build_site):
    """The name features join "Minneapolis Police Chief Pamela Smith" across "Police"
    (not a name) into a name no report writes; the page shows its words as written."""
    body = ("Minneapolis Police Chief Pamela Smith said two officers were hurt in a "
            "shooting on Lake Street in Minneapolis on Tuesday night.")
    site = make_site({
        "a.md": article("Two officers hurt in Minneapolis shooting", "2024-11-12",
                        "Coastwire", body),
        "b.md": article("Minneapolis shooting leaves two officers hurt", "2024-11-12",
                        "Harbour Post", body, "b")})
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    assert "minneapolis chief pamela smith" in event["merge"]["shared_names"]
    page = (output / event["url"] / "index.html").read_text("utf-8")
    names = re.search(r"shared names: ([^;]*);", page).group(1).split(", ")
    assert "Minneapolis" in names and "Pamela" in names and "Smith" in names, names
    assert not any(name.islower() for name in names), names


def test_an_event_key_stays_the_id_when_a_report_without_one_joins(make_site, build_site):
    """Authors pin an event's address with `event:`; a later report of the same strike
    that the merge adds to it (no key of its own) must not move the page."""
    body = ("Ferry crews in Port Alden walked out at dawn on Monday, halting all 14 crossings "
            "to Kessel Island, the union said. Union leader Mara Quist said the strike would "
            "last 48 hours unless the operator raised wages by 6 percent.")
    keyed = article("Ferry strike begins at dawn", "2024-12-02", "Coastwire", body)
    site = make_site({"a.md": keyed.replace("---\n", "---\nevent: ferry-strike-2024\n", 1)})
    result, output = build_site(site, "--no-search")
    assert [e["id"] for e in read_events(output)] == ["ferry-strike-2024"]
    (site / "content" / "b.md").write_text(
        article("Ferry strike begins at dawn in Port Alden", "2024-12-02", "Harbour Post",
                body.replace("the union said", "according to the union"), "b"),
        encoding="utf-8")
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    assert len(event["articles"]) == 2, "one event"
    assert event["id"] == "ferry-strike-2024"
    later = (site / "content" / "b.md").read_text(encoding="utf-8")
    (site / "content" / "b.md").write_text(
        later.replace("---\n", "---\nevent: port-alden-walkout\n", 1), encoding="utf-8")
    result, output = build_site(site, "--no-search")
    assert [e["id"] for e in read_events(output)] == ["ferry-strike-2024"]
    assert ("b.md: warning: event: 'port-alden-walkout' was merged with reports of the "
            "event 'ferry-strike-2024', whose key names it") in result.output


def test_an_id_pinned_by_event_key_is_kept_when_another_event_has_it(make_site, build_site):
    """`event:` pins an address: an unpinned event that comes to the same id (same day,
    same headline) is the one renamed, with a warning; so is the second of two keys that
    differ only in case."""
    count = ("Election officials in Port Alden announced results on Monday: turnout was "
             "{n} percent, up from last year, the commission said.")
    site = make_site({
        "c.md": article("Election results announced", "2024-04-01", "Coastwire",
                        "Mara Quist won the mayoral race. " + count.format(n=61), "c"),
        "d.md": article("Harbour vote recount ends", "2024-05-01", "Harbour Post",
                        "Kessel Island's recount confirmed the result of the harbour "
                        "levy vote on Wednesday.", "d").replace(
            "---\n", "---\nevent: 2024-04-01-election-results-announced\n", 1),
        "e.md": article("Ferry strike begins", "2024-06-03", "Coastwire",
                        "Ferry crews walked out at dawn.", "e").replace(
            "---\n", "---\nevent: Storm Key\n", 1),
        "f.md": article("Storm closes the port", "2024-09-09", "Harbour Post",
                        "The port of Port Alden closed as the storm arrived.", "f").replace(
            "---\n", "---\nevent: storm-key\n", 1)})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    ids = {e["articles"][0]["file"]: e["id"] for e in read_events(output)}
    assert ids["d.md"] == "2024-04-01-election-results-announced"
    assert ids["c.md"].startswith("2024-04-01-election-results-announced-")
    assert "d.md: warning: event: '2024-04-01-election-results-announced' takes the id " \
           f"'2024-04-01-election-results-announced' from the event of c.md, whose id " \
           f"becomes '{ids['c.md']}'" in result.output
    assert ids["e.md"] == "storm-key" and ids["f.md"].startswith("storm-key-")
    assert "f.md: warning: event: 'storm-key' gives the id 'storm-key', which event: " \
           "'Storm Key' (e.md) already has" in result.output


def test_a_new_event_with_the_same_day_and_headline_renames_no_other(make_site, build_site):
    """Ids are stable while an event's articles are: a third "Council approves harbour
    budget" of that day, kept apart, gets an id of its own and leaves the others'."""
    def report(slug, source, hour, text, apart):
        return (f"---\ntitle: Council approves harbour budget\ndate: 2024-11-13T{hour}:00\n"
                f"source: {source}\nurl: https://example.org/{slug}\nseparate: {apart}\n---\n"
                f"{text}\n")

    site = make_site({
        "m/north.md": report("n", "Northern Herald", "09", "Northport's council voted 7-2 "
                             "for the dredging budget.", "[s/south.md]"),
        "s/south.md": report("s", "Coastal Times", "10", "Southby's council passed its "
                             "seawall budget unanimously.", "[m/north.md]")})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    before = {e["articles"][0]["file"]: e["id"] for e in read_events(output)}
    assert before["m/north.md"] == "2024-11-13-council-approves-harbour-budget", "first keeps it"
    assert re.fullmatch(r"2024-11-13-council-approves-harbour-budget-[0-9a-f]{6}",
                        before["s/south.md"])
    (site / "content" / "aaa").mkdir()
    (site / "content" / "aaa" / "x.md").write_text(report(
        "x", "Bay Wire", "15", "Easton's council approved a harbour lighting budget.",
        "[m/north.md, s/south.md]"), encoding="utf-8")
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    after = {e["articles"][0]["file"]: e["id"] for e in read_events(output)}
    assert {k: after[k] for k in before} == before  # (was: aaa/ sorted first and took it)
    assert len(set(after.values())) == 3


def test_an_undated_clipping_that_gives_a_month_is_dated_to_that_month(make_site, build_site):
    """No publication date and no day in the lead, but "In March 2023" (a sentence may
    start with it): the event is dated 2023-03, no day invented (it was an error)."""
    clipping = ("Floods swamp the Kessel valley\n\nIn March 2023 the Kessel river rose four "
                "metres and flooded 300 homes in the valley, officials said.\n")
    site = make_site({"flood.txt": clipping,
                      "levee.md": article("Levee plan approved", "2023-05-02", "Desk",
                                          "In March 2023 the valley flooded; the council "
                                          "approved the levee plan on Tuesday.")})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    assert "start the text with a line 'date 2024-11-13'" in result.output  # (no front matter)
    dated = {e["title"]: e["date"] for e in read_events(output)}
    assert dated == {"Floods swamp the Kessel valley": "2023-03",
                     "Levee plan approved": "2023-05-02"}, "a published report keeps its day"
    page = output / "events" / "2023-03-floods-swamp-the-kessel-valley" / "index.html"
    assert '<time datetime="2023-03">March 2023</time>' in page.read_text(encoding="utf-8")
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "<span>Day not given</span>" in home and "Date unknown" not in home


def test_a_template_mistake_names_the_template_file_and_line(make_site, build_site, runner,
                                                             monkeypatch):
    """A site's own template with a syntax error, or a misspelt name: `check` and `build`
    say where, as for content (it was a jinja2 traceback, and `check` passed)."""
    site = make_site({"a.md": article("Storm Elra makes landfall", "2024-11-13", "Coastwire",
                                      "Storm Elra hit Port Alden.")})
    templates = site / "templates"
    templates.mkdir()
    (templates / "source.html").write_text(
        '{% extends "base.html" %}\n{% block main %}{% if %}{% endif %}{% endblock %}\n')
    (templates / "static").mkdir()  # (copied as it is: not a template to compile)
    (templates / "static" / "widget.html").write_text("{{ message }} {% raw %}\n")
    monkeypatch.chdir(site)
    checked = runner.invoke(main, ["check"])
    assert checked.exit_code == 1
    assert "templates/source.html:2: template error: Expected an expression" in checked.output
    assert "widget.html" not in checked.output
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "templates/source.html:2: template error:" in result.output
    assert not output.exists(), "nothing half-written"
    (templates / "source.html").unlink()
    event_page = (REPO / "templates" / "event.html").read_text(encoding="utf-8")
    assert "<h1>{{ event.title }}</h1>" in event_page
    misspelt = event_page.replace("<h1>{{ event.title }}</h1>", "<h1>{{ event.titel }}</h1>")
    (templates / "event.html").write_text(misspelt, encoding="utf-8")
    line = misspelt[:misspelt.index("event.titel")].count("\n") + 1
    result, _ = build_site(site, "--no-search")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"templates/event.html:{line}: template error: " in result.output
    assert "has no attribute 'titel'" in result.output
    (templates / "event.html").unlink()
    for body, said in (("{{ 1 // 0 }}", "ZeroDivisionError: integer division"),
                       ('{% include "nosuch.html" %}', "no template named 'nosuch.html'")):
        (templates / "source.html").write_text(
            '{% extends "base.html" %}\n{% block main %}' + body + "{% endblock %}\n")
        result, _ = build_site(site, "--no-search")
        assert result.exit_code == 1 and "Traceback" not in result.output, body
        assert f"templates/source.html:2: template error: {said}" in result.output


def test_a_story_whose_report_merged_into_another_storys_event_keeps_its_page(
        make_site, build_site):
    """Two desks file the same landfall in their own stories: the event has one story,
    and the other story's page (with its description) still lists it; it vanished."""
    body = ("Storm Elra made landfall near Port Alden on Wednesday with winds of 140 km/h, "
            "cutting power to 40,000 homes, the coastguard said.")
    site = make_site({
        "storms/a.md": article("Storm Elra makes landfall", "2024-11-13", "Coastwire", body),
        "storms/b.md": article("Storm Elra hits Port Alden", "2024-11-13", "Harbour Post",
                               body.replace("the coastguard said", "officials said"), "b"),
        "elections/c.md": article("Storm Elra makes landfall near Port Alden", "2024-11-13",
                                  "Capitol Daily", body, "c"),
        "elections/_index.md": "---\ntitle: Elections\n---\nThe vote and what weighed on it.\n"})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    assert event["story"] == "storms" and len(event["articles"]) == 3
    assert event["title"] == "Storm Elra makes landfall", "a headline of its own story's"
    page = (output / "stories" / "elections" / "index.html").read_text(encoding="utf-8")
    assert "The vote and what weighed on it." in page
    assert f'events/{event["id"]}/index.html' in page
    assert 'In the story <a href="../../stories/storms/index.html">Storms</a>; listed here ' \
        "too for the reports filed in this one." in page
    assert 'data-filter="story"' not in page, "a story's page filters by outlet only"
    home = (output / "index.html").read_text(encoding="utf-8")
    assert 'data-story="storms elections"' in home, "the home filter's Elections shows it"
    feed = (output / "stories" / "elections" / "feed.xml").read_text(encoding="utf-8")
    assert event["id"] in feed
    listing = (output / "stories" / "index.html").read_text(encoding="utf-8")
    assert "Elections</a> <span class=\"muted\">(1 event)" in listing
    assert len(list((output / "events").iterdir())) == 1, "one event page, in its own story"


def test_a_yearless_wire_report_a_day_off_counts_in_the_date_spread(make_site, build_site):
    """An undated wire clipping ("WASHINGTON, Nov 13 (Reuters) -") takes its year from
    the event's other reports; the spread of the event's days counts it (it was left out,
    and the event page said "all dated the same day" of reports a day apart)."""
    wire = ("---\nevent: relief-bill\n---\nSenate passes storm relief bill\n\n"
            "WASHINGTON, Nov 13 (Reuters) - The U.S. Senate on Wednesday passed a $2 billion "
            "storm relief bill, sending it to the House.\n")
    house = article("House to take up relief bill", "2024-11-14", "Capitol Daily",
                    "House Speaker Mike Johnson said on Thursday the chamber would vote on "
                    "the storm relief bill next week.").replace("---\n", "---\nevent: relief-bill\n", 1)
    site = make_site({"wire.txt": wire, "house.md": house})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    assert event["date"] == "2024-11-13"
    assert event["merge"]["date_spread_days"] == 1
    assert event["first_reported_by"] == "Reuters", "the wire filed on the 13th came first"
    assert "first_reported_together" not in event
    assert [a["file"] for a in event["articles"]] == ["wire.txt", "house.md"]
    home = (output / "index.html").read_text(encoding="utf-8")
    assert 'first: <a href="sources/reuters/index.html">Reuters</a>' in home
    copy = article("Senate passes relief bill", "2024-11-13", "AFP", "The U.S. Senate on "
                   "Wednesday passed a storm relief bill.", "c").replace(
        "---\n", "---\nevent: relief-bill\nbased_on: [Reuters]\n", 1)
    (site / "content" / "copy.md").write_text(copy, encoding="utf-8")
    result, output = build_site(site, "--no-search")
    (event,) = read_events(output)
    assert event["first_reported_by"] == "Reuters", "the same day: the original before AFP's copy"
    assert [a["file"] for a in event["articles"]] == ["wire.txt", "copy.md", "house.md"]


def test_a_report_far_from_its_events_date_names_the_reports_to_keep_it_from(
        make_site, build_site):
    """The warning's hint can be followed as written: it names the other reports."""
    body = ("Ferry crews in Port Alden walked out at dawn, halting all 14 crossings to Kessel "
            "Island, union leader Mara Quist said, demanding a 6 percent raise.")
    site = make_site({
        "a.md": article("Ferry strike begins", "2024-12-02", "Coastwire", body)
        .replace("---\n", "---\nevent: ferry\n", 1),
        "b.md": article("Ferry strike starts", "2024-12-02", "Harbour Post", body, "b")
        .replace("---\n", "---\nevent: ferry\n", 1),
        "c.md": article("Ferry strike", "2024-12-12", "Bay Wire", body, "c")
        .replace("---\n", "---\nevent: ferry\n", 1)})
    result, _ = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    assert ("c.md: warning: dated 2024-12-12, 10 days from the other reports of this event "
            "(2024-12-02: a.md, b.md) (check the date; its event: key keeps it in this "
            "event)") in result.output


def test_a_drafts_picture_waits_quietly_and_a_path_with_spaces_is_pointed_out(
        make_site, runner, tmp_path):
    site = make_site({
        "storms/claims.md": article("Insurers tally losses", "2024-11-20", "Desk",
                                    "Claims rose.\n\n![Claims chart](claims.png)")
        .replace("---\n", "---\ndraft: true\n", 1),
        "storms/claims.png": b"\x89PNG\r\n\x1a\n",
        "storms/elra.md": article("Storm Elra makes landfall", "2024-11-13", "Coastwire",
                                  "Elra hit.\n\n![Path of the storm](maps/Elra Path.png)"),
        "storms/maps/Elra Path.png": b"\x89PNG\r\n\x1a\n"})
    checked = runner.invoke(main, ["check", "--content", str(site / "content")])
    assert "claims.png: warning" not in checked.output, "a draft's picture waits with it"
    assert "and the 1 file they link to (storms/claims.png)" in checked.output
    assert ("elra.md:9: warning: the link to 'maps/Elra Path.png' is read as text: an "
            "address with spaces is no link (write it as <maps/Elra Path.png> or with %20 "
            "for each space)") in checked.output



def test_a_report_saved_twice_is_left_out_with_a_warning(runner, make_site, build_site):
    """A copy of a file counted twice in its event (its corrections and notes too, told
    apart by file paths on the page): it is left out, and the warning names both."""
    report = ("---\ntitle: Storm Elra kills 12 in Porto\ndate: 2024-11-13\nsource: Coastwire\n"
              "corrections:\n  - date: 2024-11-14\n    text: The toll was 12, not 13.\n"
              "---\nStorm Elra hit Porto on Wednesday, killing 12 people.\n")
    other = report.replace("Coastwire", "Harbour Herald")  # (the same wire text, elsewhere)
    site = make_site({"storms/elra.md": report, "storms/elra-copy.md": report,
                      "storms/elra-herald.md": other})
    check = runner.invoke(main, ["check", "--content", str(site / "content")])
    assert check.exit_code == 0
    assert "storms/elra.md: warning: the same report as storms/elra-copy.md (same source, " \
           "title and text): left out" in check.output
    assert check.output.count("the same report as") == 1
    result, output = build_site(site)
    assert result.exit_code == 0
    [event] = read_events(output)
    assert sorted(a["file"] for a in event["articles"]) == ["storms/elra-copy.md",
                                                            "storms/elra-herald.md"]
    assert [c["kind"] for c in event["corrections"]].count("author") == 2  # (one per outlet)
    page = (output / "events" / event["id"] / "index.html").read_text("utf-8")
    assert ".md)" not in page  # (no file paths to tell two Coastwire reports apart)


def test_timelinejs_groups_name_stories_escaped_and_not_the_default_one(make_site,
                                                                        build_site):
    """TimelineJS draws a row per `group`: the default story is none ("Latest" made a
    row of its own), and a story's title is escaped like every other value there."""
    site = make_site({
        "top.md": article("Port reopens after the storm", "2024-07-07", "Coastwire",
                          "The port of Port Alden reopened on Sunday.", "t"),
        "harbour/_index.md": '---\ntitle: Harbour & "Port" <b>works</b>\n---\nWorks.\n',
        "harbour/a.md": article("Crane collapses at the harbour", "2024-08-01", "Harbour Post",
                                "A crane collapsed at the harbour works on Thursday.", "h")})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    events = json.loads((output / "timelinejs.json").read_text("utf-8"))["events"]
    groups = {e["text"]["headline"]: e.get("group") for e in events}
    assert groups == {"Port reopens after the storm": None,
                      "Crane collapses at the harbour":
                          "Harbour &amp; &quot;Port&quot; &lt;b&gt;works&lt;/b&gt;"}


def json_ld(output, event_id: str) -> dict:
    """The JSON-LD data block of an event page."""
    page = (output / "events" / event_id / "index.html").read_text("utf-8")
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page,
                                re.S).group(1))


@pytest.mark.parametrize(("zone", "written", "stamp", "day"), [
    ("Europe/Berlin", "2024-06-01", "2024-06-01", "2024-06-01"),
    ("Europe/Berlin", "2024-06-01T09:30:00", "2024-06-01T09:30:00+02:00", "2024-06-01"),
    ("America/New_York", "2024-06-01T22:00:00", "2024-06-01T22:00:00-04:00", "2024-06-01"),
    ("UTC", "2024-06-01T22:00:00", "2024-06-01T22:00:00Z", "2024-06-01")])
def test_machine_dates_keep_the_sites_day(make_site, build_site, zone, written, stamp, day):
    """A report dated 1 June in Berlin was "2024-05-31T22:00:00Z" in JSON-LD (shown as
    31 May by search engines), and 10 pm in New York a sitemap day of 2 June."""
    site = make_site({"a.md": article("Port reopens after the storm", written, "Coastwire",
                                      "The port of Port Alden reopened on Saturday.")},
                     config=f'timezone = "{zone}"\nbase_url = "https://desk.example/zürich/"\n')
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    [event] = read_events(output)
    data = json_ld(output, event["id"])
    assert data["datePublished"] == stamp == data["citation"][0]["datePublished"]
    assert data["headline"] == "Port reopens after the storm"
    sitemap = (output / "sitemap.xml").read_text("utf-8")
    assert f"<loc>https://desk.example/z%C3%BCrich/events/{event['id']}/</loc>" \
           f"<lastmod>{day}</lastmod>" in sitemap


def test_an_old_report_keeps_its_own_dates_in_json_ld_and_the_sitemap(make_site, build_site):
    """Events before 2000 were "last modified" on 1 January 2000 (31 December 1999 west
    of Greenwich); Amsterdam's offset in 1900, +0:19:32, is not one ISO 8601 can write."""
    site = make_site({"a.md": article("Great fire sweeps the harbour", "1900-06-01T09:00:00",
                                      "Coastwire", "Fire swept the harbour on Friday."),
                      "b.md": article("Dykes hold after the storm", "1890-11-12", "Coastwire",
                                      "The dykes held on Wednesday.", "b")},
                     config='timezone = "Europe/Amsterdam"\n'
                            'base_url = "https://desk.example/"\n')
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    stamps = {}
    for event in read_events(output):
        data = json_ld(output, event["id"])
        stamps[data["datePublished"]] = data["dateModified"]
    assert stamps == {"1900-06-01T08:40:28Z": "1900-06-01T08:40:28Z",
                      "1890-11-12": "1890-11-12"}
    sitemap = (output / "sitemap.xml").read_text("utf-8")
    assert "<lastmod>1900-06-01</lastmod>" in sitemap
    assert "<lastmod>1890-11-12</lastmod>" in sitemap


def test_a_long_headline_is_cut_at_a_word_in_json_ld(make_site, build_site):
    title = ("Storm Elra makes landfall near Porto as officials declare an extraordinary "
             "state of calamity across four northern districts")
    site = make_site({"a.md": article(title, "2024-06-01", "Coastwire",
                                      "The storm made landfall near Porto on Saturday.")})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    [event] = read_events(output)
    data = json_ld(output, event["id"])
    assert data["headline"] == ("Storm Elra makes landfall near Porto as officials declare "
                                "an extraordinary state of calamity across four…")
    assert data["about"]["name"] == title  # (the whole title where no limit applies)


def test_the_sitemap_and_robots_txt_write_the_sites_address_in_ascii(make_site, build_site):
    site = make_site({"a.md": article("Port reopens after the storm", "2024-06-01",
                                      "Coastwire", "The port reopened on Saturday.")},
                     config='base_url = "https://bücher.example/zürich/"\n')
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    assert "<loc>https://xn--bcher-kva.example/z%C3%BCrich/</loc>" in \
        (output / "sitemap.xml").read_text("utf-8")
    assert "Sitemap: https://xn--bcher-kva.example/z%C3%BCrich/sitemap.xml" in \
        (output / "robots.txt").read_text("utf-8")


def test_datelines_from_two_bureaus_are_no_disagreement(make_site, build_site):
    """Two bureaus' datelines say where each report was filed: the event page says so
    under its coverage; no badge, heading, source page, feed or corrections page counts
    it as a disagreement (they all did)."""
    body = "{place}, Nov 13 ({outlet}) - Storm Elra made landfall on the northern coast " \
           "on Wednesday, cutting power to thousands of homes, officials said."
    site = make_site({
        name: article("Storm Elra makes landfall", "2024-11-13", outlet,
                      body.format(place=place, outlet=outlet), name[0])
        .replace("---\n", "---\nevent: elra\n", 1)
        for name, outlet, place in (("a.md", "Reuters", "LISBON"),
                                    ("b.md", "Coastwire", "PORTO"))})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    [event] = read_events(output)
    assert [c["kind"] for c in event["corrections"]] == ["place"]  # (the export keeps it)
    page = (output / "events" / event["id"] / "index.html").read_text("utf-8")
    assert "Filed from different places: Lisbon (Coastwire" not in page
    assert "Filed from different places: Lisbon (Reuters: “LISBON, Nov 13 (Reuters) -”), " \
           "Porto (Coastwire: “PORTO, Nov 13 (Coastwire) -”)." in page
    assert 'id="notes-heading"' not in page and "disagreement" not in page
    counted = re.compile(r"\d disagreement|disagree on|disagree with it on|Dateline:")
    for other in ("index.html", "sources/reuters/index.html", "feed.xml",
                  "corrections/index.html", "timelinejs.json"):
        assert not counted.findall((output / other).read_text("utf-8")), other
