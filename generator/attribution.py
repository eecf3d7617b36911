"""Who reported what from whom: the outlets' names as one spelling, and the reports an
article says it is based on. The merge orders an event's reports by it (an original
before the reports derived from it, when their dates tie) and the compare stage prefers
an original's values to a copy's."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from .register import fold

if TYPE_CHECKING:
    from .models import Article, Body

BASED_ON_RE = re.compile(
    r"based on (?:reports?|reporting|information|material) (?:from|by) ([^.)\n]+)", re.I)
OUTLET_ALIASES = {"ap": "associatedpress", "apnews": "associatedpress",
                  "afp": "agencefrancepresse"}
SOURCE_SEPARATOR = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
LEADING_THE = re.compile(r"^the\s+", re.I)
OUTLET_DECORATION = re.compile(r"^the\s+|\.(com|org|net|co\.uk)$|www\.")
NOT_ALNUM = re.compile(r"[^a-z0-9]")


def derived_from(article: Article) -> tuple[str, ...]:
    """The reports an article is based on: `based_on`, or a closing line such as
    "(This article is based on reports from Reuters and the Associated Press)"."""
    return article.based_on or _based_on_line(article.content)


@lru_cache(maxsize=65536)
def _based_on_line(body: Body) -> tuple[str, ...]:
    """Cached by the compressed body: every note of an event asks about every article
    of it, and every timeline card of a tied event asks again, so each text is unpacked
    once. ASCII text without the words is passed over without the case-insensitive
    search, which is slow."""
    text = body.text
    if text.isascii() and "based on " not in text.lower():
        return ()
    match = BASED_ON_RE.search(text)
    if not match:
        return ()
    parts = SOURCE_SEPARATOR.split(match.group(1).strip())
    return tuple(LEADING_THE.sub("", p.strip()) for p in parts if p.strip())


@lru_cache(maxsize=4096)
def outlet_key(name: str) -> str:
    """ "The Associated Press", "AP" and "apnews.com" -> one spelling."""
    key = OUTLET_DECORATION.sub("", fold(name).strip())
    key = NOT_ALNUM.sub("", key)
    return OUTLET_ALIASES.get(key, key)


def derivation_depths(tied: Sequence[Article]) -> list[int]:
    """For reports whose dates cannot tell them apart: 0 for an original, 1 for a report
    based on another of them, 2 for one based on that, and so on, so that listing them
    by depth puts every original before the reports derived from it, and the reports of
    the least depth are the ones that may have come first. (Reports based on each other
    in a loop end at the same depth: none can be shown to have come before the others.)"""
    keys = [outlet_key(a.outlet) for a in tied]
    present = set(keys)
    named = [{outlet_key(name) for name in derived_from(a)} & present for a in tied]
    above = [[m for m, other in enumerate(keys) if other in named[k] and other != keys[k]]
             for k in range(len(tied))]
    depths = [0] * len(tied)
    for _ in range(len(tied)):  # (longest chain first found in at most n rounds)
        deeper = [1 + max((depths[m] for m in up), default=-1) for up in above]
        if deeper == depths:
            break
        depths = deeper
    return depths
