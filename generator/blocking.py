"""Blocking: the candidate pairs worth scoring, near-linear in the number of articles.

Each article is filed under its most distinctive words and names; two articles are
candidates when they share a key and their dates are close, at most `cap` apart in the
key's date-sorted list so that one very common key cannot make the cost quadratic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .similarity import Corpus
from .weights import ranges


@dataclass(frozen=True)
class Tops:
    """Each row's `per_row` heaviest entries (its most distinctive features), as positions
    within the row, rows one after another. Positions, not columns: a row with the same
    weights in the same order has the same tops however the columns are numbered, so a
    rebuild takes an unchanged article's from the last build (rescore.tops_with_memo)."""

    counts: np.ndarray  # int32 per row
    positions: np.ndarray  # int32, row after row

    def columns(self, matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every top entry."""
        rows = np.repeat(np.arange(len(self.counts), dtype=np.int32), self.counts)
        starts = np.repeat(matrix.indptr[:-1].astype(np.int64), self.counts)
        return rows, matrix.indices[starts + self.positions].astype(np.int32)


def top_positions(matrix: sparse.csr_matrix, per_row: int, rows: Iterable[int]
                  ) -> list[np.ndarray]:
    """For each of `rows`, the positions of its heaviest entries; ties are broken by
    column, so that the choice does not depend on input order."""
    found = []
    for r in rows:
        lo, hi = matrix.indptr[r], matrix.indptr[r + 1]
        if hi - lo > per_row:
            keep = np.lexsort((matrix.indices[lo:hi], -matrix.data[lo:hi]))[:per_row]
        else:
            keep = np.arange(hi - lo)
        found.append(keep.astype(np.int32))
    return found


def joined(positions: Sequence[np.ndarray]) -> Tops:
    counts = np.array([len(p) for p in positions], dtype=np.int32)
    flat = np.concatenate(positions).astype(np.int32) if len(positions) else \
        np.empty(0, np.int32)
    return Tops(counts, flat)


BLOCKED = ("words", "names")  # the matrices whose top features are blocking keys


def block_entries(corpus: Corpus, per_article: int, found: dict[str, Tops] | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(article, key) pairs: each article is filed under its distinctive words and names.
    `found`: each matrix's tops when already known (else they are worked out here)."""
    if found is None:
        found = {name: joined(top_positions(getattr(corpus, name), per_article,
                                            range(len(corpus.outlets)))) for name in BLOCKED}
    w_doc, w_key = found["words"].columns(corpus.words)
    n_doc, n_key = found["names"].columns(corpus.names)
    offset = len(corpus.word_vocab)
    return np.concatenate([w_doc, n_doc]), np.concatenate([w_key, n_key + offset])


class PairCodes:
    """Unique pairs (i < j) as codes i * n + j, made unique as they come: one article filed
    under forty keys meets its neighbours under many of them, and keeping every repeat until
    the end would hold several times the candidates (gigabytes at 100,000 articles).

    The unique codes are kept in buckets by i, so that merging new codes in copies one
    bucket at a time, never all twenty million codes of a 100k archive at once."""

    PENDING = 1 << 20  # codes gathered before they are merged into the unique ones, or
    SHARE = 8  # this fraction of the unique ones when more (each merge copies those)
    BUCKETS = 64

    def __init__(self, n: int, buckets: int = BUCKETS, pending: int = PENDING):
        self.n, self.least = n, pending
        self.width = max(1, -(-n // buckets)) * n  # code span of one bucket
        self.buckets = [np.empty(0, np.int64) for _ in range(buckets)]
        self.pending: list[np.ndarray] = []
        self.size = self.total = 0

    def add(self, a: np.ndarray, b: np.ndarray) -> None:
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        differ = lo != hi
        codes = lo[differ].astype(np.int64) * self.n + hi[differ]
        self.pending.append(codes)
        self.size += len(codes)
        if self.size >= max(self.least, self.total // self.SHARE):
            self._compact()

    def codes(self) -> Codes:
        self._compact()
        found, self.buckets, self.total = Codes(self.buckets), [], 0
        return found

    def _compact(self) -> None:
        """The new codes, sorted and unique (sort + neighbours: numpy's hashed unique is
        50x slower), inserted into their buckets without re-sorting them."""
        if not self.pending:
            return
        new = np.sort(np.concatenate(self.pending))
        new = new[np.r_[True, new[1:] != new[:-1]][:len(new)]]
        self.pending, self.size = [], 0
        edges = np.searchsorted(new, np.arange(len(self.buckets) + 1) * self.width)
        for k in np.flatnonzero(np.diff(edges)).tolist():
            self.total -= len(self.buckets[k])
            self.buckets[k] = _insert_sorted(self.buckets[k], new[edges[k]:edges[k + 1]])
            self.total += len(self.buckets[k])


class Codes:
    """The unique codes, sorted, left in their buckets: a 100k archive's twenty million
    codes are read a slice at a time (`take`) and never copied into one array."""

    def __init__(self, buckets: list[np.ndarray]):
        self.buckets = [b for b in buckets if len(b)]
        self.starts = np.cumsum([0] + [len(b) for b in self.buckets])

    def __len__(self) -> int:
        return int(self.starts[-1])

    def take(self, start: int, stop: int) -> np.ndarray:
        """The codes at positions start..stop of the sorted whole."""
        parts = []
        for k in range(max(int(np.searchsorted(self.starts, start, "right")) - 1, 0),
                       len(self.buckets)):
            if self.starts[k] >= stop:
                break
            first = self.starts[k]
            parts.append(self.buckets[k][max(start - first, 0):stop - first])
        return np.concatenate(parts) if parts else np.empty(0, np.int64)


def _insert_sorted(unique: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Two sorted unique arrays as one, without re-sorting."""
    at = np.searchsorted(unique, new)
    known = unique[np.minimum(at, len(unique) - 1)] == new if len(unique) else \
        np.zeros(len(new), dtype=bool)
    return np.insert(unique, at[~known], new[~known])


def dated_pairs(doc: np.ndarray, key: np.ndarray, day: np.ndarray, window: float, cap: int,
                into: PairCodes) -> None:
    """Pairs sharing a key whose dates are within `window` days, at most `cap` apart in the
    key's date-sorted posting list, so one very common key cannot make the cost quadratic.

    One offset at a time: making every entry's pairs at once in blocks was 0.1 s faster at
    10,000 articles with blocks of four million pairs, which raised the build's peak
    memory by 170 MB, and no faster with blocks small enough not to."""
    order = np.lexsort((doc, day, key))
    doc, key, day = doc[order], key[order], day[order]
    active = np.arange(len(doc) - 1)
    for offset in range(1, cap + 1):
        active = active[active + offset < len(doc)]
        ok = (key[active + offset] == key[active]) & (day[active + offset] - day[active] <= window)
        active = active[ok]
        if len(active) == 0:
            break
        into.add(doc[active], doc[active + offset])


def undated_pairs(doc: np.ndarray, key: np.ndarray, dated_doc: np.ndarray,
                  dated_key: np.ndarray, cap: int, into: PairCodes) -> None:
    """Articles without a known year pair with the first `cap` dated articles that share a
    key, and with each other as dated ones do (`cap` apart in the key's list); the date
    check after scoring uses month and day."""
    if len(doc) == 0:
        return
    order = np.lexsort((dated_doc, dated_key))
    dated_doc, dated_key = dated_doc[order], dated_key[order]
    first = np.searchsorted(dated_key, key, "left")
    counts = np.minimum(np.searchsorted(dated_key, key, "right") - first, cap)
    into.add(np.repeat(doc, counts), dated_doc[ranges(first, counts)])
    dated_pairs(doc, key, np.zeros(len(doc), np.int32), 0, cap, into)


def candidate_codes(corpus: Corpus, window: float, per_article: int, cap: int,
                    found: dict[str, Tops] | None = None) -> Codes:
    """Unique pairs (i < j) that share a distinctive key and may be close in date, sorted,
    each as the code i * n + j (n articles): half the memory of two index arrays.
    `found`: the blocked matrices' tops, when already known."""
    doc, key = block_entries(corpus, per_article, found)
    day = corpus.days[doc]
    dated = ~np.isnan(day)
    found = PairCodes(len(corpus.outlets))
    dated_pairs(doc[dated], key[dated], day[dated].astype(np.int32), window, cap, found)
    undated_pairs(doc[~dated], key[~dated], doc[dated], key[dated], cap, found)
    del doc, key, day, dated
    return found.codes()
