"""Atom feeds: one for the site, one per story. Times come from content, never the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from jinja2 import Environment
from markupsafe import Markup

from .config import Config
from .models import Event, Site
from .slugs import slug
from .timeline import dispute_phrases, disputed_points, event_sort_key

FEED_ENTRIES = 50


def updated(event: Event, zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    """When the event's record last changed: its newest report, update or correction. A
    day without a time (the event's, a correction's) starts at midnight in the site's
    zone, as a date-only report's publication does (parse.py)."""
    moments = []
    day = event.date.to_date()
    if day:
        moments.append(dt.datetime.combine(day, dt.time(), zone))
    for article in event.articles:
        moments += [m for m in (article.published, article.updated) if m]
        moments += [dt.datetime.combine(c.date, dt.time(), zone)
                    for c in article.corrections if c.date]
    # (an event dated by nothing at all still needs a moment: a fixed one, not the clock)
    return max(moments, default=UNDATED).astimezone(dt.UTC)  # (the feed writes it with a Z)


UNDATED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def feed_pages(env: Environment, site: Site, config: Config) -> list[tuple[str, bytes]]:
    """(path, bytes) for feed.xml and stories/<slug>/feed.xml."""
    feeds = [("feed.xml", config.title, site.events, "index.html")]
    feeds += [(f"stories/{s.slug}/feed.xml", s.title, s.listed, f"stories/{s.slug}/index.html")
              for s in site.stories if s.slug]
    return [(path, _render(env, path, title, events, page, config))
            for path, title, events, page in feeds]


def entry_html(event: Event) -> Markup:
    """An entry's content: the summary, then each correction an outlet published and what
    the sources disagree about, so that a reader who follows the feed sees a correction
    as well as the entry's new `updated` time."""
    parts = [Markup("<p>{}</p>").format(event.summary or event.title)]
    for note in (n for n in event.notes if n.kind == "author"):
        by = f" by {', '.join(note.sources)}" if note.sources else ""
        when = f", {note.date.isoformat()}" if note.date else ""
        parts.append(Markup("<p><strong>Correction{}{}:</strong> {}</p>")
                     .format(by, when, note.text))
    if points := disputed_points(event):
        parts.append(Markup("<p>Sources disagree on:</p><ul>{}</ul>").format(
            Markup("").join(Markup("<li>{}</li>").format(point) for point in points)))
    if phrases := dispute_phrases(event):
        parts.append(Markup("<p>{}.</p>").format(_sentence("; ".join(phrases))))
    return Markup("").join(parts)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def local_ids(config: Config) -> str:
    """Where no base_url says where the site lives, ids are still this site's own (named
    after its title), so a feed reader following two such sites keeps their entries apart."""
    return f"urn:dateline:{slug(config.title, fallback='site')}:"


def _render(env: Environment, path: str, title: str, events: Sequence[Event], page: str,
            config: Config) -> bytes:
    newest = sorted(events, key=event_sort_key, reverse=True)[:FEED_ENTRIES]
    # (the content as a plain string: the template escapes it once, as type="html" wants)
    entries = [(e, updated(e, config.zone), str(entry_html(e))) for e in newest]
    stamp = max((u for _, u, _ in entries), default=UNDATED)
    base = config.base_url.rstrip("/") + "/" if config.base_url else ""
    xml = env.get_template("feed.xml").render(
        feed_path=path, feed_page=page, feed_title=title, entries=entries, feed_updated=stamp,
        base=base,
        links=base or "../" * path.count("/"), ids=base or local_ids(config))
    return xml.encode("utf-8")
