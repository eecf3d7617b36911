"""site/timelinejs.json: the timeline in Knight Lab TimelineJS's JSON format.

Opened as is by TimelineJS (https://timeline.knightlab.com/docs/json-format.html): a
`title` slide and `events[]` with `start_date {year, month, day}`, `text {headline,
text}`, `group` (the story) and `unique_id` (the event id). TimelineJS renders headline
and text as HTML, so every value from content is escaped here.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from typing import Any

from .config import Config
from .export import Memo, json_text, lines_document
from .models import Event, Site
from .timeline import counted, dispute_phrases, disputed_points, event_sort_key


def timelinejs_json(site: Site, config: Config, memo: Memo | None = None
                    ) -> Iterator[bytes]:
    """Every event with a known year (TimelineJS needs one), oldest first. Events of the
    default story have no group (its title, "Latest", named a row of its own)."""
    titles = {s.slug: s.title for s in site.stories if s.slug}
    events = [e for e in sorted(site.events, key=event_sort_key) if e.date.year is not None]
    head = {"title": {"text": {"headline": escape(config.title),
                               "text": escape(config.description)}}}

    def line(event: Event) -> str:
        return json_text(timelinejs_event(event, titles.get(event.story, ""), config))

    if memo:
        line = memo(line, repr((sorted(titles.items()), config)))
    return lines_document(head, "events", map(line, events))


def timelinejs_event(event: Event, group: str, config: Config) -> dict[str, Any]:
    date = {"year": str(event.date.year)}
    if event.date.month is not None:
        date["month"] = str(event.date.month)
        if event.date.day is not None:
            date["day"] = str(event.date.day)
    record: dict[str, Any] = {
        "start_date": date,
        "text": {"headline": escape(event.title), "text": _text(event, config)},
        "unique_id": event.id,
    }
    if group:
        record["group"] = escape(group)
    return record


def _text(event: Event, config: Config) -> str:
    """The summary, who reported it, what was corrected and where the reports differ (as
    the corrections page says it), and a link to the event page."""
    href = f"{config.base_url.rstrip('/')}/" if config.base_url else ""
    parts = [f"<p>{escape(event.summary)}</p>"] if event.summary else []
    corrected = sum(1 for n in event.notes if n.kind == "author")
    said = [f"{counted(corrected, 'correction')} published"] if corrected else []
    if points := disputed_points(event):
        said.append(f"the sources disagree on {'; '.join(points)}")
    said += dispute_phrases(event)
    parts.append(f"<p>Reported by {escape(', '.join(event.outlets))}"
                 f"{''.join(f'; {escape(p)}' for p in said)}.</p>")
    parts.append(f'<p><a href="{escape(href)}events/{escape(event.id)}/index.html">'
                 "Sources and corrections</a></p>")
    return "".join(parts)
