"""build(config): the whole pipeline, one stage per line.

discover -> parse -> merge -> compare -> timeline -> render -> write. Content problems
from every stage are collected; if any is an error, nothing is written.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from . import dates, media
from .cache import FOLDER, BuildCache, Recall, code_version, dumps, value_token
from .compare import compare_event
from .config import Config, site_zone
from .discover import discover, misplaced_register
from .errors import BuildFailed, ContentError, Report, warning
from .evidence import Spilled, evidence, evidence_key
from .export import Memo, events_json
from .feeds import feed_pages
from .mergesettings import MergeSettings
from .models import Article, Event, Site
from .parallel import collector_paused, map_parts, release_memory
from .parse import implausible_dates, read_article, without_copies
from .register import load_register
from .render import (
    TemplateFailed,
    make_environment,
    static_files,
    template_errors,
    write_pages,
)
from .search import index_site
from .sitemap import robots_txt, sitemap_files
from .stories import read_stories
from .timeline import build_site, counted, plan_pages
from .timelinejs import timelinejs_json
from .write import SiteWriter, check_output, interrupts_discard

if TYPE_CHECKING:
    from .rescore import ScoreMemo

REGISTER_FILES = ("_register.yml", "_register.yaml")


@dataclass
class BuildResult:
    site: Site
    report: Report
    files_written: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    article_files: int = 0  # read (drafts included)

    @property
    def articles(self) -> int:
        return sum(len(e.articles) for e in self.site.events)

    @property
    def notes(self) -> int:
        return sum(len(e.notes) for e in self.site.events)

    def counts(self) -> str:
        """"10 articles, 8 events, 9 notes, 65 files": what `build` and `serve` report."""
        return ", ".join(counted(n, noun) for n, noun in (
            (self.articles, "article"), (len(self.site.events), "event"),
            (self.notes, "note"), (self.files_written, "file")))


@collector_paused()
def load(config: Config, report: Report, timings: dict[str, float],
         on_stage: Callable[[str], None] | None = None, cache: BuildCache | None = None) -> Site:
    """Everything up to the finished Site, without writing: what `check` runs."""
    clock = _Clock(timings, on_stage)
    cache = cache or BuildCache(config, enabled=False)
    found = discover(config.content, config.max_file_size)
    report.extend(found.problems)
    view_tokens: dict[str, str] = {}  # each article's merge view's digest, from its parse
    with Spilled(config.root) as known:  # (a merge-cache hit reads none of it)
        articles = clock("parse", _parse_all, found.articles, config, report, cache, known,
                         view_tokens)
        found = replace(found, articles=())  # (each file's listing, let go: 20 MB at 100k)
        release_memory()
        stories = _collect(report, read_stories(found.story_indexes, config.trusted_html))
        tokens = [view_tokens.pop(a.path) for a in articles]
        events = clock("merge", cache.merge, articles, tokens, merge_view, config, report,
                       partial(_merge, known=known))
    del tokens
    events = with_full_articles(events, articles)
    register = _collect(report, _load_register(config.content))  # (for its page too)
    events = clock("compare", cache.compare, events, config, report,
                   partial(_compare, register=register), register)
    site = build_site(events, stories)
    shown = {story.slug for story in site.stories if story.slug}  # (those with a page)
    links = [(a.path, a.media) for a in articles] + \
        [(s.index, s.media) for s in stories if s.slug in shown]
    return replace(site, media=_media(found.media, links, config, report), register=register)


@collector_paused()
def build(config: Config, write: bool = True, on_stage: Callable[[str], None] | None = None,
          cache: bool = True, recall: Recall | None = None) -> BuildResult:
    """Builds the site into config.output; raises BuildFailed (nothing written) on errors.

    `cache=False` neither reads nor writes .dateline/ (`--no-cache`). `recall`: what the
    last build in this process kept in memory for the next (`serve` passes one).
    """
    if write:
        check_output(config.output)  # refuse a foreign folder before any work or any cache
    report, timings, store = Report(), {}, BuildCache(config, enabled=cache, recall=recall)
    try:
        site = load(config, report, timings, on_stage, store)
        if report.failed:
            store.save()  # what was parsed is still good: fixing one file reparses one file
            raise BuildFailed(report)
        result = BuildResult(site, report, timings=timings, article_files=store.article_files)
        if write:
            with interrupts_discard():  # kill/hang-up discard the staging folder like Ctrl-C
                result.files_written = _written(site, config, _Clock(timings, on_stage),
                                                store, report)
        _Clock(timings)("cache", _saved, store, report)  # only now: the output is in place
    finally:
        store.close()  # (after save, nothing is left to close)
    return result


def _saved(store: BuildCache, report: Report) -> None:
    """Keeps the cache for the next build; a full disk then is a warning, not a failed
    build: the site is already in place (the next build just does more of the work)."""
    try:
        store.save()
    except OSError as exc:
        report.add(warning(FOLDER, None, f"the build cache could not be saved: "
                           f"{exc.strerror or exc}", "free some space; the next build "
                           "does the work this one could not keep"))


def _media(files, links: list[tuple[str, tuple[str, ...]]], config: Config,
           report: Report) -> tuple:
    """The media files the published articles and story pages link to (media.to_publish)."""
    published, problems = media.to_publish(files, links, config.trusted_html,
                                           report.draft_media)
    report.extend(problems)
    return tuple(published)


def _parse_all(files, config: Config, report: Report, cache: BuildCache, known: Spilled,
               view_tokens: dict[str, str]) -> list[Article]:
    """Parses every new or changed file, in parallel for large sites (unchanged ones come
    from the cache); articles keep the discovery order. Each article's merge evidence is
    read here too, so that per-article work is spread over the cores and cached; it waits
    for the merge in a temporary file, as the workers pickled it (evidence.Spilled). So
    is the digest of its merge view, which keys the merge cache (at 100,000 articles,
    digesting the views in the main process took 3 s of every rebuild)."""
    title_weight = MergeSettings(**config.merge).title_weight

    def settle(result: tuple, found: bytes | None, stored: str | None) -> tuple:
        article, problems, named, view_token = result  # (named: its evidence's key)
        if article is not None:  # (a draft's evidence is never read)
            if found is not None:
                known.add(article.path, found, named)
            elif stored is not None:
                known.defer(article.path, named, stored)
            view_tokens[article.path] = view_token
        return article, problems

    known.fetch = cache.stored_evidence
    articles: list[Article] = []
    by_path: dict[str, Article] = {}  # (made only if the cache lost some evidence)

    def recompute(path: str):
        if not by_path:
            by_path.update((a.path, a) for a in articles)
        return evidence(by_path[path], title_weight)

    known.recompute = recompute
    parsed = cache.parse(list(files), _parse_chunk, settle, trusted=config.trusted_html,
                         title_weight=title_weight, timezone=config.timezone)
    today = dates.reference_day()
    for article, problems in parsed:
        report.extend(problems)
        if article is not None:
            report.extend(implausible_dates(article, today))
        if article is not None and article.draft and not config.drafts:
            report.drafts.append(article.path)
            report.draft_media.extend(target for target, _ in article.media)
        elif article is not None:
            articles.append(article)
    articles, copies = without_copies(articles)
    report.extend(copies)
    return articles


def _parse_chunk(files, trusted: bool, title_weight: float, timezone: str = "UTC"
                 ) -> list[tuple[bytes, bytes | None]]:
    """Each result pickled by the cache's rules, which also carry ContentError (a frozen
    exception that a worker's plain pickle cannot send back), with its evidence apart
    (the cache keeps the two apart: a rebuild seldom reads the evidence)."""
    zone = site_zone(timezone)
    return [(dumps(result), found)
            for result, found in (_parse_one(f, trusted, title_weight, zone) for f in files)]


def _parse_one(file, trusted: bool, title_weight: float, zone: dt.tzinfo = dt.UTC
               ) -> tuple[tuple, bytes | None]:
    """((article, problems, its evidence's key, its merge view's digest), its evidence
    pickled): the main process files the evidence away unread, so it never becomes
    objects there before the merge asks for it."""
    article, problems = read_article(file.path, file.rel, file.story, trusted, zone)
    if article is None:
        return (None, problems, None, None), None
    found = dumps(evidence(article, title_weight))
    return (article, problems, evidence_key(found), value_token(merge_view(article))), found


def merge_view(article: Article) -> Article:
    """The article as the merge stage sees it: without the fields merging never reads
    (rendered HTML, links, tags, authors, corrections, where in the file each
    date was found: lines move when front matter grows). The merge cache is keyed
    by these views, so recording a correction or a tag reuses the last merge, and the
    merge cannot come to depend on those fields without this function changing."""
    return replace(article, content=article.content.without_html(), url=None, author=None,
                   language=None, tags=(), corrections=(), updated=None, body_line=0, dates=(),
                   date_line=None)


def with_full_articles(events: list[Event], articles: list[Article]) -> list[Event]:
    """Merged events with the full articles back in place of their views, keeping the
    event dates the merge worked out ("On November 13" given the year of the others)."""
    full = {a.path: a for a in articles}

    def restore(view: Article) -> Article:
        article = full[view.path]  # (dates were left out of the view, not changed by it)
        return article if article.event_date == view.event_date else \
            replace(article, event_date=view.event_date)

    return [replace(e, articles=tuple(map(restore, e.articles))) for e in events]


def _merge(articles: list[Article], config: Config, report: Report,
           known: Spilled | None = None, memo: ScoreMemo | None = None) -> list[Event]:
    from .merge import merge  # (numpy's sparse matrices load only when a merge runs)

    events, problems = merge(articles, MergeSettings(**config.merge), known, memo)
    report.extend(problems)
    return events


def _compare(events: list[Event], config: Config, report: Report, register: tuple = ()
             ) -> list[Event]:
    """Notes for every event, across cores for large sites (events are independent).
    `register`: the site's office holders (its problems are reported where it is read)."""
    shared = (events, register, config.source_trust)
    parts = map_parts(_compare_slice, range(len(events)), shared)
    return [replace(e, notes=notes) for e, notes in zip(events, chain(*parts), strict=True)]


def _compare_slice(part: range, shared: tuple) -> list[tuple]:
    """Notes only: workers inherit the events by fork, and sending whole events (with
    every article's text and HTML) back and forth cost more than comparing them."""
    events, register, trust = shared
    return [compare_event(events[k], register, trust) for k in part]


def _load_register(content: Path) -> tuple[tuple, list[ContentError]]:
    """The office holders, from content/_register.yml (or .yaml); a register file the
    build does not read, beside it or beside site.toml, is said (its terms were left out
    of every note without a word)."""
    found = [name for name in REGISTER_FILES if (content / name).is_file()]
    problems = [warning(name, None, f"content/{found[0]} is read, not this one",
                        f"move its entries into content/{found[0]} and delete this file")
                for name in found[1:]]
    problems += [misplaced_register(f"../{name}", "move it into content/")
                 for name in REGISTER_FILES if (content.resolve().parent / name).is_file()]
    if not found:
        return (), problems
    register, more = load_register(content / found[0], found[0])
    return register, problems + more


def _collect(report: Report, outcome: tuple):
    value, problems = outcome
    report.extend(problems)
    return value


def _written(site: Site, config: Config, clock: _Clock, cache: BuildCache,
             report: Report) -> int:
    """`_write`, with a template's mistake reported as the content's are (BuildFailed)."""
    try:
        with template_errors():
            return _write(site, config, clock, cache)
    except TemplateFailed as failed:
        report.add(failed.problem)
        raise BuildFailed(report) from None


def _write(site: Site, config: Config, clock: _Clock, cache: BuildCache | None = None) -> int:
    """Every output into a staging folder, moved in at the end; discarded on failure.

    A rebuild patches the old output when the page cache knows it (write.py), unless
    search is on: Pagefind indexes a whole staged site."""
    kept = cache.folder / "templates" if cache and cache.folder else None
    env = make_environment(config, kept, code_version("render") if kept else "")
    pages = plan_pages(site, config.order == "newest", search=config.search)
    page_cache = cache.page_cache(config) if cache else None
    writer = SiteWriter(config.output, patch=bool(page_cache and page_cache.old)
                        and not config.search)
    writer.drafts = sum(a.draft for e in site.events for a in e.articles)
    writer.preview = config.preview
    try:
        clock("render", write_pages, env, pages, config, writer, page_cache)
        clock("outputs", _write_outputs, writer, env, site, pages, config,
              cache.lines if cache else None)
        indexed = clock("search", index_site, writer.staging, config.output) \
            if config.search else 0
        return writer.commit() + indexed
    except BaseException:
        writer.discard()
        raise


def _write_outputs(writer: SiteWriter, env, site: Site, pages, config: Config,
                   memo: Memo | None = None) -> None:
    """Feeds, exports and the theme's assets beside the pages; `memo` keeps the exports'
    lines of unchanged events (cache.BuildCache.lines)."""
    writer.write_all(feed_pages(env, site, config))
    writer.write_all(static_files(config))
    writer.write_all(media.outputs(site.media))
    writer.write("events.json", events_json(site.events, memo))
    writer.write("timelinejs.json", timelinejs_json(site, config, memo))
    writer.write_all(sitemap_files(pages, config))
    writer.write("robots.txt", robots_txt(config))
    writer.write(".nojekyll", b"")


class _Clock:
    """Times each stage so `build` can print where the time went."""

    def __init__(self, timings: dict[str, float], announce: Callable[[str], None] | None = None):
        self.timings = timings
        self.announce = announce

    def __call__(self, stage: str, function, *args):
        if self.announce:
            self.announce(stage)
        start = time.perf_counter()
        try:
            return function(*args)
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start


__all__ = ["BuildFailed", "BuildResult", "ContentError", "build", "load"]
