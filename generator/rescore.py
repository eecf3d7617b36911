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

An edit that adds common words ("officials", "minister") moves their document
frequencies, and so the weights of thousands of rows, each a little. Such a row is only
*reweighed*: its view, figures, quotes, rare names, outlet's boilerplate and partners are
what they were (`fixed_fingerprints`), only the weights of its words, names and title
moved, by a measured distance (the row's movement, `_movement`). A pair's log-odds are
Lipschitz in those cosines, and a cosine moves by at most the sum of its two rows'
movements, so a pair that was not an edge can become one only if its old log-odds plus
that bound reach the log-odds of `MIN_EDGE` (the line). Each build keeps, per article,
an upper bound of the log-odds of its pairs that are not edges (`slack`): the reweighed
rows' old edges and the few pairs near the line are scored again, the rest stand. The
bound is carried forward, loosened by the movements, until the row is scored again.
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
    # Per article: an upper bound of the log-odds of its candidate pairs that are not
    # edges (-inf for none); its view's digest; what its score reads besides its moving
    # weights (fixed_fingerprints); its outlet's hash.
    slack: np.ndarray | None = None
    views: np.ndarray | None = None
    fixed: np.ndarray | None = None
    outlets: np.ndarray | None = None
    weights: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # float16


class ScoreMemo:
    """The previous build's state going in (None: score everything), this build's coming
    out (`current`, for the cache to keep). `tokens`: each article's merge-view digest,
    by path (cache.BuildCache already has them). `rows`: where the last merge's raw
    matrix rows are kept (rowcache.py)."""

    def __init__(self, previous: ScoreState | None, tokens: Mapping[str, str],
                 rows: RowMemo | None = None):
        self.previous, self.tokens, self.rows = previous, tokens, rows
        self.current: ScoreState | None = None
        self.changed: np.ndarray | None = None  # articles whose rows or partners changed
        self.edited: np.ndarray | None = None  # ... of which every pair was scored again
        self.scored: int | None = None  # candidate pairs scored again (None: all were)
        self.rescored: int | None = None  # edges among the pairs scored again (None: all were)
        self.explained: int | None = None  # groups of several articles explained again
        self.fingerprints: np.ndarray | None = None  # this build's row fingerprints
        self.tops: dict[str, Tops] = {}  # this build's blocking tops, once known
        self.background: dict[str, np.ndarray | None] = {}  # this build's background cosines


Scored = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # edges i, j, p; and slack
Score = Callable[[Codes], Scored]


def score_with_memo(memo: ScoreMemo, paths: Sequence[str], corpus: Corpus, codes: Codes,
                    floors: tuple, score: Score, slice_size: int, drift: Mapping[str, float],
                    line: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, probability) of the edges, as `score(codes)` over all codes would give them.
    `score(todo)` scores the candidate codes `todo` and returns their edges and, per
    article, the highest log-odds of its scored pairs that are not edges. `drift`: how
    far a pair's log-odds can move per unit of movement of a row of each matrix; `line`:
    the log-odds of MIN_EDGE, the least an edge has."""
    tokens = [memo.tokens[p] for p in paths]
    rows = memo.fingerprints if memo.fingerprints is not None else \
        row_fingerprints(corpus, tokens)
    views = np.array([int(t[:16], 16) for t in tokens], dtype=np.uint64)
    fixed, outlets = fixed_fingerprints(corpus, tokens), path_hashes(corpus.outlets)
    partners = partner_fingerprints(codes, path_hashes(paths), slice_size)
    now = (rows, views, fixed, partners, outlets)
    plan = _plan(memo.previous, paths, now, floors, corpus, drift)
    if plan is None:
        i, j, p, slack = score(codes)
    else:
        todo, carried = _todo(codes, plan, slice_size, line)
        fi, fj, fp, fresh = score(todo)
        i, j, p = _combine((fi, fj, fp), _kept(memo.previous, paths, plan.changed), len(paths))
        slack = np.maximum(fresh, carried)
        memo.changed, memo.edited, memo.rescored = plan.changed, plan.edited, len(fi)
        memo.scored = len(todo)
    memo.current = ScoreState(tuple(paths), rows, partners, floors, i, j, p, tops=memo.tops,
                              background=memo.background, slack=slack, views=views,
                              fixed=fixed, outlets=outlets, weights=kept_weights(corpus))
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


@dataclass
class _Plan:
    """Which articles' pairs to score again after an edit. `changed`: every article whose
    row or partners changed (its old edges are not kept); `edited`: those whose every
    pair is scored again; the others are only reweighed, by `movement` (the most their
    pairs' log-odds can have moved for their part). `slack`: the last build's bounds, in
    this build's numbering."""

    changed: np.ndarray
    edited: np.ndarray
    movement: np.ndarray
    slack: np.ndarray
    old_edges: np.ndarray  # the last build's edges as codes in this numbering, sorted


def _plan(previous: ScoreState | None, paths: Sequence[str], now: tuple, floors: tuple,
          corpus: Corpus, drift: Mapping[str, float]) -> _Plan | None:
    """None when every pair must be scored (no usable state, other floors, or more than
    MOST_CHANGED of the articles edited)."""
    if previous is None or previous.floors != floors or not _whole(previous):
        return None
    rows, views, fixed, partners, outlets = now
    old = {path: k for k, path in enumerate(previous.paths)}
    at = np.array([old.get(path, -1) for path in paths], dtype=np.int64)
    known = at >= 0
    changed, own, edited = ~known, ~known, ~known
    was = at[known]
    moved_partners = previous.partners[was] != partners[known]
    changed[known] = (previous.rows[was] != rows[known]) | moved_partners
    own[known] = previous.views[was] != views[known]
    edited[known] = own[known] | moved_partners | (previous.fixed[was] != fixed[known])
    edited = changed & (edited | _dirty_outlets(previous, at, own, outlets))
    movement = np.zeros(len(paths))
    moved = changed & ~edited
    for name, cost in drift.items():
        movement[moved] += cost * _movement(previous.weights[name], getattr(corpus, name),
                                            at, np.flatnonzero(moved))
    edited |= moved & ~np.isfinite(movement)
    movement[edited] = 0.0
    if edited.sum() > MOST_CHANGED * max(len(paths), 1):
        return None
    slack = np.full(len(paths), -np.inf)
    slack[known] = previous.slack[at[known]]
    return _Plan(changed, edited, movement, slack, _old_edges(previous, at, len(paths)))


MOST_CHANGED = 0.25  # past this share of rows edited, scoring everything is as quick
# Kept weights are float16: each entry within 2**-11 of its value (relative), or 2**-25
# (absolute) below float16's normal range, so a row's measured movement is off by at most
# 2**-11 (rows are unit vectors) plus 2**-25 per square root of its length.
RELATIVE_ERROR, ABSOLUTE_ERROR = 2.0 ** -11, 2.0 ** -25
MARGIN = 1e-6  # in log-odds, for rounding: pairs this close to the line are scored again


def _dirty_outlets(previous: ScoreState, at: np.ndarray, own: np.ndarray,
                   outlets: np.ndarray) -> np.ndarray:
    """The articles of an outlet that an edited, added or removed article belongs (or
    belonged) to (`own`: the articles whose view changed, or new): their boilerplate
    weights may have dropped a feature to zero or brought one back, so their rows may not
    line up entry for entry with the last build's."""
    present = np.zeros(len(previous.paths), dtype=bool)
    present[at[at >= 0]] = True
    gone = previous.outlets[~present]
    before = previous.outlets[at[own & (at >= 0)]]
    dirty = np.unique(np.concatenate([outlets[own], before, gone]))
    return np.isin(outlets, dirty[dirty != path_hashes([""])[0]])  # (no source: no boilerplate)


def _movement(old: tuple[np.ndarray, np.ndarray], matrix, at: np.ndarray, rows: np.ndarray
              ) -> np.ndarray:
    """For each of `rows`, the Euclidean distance between its row now and its row in the
    last build (`old`: indptr and float16 data there; rows `at` there), entry for entry:
    their features are the same, in the same order; plus the most the float16 rounding
    can hide. inf where the lengths differ."""
    old_indptr, old_data = old
    length = np.diff(matrix.indptr)[rows]
    old_start = old_indptr[at[rows]]
    same = length == old_indptr[at[rows] + 1] - old_start
    found = np.full(len(rows), np.inf)
    keep = np.flatnonzero(same)
    new_at = ranges(matrix.indptr[rows[keep]], length[keep])
    old_at = ranges(old_start[keep], length[keep])
    gap = matrix.data[new_at] - old_data[old_at].astype(np.float64)
    owner = np.repeat(np.arange(len(keep)), length[keep])
    found[keep] = np.sqrt(np.bincount(owner, weights=gap * gap, minlength=len(keep))) + \
        RELATIVE_ERROR + ABSOLUTE_ERROR * np.sqrt(length[keep])
    return found


def _old_edges(previous: ScoreState, at: np.ndarray, n: int) -> np.ndarray:
    """The last build's edges between articles still here, as codes in this numbering."""
    index = np.full(len(previous.paths), -1, dtype=np.int64)
    index[at[at >= 0]] = np.flatnonzero(at >= 0)
    a, b = index[previous.i], index[previous.j]
    both = (a >= 0) & (b >= 0)
    return np.sort(np.minimum(a, b)[both] * n + np.maximum(a, b)[both])


def _todo(codes: Codes, plan: _Plan, slice_size: int, line: float) -> tuple[Codes, np.ndarray]:
    """The candidate codes to score again: every pair of an edited article, every old
    edge of a reweighed one, and its other pairs whose old log-odds bound plus both
    rows' movements could reach `line`. Also each article's slack carried over for
    the pairs not scored again (its old bound, loosened by its own movement and the
    largest movement of a partner whose pair was skipped)."""
    n = len(plan.changed)
    touching = codes.touching(plan.changed, n, slice_size)
    partner = np.zeros(n)
    kept = []
    for start in range(0, len(touching), slice_size):
        taken = touching.take(start, start + slice_size)
        i, j = taken // n, taken % n
        at = np.minimum(np.searchsorted(plan.old_edges, taken), max(len(plan.old_edges) - 1, 0))
        was_edge = plan.old_edges[at] == taken if len(plan.old_edges) else \
            np.zeros(len(taken), dtype=bool)
        reach = np.minimum(plan.slack[i], plan.slack[j]) + plan.movement[i] + plan.movement[j]
        again = plan.edited[i] | plan.edited[j] | was_edge | (reach >= line - MARGIN)
        kept.append(taken[again])
        np.maximum.at(partner, i[~again], plan.movement[j[~again]])
        np.maximum.at(partner, j[~again], plan.movement[i[~again]])
    carried = plan.slack + plan.movement + partner
    carried[plan.edited] = -np.inf
    return Codes(kept), carried


def _whole(state: ScoreState) -> bool:
    """The state is one build's, in one piece (a damaged cache entry is not used)."""
    n = len(state.paths)
    extra = (state.slack, state.views, state.fixed, state.outlets)
    return (len(state.rows) == len(state.partners) == n
            and all(isinstance(a, np.ndarray) and len(a) == n for a in extra)
            and set(state.weights) == set(DRIFTING)
            and all(len(indptr) == n + 1 and int(indptr[-1]) == len(data)
                    for indptr, data in state.weights.values())
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


def row_fingerprints(corpus: Corpus, tokens: Sequence[str],
                     matrices: Sequence[str] = MATRICES) -> np.ndarray:
    """Per article: its merge view's digest mixed with every weight of its matrix rows,
    a block of rows at a time (at 100,000 articles a temporary the size of the words
    matrix is a few hundred megabytes)."""
    found = _mix(np.array([int(t[:16], 16) for t in tokens], dtype=np.uint64))
    for name in matrices:
        matrix, salt = getattr(corpus, name), np.uint64(2 * MATRICES.index(name) + 3)
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
DRIFTING = ("words", "names", "titles")  # weights that document frequencies move
FIXED = tuple(name for name in MATRICES if name not in DRIFTING)


def fixed_fingerprints(corpus: Corpus, tokens: Sequence[str]) -> np.ndarray:
    """Per article: what a pair's score reads about it besides the weights of its words,
    names and title: its merge view, its figures, quotes and rare names, and how many
    entries its words, names and title rows hold. Equal while only its weights moved."""
    found = row_fingerprints(corpus, tokens, FIXED)
    for number, name in enumerate(DRIFTING, 1):
        lengths = np.diff(getattr(corpus, name).indptr).astype(np.uint64)
        found += _mix(lengths * np.uint64(2 * number + 1) + np.uint64(number << 40))
    return found


def kept_weights(corpus: Corpus) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The moving weights for the next build to measure its rows' movements against:
    float16 (a quarter of the size: at 100,000 articles 50 MB; `_movement` adds the most
    the rounding can hide)."""
    return {name: (getattr(corpus, name).indptr.astype(np.int64),
                   getattr(corpus, name).data.astype(np.float16)) for name in DRIFTING}


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
