"""Events -> stories -> the list of pages to render (ordering, grouping, prev/next).

Knows nothing of HTML: it decides which pages exist, at which paths, with which data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import groupby
from typing import Any, NamedTuple

from .models import Event, Note, PartialDate, Site, Story
from .register import REGISTER_NAMED
from .slugs import slug

UNDATED = 0
INITIAL_DOT = re.compile(r"\b([^\W\d_])\.")  # the dot after a one-letter initial
SPLIT_OVER = 300  # a timeline longer than this gets one page per year
PAGE_SIZE = 500  # and a year longer than this gets numbered pages


@dataclass(frozen=True)
class StoryInfo:
    slug: str
    title: str
    description: str = ""
    about_html: str = ""
    index: str = ""  # the _index.md it came from, within content/
    media: tuple[tuple[str, int | None], ...] = ()  # content files its text links to
    # (media.py), each with the file line of its first link


@dataclass(frozen=True)
class Page:
    path: str  # relative to the output folder, POSIX
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> str:
        """The relative way back to the site root, so links work under any base path."""
        return "../" * self.path.count("/")


@dataclass(frozen=True)
class Group:
    """A heading on the timeline (a year, a month or a day) and what sits under it."""

    key: tuple[int, ...]
    items: tuple[Any, ...]


def event_sort_key(event: Event) -> tuple:
    day = event.date.to_date()
    return (day.toordinal() if day else UNDATED, event.date.precision != "day", event.id)


def build_site(events: Iterable[Event], stories: Sequence[StoryInfo]) -> Site:
    """Stories in title order (the default story first), each with its events by date."""
    by_story: dict[str, list[Event]] = {}
    shared: dict[str, list[Event]] = {}
    for event in sorted(events, key=event_sort_key):
        by_story.setdefault(event.story, []).append(event)
        for other in event.stories[1:]:
            shared.setdefault(other, []).append(event)
    known = {info.slug: info for info in stories}
    result = []
    for story_slug in sorted(by_story.keys() | shared.keys(),
                             key=lambda s: (s != "", _title(known, s).lower(), s)):
        info = known.get(story_slug) or StoryInfo(story_slug, _title(known, story_slug))
        result.append(Story(story_slug, info.title, info.description,
                            tuple(by_story.get(story_slug, ())), info.about_html,
                            tuple(shared.get(story_slug, ()))))
    return Site(tuple(result))


def _title(known: dict[str, StoryInfo], story_slug: str) -> str:
    if story_slug in known:
        return known[story_slug].title
    return story_slug.replace("-", " ").capitalize() if story_slug else "Latest"


def group_by_date(events: Sequence[Event], newest_first: bool,
                  sort_key: Callable[[Event], tuple] = event_sort_key) -> list[Group]:
    """Year -> month -> day groups, so the timeline can show sticky year/month headings.
    `sort_key`: event_sort_key, or the same keys worked out once (`sort_keys`)."""
    ordered = sorted(events, key=sort_key, reverse=newest_first)
    years = []
    for year, in_year in groupby(ordered, key=lambda e: e.date.year or 0):
        months = []
        for month, in_month in groupby(list(in_year), key=lambda e: e.date.month or 0):
            days = [Group((year, month, day), tuple(items)) for day, items
                    in groupby(list(in_month), key=lambda e: e.date.day or 0)]
            months.append(Group((year, month), tuple(days)))
        years.append(Group((year,), tuple(months)))
    return years


class Link(NamedTuple):
    """An event as a link to it shows it: a page holding the whole neighbouring event
    would be rendered again (cache.PageCache) whenever anything about that event moved."""

    id: str
    title: str
    date: PartialDate


def neighbours(events: Sequence[Event]) -> dict[str, tuple[Link | None, Link | None]]:
    """Previous and next event of each event within its story, in date order."""
    shown = [Link(e.id, e.title, e.date) for e in events]
    links: dict[str, tuple[Link | None, Link | None]] = {}
    for index, event in enumerate(events):
        before = shown[index - 1] if index > 0 else None
        after = shown[index + 1] if index + 1 < len(events) else None
        links[event.id] = (before, after)
    return links


@lru_cache(maxsize=65_536)
def source_slug(outlet: str) -> str:
    """Initials lose their dots first, so "A.P." and "AP" share one source page."""
    return slug(INITIAL_DOT.sub(r"\1", outlet), 50, "source")


def by_source(events: Iterable[Event]) -> dict[str, tuple[str, list[Event]]]:
    """Outlet slug -> (outlet name, the events it reported), for the source pages."""
    table: dict[str, tuple[str, list[Event]]] = {}
    for event in events:
        named = {source_slug(outlet): outlet for outlet in reversed(event.outlets)}
        for key, outlet in named.items():
            table.setdefault(key, (outlet, []))[1].append(event)
    return dict(sorted(table.items()))


def sort_keys(events: Iterable[Event]) -> Callable[[Event], tuple]:
    """event_sort_key with each event's key worked out once: the page plan sorts every
    event into several timelines (the home page, its stories', outlets' and tags'), and
    working the keys out for each was a tenth of a second of every build at 10k."""
    keys = {id(e): event_sort_key(e) for e in events}
    return lambda event: keys[id(event)]


def plan_pages(site: Site, newest_first: bool, search: bool = False) -> list[Page]:
    """Every HTML page of the site, in a fixed order; each knows which nav links exist."""
    sort_key = sort_keys(site.events)
    events = sorted(site.events, key=sort_key)
    titles = {s.slug: s.title for s in site.stories}
    stories = [s for s in site.stories if s.slug]
    # With one story the navigation has no Stories link: the home page names its page
    # (its own introduction and feed) instead.
    only = {"only_story": header(stories[0]) if len(stories) == 1 else None}
    pages = archive_pages("", "index.html", events, newest_first, titles, only, sort_key)
    for story in site.stories:
        if story.slug:
            pages += archive_pages(f"stories/{story.slug}/", "story.html", story.listed,
                                   newest_first, titles, {"story": header(story)}, sort_key)
        pages += _event_pages(story)
    if len(stories) > 1:
        pages.append(Page("stories/index.html", "stories.html", {"stories": site.stories}))
    pages += _listing_pages("sources", "source.html", by_source(events), newest_first, titles,
                            sort_key)
    tags = by_tag(events)
    pages += _listing_pages("tags", "tag.html", tags, newest_first, titles, sort_key)
    pages += corrections_pages(events, bool(site.register))
    if site.register:
        pages.append(Page(REGISTER_PAGE, "register.html", {"offices": offices(site.register)}))
    if search:
        pages.append(Page("search/index.html", "search.html", {}))
    pages.append(Page("404.html", "404.html", {}))
    nav = {"stories": len(stories) > 1, "tags": bool(tags), "search": search}
    return [Page(p.path, p.template, {**p.context, "nav": nav}) for p in pages]


REGISTER_PAGE = "register/index.html"


def offices(register: Sequence[Any]) -> list[tuple[str, str, list[Any]]]:
    """The register's terms by office (offices in alphabetical order, each office's terms
    earliest first), each with its anchor on the page (`office_anchor`), for the page
    that shows readers what the notes check reports against."""
    by_office: dict[str, list[Any]] = {}
    for tenure in register:
        by_office.setdefault(tenure.office, []).append(tenure)
    ordered = sorted(by_office.items(), key=lambda o: (o[0].lower(), o[0]))
    anchors: list[str] = []
    for office, _ in ordered:  # (two spellings of one slug: the second numbered)
        anchor = office_anchor(office)
        anchors.append(anchor if anchor not in anchors else f"{anchor}-{len(anchors) + 1}")
    return [(office, anchor, sorted(terms, key=lambda t: (t.start or dt.date.min, t.holder)))
            for (office, terms), anchor in zip(ordered, anchors, strict=True)]


def office_anchor(office: str) -> str:
    """Where an office's terms are on the office holders page: a note links there."""
    return f"office-{slug(office, 60, 'office')}"


def header(story: Story) -> Story:
    """The story as its event pages and timeline pages show it: without its events (each
    page is given the events it shows). A page's context is what the page cache digests,
    so an edit to one event no longer renders every page of its story again."""
    return replace(story, events=(), shared=())


def _event_pages(story: Story) -> list[Page]:
    links = neighbours(story.events)
    shown = header(story)
    return [Page(f"events/{e.id}/index.html", "event.html",
                 {"event": e, "story": shown, "previous": links[e.id][0],
                  "next": links[e.id][1]}) for e in story.events]


class SourceRecord(NamedTuple):
    """What a source page says of the outlet over all its events: how many reports, how
    many of them say whose reports they are based on (and whose), on how many points
    of fact they give a value other than the one preferred (in how many events), and how
    many corrections it published to them (as the front matter records them)."""

    reports: int
    derived: int
    based_on: tuple[str, ...]
    contradicted: int
    contradicted_events: int
    corrections: int = 0
    disputed: int = 0  # points of fact on which other reports disagree with its reports
    disputed_events: int = 0
    upheld: int = 0  # of those, where its value is the one preferred

    @property
    def disagreements(self) -> str:
        """The record's sentence on the points of fact other reports dispute with it."""
        if not self.disputed:
            return "No other report disagrees with it on a point of fact."
        said = f"Other reports disagree with it on {counted(self.disputed, 'point')} of " \
               f"fact, in {counted(self.disputed_events, 'event')}"
        parts = [(self.upheld, "its value is the one preferred"),
                 (self.contradicted, "another value is preferred"),
                 (max(0, self.disputed - self.upheld - self.contradicted),
                  "no value is preferred")]  # (two reports of one outlet can be on both sides)
        shown = [(n, text) for n, text in parts if n]
        if len(shown) == 1:
            text = shown[0][1]
            if text == "no value is preferred" and self.disputed > 1:
                return f"{said}; no value is preferred on any of them."
            return f"{said}; {text} on {'it' if self.disputed == 1 else 'all of them'}."
        return f"{said}: " + ", ".join(f"{text} on {n}" for n, text in shown) + "."


def source_record(key: str, events: Sequence[Event]) -> SourceRecord:
    """The record of the outlet whose page is `key` (every spelling that slugs to it).
    What its reports are based on is read from their front matter only: looking in
    every text for a closing "based on reports from" line would unpack every article on
    every build (0.35 s at 10k)."""
    own = [a for e in events for a in e.articles if source_slug(a.outlet) == key]
    names = tuple(dict.fromkeys(a.outlet for a in own))
    based_on = dict.fromkeys(name for a in own for name in a.based_on)
    points = [e.contradicted(*names) for e in events]
    disputes = [e.disputed_with(*names) for e in events]
    return SourceRecord(len(own), sum(1 for a in own if a.based_on), tuple(based_on),
                        sum(points), sum(1 for n in points if n),
                        sum(len(a.corrections) for a in own),
                        sum(d for d, _ in disputes), sum(1 for d, _ in disputes if d),
                        sum(u for _, u in disputes))


def _listing_pages(kind: str, template: str, table: dict[str, tuple[str, list[Event]]],
                   newest_first: bool, titles: dict[str, str],
                   sort_key: Callable[[Event], tuple] = event_sort_key) -> list[Page]:
    """One timeline per outlet or tag, and the index of them (sources/, tags/)."""
    pages: list[Page] = []
    for key, (name, listed) in table.items():
        about = {"record": source_record(key, listed)} if kind == "sources" else {}
        pages += archive_pages(f"{kind}/{key}/", template, listed, newest_first, titles,
                               {"name": name, "key": key, **about}, sort_key)
    if table or kind == "sources":
        entries = [(k, n, len(listed)) for k, (n, listed) in table.items()]
        pages.append(Page(f"{kind}/index.html", f"{kind}.html", {kind: entries}))
    return pages


def archive_pages(prefix: str, template: str, events: Sequence[Event], newest_first: bool,
                  titles: dict[str, str], context: dict[str, Any],
                  sort_key: Callable[[Event], tuple] = event_sort_key) -> list[Page]:
    """A timeline as one page, or one page per year when it is long (see `split_pages`)."""
    ordered = sorted(events, key=sort_key, reverse=newest_first)
    latest = max(ordered, key=sort_key) if ordered else None
    base = {**context, "count": len(ordered), "titles": titles,
            "filters": filter_options(ordered, titles, by_story="story" not in context)}
    parts = split_pages(prefix, ordered, lambda e: e.date.year or UNDATED)
    anchor = next((f"{path}#e-{latest.id}" for path, part, _ in parts[1:] or parts
                   if latest and any(e.id == latest.id for e in part)), "")
    if newest_first or len(ordered) < 2:
        anchor = ""  # (the latest is already the first thing on the page)
    return [Page(path, template, {**base, "groups": group_by_date(part, newest_first, sort_key),
                                  "archive": archive, "latest": anchor})
            for path, part, archive in parts]


def split_pages(prefix: str, ordered: Sequence[Any],
                year_of: Callable[[Any], int]) -> list[tuple[str, list, dict | None]]:
    """(path, items, archive navigation) of each page of a list: the one pagination of
    the site, shared by the timelines and the corrections page.

    Up to SPLIT_OVER items stay on `<prefix>index.html` (navigation None). Past it every
    year gets `years/<YYYY>/` (numbered `page/<n>/` past PAGE_SIZE) and `<prefix>index.html`
    repeats the newest year's first page, so no page grows with the size of the archive.
    `ordered` must keep each year's items together (sorted by date, either way).
    """
    if len(ordered) <= SPLIT_OVER:
        return [(f"{prefix}index.html", list(ordered), None)]
    chunks = _year_chunks(prefix, ordered, year_of)
    years = tuple(dict.fromkeys((year, path) for year, n, path, _ in chunks if n == 1))
    paths = [None, *(path for _, _, path, _ in chunks), None]
    parts = []
    for index, (year, number, path, part) in enumerate(chunks, 1):
        archive = {"years": years, "year": year, "number": number,
                   "pages": [(n, p) for y, n, p, _ in chunks if y == year],
                   "previous": paths[index - 1], "next": paths[index + 1]}
        parts.append((path, part, archive))
    newest_year = max(year for year, _ in years)
    home = next(p for p in parts if p[2]["year"] == newest_year)
    return [(f"{prefix}index.html", *home[1:]), *parts]


def _year_chunks(prefix: str, ordered: Sequence[Any],
                 year_of: Callable[[Any], int]) -> list[tuple[int, int, str, list]]:
    """(year, page number, path, items) for each page of a split list."""
    chunks = []
    for year, in_year in groupby(ordered, key=year_of):
        listed = list(in_year)
        folder = f"{prefix}years/{year or 'undated'}/"
        for number, start in enumerate(range(0, len(listed), PAGE_SIZE), 1):
            path = folder + (f"page/{number}/" if number > 1 else "") + "index.html"
            chunks.append((year, number, path, listed[start:start + PAGE_SIZE]))
    return chunks


def filter_options(events: Sequence[Event], titles: dict[str, str], by_story: bool = True
                   ) -> dict[str, list]:
    """The outlets and stories on a timeline, for the script that filters it; none for a
    timeline of one event, which there is nothing to filter on. A story's own page has no
    story filter (`by_story`): its timeline is that story's, events it shares included."""
    if len(events) < 2:
        return {"outlets": [], "stories": []}
    outlets = {source_slug(o): o for e in events for o in e.outlets}
    stories = {s: titles.get(s, s) for e in events for s in e.stories if s} if by_story \
        else {}  # (not the default story: its option's value, "", would mean every story)
    return {"outlets": sorted(outlets.items(), key=lambda kv: kv[1].lower()),
            "stories": sorted(stories.items(), key=lambda kv: kv[1].lower())}


def tag_slug(tag: str) -> str:
    return slug(tag, 50, "tag")


def by_tag(events: Iterable[Event]) -> dict[str, tuple[str, list[Event]]]:
    """Tag slug -> (tag as first written, the events with an article carrying it)."""
    table: dict[str, tuple[str, list[Event]]] = {}
    for event in events:
        named = {tag_slug(t): t for a in reversed(event.articles) for t in reversed(a.tags)}
        for key, tag in named.items():
            table.setdefault(key, (tag, []))[1].append(event)
    return dict(sorted(table.items()))


def corrections_pages(events: Sequence[Event], register: bool = False) -> list[Page]:
    """The corrections page, split by year and numbered like a long timeline, so it does
    not grow with the archive: each author note once (under its own date, else its
    event's) and each event whose sources disagree once (under the event's date).
    `register`: the site has an office holders page, which the page points to."""
    entries = correction_entries(events)
    authored = sum(1 for _, note, _ in entries if note is not None)
    totals = {"corrections": authored, "disputed": len(entries) - authored}
    parts = split_pages("corrections/", entries, lambda entry: entry[0])
    return [Page(path, "corrections.html",
                 {"corrections": [(note, event) for _, note, event in part if note is not None],
                  "disputed": [event for _, note, event in part if note is None],
                  "archive": archive, "totals": totals, "register": register})
            for path, part, archive in parts]


def correction_entries(events: Sequence[Event]) -> list[tuple[int, Note | None, Event]]:
    """(year, author note or None for a disputed event, event), newest first: one list,
    so that the two sections of a corrections page cover the same span of dates."""
    def when(note: Note | None, event: Event) -> tuple:
        day = (note.date if note is not None else None) or event.date.to_date()
        return (day.toordinal() if day else UNDATED, event_sort_key(event))

    author = [(n, e) for e in events for n in e.notes if n.kind == "author"]
    disputed = [(None, e) for e in events
                if any(n.kind not in ("author", "place") for n in e.notes)]
    keyed = sorted(((when(n, e), n, e) for n, e in author + disputed), key=lambda k: k[0],
                   reverse=True)  # stable: ties keep the events' and notes' own order
    return [(_year(key[0]), note, event) for key, note, event in keyed]


def _year(ordinal: int) -> int:
    """The year a corrections entry is filed under: the year of the day it is sorted by."""
    return dt.date.fromordinal(ordinal).year if ordinal != UNDATED else UNDATED


def dispute_phrases(event: Event) -> list[str]:
    """How the corrections page and the feeds sum up where an event's sources differ:
    which outlets are contradicted, on how many points, and how many quotations are
    worded differently, apart from the facts ("Translated wire digest contradicted on 3
    points", "5 quotations worded differently"). Who is wrong, not only on what."""
    counts = [(outlet, event.contradicted(outlet)) for outlet in event.outlets]
    ranked = sorted((c for c in counts if c[1]), key=lambda c: -c[1])  # (ties: report order)
    phrases = [f"{outlet} contradicted on {counted(points, 'point')}" for outlet, points in ranked]
    if event.reworded_quotes:
        phrases.append(f"{counted(len(event.reworded_quotes), 'quotation')} worded differently")
    return phrases


def disputed_points(event: Event) -> list[str]:
    """Each point of fact the sources disagree on, with what each says and who says it,
    and the value preferred ("NATO Secretary General: Mark Rutte (Reuters) or Jens
    Stoltenberg (Translated wire digest); preferred: Mark Rutte"): the corrections page,
    the feeds and the TimelineJS export say who said what, not only on what (a
    fact-checker scanning them had to open every event to learn it)."""
    points = []
    for note in event.fact_notes:
        if note.kind == "author":
            continue
        said = " or ".join(f"{v.value} ({', '.join(v.sources)})" for v in note.values)
        label = point_label(note)
        point = f"{label}: {said}" if said else label
        if note.kind == "register" and note.preferred:  # (what the list itself holds)
            point += f"; {REGISTER_NAMED} has {note.preferred}"
        elif note.preferred:  # (said apart: "(Reuters, preferred)" read as Reuters preferred)
            point += f"; preferred: {note.preferred}"
        points.append(point)
    return points


def point_label(note: Note) -> str:
    """What a note of the sources' disagreement is about, as a label: "Number of troops",
    "NATO Secretary General". Fields are written in the text's case ("troops"), which
    read as a slip in a heading."""
    label = note.field or note.kind
    if note.kind == "figure" and note.field:
        label = f"number of {note.field}"
    return label[:1].upper() + label[1:]


def note_kinds(facts: Sequence[Note]) -> tuple[int, int, int]:
    """(corrections an outlet published, points the reports disagree on, reports checked
    against the site's list of office holders): three things a reader must not confuse."""
    fixed = sum(1 for n in facts if n.kind == "author")
    checked = sum(1 for n in facts if n.kind == "register")
    return fixed, len(facts) - fixed - checked, checked


def fact_count(facts: Sequence[Note]) -> str:
    """"1 correction", "3 disagreements", "1 correction, 1 check against the list of
    office holders": what a badge and an event page's summary line say of its notes."""
    fixed, disputed, checked = note_kinds(facts)
    parts = [counted(fixed, "correction") if fixed else "",
             counted(disputed, "disagreement") if disputed else "",
             f"{counted(checked, 'check')} against the list of office holders" if checked
             else ""]
    return ", ".join(p for p in parts if p)


def notes_heading(facts: Sequence[Note]) -> str:
    """The event page's heading over its notes, for what they hold."""
    fixed, disputed, checked = note_kinds(facts)
    if fixed and not disputed and not checked:
        return "Corrections"
    if disputed and not fixed and not checked:
        return "Where the sources disagree"
    if checked and not fixed and not disputed:
        return "Checked against the list of office holders"
    return "Corrections and disagreements"


def counted(number: int, noun: str) -> str:
    """"1 event", "2 events": the nouns the summaries count take a plain s."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
