"""Pages -> HTML with jinja2, from the site's templates/ over the packaged default theme."""

from __future__ import annotations

import contextlib
import hashlib
import re
import traceback
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    select_autoescape,
)

from .claims import DATELINE_RE
from .config import Config
from .errors import ContentError
from .jsonld import event_jsonld, script_json
from .media import from_root
from .models import PartialDate
from .parallel import map_parts
from .register import REGISTER_NAMED
from .timeline import (
    Page,
    dispute_phrases,
    disputed_points,
    fact_count,
    notes_heading,
    office_anchor,
    point_label,
    source_slug,
    tag_slug,
)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def theme_dir() -> Path:
    """The default theme: generator/theme in an installed wheel, templates/ in a checkout."""
    packaged = Path(__file__).with_name("theme")
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


def template_dirs(config: Config) -> list[Path]:
    """The site's own templates/ first, so a site overrides the theme file by file."""
    own = config.root / "templates"
    dirs = [own] if own.is_dir() else []
    theme = theme_dir()
    if not dirs or own.resolve() != theme.resolve():
        dirs.append(theme)
    return dirs


def human_date(date: PartialDate) -> str:
    """13 November 2024, November 2024, 2024, or 13 November when the year is unknown."""
    if date.month is None:
        return str(date.year) if date.year else "Undated"
    parts = [str(date.day)] if date.day else []
    parts.append(MONTHS[date.month - 1])
    if date.year:
        parts.append(str(date.year))
    return " ".join(parts)


def short_date(value) -> str:
    """13 Nov 2024, for dense lists of sources."""
    if value is None:
        return "undated"
    return f"{value.day} {MONTHS[value.month - 1][:3]} {value.year}"


def month_name(number: int) -> str:
    return MONTHS[number - 1] if number else "Undated"


def as_written(names: Sequence[str], articles: Sequence) -> list[str]:
    """The merge's names (lower-cased tokens: "secretary of state antony blinken") as the
    first report that has them writes them ("Secretary of State Antony Blinken"). A name
    of several words that no report writes so (joined across a word that is none, see
    cluster.readable_names) is shown as its words, each as written; each name once."""
    shown: list[str] = []
    for name, found in zip(names, find_written(names, articles), strict=True):
        if found is None and " " in name:
            words = name.split()
            shown += [w or word for word, w in zip(words, find_written(words, articles),
                                                   strict=True)]
        else:
            shown.append(found or name)
    return list(dict.fromkeys(shown))


def find_written(names: Sequence[str], articles: Sequence) -> list[str | None]:
    """Each name as the first report that has it writes it; None where none does. A
    dateline ("KYIV, Nov 17 (Reuters) -") is in capitals by custom, so a name is taken
    from one only when no report writes the name anywhere else."""
    undated, dated = [], []  # (every text without its dateline; those that had one, whole)
    for article in articles:
        blanked = without_dateline(article.text)
        undated.append(_Searchable(f"{article.title}\n{blanked}"))
        if blanked is not article.text:
            dated.append(_Searchable(f"{article.title}\n{article.text}"))

    def written(name: str) -> str | None:
        for text in (*undated, *dated):
            if (found := text.find(name)) is not None:
                return found
        return None
    return [written(name) for name in names]


def without_dateline(text: str) -> str:
    """The text with a wire report's opening dateline blanked out (as many spaces); the
    very same string when it has none."""
    match = DATELINE_RE.match(text)
    return " " * match.end() + text[match.end():] if match else text


class _Searchable:
    """A text searched for names case-insensitively, word-bounded, any whitespace between
    words: what `_name_pattern` matches, found with `str.find` on the lowered text.

    Every event page looks up a handful of names, nearly all different, so compiling a
    pattern per name cost more than the rest of the page. Where lowering is not a
    one-to-one map of characters (the text has "İ", "ı" or "ſ", or the name is not
    lower-case ASCII), the pattern decides; a property test holds the two to agreement.
    """

    FOLDED_APART = ("ı", "ſ")  # IGNORECASE matches these with i and s; str.lower does not

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowered = text.lower()
        self.plain = (len(self.lowered) == len(text)
                      and not any(c in text for c in self.FOLDED_APART))

    def find(self, name: str) -> str | None:
        words = name.split()
        if not (self.plain and words and name.isascii() and name == name.lower()):
            found = _name_pattern(name).search(self.text)
            return found.group(0) if found else None
        text, lowered = self.text, self.lowered
        at = lowered.find(words[0])
        while at >= 0:
            end = _words_end(text, lowered, words, at)
            if end is not None:
                return text[at:end]
            at = lowered.find(words[0], at + 1)
        return None


def _words_end(text: str, lowered: str, words: list[str], at: int) -> int | None:
    """Where the words end if they stand at `at` as whole words, else None."""
    if at and _is_word(text[at - 1]):
        return None
    end = at + len(words[0])
    for word in words[1:]:
        gap = end
        while end < len(text) and text[end].isspace():
            end += 1
        if end == gap or not lowered.startswith(word, end):
            return None
        end += len(word)
    return None if end < len(text) and _is_word(text[end]) else end


def match_score(score: float) -> str:
    """A merge's score to two places, except that one rounding to 1 reads "above 0.99":
    it is a model's estimate, never a certainty ("1.00" read as one under a translation
    full of wrong names)."""
    return "above 0.99" if score >= 0.995 else f"{score:.2f}"


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # re's \w on str


@lru_cache(maxsize=4096)  # (bounded: a 100k archive shares tens of thousands of names)
def _name_pattern(name: str) -> re.Pattern:
    words = r"\s+".join(re.escape(w) for w in name.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def make_environment(config: Config, compiled: Path | None = None, version: str = ""
                     ) -> Environment:
    """One environment per build: templates are parsed once, not per page. `compiled`:
    a folder where their compiled code is kept between builds, which saves a rebuild
    compiling every template; a template is compiled again when its source or `version`
    changed (the code that makes this environment, its filters and jinja2's version:
    jinja2 itself checks only the source and its bytecode format)."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs(config)]),
        autoescape=select_autoescape(("html", "xml")),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
        bytecode_cache=_compiled_templates(compiled, version),
    )
    env.filters.update(human_date=human_date, short_date=short_date, month_name=month_name,
                       source_slug=source_slug, tag_slug=tag_slug, as_written=as_written,
                       match_score=match_score, dispute_phrases=dispute_phrases,
                       disputed_points=disputed_points, fact_count=fact_count,
                       notes_heading=notes_heading, office_anchor=office_anchor,
                       from_root=from_root, point_label=point_label,
                       jsonld=lambda event, story: script_json(event_jsonld(event, story, config)))
    env.globals.update(site=config, asset_version=_asset_versions(tuple(template_dirs(config))),
                       register_named=REGISTER_NAMED)
    return env


class _KeptTemplates(FileSystemBytecodeCache):
    """Compiled templates kept under .dateline/, each valid for its source and `version`
    (a template's file is overwritten when either changes); one that cannot be written
    (a read-only checkout) is compiled again next time, not a failed build."""

    def __init__(self, folder: Path, version: str):
        super().__init__(str(folder))
        self.version = version

    def get_source_checksum(self, source: str) -> str:
        return hashlib.sha1(f"{self.version}\n{source}".encode(), usedforsecurity=False
                            ).hexdigest()

    def dump_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled_templates(folder: Path | None, version: str) -> FileSystemBytecodeCache | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _KeptTemplates(folder, version)


def render_page(env: Environment, page: Page, config: Config) -> bytes:
    html = env.get_template(page.template).render(page=page, root=page_root(page, config),
                                                  **page.context)
    return html.encode("utf-8")


def page_root(page: Page, config: Config) -> str:
    """How a page links to the top of the site: relative, except the 404 page's, which
    GitHub Pages and `serve` show for a missing page in any folder, where a relative link
    would point below it: from the site's address, or from "/" on serve's 127.0.0.1."""
    if page.path != "404.html":
        return page.root
    if config.base_url:
        return config.base_url.rstrip("/") + "/"
    return "/" if config.preview else page.root


def write_pages(env: Environment, pages: Sequence[Page], config: Config, writer,
                cache=None) -> int:
    """Renders and writes every page, across cores for large sites.

    Paths are claimed here first, so two pages mapping to one path are still caught;
    workers (forked, so they share the compiled templates and the site) render their
    share and write straight into the staging folder. With a `cache.PageCache`, pages
    whose inputs are unchanged are kept from the previous output instead.
    """
    for page in pages:
        writer.claim(page.path, page.template)
    todo = cache.reuse(pages, writer) if cache else range(len(pages))
    for template in sorted({pages[k].template for k in todo}):
        env.get_template(template)  # compiled here, once, not again in every worker
    rendered = sum(map_parts(_render_chunk, todo, (env, pages, config, writer)))
    if cache:
        cache.record(pages, writer)
    return rendered + len(pages) - len(todo)


def _render_chunk(indices: Sequence[int], shared: tuple) -> int:
    env, pages, config, writer = shared
    with template_errors():  # (here, in the worker: the traceback holds the line)
        for index in indices:
            writer.put(pages[index].path, render_page(env, pages[index], config))
    return len(indices)


class TemplateFailed(Exception):
    """A template's mistake as a problem naming its file and line (build.py reports it
    with the content's), not a jinja2 traceback. (Not the ContentError itself: a frozen
    exception cannot pass through a context manager, which sets its traceback.)"""

    def __init__(self, problem: ContentError) -> None:
        super().__init__(problem)
        self.problem = problem


@contextlib.contextmanager
def template_errors() -> Iterator[None]:
    """Turns a template's mistake raised in the block into TemplateFailed: jinja2's own
    errors, and any other exception raised by a template's code ({{ 1 // 0 }})."""
    try:
        yield
    except TemplateError as exc:
        raise TemplateFailed(template_problem(exc)) from None
    except Exception as exc:
        if not _template_frames(exc):
            raise  # (not a template's doing: a bug to see whole)
        raise TemplateFailed(template_problem(exc)) from None


def template_problem(exc: Exception) -> ContentError:
    """The problem a template caused, at its file and line: a syntax error says where;
    otherwise jinja2 puts the template's own file and line in the traceback."""
    if isinstance(exc, TemplateSyntaxError):
        path, line = exc.filename or exc.name or "templates", exc.lineno
    else:
        frames = _template_frames(exc)
        path, line = (frames[-1].filename, frames[-1].lineno) if frames else ("templates", None)
    hint = ("check the name's spelling against the theme's template of the same name"
            if isinstance(exc, UndefinedError) else
            "fix the template, or delete it to use the theme's own")
    said = exc.message if isinstance(exc, TemplateError) and exc.message else \
        f"{type(exc).__name__}: {exc}"
    if isinstance(exc, TemplateNotFound):
        said = f"no template named {exc.name!r} (included or extended)"
    return ContentError(path, line, f"template error: {said}", hint)


def _template_frames(exc: Exception) -> list[traceback.FrameSummary]:
    return [f for f in traceback.extract_tb(exc.__traceback__)
            if f.filename.endswith((".html", ".xml", ".txt"))]


def _is_template(name: str) -> bool:
    """Pages and feeds; not the files under static/, which are copied as they are."""
    return name.endswith((".html", ".xml")) and not name.startswith("static/")


def check_templates(config: Config) -> list[ContentError]:
    """Every template compiled, for `dateline check`: a syntax error found without
    building (a name a template misspells shows only when a page is rendered)."""
    env = make_environment(config)
    problems = []
    for name in env.list_templates(filter_func=_is_template):
        try:
            env.get_template(name)
        except TemplateError as exc:
            problems.append(template_problem(exc))
    return problems


def static_files(config: Config) -> Iterator[tuple[str, bytes]]:
    """The theme's static/ assets, with the site's own static/ files taking precedence."""
    seen: set[str] = set()
    for folder in template_dirs(config):
        static = folder / "static"
        if not static.is_dir():
            continue
        for file in sorted(static.rglob("*")):
            rel = file.relative_to(folder).as_posix()
            if file.is_file() and rel not in seen:
                seen.add(rel)
                yield rel, file.read_bytes()


def _asset_versions(dirs: tuple[Path, ...]) -> dict[str, str]:
    """A short content hash per asset, appended to its URL so browsers cache it safely.
    Hashed again by every build: `serve` builds many times in one process, and an edited
    style sheet must get a new URL."""
    versions: dict[str, str] = {}
    for folder in dirs:
        for file in sorted((folder / "static").rglob("*")) if (folder / "static").is_dir() else []:
            rel = file.relative_to(folder).as_posix()
            if file.is_file() and rel not in versions:
                versions[rel] = hashlib.sha256(file.read_bytes()).hexdigest()[:10]
    return versions
