"""site/events.json: the stable, machine-readable export (contract in DESIGN.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .models import Article, Event, Note
from .timeline import event_sort_key

FORMAT_VERSION = 1


def generator_name() -> str:
    try:
        return f"dateline {version('dateline')}"
    except PackageNotFoundError:
        return "dateline"


Line = Callable[[Event], str]
# memo(line, context): `line` with its results kept between builds; `line` reads only the
# event and what `context` spells out (cache.BuildCache.lines).
Memo = Callable[[Line, str], Line]


def events_json(events: Iterable[Event], memo: Memo | None = None) -> Iterator[bytes]:
    """Events sorted by date then id; every article file appears in exactly one event."""
    head = {"version": FORMAT_VERSION, "generated_by": generator_name()}
    line = memo(event_line, "") if memo else event_line
    return lines_document(head, "events", map(line, sorted(events, key=_contract_order)))


def event_line(event: Event) -> str:
    return json_text(event_record(event))


def lines_document(head: dict[str, Any], key: str, lines: Iterable[str]) -> Iterator[bytes]:
    """`head` plus `key: [lines]`, one JSON text per line: compact (json's C encoder;
    indenting falls back to its pure-Python one), yet a rebuild's diff still shows which
    changed. Made a block of lines at a time for the writer: joined whole, a 100k
    archive's events.json (76 MB) took several copies of itself in memory, the largest
    thing a rebuild held."""
    opening = json_text({**head, key: []})[:-3]  # up to and including '"key": '
    block, count = [opening], 0
    for line in lines:
        block.append(",\n" if count else "[\n")
        block.append(line)
        count += 1
        if len(block) >= LINES_AT_ONCE:
            yield "".join(block).encode()
            block = []
    block.append("\n]}\n" if count else "[]}\n")
    yield "".join(block).encode()


LINES_AT_ONCE = 8_192  # (two list entries a line)


# "<", ">" and "&" only ever occur inside JSON strings, so escaping them everywhere is
# lossless; it keeps the text inert if a careless consumer pastes it into HTML.
ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def json_text(data: Any, **options: Any) -> str:
    """JSON that reads back identically and is safe verbatim inside HTML or <script>."""
    text = json.dumps(data, ensure_ascii=False, **options)
    for raw, escaped in ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


def _contract_order(event: Event) -> tuple:
    return (event_sort_key(event)[0], event.id)


def event_record(event: Event) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": event.id,
        "date": event.date.iso(),
        "title": event.title,
        "story": event.story,
        "url": f"events/{event.id}/",
        "first_reported_by": event.first_reported_by,
        "articles": [article_record(a) for a in event.articles],
        "corrections": [note_record(n) for n in event.notes],
    }
    if len(event.first_outlets) > 1:  # (the dates given cannot tell which came first)
        record["first_reported_together"] = list(event.first_outlets)
    if event.summary:
        record["summary"] = event.summary
    record["coverage"] = {"articles": len(event.articles), "outlets": len(event.outlets)}
    if event.merge and len(event.articles) > 1:
        record["merge"] = {k: v for k, v in asdict(event.merge).items() if v not in ((), None)}
    return record


def article_record(article: Article) -> dict[str, Any]:
    record: dict[str, Any] = {
        "file": article.path,
        "title": article.title,
        "source": article.outlet,
        "url": article.url,
        "published": article.published_date.isoformat() if article.published else None,
    }
    if article.updated:
        record["updated"] = article.updated.isoformat()
    if article.based_on:
        record["based_on"] = list(article.based_on)
    return record


def note_record(note: Note) -> dict[str, Any]:
    record: dict[str, Any] = {"kind": note.kind, "text": note.text,
                              "sources": list(note.sources)}
    if note.field:
        record["field"] = note.field
    if note.values:
        record["values"] = [{"value": v.value, "sources": list(v.sources)} for v in note.values]
    if note.preferred:
        record["preferred"] = note.preferred
    if note.why:
        record["why"] = note.why
    if note.date:
        record["date"] = note.date.isoformat()
    return record
