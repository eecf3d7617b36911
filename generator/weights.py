"""Corpus weighting: each kind of evidence as a sparse matrix, one row per article.

Rows are added one article at a time (`Rows`), so a build never holds every article's
evidence and its matrix at once; the matrices are then weighed in place: TF-IDF over
the corpus being built, an outlet's boilerplate weighed down, rows normalised, rare
full names weighted by how few articles share them.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

from .evidence import Packed


class _Numbering(dict):
    """feature -> the number of features seen before it first appeared."""

    def __missing__(self, feature: str) -> int:
        self[feature] = number = len(self)
        return number


class Rows:
    """A sparse matrix built a row at a time, in growing buffers that numpy then reads
    without a copy (a list of per-row arrays costs a hundred bytes a row, and as much
    again as the matrix when it is joined). Each feature is numbered as first seen (a
    dict lookup driven by map: Python code runs only for a new feature), then by its
    rank in the sorted vocabulary, so columns never depend on the order of rows."""

    def __init__(self, weighted: bool = True) -> None:
        self.seen = _Numbering()
        self.columns = array("i")  # int32: up to two billion distinct features
        self.data = array("d") if weighted else None  # sets have no weights to keep
        self.lengths = array("q")

    @classmethod
    def of(cls, rows: Iterable[Packed], weighted: bool = True) -> Rows:
        built = cls(weighted)
        for row in rows:
            built.add(row)
        return built

    def add(self, row: Packed) -> None:
        keys = row.keys()
        self.columns.extend(map(self.seen.__getitem__, keys))
        if self.data is not None:
            self.data.frombytes(row.values().tobytes())
        self.lengths.append(len(keys))

    def matrix(self) -> tuple[sparse.csr_matrix, tuple[str, ...]]:
        """The rows as a canonical CSR matrix over the sorted vocabulary; the builder is
        spent."""
        vocab = tuple(sorted(self.seen))
        rank = np.zeros(len(vocab), dtype=np.int32)
        rank[np.fromiter(map(self.seen.__getitem__, vocab), np.int64, len(vocab))] = \
            np.arange(len(vocab))
        self.seen = _Numbering()
        columns = np.frombuffer(self.columns, dtype=np.int32) if self.columns else \
            np.empty(0, np.int32)
        for lo in range(0, len(columns), SLICE):  # in place: occurrence -> rank
            columns[lo:lo + SLICE] = rank[columns[lo:lo + SLICE]]
        indptr = np.zeros(len(self.lengths) + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(self.lengths, dtype=np.int64), out=indptr[1:])
        if self.data is None:
            data = np.ones(len(columns))
        else:
            data = np.frombuffer(self.data, dtype=np.float64) if self.data else np.empty(0)
        matrix = sparse.csr_matrix((data, columns, indptr), shape=(len(self.lengths), len(vocab)))
        matrix.sort_indices()
        return matrix, vocab


def tfidf(matrix: sparse.csr_matrix, vocab: tuple[str, ...]
          ) -> tuple[sparse.csr_matrix, tuple[str, ...]]:
    """Sublinear TF-IDF rows of raw counts (over `vocab`, which passes through), then
    L2-normalised. Weighed in place, a slice at a time: at 100,000 articles a temporary
    the size of the matrix is a hundred megabytes."""
    df = np.bincount(matrix.indices, minlength=len(vocab))
    idf = np.log((matrix.shape[0] + 1) / (df + 1)) + 1.0
    for lo in range(0, matrix.nnz, SLICE):
        counts = matrix.data[lo:lo + SLICE]
        # Counts take few distinct values: math.log on each, so results never depend on
        # numpy's vectorised log (which may differ in the last bit).
        values, inverse = np.unique(counts, return_inverse=True)
        counts[:] = np.array([1.0 + math.log(v) if v >= 1 else v for v in values.tolist()],
                             dtype=np.float64)[inverse]
        counts *= idf[matrix.indices[lo:lo + SLICE]]
    return normalise(matrix), vocab


SLICE = 1 << 18  # entries weighed at a time


RARE_SHARE = 0.05  # a name in more of the corpus than this is not rare, however few that is


def rarity(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """A 0/1 membership matrix reweighted so that the product of two rows sums, over the
    features both have, 1 / (number of other articles with the feature) squared: a full
    name only these two articles mention ("Destiny McNichols", "Seaman Street") counts 1,
    one a third article also gives 0.25, one ten articles share 0.01.

    News names its victims, streets and officials in every report of an event, whichever
    day it is written; two events of one running story rarely share a name that the rest
    of the corpus lacks, and an outlet's template names are in all of its articles."""
    frequency = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
    rare = (frequency >= 2) & (frequency <= RARE_SHARE * matrix.shape[0])
    weight = np.where(rare, 1.0 / np.maximum(frequency - 1.0, 1.0), 0.0)  # squared by the product
    scaled = sparse.csr_matrix(matrix @ sparse.diags(weight))
    scaled.sum_duplicates()
    return scaled


def normalise(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit length, in place (every caller hands over a matrix of its own),
    canonical (sorted, no zeros or duplicates), which makes scipy's pairwise products 1.5x
    faster. Each norm is summed in column order, as scipy's own row sums do; rows are
    taken a block at a time so that no temporary is the size of the matrix."""
    matrix.sum_duplicates()
    indptr, ones = matrix.indptr, np.ones(matrix.shape[1])
    for first in range(0, matrix.shape[0], ROWS):
        last = min(first + ROWS, matrix.shape[0])
        lo, hi = indptr[first], indptr[last]
        values = matrix.data[lo:hi]
        squares = sparse.csr_matrix((values * values, matrix.indices[lo:hi],
                                     indptr[first:last + 1] - lo), shape=(last - first, len(ones)))
        norms = np.sqrt(squares @ ones)
        norms[norms == 0] = 1.0
        values *= np.repeat(1.0 / norms, np.diff(indptr[first:last + 1]))
    matrix.eliminate_zeros()
    return matrix


ROWS = 8_192  # rows normalised at a time


def without_boilerplate(matrix: sparse.csr_matrix, outlets: Sequence[str],
                        min_articles: int = 3) -> sparse.csr_matrix:
    """Down-weight what an outlet puts in most of its articles (station names, bylines,
    "Updated:" lines): it makes two stories from one outlet look alike. In place.

    Each entry is scaled by 1 - the share of the outlet's *other* articles that contain
    the feature, for outlets with at least `min_articles` articles.
    """
    if matrix.nnz == 0:
        return matrix
    names = sorted(set(outlets))
    index = {name: k for k, name in enumerate(names)}
    owner = np.array([index[o] for o in outlets], dtype=np.int64)
    sizes = np.bincount(owner, minlength=len(names))
    by_outlet = np.argsort(owner, kind="stable")
    ends = np.cumsum(sizes)
    for outlet in np.flatnonzero((sizes >= min_articles) & (np.array(names) != "")).tolist():
        at = _entries(matrix.indptr, by_outlet[ends[outlet] - sizes[outlet]:ends[outlet]])
        # How many of the outlet's articles contain each of its features: one sort, no lookups.
        _, inverse, counts = np.unique(matrix.indices[at], return_inverse=True,
                                       return_counts=True)
        others = (counts[inverse] - 1) / max(sizes[outlet] - 1, 1)
        matrix.data[at] *= 1.0 - np.clip(others, 0.0, 1.0)
    return normalise(matrix)


def _entries(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions in a CSR matrix's data of every entry of these rows, in row order."""
    return ranges(indptr[rows], indptr[rows + 1] - indptr[rows])


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """start, start + 1, ..., start + length - 1 for each (start, length), joined."""
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return offsets + np.arange(lengths.sum())
