"""schema.org JSON-LD for event pages, so search engines see dates, sources and corrections.

The JSON sits inside a <script type="application/ld+json"> element: a data block the CSP
does not execute, but whose text ends at the first "</script". Every "<", ">" and "&" is
therefore written as a \\u escape, which JSON parsers read back unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from markupsafe import Markup

from .config import Config
from .export import json_text
from .feeds import updated
from .models import Article, Event, Note, Story


def event_jsonld(event: Event, story: Story, config: Config) -> dict[str, Any]:
    """A NewsArticle about an Event, with its sources and the outlets' corrections. The
    page is the site's compilation, so the site is its author; the outlets' reports are
    its citations, each under its publisher."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": _headline(event.title),
        "dateModified": _stamp(updated(event, config.zone), config),
        "about": {"@type": "Event", "name": event.title, "startDate": event.date.iso()},
        "author": _site(config),
        "citation": [_report(a, config) for a in event.articles],
        "isBasedOn": [a.url for a in event.articles if a.url],
    }
    published = [a.published for a in event.articles if a.published]
    if published:
        data["datePublished"] = _stamp(min(published), config)
    if event.summary:
        data["description"] = event.summary
    if story.slug:
        data["articleSection"] = story.title
    if config.base_url:
        data["url"] = f"{config.base_url.rstrip('/')}/events/{event.id}/"
    corrections = [_correction(n) for n in event.notes if n.kind == "author"]
    if corrections:
        data["correction"] = corrections
    return {k: v for k, v in data.items() if v != []}


def _site(config: Config) -> dict[str, Any]:
    site: dict[str, Any] = {"@type": "Organization", "name": config.title}
    if config.base_url:
        site["url"] = config.base_url
    return site


def _report(article: Article, config: Config) -> dict[str, Any]:
    report: dict[str, Any] = {"@type": "NewsArticle", "headline": _headline(article.title),
                              "publisher": {"@type": "Organization", "name": article.outlet}}
    if article.url:
        report["url"] = article.url
    if article.published:
        report["datePublished"] = _stamp(article.published, config)
    return report


def _correction(note: Note) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "CorrectionComment", "text": note.text}
    if note.date:
        item["datePublished"] = note.date.isoformat()
    return item


HEADLINE_MOST = 110  # characters: what Google's article data reads of a headline


def _headline(title: str) -> str:
    """The title, or its words that fit with an ellipsis ("...Extraordinaril" was cut
    mid-word)."""
    if len(title) <= HEADLINE_MOST:
        return title
    cut = title[:HEADLINE_MOST - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:-") + "…"


def _stamp(moment: dt.datetime, config: Config) -> str:
    """The moment in the site's zone, with its offset: a report dated 1 June in Berlin
    was written as "2024-05-31T22:00:00Z", which search engines show as 31 May. A date
    without a time (midnight: parse.py reads it so) is written as the date alone, which
    schema.org allows; a time where the zone's offset then had seconds, which ISO 8601
    offsets cannot say, in UTC."""
    local = moment.astimezone(config.zone)
    if local.time() == dt.time(0):  # (a date given without a time: no hour is invented)
        return local.date().isoformat()
    offset = local.utcoffset()
    if offset is None or offset.seconds % 60 or offset.microseconds:
        local = moment.astimezone(dt.UTC)  # (a zone's old local mean time, "+00:19:32")
    return local.isoformat(timespec="seconds").replace("+00:00", "Z")


def script_json(data: Any) -> Markup:
    """JSON that is safe verbatim inside a <script> element (no "</script", no "<!--")."""
    return Markup(json_text(data, separators=(",", ":")))
