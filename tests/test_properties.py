"""Property tests: no input, however strange, makes parsing raise or wander.

parse_article is pure, so Hypothesis can feed it any text, any front matter written
from random dictionaries (YAML and TOML), and any bytes through the decoder. Whatever
it gets, it returns (Article | None, problems), every problem names the file and a real
line (or None), and the same input always gives the same Article.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import dates
from generator.encoding import decode
from generator.errors import ContentError
from generator.parse import KNOWN_FIELDS, NOT_IN_URLS, parse_article, web_address

PATH = "story/article.md"
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

zones = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=14)),
                         dt.timezone(dt.timedelta(hours=-12, minutes=-30))])
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(max_size=40), st.dates(), st.datetimes(timezones=st.none() | zones),
    st.sampled_from(["2024-02-30", "2024-13-01", "0000-01-01", "9999-12-31T23:59:59-12:00",
                     "javascript:alert(1)", "../../etc/passwd", "<script>x</script>"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
keys = st.sampled_from(KNOWN_FIELDS) | st.text(min_size=1, max_size=12)
front_matter = st.dictionaries(keys, values, max_size=8)
bodies = st.text(max_size=300) | st.sampled_from([
    "", "On February 30 it rained.", "WASHINGTON, Nov 13 (Reuters) - x", "2023-02-29 vote",
    "date 2024-11-13\nText on Wednesday.", "# Title\n\n<script>alert(1)</script>",
])


def check(text: str) -> None:
    """The contract every input must honour."""
    first = parse_article(PATH, text, "story")
    article, problems = first
    lines = text.count("\n") + text.count("\r") + 2
    for problem in problems:
        assert isinstance(problem, ContentError)
        assert problem.path == PATH
        assert problem.line is None or 1 <= problem.line <= lines, problem
        assert problem.severity in ("error", "warning")
    if article is not None:
        assert article.path == PATH and article.title
    assert parse_article(PATH, text, "story") == first


@SETTINGS
@given(st.text(max_size=2000))
def test_any_text(text):
    check(text)


@SETTINGS
@given(front_matter, bodies)
def test_any_yaml_front_matter(fields, body):
    try:
        block = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return
    check(f"---\n{block}---\n{body}")


@SETTINGS
@given(front_matter, bodies)
def test_any_toml_front_matter(fields, body):
    check(f"+++\n{toml_block(fields)}+++\n{body}")


@SETTINGS
@given(st.binary(max_size=600))
def test_any_bytes(raw):
    text, problems = decode(PATH, raw)
    assert all(p.path == PATH for p in problems)
    assert text is not None or problems
    if text is not None:
        check(text)


@SETTINGS
@given(st.text(max_size=400), st.none() | st.dates())
def test_date_finding_never_raises(text, published):
    found = dates.find_dates(text, published)
    assert all(f.line >= 1 for f in found)
    assert all(line >= 1 for line, _ in dates.impossible_dates(text))


@SETTINGS
@given(values)
def test_to_datetime_gives_utc_or_a_date_error(value):
    try:
        moment = dates.to_datetime(value)
    except dates.ImpossibleDate:
        return
    assert moment.utcoffset() == dt.timedelta(0)


def toml_block(fields: dict) -> str:
    """A small TOML writer: enough of the format to carry any generated dictionary."""
    return "".join(f"{json.dumps(key)} = {toml_value(value)}\n" for key, value in fields.items())


def toml_value(value) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + pairs + "}"
    return json.dumps(value)


# The front-matter fast path (frontmatter._simple_yaml) must read a block exactly as
# PyYAML does, or decline it. Lines are drawn from what authors write and from what YAML
# reads specially: booleans, nulls, numbers, dates, quotes, escapes, comments, colons.
yaml_words = st.sampled_from(["yes", "No", "TRUE", "off", "null", "Null", "~", "y", "n",
                              "1e3", "0x1f", ".inf", "NaN", "2024-11-13", "2024-02-30",
                              "2024-11-13T10:00:00Z", "12:30", "Blinken", "Sybiha"])
yaml_texts = st.text(alphabet="abcXYZ019 .,:;#'\"\\/&()+?=%~!@-_[]{}*|>\t", max_size=20)
yaml_values = st.one_of(yaml_words, yaml_texts,
                        yaml_texts.map(lambda t: f'"{t}"'), yaml_texts.map(lambda t: f"'{t}'"))
yaml_keys = st.sampled_from(["title", "date", "source", "url", "draft", "x-y", "t_1", "Key"])
yaml_lines = st.tuples(yaml_keys, st.sampled_from([": ", ":", " : ", ":  "]), yaml_values)


@SETTINGS
@given(st.lists(yaml_lines, max_size=6))
def test_front_matter_fast_path_reads_yaml_as_pyyaml_does(lines):
    from generator import frontmatter

    block = "\n".join(f"{k}{sep}{v}" for k, sep, v in lines)
    fast = frontmatter._simple_yaml(block)
    if fast is None:
        return  # declined: PyYAML reads it
    slow = yaml.load(block, Loader=frontmatter._Loader) or {}  # (an empty block: no fields)
    assert fast == slow and list(fast) == list(slow)
    assert [type(v) for v in fast.values()] == [type(v) for v in slow.values()]


def _stock_markdown(trusted: bool):
    """markup's MarkdownIt without its shortcuts: what markdown-it itself makes."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    from generator.markup import safe_link

    md = MarkdownIt("commonmark", {"html": trusted, "typographer": False})
    md.enable(["table", "strikethrough"]).use(footnote_plugin)
    if not trusted:
        md.disable(["html_block", "html_inline"])
        md.validateLink = safe_link
    return md


markdown_lines = st.lists(st.one_of(
    st.text(alphabet="abcXY “\"'(«[]*_`~\\<>&#|-=:!.0123456789^/\t", max_size=30),
    st.sampled_from(["", "", "Plain words of a report.", "# Head", "- item", "1. one",
                     "> quoted", "    code", "a | b", "--- | ---", "[x]: https://a.example/",
                     "See https://news.example/path/a_b-c~d.html now", "[^1]: note",
                     "<b>raw</b>", "[link](javascript:alert(1))", "===", "Line two  "])),
    max_size=8).map("\n".join)


@SETTINGS
@given(markdown_lines, st.booleans())
def test_markdown_shortcuts_render_as_markdown_it_does(source, trusted):
    """markup shortcuts markdown-it's block and inline rules for plain paragraphs and
    plain text; the HTML must be what markdown-it itself would make, for any input."""
    from generator.markup import render_markdown

    expected = _stock_markdown(trusted).render(source.replace("\0", "\ufffd"))
    assert render_markdown(source, trusted)[0] == expected


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 300), st.lists(st.tuples(st.integers(0, 299), st.integers(0, 299)),
                                     max_size=400), st.integers(1, 40))
def test_candidate_codes_are_the_unique_pairs_in_order(n, pairs, batch):
    """Pairs arrive in batches, repeated, either way round, across many merges into the
    buckets; what comes out is every distinct pair once, sorted, and any slice of it
    reads the same as that slice of the whole."""
    from generator.blocking import PairCodes

    pairs = [(a % n, b % n) for a, b in pairs]
    found = PairCodes(n, buckets=5, pending=3)
    for start in range(0, len(pairs), batch):
        part = np.array(pairs[start:start + batch], dtype=np.int64).reshape(-1, 2)
        found.add(part[:, 0], part[:, 1])
    codes = found.codes()
    expected = sorted({min(a, b) * n + max(a, b) for a, b in pairs if a != b})
    assert codes.take(0, len(codes)).tolist() == expected
    for start in range(0, len(expected) + 1, 7):
        assert codes.take(start, start + 5).tolist() == expected[start:start + 5]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 4), st.integers(0, 40)),
                max_size=120, unique_by=lambda e: (e[0], e[1])),
       st.integers(1, 6), st.sampled_from([0, 1, 2.5, 7, 60]))
def test_dated_pairs_are_the_neighbours_within_the_cap_and_the_window(entries, cap, window):
    """Blocking's rule, read literally: in each key's list sorted by day (then article),
    an entry pairs with each of the next `cap` entries that are at most `window` days
    later."""
    from generator import blocking

    doc = np.array([e[0] for e in entries], dtype=np.int64)
    key = np.array([e[1] for e in entries], dtype=np.int64)
    day = np.array([e[2] + 738_000 for e in entries], dtype=np.int32)
    expected = set()
    for k in set(key.tolist()):
        listed = sorted((int(d), int(a)) for a, kk, d in zip(doc, key, day, strict=True)
                        if kk == k)
        for x, (d, a) in enumerate(listed):
            for e, b in listed[x + 1:x + 1 + cap]:
                if e - d <= window and a != b:
                    expected.add((min(a, b), max(a, b)))
    found = blocking.PairCodes(31, buckets=3, pending=5)
    blocking.dated_pairs(doc, key, day, window, cap, found)
    codes = found.codes()
    assert codes.take(0, len(codes)).tolist() == sorted(a * 31 + b for a, b in expected)


NAME_TEXT = st.text(alphabet=st.sampled_from(
    [*"abkis ZAKIS-_'.1\n\t\u00a0", "\u0130", "\u0131", "\u017f", "\u212a", "\u00e9", "\u00c9",
     "\u2028", "\u00df"]), max_size=40)


ASCII_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k",
                            "\u00a0": " ", "\u2028": " "})


@given(st.lists(NAME_TEXT, min_size=1, max_size=3), st.lists(NAME_TEXT, max_size=3),
       st.data())
@SETTINGS
def test_names_are_found_as_written_as_the_pattern_finds_them(texts, extra_names, data):
    """render.find_written's str.find search agrees with the case-insensitive pattern:
    names cut from the texts (folded to ASCII, as the merge's tokens are, so "ſ" in a
    text meets "s" in a name) and arbitrary ones."""
    from types import SimpleNamespace

    from generator.render import _name_pattern, find_written, without_dateline

    joined = "\n".join(texts)
    cuts = data.draw(st.lists(st.tuples(st.integers(0, len(joined)), st.integers(1, 12)),
                              max_size=8))
    names = [joined[a:a + n].translate(ASCII_FOLD).lower().strip() for a, n in cuts]
    names = [n for n in [*names, *extra_names] if n.strip()]
    articles = [SimpleNamespace(title=t[:8], text=t[8:]) for t in texts]

    def by_pattern(name):  # (outside the datelines, then anywhere)
        for blank in (without_dateline, str):
            for article in articles:
                if found := _name_pattern(name).search(f"{article.title}\n{blank(article.text)}"):
                    return found.group(0)
        return None

    assert find_written(names, articles) == [by_pattern(n) for n in names]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=30), st.integers(1, 7))
def test_a_lines_document_made_in_blocks_is_the_document_joined_whole(lines, block):
    """events.json and timelinejs.json are written a block of lines at a time; the bytes
    are those of the whole document joined at once, for any lines and block size."""
    from generator import export

    head = {"version": 1, "generated_by": "dateline"}
    opening = export.json_text({**head, "events": []})[:-3]
    listing = "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"
    real = export.LINES_AT_ONCE
    export.LINES_AT_ONCE = block
    try:
        made = b"".join(export.lines_document(head, "events", iter(lines)))
    finally:
        export.LINES_AT_ONCE = real
    assert made == f"{opening}{listing}}}\n".encode()


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60),
       st.text(alphabet="hts:/[]@%?#{}|^ \x00\u00fc.-09aZ\"'<>`\\", max_size=40))
def test_a_kept_link_is_a_whole_url_and_keeping_it_again_changes_nothing(any_text, rest):
    """An original's `url` is dropped or kept percent-encoded: never with a space, a
    control character or a character a URL cannot hold, and never relative."""
    for url in (any_text, "https://" + rest, "http://example.org/" + rest):
        kept = web_address(url)
        if kept is not None:
            assert kept.lower().startswith(("http://", "https://"))
            assert kept.isprintable() and not any(c.isspace() or c in NOT_IN_URLS
                                                  for c in kept)
            assert web_address(kept) == kept
