"""One article file -> one Article record.

`parse_article(path, text)` is pure so tests can feed it strings; `read_article` adds
the file reading. Problems come back as ContentErrors, never as exceptions, so the
build can report every file's problems at once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
import urllib.parse
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from . import dates
from .encoding import URL_SAFE, escaped_controls, has_controls, one_line
from .errors import ContentError, quoted_word, warning
from .frontmatter import Split, split
from .markup import render_article, render_plain, safe_link
from .media import is_media
from .models import Article, Body, Correction

TEXT_FIELDS = ("title", "source", "url", "author", "language", "event", "summary")
LIST_FIELDS = ("tags", "based_on", "separate")
KNOWN_FIELDS = (*TEXT_FIELDS, *LIST_FIELDS, "date", "updated", "corrections", "draft")
LEAD_CHARACTERS = 900
TITLE_CHARACTERS = 110


def parse_article(path: str, text: str, story: str = "", trusted: bool = False,
                  zone: dt.tzinfo = dt.UTC) -> tuple[Article | None, list[ContentError]]:
    """Parses one article; returns (None, errors) when it cannot be used at all. Times
    are kept in the site's `zone` (a time without an offset is read in it), so that an
    evening report is dated on the desk's own calendar day."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():  # what strip() removes, without copying the text
        return None, [ContentError(path, None, "the file is empty",
                                   "write a title line and the article text, or delete it")]
    try:
        parts = split(path, text)
    except ContentError as problem:
        return None, [problem]
    unopened = _unopened(path, parts)
    if unopened:
        return None, unopened
    fields, problems = _read_fields(path, parts, zone)
    problems.extend(warning(path, line, f"'{key}' is given again on line "
                            f"{parts.key_lines[key]}, and only that value is used",
                            "delete one of the two lines") for key, line in parts.repeated)
    article = _assemble(path, story, parts, fields, trusted, problems, zone)
    return article, problems


def _spaced_links(path: str, body: str, first_line: int) -> list[ContentError]:
    """`![Map](maps/Elra Path.png)`: Markdown ends a link's address at a space, so the
    link stays text and the picture is not published, with nothing said on the article."""
    problems = []
    for found in _LINK_TARGET.finditer(body):
        target = found.group(1).strip(" \t")
        if target and not target[0].isspace() and (" " in target or "\t" in target) \
                and is_media(target):
            number = first_line + body.count("\n", 0, found.start())
            problems.append(warning(path, number, f"the link to '{target}' is read as text: "
                                    "an address with spaces is no link",
                                    f"write it as <{target}> or with %20 for each space"))
    return problems


# A link's address up to its closing parenthesis, on one line; whether it holds a space
# is asked of the match (said in the pattern, as "text, a space, text", it backtracked
# over every split of an unclosed link's line: 42 s for one 64 KB line).
_LINK_TARGET = re.compile(r"\]\(([^()<>\"'\n]*)\)")


def _unopened(path: str, parts: Split) -> list[ContentError]:
    """A file that starts with `title:` and `date:` lines and then a `---` line lost its
    opening fence: its front matter would be published as its text, "title: ..." as the
    headline, which no author wants; an error, so the file is fixed before it is public."""
    if parts.has_front_matter:
        return []
    head = parts.body[:2000].split("\n")
    fence = next((k for k, line in enumerate(head[:40]) if line.rstrip() in ("---", "+++")), None)
    if fence is None:
        return []
    lines = [line for line in head[:fence] if line.strip()]
    keys = [m.group(1) for line in lines if (m := _FIELD_LINE.match(line))]
    if not lines or not _FIELD_LINE.match(lines[0]) or \
            any(not _FIELD_LINE.match(line) and not line[0].isspace() for line in lines) or \
            len([k for k in keys if k in KNOWN_FIELDS]) < 2:
        return []  # (every line above the fence a field, or a field's continuation)
    return [ContentError(path, 1, "this looks like front matter without its opening "
                         f"'{head[fence].rstrip()}' (it would be published as the text)",
                         f"add a line holding only '{head[fence].rstrip()}' above line 1")]


_FIELD_LINE = re.compile(r"([a-z_]+)\s*[:=]\s")


def read_article(file: Path, rel: str, story: str = "", trusted: bool = False,
                 zone: dt.tzinfo = dt.UTC) -> tuple[Article | None, list[ContentError]]:
    """Reads and parses one file; undecodable text is decoded with a warning, never a crash."""
    from .encoding import decode

    try:
        raw = file.read_bytes()
    except OSError as exc:  # removed or locked since it was listed
        return None, [ContentError(rel, None, f"cannot be read: {exc.strerror or exc}",
                                   "check that the file exists and is readable")]
    text, problems = decode(rel, raw)
    if text is None:
        return None, problems
    article, more = parse_article(rel, text, story, trusted, zone)
    return article, problems + more


def _read_fields(path: str, parts: Split, zone: dt.tzinfo = dt.UTC
                 ) -> tuple[dict[str, Any], list[ContentError]]:
    problems: list[ContentError] = []
    fields: dict[str, Any] = {}
    for key, value in parts.fields.items():
        line = parts.key_lines.get(str(key))
        if key not in KNOWN_FIELDS:
            problems.append(_unknown_key(path, line, str(key)))
            continue
        if key == "corrections" and isinstance(value, list):  # (each bad entry said)
            fields[key], trouble = _corrections(path, line, value, zone)
            problems.extend(trouble)
        else:
            try:
                fields[key] = _convert(key, value, zone)
            except (TypeError, ValueError) as exc:
                problems.append(ContentError(path, line, f"'{key}': {exc}",
                                             quoted_word(value) or _HINTS.get(key, "")))
        if key == "tags" and isinstance(value, str) and "," in value:
            fields[key] = tuple(filter(None, map(_text, value.split(","))))
            problems.append(_comma_tags(path, line, fields[key], parts.syntax))
        if has_controls(value):
            problems.append(escaped_controls(path, line, str(key)))
        if key in TEXT_FIELDS and isinstance(value, bool | int | float):
            problems.append(warning(path, line, f"'{key}' was read as the "
                                    f"{'value' if isinstance(value, bool) else 'number'} "
                                    f"{str(value).lower() if isinstance(value, bool) else value}",
                                    f"put it in quotes to keep it as written: {key}: \"...\""))
    if "url" in fields:
        address = web_address(fields["url"])
        if address is None:
            problems.append(warning(path, parts.key_lines.get("url"),
                                    f"url '{fields.pop('url')}' is not a web address; dropped",
                                    "use an http:// or https:// address"))
        else:
            fields["url"] = address
    return fields, problems


def _comma_tags(path: str, line: int | None, tags: tuple[str, ...], syntax: str
                ) -> ContentError:
    """`tags: storm, portugal` is one text to YAML and TOML; kept whole it became the one
    tag "storm-portugal" without a word. Hugo would keep it whole too, but no desk means
    a tag with a comma in it, so it is read as the tags it names, with the way to write
    them as a list."""
    quoted = ", ".join(f'"{tag}"' for tag in tags)
    listed = f"tags = [{quoted}]" if syntax == "toml" else f"tags: [{', '.join(tags)}]"
    return warning(path, line, f"'tags' is one text with commas; read as the tags "
                   f"{', '.join(tags)}", f"write a list: {listed}")


def web_address(url: str) -> str | None:
    """An original's link as a whole http(s) address, or None: a relative one ("../x",
    "//host/x") would point into this site or wherever the page is served from. What a
    URL cannot hold as it is (a space, a quote, "|", "{", letters outside ASCII) is
    percent-encoded, as a browser sends it; a host (or user name) holding any of it is no
    address."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or \
            not safe_link(url) or any(not c.isprintable() or c.isspace() or c in NOT_IN_URLS
                                      for c in parts.netloc):
        return None
    encode = partial(urllib.parse.quote, safe=URL_SAFE)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, encode(parts.path),
                                    encode(parts.query), encode(parts.fragment)))


NOT_IN_URLS = '<>"`\\{}|^'  # (RFC 3986 has no place for them: a consumer's parser refuses)


_HINTS = {
    "date": "write it as 2024-11-13 or 2024-11-13T09:30:00Z",
    "updated": "write it as 2024-11-14",
    "corrections": "a list of '- date: 2024-11-14' / '  text: ...' entries",
    "tags": "a list such as [nato, ukraine]",
    "draft": "true or false",
}


def _unknown_key(path: str, line: int | None, key: str) -> ContentError:
    close = difflib.get_close_matches(key, KNOWN_FIELDS, n=1)
    hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(KNOWN_FIELDS)
    return warning(path, line, f"unknown front-matter key '{key}' is ignored", hint)


def _convert(key: str, value: Any, zone: dt.tzinfo = dt.UTC) -> Any:
    if key in TEXT_FIELDS:
        return _text(value)
    if key in LIST_FIELDS:
        items = [value] if isinstance(value, str | int | float) else value
        if not isinstance(items, list):
            raise TypeError("expected a list of names")
        return tuple(_text(item) for item in items if _text(item))
    if key in ("date", "updated"):
        return dates.to_datetime(value, zone)
    if key == "draft":
        if not isinstance(value, bool):
            raise TypeError(f"expected true or false, got {value!r}")
        return value
    return tuple(_correction(item, zone) for item in _as_list(value))


def _text(value: Any) -> str:
    if isinstance(value, dict | list | tuple):
        raise TypeError("expected a single value, not a list or mapping")
    return one_line(value)


def _as_list(value: Any) -> list:
    if isinstance(value, list):
        return value
    raise TypeError("expected a list of corrections")


def _corrections(path: str, line: int | None, items: list, zone: dt.tzinfo
                 ) -> tuple[tuple[Correction, ...], list[ContentError]]:
    """Every correction that can be read, and a problem for each one that cannot (only
    the first was said, so fixing them took a build each)."""
    kept, problems = [], []
    for number, item in enumerate(items, 1):
        try:
            kept.append(_correction(item, zone))
        except (TypeError, ValueError) as exc:
            problems.append(ContentError(path, line, f"'corrections' entry {number}: {exc}",
                                         _HINTS.get("corrections", "")))
    return tuple(kept), problems


def _correction(item: Any, zone: dt.tzinfo = dt.UTC) -> Correction:
    """A correction's day is on the site's calendar, as the article's own date is."""
    if isinstance(item, str):
        return Correction(None, _text(item))
    if not isinstance(item, dict) or not item.get("text"):
        raise TypeError("each correction needs a 'text' (and usually a 'date')")
    when = dates.to_datetime(item["date"], zone).date() if item.get("date") else None
    return Correction(when, _text(item["text"]))


def _assemble(path: str, story: str, parts: Split, fields: dict[str, Any], trusted: bool,
              problems: list[ContentError], zone: dt.tzinfo = dt.UTC) -> Article | None:
    plain = path.lower().endswith(".txt")  # (WIRE.TXT too: discovery ignores the case)
    body, line = parts.body, parts.body_line
    published = fields.get("date")
    said = len(problems)
    token_date, body = _date_token(path, body, line, problems, zone)
    bad_token = len(problems) > said  # (its error stands for "no date")
    published = published or token_date or _filename_date(path, zone)
    title, inferred, body, line = _title(fields, body, line)
    if not title:
        problems.append(ContentError(path, None, "the article has no title and no text",
                                     "add 'title:' to the front matter or a first line"))
        return None
    html, text, media = (*render_plain(body), ()) if plain else \
        render_article(body, trusted, path, line)
    if not text.strip() and not media and not _SHOWS.search(html):
        problems.append(_no_text(path, parts, line))
    if not plain and "](" in body:
        problems.extend(_spaced_links(path, body, line))
    published_day = published.date() if published else None
    found = dates.find_dates(body, published_day, line)
    problems.extend(_impossible(path, body, line))
    event_date = dates.event_date(found, published_day, line + _lead_lines(body))
    source = fields.get("source") or _wire_outlet(text)
    problems.extend(_missing(path, parts, published, event_date, source, bad_token))
    problems.extend(_before_publication(path, parts, published, fields))
    if event_date is None:
        return None
    return Article(
        path=path, story=story, title=title, content=Body.of(text, html),
        published=published, source=source or None, url=fields.get("url") or None,
        author=fields.get("author") or None, language=fields.get("language") or None,
        tags=fields.get("tags", ()), based_on=fields.get("based_on", ()),
        event_key=fields.get("event") or None, separate=fields.get("separate", ()),
        corrections=fields.get("corrections", ()), updated=fields.get("updated"),
        draft=fields.get("draft", False), summary=fields.get("summary", ""),
        title_inferred=inferred, dates=tuple(found), event_date=event_date, body_line=line,
        separate_line=parts.key_lines.get("separate"), media=media,
        date_line=parts.key_lines.get("date") if "date" in parts.fields else None,
    )


def _date_token(path: str, body: str, line: int, problems: list[ContentError],
                zone: dt.tzinfo = dt.UTC):
    """A leading "date 2024-11-13" token, as clipping tools write it, dates the piece."""
    stripped = body.lstrip("\n")
    skipped = len(body) - len(stripped)
    match = dates.DATE_TOKEN.match(stripped)
    if not match:
        return None, body
    rest = body[:skipped] + stripped[match.end():].lstrip(" \t")
    try:  # (the year range is checked where the day becomes a moment: inside too)
        return dates.to_datetime(dates.parse_iso(match.group(1)).to_date(), zone), rest
    except dates.ImpossibleDate as exc:
        problems.append(ContentError(path, line + body[:skipped].count("\n"), str(exc),
                                     "write the date as YYYY-MM-DD"))
        return None, rest


_FILENAME_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})[-_]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


def _filename_date(path: str, zone: dt.tzinfo = dt.UTC):
    """A "2024-11-13-slug.md" file name dates the article, as in Jekyll and Hugo."""
    match = _FILENAME_DATE.match(path.rsplit("/", 1)[-1])
    if not match:
        return None
    try:
        return dates.to_datetime(dates.parse_iso(match.group(1)).to_date(), zone)
    except dates.ImpossibleDate:
        return None


def _title(fields: dict[str, Any], body: str, line: int) -> tuple[str, bool, str, int]:
    """The front-matter title, or one taken from the first line of text.

    A short first line is a headline and leaves the body; a long one is the lead
    paragraph, so the title is its first sentence and the paragraph stays.
    """
    if fields.get("title"):
        return fields["title"], False, body, line
    lines = body.split("\n")
    for index, raw in enumerate(lines):
        candidate = raw.strip().lstrip("#").strip()
        if not candidate:
            continue
        if _is_caption(candidate) and index + 1 < len(lines):
            continue
        if len(candidate) <= TITLE_CHARACTERS * 1.5 and not _is_caption(candidate):
            rest = "\n".join([*lines[:index], "", *lines[index + 1:]])  # keeps line numbers
            return candidate.rstrip("."), True, rest, line
        return _first_sentence(candidate), True, body, line
    return "", True, body, line


def _is_caption(line: str) -> bool:
    """Photo captions in clipped wire copy end with a credit: "... Photo: Coastwire",
    "... REUTERS/Jane Smith", or (a long line) a name in capitals: "... REUTERS"."""
    if _PHOTO_CREDIT.search(line):
        return True
    last = line.split()[-1].strip(".,;")
    return len(line) > 60 and len(last) >= 2 and last.isupper()


# A credit after the caption itself: after its sentence, a dash, a bar, a bracket or a
# date ("... raised. Photo: Coastwire", "... in Malibu (Photo: Coastwire)", "... 2024
# REUTERS/Jane Smith"); a headline never ends so ("Pressure grows on US/China").
_PHOTO_CREDIT = re.compile(r"(?:[.!?|(\u2014\u2013-]|\d)\s*(?:(?:Photo|Photograph|Picture|Image|"
                           r"Credit)\s*:\s*\S[^.!?()]{0,60}|[A-Z]{2,}/(?:[A-Z][a-z][\w.'-]*"
                           r"(?:\s+[A-Z][\w.'-]*){0,3}|STRINGER|POOL))\s*\)?\.?$")


def _first_sentence(paragraph: str) -> str:
    sentence = _SENTENCE_END.split(paragraph, maxsplit=1)[0].rstrip(".")
    if len(sentence) <= TITLE_CHARACTERS:
        return sentence
    cut = sentence[:TITLE_CHARACTERS].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _lead_lines(body: str) -> int:
    """How many lines of the body make its lead (the first paragraphs, ~900 characters)."""
    count = 0
    for number, text_line in enumerate(body.split("\n")):
        count += len(text_line)
        if count >= LEAD_CHARACTERS:
            return number
    return body.count("\n")


def _impossible(path: str, body: str, line: int) -> list[ContentError]:
    return [ContentError(path, number, f"'{written}' is not a real date",
                         "check the day and month")
            for number, written in dates.impossible_dates(body, line)]


def _wire_outlet(text: str) -> str | None:
    match = dates.DATELINE.search(text[:400])
    return match.group("outlet").strip() if match else None


def _missing(path: str, parts: Split, published, event_date, source,
             bad_token: bool = False) -> list[ContentError]:
    problems = []
    if event_date is None and ("date" in parts.fields or bad_token):
        pass  # the bad 'date:' value or date line itself is already reported
    elif event_date is None:
        problems.append(ContentError(path, 1 if parts.has_front_matter else None,
                                     "no date: none in the front matter and none in the text",
                                     _add("date", "2024-11-13", parts)))
    elif published is None:
        problems.append(warning(path, None, "no publication date; its text dates the event "
                                f"{_as_said(event_date)}",
                                _add("date", "2024-11-13", parts)))
    if not source:
        problems.append(warning(path, None, "no source: shown as '(unknown source)'",
                                _add("source", "<outlet>", parts)))
    return problems


def _as_said(date) -> str:
    """"13 November 2024", "13 November (its year from the other reports)", "March 2023"."""
    month = calendar.month_name[date.month] if date.month else ""
    day = f"{date.day} {month}" if date.day else month
    if date.year is None:
        return f"{day} (its year from the other reports)"
    return f"{day} {date.year}".strip()


def _before_publication(path: str, parts: Split, published: dt.datetime | None,
                        fields: dict[str, Any]) -> list[ContentError]:
    """An update or a correction dated before the article itself is a slip in one of the
    dates (feeds would show the article updated before it was published)."""
    if published is None:
        return []
    day = published.date().isoformat()
    found = []
    updated = fields.get("updated")
    if updated is not None and updated.date() < published.date():
        found.append(warning(path, parts.key_lines.get("updated"),
                             f"'updated' ({updated.date().isoformat()}) is before the "
                             f"article's date ({day})", "check both dates"))
    for number, fix in enumerate(fields.get("corrections", ()), 1):
        if fix.date is not None and fix.date < published.date():
            found.append(warning(path, parts.key_lines.get("corrections"),
                                 f"'corrections' entry {number} is dated "
                                 f"{fix.date.isoformat()}, before the article's date ({day})",
                                 "check the correction's date"))
    return found


_SHOWS = re.compile(r"<(?:img|iframe|video|audio|object|embed|picture|svg)\b", re.IGNORECASE)


def _no_text(path: str, parts: Split, line: int) -> ContentError:
    """A title and nothing else (a file `dateline new` made, not yet written) is still
    built, as an event of its title alone: the author is told before readers see it. A
    body of an image or an embed alone is no such slip."""
    at = line if parts.has_front_matter else None
    return warning(path, at, "the article has a title but no text yet",
                   "write the report below the front matter, or add 'draft: true' until "
                   "it is written" if parts.has_front_matter else "add the report's text")


def _add(key: str, example: str, parts: Split) -> str:
    """How to give a missing value: a clipping without front matter has none to add to."""
    if parts.has_front_matter:
        return f"add '{key}: {example}' to the front matter"
    first = "start the text with a line 'date 2024-11-13' giving the day it was published, " \
        "or " if key == "date" else ""
    return (f"{first}begin the file with front matter: a line '---', '{key}: {example}', "
            "and a line '---'")


def implausible_dates(article: Article, today: dt.date) -> list[ContentError]:
    """Real dates that look like typos (before 1800, over a year ahead) are warnings:
    the article is still built as written, but the author is asked to look. Asked of
    every article on every build, not kept with the parsed article: the answer moves
    with the clock, and a parse kept under today's date was worked out again for every
    file on the first build of each day."""
    checks = []
    if article.published is not None:
        checks.append((article.published.date(), article.date_line))
    event = article.event_date
    day = event.to_date() if event else None
    if day is not None and (article.published is None or day != article.published.date()):
        checks.append((day, next((f.line for f in article.dates if f.date == event), None)))
    return [warning(article.path, line, f"the date {why}", "check the date in the file")
            for day, line in checks if (why := dates.implausible(day, today))]


def without_copies(articles: Sequence[Article]) -> tuple[list[Article], list[ContentError]]:
    """The articles but those that repeat another's report (same source, title and text:
    a clipping saved twice, a copy left behind), each left out with a warning naming
    both files: kept, it counted twice in its event (two reports, the author's
    corrections and every note naming it twice, with file paths to tell them apart).
    Of two, the one whose path sorts first is kept."""
    first: dict[tuple, Article] = {}
    problems = []
    for article in sorted(articles, key=lambda a: a.path):
        key = ((article.source or "").strip().casefold(), article.title,
               article.content.packed_text)
        original = first.setdefault(key, article)
        if original is not article:
            problems.append(warning(
                article.path, None, f"the same report as {original.path} (same source, "
                "title and text): left out, so that its event does not count it twice",
                "delete one of the two files"))
    kept = set(map(id, first.values()))
    return [a for a in articles if id(a) in kept], problems
