"""Dates in front matter and in article text.

News text rarely carries a full date: a wire dateline says "Nov 13", a lead says "on
Wednesday", a translation says "On November 13". We find those mentions, keep the
precision that was actually written, and resolve missing years and weekdays against
the publication date with python-dateutil. A day is never invented.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from dateutil import parser as dateutil_parser

from .models import PartialDate, TextDate

MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR = r"(?:1[89][0-9]{2}|2[01][0-9]{2})"

# _starts knows where the text patterns below can match (their words and lengths): a
# change to them is a change to it.
DATE_TOKEN = re.compile(r"^\s*date:?\s+(\d{4}-\d{1,2}-\d{1,2})\b", re.IGNORECASE)
ISO_DATE = re.compile(r"\b([12]\d{3})-(\d{2})-(\d{2})\b")  # years 1000-2999 only
MONTH_DAY = re.compile(rf"\b({MONTH}\s+{DAY})\b(?:,?\s+({YEAR})\b)?")
DAY_MONTH = re.compile(rf"\b({DAY}\s+{MONTH})(?:,?\s+({YEAR})\b)?")
MONTH_YEAR = re.compile(rf"\b(?:[Ii]n|[Ss]ince|[Uu]ntil|[Bb]y|[Oo]f)\s+({MONTH}\s+{YEAR})\b")
_DAYS = r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# "on Wednesday", "late Tuesday", "Sunday's vote", "Friday night": a bare weekday name
# alone ("the Sunday Times") is not taken as a date.
WEEKDAY = re.compile(
    rf"\b(?:(?i:on|last|this|late|early|since|by)\s+{_DAYS}\b|{_DAYS}(?:'s|’s|\s+(?:night|"
    r"morning|afternoon|evening)\b))",
)
RELATIVE = re.compile(r"\b((?i:today|yesterday))\b")
# "WASHINGTON, Nov 13 (Reuters) -": place, date and outlet of a wire story.
DATELINE = re.compile(
    rf"^\s*(?P<place>[A-Z][A-Z .'/-]+?)\s*(?:,\s*(?P<date>{MONTH}\s+{DAY}(?:,?\s+{YEAR})?))?"
    r"\s*\((?P<outlet>[A-Za-z][A-Za-z .&'-]{0,40})\)\s*[-–—]+",
    re.MULTILINE,
)

# A story's opening dateline, "PORT ALDEN, Mar 2 (Coastwire) - " or "KYIV, Nov 6 — ".
LEADING_DATELINE = re.compile(
    rf"^[A-Z][A-Z .'/-]+(?:,\s*[A-Z][A-Za-z .'-]*?)?(?:,\s*{MONTH}\s+{DAY}(?:,?\s+{YEAR})?)?"
    r"(?:\s*\([^)]{1,40}\))?\s*[-–—]+\s+"
)

# Defaults with every field different, so a component missing from the text shows up
# as a difference between the two parses instead of being silently filled in.
_DEFAULT_A = dt.datetime(2004, 1, 1)
_DEFAULT_B = dt.datetime(2008, 2, 2)  # both leap years: "Feb 29" needs no year


# Outside these years date arithmetic (time zones, "ten days before") can overflow, so
# such a value is an error; 1000-1799 and over a year ahead are only warnings.
EARLIEST_YEAR, LATEST_YEAR = 1000, 9000
OLDEST_PLAUSIBLE, FUTURE_DAYS = 1800, 366


class ImpossibleDate(ValueError):
    """A date that names a day the calendar does not have (30 February)."""


_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b")


def parse_written_date(written: str) -> PartialDate:
    """Parses "Nov. 13, 2024", "13 November", "March 2023" keeping only what was written."""
    cleaned = _ORDINAL.sub("", written.replace(".", " "))
    try:
        a = dateutil_parser.parse(cleaned, default=_DEFAULT_A)
        b = dateutil_parser.parse(cleaned, default=_DEFAULT_B)
    except (ValueError, OverflowError) as exc:
        raise ImpossibleDate(f"'{written}' is not a real date") from exc
    year = a.year if a.year == b.year else None
    month = a.month if a.month == b.month else None
    day = a.day if a.day == b.day else None
    return PartialDate(year, month, day)


def parse_iso(written: str) -> PartialDate:
    """An ISO date, checked against the calendar."""
    try:
        day = dt.date.fromisoformat(_zero_pad(written))
    except ValueError as exc:
        raise ImpossibleDate(f"'{written}' is not a real date") from exc
    return PartialDate.of(day)


def _zero_pad(written: str) -> str:
    y, m, d = written.split("-")
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def resolve_year(date: PartialDate, anchor: dt.date) -> PartialDate:
    """Gives a year-less date the year that puts it nearest the anchor date.

    "On December 30" in an article published on 2 January means the December just
    gone, not the one eleven months ahead.
    """
    if date.year is not None or date.month is None:
        return date
    best = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:  # not a date that year (29 February), or a year the calendar lacks
            distance = abs((dt.date(year, date.month or 1, date.day or 1) - anchor).days)
        except ValueError:
            continue
        if best is None or distance < best[0]:
            best = (distance, year)
    return PartialDate(best[1], date.month, date.day) if best else date


def resolve_weekday(name: str, anchor: dt.date) -> PartialDate:
    """"On Wednesday" in a news report means the latest Wednesday on or before publication."""
    back = (anchor.weekday() - _DAY_NAMES.index(name.lower())) % 7
    return PartialDate.of(anchor - dt.timedelta(days=back))


def find_dates(text: str, published: dt.date | None, first_line: int = 1) -> list[TextDate]:
    """Every date mention in the text, in reading order, resolved where the anchor allows.

    Raises nothing: a mention that is not a real date is skipped here and reported by
    `impossible_dates`, so one bad mention cannot hide the others.
    """
    found: list[tuple[int, TextDate]] = []
    taken = _Spans()
    for start, end, line, kind, written, date in _mentions(text, first_line):
        if isinstance(date, ImpossibleDate):
            continue
        if kind in ("weekday", "relative"):
            if published is None:
                continue
            date = _relative(written, kind, published)
        elif published is not None:
            date = resolve_year(date, published)
        if taken.overlaps(start, end):
            continue
        taken.add(start, end)
        found.append((start, TextDate(date, line, kind, written)))
    found.sort(key=itemgetter(0))  # stable, as sorted() was
    return [date for _, date in found]


class _Spans:
    """Spans of text already read as dates, none overlapping another, so kept in order of
    their starts (and so of their ends): whether a new span overlaps one is two lookups.
    (Asking each span in turn took minutes for a chronology of 20,000 dates.)"""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect.bisect_left(self.starts, end)  # (the spans starting before `end`)
        return before > 0 and self.ends[before - 1] > start

    def add(self, start: int, end: int) -> None:
        at = bisect.bisect_left(self.starts, start)
        self.starts.insert(at, start)
        self.ends.insert(at, end)


def impossible_dates(text: str, first_line: int = 1) -> list[tuple[int, str]]:
    """Written dates the calendar does not have, with their line numbers."""
    return [(m.line, m.written) for m in _mentions(text, first_line)
            if isinstance(m.date, ImpossibleDate)]


class _Mention(NamedTuple):
    start: int
    end: int
    line: int
    kind: str
    written: str
    date: PartialDate | ImpossibleDate | None


# Patterns in priority order: where two overlap, the earlier pattern's reading wins.
_PATTERNS = ((ISO_DATE, "explicit"), (MONTH_DAY, "explicit"), (DAY_MONTH, "explicit"),
             (MONTH_YEAR, "explicit"), (WEEKDAY, "weekday"), (RELATIVE, "relative"))
# Each pattern behind a lookahead on its first characters, as when each scanned the whole
# text (it decides a few readings: "ſince Monday" is not one); tried only at _starts.
_FIRST = ("\\d", "JFMASOND", "\\d", "iIsSuUbBoO", "oOlLtTeEsSbBMWF", "tTyY")
_SCANS = tuple((re.compile(f"(?=[{first}])" + p.pattern), p, kind)
               for first, (p, kind) in zip(_FIRST, _PATTERNS, strict=True))


@lru_cache(maxsize=16)
def _mentions(text: str, first_line: int) -> tuple[_Mention, ...]:
    """Each pattern's matches, exactly as finditer over the whole text would give them;
    cached because parsing asks for both the dates and the impossible ones of a body."""
    mentions = []
    for (scan, pattern, kind), starts in zip(_SCANS, _starts(text), strict=True):
        line, counted, end = first_line, 0, 0
        for start in sorted(starts):
            if start < end or not (match := scan.match(text, start)):
                continue  # finditer resumes after a match: overlaps never occur
            end = match.end()
            line += text.count("\n", counted, start)
            counted = start
            mentions.append(_Mention(start, end, line, kind, match.group(0).strip(),
                                     _reading(pattern, match)))
    return tuple(mentions)


# Every match holds a month's first three letters, "day" (any case: only ASCII letters
# match re's case-insensitive "day") or an ISO date's "-" (then two digits, any script's).
# They are found in the text as ASCII bytes, one per character so positions hold: with
# month initials and "-" made NUL, a regex looks for one literal, ten times faster than
# for a set. Scanning with each pattern runs the matcher at every position instead, and
# cost more than the whole Markdown parse.
_MARK = bytes.maketrans(b"JFMASOND-", b"\0" * 9)
_HINTS = re.compile(rb"\0(?=an|eb|ar|pr|ay|un|ul|ug|ep|ct|ov|ec|[0-9?]{2}\0)")
_MONTH_STARTS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec"}
_WEEKDAY_STEMS = {"Mon", "Tues", "Wednes", "Thurs", "Fri", "Satur", "Sun"}
_MONTH_YEAR_WORDS = {"in", "since", "until", "by", "of", "In", "Since", "Until", "By",
                     "Of"}  # (a sentence may start "In March 2023")
_TO = {"to", "To", "tO", "TO"}  # "t", "o" and "y" have no other case forms in re


def _starts(text: str) -> tuple[list[int], ...]:
    """Where each pattern of _SCANS can match (and some places it cannot): a set distance
    before a hint, or the start of the word before it ("13 Nov", "in March 2023", "since
    Monday"), where that word begins with a character the pattern allows there."""
    iso, month_day, day_month, month_year, weekday, relative = [], [], [], [], [], []
    ascii_text = text.encode("ascii", "replace")  # "?" for each other character
    for hint in _HINTS.finditer(ascii_text.translate(_MARK)):
        at = hint.start()
        if text[at] == "-":
            iso.append(at - 4)
        elif text[at:at + 3] in _MONTH_STARTS:
            month_day.append(at)
            word, end = _word_before(text, at)
            if word < end and text[word] in "0123456789":
                day_month.append(word)
            elif text[word:end] in _MONTH_YEAR_WORDS:
                month_year.append(word)
    lowered = ascii_text.lower()
    at = lowered.find(b"day")
    while at >= 0:
        if text[at - 2:at] in _TO:
            relative.append(at - 2)
        if at >= 6 and text[at - 6] in "yY":
            relative.append(at - 6)
        if text.startswith("day", at):
            weekday.extend(_weekday_starts(text, at))
        at = lowered.find(b"day", at + 1)
    return iso, month_day, day_month, month_year, weekday, relative


def _weekday_starts(text: str, day: int) -> list[int]:
    """The weekday named before `day`, and the word before that ("on", "since"...)."""
    starts = []
    for name in range(max(day - 6, 0), day - 2):
        if text[name:day] in _WEEKDAY_STEMS:
            starts.append(name)
            word, end = _word_before(text, name)
            if word < end and text[word] in "oOlLtTeEsSbB":
                starts.append(word)
    return starts


def _word_before(text: str, at: int) -> tuple[int, int]:
    """(start, end) of the word before the whitespace that ends at `at`; empty when there
    is no whitespace or the word is over five characters (no pattern allows longer).
    `\\s` and `\\w` are exactly str.isspace() and str.isalnum() or "_"."""
    end = at
    while end and text[end - 1].isspace():
        end -= 1
    start = end
    while start and end - start <= 5 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return (start, end) if end < at and end - start <= 5 else (end, end)


def _reading(pattern: re.Pattern, match: re.Match) -> PartialDate | ImpossibleDate | None:
    if pattern in (WEEKDAY, RELATIVE):
        return None
    written = match.group(1) if pattern is MONTH_YEAR else match.group(0)
    try:
        return parse_iso(written) if pattern is ISO_DATE else _parse_cached(written)
    except ImpossibleDate as exc:
        return exc if pattern is not MONTH_YEAR else None


@lru_cache(maxsize=4096)
def _parse_cached(written: str) -> PartialDate:
    return parse_written_date(written)


@lru_cache(maxsize=4096)
def _relative(written: str, kind: str, published: dt.date) -> PartialDate:
    """Cached: a body says "since Monday" often, and a day's articles share their anchor."""
    lowered = written.lower()
    if kind == "relative":
        offset = 1 if lowered == "yesterday" else 0
        return PartialDate.of(published - dt.timedelta(days=offset))
    return resolve_weekday(next(day for day in _DAY_NAMES if day in lowered), published)


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def event_date(dates: Iterable[TextDate], published: dt.date | None,
               lead_lines: int) -> PartialDate | None:
    """When the reported event happened: the first credible date in the lead.

    A lead's first date ("on Wednesday", "On November 13") dates the event; later dates
    in the body are usually context ("Biden leaves office on January 20"). With a
    publication date, a mention more than ten days before or any day after it is context
    too. Without any usable mention the publication date stands in.
    """
    dates = list(dates)
    for found in dates:
        if found.line > lead_lines or found.date.precision != "day":
            continue
        if published is None:
            return _year_from_text(found.date, dates)
        if _credible(found.date, published):
            return found.date
    if published is not None:
        return PartialDate.of(published)
    return next((d.date for d in dates if d.line <= lead_lines and d.date.year is not None
                 and d.text[:3].lower() == "in "), None)  # ("in March 2023": that month,
    # no day invented; not "until" or "by March 2027", which look ahead)


def _year_from_text(date: PartialDate, dates: list[TextDate]) -> PartialDate:
    """Without a publication date, "On November 13" takes its year from a full date
    elsewhere in the same text ("... November 13, 2024"), if there is one."""
    if date.year is not None:
        return date
    full = [d.date.to_date() for d in dates if d.date.year and d.date.precision == "day"]
    return resolve_year(date, full[0]) if full else date


def _credible(date: PartialDate, published: dt.date) -> bool:
    day = date.to_date()
    if day is None:
        return True
    return published - dt.timedelta(days=10) <= day <= published


def to_datetime(value: object, zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    """A front-matter date or datetime as an aware datetime in `zone` (the site's
    `timezone`, UTC by default).

    Naive values are read in `zone`, never in the machine's local time zone, so that the
    same file gives the same dates on any machine.
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        moment = _parse_datetime_string(value)
    else:
        raise ImpossibleDate(f"expected a date like 2024-11-13, got {value!r}")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ImpossibleDate(f"'{value}' is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def implausible(day: dt.date, today: dt.date) -> str | None:
    """Why a real date still looks like a typo: before 1800, or over a year ahead."""
    if day.year < OLDEST_PLAUSIBLE:
        return f"{day.isoformat()} is before {OLDEST_PLAUSIBLE}; is the year right?"
    if day > today + dt.timedelta(days=FUTURE_DAYS):
        return f"{day.isoformat()} is more than a year in the future; is the year right?"
    return None


def reference_day() -> dt.date:
    """Today in UTC, or SOURCE_DATE_EPOCH's day when set, so a reproducible build can pin
    the one judgement that depends on the clock (the far-future warning)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            pass
    return dt.datetime.now(dt.UTC).date()


def _parse_datetime_string(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value.strip())
    except (ValueError, OverflowError):
        pass
    try:
        return dateutil_parser.isoparse(value.strip())
    except (ValueError, OverflowError) as exc:
        raise ImpossibleDate(f"'{value}' is not a date") from exc
