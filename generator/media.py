"""Images and documents kept beside the articles that show them (as Hugo's page bundles
and Zola's colocated assets): `content/storms/map.png` is published as
`media/storms/map.png`, and `![Map](map.png)` in `content/storms/elra.md` shows it.

The parse stage does not know where a page will sit, so it writes such links with a
mark (`dateline-media:media/storms/map.png`); the render stage replaces the mark with
the page's way back to the site's root (`from_root`), so the link works at any depth
and under any base path, a GitHub Pages project site's `/<repo>/` included. Untrusted
content cannot write the mark (`safe_link` refuses its scheme); trusted content that
does gets a relative link, since the mark is only ever replaced by the page's root.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .errors import BuildFailed, ContentError, Report, warning
from .slugs import slug

MEDIA_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".pdf")
SCRIPTABLE = (".svg",)  # opened on its own, an SVG runs its scripts as the site's own page
FOLDER = "media"
MARK = "dateline-media:"


@dataclass(frozen=True)
class MediaFile:
    path: Path  # on disk
    rel: str  # relative to the content folder, POSIX separators


def is_media(name: str) -> bool:
    return posixpath.splitext(name)[1].lower() in MEDIA_SUFFIXES


def published_path(rel: str) -> str:
    """Where a content file is published: each folder and the name slugged, the suffix
    lower-cased, so no name can shape a path outside `media/`."""
    *folders, name = rel.split("/")
    stem, suffix = posixpath.splitext(name)
    parts = [slug(f, 60, "folder") for f in folders] + [slug(stem, 80, "file") + suffix.lower()]
    return "/".join([FOLDER, *parts])


def local_target(url: str, article_rel: str) -> tuple[str, str] | None:
    """(the content file, the "?query#fragment" kept after it) a link in an article names
    by a path relative to the article ("map.png", "./img/map.png", "../shared/map.png",
    "forecast.pdf#page=3"); None for web addresses, site paths, other files and paths
    leading out of content/. The path is decoded before it is judged."""
    cut = min((k for k in (url.find("?"), url.find("#")) if k >= 0), default=len(url))
    address, rest = unquote(url[:cut]), url[cut:]
    if not address or address.startswith(("/", "\\")) or ":" in address.split("/", 1)[0]:
        return None
    if not is_media(address) or "\\" in address:
        return None
    folder = posixpath.dirname(article_rel)
    target = posixpath.normpath(posixpath.join(folder, address))
    if target == ".." or target.startswith(("../", "/")):
        return None
    return target, rest


def skipped(target: str) -> bool:
    """Files and folders whose names start with "_" or "." are never published."""
    return any(part.startswith(("_", ".")) for part in target.split("/"))


def marked_link(target: str, rest: str = "") -> str:
    """The link written into an article's HTML for a content file, until a page places it."""
    return MARK + published_path(target) + rest


def from_root(html: str, root: str) -> str:
    """An article's HTML with its marked links made relative to a page whose way back to
    the site's root is `root` ("../../"); other attributes (alt, title) are left as
    written."""
    if MARK not in html:
        return html
    return _MARKED.sub(lambda m: m.group(1) + root, html)


_MARKED = re.compile(r'(\s(?:src|href)=")' + re.escape(MARK))


def checked(files: Iterable[MediaFile], trusted: bool) -> tuple[list[MediaFile],
                                                                   list[ContentError]]:
    """The files that may be published, and why any other may not: an SVG from untrusted
    content (it can carry script), or two names that slug to one published path."""
    keep: list[MediaFile] = []
    problems: list[ContentError] = []
    owners: dict[str, str] = {}
    for file in files:
        if file.rel.lower().endswith(SCRIPTABLE) and not trusted:
            problems.append(warning(file.rel, None, "SVG images can carry scripts; not "
                                    "published from untrusted content",
                                    "save it as PNG, or set trusted_html = true in site.toml "
                                    "if you wrote it yourself"))
            continue
        path = published_path(file.rel)
        if owners.setdefault(path, file.rel) != file.rel:
            problems.append(ContentError(file.rel, None, f"'{owners[path]}' and this file "
                                         f"would both be published as {path}",
                                         "rename one of the two"))
            continue
        keep.append(file)
    return keep, problems


Links = Sequence[tuple[str, int | None]]  # (content file linked to, line of the link)


def to_publish(files: Sequence[MediaFile], links: Iterable[tuple[str, Links]],
               trusted: bool, drafted: Iterable[str] = ()
               ) -> tuple[list[MediaFile], list[ContentError]]:
    """The files that published pages link to (`links`: each article's or story index's
    path and the files it links to, with the line of each link), and a problem for
    everything else: a file nothing published links to stays out (a memo left beside
    the articles), a link to a file that is not there is named on its line. A draft's
    attachments (`drafted`) stay out quietly, as the draft does."""
    allowed, problems = checked(files, trusted)
    by_path = {published_path(f.rel): f for f in allowed}
    refused = {published_path(f.rel) for f in files} - by_path.keys()
    linked: set[str] = set()
    for source, targets in links:
        for target, line in targets:
            path = published_path(target)
            if not skipped(target):
                linked.add(path)
            if skipped(target) or (path not in by_path and path not in refused):
                problems.append(_unpublished(source, line, target))
    waiting = {published_path(target) for target in drafted}
    for path, file in by_path.items():
        if path not in linked and path not in waiting:
            problems.append(warning(file.rel, None, "no published article or story links "
                                    "to this file; not published", "link it from an article, as "
                                    "![description](name), or move it out of content/"))
    return [f for p, f in by_path.items() if p in linked and _readable(f, problems)], problems


def _unpublished(article_rel: str, line: int | None, target: str) -> ContentError:
    if skipped(target):
        return warning(article_rel, line, f"links to '{target}', but files and folders "
                       "whose names start with '_' or '.' are not published",
                       "rename the file or its folder")
    return warning(article_rel, line, f"links to '{target}', which is not in the content "
                   "folder", "put the file beside the article, or fix the link")


def _readable(file: MediaFile, problems: list[ContentError]) -> bool:
    try:
        with file.path.open("rb"):
            return True
    except OSError as exc:
        problems.append(_unreadable(file, exc))
        return False


def _unreadable(file: MediaFile, exc: OSError) -> ContentError:
    return ContentError(file.rel, None, f"cannot be read: {exc.strerror or exc}",
                        "check that the file exists and is readable")


def outputs(files: Iterable[MediaFile]) -> Iterator[tuple[str, bytes]]:
    """(published path, bytes) of each file, read one at a time. A file that vanished
    since it was found (an editor saving by rename) fails the build, naming it."""
    for file in files:
        try:
            data = file.path.read_bytes()
        except OSError as exc:
            raise BuildFailed(Report([_unreadable(file, exc)])) from exc
        yield published_path(file.rel), data
