"""What one article alone offers the merge model, read where the article is parsed.

The evidence is computed in the parse workers and cached with the article, so the
corpus-wide merge only weighs and compares. It is kept packed: each feature list is one
string of joined feature names and one array of weights, a few kilobytes per article,
where the readable dicts of `entities.Features` take about twenty (two gigabytes at
100,000 articles). `similarity.build_corpus` unpacks it a row at a time into matrices.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .entities import Features, extract
from .headlines import Headline, headline
from .models import Article
from .spill import SpillFile, Where

SEPARATOR = "\x00"  # never in a feature: they are words, names, figures and quoted words


@dataclass(frozen=True, slots=True)
class Packed:
    """A feature list: weighted (a dict's items, in its order) or a set (sorted, weight 1)."""

    tokens: str = ""  # the features joined by SEPARATOR
    weights: bytes = b""  # a numpy type code, then one weight per feature; empty for a set

    @classmethod
    def of(cls, features: Mapping[str, float] | Iterable[str]) -> Packed:
        if isinstance(features, Mapping):
            values = np.fromiter(features.values(), dtype=np.float64, count=len(features))
            return cls(SEPARATOR.join(features), _narrowest(values))
        return cls(SEPARATOR.join(sorted(features)))

    def keys(self) -> list[str]:
        return self.tokens.split(SEPARATOR) if self.tokens else []

    def values(self) -> np.ndarray:
        if self.weights:
            kind = chr(self.weights[0])
            return np.frombuffer(self.weights, dtype=kind, offset=1).astype(np.float64)
        return np.ones(len(self.keys()))


def _narrowest(values: np.ndarray) -> bytes:
    """The weights as bytes, after their type code."""
    narrow = narrowest(values)
    return narrow.dtype.char.encode() + narrow.tobytes()


def narrowest(values: np.ndarray) -> np.ndarray:
    """Float64 weights in the smallest type that holds them exactly: most are word counts
    (one byte each instead of eight), a title weight of 1.5 needs a float."""
    for kind in "Bf":  # uint8, float32
        narrow = values.astype(kind)
        if np.array_equal(narrow, values):
            return narrow
    return values.astype(np.float64)  # (nan never equals itself)


@dataclass(frozen=True, slots=True)
class PackedFeatures:
    """entities.Features, packed field by field."""

    words: Packed
    title: Packed
    names: Packed
    full_names: Packed
    numbers: Packed
    quote_shingles: Packed

    @classmethod
    def of(cls, features: Features) -> PackedFeatures:
        return cls(Packed.of(features.words), Packed.of(features.title),
                   Packed.of(features.names), Packed.of(features.full_names),
                   Packed.of(features.numbers), Packed.of(features.quote_shingles))


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything the merge model reads from one article alone, so the corpus-wide merge
    only weighs and compares: its features, its headline's names, figures and shape, and
    the days its text names."""

    features: PackedFeatures
    headline: Headline
    mentioned: tuple[int, ...] = ()  # days the text names (proleptic ordinals), sorted


def evidence(article: Article, title_weight: float = 2.0) -> Evidence:
    """Read where the article is parsed: in the parse workers, cached with the article."""
    return Evidence(PackedFeatures.of(extract(article, title_weight)),
                    headline(article.title, article.text), mentioned_days(article))


MENTION_DAYS = 60  # a day named further back than this before publication is history
EXPLICIT = frozenset({"explicit", "token", "dateline"})  # not "on Sunday", "yesterday"


def mentioned_days(article: Article) -> tuple[int, ...]:
    """The calendar days an article's text names ("the Oct. 2 shooting", "on 13 November"),
    up to MENTION_DAYS before publication: a report weeks later names the day of the
    event it follows up. Weekdays ("on Sunday") are left out: every report of a weekend
    names its Saturday and Sunday."""
    published = article.published.date().toordinal() if article.published else None
    days = set()
    for found in article.dates:
        if found.kind in EXPLICIT and found.date.precision == "day" and found.date.year:
            day = found.date.to_date().toordinal()
            if published is None or published - MENTION_DAYS <= day <= published:
                days.add(day)
    return tuple(sorted(days))


class EvidenceByPath(Protocol):
    """Where the merge takes each article's evidence from (a dict, or `Spilled`)."""

    def pop(self, path: str, default: None = None) -> Evidence | None: ...

    def key(self, path: str) -> bytes | None:
        """A digest of the article's evidence (rowcache.py), None when unknown."""


def evidence_key(data: bytes) -> bytes:
    """What names an article's evidence: a digest of it as the parse worker pickled it."""
    return hashlib.blake2b(data, digest_size=KEY_BYTES).digest()


KEY_BYTES = 16


class Spilled:
    """Each article's evidence, pickled as the parse worker sent it, set aside in a
    temporary file (spill.SpillFile) from parsing until the merge weighs it: held in
    memory it would be the largest thing a build holds before the merge (400 MB at
    100,000 articles). The merge takes each out as it reads it.

    An article the parse cache gave back brings only its evidence's key (`defer`): after
    an edit the merge takes almost every row from its row cache and reads no evidence,
    so reading it all from the cache and filing it here cost a quarter of a second per
    10,000 articles for nothing. The first time the merge asks for such an article's
    evidence, `fetch` reads every deferred one (a shard of the cache at a time) into the
    file, as parsing would have."""

    def __init__(self, folder: Path | None = None):
        self.spill = SpillFile(folder)
        self.where: dict[str, Where] = {}
        self.keys: dict[str, bytes] = {}  # (kept after a pop: the merge's row cache asks)
        self.deferred: dict[str, str] = {}  # path -> where `fetch` finds its evidence
        self.fetch: Callable[[dict[str, str]], Iterable[tuple[str, bytes]]] | None = None
        # What works an article's evidence out again, from the article as parsed, when
        # the cache has lost it (`.dateline/` damaged, or a build stopped between the
        # cache's files): never from the merge's view, which lacks the dates it reads.
        self.recompute: Callable[[str], Evidence] | None = None
        self.lost: set[str] = set()  # deferred, and not found where `fetch` looked

    def add(self, path: str, data: bytes, key: bytes) -> None:
        """`key`: evidence_key(data), worked out by the parse worker."""
        self.where[path] = self.spill.put(data)
        self.keys[path] = key

    def defer(self, path: str, key: bytes, stored: str) -> None:
        """An article whose evidence (named `key`) `fetch` can read, under `stored`."""
        self.deferred[path] = stored
        self.keys[path] = key

    def key(self, path: str) -> bytes | None:
        return self.keys.get(path)

    def pop(self, path: str, default: None = None) -> Evidence | None:
        if path in self.deferred:
            self._fetch_deferred()
        found = self.where.pop(path, None)
        if found is not None:
            return pickle.loads(self.spill.get(found))
        if path in self.lost and self.recompute is not None:
            self.lost.discard(path)
            return self.recompute(path)
        return default

    def _fetch_deferred(self) -> None:
        wanted, self.deferred = self.deferred, {}
        for path, data in self.fetch(wanted) if self.fetch else ():
            self.where[path] = self.spill.put(data)
        self.lost = {path for path in wanted if path not in self.where}

    def close(self) -> None:
        self.spill.close()

    def __enter__(self) -> Spilled:
        return self

    def __exit__(self, *_) -> None:
        self.close()
