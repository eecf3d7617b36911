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


def test_escaped_control_characters_in_fields_are_removed_with_a_warning(
        runner, make_site, build_site):
    """YAML and TOML escapes ("\\x01", "\\u0000") decode to control characters the file's
    own text never held: they reached the feed (no longer XML) and a link's address."""
    site = make_site({
        "a.md": '---\ntitle: "Storm\\x01 hits the coast"\ndate: 2024-11-12\nsource: Coastwire\n'
                'url: "https://coast.example/storm\\u0000"\n---\nThe storm hit the coast.\n',
        "b.md": '+++\ntitle = "Port\\u001b shut"\ndate = 2024-11-13\nsource = "Harbour News"\n'
                "+++\nThe port shut on Wednesday.\n",
        "storms/_index.md": '---\ntitle: "Storm\\x01 desk"\n---\nEvery storm.\n',
        "storms/c.md": STORM.replace("Storm hits", "Ferry stops")})
    result = check(runner, site)
    assert "a.md:2: warning: 'title': control character removed" in result.output
    assert "a.md:5: warning: 'url': control character removed" in result.output
    assert "b.md:2: warning: 'title': control character removed" in result.output
    assert "storms/_index.md:2: warning: 'title': control character removed" in result.output
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    for feed in (output / "feed.xml", output / "stories" / "storms" / "feed.xml"):
        ET.parse(feed)
    everything = "".join(p.read_text("utf-8") for p in output.rglob("*")
                         if p.is_file() and p.suffix in (".html", ".xml", ".json"))
    assert not any(c in everything for c in "\x00\x01\x1b")
    titles = {e["title"] for e in read_events(output)}
    assert {"Storm hits the coast", "Port shut"} <= titles


def test_a_story_index_is_read_and_checked_as_an_article_is(runner, make_site, build_site):
    """CR line ends published the front matter as the story's text; a list title was
    shown as "['Storm', 'desk']" and unknown keys passed in silence."""
    site = make_site({
        "storms/_index.md": b"---\rtitle: Storm desk\rdescription: Every storm of the "
                            b"season\r---\rWhat we cover.\r",
        "storms/a.md": STORM,
        "ports/_index.md": "---\ntitle: [Port, desk]\nsorce: x\n---\nText.\n",
        "ports/b.md": STORM.replace("Storm hits", "Port shut")})
    result = check(runner, site)
    assert "ports/_index.md:2: 'title': expected text, not a list or mapping" in result.output
    assert "ports/_index.md:3: warning: unknown key 'sorce'" in result.output
    assert "storms/_index.md" not in result.output
    (site / "content" / "ports" / "_index.md").write_text("---\ntitle: Port desk\n---\nText.\n")
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    page = (output / "stories" / "storms" / "index.html").read_text("utf-8")
    assert "<h1>Storm desk</h1>" in page and "What we cover." in page
    assert "title:" not in page and 'content="Every storm of the season"' in page


def test_data_files_in_another_encoding_or_nested_deep_are_errors(runner, make_site):
    site = make_site({"a.md": STORM, "_register.yml": b"- office: Caf\xe9 owner\n"
                      b"  holder: Jos\xe9\n  from: 2020-01-01\n"})
    (site / "site.toml").write_bytes(b'title = "Caf\xe9 desk"\n')
    result = check(runner, site)
    assert "Traceback" not in result.output
    assert "site.toml:1: site.toml is not UTF-8 text (save it as UTF-8)" in result.output
    (site / "site.toml").unlink()
    result = check(runner, site)
    assert "_register.yml:1: not UTF-8 text (save the file as UTF-8)" in result.output
    (site / "content" / "_register.yml").write_text("[" * 1000)
    result = check(runner, site)
    assert "_register.yml:1: nested too deeply to read" in result.output, result.output


def test_merge_settings_must_be_finite_and_whole_where_they_count(runner, make_site):
    site = make_site({"a.md": STORM}, config="[merge]\nblock_cap = 0.5\nthreshold = nan\n"
                     "window_days = inf\ngroup_threshold = 1.5\nword_weight = -3.0\n")
    result = check(runner, site)
    assert "Traceback" not in result.output and result.exit_code != 0, result.output
    assert "merge setting 'block_cap' must be a whole number from 1 to 100,000" in result.output
    assert "merge setting 'threshold' must be a number" in result.output
    assert "merge setting 'window_days' must be a number" in result.output
    assert "merge setting 'group_threshold' must be between 0 and 1" in result.output
    assert "word_weight" not in result.output


def test_an_upper_case_txt_clipping_is_plain_text(make_site, build_site):
    site = make_site({"WIRE.TXT": "date 2024-11-12\nStorm update\n\n# 1 dead, *many* hurt\n"})
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    page = (output / event["url"] / "index.html").read_text("utf-8")
    assert "<p># 1 dead, *many* hurt</p>" in page and "<em>" not in page


def test_an_original_link_must_be_a_whole_web_address(runner, make_site, build_site):
    """A link that is no http(s) address is dropped with a warning; one that only holds
    characters a URL cannot (a space, a quote, "|", letters outside ASCII) is kept,
    percent-encoded as a browser would send it (they reached events.json as written)."""
    kept = (("d", "https://coast.example/s?id=4&x=%20", "https://coast.example/s?id=4&x=%20"),
            ("h", "'https://example.org/\"onmouseover=x'", "https://example.org/%22onmouseover=x"),
            ("i", "https://example.com/news/a|b c", "https://example.com/news/a%7Cb%20c"),
            ("j", "https://bücher.example/ü?q={x}", "https://bücher.example/%C3%BC?q=%7Bx%7D"))
    site = make_site({
        f"{name}.md": STORM.replace("source: Coastwire", f"source: Coastwire\nurl: {written}")
        .replace("Storm hits", f"Storm {name}")
        for name, written, _ in (*BAD_URLS, *kept)})
    result = check(runner, site)
    for name, _, url in BAD_URLS:
        assert f"{name}.md:5: warning: url '{url}' is not a web address; dropped" in result.output
    assert result.output.count("is not a web address") == len(BAD_URLS)
    result, output = build_site(site, "--no-search")
    urls = {a["file"]: a["url"] for e in read_events(output) for a in e["articles"]}
    assert urls == {**{f"{name}.md": None for name, _, _ in BAD_URLS},
                    **{f"{name}.md": url for name, _, url in kept}}


BAD_URLS = (  # (name, as written in YAML, the value)
    ("a", "//evil.example/phish", "//evil.example/phish"),
    ("b", "../../etc/passwd", "../../etc/passwd"), ("c", "42", "42"),
    ("e", "'https://exa mple.org/x y'", "https://exa mple.org/x y"),
    ("g", "https://example.org:port/", "https://example.org:port/"))


def test_a_full_disk_is_one_line_and_the_site_stays(runner, make_site, build_site, monkeypatch):
    from generator import write as write_module

    site = make_site({"a.md": STORM})
    result, output = build_site(site, "--no-search")
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    (site / "content" / "b.md").write_text(STORM.replace("Storm hits", "Port shut"))

    def full(self, rel, data):
        raise OSError(28, "No space left on device", str(self.staging / rel))

    monkeypatch.setattr(write_module.SiteWriter, "put", full)
    result, _ = build_site(site, "--no-search")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error: No space left on device: " in result.output
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before


def test_every_bad_correction_is_reported_at_once(runner, make_site):
    site = make_site({"a.md": STORM.replace(
        "source: Coastwire\n", "source: Coastwire\ncorrections:\n  - date: 2024-02-30\n"
        "    text: first\n  - 5\n  - date: yesterday\n    text: third\n"
        "  - {date: 2024-11-13}\n  - date: 2024-11-14\n    text: A name was misspelt.\n")})
    result = check(runner, site)
    for number in (1, 2, 3, 4):
        assert f"a.md:5: 'corrections' entry {number}: " in result.output, result.output
    assert "entry 5" not in result.output


def test_yaml_plain_words_and_numbers_are_read_as_yaml_1_2_reads_them(runner, make_site,
                                                                       build_site):
    """YAML 1.1 (PyYAML's) read `title: 3:1` as 181, `source: No` as false and `010` as
    eight, without a word; YAML 1.2 keeps the first two as text, and a headline read as
    a number is said."""
    site = make_site({
        "a.md": "---\ntitle: 3:1\ndate: 2024-11-12\nsource: No\n---\nThe home side won.\n",
        "b.md": "---\ntitle: 010\ndate: 2024-11-13\nsource: Yes Media\ndraft: false\n---\n"
                "The count began.\n"})
    result = check(runner, site)
    assert "b.md:2: warning: 'title' was read as the number 10 (put it in quotes to keep it " \
        'as written: title: "...")' in result.output
    assert "a.md" not in result.output
    result, output = build_site(site, "--no-search")
    records = {a["file"]: a for e in read_events(output) for a in e["articles"]}
    assert records["a.md"]["title"] == "3:1" and records["a.md"]["source"] == "No"


def test_a_full_disk_while_the_cache_is_saved_is_a_warning(make_site, build_site,
                                                            monkeypatch):
    """The site is already in place when the cache is saved: a full disk then is said,
    and the build succeeds (it exited 1 with the new site published)."""
    from generator import cache as cache_module

    site = make_site({"a.md": STORM})

    def full(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_module.BuildCache, "save", full)
    result, output = build_site(site, "--no-search")
    assert result.exit_code == 0, result.output
    assert "warning: the build cache could not be saved: No space left on device" \
        in result.output
    assert [a["file"] for e in read_events(output) for a in e["articles"]] == ["a.md"]


def test_the_command_exits_with_its_code_and_all_its_output(make_site):
    """`dateline` leaves its process without tearing its objects down (os._exit): every
    line it printed still arrives, with the exit code click gave."""
    import subprocess
    import sys

    site = make_site({"a.md": STORM})

    def dateline(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "generator", *args], cwd=site,
                              capture_output=True, text=True, timeout=300)

    done = dateline("build", "--no-search")
    assert done.returncode == 0 and done.stdout.startswith("Built site/: 1 article"), done
    (site / "content" / "bad.md").write_text("---\ntitle: Never closed\n")
    done = dateline("build", "--no-search")
    assert done.returncode == 1
    assert "bad.md:1: front matter opened with '---' is never closed" in done.stderr + done.stdout
    assert "Build failed: 1 error(s); site was not changed." in done.stderr + done.stdout
    assert dateline("build", "--content", "nowhere").returncode == 2
    assert ", version " in dateline("--version").stdout


def test_the_register_reads_plain_values_as_front_matter_does(runner, make_site):
    """A holder or office YAML 1.1 would read as a boolean ("No", "On") is text."""
    site = make_site({"a.md": STORM, "_register.yml": "- office: Lighthouse Keeper\n"
                      "  holder: No\n  from: 2020-01-01\n- office: Harbour Master\n"
                      "  holder: Ann Lee\n  from: 2024-02-30\n"})
    result = check(runner, site)
    assert "needs a text `holder`" not in result.output, result.output
    assert "_register.yml:6: `from` is not a date: '2024-02-30'" in result.output


def test_control_characters_in_site_toml_are_errors_on_their_line(runner, make_site):
    """TOML's escapes write any character: a \\u0001 in the title reached every page and
    made both feeds invalid XML, with the build passing."""
    site = make_site({"a.md": STORM},
                     config='title = "Desk\\u0001 name"\nsource_trust = ["Reuters\\u001f"]\n')
    result = check(runner, site)
    assert result.exit_code == 1
    assert "site.toml:1: 'title' holds a control character (write it without escapes " \
           "such as \\u0001" in result.output
    assert "site.toml:2: 'source_trust' holds a control character" in result.output
