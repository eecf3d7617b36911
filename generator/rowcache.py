"""The last merge's evidence kept as unweighed matrix rows, so that after an edit only the
new and changed articles' evidence is read and numbered.

Building the corpus matrices means giving every feature of every article a column (a
dict lookup each: three million at 10,000 articles) after unpickling every article's
evidence: about a quarter of the merge after an edit. Instead each merge leaves its raw
rows in `.dateline/rows/` (one .npy file per array, read memory-mapped, and a manifest),
each row under a digest of the evidence it was made from. The next merge takes the
rows whose evidence is unchanged from there, renumbers their columns to the new
vocabulary and adds the others as usual.

The result is exactly what numbering everything gives (tests/test_rowcache.py): columns
are ranks in the sorted vocabulary, renumbering keeps each row's columns in order, and
a feature no article has any more leaves the vocabulary. Weighing (TF-IDF, outlets'
boilerplate) happens afterwards, on the whole corpus, as before.
"""

from __future__ import annotations

import operator
import os
import pickle
import re
import shutil
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice, pairwise
from pathlib import Path

import numpy as np
from scipy import sparse

from .cache import dumps
from .evidence import SEPARATOR, Evidence, narrowest
from .headlines import Headline
from .parallel import process_alive
from .weights import Rows, ranges

FEATURES = ("words", "names", "title", "numbers", "quote_shingles", "full_names")
WEIGHTED = frozenset({"words", "names", "title"})  # the others are sets: no weights kept
MANIFEST = "manifest.pickle"
KEY_BYTES = 16  # evidence.evidence_key's digest size
NARROW = (np.dtype(np.uint8), np.dtype(np.float32), np.dtype(np.float64))  # as stored
FORMAT = 1


@dataclass
class RowMemo:
    """Where the last merge's rows are kept (`folder`) and for which merge code and
    settings (`settings`: rows made under others are not used). `reused`: how many rows
    this merge took from there, for the benchmark and the tests."""

    folder: Path
    settings: str
    reused: int = 0


@dataclass
class Raw:
    """Unweighed rows of every feature, one per article, with what else the corpus takes
    from each article's evidence."""

    matrices: dict[str, tuple[sparse.csr_matrix, tuple[str, ...]]]
    headlines: list[Headline]
    mentioned: list[tuple[int, ...]]


def gather(keys: Sequence[bytes | None], evidence_of: Callable[[int], Evidence],
           memo: RowMemo | None = None) -> Raw:
    """Every article's rows: from the memo's folder where its evidence key is there, else
    from `evidence_of(k)`. Leaves this merge's rows in the folder for the next one (when
    every article has a key). Kept rows that turn out unusable halfway (a damaged file
    that passed the checks) cost a second pass from every article's evidence, never a
    failed build: `evidence_of` must still answer for an article it answered before."""
    previous = _load(memo) if memo is not None else None
    if previous is not None:
        try:
            return _gather(keys, evidence_of, memo, previous)
        except (ValueError, TypeError, IndexError, KeyError, OSError):
            pass
    return _gather(keys, evidence_of, memo, None)


def _gather(keys: Sequence[bytes | None], evidence_of: Callable[[int], Evidence],
            memo: RowMemo | None, previous: _Previous | None) -> Raw:
    source = _sources(keys, previous)
    fresh = np.flatnonzero(source < 0)
    builders = {name: Rows(weighted=name in WEIGHTED) for name in FEATURES}
    headlines: list = [None] * len(keys)
    mentioned: list = [None] * len(keys)
    for k in fresh.tolist():
        found = evidence_of(k)
        for name, builder in builders.items():
            builder.add(getattr(found.features, name))
        headlines[k], mentioned[k] = found.headline, found.mentioned
    for k in np.flatnonzero(source >= 0).tolist():
        headlines[k] = previous.headlines[source[k]]
        mentioned[k] = previous.mentioned[source[k]]
    writer = _Writer(memo, keys, headlines, mentioned) if memo is not None else None
    try:
        matrices = {}
        for name, builder in builders.items():
            matrix, vocab = builder.matrix()
            if previous is not None and len(fresh) < len(keys):
                matrix, vocab = _combine(previous, name, source, matrix, vocab)
            if writer:
                writer.add(name, matrix, vocab)
            matrices[name] = matrix, vocab
        if writer:
            writer.commit()
    finally:
        if writer:
            writer.discard()  # (nothing left once committed)
    if memo is not None:
        memo.reused = int((source >= 0).sum())
    return Raw(matrices, headlines, mentioned)


def _sources(keys: Sequence[bytes | None], previous: _Previous | None) -> np.ndarray:
    """Per article, its row in the previous merge's rows; -1 where its evidence is new."""
    rows = {} if previous is None else {key: r for r, key in enumerate(previous.keys)}
    return np.array([rows.get(key, -1) if key is not None else -1 for key in keys],
                    dtype=np.int64)


def _combine(previous: _Previous, name: str, source: np.ndarray, fresh: sparse.csr_matrix,
             fresh_vocab: tuple[str, ...]) -> tuple[sparse.csr_matrix, tuple[str, ...]]:
    """The fresh rows (for the articles with source -1, in order) and the kept ones (the
    previous rows `source` names) as one matrix over their joint sorted vocabulary."""
    indptr, indices, data = previous.arrays(name)
    kept_rows = np.flatnonzero(source >= 0)
    lengths = np.empty(len(source), dtype=np.int64)
    lengths[kept_rows] = np.diff(indptr)[source[kept_rows]]
    lengths[source < 0] = np.diff(fresh.indptr)
    stretches = _stretches(kept_rows, source[kept_rows], indptr)
    vocab_then = previous.vocab(name)
    if not all(map(operator.lt, vocab_then, islice(vocab_then, 1, None))):
        raise ValueError(f"the kept {name} vocabulary is not sorted")
    counts = np.zeros(len(vocab_then), dtype=np.int64)
    for old, _ in stretches:  # which old columns the kept rows still use
        counts += np.bincount(indices[_at(old, indptr)], minlength=len(vocab_then))
    used = np.flatnonzero(counts)
    del counts
    rank = np.zeros(len(vocab_then), dtype=np.int64)
    still = vocab_then if len(used) == len(vocab_then) else [vocab_then[c] for c in used.tolist()]
    vocab, rank[used], fresh_rank = _union(still, fresh_vocab)
    del vocab_then, still
    start = np.zeros(len(source) + 1, dtype=np.int64)
    np.cumsum(lengths, out=start[1:])
    columns = np.empty(int(start[-1]), dtype=np.int32)
    values = np.ones(len(columns))
    for old, rows in stretches:
        at = _at(old, indptr)
        there = slice(int(start[rows.start]), int(start[rows.stop])) \
            if isinstance(rows, slice) else ranges(start[rows], lengths[rows])
        columns[there] = rank[indices[at]]
        if data is not None:
            values[there] = data[at]
    new_rows = np.flatnonzero(source < 0)
    here = ranges(start[new_rows], lengths[new_rows])
    columns[here] = fresh_rank[fresh.indices]
    if data is not None:
        values[here] = fresh.data
    matrix = sparse.csr_matrix((values, columns, start), shape=(len(source), len(vocab)))
    matrix.sort_indices()
    return matrix, vocab


def _stretches(rows: np.ndarray, old_rows: np.ndarray, indptr: np.ndarray) -> list[tuple]:
    """The kept rows as pieces of at most ROWS rows to copy: (where their entries are in
    the old arrays, which rows they are here); at 100,000 articles a temporary the size of
    the words matrix is 150 MB. After an edit the kept rows are runs that follow each
    other both here and in the old rows, broken only where articles changed, came or went:
    a piece of a run is a slice of the old arrays, read as it stands. Rows in many short
    runs (many changes) go a block at a time, their entries gathered when read (`_at`)."""
    breaks = np.flatnonzero((np.diff(rows) != 1) | (np.diff(old_rows) != 1)) + 1
    if len(breaks) >= max(len(rows) // RUN_ROWS, 1):
        return [(old_rows[lo:lo + ROWS], rows[lo:lo + ROWS]) for lo in range(0, len(rows), ROWS)]
    pieces = []
    for a, b in pairwise([0, *breaks.tolist(), len(rows)]):
        for lo in range(a, b, ROWS):
            hi = min(lo + ROWS, b)
            pieces.append((slice(int(indptr[old_rows[lo]]), int(indptr[old_rows[hi - 1] + 1])),
                           slice(int(rows[lo]), int(rows[hi - 1]) + 1)))
    return pieces


def _at(piece: slice | np.ndarray, indptr: np.ndarray) -> slice | np.ndarray:
    """Positions of a piece's entries: a run's slice, or a block's rows' entries."""
    if isinstance(piece, slice):
        return piece
    return ranges(indptr[piece], indptr[piece + 1] - indptr[piece])


ROWS = 8_192  # kept rows read at a time when they come in short runs
RUN_ROWS = 64  # ... runs shorter than this on average


def _union(kept: list[str], fresh: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Two sorted vocabularies joined: (the joint one, each kept feature's rank in it, each
    fresh feature's rank in it)."""
    at = [bisect_left(kept, feature) for feature in fresh]
    new = [k for k, (p, f) in enumerate(zip(at, fresh, strict=True))
           if p == len(kept) or kept[p] != f]
    inserted = np.array([at[k] for k in new], dtype=np.int64)
    kept_rank = np.arange(len(kept), dtype=np.int64) + \
        np.searchsorted(inserted, np.arange(len(kept)), side="right")
    fresh_rank = np.empty(len(fresh), dtype=np.int64)
    is_new = np.zeros(len(fresh), dtype=bool)
    is_new[new] = True
    fresh_rank[new] = inserted + np.arange(len(new))
    old = np.flatnonzero(~is_new)
    fresh_rank[old] = kept_rank[np.array([at[k] for k in old.tolist()], dtype=np.int64)]
    joined: list[str] = []
    last = 0
    for k in new:
        joined.extend(kept[last:at[k]])
        joined.append(fresh[k])
        last = at[k]
    joined.extend(kept[last:])
    return tuple(joined), kept_rank, fresh_rank


class _Previous:
    """The rows the last merge left, each array opened (memory-mapped) once, when the
    folder is loaded: a build swapping in its own rows meanwhile (`serve` and a `build`
    at once) cannot mix its arrays with this manifest. A vocabulary is split out of its
    joined string only when asked for."""

    def __init__(self, folder: Path, manifest: dict):
        self.keys: list[bytes] = manifest["keys"]
        self.headlines: list[Headline] = manifest["headlines"]
        self.mentioned: list[tuple[int, ...]] = manifest["mentioned"]
        self.vocabs: dict[str, str] = manifest["vocabs"]
        load = lambda name, part: np.load(folder / f"{name}.{part}.npy", mmap_mode="r")  # noqa: E731
        self.opened = {name: (load(name, "indptr"), load(name, "indices"),
                              load(name, "data") if name in WEIGHTED else None)
                       for name in FEATURES}

    def arrays(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        return self.opened[name]

    def vocab(self, name: str) -> list[str]:
        joined = self.vocabs.pop(name)  # (asked for once: the joined copy goes)
        return joined.split(SEPARATOR) if joined else []


def _load(memo: RowMemo) -> _Previous | None:
    """The rows the last merge left under these settings; None for none or any doubt."""
    try:
        with (memo.folder / MANIFEST).open("rb") as file:
            manifest = pickle.load(file)
        if manifest.get("format") != FORMAT or manifest.get("settings") != memo.settings:
            return None
        previous = _Previous(memo.folder, manifest)
        n = len(previous.keys)
        if len(previous.headlines) != n or len(previous.mentioned) != n or \
                not all(type(key) is bytes and len(key) == KEY_BYTES for key in previous.keys):
            return None
        for name in FEATURES:
            if not _whole(previous, name, n):
                return None
        return previous
    except Exception:  # (a missing, damaged or foreign folder is only ever a miss)
        return None


def _whole(previous: _Previous, name: str, rows: int) -> bool:
    """The feature's arrays fit together and its columns are all in its vocabulary."""
    indptr, indices, data = previous.arrays(name)
    joined = previous.vocabs[name]
    size = joined.count(SEPARATOR) + 1 if joined else 0
    return (indptr.dtype == np.int64 and indices.dtype == np.int32
            and (data is None or data.dtype in NARROW)
            and len(indptr) == rows + 1 and int(indptr[0]) == 0 and int(indptr[-1]) == len(indices)
            and bool(np.all(np.diff(indptr) >= 0))
            and (data is None or len(data) == len(indices))
            and (len(indices) == 0 or (int(indices.min()) >= 0 and int(indices.max()) < size)))


class _Writer:
    """This merge's rows into a fresh folder beside the old one, swapped in by `commit`:
    a build stopped halfway leaves the old rows or none, never a mix."""

    def __init__(self, memo: RowMemo, keys: Sequence[bytes | None], headlines: list,
                 mentioned: list):
        self.memo, self.ok = memo, all(key is not None for key in keys)
        self.staging = memo.folder.with_name(f"{memo.folder.name}.new-{os.getpid()}")
        self.manifest = {"format": FORMAT, "settings": memo.settings, "keys": list(keys),
                         "headlines": headlines, "mentioned": mentioned, "vocabs": {}}
        if self.ok:
            _sweep(memo.folder)
            try:
                self.staging.mkdir(parents=True)
            except OSError:
                self.ok = False

    def add(self, name: str, matrix: sparse.csr_matrix, vocab: tuple[str, ...]) -> None:
        if not self.ok:
            return
        arrays = {"indptr": matrix.indptr.astype(np.int64), "indices": matrix.indices}
        if name in WEIGHTED:
            arrays["data"] = narrowest(matrix.data)
        try:
            for part, array in arrays.items():
                np.save(self.staging / f"{name}.{part}.npy", array)
        except OSError:  # (a full disk: the next build reads every article's evidence)
            self.ok = False
        self.manifest["vocabs"][name] = SEPARATOR.join(vocab)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def commit(self) -> None:
        if not self.ok:
            return
        try:
            with (self.staging / MANIFEST).open("wb") as file:
                file.write(dumps(self.manifest))  # (records by their fields: see dumps)
            retired = self.memo.folder.with_name(f"{self.memo.folder.name}.old-{os.getpid()}")
            if self.memo.folder.exists():
                self.memo.folder.rename(retired)
            self.staging.rename(self.memo.folder)
            shutil.rmtree(retired, ignore_errors=True)
        except OSError:
            pass  # (the staging folder goes in `discard`)


def _sweep(folder: Path) -> None:
    """Removes the staging and retired row folders of builds that were killed (a live
    build's are its own business)."""
    pattern = re.compile(rf"{re.escape(folder.name)}\.(?:new|old)-(\d+)")
    for entry in sorted(folder.parent.iterdir()) if folder.parent.is_dir() else []:
        match = pattern.fullmatch(entry.name)
        pid = int(match.group(1)) if match else 0
        if match and (pid == os.getpid() or not process_alive(pid)):
            shutil.rmtree(entry, ignore_errors=True)
