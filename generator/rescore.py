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
with an end whose row changed (an edited article, a row reweighed by a moved document
frequency), and the pairs that were not candidates before: an edit moves the edited
article in its keys' lists, so articles near it there gain or lose a partner or two
(their partner fingerprints tell which). Any other candidate pair joins two unchanged
rows that were candidates before, so its old score stands: kept if it was an edge, and
still below `MIN_EDGE` if it was not. Fingerprints are 64-bit sums of mixed 64-bit
hashes; two different rows agreeing by chance is about as likely as two different files
sharing a 64-bit checksum.

An edit that adds common words ("officials", "minister") moves their document
frequencies, and so the weights of thousands of rows, each a little. Such a row is only
*reweighed*: its view, figures, quotes, rare names, outlet's boilerplate and partners are
what they were (`fixed_fingerprints`), only the weights of its words, names and title
moved, by a measured distance (the row's movement, `_movement`). A pair's log-odds are
Lipschitz in those cosines, and a cosine moves by at most the sum of its two rows'
movements, so a pair that was not an edge can become one only if its old log-odds plus
that bound reach the log-odds of `MIN_EDGE` (the line). Each build keeps every candidate
pair with an upper bound of its log-odds (KeptCodes: exact where the pair was scored in
full, the scoring's ceiling where it stopped early): a reweighed row's old edges and its
pairs within reach of the line are scored again, the rest stand, their bounds carried
forward loosened by the movements until the pair is scored again.
"""

from __future__ import annotations

import hashlib
import mmap
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .blocking import BLOCKED, Codes, Tops, top_positions
from .models import Event, MergeReason
from .rowcache import RowMemo
from .similarity import Corpus
from .weights import ranges

MATRICES = ("words", "names", "titles", "numbers", "quotes", "rare_names")
MASK = (1 << 64) - 1


@dataclass(frozen=True)
class KeptCodes:
    """Where a build left its candidate pairs for the next one: their codes (i * n + j,
    sorted, int64) and then each pair's log-odds bound (float32), in one file rather
    than in the state, as a 100k archive has twenty million pairs (240 MB that would
    otherwise stay in memory through the clustering, the merge's peak). `digest` tells
    the file apart from one a later build (or a damaged disk) left there."""

    file: str
    count: int
    digest: str


Pairs = tuple[np.ndarray, np.ndarray]  # candidate codes, sorted, and their bounds


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
    # the members' view digests it was made from, the problems it found and its reports'
    # paths in reported order.
    assembled: dict[tuple[str, ...], tuple[tuple[str, ...], Event, tuple, tuple[str, ...]]] = \
        field(default_factory=dict)
    tops: dict[str, Tops] = field(default_factory=dict)  # blocking's, per matrix (by paths)
    background: dict[str, np.ndarray | None] = field(default_factory=dict)  # cosines, per matrix
    # Per article: its view's digest; what its score reads besides its moving weights
    # (fixed_fingerprints); its outlet's hash.
    views: np.ndarray | None = None
    fixed: np.ndarray | None = None
    outlets: np.ndarray | None = None
    weights: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # float16
    # Every candidate pair and an upper bound of its log-odds (-inf beyond reach): in a
    # file (KeptCodes), or in memory when the memo has no file for them.
    pairs: KeptCodes | Pairs | None = None
    # The groups of each connected component of the pair graph, by its signature
    # (regroup.py).
    components: dict[tuple[int, int], tuple[tuple[str, ...], ...]] = \
        field(default_factory=dict)


class ScoreMemo:
    """The previous build's state going in (None: score everything), this build's coming
    out (`current`, for the cache to keep). `tokens`: each article's merge-view digest,
    by path (cache.BuildCache already has them). `rows`: where the last merge's raw
    matrix rows are kept (rowcache.py); `pairs`: the file for this build's candidate
    pairs (KeptCodes; without one they are kept in memory, in the state)."""

    def __init__(self, previous: ScoreState | None, tokens: Mapping[str, str],
                 rows: RowMemo | None = None, pairs: Path | None = None):
        self.previous, self.tokens, self.rows, self.pairs = previous, tokens, rows, pairs
        self.current: ScoreState | None = None
        self.changed: np.ndarray | None = None  # articles whose rows or partners changed
        self.edited: np.ndarray | None = None  # ... of which every pair was scored again
        self.scored: int | None = None  # candidate pairs scored again (None: all were)
        self.rescored: int | None = None  # edges among the pairs scored again (None: all were)
        self.explained: int | None = None  # groups of several articles explained again
        self.fingerprints: np.ndarray | None = None  # this build's row fingerprints
        self.tops: dict[str, Tops] = {}  # this build's blocking tops, once known
        self.background: dict[str, np.ndarray | None] = {}  # this build's background cosines


# score(codes, keep): the edges (i, j, p) among `codes`; with `keep`, every scored pair's
# log-odds bound is handed to it, a slice at a time, in code order.
Score = Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]


def score_with_memo(memo: ScoreMemo, paths: Sequence[str], corpus: Corpus, codes: Codes,
                    floors: tuple, score: Score, slice_size: int, drift: Mapping[str, float],
                    line: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, probability) of the edges, as `score(codes)` over all codes would give them.
    `drift`: how far a pair's log-odds can move per unit of movement of a row of each
    matrix; `line`: the log-odds of MIN_EDGE, the least an edge has."""
    tokens = [memo.tokens[p] for p in paths]
    rows = memo.fingerprints if memo.fingerprints is not None else \
        row_fingerprints(corpus, tokens)
    views = np.array([int(t[:16], 16) for t in tokens], dtype=np.uint64)
    fixed, outlets = fixed_fingerprints(corpus, tokens), path_hashes(corpus.outlets)
    partners = partner_fingerprints(codes, path_hashes(paths), slice_size)
    now = (rows, views, fixed, partners, outlets)
    plan = _plan(memo.previous, paths, now, floors, corpus, drift)
    if memo.previous is not None:  # (read by now, and at 100k some 70 MB held to the end)
        memo.previous = replace(memo.previous, weights={}, tops={}, background={})
    writer = _PairWriter(memo.pairs)
    writer.codes(codes, slice_size)
    if plan is None:
        i, j, p = score(codes, writer.bounds)
    else:
        todo, carried, positions = _todo(codes, plan, slice_size, line)
        fresh: list[np.ndarray] = []
        fi, fj, fp = score(todo, fresh.append)
        carried[positions] = np.concatenate(fresh) if fresh else np.empty(0, np.float32)
        writer.bounds(carried)
        i, j, p = _combine((fi, fj, fp), _kept(memo.previous, paths, plan.changed), len(paths))
        memo.changed, memo.edited, memo.rescored = plan.changed, plan.edited, len(fi)
        memo.scored = len(todo)
    memo.current = ScoreState(tuple(paths), rows, partners, floors, i, j, p, tops=memo.tops,
                              background=memo.background, views=views, fixed=fixed,
                              outlets=outlets, weights=kept_weights(corpus),
                              pairs=writer.finish())
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
    pairs' log-odds can have moved for their part; 0 for a row that is as it was and
    only gained or lost a partner). `old`: the last build's candidate pairs and bounds,
    in this build's numbering."""

    changed: np.ndarray
    edited: np.ndarray
    movement: np.ndarray
    old_edges: np.ndarray  # the last build's edges as codes in this numbering, sorted
    old: Pairs


def _plan(previous: ScoreState | None, paths: Sequence[str], now: tuple, floors: tuple,
          corpus: Corpus, drift: Mapping[str, float]) -> _Plan | None:
    """None when every pair must be scored (no usable state, other floors, the last
    pairs not to be had, or more than MOST_CHANGED of the articles edited)."""
    if previous is None or previous.floors != floors or not _whole(previous):
        return None
    rows, views, fixed, partners, outlets = now
    old = {path: k for k, path in enumerate(previous.paths)}
    at = np.array([old.get(path, -1) for path in paths], dtype=np.int64)
    known = at >= 0
    changed, own, edited, same_row = ~known, ~known, ~known, known.copy()
    was = at[known]
    same_row[known] = previous.rows[was] == rows[known]
    changed[known] = ~same_row[known] | (previous.partners[was] != partners[known])
    own[known] = previous.views[was] != views[known]
    edited[known] = own[known] | (previous.fixed[was] != fixed[known])
    edited = changed & (edited | (~same_row & _dirty_outlets(previous, at, own, outlets)))
    movement = np.zeros(len(paths))
    moved = changed & ~edited & ~same_row
    for name, cost in drift.items():
        movement[moved] += cost * _movement(previous.weights[name], getattr(corpus, name),
                                            at, np.flatnonzero(moved))
    edited |= moved & ~np.isfinite(movement)
    movement[edited] = 0.0
    if edited.sum() > MOST_CHANGED * max(len(paths), 1):
        return None
    pairs = _old_pairs(previous, at, tuple(previous.paths) == tuple(paths))
    if pairs is None:
        return None
    return _Plan(changed, edited, movement, _old_edges(previous, at, len(paths)), pairs)


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


def _todo(codes: Codes, plan: _Plan, slice_size: int, line: float
          ) -> tuple[Codes, np.ndarray, np.ndarray]:
    """The candidate codes to score again: every pair of an edited article, every pair
    new to blocking, every old edge of a changed article, and each other pair of a
    reweighed one whose old bound plus both rows' movements could reach `line`. Also
    every candidate's bound carried over (its old one, loosened by its rows' movements;
    to be filled in where it is scored again) and where the codes to score are among
    all the candidates."""
    n = len(plan.changed)
    old_codes, old_bounds = plan.old
    carried = np.empty(len(codes), dtype=np.float32)
    todo, positions = [], []
    for start in range(0, len(codes), slice_size):
        taken = codes.take(start, start + slice_size)
        if len(taken) == 0:
            continue
        i, j = taken // n, taken % n
        touching = np.flatnonzero(plan.changed[i] | plan.changed[j])
        lo = int(np.searchsorted(old_codes, taken[0], side="left"))
        hi = int(np.searchsorted(old_codes, taken[-1], side="right"))
        old = np.array(old_codes[lo:hi]), np.array(old_bounds[lo:hi])
        for kept in (old_codes, old_bounds):
            if isinstance(kept, _Released):
                kept.release(lo, hi)
        again = _untouched(taken, touching, old, plan.changed, n,
                           carried[start:start + len(taken)])
        a, b, codes_of = i[touching], j[touching], taken[touching]
        found, bound = _lookup(codes_of, *old)
        reach = bound + plan.movement[a] + plan.movement[b]
        redo = ~found | plan.edited[a] | plan.edited[b] | (reach >= line - MARGIN) | \
            _sorted_member(codes_of, plan.old_edges)
        carried[start + touching] = rounded_up(reach)
        again[touching] = redo
        todo.append(taken[again])
        positions.append(start + np.flatnonzero(again))
    return Codes(todo), carried, np.concatenate(positions) if positions else \
        np.empty(0, np.int64)


def _untouched(taken: np.ndarray, touching: np.ndarray, old: Pairs, changed: np.ndarray,
               n: int, carried: np.ndarray) -> np.ndarray:
    """Fills in the kept bounds of the codes of `taken` between two unchanged articles
    (`touching`: the others' positions), and returns which codes to score again: those
    of them the last build did not have. The same pairs of unchanged articles come in the
    same order in both lists (their partners did not change), so their bounds are copied
    in one go; only where they differ is each looked up."""
    again = np.zeros(len(taken), dtype=bool)
    rest = np.ones(len(taken), dtype=bool)
    rest[touching] = False
    old_codes, old_bounds = old
    old_rest = ~(changed[old_codes // n] | changed[old_codes % n])
    if np.array_equal(taken[rest], old_codes[old_rest]):
        carried[rest] = old_bounds[old_rest]
        return again
    found, bound = _lookup(taken[rest], old_codes, old_bounds)
    carried[rest] = bound  # (inf where not found: scored again, so filled in after)
    again[rest] = ~found
    return again


def _lookup(codes: np.ndarray, old_codes: np.ndarray, old_bounds: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per code (sorted): whether the last build had the pair, and its bound there (inf
    where it did not)."""
    found, at = find_sorted(codes, old_codes)
    bound = old_bounds[at] if len(old_codes) else np.empty(0, np.float32)
    return found, np.where(found, bound, np.inf).astype(np.float64)


def _sorted_member(codes: np.ndarray, sorted_codes: np.ndarray) -> np.ndarray:
    """Per code, whether `sorted_codes` holds it."""
    return find_sorted(codes, sorted_codes)[0]


def find_sorted(codes: np.ndarray, sorted_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per code: whether `sorted_codes` holds it, and where (clipped to the array)."""
    if len(sorted_codes) == 0:
        return np.zeros(len(codes), dtype=bool), np.zeros(len(codes), dtype=np.int64)
    at = np.minimum(np.searchsorted(sorted_codes, codes), len(sorted_codes) - 1)
    return sorted_codes[at] == codes, at


def rounded_up(values: np.ndarray) -> np.ndarray:
    """float32 values no smaller than `values` (float64): bounds stay bounds when kept
    in half the space."""
    narrow = values.astype(np.float32)
    low = narrow.astype(np.float64) < values
    narrow[low] = np.nextafter(narrow[low], np.float32(np.inf))
    return narrow


def _old_pairs(previous: ScoreState, at: np.ndarray, same_numbering: bool) -> Pairs | None:
    """The last build's candidate pairs between articles still here, renumbered to this
    build's (`at`: each article's index in the last build, -1 if new) and sorted; None
    when they were not kept or their file is not the one the state names."""
    found = _read_pairs(previous.pairs)
    if found is None or same_numbering:
        return found
    codes, bounds = found
    n, old_n = len(at), len(previous.paths)
    index = np.full(old_n, -1, dtype=np.int64)
    index[at[at >= 0]] = np.flatnonzero(at >= 0)
    a, b = index[codes // old_n], index[codes % old_n]
    keep = (a >= 0) & (b >= 0)
    renumbered = np.minimum(a, b)[keep] * n + np.maximum(a, b)[keep]
    order = np.argsort(renumbered, kind="stable")
    return renumbered[order], np.asarray(bounds)[keep][order]


def _read_pairs(kept: KeptCodes | Pairs | None) -> Pairs | None:
    """The kept pairs (memory-mapped from their file, after reading it through once
    against its digest), or None."""
    if isinstance(kept, tuple):
        return kept
    if not isinstance(kept, KeptCodes):
        return None
    try:
        with open(kept.file, "rb") as file:
            if os.fstat(file.fileno()).st_size != kept.count * PAIR_BYTES:
                return None
            if _digest_of(file) != kept.digest:
                return None
            if kept.count == 0:
                return np.empty(0, CODE_TYPE), np.empty(0, BOUND_TYPE)
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    return (_Released(np.frombuffer(mapped, CODE_TYPE, kept.count, 0), mapped),
            _Released(np.frombuffer(mapped, BOUND_TYPE, kept.count,
                                    kept.count * CODE_TYPE.itemsize), mapped))


def _digest_of(file) -> str:
    """The file's digest, read a block at a time (not mapped: a mapped page read once
    would count in the build's memory until the map goes, 240 MB at 100k)."""
    hasher, block = hashlib.blake2b(digest_size=16), bytearray(1 << 22)
    view = memoryview(block)
    while count := file.readinto(block):
        hasher.update(view[:count])
    return hasher.hexdigest()


class _Released(np.ndarray):
    """An array over a file mapping whose pages `release(lo, hi)` hands back once read
    (the rescoring plan reads the kept pairs a slice at a time, once)."""

    def __new__(cls, array: np.ndarray, mapped: mmap.mmap) -> _Released:
        found = array.view(cls)
        found.mapped = mapped
        return found

    def __array_finalize__(self, source) -> None:
        self.mapped = getattr(source, "mapped", None)

    def release(self, lo: int, hi: int) -> None:
        if self.mapped is None or not hasattr(mmap, "MADV_DONTNEED"):
            return
        start = self.ctypes.data - _address(self.mapped) + lo * self.itemsize
        stop = start + (hi - lo) * self.itemsize
        first = start - start % mmap.PAGESIZE
        if 0 <= first < stop <= len(self.mapped):  # (an array computed from one: not in it)
            self.mapped.madvise(mmap.MADV_DONTNEED, first, stop - first)


def _address(mapped: mmap.mmap) -> int:
    return np.frombuffer(mapped, np.uint8, 1).ctypes.data


CODE_TYPE, BOUND_TYPE = np.dtype("<i8"), np.dtype("<f4")
PAIR_BYTES = CODE_TYPE.itemsize + BOUND_TYPE.itemsize
PAIRS_AT_ONCE = 1 << 20


class _PairWriter:
    """This build's candidate pairs for the next one: their codes, then their bounds in
    the same order, written to a scratch file a slice at a time and moved over the
    memo's file at the end (a reader sees the old file or the new one); without a file,
    kept in memory. `finish` gives what the state keeps: None when the file could not
    be written (the next build then scores every pair)."""

    def __init__(self, file: Path | None):
        self.file, self.count, self.ok = file, 0, True
        self.hasher = hashlib.blake2b(digest_size=16)
        self.parts: dict[str, list[np.ndarray]] = {"codes": [], "bounds": []}
        self.out = None
        if file is not None:
            self.scratch = file.with_name(f"{file.name}.new-{os.getpid()}")
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
                self.out = self.scratch.open("wb")
            except OSError:
                self.ok = False

    def codes(self, codes: Codes, slice_size: int) -> None:
        for start in range(0, len(codes), slice_size):
            self._add("codes", codes.take(start, start + slice_size).astype(CODE_TYPE))
        self.count = len(codes)

    def bounds(self, bounds: np.ndarray) -> None:
        self._add("bounds", np.asarray(bounds, dtype=BOUND_TYPE))

    def _add(self, kind: str, array: np.ndarray) -> None:
        if self.file is None:
            self.parts[kind].append(array)
        elif self.ok:
            data = memoryview(np.ascontiguousarray(array)).cast("B")  # (no copy: at 100k
            self.hasher.update(data)  # the bounds are 80 MB)
            try:
                self.out.write(data)
            except OSError:
                self.ok = False

    def finish(self) -> KeptCodes | Pairs | None:
        if self.file is None:
            codes, bounds = (np.concatenate(self.parts[k]) if self.parts[k] else
                             np.empty(0, t) for k, t in (("codes", CODE_TYPE),
                                                         ("bounds", BOUND_TYPE)))
            return (codes, bounds) if len(codes) == len(bounds) else None
        try:
            if self.out is not None:
                self.out.close()
            if self.ok:
                os.replace(self.scratch, self.file)
                return KeptCodes(str(self.file), self.count, self.hasher.hexdigest())
        except OSError:
            pass
        self.scratch.unlink(missing_ok=True)
        return None


def _whole(state: ScoreState) -> bool:
    """The state is one build's, in one piece (a damaged cache entry is not used)."""
    n = len(state.paths)
    extra = (state.views, state.fixed, state.outlets)
    return (len(state.rows) == len(state.partners) == n
            and all(isinstance(a, np.ndarray) and len(a) == n for a in extra)
            and set(state.weights) == set(DRIFTING)
            and all(len(indptr) == n + 1 and int(indptr[-1]) == len(data)
                    for indptr, data in state.weights.values())
            and (isinstance(state.pairs, KeptCodes) or (
                isinstance(state.pairs, tuple) and len(state.pairs) == 2
                and len(state.pairs[0]) == len(state.pairs[1])))
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
    found = mix(np.array([int(t[:16], 16) for t in tokens], dtype=np.uint64))
    for name in matrices:
        matrix, salt = getattr(corpus, name), np.uint64(2 * MATRICES.index(name) + 3)
        for first in range(0, len(found), ROWS):
            last = min(first + ROWS, len(found))
            indptr = matrix.indptr[first:last + 1]
            lo, hi = int(indptr[0]), int(indptr[-1])
            position = np.arange(hi - lo, dtype=np.uint64) - \
                np.repeat(indptr[:-1] - lo, np.diff(indptr)).astype(np.uint64)
            bits = np.ascontiguousarray(matrix.data[lo:hi], dtype=np.float64).view(np.uint64)
            entries = mix(bits ^ mix(position * salt))
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
        found += mix(lengths * np.uint64(2 * number + 1) + np.uint64(number << 40))
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
    of codes at a time."""
    n = len(hashes)
    total = np.zeros(n, dtype=np.uint64)
    for start in range(0, len(codes), slice_size):
        taken = codes.take(start, start + slice_size)
        i, j = taken // n, taken % n
        total += sums_by(i, hashes[j], n) + sums_by(j, hashes[i], n)
    return total


def sums_by(owner: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """Per owner (0..count-1), the sum of its uint64 values mod 2**64. Taken in two 32-bit
    halves with float bincounts (numpy has no unsigned scatter-add that is also fast):
    exact while an owner has fewer than 2**21 values (an article has at most a few
    thousand partners, a component of the pair graph a few thousand edges)."""
    halves = [np.bincount(owner, weights=(part & np.uint64(0xFFFFFFFF)).astype(np.float64),
                          minlength=count)
              for part in (values, values >> np.uint64(32))]
    return halves[0].astype(np.uint64) + (halves[1].astype(np.uint64) << np.uint64(32))


def _row_sums(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per row, the sum (mod 2**64) of its entries' values."""
    running = np.concatenate([np.zeros(1, np.uint64), np.cumsum(values, dtype=np.uint64)])
    return running[indptr[1:]] - running[indptr[:-1]]


def mix(x: np.ndarray) -> np.ndarray:
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
