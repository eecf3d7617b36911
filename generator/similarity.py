"""Corpus-weighted similarity between articles, computed only for candidate pairs.

Weights come from the corpus being built (TF-IDF over its own articles), so a word
that every article of a site uses ("Ukraine" on a Ukraine site) counts for little and
nothing has to be downloaded. Candidate pairs come from blocking: two articles are
compared only when they share a distinctive word or name and their dates are close,
which keeps the cost near-linear in the number of articles.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .evidence import Evidence, Packed, evidence
from .headlines import Headline
from .models import Article, PartialDate

LEAP_YEAR = 2000  # month/day without a year are laid on a leap year so Feb 29 exists


@dataclass(frozen=True)
class Corpus:
    """Weighted, normalised feature matrices (one row per article) and their dates."""

    words: sparse.csr_matrix
    names: sparse.csr_matrix
    titles: sparse.csr_matrix
    numbers: sparse.csr_matrix  # 0/1: which figures each article mentions
    quotes: sparse.csr_matrix  # 0/1: which quoted word trigrams each article has
    mentions: np.ndarray  # sorted codes article * MENTION_CODE + day named in its text
    rare_names: sparse.csr_matrix  # full names; a row product sums 1 / (df - 1)^2
    word_vocab: tuple[str, ...]
    name_vocab: tuple[str, ...]
    days: np.ndarray  # proleptic ordinal of the event date, nan when the year is unknown
    day_of_year: np.ndarray  # 1..366 on a leap year, nan without month and day
    published: np.ndarray  # proleptic ordinal of the publication date, nan when unknown
    outlets: tuple[str, ...]
    headlines: tuple[Headline, ...]
    texts: Sequence[str]  # title and body, to look up a headline's specifics


def article_date(article: Article) -> PartialDate | None:
    """The date to compare: the event date, else the publication date."""
    if article.event_date is not None:
        return article.event_date
    if article.published is not None:
        return PartialDate.of(article.published.date())
    return None


def date_coordinates(date: PartialDate | None) -> tuple[float, float]:
    """(ordinal, day of year) with nan for the parts the date does not say."""
    if date is None:
        return math.nan, math.nan
    ordinal = math.nan
    if date.year is not None:
        ordinal = float(dt.date(date.year, date.month or 7, date.day or 15).toordinal())
    doy = math.nan
    if date.month is not None and date.day is not None:
        doy = float(dt.date(LEAP_YEAR, date.month, date.day).timetuple().tm_yday)
    return ordinal, doy


def tfidf(rows: Sequence[Packed]) -> tuple[sparse.csr_matrix, tuple[str, ...]]:
    """Sublinear TF-IDF rows, L2-normalised, with a vocabulary sorted for determinism.
    Weighed in place, a slice at a time: at 100,000 articles a temporary the size of the
    matrix is a hundred megabytes."""
    matrix, vocab = _count_matrix(rows)
    df = np.bincount(matrix.indices, minlength=len(vocab))
    idf = np.log((len(rows) + 1) / (df + 1)) + 1.0
    for lo in range(0, matrix.nnz, SLICE):
        counts = matrix.data[lo:lo + SLICE]
        # Counts take few distinct values: math.log on each, so results never depend on
        # numpy's vectorised log (which may differ in the last bit).
        values, inverse = np.unique(counts, return_inverse=True)
        counts[:] = np.array([1.0 + math.log(v) if v >= 1 else v for v in values.tolist()],
                             dtype=np.float64)[inverse]
        counts *= idf[matrix.indices[lo:lo + SLICE]]
    return normalise(matrix), vocab


SLICE = 1 << 20  # entries weighed at a time


def _count_matrix(rows: Sequence[Packed]) -> tuple[sparse.csr_matrix, tuple[str, ...]]:
    """Rows as a CSR matrix over the sorted vocabulary, written into arrays sized up front.
    Each feature first gets the number of its first occurrence (dict.setdefault driven by
    map: no Python-level loop per feature), then its rank in the sorted vocabulary."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, rows), np.int64, len(rows)), out=indptr[1:])
    columns = np.empty(indptr[-1], dtype=np.int32)
    data = np.empty(indptr[-1], dtype=np.float64)
    seen: dict[str, int] = {}
    occurrence = itertools.count()
    for row, lo, hi in zip(rows, indptr[:-1].tolist(), indptr[1:].tolist(), strict=True):
        keys = row.keys()
        columns[lo:hi] = np.fromiter(map(seen.setdefault, keys, occurrence), np.int64, len(keys))
        data[lo:hi] = row.values()
    vocab = tuple(sorted(seen))
    rank = np.zeros(next(occurrence), dtype=np.int32)
    rank[np.fromiter(map(seen.__getitem__, vocab), np.int64, len(vocab))] = np.arange(len(vocab))
    del seen
    for lo in range(0, len(columns), SLICE):
        columns[lo:lo + SLICE] = rank[columns[lo:lo + SLICE]]
    matrix = sparse.csr_matrix((data, columns, indptr), shape=(len(rows), len(vocab)))
    matrix.sort_indices()
    return matrix, vocab


def indicator(rows: Sequence[Packed]) -> sparse.csr_matrix:
    """A 0/1 matrix of set membership, so set overlaps become sparse dot products."""
    return _count_matrix(rows)[0]


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


def build_corpus(articles: Sequence[Article], title_weight: float = 2.0,
                 known: dict[str, Evidence] | None = None) -> Corpus:
    """Weigh every article's evidence once, for all later comparisons. `known` holds the
    evidence already read at parse time, by article path (computed here when missing); its
    entries are taken out as they are read, so that the evidence (gigabytes at 100,000
    articles) is let go once the matrices exist rather than kept through the clustering."""
    known = known if known is not None else {}
    found = [known.pop(a.path, None) or evidence(a, title_weight) for a in articles]
    features = [e.features for e in found]
    outlets = tuple((a.source or "").strip().lower() for a in articles)
    words, word_vocab = tfidf([f.words for f in features])
    names, name_vocab = tfidf([f.names for f in features])
    titles, _ = tfidf([f.title for f in features])
    coords = [date_coordinates(article_date(a)) for a in articles]
    return Corpus(
        words=without_boilerplate(words, outlets),
        names=without_boilerplate(names, outlets),
        titles=without_boilerplate(titles, outlets),
        numbers=indicator([f.numbers for f in features]),
        quotes=indicator([f.quote_shingles for f in features]),
        rare_names=rarity(indicator([f.full_names for f in features])),
        word_vocab=word_vocab,
        name_vocab=name_vocab,
        days=np.array([c[0] for c in coords], dtype=np.float64),
        day_of_year=np.array([c[1] for c in coords], dtype=np.float64),
        published=np.array([a.published.date().toordinal() if a.published else math.nan
                            for a in articles], dtype=np.float64),
        outlets=outlets,
        headlines=tuple(e.headline for e in found),
        mentions=np.sort(np.array([k * MENTION_CODE + day for k, e in enumerate(found)
                                   for day in e.mentioned], dtype=np.int64)),
        texts=ReportTexts(articles),
    )


class ReportTexts(Sequence[str]):
    """Each article's title and text, made when asked: few are ever read (headline
    conflicts), and a copy of every text would double the largest thing the merge holds."""

    def __init__(self, articles: Sequence[Article]):
        self.articles = articles

    def __len__(self) -> int:
        return len(self.articles)

    def __getitem__(self, index):  # (an int from conflicts(); a slice works too)
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        article = self.articles[index]
        return f"{article.title}\n{article.text}"


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
    starts, lengths = indptr[rows], indptr[rows + 1] - indptr[rows]
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return offsets + np.arange(lengths.sum())


MENTION_CODE = 10_000_000  # above any proleptic ordinal of a four-digit year


def names_the_day(corpus: Corpus, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """1.0 where one report's text names the day the other's event happened, a day other
    than its own event's."""
    days = np.nan_to_num(corpus.days, nan=-1.0).astype(np.int64)
    found = np.zeros(len(i), dtype=bool)
    if len(corpus.mentions) == 0:
        return found.astype(np.float64)
    last = len(corpus.mentions) - 1
    for a, b in ((i, j), (j, i)):
        codes = b * MENTION_CODE + days[a]
        at = np.minimum(np.searchsorted(corpus.mentions, codes), last)
        found |= (days[a] >= 0) & (corpus.mentions[at] == codes)
    return (found & (days[i] != days[j])).astype(np.float64)


def date_distance(corpus: Corpus, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Days between each pair: the nearer of their event dates and their publication
    dates; nan when neither can be known.

    With both years known this is the plain difference. When one side lacks its year
    ("On November 13"), the month and day are compared on the calendar circle, so the
    date is compatible with the same day of any year.
    """
    full = np.abs(corpus.days[i] - corpus.days[j])
    doy = np.abs(corpus.day_of_year[i] - corpus.day_of_year[j])
    circular = np.minimum(doy, 366.0 - doy)
    event = np.where(np.isnan(full), circular, full)
    # Reports published the same day are close too, whatever day each text dwells on
    # ("on Friday" in one, the Wednesday vote in another).
    published = np.abs(corpus.published[i] - corpus.published[j])
    return np.fmin(event, published)


def rowwise_dot(matrix: sparse.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Cosine for each pair (rows are normalised), in chunks to bound memory."""
    out = np.empty(len(i), dtype=np.float64)
    step = 4_096  # each chunk copies both rows of every pair: keep it small
    for start in range(0, len(i), step):
        a = matrix[i[start : start + step]]
        b = matrix[j[start : start + step]]
        out[start : start + step] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return out


def top_columns(matrix: sparse.csr_matrix, per_row: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each row's `per_row` heaviest entries: its most distinctive features."""
    rows, cols = [], []
    for r in range(matrix.shape[0]):
        lo, hi = matrix.indptr[r], matrix.indptr[r + 1]
        data, idx = matrix.data[lo:hi], matrix.indices[lo:hi]
        if hi - lo > per_row:
            # Ties are broken by column so the choice does not depend on input order.
            keep = np.lexsort((idx, -data))[:per_row]
            idx = idx[keep]
        rows.append(np.full(len(idx), r, dtype=np.int32))
        cols.append(idx.astype(np.int32))
    if not rows:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    return np.concatenate(rows), np.concatenate(cols)


def block_entries(corpus: Corpus, per_article: int) -> tuple[np.ndarray, np.ndarray]:
    """(article, key) pairs: each article is filed under its distinctive words and names."""
    w_doc, w_key = top_columns(corpus.words, per_article)
    n_doc, n_key = top_columns(corpus.names, per_article)
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

    def __init__(self, n: int):
        self.n = n
        self.width = max(1, -(-n // self.BUCKETS)) * n  # code span of one bucket
        self.buckets = [np.empty(0, np.int64) for _ in range(self.BUCKETS)]
        self.pending: list[np.ndarray] = []
        self.size = self.total = 0

    def add(self, a: np.ndarray, b: np.ndarray) -> None:
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        codes = lo[lo != hi].astype(np.int64) * self.n + hi[lo != hi]
        self.pending.append(codes)
        self.size += len(codes)
        if self.size >= max(self.PENDING, self.total // self.SHARE):
            self._compact()

    def codes(self) -> np.ndarray:
        """All the unique codes, sorted; the buckets are let go one by one as they are copied."""
        self._compact()
        out, start = np.empty(self.total, np.int64), 0
        for k, bucket in enumerate(self.buckets):
            out[start:start + len(bucket)] = bucket
            start += len(bucket)
            self.buckets[k] = np.empty(0, np.int64)
        self.total = 0
        return out

    def _compact(self) -> None:
        """The new codes, sorted and unique (sort + neighbours: numpy's hashed unique is
        50x slower), inserted into their buckets without re-sorting them."""
        if not self.pending:
            return
        new = np.sort(np.concatenate(self.pending))
        new = new[np.r_[True, new[1:] != new[:-1]][:len(new)]]
        self.pending, self.size = [], 0
        edges = np.searchsorted(new, np.arange(self.BUCKETS + 1) * self.width)
        for k in np.flatnonzero(np.diff(edges)).tolist():
            self.total -= len(self.buckets[k])
            self.buckets[k] = _insert_sorted(self.buckets[k], new[edges[k]:edges[k + 1]])
            self.total += len(self.buckets[k])


def _insert_sorted(unique: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Two sorted unique arrays as one, without re-sorting."""
    at = np.searchsorted(unique, new)
    known = unique[np.minimum(at, len(unique) - 1)] == new if len(unique) else \
        np.zeros(len(new), dtype=bool)
    return np.insert(unique, at[~known], new[~known])


def dated_pairs(doc: np.ndarray, key: np.ndarray, day: np.ndarray, window: float, cap: int,
                into: PairCodes) -> None:
    """Pairs sharing a key whose dates are within `window` days, at most `cap` apart in the
    key's date-sorted posting list, so one very common key cannot make the cost quadratic."""
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


def undated_pairs(doc, key, dated_doc, dated_key, cap: int, into: PairCodes) -> None:
    """Articles without a known year pair with every article that shares a key
    (up to `cap` per key); the date check after scoring uses month and day."""
    order = np.lexsort((dated_doc, dated_key))
    dated_doc, dated_key = dated_doc[order], dated_key[order]
    for d, k in zip(doc.tolist(), key.tolist(), strict=True):
        lo, hi = np.searchsorted(dated_key, [k, k + 1])
        partners = np.concatenate([dated_doc[lo : min(hi, lo + cap)], doc[key == k]])
        into.add(np.full(len(partners), d, dtype=np.int64), partners.astype(np.int64))


def candidate_codes(corpus: Corpus, window: float, per_article: int, cap: int) -> np.ndarray:
    """Unique pairs (i < j) that share a distinctive key and may be close in date, sorted,
    each as the code i * n + j (n articles): half the memory of two index arrays."""
    doc, key = block_entries(corpus, per_article)
    day = corpus.days[doc]
    dated = ~np.isnan(day)
    found = PairCodes(len(corpus.outlets))
    dated_pairs(doc[dated], key[dated], day[dated].astype(np.int32), window, cap, found)
    undated_pairs(doc[~dated], key[~dated], doc[dated], key[dated], cap, found)
    del doc, key, day, dated
    return found.codes()
