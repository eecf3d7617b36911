"""Events -> stories -> the list of pages to render (ordering, grouping, prev/next).

Knows nothing of HTML: it decides which pages exist, at which paths, with which data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from .models import Event, Site, Story
from .slugs import slug

UNDATED = 0


@dataclass(frozen=True)
class StoryInfo:
    slug: str
    title: str
    description: str = ""


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
    for event in sorted(events, key=event_sort_key):
        by_story.setdefault(event.story, []).append(event)
    known = {info.slug: info for info in stories}
    result = []
    for story_slug in sorted(by_story, key=lambda s: (s != "", _title(known, s).lower(), s)):
        info = known.get(story_slug) or StoryInfo(story_slug, _title(known, story_slug))
        result.append(Story(story_slug, info.title, info.description,
                            tuple(by_story[story_slug])))
    return Site(tuple(result))


def _title(known: dict[str, StoryInfo], story_slug: str) -> str:
    if story_slug in known:
        return known[story_slug].title
    return story_slug.replace("-", " ").capitalize() if story_slug else "Latest"


def group_by_date(events: Sequence[Event], newest_first: bool) -> list[Group]:
    """Year -> month -> day groups, so the timeline can show sticky year/month headings."""
    ordered = sorted(events, key=event_sort_key, reverse=newest_first)
    years = []
    for year, in_year in groupby(ordered, key=lambda e: e.date.year or 0):
        months = []
        for month, in_month in groupby(list(in_year), key=lambda e: e.date.month or 0):
            days = [Group((year, month, day), tuple(items)) for day, items
                    in groupby(list(in_month), key=lambda e: e.date.day or 0)]
            months.append(Group((year, month), tuple(days)))
        years.append(Group((year,), tuple(months)))
    return years


def neighbours(events: Sequence[Event]) -> dict[str, tuple[Event | None, Event | None]]:
    """Previous and next event of each event within its story, in date order."""
    links: dict[str, tuple[Event | None, Event | None]] = {}
    for index, event in enumerate(events):
        before = events[index - 1] if index > 0 else None
        after = events[index + 1] if index + 1 < len(events) else None
        links[event.id] = (before, after)
    return links


def source_slug(outlet: str) -> str:
    return slug(outlet, 50, "source")


def by_source(events: Iterable[Event]) -> dict[str, tuple[str, list[Event]]]:
    """Outlet slug -> (outlet name, the events it reported), for the source pages."""
    table: dict[str, tuple[str, list[Event]]] = {}
    for event in events:
        for outlet in event.outlets:
            _, listed = table.setdefault(source_slug(outlet), (outlet, []))
            if event not in listed:
                listed.append(event)
    return dict(sorted(table.items()))


def plan_pages(site: Site, newest_first: bool) -> list[Page]:
    """Every HTML page of the site, in a fixed order."""
    events = sorted(site.events, key=event_sort_key)
    pages = [Page("index.html", "index.html",
                  {"groups": group_by_date(events, newest_first), "count": len(events)})]
    for story in site.stories:
        links = neighbours(story.events)
        if story.slug:
            pages.append(Page(f"stories/{story.slug}/index.html", "story.html",
                              {"story": story, "groups": group_by_date(story.events,
                                                                       newest_first)}))
        for event in story.events:
            before, after = links[event.id]
            pages.append(Page(f"events/{event.id}/index.html", "event.html",
                              {"event": event, "story": story, "previous": before,
                               "next": after}))
    if len([s for s in site.stories if s.slug]) > 1:
        pages.append(Page("stories/index.html", "stories.html", {"stories": site.stories}))
    sources = by_source(events)
    for key, (name, reported) in sources.items():
        pages.append(Page(f"sources/{key}/index.html", "source.html",
                          {"outlet": name, "events": sorted(reported, key=event_sort_key,
                                                            reverse=newest_first)}))
    pages.append(Page("sources/index.html", "sources.html",
                      {"sources": [(k, n, len(r)) for k, (n, r) in sources.items()]}))
    pages.append(Page("404.html", "404.html", {}))
    return pages


def today_for(events: Sequence[Event]) -> dt.date | None:
    """The newest event date: feeds and sitemaps use it instead of the build time."""
    days = [e.date.to_date() for e in events if e.date.to_date()]
    return max(days) if days else None
