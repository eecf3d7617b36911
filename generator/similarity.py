"""The corpus the merge compares articles in, and the pairwise measures read from it.

`build_corpus` weighs every article's evidence once into matrices (weights.py: TF-IDF
over the site's own articles, so a word every article of a site uses, "Ukraine" on a
Ukraine site, counts for little and nothing has to be downloaded), with each article's
dates, outlet and headline; the measures (row cosines, date distance, named days) are
then computed only for the candidate pairs that blocking.py finds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .evidence import EvidenceByPath, evidence
from .headlines import Headline
from .models import Article, PartialDate
from .rowcache import RowMemo, gather
from .weights import rarity, tfidf, without_boilerplate

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


def build_corpus(articles: Sequence[Article], title_weight: float = 2.0,
                 known: EvidenceByPath | None = None, rows: RowMemo | None = None) -> Corpus:
    """Weigh every article's evidence once, for all later comparisons. `known` holds the
    evidence already read at parse time, by article path (computed here when missing).
    Each article's evidence is taken out of it, added to the rows of every matrix and let
    go, so that at no time are all of it and the matrices held together. With `rows`, the
    rows of articles whose evidence the last merge already numbered are taken from there
    (rowcache.py) and their evidence is not read at all."""
    known = known if known is not None else {}
    key = getattr(known, "key", None)
    raw = gather([key(a.path) if key else None for a in articles],
                 lambda k: known.pop(articles[k].path, None) or evidence(articles[k], title_weight),
                 rows)
    matrices = raw.matrices
    outlets = tuple((a.source or "").strip().lower() for a in articles)
    words, word_vocab = tfidf(*matrices.pop("words"))
    names, name_vocab = tfidf(*matrices.pop("names"))
    coords = [date_coordinates(article_date(a)) for a in articles]
    mentions = [k * MENTION_CODE + day for k, days in enumerate(raw.mentioned) for day in days]
    return Corpus(
        words=without_boilerplate(words, outlets),
        names=without_boilerplate(names, outlets),
        titles=without_boilerplate(tfidf(*matrices.pop("title"))[0], outlets),
        numbers=matrices["numbers"][0],  # (sets: 0/1 rows, so overlaps are dot products)
        quotes=matrices["quote_shingles"][0],
        rare_names=rarity(matrices["full_names"][0]),
        word_vocab=word_vocab,
        name_vocab=name_vocab,
        days=np.array([c[0] for c in coords], dtype=np.float64),
        day_of_year=np.array([c[1] for c in coords], dtype=np.float64),
        published=np.array([a.published.date().toordinal() if a.published else math.nan
                            for a in articles], dtype=np.float64),
        outlets=outlets,
        headlines=tuple(raw.headlines),
        mentions=np.sort(np.array(mentions, dtype=np.int64)),
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


