"""Parsing article files: front matter kinds, plain text, the seeds, bad input."""

from __future__ import annotations

import datetime as dt

from generator.models import PartialDate
from generator.parse import parse_article, read_article

from .conftest import SEEDS

YAML_ARTICLE = """---
title: Blinken assures NATO of stepped-up Ukraine support
date: 2024-11-13T09:30:00+01:00
source: Reuters
url: https://example.org/article
author: Jane Doe
tags: [nato, ukraine]
based_on: [Associated Press]
event: blinken-nato-2024-11-13
corrections:
  - date: 2024-11-14
    text: An earlier version misnamed NATO's Secretary General.
---
US Secretary of State Antony Blinken *assured* NATO on Wednesday.
"""

TOML_ARTICLE = """+++
title = "Russia strikes Dnipro"
date = 2024-11-21
source = "Meridian Press"
tags = ["dnipro"]
+++
Russia fired a new missile at Dnipro on Thursday, officials said.
"""


def test_yaml_front_matter_fields():
    article, problems = parse_article("story/a.md", YAML_ARTICLE, "story")
    assert problems == []
    assert article.title == "Blinken assures NATO of stepped-up Ukraine support"
    assert article.published == dt.datetime(2024, 11, 13, 8, 30, tzinfo=dt.UTC)
    assert article.source == "Reuters"
    assert article.tags == ("nato", "ukraine")
    assert article.based_on == ("Associated Press",)
    assert article.event_key == "blinken-nato-2024-11-13"
    assert article.corrections[0].date == dt.date(2024, 11, 14)
    assert "<em>assured</em>" in article.html
    assert article.event_date == PartialDate(2024, 11, 13)
    assert article.body_line == 14


def test_toml_front_matter_and_weekday_date():
    article, problems = parse_article("b.md", TOML_ARTICLE)
    assert problems == []
    assert article.title == "Russia strikes Dnipro"
    # "on Thursday" in a piece published Thursday 21 November is that same day
    assert article.event_date == PartialDate(2024, 11, 21)


def test_seed_translation_takes_title_from_first_line_and_keeps_yearless_date():
    path = SEEDS / "000_ca7f983b08f06bbf.txt"
    article, problems = read_article(path, path.name)
    assert article.title == "Blinken meets with NATO Secretary-General, reiterates support for Ukraine"
    assert article.published is None
    assert article.event_date == PartialDate(None, 11, 13)  # "On November 13": no year invented
    assert article.source is None
    messages = [p.message for p in problems]
    assert all(p.severity == "warning" for p in problems)
    assert any("no source" in m for m in messages)


def test_seed_wire_copy_date_token_is_not_part_of_the_title():
    path = SEEDS / "001_effe825b68eb2d18.txt"
    article, problems = read_article(path, path.name)
    assert [p.severity for p in problems] == ["warning"]  # only: no source
    assert article.published == dt.datetime(2024, 11, 13, tzinfo=dt.UTC)
    assert "date" not in article.title.lower().split()[:1]
    assert not article.title.startswith("2024")
    assert "REUTERS" not in article.title  # the photo caption is not the title
    assert article.title.startswith("US Secretary of State Antony Blinken assured NATO")
    assert article.event_date == PartialDate(2024, 11, 13)
    assert "<p>US Secretary of State Antony Blinken talks to the press" in article.html


def test_a_short_caption_with_a_photo_credit_after_the_date_token_is_not_the_title():
    for credit in ("Photo: Coastwire", "REUTERS/Jane Smith", "AFP/Getty Images",
                   "(Photo: Coastwire)", "| Photo: Reuters", "5 October 2024 REUTERS/Jane Smith"):
        article, _ = parse_article("flood.txt", f"date 2024-10-05 Flood barrier raised. {credit}"
                                   "\n\nPort Alden raises its flood barrier\n\nThe city "
                                   "raised the barrier on Saturday as the river rose.\n")
        assert article.title == "Port Alden raises its flood barrier", credit
        assert "Flood barrier raised." in article.text, "the caption stays in the text"
    headline, _ = parse_article("talks.txt", "date 2024-10-05 Trade talks between US/EU\n\n"
                                "Negotiators met in Brussels on Saturday.\n")
    assert headline.title == "Trade talks between US/EU", "capitals with a slash: no credit"
    for title in ("Pressure grows on US/China", "Photo: the flood that changed Port Alden"):
        plain, _ = parse_article("p.txt", f"{title}\n\nNegotiators met in Brussels on "
                                 "Saturday 5 October 2024 to talk.\n")
        assert plain.title == title, "a headline is not a caption"
        assert plain.event_date == PartialDate(2024, 10, 5)


def test_a_key_given_twice_in_yaml_is_a_warning_naming_both_lines():
    article, problems = parse_article("x.md", "---\ntitle: Levee breaks\ndate: 2024-11-13\n"
                                      "source: Wire\ndate: 2024-11-15\n---\nText.\n")
    assert article.published.date() == dt.date(2024, 11, 15)  # (YAML's rule: the last)
    assert [str(p) for p in problems] == [
        "x.md:3: warning: 'date' is given again on line 5, and only that value is used "
        "(delete one of the two lines)"]
    _, nested = parse_article("y.md", "---\ntitle: A\ndate: 2024-11-13\nsource: X\n"
                              "corrections:\n  - date: 2024-11-14\n    text: One.\n"
                              "  - date: 2024-11-15\n    text: Two.\n---\nText.\n")
    assert nested == [], "keys inside a list are not the front matter's own"
    _, folded = parse_article("z.md", "---\ntitle: A\ndate: 2024-11-13\nsource: X\n"
                              "summary: >\n Note: first\n Note: second\n---\nText.\n")
    assert folded == [], "lines of a text block are not keys"
    _, block = parse_article("b.md", "---\ntitle: A\nsummary: >\n date: unclear\n"
                             "date: 2024-11-13\nsource: X\n---\nText.\n")
    assert block == [], "a text block's line is no key given before"


def test_a_page_break_in_front_matter_keeps_every_line_number():
    from generator.encoding import decode

    text, problems = decode("x.md", b'---\ntitle: "Ferry\x0c strike"\ndate: 2024-11-13\n'
                            b"source: Desk\nsorce: X\n---\nText.\n")
    article, more = parse_article("x.md", text)
    assert article.title == "Ferry strike"
    assert [str(p).split(" (")[0] for p in problems + more] == [
        "x.md:2: warning: control character U+000C removed",
        "x.md:5: warning: unknown front-matter key 'sorce' is ignored"]


def test_front_matter_without_its_opening_fence_is_pointed_out():
    article, problems = parse_article("x.md", "title: Harbour reopens\ndate: 2024-11-13\n"
                                      "source: Coastwire\n---\nThe harbour reopened.\n")
    assert article is None and [str(p) for p in problems] == [
        "x.md:1: this looks like front matter without its opening '---' (it would be "
        "published as the text) (add a line holding only '---' above line 1)"]
    _, prose = parse_article("y.md", "Harbour reopens\n\nThe harbour reopened on Monday, "
                             "date: 2024-11-13.\n\n---\n\nSource: our reporter.\n")
    assert not any("opening" in str(p) for p in prose), "prose with a rule is left alone"
    clipped, _ = parse_article("z.txt", "Storm hits the coast\n\nsource: National Hurricane "
                               "Center\nupdated: 5 p.m. EDT\n\n---\n\nMIAMI, Nov 13 "
                               "(Reuters) - The storm hit.\n")
    assert clipped is not None, "a headline above the field-like lines: not front matter"


def test_plain_text_becomes_escaped_paragraphs():
    article, _ = parse_article("x.txt", "Headline\n\nFirst <b>para</b>\nstill first.\n\nSecond.\n"
                               "date 2024-01-02")
    assert article.html == "<p>First &lt;b&gt;para&lt;/b&gt; still first.</p>\n<p>Second. date 2024-01-02</p>\n"


def test_broken_yaml_names_the_line():
    text = "---\ntitle: ok\ndate: [2024-11-13\n---\nBody\n"
    article, problems = parse_article("bad.md", text)
    assert article is None
    assert problems[0].path == "bad.md"
    assert problems[0].line in (3, 4, 5)
    assert "YAML" in problems[0].message


def test_an_unclosed_quote_or_a_tab_in_yaml_names_its_line_and_fix():
    _, quoted = parse_article("x.md", '---\ntitle: A\nsummary: "Harbour reopens\n'
                              "date: 2024-11-13\n---\nText.\n")
    assert str(quoted[0]).startswith("x.md:3: YAML front matter is not valid")
    assert quoted[0].hint == "close the quote opened on this line"
    _, tabbed = parse_article("y.md", "---\ntitle: A\ncorrections:\n\t- date: 2024-11-14\n"
                              "\t  text: x\n---\nText.\n")
    assert tabbed[0].line == 4 and tabbed[0].hint == "indent with spaces: YAML does not allow tabs"


def test_broken_toml_names_the_line():
    text = '+++\ntitle = "ok"\ndate = = 2024\n+++\nBody\n'
    article, problems = parse_article("bad.md", text)
    assert article is None
    assert problems[0].line == 3


def test_front_matter_that_is_not_a_mapping_is_an_error():
    article, problems = parse_article("list.md", "---\n- a\n- b\n---\nBody\n")
    assert article is None
    assert "mapping" in problems[0].message


def test_unknown_key_warns_with_the_nearest_valid_key():
    article, problems = parse_article("k.md", "---\ntitle: T\ndate: 2024-11-13\nsorce: AP\n---\nx\n")
    assert article is not None
    (problem,) = [p for p in problems if "front-matter key" in p.message]
    assert problem.severity == "warning"
    assert problem.line == 4
    assert "did you mean 'source'" in problem.hint


def test_impossible_front_matter_date_is_an_error_with_line():
    _, problems = parse_article("d.md", "---\ntitle: T\ndate: 2024-02-30\nsource: X\n---\nx\n")
    assert any(p.severity == "error" and p.line == 3 for p in problems)


def test_no_date_anywhere_is_an_error():
    article, problems = parse_article("n.md", "---\ntitle: T\nsource: X\n---\nNo dates here.\n")
    assert article is None
    assert any("no date" in p.message for p in problems)


def test_unsafe_links_and_raw_html_are_neutralised():
    text = ("---\ntitle: T\ndate: 2024-11-13\nsource: X\nurl: javascript:alert(1)\n---\n"
            "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n")
    article, problems = parse_article("h.md", text)
    assert "<script>" not in article.html
    assert "<img" not in article.html
    assert 'href="javascript' not in article.html
    assert article.url is None
    assert any("url" in p.message for p in problems)


def test_trusted_content_keeps_raw_html():
    text = "---\ntitle: T\ndate: 2024-11-13\nsource: X\n---\n<aside>note</aside>\n"
    article, _ = parse_article("t.md", text, trusted=True)
    assert "<aside>note</aside>" in article.html


def test_bom_and_crlf_are_accepted():
    text = "\ufeff---\r\ntitle: T\r\ndate: 2024-11-13\r\nsource: X\r\n---\r\nBody\r\n"
    article, problems = parse_article("w.md", text)
    assert problems == []
    assert article.title == "T"


def test_wire_dateline_gives_the_outlet():
    text = "Headline here\n\nWASHINGTON, Nov 13 (Reuters) - Something happened.\n"
    article, _ = parse_article("w.txt", text)
    assert article.source == "Reuters"
    assert article.event_date == PartialDate(None, 11, 13)


def test_file_name_date_is_the_fallback_publication_date():
    article, problems = parse_article("2025-03-02-storm.txt", "Storm hits\n\nIt hit on Sunday.\n")
    assert article.published == dt.datetime(2025, 3, 2, tzinfo=dt.UTC)
    assert article.event_date == PartialDate(2025, 3, 2)
    assert not any("no publication date" in p.message for p in problems)


def test_an_impossible_toml_date_names_its_line_once_with_a_date_hint():
    article, problems = parse_article("t.md", '+++\ntitle = "A"\ndate = 2024-11-31\n+++\nText.\n')
    assert article is None
    (problem,) = problems
    assert str(problem) == ("t.md:3: TOML front matter is not valid: Invalid date or datetime "
                            "(write a real day as 2024-11-13, or quote it as text)")


def test_an_update_or_correction_dated_before_the_article_is_warned():
    text = ("---\ntitle: Storm Elra makes landfall\ndate: 2024-11-13T18:40:00Z\n"
            "updated: 2024-11-12\nsource: Coastwire\ncorrections:\n  - date: 2024-11-10\n"
            "    text: An earlier version gave the wrong day.\n  - date: 2024-11-14\n"
            "    text: The toll was 12, not 13.\n---\nStorm Elra hit Porto on Wednesday.\n")
    article, problems = parse_article("storms/elra.md", text)
    assert article is not None
    assert [(p.line, p.message) for p in problems] == [
        (4, "'updated' (2024-11-12) is before the article's date (2024-11-13)"),
        (6, "'corrections' entry 1 is dated 2024-11-10, before the article's date "
            "(2024-11-13)")]
    same_day = text.replace("updated: 2024-11-12", "updated: 2024-11-13")
    assert len(parse_article("storms/elra.md", same_day)[1]) == 1  # (a day, not a time)


def test_a_body_of_an_image_or_embed_alone_is_no_missing_text():
    head = "---\ntitle: Flood map of Porto\ndate: 2024-11-13\nsource: Coastwire\n---\n"
    for body, trusted in (("![Flood map of Porto](https://maps.example/porto.png)\n", False),
                          ('<iframe src="https://maps.example/porto"></iframe>\n', True)):
        _, problems = parse_article("maps.md", head + body, trusted=trusted)
        assert not [p for p in problems if "no text" in p.message], body
    _, problems = parse_article("maps.md", head)
    assert [p.message for p in problems] == ["the article has a title but no text yet"]
