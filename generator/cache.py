"""Incremental builds: results of earlier builds, reused only when provably unchanged.

Everything lives in `.dateline/` in the site folder and deleting it is always safe. Each
entry is keyed by a hash of all of its inputs, including the source of the generator
modules that computed it (and those they import), so a changed file, template, setting
or generator version is a miss, never a stale hit. Parsed articles, merged events and
each event's notes are kept here; rendered pages are reused from the previous output
(see `PageCache`). A cache file that is corrupt, foreign or from another format is
ignored; the build then does the work itself.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import io
import os
import pickle
import re
import shutil
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import cache, partial
from importlib import metadata
from pathlib import Path
from typing import Any

from . import evidence as evidence_module
from . import headlines, models
from .config import Config
from .errors import ContentError, Report
from .filedigest import FileDigests
from .models import Article, Event, Story
from .parallel import iter_chunks
from .store import PROTOCOL, Store
from .write import SiteWriter

FOLDER = ".dateline"
PER_CHUNK = 500  # files per parse task: small enough that replies never pile up in memory
SHARDS = 16  # parsed articles are spread over this many files, rewritten one at a time
ROWS = "rows"  # the last merge's raw matrix rows (rowcache.py), beside the stores
PAIRS = "pairs.bin"  # the last merge's candidate pairs and their bounds (rescore.KeptCodes)


def _reduce_problem(problem: ContentError) -> tuple:
    """ContentError is a frozen exception, which plain pickle cannot rebuild."""
    return ContentError, tuple(getattr(problem, f.name) for f in dataclasses.fields(problem))


def _record_reducer(cls: type) -> Callable[[Any], tuple]:
    """A frozen slotted dataclass pickled as its class and field values, rebuilt by its
    own __init__: the stock reduction looks its fields up again for every record, which
    made reading 10,000 cached articles a second slower."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    return lambda record: (cls, tuple([getattr(record, name) for name in names]))


RECORDS = tuple(cls for module in (models, evidence_module, headlines)
                for cls in vars(module).values()
                if dataclasses.is_dataclass(cls) and isinstance(cls, type)
                and cls.__module__ == module.__name__ and hasattr(cls, "__slots__"))
DISPATCH = {**copyreg.dispatch_table, ContentError: _reduce_problem,
            **{cls: _record_reducer(cls) for cls in RECORDS}}


def dumps(value: Any) -> bytes:
    """Pickles a stage's result (problems included) for the cache or a worker's reply."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, PROTOCOL)
    pickler.dispatch_table = DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


def value_token(record: Any) -> str:
    """A digest of a record's value: pickled without a memo, so that how its parts happen
    to be shared (a string interned here, copied there) cannot change the bytes."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, PROTOCOL)
    pickler.dispatch_table = DISPATCH
    pickler.fast = True
    pickler.dump(record)
    return digest(buffer.getvalue())


def digest(*parts: str | bytes | Digest) -> str:
    """A hex digest of the parts, each framed by its length; a `Digest` as the first part
    stands for the parts it was made from (hashed once, continued many times)."""
    if parts and isinstance(parts[0], Digest):
        hasher, parts = parts[0].hasher.copy(), parts[1:]
    else:
        hasher = hashlib.sha256()
    _feed(hasher, parts)
    return hasher.hexdigest()


class Digest:
    """Parts hashed as a prefix that `digest` continues: digest(Digest(a, b), c) is
    digest(a, b, c)."""

    def __init__(self, *parts: str | bytes):
        self.hasher = hashlib.sha256()
        _feed(self.hasher, parts)


def _feed(hasher: Any, parts: Sequence[str | bytes]) -> None:
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little") + data)


@cache
def code_version(*modules: str) -> str:
    """The source of these generator modules and of every module they import from the
    package, with Python's and the dependencies' versions: any change is a miss."""
    package = Path(__file__).parent
    seen: dict[str, bytes] = {}
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        found = _module(name)
        if found is not None:
            seen[name], imports = found
            todo += imports
    glue = (package / "build.py").read_bytes()  # build.py's stage wrappers, not its imports
    return digest(sys.version, *_dependencies(), glue, *(p for n in sorted(seen)
                                                          for p in (n, seen[n])))


@cache
def _module(name: str) -> tuple[bytes, list[str]] | None:
    """A generator module's source and the package modules it imports; read once per
    process, however many stages' versions include it."""
    path = Path(__file__).parent / f"{name}.py"
    if not path.is_file():
        return None
    source = path.read_bytes()
    return source, package_imports(source.decode("utf-8"))


RELATIVE_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+\.(\w*)(?:\.\w+)*[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", re.M)


def package_imports(source: str) -> list[str]:
    """The package modules a source imports (`from .x import ...`, `from . import x`),
    read by a pattern: parsing each module's syntax tree took a tenth of a second of
    every build. A test checks it against the syntax tree for every module; a match
    inside a string only adds a module, which can only make a version more cautious."""
    found = []
    for module, names in RELATIVE_IMPORT.findall(source):
        if module:
            found.append(module)
        else:
            found += [n.split()[0] for n in names.strip("()").replace("\n", " ").split(",")
                      if n.strip()]
    return found


@cache
def _dependencies() -> tuple[str, ...]:
    try:
        required = metadata.requires("dateline") or []
    except metadata.PackageNotFoundError:
        return ()
    names = sorted({r.split(";")[0].split("[")[0].split(">")[0].split("=")[0].strip()
                    for r in required if "extra ==" not in r})
    return tuple(f"{n}=={_version(n)}" for n in names)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def _reference(token: str) -> Any:
    """Stands in a cache entry for a record the reader already holds (`_RefUnpickler`
    resolves it); never called."""
    raise pickle.UnpicklingError(f"record {token} read without its build's records")


def _referring(tokens: dict[int, str]) -> dict[type, Callable]:
    """DISPATCH, but a record the cache knows (a parsed article, an event) is written as
    its token. Only records go through Python code: a pickler's `persistent_id` would be
    called for every string and number in the value (a million calls per rebuild)."""
    def by_token(reduce: Callable[[Any], tuple]) -> Callable[[Any], tuple]:
        def reducer(record: Any) -> tuple:
            token = tokens.get(id(record))
            return (_reference, (token,)) if token is not None else reduce(record)
        return reducer
    return {**DISPATCH, **{cls: by_token(DISPATCH[cls]) for cls in RECORDS}}


class _RefPickler(pickle.Pickler):
    """Writes a record the cache already knows as its token: entries stay small and a
    digest costs a few bytes per record it mentions."""

    def __init__(self, file: io.BytesIO, dispatch: dict[type, Callable], fast: bool = False):
        super().__init__(file, PROTOCOL)
        self.dispatch_table = dispatch
        self.fast = fast  # no memo: the bytes depend on the value only, not on sharing


class _RefUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, known: dict[str, Any]):
        super().__init__(io.BytesIO(data))
        self.known = known

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == _reference.__name__:
            return self.known.__getitem__  # KeyError: the entry names a record this build lacks
        return super().find_class(module, name)


# The most articles a site may have for `serve` to keep them between builds (about 120 MB
# of them). A larger site's are not kept at all: keeping 20,000 of 100,000 saved a
# rebuild little of its time for 140 MB held between builds, and such a site is built
# in a process of its own (serve.py), which keeps nothing.
RECALLED_MOST = 20_000


def recallable(article_files: int) -> bool:
    """Whether `serve` keeps the parsed articles of a site with this many article files."""
    return article_files <= RECALLED_MOST


class Recall:
    """What a process that builds again and again (`dateline serve`) keeps in memory from
    one build to the next: the last build's parsed articles, as the parse cache's entries
    unpickled. They are looked up under the parse cache's own keys, so a recalled entry
    is one the disk cache would have given; recalling only saves reading it back (about
    a second of every rebuild at 10,000 articles)."""

    def __init__(self) -> None:
        self.parsed: dict[str, tuple] = {}  # parse key -> (article, problems, evidence key, view)
        self.files: tuple = ()  # the parse cache's files as that build left them
        # The last merge's scoring state (rescore.ScoreState) as its cache entry holds it:
        # (settings key, the score store's files once saved, the state). Reading it back
        # took a quarter of a second of every merge at 10,000 articles.
        self.scores: tuple | None = None
        self.views: dict[str, Article] = {}  # the last merge's views, by their digests

    def scores_under(self, settings: str, files: tuple) -> Any:
        """The recalled scoring state for these merge settings, while the score store's
        files are as the build that made it left them; else None."""
        if self.scores and self.scores[0] == settings and self.scores[1] == files:
            return self.scores[2]
        return None

    def check(self, files: tuple) -> None:
        """Forgets everything if the parse cache's files are not as the last build left
        them (`.dateline/` deleted, or rewritten by another build): what is recalled must
        also be on disk, for the next build that is not this process's."""
        if files != self.files:
            self.parsed = {}


class BuildCache:
    """The cache as one build sees it; with `enabled=False` every lookup misses and
    nothing is written (`dateline build --no-cache`)."""

    def __init__(self, config: Config, enabled: bool = True, recall: Recall | None = None):
        self.folder = config.root / FOLDER if enabled else None
        self.recall = recall if enabled else None
        self.article_files = 0  # (parse's: drafts included)
        self.articles = Store(self.folder, "articles", SHARDS)
        self.evidence = Store(self.folder, "evidence", SHARDS)  # each parsed article's
        self.events = Store(self.folder, "events")
        self.notes = Store(self.folder, "notes", 4)
        self.scores = Store(self.folder, "scores")  # the last merge's pair scores
        self.exports = Store(self.folder, "exports", 4)  # each event's line of the JSON exports
        self.tokens: dict[int, str] = {}  # id(record) -> token
        self.dispatch = _referring(self.tokens)
        self.known: dict[str, Any] = {}  # token -> record, which also keeps the ids valid
        self.pages: PageCache | None = None
        self.made_scores: tuple | None = None  # (settings key, the merge's scoring state)
        self.contexts: dict[str, Digest] = {}  # parse options -> their keys' common start
        self.files = Store(self.folder, "files")  # article files' digests, by status
        self.digests = FileDigests(self.files) if self.folder else None

    def parse(self, files: Sequence, chunk: Callable, settle: Callable[[tuple], tuple],
              **options: Any) -> list[tuple]:
        """(Article | None, problems, ...) per file; only new or changed files are parsed,
        by `chunk(files, **options)`, which returns each result as `dumps` bytes. Each
        result goes through `settle` as soon as it is read (the build files its merge
        evidence away there). The options (trusted HTML, title weight) are part of every
        key."""
        keys = [self._parse_key(f, options) for f in files]
        if self.recall:
            self.recall.check(self.articles.files())
        recalled = self.recall.parsed if self.recall else {}
        self.article_files = len(files)
        kept = {} if self.recall and recallable(len(files)) else None

        def settled(key: str | None, result: tuple, found: bytes | None = None) -> tuple:
            if kept is not None and key:
                kept[key] = result
            if found is None and key:  # (from the cache: its evidence stays there)
                self.evidence.keep(key)
            return settle(result, found, key if found is None else None)

        results = self._load_all(self.articles, keys, settled, recalled)
        todo = [i for i, result in enumerate(results) if result is None]
        fresh = iter_chunks(partial(chunk, **options), [files[i] for i in todo], most=PER_CHUNK)
        for index, (data, found) in zip(todo, fresh, strict=True):  # each let go once read
            unchanged = keys[index] and \
                self._parse_key(files[index], options, again=True) == keys[index]
            results[index] = settled(keys[index] if unchanged else None, pickle.loads(data),
                                     found)
            if unchanged:  # (not if it changed while parsed)
                self.articles.put(keys[index], data)
                if found is not None:
                    self.evidence.put(keys[index], found)
        for key, (article, *_) in zip(keys, results, strict=True):
            if key and article is not None:
                self._remember(article, "a" + key)
        self.evidence.release()  # (first: an article entry saved without its evidence...
        self.articles.release()  # ...would be a hit whose evidence must be worked out again)
        if self.recall:  # (only this build's: the next one's could be the same)
            self.recall.parsed, self.recall.files = kept or {}, self.articles.files()
        if self.digests:
            self.digests.save()
            self.files.release()
        return results

    def stored_evidence(self, wanted: dict[str, str]) -> Iterator[tuple[str, bytes]]:
        """(path, evidence) of each article `wanted` names (path -> its parse key) whose
        evidence the cache holds, read a shard at a time, each let go once read."""
        by_shard: dict[int, list[tuple[str, str]]] = {}
        for path, key in wanted.items():
            by_shard.setdefault(self.evidence.number(key), []).append((path, key))
        for number, entries in sorted(by_shard.items()):
            for path, key in entries:
                found = self.evidence.get(key)
                if found is not None:
                    yield path, found
            self.evidence.forget(number)

    def _parse_key(self, file: Any, options: dict[str, Any], again: bool = False) -> str | None:
        """`again`: asked after parsing, to see that the file did not change meanwhile (its
        status is read anew, not taken from the listing)."""
        listed = None if again else getattr(file, "status", None)
        found = self.digests.of(file.path, listed) if self.digests else None
        if found is None:
            return None  # no cache, or the file cannot be read (read_article reports it)
        return digest(self._parse_context(repr(sorted(options.items()))), file.rel,
                      file.story, found)

    def _parse_context(self, options: str) -> Digest:
        """What every article's key starts with; hashed once, continued per file."""
        if options not in self.contexts:
            self.contexts[options] = Digest(code_version("parse", "evidence"), options)
        return self.contexts[options]

    def merge(self, articles: list[Article], tokens: list[str], view: Callable[[Article], Article],
              config: Config, report: Report, run: Callable) -> list[Event]:
        """`run(views, config, report, memo=...)`'s events, reused while every article as
        the merge sees it (`view(article)`, whose digest is its token), the merge settings
        and the merge code are unchanged. When they are not, the last merge's pair scores
        are handed to the run (rescore.ScoreMemo), so that only the pairs an edit touched
        are scored. A reused merge names its articles by their views' tokens; they are
        read back as the articles themselves, whose views are then never made (build.py
        puts the full articles in the events either way)."""
        def views() -> list[Article]:
            kept = self.recall.views if self.recall else {}
            made = [self.adopt(kept.get(t) or view(a), t)
                    for a, t in zip(articles, tokens, strict=True)]
            if self.recall and recallable(len(articles)):
                self.recall.views = dict(zip(tokens, made, strict=True))
            return made

        if not self.folder:
            return run(views(), config, report)
        settings = digest(code_version("merge"), repr(sorted(config.merge.items())))
        key = digest(settings, *tokens)
        found = self._load(self.events, key, lambda d: _RefUnpickler(
            d, dict(zip(tokens, articles, strict=True))).load())
        if found is None:
            from .rescore import ScoreMemo  # (a merge's libraries load only when it runs)
            from .rowcache import RowMemo

            scratch = Report()
            recalled = self.recall.scores_under(settings, self.scores.files()) \
                if self.recall and recallable(len(articles)) else None
            previous = recalled or self._load(self.scores, settings, pickle.loads)
            if self.recall:
                self.recall.scores = None  # (until this merge's state is saved)
            for store, name in ((self.events, key), (self.scores, settings)):
                store.forget(store.number(name))  # (at 100k, 150 MB of bytes read once)
            memo = ScoreMemo(previous, {a.path: t for a, t in zip(articles, tokens, strict=True)},
                             RowMemo(self.folder / ROWS, settings), self.folder / PAIRS)
            del previous
            found = run(views(), config, scratch, memo=memo), scratch.problems
            memo.previous = None  # (let go before this merge's state is pickled: at 100k
            # the last build's is hundreds of megabytes of events, reasons and weights)
            self.events.put(key, self._dump(found))
            if memo.current is not None:
                self.scores.put(settings, dumps(memo.current))
                if self.recall and recallable(len(articles)):  # (else let go: at 100k it
                    self.made_scores = settings, memo.current  # is hundreds of megabytes)
        report.extend(found[1])
        return found[0]

    def compare(self, events: list[Event], config: Config, report: Report,
                run: Callable, register: tuple = ()) -> list[Event]:
        """Each event's notes, reused while the event, the register (as `run` reads it,
        already parsed: reading its file again could find a newer one), the trust order
        and the compare code are unchanged; `run(events, config, report)` does the rest.

        The merge reason is left out of the key: its score moves with the whole corpus
        on any edit, and notes do not read it (tests/test_cache.py checks that).
        """
        if not self.folder:
            return run(events, config, report)
        context = digest(code_version("compare", "register"), repr(config.source_trust),
                         value_token(tuple(register)))
        keys = [digest(context, self.token(_without_merge(e))) for e in events]
        found = [self._load(self.notes, key, pickle.loads) for key in keys]
        todo = [i for i, notes in enumerate(found) if notes is None]
        done = dict(zip(todo, run([events[i] for i in todo], config, report), strict=True))
        for index, event in done.items():
            self.notes.put(keys[index], dumps(event.notes))
        # An event's notes follow from its key, so the key and the merge reason name the
        # whole event: the page cache need not digest every event again.
        return [self.adopt(done[i] if notes is None else dataclasses.replace(e, notes=notes),
                           digest(keys[i], self.token(e.merge)))
                for i, (e, notes) in enumerate(zip(events, found, strict=True))]

    def lines(self, line: Callable[[Any], str], context: str) -> Callable[[Any], str]:
        """`line(record)`, reused while the record, `context` (all else `line` reads) and
        the code of `line`'s module are unchanged: a rebuild after one edit writes each
        export's line for the events it changed, not for all of them."""
        if not self.folder:
            return line
        start = Digest(code_version(line.__module__.rpartition(".")[2]), line.__qualname__,
                       context)

        def remembered(record: Any) -> str:
            key = digest(start, self.token(record))
            found = self._load(self.exports, key, _text)
            if found is None:
                found = line(record)
                self.exports.put(key, found.encode("utf-8", "surrogatepass"))
            return found
        return remembered

    def token(self, record: Any) -> str:
        """A digest of a record's whole value, computed once per build."""
        token = self.tokens.get(id(record))
        if token is None:
            buffer = io.BytesIO()
            _RefPickler(buffer, self.dispatch, fast=True).dump(record)
            token = self._remember(record, digest(buffer.getvalue()))
        return token

    def adopt(self, record: Any, token: str) -> Any:
        """Takes `token` (a `value_token` computed where the record was made) as the
        record's, instead of digesting it again here; returns the record."""
        self._remember(record, token)
        return record

    def page_cache(self, config: Config) -> PageCache | None:
        if self.folder:
            self.pages = PageCache(self, config)
        return self.pages

    def save(self) -> None:
        """Writes what changed. The page manifest is only recorded by a build that wrote
        its pages, so call this after the output is in place or when nothing was written."""
        for store in self._stores():
            store.save()
        if self.recall and self.made_scores and recallable(self.article_files):
            settings, state = self.made_scores
            self.recall.scores = settings, self.scores.files(), state

    def close(self) -> None:
        """Lets go of what was not saved (the build failed): the temporary files close.
        The page cache refers back to this one: the cycle is broken here, so the records
        go as soon as the build does, not at the collector's next full pass."""
        for store in self._stores():
            store.close()
        self.pages = None

    def _stores(self) -> list[Store]:
        return [self.articles, self.evidence, self.files, self.events, self.notes, self.scores,
                self.exports] + \
            ([self.pages.store] if self.pages else [])

    @classmethod
    def _load_all(cls, store: Store, keys: list[str | None], settle: Callable,
                  recalled: dict[str, Any]) -> list[Any]:
        """Every entry under `keys`, as `settle(key, entry)`: from `recalled` (entries kept
        in memory since the last build, `Recall`) or unpickled, a shard at a time, each
        shard let go once read: the bytes of every parsed article and the articles
        themselves are never all in memory together (besides what `serve` recalls, a
        site of at most RECALLED_MOST articles)."""
        results: list[Any] = [None] * len(keys)
        by_shard: dict[int, list[int]] = {}
        for index, key in enumerate(keys):
            if key in recalled:
                store.keep(key)
                results[index] = settle(key, recalled[key])
            elif key:
                by_shard.setdefault(store.number(key), []).append(index)
        for number, indices in sorted(by_shard.items()):
            for index in indices:
                found = cls._load(store, keys[index], pickle.loads)
                results[index] = None if found is None else settle(keys[index], found)
            store.forget(number)
        return results

    @staticmethod
    def _load(store: Store, key: str | None, load: Callable[[bytes], Any]) -> Any:
        """The entry under `key`, unpickled; None for a miss or an entry that cannot be read."""
        data = store.get(key) if key else None
        try:
            return None if data is None else load(data)
        except Exception:  # a broken entry: a miss
            return None

    def _remember(self, record: Any, token: str) -> str:
        self.tokens[id(record)] = token
        self.known[token] = record
        return token

    def _dump(self, value: Any) -> bytes:
        buffer = io.BytesIO()
        _RefPickler(buffer, self.dispatch).dump(value)
        return buffer.getvalue()


EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(Event) if f.name != "merge")


def _without_merge(event: Event) -> tuple:
    """The event's fields but its merge reason, as a plain tuple: what its notes are keyed
    by (a copy of the event without the reason cost a tenth of a second per 10,000)."""
    return tuple([getattr(event, name) for name in EVENT_FIELDS])


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


class PageCache:
    """Pages are kept from the previous output (left in place when the writer patches it,
    else hard-linked or copied into the staging folder) instead of rendered when
    the page's digest (its context's records, path and template) is unchanged, the
    templates, settings and render code are unchanged, and the old file is still exactly
    the one that build wrote (same inode, size and modification time)."""

    def __init__(self, owner: BuildCache, config: Config):
        from .render import page_root, template_dirs

        self.owner, self.output = owner, config.output
        self.root = partial(page_root, config=config)
        self.store = Store(owner.folder, "pages")  # only the latest output's manifest is kept
        files = sorted(f for d in template_dirs(config) for f in d.rglob("*") if f.is_file())
        # (`preview` only moves the 404 page's links, which are in its digest: switching
        # between `serve` and `build` rendered every page again)
        where = dataclasses.replace(config, content=config.content.resolve(),
                                    output=config.output.resolve(), preview=False)
        self.key = digest(code_version("render"), repr(where),
                          *(p for f in files for p in (str(f), f.read_bytes())))
        self.old = BuildCache._load(self.store, self.key, pickle.loads) or {}
        self.digests: list[str] = []
        self.kept: dict[int, tuple] = {}  # page index -> identity of the file kept

    def reuse(self, pages: Sequence, writer: SiteWriter) -> list[int]:
        """Keeps every unchanged page: left where it is when the writer patches the old
        output, else linked into the staging folder. Returns the indices left to render."""
        for page in pages:  # each event and story digested once, then named by its digest
            for value in page.context.values():
                for story in value if isinstance(value, tuple | list) else (value,):
                    if isinstance(story, Story) and id(story) not in self.owner.tokens:
                        for event in story.listed:
                            self.owner.token(event)
                        self.owner.token(story)
        self.digests = [self.owner.token((p.path, p.template, p.context, self.root(p)))
                        for p in pages]
        return [i for i, page in enumerate(pages) if not self._keep(page.path, i, writer)]

    def _keep(self, rel: str, index: int, writer: SiteWriter) -> bool:
        entry = self.old.get(rel)
        if not entry or entry[0] != self.digests[index]:
            return False
        old = os.path.join(self.output, rel)  # (rel: a page path the plan made)
        try:
            if _identity(os.stat(old, follow_symlinks=False)) != entry[1]:
                return False
            if not writer.patching:
                new = os.path.join(writer.staging, rel)
                os.makedirs(os.path.dirname(new), exist_ok=True)
                try:
                    os.link(old, new)
                except OSError:  # another file system, or links unsupported
                    shutil.copyfile(old, new)
                    return True  # (a copy: its identity is read when recorded)
        except OSError:
            return False
        self.kept[index] = entry[1]  # left in place, or linked: the very same file
        return True

    def record(self, pages: Sequence, writer: SiteWriter) -> None:
        """Notes what each page was made from, for the next build to compare. The identity
        of a staged file survives its rename into the output; a kept page's is the one
        `_keep` checked."""
        manifest = {p.path: (d, self.kept.get(i) or
                             _identity(writer.location(p.path).stat(follow_symlinks=False)))
                    for i, (p, d) in enumerate(zip(pages, self.digests, strict=True))}
        self.store.put(self.key, pickle.dumps(manifest, PROTOCOL))


def _identity(status: os.stat_result) -> tuple:
    regular = stat.S_ISREG(status.st_mode)
    return (regular, status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
