"""Pair scores kept from the previous build: after an edit, only the pairs that could
have changed are scored again, and the result is exactly what scoring every pair gives.

A pair's score reads the two articles (their text, dates and outlet: everything in the
article's merge view) and their rows of the corpus matrices, whose weights also carry
corpus-wide statistics (document frequencies, an outlet's boilerplate, name rarity),
plus the corpus background floors. So after a build, each article gets two fingerprints:

- its *row*: its merge view's digest and the weights of its rows in every matrix, in
  column order (the columns are the vocabulary sorted, so a row's order depends on its
  own features only): equal fingerprints mean every score it takes part in is equal;
- its *partners*: which articles blocking made it a candidate with, by path.

The next build, with the same settings and floors, scores again only the candidate pairs
with an end whose row or partners changed (an edited article, a row reweighed by a
moved document frequency, an article whose blocking neighbours moved). Any other
candidate pair joins two unchanged rows that were candidates before, so its old score
stands: kept if it was an edge, and still below `MIN_EDGE` if it was not. Fingerprints
are 64-bit sums of mixed 64-bit hashes; two different rows agreeing by chance is about
as likely as two different files sharing a 64-bit checksum.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .blocking import BLOCKED, Codes, Tops, top_positions
from .models import Event, MergeReason
from .rowcache import RowMemo
from .similarity import Corpus
from .weights import ranges

MATRICES = ("words", "names", "titles", "numbers", "quotes", "rare_names")
MOST_CHANGED = 0.25  # past this share of rows changed, scoring everything is as quick
MASK = (1 << 64) - 1


@dataclass(frozen=True)
class ScoreState:
    """What one build's scoring leaves for the next: fingerprints and edges by path."""

    paths: tuple[str, ...]
    rows: np.ndarray  # uint64 per article
    partners: np.ndarray  # uint64 per article
    floors: tuple[float | None, float | None]
    i: np.ndarray  # edges, as indices into paths (i < j), in code order
    j: np.ndarray
    p: np.ndarray
    reasons: dict[tuple[str, ...], MergeReason] = field(default_factory=dict)  # by members
    # Each event as merge.assemble made it, without articles and reason, by members: with
    # the members' view digests it was made from and the problems it found.
    assembled: dict[tuple[str, ...], tuple[tuple[str, ...], Event, tuple]] = \
        field(default_factory=dict)
    tops: dict[str, Tops] = field(default_factory=dict)  # blocking's, per matrix (by paths)
    background: dict[str, np.ndarray | None] = field(default_factory=dict)  # cosines, per matrix


class ScoreMemo:
    """The previous build's state going in (None: score everything), this build's coming
    out (`current`, for the cache to keep). `tokens`: each article's merge-view digest,
    by path (cache.BuildCache already has them). `rows`: where the last merge's raw
    matrix rows are kept (rowcache.py)."""

    def __init__(self, previous: ScoreState | None, tokens: Mapping[str, str],
                 rows: RowMemo | None = None):
        self.previous, self.tokens, self.rows = previous, tokens, rows
        self.current: ScoreState | None = None
        self.changed: np.ndarray | None = None  # articles whose pairs were scored again
        self.rescored: int | None = None  # edges among the pairs scored again (None: all were)
        self.explained: int | None = None  # groups of several articles explained again
        self.fingerprints: np.ndarray | None = None  # this build's row fingerprints
        self.tops: dict[str, Tops] = {}  # this build's blocking tops, once known
        self.background: dict[str, np.ndarray | None] = {}  # this build's background cosines


Score = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


def score_with_memo(memo: ScoreMemo, paths: Sequence[str], corpus: Corpus, codes: Codes,
                    floors: tuple, score: Score, slice_size: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, probability) of the edges, as `score(mask)` over all codes would give them.
    `score(mask)` scores the candidate codes whose articles are marked in `mask` (all of
    them for None) and returns their edges."""
    rows = memo.fingerprints if memo.fingerprints is not None else \
        row_fingerprints(corpus, [memo.tokens[p] for p in paths])
    partners = partner_fingerprints(codes, path_hashes(paths), slice_size)
    changed = memo.changed = _changed(memo.previous, paths, rows, partners, floors)
    if changed is None:
        i, j, p = score(None)
    else:
        fresh = score(changed)
        i, j, p = _combine(fresh, _kept(memo.previous, paths, changed), len(paths))
        memo.rescored = len(fresh[0])
    memo.current = ScoreState(tuple(paths), rows, partners, floors, i, j, p, tops=memo.tops,
                              background=memo.background)
    return i, j, p


def explain_with_memo(memo: ScoreMemo, paths: Sequence[str], groups: Sequence[tuple[int, ...]],
                      explain: Callable[[tuple[int, ...]], MergeReason]) -> list[MergeReason]:
    """Each group's merge reason: the previous build's when the group has the same
    articles and none of them changed (so every pair among them, and every row the
    reason reads, is as it was), else `explain(group)`. Call after `score_with_memo`."""
    changed = memo.changed
    old = memo.previous.reasons if memo.previous is not None and changed is not None else {}
    reasons, kept = [], 0
    for group in groups:
        found = old.get(tuple(paths[k] for k in group))
        if found is not None and not changed[list(group)].any():
            reasons.append(found)
            kept += 1
        else:
            reasons.append(explain(group))
    memo.explained = sum(1 for group in groups if len(group) > 1) - kept
    memo.current = replace(memo.current, reasons={
        tuple(paths[k] for k in group): reason
        for group, reason in zip(groups, reasons, strict=True) if len(group) > 1})
    return reasons


def background_with_memo(memo: ScoreMemo, paths: Sequence[str], corpus: Corpus,
                         cosines_of: Callable) -> dict[str, np.ndarray | None]:
    """The background cosines (cluster.background_cosines) of the words and names: with
    the same articles in the same order as the last build, its cosines stand for the
    pairs of two rows with unchanged fingerprints. Call after `tops_with_memo`."""
    previous, rows = memo.previous, memo.fingerprints
    same = previous is not None and rows is not None and previous.paths == tuple(paths) \
        and _whole(previous)
    changed = previous.rows != rows if same else None
    for name in BACKGROUND:
        old = previous.background.get(name) if same else None
        kept = (old, changed) if isinstance(old, np.ndarray) else None
        memo.background[name] = cosines_of(getattr(corpus, name), kept=kept)
    return memo.background


BACKGROUND = ("words", "names")  # the matrices whose background the scores read


def _changed(previous: ScoreState | None, paths: Sequence[str], rows: np.ndarray,
             partners: np.ndarray, floors: tuple) -> np.ndarray | None:
    """Which articles' pairs must be scored again; None when all must."""
    if previous is None or previous.floors != floors or not _whole(previous):
        return None
    old = {path: k for k, path in enumerate(previous.paths)}
    at = np.array([old.get(path, -1) for path in paths], dtype=np.int64)
    known = at >= 0
    changed = ~known
    changed[known] = (previous.rows[at[known]] != rows[known]) | \
        (previous.partners[at[known]] != partners[known])
    if changed.sum() > MOST_CHANGED * max(len(paths), 1):
        return None
    return changed


def _whole(state: ScoreState) -> bool:
    """The state is one build's, in one piece (a damaged cache entry is not used)."""
    n = len(state.paths)
    return (len(state.rows) == len(state.partners) == n
            and len(state.i) == len(state.j) == len(state.p)
            and (len(state.i) == 0 or (min(state.i.min(), state.j.min()) >= 0
                                       and max(state.i.max(), state.j.max()) < n)))


def _kept(previous: ScoreState, paths: Sequence[str], changed: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The old edges between two unchanged articles, in this build's numbering."""
    new = {path: k for k, path in enumerate(paths)}
    index = np.array([new.get(path, -1) for path in previous.paths], dtype=np.int64)
    a, b = index[previous.i], index[previous.j]
    keep = (a >= 0) & (b >= 0)
    keep[keep] = ~changed[a[keep]] & ~changed[b[keep]]
    return a[keep], b[keep], previous.p[keep]


def _combine(first: tuple, second: tuple, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both edge lists as one, in code order (i * n + j), as scoring all codes gives."""
    i = np.concatenate([first[0], second[0]]).astype(np.int64)
    j = np.concatenate([first[1], second[1]]).astype(np.int64)
    p = np.concatenate([first[2], second[2]])
    order = np.argsort(i * n + j, kind="stable")
    return i[order], j[order], p[order]


def row_fingerprints(corpus: Corpus, tokens: Sequence[str]) -> np.ndarray:
    """Per article: its merge view's digest mixed with every weight of its matrix rows,
    a block of rows at a time (at 100,000 articles a temporary the size of the words
    matrix is a few hundred megabytes)."""
    found = _mix(np.array([int(t[:16], 16) for t in tokens], dtype=np.uint64))
    for number, name in enumerate(MATRICES, 1):
        matrix, salt = getattr(corpus, name), np.uint64(2 * number + 1)
        for first in range(0, len(found), ROWS):
            last = min(first + ROWS, len(found))
            indptr = matrix.indptr[first:last + 1]
            lo, hi = int(indptr[0]), int(indptr[-1])
            position = np.arange(hi - lo, dtype=np.uint64) - \
                np.repeat(indptr[:-1] - lo, np.diff(indptr)).astype(np.uint64)
            bits = np.ascontiguousarray(matrix.data[lo:hi], dtype=np.float64).view(np.uint64)
            entries = _mix(bits ^ _mix(position * salt))
            found[first:last] += _row_sums(entries, indptr - lo) * salt
    return found


ROWS = 8_192  # rows fingerprinted at a time


def path_hashes(paths: Sequence[str]) -> np.ndarray:
    return np.array([int.from_bytes(hashlib.blake2b(p.encode(), digest_size=8).digest(),
                                    "little") for p in paths], dtype=np.uint64)


def partner_fingerprints(codes: Codes, hashes: np.ndarray, slice_size: int) -> np.ndarray:
    """Per article: the sum of its candidate partners' path hashes (mod 2**64), a slice
    of codes at a time. The sums are taken in 16-bit parts with float bincounts, exact
    below 2**53, since numpy has no unsigned scatter-add that is also fast."""
    n = len(hashes)
    parts = np.zeros((4, n), dtype=np.float64)
    for start in range(0, len(codes), slice_size):
        taken = codes.take(start, start + slice_size)
        i, j = taken // n, taken % n
        for side, other in ((i, j), (j, i)):
            for part in range(4):
                chunk = (hashes[other] >> np.uint64(16 * part)) & np.uint64(0xFFFF)
                parts[part] += np.bincount(side, weights=chunk.astype(np.float64), minlength=n)
    total = np.zeros(n, dtype=np.uint64)
    for part in range(4):
        total += parts[part].astype(np.uint64) << np.uint64(16 * part)
    return total


def _row_sums(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per row, the sum (mod 2**64) of its entries' values."""
    running = np.concatenate([np.zeros(1, np.uint64), np.cumsum(values, dtype=np.uint64)])
    return running[indptr[1:]] - running[indptr[:-1]]


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    x = x.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


def tops_with_memo(memo: ScoreMemo, paths: Sequence[str], corpus: Corpus, per_row: int
                   ) -> dict[str, Tops]:
    """Blocking's tops of every blocked matrix: an article whose row fingerprint is the
    last build's keeps its tops (positions within its row: blocking.Tops); only the
    others' are worked out. Leaves the fingerprints for `score_with_memo`."""
    memo.fingerprints = row_fingerprints(corpus, [memo.tokens[p] for p in paths])
    at = _same_rows(memo.previous, paths, memo.fingerprints)
    memo.tops = {name: _tops(getattr(corpus, name), per_row, at,
                             _usable_tops(memo.previous, name)) for name in BLOCKED}
    return memo.tops


def _same_rows(previous: ScoreState | None, paths: Sequence[str], rows: np.ndarray
               ) -> np.ndarray:
    """Per article, its index in the previous build when its row fingerprint is the same
    there, else -1."""
    if previous is None or not _whole(previous):
        return np.full(len(paths), -1, dtype=np.int64)
    old = {path: k for k, path in enumerate(previous.paths)}
    at = np.array([old.get(path, -1) for path in paths], dtype=np.int64)
    known = at >= 0
    at[known] = np.where(previous.rows[at[known]] == rows[known], at[known], -1)
    return at


def _usable_tops(previous: ScoreState | None, name: str) -> Tops | None:
    found = getattr(previous, "tops", {}).get(name) if previous is not None else None
    whole = isinstance(found, Tops) and len(found.counts) == len(previous.paths) and \
        int(found.counts.sum()) == len(found.positions)
    return found if whole else None


def _tops(matrix, per_row: int, at: np.ndarray, old: Tops | None) -> Tops:
    """The tops of every row: copied from `old` where `at` names the row's old index,
    worked out for the rest."""
    reuse = at >= 0 if old is not None else np.zeros(len(at), dtype=bool)
    fresh_rows = np.flatnonzero(~reuse)
    fresh = top_positions(matrix, per_row, fresh_rows.tolist())
    counts = np.zeros(len(at), dtype=np.int32)
    counts[fresh_rows] = [len(p) for p in fresh]
    if old is not None:
        counts[reuse] = old.counts[at[reuse]]
    starts = np.cumsum(counts, dtype=np.int64) - counts
    positions = np.empty(int(counts.sum()), dtype=np.int32)
    if old is not None and reuse.any():
        old_starts = np.cumsum(old.counts, dtype=np.int64) - old.counts
        positions[ranges(starts[reuse], counts[reuse].astype(np.int64))] = \
            old.positions[ranges(old_starts[at[reuse]], counts[reuse].astype(np.int64))]
    for row, found in zip(fresh_rows.tolist(), fresh, strict=True):
        positions[starts[row]:starts[row] + len(found)] = found
    return Tops(counts, positions)
