"""Walks the content folder in sorted order and says which files are articles of which story."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ContentError, warning
from .media import MediaFile, is_media
from .slugs import slug

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
DATA_FILES = ("_register.yml", "_register.yaml")


@dataclass(frozen=True)
class SourceFile:
    path: Path  # on disk
    rel: str  # relative to the content folder, POSIX separators: the id in events.json
    story: str  # slug of the top-level folder name, "" for files directly under content/
    # Its status when it was listed (`status_of`): the parse cache knows an unchanged file
    # by it, and asking the system again for every file cost a tenth of a second per 10,000.
    status: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Discovery:
    articles: tuple[SourceFile, ...]
    story_indexes: tuple[SourceFile, ...]  # each story's _index.md
    problems: tuple[ContentError, ...]
    media: tuple[MediaFile, ...] = ()  # images and documents beside the articles


def discover(content: Path, max_bytes: int = 5_000_000) -> Discovery:
    """Lists article files, sorted so that builds do not depend on the file system's order.

    Files that are not articles are reported, not silently skipped, and links that lead
    out of the content folder are refused.
    """
    root = content.resolve()
    articles, indexes, problems, media = [], [], [], []
    folders: dict[str, str] = {}  # story slug -> the folder that claimed it first
    clashing: set[str] = set()  # folders already reported as taking another's slug
    for entry, rel in _walk(content):
        if isinstance(entry, OSError):  # (a folder that cannot be listed)
            problems.append(ContentError(rel, None, "folder cannot be read: "
                                         f"{entry.strerror or entry}",
                                         "check that the folder exists and is readable"))
            continue
        story, clash = _story(rel, folders, clashing)
        problems.extend(clash)
        problem = _link_problem(entry, rel, root)
        kind = "skip" if problem else _kind(entry, rel)
        if kind == "nested index":
            problem = warning(rel, None, "only a story folder's own _index.md describes the "
                              "story; this one is not read", "move what it says into "
                              f"{rel.split('/')[0]}/_index.md")
        elif kind == "nested register":
            problem = misplaced_register(rel, "move its entries into content/_register.yml")
        info = None
        if kind in ("article", "index", "other", "media"):
            problem, info = _refusal(entry, rel, max_bytes, kind)
        if problem:
            problems.append(problem)
        elif kind == "media":
            media.append(MediaFile(Path(entry.path), rel))
        elif kind in ("article", "index"):
            (indexes if kind == "index" else articles).append(
                SourceFile(Path(entry.path), rel, story, status_of(info) if info else None))
    return Discovery(tuple(articles), tuple(indexes), tuple(problems), tuple(media))


def _refusal(file: os.DirEntry, rel: str, max_bytes: int, kind: str
             ) -> tuple[ContentError | None, os.stat_result | None]:
    """(why a file cannot be read as an article, if it cannot: not an article, a pipe or
    broken link (reading would hang or fail), or over the size limit; its status)."""
    if kind == "other":
        return warning(rel, None, "not an article (.md, .markdown, .txt) or a media file "
                       "(images, PDF); ignored", "rename it or move it out of content/"), None
    try:
        info = file.stat()
    except OSError as exc:
        return ContentError(rel, None, f"cannot be read: {exc.strerror or exc}",
                            "check that the file exists and is readable"), None
    if not stat.S_ISREG(info.st_mode):
        return ContentError(rel, None, "not a regular file (a pipe, device or folder)",
                            "replace it with a regular file" if kind == "media"
                            else "replace it with a text file"), info
    if info.st_size > max_bytes and kind != "media":  # (images and PDFs may be large)
        return ContentError(rel, None, f"file is {info.st_size:,} bytes, over the "
                            f"{max_bytes:,}-byte limit",
                            "split it, or raise max_file_size in site.toml"), info
    return None, info


def status_of(info: os.stat_result) -> tuple[int, int, int, int, int]:
    """What tells a file changed: device, inode, size, modification and change times (in
    nanoseconds). Five numbers, not the whole status: at 100,000 articles those took
    64 MB through the build."""
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def story_of(rel: str) -> str:
    """The story a file belongs to: its top-level folder, slugged so that a folder name
    ("../", "<script>", "index.html") can never shape an output path."""
    return _story_slug(rel.split("/")[0]) if "/" in rel else ""


@lru_cache(maxsize=4096)
def _story_slug(folder: str) -> str:
    return slug(folder, 60, "story")  # (once per folder, not once per file)


def _story(rel: str, folders: dict[str, str], clashing: set[str]
           ) -> tuple[str, list[ContentError]]:
    """The file's story, and an error, once per folder, if another folder already slugs
    to the same name ("Port-Strike" and "port-strike"). The folder's files are still
    read, so that their own problems come in the same report: the error fails the build
    anyway, and an error on each of its files hid them."""
    story = story_of(rel)
    folder = rel.split("/")[0]
    if not story or folders.setdefault(story, folder) == folder or folder in clashing:
        return story, []
    clashing.add(folder)
    return story, [ContentError(folder, None, f"story folders '{folders[story]}' and "
                                f"'{folder}' both map to stories/{story}/",
                                "merge the two folders into one, or rename one")]


def _walk(content: Path, prefix: str = "") -> Iterator[tuple[os.DirEntry | OSError, str]]:
    """(entry, path relative to `content`) of every file, folder by folder in name order,
    as os.walk would list them: a folder's files, then the links among its subfolders
    (reported, never followed), then each subfolder's own. Hidden files and folders, and
    folders starting with "_", are left out. A DirEntry keeps what the listing already
    said (its type; its status once asked), so each file costs one system call."""
    try:
        with os.scandir(content) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except FileNotFoundError:  # (vanished since it was listed)
        return
    except OSError as exc:  # unreadable: said, as its files are not read
        yield exc, prefix.rstrip("/") or "."
        return
    folders = [e for e in entries if _is_folder(e) and not e.name.startswith((".", "_"))]
    for entry in entries:
        if not entry.name.startswith(".") and not _is_folder(entry):
            yield entry, prefix + entry.name
    yield from ((e, prefix + e.name) for e in folders if e.is_symlink())
    for entry in folders:
        if not entry.is_symlink():
            yield from _walk(Path(entry.path), f"{prefix}{entry.name}/")


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _link_problem(entry: os.DirEntry, rel: str, root: Path) -> ContentError | None:
    """Why a symbolic link is not read: it leads out of the content folder, round in a
    loop, or to a folder (links to folders are never followed: its files would be lost
    without a word)."""
    if not entry.is_symlink():
        return None
    loop = ContentError(rel, None, "cannot be read: the link leads round in a loop",
                        "replace the link with the file it should point at")
    try:
        os.stat(entry.path)  # (a loop: ELOOP here, whatever resolve() does with it)
    except OSError as exc:  # (a broken or unreadable link is said where it is read)
        if exc.errno == errno.ELOOP:
            return loop
    try:
        target = Path(entry.path).resolve(strict=False)
    except RuntimeError:  # (resolve() on a loop before Python 3.13)
        return loop
    if not target.is_relative_to(root):
        return ContentError(rel, None, "link leads outside the content folder",
                            "copy the file into content/ instead of linking it")
    if _is_folder(entry):
        return warning(rel, None, "a link to a folder is not followed; its files are not "
                       "read from here", "move or copy the folder into content/")
    return None


def misplaced_register(rel: str, hint: str) -> ContentError:
    """A register file the build does not read (in a story folder, beside site.toml):
    its terms of office would be left out of every note without a word."""
    return warning(rel, None, "the register is read only from content/_register.yml; "
                   "this one is ignored", hint)


def _kind(entry: os.DirEntry, rel: str) -> str:
    if entry.name == "_index.md":
        return "index" if rel.count("/") <= 1 else "nested index"
    if entry.name in DATA_FILES and "/" in rel:
        return "nested register"
    if entry.name.startswith("_") or rel in DATA_FILES or _is_folder(entry):
        return "skip"
    if os.path.splitext(entry.name)[1].lower() in ARTICLE_SUFFIXES:
        return "article"
    return "media" if is_media(entry.name) else "other"
