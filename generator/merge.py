"""Articles -> Events: cluster duplicate reports, then give each event its record.

The clustering model lives in cluster.py; this module turns its groups into events
with a date, a title, a summary, a first reporter and a stable id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from . import dates
from .attribution import derivation_depths
from .cluster import MergeSettings, cluster_articles
from .errors import ContentError, warning
from .evidence import EvidenceByPath
from .models import Article, Event, MergeReason, PartialDate, report_moment
from .rescore import ScoreMemo
from .slugs import slug

CREDIBLE_SPREAD_DAYS = 3
SUMMARY_CHARACTERS = 280


def merge(articles: Sequence[Article], settings: MergeSettings | None = None,
          known: EvidenceByPath | None = None, memo: ScoreMemo | None = None,
          ) -> tuple[list[Event], list[ContentError]]:
    """Groups articles into events; every article lands in exactly one event. `known`:
    each article's merge evidence, by path, when the parse stage already read it (its
    entries are taken out as they are weighed); `memo`: what the previous merge left (its
    rows, pair scores and assembled events: rescore.py, rowcache.py)."""
    ordered = sorted(articles, key=lambda a: a.path)
    groups, problems = cluster_articles(ordered, settings or MergeSettings(), known, memo)
    previous = _assembled(memo)
    made: dict[tuple[str, ...], tuple] = {}  # (ScoreState.assembled)
    events = []
    for indices, reason in groups:
        members = [ordered[i] for i in indices]
        paths = tuple(a.path for a in members)
        tokens = tuple(memo.tokens[p] for p in paths) if memo else ()
        kept = _unchanged(previous.get(paths), tokens)
        if kept:
            event, trouble = _reassemble(members, reason, *kept[:2]), list(kept[2])
        else:
            event, trouble = assemble(members, reason)
        if memo:  # (an unchanged event's entry stands as it was: nothing to strip again)
            made[paths] = previous[paths] if kept else \
                (tokens, replace(event, articles=(), merge=None), tuple(trouble),
                 tuple(a.path for a in event.articles))
        problems.extend(trouble)
        events.append(event)
    if memo and memo.current:
        memo.current = replace(memo.current, assembled=made)
    events, clashes = _unique_ids(events)
    return events, problems + clashes


def assemble(members: Sequence[Article], reason: MergeReason | None) -> tuple[Event, list]:
    """One event from the articles that report it."""
    members = _resolve_years(members)
    reason = _with_spread(reason, members)
    date, problems = _event_date(members)
    ordered = reported_order(members)
    story = _story(ordered)
    # (the headline from its own story: one filed in another story reads as that story's)
    ranked = sorted(members, key=lambda a: (a.story != story, *_title_rank(a)))
    title = ranked[0].title
    key = next((a.event_key for a in ordered if a.event_key), None)
    problems += [_key_overruled(a, key) for a in ordered if a.event_key not in (None, key)]
    ident = slug(key) if key else f"{date.iso()}-{slug(title, 50, 'event')}"
    return Event(
        id=ident, date=date, title=title, story=story,
        articles=ordered, summary=_summary(ranked), merge=reason,
    ), problems


def _key_overruled(article: Article, key: str) -> ContentError:
    """Reports with different `event:` keys that the model judged one event: the first
    reported's key names it, and the author should hear that theirs does not."""
    return warning(article.path, None, f"event: {article.event_key!r} was merged with "
                   f"reports of the event {key!r}, whose key names it",
                   f"give them the same event: key, or add 'separate: {key}' to keep it apart")


def _assembled(memo: ScoreMemo | None) -> dict:
    """The previous merge's events by members, when its state is whole and in use."""
    found = getattr(memo.previous, "assembled", None) if memo and memo.current else None
    return found if isinstance(found, dict) else {}


def _unchanged(entry: object, tokens: tuple[str, ...]
               ) -> tuple[Event, tuple[str, ...], tuple] | None:
    """(event, its reports' paths in reported order, problems) the last build made from
    these members, if none of them changed since (and the entry is one the merge wrote)."""
    if isinstance(entry, tuple) and len(entry) == 4 and entry[0] == tokens \
            and isinstance(entry[1], Event) and isinstance(entry[2], tuple) \
            and isinstance(entry[3], tuple) and len(entry[3]) == len(tokens):
        return entry[1], entry[3], entry[2]
    return None


def _reassemble(members: Sequence[Article], reason: MergeReason | None, made: Event,
                order: tuple[str, ...]) -> Event:
    """`assemble` for a group whose articles (as the merge sees them) are all unchanged
    since the last build made `made` from them: its date, title, summary and id stand
    (and the warnings about its dates), and so does the order of its reports (`order`,
    by path: the views decide it, and working it out again read every report's dates);
    only the articles themselves are this build's."""
    if any(a.event_date is not None and a.event_date.year is None for a in members):
        members = _resolve_years(members)
    by_path = {a.path: a for a in members}
    return replace(made, articles=tuple(by_path[p] for p in order),
                   merge=_with_spread(reason, members))


def _with_spread(reason: MergeReason | None, members: Sequence[Article]) -> MergeReason | None:
    """The reason's date spread over the members' event dates as resolved here ("Nov 13"
    given the year of the others): the clustering measures only dates with a year, so an
    event whose yearless wire report was a day off was "all dated the same day"."""
    if reason is None:
        return None
    days = [date.toordinal() for a in members if a.event_date is not None
            and a.event_date.precision == "day" and (date := a.event_date.to_date())]
    spread = max(days) - min(days) if days else 0
    return reason if spread == reason.date_spread_days else replace(reason, date_spread_days=spread)


def _resolve_years(members: Sequence[Article]) -> list[Article]:
    """"On November 13" with no year takes the year of the other reports of the event."""
    anchors = [a.event_date.to_date() for a in members if a.event_date and a.event_date.year]
    anchors += [a.published_date for a in members if a.published_date]
    if not anchors:
        return list(members)
    anchor = sorted(anchors)[len(anchors) // 2]
    resolved = []
    for article in members:
        if article.event_date and article.event_date.year is None:
            fixed = dates.resolve_year(article.event_date, anchor)
            article = _replace_event_date(article, fixed)
        resolved.append(article)
    return resolved


def _replace_event_date(article: Article, date: PartialDate) -> Article:
    return replace(article, event_date=date)


def _event_date(members: Sequence[Article]) -> tuple[PartialDate, list[ContentError]]:
    """The earliest credible date of the event, with a warning for each report whose date
    is far from what most reports say (a likely misdated or misfiled article)."""
    known = [a for a in members if a.event_date and a.event_date.year]
    if not known:
        undated = members[0]
        return (undated.event_date or PartialDate(None), [ContentError(
            undated.path, None, "the year of this event cannot be worked out",
            "give the day it was published: 'date: 2024-11-13' in the front matter, or a "
            "first line 'date 2024-11-13' in a clipping without front matter")])
    by_day = [a for a in known if a.event_date.precision == "day"]
    if not by_day:
        return min(a.event_date for a in known), []
    days = sorted(a.event_date.to_date().toordinal() for a in by_day)
    anchor = max(days, key=lambda d: (sum(abs(d - o) <= CREDIBLE_SPREAD_DAYS for o in days), -d))
    credible = [d for d in days if abs(d - anchor) <= CREDIBLE_SPREAD_DAYS]
    date = PartialDate.of(dt.date.fromordinal(min(credible)))
    far = [abs(a.event_date.to_date().toordinal() - anchor) > CREDIBLE_SPREAD_DAYS
           for a in by_day]
    near = [a for a, out in zip(by_day, far, strict=True) if not out]
    return date, [_far_from_others(a, date, near)
                  for a, out in zip(by_day, far, strict=True) if out]


def _far_from_others(article: Article, date: PartialDate, near: Sequence[Article]
                     ) -> ContentError:
    """A report dated far from most of its event's: named with those reports, so that
    the hint can be followed as written."""
    gap = abs((article.event_date.to_date() - date.to_date()).days)
    others = sorted(a.path for a in near)
    named = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
    hint = "check the date; its event: key keeps it in this event" if article.event_key \
        else f"check the date, or keep it apart with 'separate: [{named}]'"
    return warning(article.path, None,
                   f"dated {article.event_date.iso()}, {gap} days from the other reports of "
                   f"this event ({date.iso()}: {named})", hint)


def _title_rank(article: Article) -> tuple:
    """The most informative title: an author's headline, from an original report, first."""
    return (article.title_inferred, article.title.endswith("…"), bool(article.based_on),
            _reported_order(article))


def reported_order(members: Sequence[Article]) -> tuple[Article, ...]:
    """The event's reports, earliest first; where the dates tie, an original before the
    reports based on it (attribution.derivation_depths, asked of tied reports only, as
    it may read their whole texts)."""
    keys = [_reported_order(a) for a in members]
    ties: dict[tuple, list[int]] = {}
    for index, key in enumerate(keys):
        ties.setdefault(key[:3], []).append(index)
    for tied in ties.values():
        if len(tied) > 1:
            depths = derivation_depths([members[k] for k in tied])
            for k, depth in zip(tied, depths, strict=True):
                keys[k] = _reported_order(members[k], depth)
    return tuple(members[k] for k in sorted(range(len(members)), key=keys.__getitem__))


def _reported_order(article: Article, depth: int = 0) -> tuple:
    """Earliest first (models.report_moment); `depth`: how many reports of the event,
    tied with it, it is based on in a chain (0: none)."""
    return (*report_moment(article), depth, article.path)


def _story(ordered: Sequence[Article]) -> str:
    """The story most of the reports (`ordered`: earliest first) were filed in; on a tie,
    the earliest report's (a later report filed elsewhere must not move the event, its
    headline and its id)."""
    counts = Counter(a.story for a in ordered)  # (in order of each story's first report)
    return max(counts, key=counts.__getitem__)


def _summary(ranked: Sequence[Article]) -> str:
    """The author's summary, or the lead paragraph of the best report, cut at a sentence."""
    for article in ranked:
        if article.summary:
            return article.summary
    for article in ranked:
        for paragraph in article.text.split("\n\n"):
            words = paragraph.split()
            if len(words) >= 12 and not _looks_like_caption(words):
                return _shorten(dates.LEADING_DATELINE.sub("", " ".join(words), count=1))
    return ""


def _looks_like_caption(words: list[str]) -> bool:
    return len(words[-1]) >= 2 and words[-1].strip(".").isupper()


def _shorten(text: str) -> str:
    if len(text) <= SUMMARY_CHARACTERS:
        return text
    sentences = re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"”]))\s+", text)
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len(kept) + len(sentence) + 1 > SUMMARY_CHARACTERS:
            break
        kept += " " + sentence
    if len(kept) > SUMMARY_CHARACTERS:
        kept = kept[:SUMMARY_CHARACTERS].rsplit(" ", 1)[0] + "…"
    return kept


def _unique_ids(events: list[Event]) -> tuple[list[Event], list[ContentError]]:
    """Where events share an id (same day, same headline, kept apart), an event pinned to
    it by an `event:` key keeps it, else the first reported; each other one adds a few
    characters of its first article's path digest: a mark of its own, so that adding a
    third such event renames neither (a count in path order, -2, -3, renamed an event
    when a new path sorted before it). Two keys that give one id ("Storm Key",
    "storm-key") are a warning: only one of them can pin it."""
    by_id: dict[str, list[Event]] = {}
    for event in events:
        by_id.setdefault(event.id, []).append(event)
    renamed: dict[int, str] = {}
    problems: list[ContentError] = []
    taken = set(by_id)
    for ident, alike in by_id.items():
        if len(alike) > 1:
            ranked = sorted(alike, key=lambda e: (_pin(e) is None, _reported_order(e.articles[0])))
            for event in ranked[1:]:
                renamed[id(event)] = f"{ident}-{_mark(event, taken)}"
                taken.add(renamed[id(event)])
                if _pin(event) is not None:
                    problems.append(_pin_taken(_pin(event), ranked[0], renamed[id(event)]))
                elif _pin(ranked[0]) is not None:
                    problems.append(_pin_takes(_pin(ranked[0]), event, renamed[id(event)]))
    return [replace(e, id=renamed[id(e)]) if id(e) in renamed else e for e in events], problems


def _pin(event: Event) -> Article | None:
    """The article whose `event:` key gave the event its id, if one did."""
    return next((a for a in event.articles if a.event_key and slug(a.event_key) == event.id),
                None)


def _pin_takes(article: Article, moved: Event, given: str) -> ContentError:
    return warning(article.path, None, f"event: {article.event_key!r} takes the id "
                   f"{moved.id!r} from the event of {moved.articles[0].path}, whose id "
                   f"becomes {given!r}", "pick another key if that event's address must "
                   "not move")


def _pin_taken(article: Article, holder: Event, given: str) -> ContentError:
    pinned = _pin(holder)
    other = f"event: {pinned.event_key!r} ({pinned.path})" if pinned else "another event"
    return warning(article.path, None, f"event: {article.event_key!r} gives the id "
                   f"{holder.id!r}, which {other} already has: this event's id is {given!r}",
                   "give the two events keys that differ in more than case or punctuation")


def _mark(event: Event, taken: set[str]) -> str:
    """Six hex digits of the digest of the event's first reported article's path (more
    when that would make an id another event already has)."""
    digest = hashlib.sha256(event.articles[0].path.encode("utf-8", "surrogatepass")).hexdigest()
    size = 6
    while f"{event.id}-{digest[:size]}" in taken and size < len(digest):
        size += 2
    return digest[:size]
