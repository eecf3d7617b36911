"""Negative evidence from headlines: same shape, different place or figure.

Recurring events read alike: "Power cuts hit Dnipro after attack on grid" and "Power
cuts hit Vilnius after attack on grid", "US adds 943,000 jobs in July" and "US adds
235,000 jobs in August". Word overlap says "same"; the one place or figure that differs
says "different event". Reports of one event rarely put different places or different
figures in otherwise similar headlines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*([kKmMbB]n?|million|billion)?\b")
NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)*\b")
SCALE = {"k": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
TITLE_CASE_SHARE = 0.6  # above this share of capitalised words, capitals say nothing


@dataclass(frozen=True, slots=True)
class Headline:
    """Sorted tuples, not sets: a hundred thousand of them are held through the merge, and
    an empty frozenset alone takes more memory than most of these tuples."""

    names: tuple[str, ...]  # capitalised words past the first, in sentence-case headlines
    figures_written: tuple[str, ...]  # the figures as written, to look for in other texts
    figures: tuple[float, ...]
    shape: tuple[str, ...]  # the other words: what a recurring headline keeps


def headline(title: str, text: str = "") -> Headline:
    """The headline's names, figures and shape; `text` (the report) tells whether a
    capitalised first word is a name ("Kyiv pledges …") or just the sentence's start."""
    names, figures = _names(title, text), _figures(title)
    written = tuple(sorted({m.group(1) for m in NUMBER.finditer(title)}))
    shape = {w for w in WORD.findall(title) if w[0].islower()} - STOP
    return Headline(tuple(sorted(names)), written, tuple(sorted(figures)), tuple(sorted(shape)))


WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
STOP = frozenset({"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "as", "by",
                  "with", "from", "after", "over", "is", "are", "was", "were", "be", "new"})


def _names(title: str, text: str) -> frozenset[str]:
    words = title.split()
    if len(words) < 3:
        return frozenset()
    capitalised = [w for w in words[1:] if w[:1].isupper()]
    if len(capitalised) / (len(words) - 1) > TITLE_CASE_SHARE:
        return frozenset()  # Title Case Headline: every word is capitalised
    names = {m.group(0) for m in NAME.finditer(" ".join(words[1:]))}
    first = NAME.match(words[0].strip(":,"))
    if first and re.search(rf"[a-z,] {re.escape(first.group(0))}\b", text):
        names.add(first.group(0))  # used as a name mid-sentence in the report itself
    return frozenset(names)


def _figures(title: str) -> frozenset[float]:
    found = set()
    for match in NUMBER.finditer(title):
        value = float(match.group(1).replace(",", ""))
        if 1900 <= value <= 2100 and "," not in match.group(1) and not match.group(2):
            continue  # a year is context, not the event's figure
        found.add(value * SCALE.get((match.group(2) or "").lower(), 1.0))
    return frozenset(found)


SAME_SHAPE = 0.6  # share of shape words from which two headlines read as one template


def conflicts(headlines: Sequence[Headline], texts: Sequence[str], i: np.ndarray,
              j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(place conflict, figure conflict) per pair, each 0.0 or 1.0.

    Only for headlines of one shape. A name conflict: the headlines' names are disjoint,
    or each names someone or somewhere the other report never mentions at all; a figure
    conflict: the headlines' figures are disjoint and neither report mentions the other's.
    Reports of one event mention each other's specifics even when their headlines differ;
    two occurrences of a recurring event do not.
    """
    place = np.zeros(len(i))
    figure = np.zeros(len(i))
    lacks = _Mentions(texts).lacks
    for k in np.flatnonzero(_shape_overlap(headlines, i, j) >= SAME_SHAPE).tolist():
        a, b = int(i[k]), int(j[k])
        first, second = headlines[a], headlines[b]
        disjoint = first.names and second.names and set(first.names).isdisjoint(second.names)
        if disjoint or (lacks(first.names, b) and lacks(second.names, a)):
            place[k] = 1.0
        apart = first.figures and second.figures and set(first.figures).isdisjoint(second.figures)
        if apart and lacks(first.figures_written, b) and lacks(second.figures_written, a):
            figure[k] = 1.0
    return place, figure


TEXTS_KEPT = 2048


class _Mentions:
    """Whether a text mentions an item, remembered: one report is paired with many others
    whose headlines carry the same few names and figures."""

    def __init__(self, texts: Sequence[str]):
        # The texts are made on demand (unpacked from their compressed form): the last
        # few thousand are kept, as a report's pairs come close together.
        self.text = lru_cache(maxsize=TEXTS_KEPT)(texts.__getitem__)
        self.known: dict[tuple[str, int], bool] = {}

    def lacks(self, items, index: int) -> bool:
        """Some item is nowhere in the text (figures as whole numbers: "12" is not in "2012")."""
        return any(not self.mentions(item, index) for item in items)

    def mentions(self, item: str, index: int) -> bool:
        found = self.known.get((item, index))
        if found is None:
            text = self.text(index)
            found = item in text and _whole(item).search(text) is not None
            self.known[item, index] = found
        return found


@lru_cache(maxsize=4096)
def _whole(item: str) -> re.Pattern:
    return re.compile(rf"(?<![\w.,]){re.escape(item)}(?![\w]|[.,]\d)")


def _shape_overlap(headlines: Sequence[Headline], i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Jaccard overlap of the shape words of each pair's headlines (0 when one has none),
    as sparse products: the pairs run to the hundreds of thousands, same shapes are rare."""
    from scipy import sparse  # (here: a build that reuses its last merge never loads it)

    vocab: dict[str, int] = {}
    cols = [vocab.setdefault(w, len(vocab)) for h in headlines for w in h.shape]
    indptr = np.cumsum([0] + [len(h.shape) for h in headlines])
    shapes = sparse.csr_matrix((np.ones(len(cols)), cols, indptr),
                               shape=(len(headlines), len(vocab)))
    sizes = np.diff(indptr).astype(np.float64)
    shared = np.asarray(shapes[i].multiply(shapes[j]).sum(axis=1)).ravel()
    union = sizes[i] + sizes[j] - shared
    empty = (sizes[i] == 0) | (sizes[j] == 0)
    return np.where(empty, 0.0, shared / np.maximum(union, 1.0))
