"""The records that flow between pipeline stages.

Frozen dataclasses only: a stage may build new records but never mutates the ones it
was handed, which keeps stages independent and builds deterministic.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .attribution import derivation_depths


@dataclass(frozen=True, order=True, slots=True)
class PartialDate:
    """A calendar date that may lack its year, month or day.

    News text says "On November 13" (no year) or "in March 2023" (no day); we keep
    exactly what was said and never invent the missing parts.
    """

    year: int | None
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def complete(self) -> bool:
        """True when the year is known, so the date can be placed on a timeline."""
        return self.year is not None

    def iso(self) -> str:
        """ISO 8601 at the date's own precision: 2024-11-13, 2024-11 or 2024."""
        year = f"{self.year:04d}" if self.year is not None else "????"
        parts = [year]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
            if self.day is not None:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def to_date(self) -> dt.date | None:
        """The first day the partial date can mean, for sorting; None without a year."""
        if self.year is None:
            return None
        return dt.date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def of(cls, day: dt.date) -> PartialDate:
        return cls(day.year, day.month, day.day)


@dataclass(frozen=True, slots=True)
class TextDate:
    """A date found in an article's text, with where it was found and how."""

    date: PartialDate
    line: int
    kind: str  # "token", "dateline", "explicit", "weekday", "relative"
    text: str


@dataclass(frozen=True, slots=True)
class Correction:
    """A correction the author recorded in front matter."""

    date: dt.date | None
    text: str


@dataclass(frozen=True, slots=True)
class Body:
    """An article's plain text and rendered HTML, compressed: 8 KB of text become 2 KB, and
    an archive of 100,000 articles holds every one of them from parsing to rendering.

    The HTML is compressed with the text as zlib's preset dictionary (it is mostly the same
    words), so it can be dropped on its own (`build.merge_view`). Reading unpacks, with the
    last few hundred results kept: a stage reads one event's articles many times over.
    """

    packed_text: bytes
    packed_html: bytes = b""

    @classmethod
    def of(cls, text: str, html: str = "") -> Body:
        raw = text.encode("utf-8", "surrogatepass")
        packer = zlib.compressobj(COMPRESSION, zdict=raw) if raw else zlib.compressobj(COMPRESSION)
        packed_html = packer.compress(html.encode("utf-8", "surrogatepass")) + packer.flush() \
            if html else b""
        return cls(zlib.compress(raw, COMPRESSION), packed_html)

    @property
    def text(self) -> str:
        return _text(self.packed_text)

    @property
    def html(self) -> str:
        return _html(self.packed_text, self.packed_html) if self.packed_html else ""

    def without_html(self) -> Body:
        return Body(self.packed_text)


COMPRESSION = 1  # zlib's fastest level: within a tenth of its best on news text


@lru_cache(maxsize=512)
def _text(packed: bytes) -> str:
    return zlib.decompress(packed).decode("utf-8", "surrogatepass")


@lru_cache(maxsize=256)
def _html(packed_text: bytes, packed_html: bytes) -> str:
    raw = _text(packed_text).encode("utf-8", "surrogatepass")
    unpacker = zlib.decompressobj(zdict=raw) if raw else zlib.decompressobj()
    return (unpacker.decompress(packed_html) + unpacker.flush()).decode("utf-8", "surrogatepass")


@dataclass(frozen=True, slots=True)
class Article:
    """One parsed article file."""

    path: str  # relative to the content folder, POSIX separators
    story: str  # story slug ("" for the default story)
    title: str
    content: Body  # plain text of the body, for analysis, and the body rendered to safe HTML
    published: dt.datetime | None = None  # publication time, normalised to UTC
    source: str | None = None
    url: str | None = None
    author: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    based_on: tuple[str, ...] = ()
    event_key: str | None = None
    separate: tuple[str, ...] = ()
    corrections: tuple[Correction, ...] = ()
    updated: dt.datetime | None = None
    draft: bool = False
    summary: str = ""  # the author's one-line summary, if given
    title_inferred: bool = False  # no front-matter title: taken from the text
    dates: tuple[TextDate, ...] = ()  # dates found in the text, in order
    event_date: PartialDate | None = None  # best guess of when the event happened
    body_line: int = 1  # line of the file where the body starts, for messages
    separate_line: int | None = None  # line of `separate:` in the front matter, for messages
    date_line: int | None = None  # line of `date:` in the front matter, for messages
    media: tuple[tuple[str, int | None], ...] = ()  # content files the body links to
    # (media.py), each with the file line of its first link, to check

    @property
    def text(self) -> str:
        return self.content.text

    @property
    def html(self) -> str:
        return self.content.html

    @property
    def published_date(self) -> dt.date | None:
        return self.published.date() if self.published else None

    @property
    def outlet(self) -> str:
        return self.source or "(unknown source)"


@dataclass(frozen=True, slots=True)
class NoteValue:
    value: str
    sources: tuple[str, ...]
    passage: str = ""  # the sentence the value was read from, for side-by-side display


@dataclass(frozen=True, slots=True)
class Note:
    """A correction note: an author correction or a detected disagreement."""

    kind: str  # author, office, quote, figure, date, place, register
    text: str
    sources: tuple[str, ...] = ()
    field: str | None = None
    values: tuple[NoteValue, ...] = ()
    preferred: str | None = None
    why: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class MergeReason:
    """Why articles were judged to report one event, for readers and for debugging."""

    score: float
    shared_names: tuple[str, ...] = ()
    shared_terms: tuple[str, ...] = ()
    date_spread_days: int = 0
    forced: bool = False  # grouped by an author's `event:` key


def report_labels(articles: Sequence[Article]) -> list[str]:
    """How notes name each report: its outlet, with the file added where two reports of
    the event share one (both unknown, say)."""
    outlets = [a.outlet for a in articles]
    return [o if outlets.count(o) == 1 else f"{o} ({a.path})"
            for o, a in zip(outlets, articles, strict=True)]


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    date: PartialDate
    title: str
    story: str
    articles: tuple[Article, ...]  # ordered by publication, earliest first
    summary: str = ""
    notes: tuple[Note, ...] = ()
    merge: MergeReason | None = None

    @property
    def first_reported_by(self) -> str:
        """The outlet of the earliest report (of those tied, an original before a report
        based on it, then the first by file path)."""
        return self.articles[0].outlet

    @property
    def first_outlets(self) -> tuple[str, ...]:
        """The outlets of every report that the dates given cannot tell from the earliest
        (the same day with no time given, or the same minute), leaving out a report based
        on another of them (a translation of Reuters came after Reuters): more than one
        means that which came first is not known, and no page should claim it."""
        tied, depths = self._tied_with_first()
        if depths is None:
            return (self.articles[0].outlet,)
        return tuple(dict.fromkeys(a.outlet for a, d in zip(tied, depths, strict=True)
                                   if d == min(depths)))

    @property
    def based_on_first(self) -> tuple[str, ...]:
        """The outlets of the reports dated as the first one that come after it because
        they are based on it, directly or not: why "first" can be shown where the dates
        alone tie (a translation of Reuters dated the same day as Reuters)."""
        tied, depths = self._tied_with_first()
        if depths is None or len({a.outlet for a, d in zip(tied, depths, strict=True)
                                  if d == min(depths)}) > 1:
            return ()
        return tuple(dict.fromkeys(a.outlet for a, d in zip(tied, depths, strict=True)
                                   if d > min(depths) and a.outlet != self.articles[0].outlet))

    def _tied_with_first(self) -> tuple[list[Article], list[int] | None]:
        """The reports the dates cannot tell from the first (the leading run: the articles
        are in reported order), and how deep each is based on the others; no depths when
        they are all one outlet's (depths may read whole texts: ties only)."""
        lead = report_moment(self.articles[0])
        tied = [a for a in self.articles if _cannot_tell(report_moment(a), lead)]
        if len({a.outlet for a in tied}) < 2:
            return tied, None
        return tied, derivation_depths(tied)

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.outlet for a in self.articles))

    @property
    def stories(self) -> tuple[str, ...]:
        """Its own story, then the others its reports were filed in (which list it too;
        the default story, "", has no page to list it on)."""
        return (self.story, *sorted({a.story for a in self.articles} - {self.story, ""}))

    @property
    def fact_notes(self) -> tuple[Note, ...]:
        """Corrections and disagreements on facts (names, offices, figures, dates): what
        pages lead with and count. Not reworded quotations, nor datelines: a dateline says
        where a report was filed, so two bureaus' datelines are no disagreement (they
        were counted as one on every page but the note's own)."""
        return tuple(n for n in self.notes if n.kind not in ("quote", "place"))

    @property
    def datelines(self) -> tuple[Note, ...]:
        """Where the reports were filed, when their datelines name different places."""
        return tuple(n for n in self.notes if n.kind == "place")

    def contradicted(self, *outlets: str) -> int:
        """On how many points of fact the reports of these outlets (spellings of one) give
        a value other than the one preferred (by the register, the trust order or the
        other reports)."""
        return self._contradicted(lambda article: article.outlet in outlets)

    def report_contradicted(self, article: Article) -> int:
        """`contradicted` for one report (of two from one outlet, this one's points)."""
        return self._contradicted(lambda other: other is article)

    def disputed_with(self, *outlets: str) -> tuple[int, int]:
        """(on how many points of fact other reports disagree with the reports of these
        outlets, on how many of those their value is the one preferred)."""
        disputes = [n for n in self.fact_notes if n.kind != "author"]
        if not disputes:  # (most events: no labels to work out)
            return 0, 0
        labels = {label for a, label in zip(self.articles, report_labels(self.articles),
                                            strict=True) if a.outlet in outlets}
        given = [{v.value for v in n.values if labels.intersection(v.sources)}
                 for n in disputes]
        return (sum(1 for values in given if values),
                sum(1 for n, values in zip(disputes, given, strict=True)
                    if n.preferred in values))

    def _contradicted(self, chosen: Callable[[Article], bool]) -> int:
        contested = [n for n in self.fact_notes if n.preferred is not None]
        if not contested:  # (most events: no labels to work out)
            return 0
        labels = {label for a, label in zip(self.articles, report_labels(self.articles),
                                            strict=True) if chosen(a)}  # (as notes name them)
        return sum(1 for n in contested if any(
            labels.intersection(v.sources) for v in n.values if v.value != n.preferred))

    @property
    def reworded_quotes(self) -> tuple[Note, ...]:
        """Statements the sources word differently: a translation or a paraphrase, not
        necessarily an error, so pages fold them below the facts."""
        return tuple(n for n in self.notes if n.kind == "quote")


@dataclass(frozen=True, slots=True)
class Story:
    slug: str
    title: str
    description: str = ""
    events: tuple[Event, ...] = field(default=())
    about_html: str = ""  # the body of the story's _index.md, rendered
    # Events of other stories that reports filed in this story are part of (an event has
    # one story, its reports' most common): listed on its timeline and feed too, so a
    # story whose only report merged into another's event still has its page.
    shared: tuple[Event, ...] = field(default=())

    @property
    def listed(self) -> tuple[Event, ...]:
        """Its timeline: its own events and those it shares."""
        return self.events + self.shared


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the renderer needs: stories with their events, in timeline order."""

    stories: tuple[Story, ...]
    media: tuple = ()  # media.MediaFile: images and documents to publish beside the pages
    register: tuple = ()  # register.Tenure: the office holders the notes are checked against

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(e for s in self.stories for e in s.events)


def _cannot_tell(moment: tuple, lead: tuple) -> bool:
    """Whether the dates cannot say that the first report came before this one: the same
    moment, or the same day where either gives no time (a report dated the 13th with no
    hour may have been out before another's 08:30; it was credited to the 08:30 one)."""
    return moment == lead or (moment[0] == lead[0] and 1 in (moment[1], lead[1]))


def report_moment(article: Article) -> tuple:
    """When a report came out, as far as its dates tell, for ordering the reports of an
    event (earliest first) and for telling which cannot be told apart: (day, 1 when no
    time is given, the time). A date given without a time reads as midnight, but the
    report may have appeared at any hour of that day: it goes after the same day's timed
    reports, and ties with them for who was first (`_cannot_tell`). (A time of exactly midnight is
    taken for no time: the two cannot be told apart.) The day is the site's calendar
    day, as times are kept in its time zone. A report with no publication date stands
    on its event's day, as written in its text (a wire clipping's "WASHINGTON, Nov 13
    (Reuters) -" is the day it was filed), without a time; one without even that, last."""
    moment = article.published
    if moment is None:
        day = article.event_date.to_date() if article.event_date and \
            article.event_date.precision == "day" else None
        return (day or dt.date.max, 1, None)
    if moment.time() == dt.time(0):
        return (moment.date(), 1, None)
    return (moment.date(), 0, moment)
