"""Images and documents kept beside the articles that show them (as Hugo's page bundles
and Zola's colocated assets): `content/storms/map.png` is published as
`media/storms/map.png`, and `![Map](map.png)` in `content/storms/elra.md` shows it.

An article is shown on its event page, `events/<id>/index.html`, so a link to a file
beside it is written relative to that page (`../../media/storms/map.png`): it works
under any base path, a GitHub Pages project site's `/<repo>/` included.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .errors import ContentError, warning
from .slugs import slug

MEDIA_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".pdf")
SCRIPTABLE = (".svg",)  # opened on its own, an SVG runs its scripts as the site's own page
FOLDER = "media"
FROM_EVENT_PAGE = "../../"  # events/<id>/index.html back to the site's root


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


def local_target(url: str, article_rel: str) -> str | None:
    """The content file a link in an article names, if it names a media file by a path
    relative to the article ("map.png", "./img/map.png", "../shared/map.png"); None for
    web addresses, site paths, anchors, other files and paths leading out of content/."""
    address = url.split("#", 1)[0].split("?", 1)[0]
    if not address or address.startswith(("/", "\\")) or ":" in address.split("/", 1)[0]:
        return None
    if not is_media(address):
        return None
    folder = posixpath.dirname(article_rel)
    target = posixpath.normpath(posixpath.join(folder, unquote(address)))
    if target == ".." or target.startswith("../") or "\\" in target:
        return None
    return target


def page_link(target: str) -> str:
    """The link an event page uses for a content file."""
    return FROM_EVENT_PAGE + published_path(target)


def checked(files: Iterable[MediaFile], trusted: bool) -> tuple[list[MediaFile],
                                                                   list[ContentError]]:
    """The files to publish, and why any other is not: an SVG from untrusted content
    (it can carry script), or two names that slug to one published path."""
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


def missing(article_rel: str, targets: Iterable[str], present: set[str],
            published: set[str]) -> Iterator[ContentError]:
    """A warning for each file the article links to that is not in the content folder (a
    file that is there but not published has its own warning)."""
    for target in targets:
        if target not in published and target not in present:
            yield warning(article_rel, None, f"links to '{target}', which is not in the "
                          "content folder", "put the file beside the article, or fix the link")


def outputs(files: Iterable[MediaFile]) -> Iterator[tuple[str, bytes]]:
    """(published path, bytes) of each file, read one at a time."""
    for file in files:
        yield published_path(file.rel), file.path.read_bytes()
