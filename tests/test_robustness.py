"""Odd input a newsroom's tools produce (found by fuzzing the CLI): each is reported on its
file and line, with the site's other problems, never as a traceback, and never slowly."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from generator.cli import main

from .conftest import read_events

STORM = ("---\ntitle: Storm hits the coast\ndate: 2024-11-12\nsource: Coastwire\n---\n"
         "The storm hit the coast on Tuesday, the harbour master said.\n")


def check(runner, site):
    return runner.invoke(main, ["check", "--content", str(site / "content")])


def test_a_date_token_outside_the_years_is_reported_on_its_line(runner, make_site):
    site = make_site({"a.md": STORM, "wire.txt": "date 0001-01-01\nHarbour closed after "
                      "storm\n\nThe harbour closed on Tuesday.\n"})
    result = check(runner, site)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "wire.txt:1: '0001-01-01' is outside the years 1000-9000" in result.output


def test_a_number_too_long_for_python_is_a_front_matter_error(runner, make_site):
    digits = "1" * 4301
    site = make_site({
        "a.md": f"---\ntitle: {digits}\ndate: 2024-11-12\nsource: Coastwire\n---\nBody.\n",
        "b.md": f'+++\ntitle = "Storm"\ndate = 2024-11-12\nsource = "Coastwire"\n'
                f"tags = [{digits}]\n+++\nBody.\n",
        "c.md": STORM})
    result = check(runner, site)
    assert result.exit_code == 1 and "Traceback" not in result.output
    for name in ("a.md", "b.md"):
        assert f"{name}:2: front matter holds a value that cannot be read: a number of over " \
            "4,300 digits (quote a long number to keep it as text)" in result.output


def test_long_lines_are_read_in_time_linear_in_their_length(runner, make_site, build_site):
    """An unclosed link on a 64 KB line took 42 s, a chronology of 20,000 dates minutes:
    both now take well under a second (the test suite would crawl otherwise)."""
    site = make_site({
        "link.md": STORM + "\nSee [the report](" + "a " * 32_000 + "\n",
        "chronology.md": STORM.replace("Storm hits", "Storm chronology")
        + "\n" + "On November 13 the storm hit. " * 8_000 + "\n"})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    assert sorted(a["file"] for e in read_events(output) for a in e["articles"]) == \
        ["chronology.md", "link.md"]
    ET.parse(output / "feed.xml")


def test_links_that_loop_or_lead_to_folders_and_unreadable_folders_are_reported(
        runner, make_site, monkeypatch):
    """A loop of links crashed discovery; a folder that cannot be listed and a link to a
    folder lost their articles without a word."""
    import os

    from generator import discover as discover_module

    site = make_site({"a.md": STORM, "locked/b.md": STORM.replace("Storm hits", "Port shut"),
                      "_archive/c.md": STORM.replace("Storm hits", "Ferry stops")})
    content = site / "content"
    (content / "loop.md").symlink_to("loop.md")
    (content / "archive").symlink_to("_archive")
    real = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(discover_module.os, "scandir", scandir)
    result = check(runner, site)
    assert "Traceback" not in result.output and result.exit_code == 1, result.output
    assert "loop.md: cannot be read: the link leads round in a loop" in result.output
    assert "locked: folder cannot be read: Permission denied" in result.output
    assert "archive: warning: a link to a folder is not followed" in result.output
