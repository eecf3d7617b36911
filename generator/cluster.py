"""Group articles that report the same real-world event.

Three steps: find candidate pairs by blocking (blocking.candidate_codes), score them
with a corpus-weighted model of words, names, figures and dates (score_edges), then
cluster with average-link under the author's constraints. Average-link, not single
link: a group joins another only when its articles are similar *on average*, so one
article that touches two stories cannot chain them into one event. Two groups of
several reports each join only on near-identical coverage or shared rare names (Groups):
two days of one running story are two timeline entries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

from .blocking import Codes, candidate_codes
from .entities import normal_form, word_set
from .errors import ContentError, warning
from .evidence import EvidenceByPath
from .headlines import conflicts
from .linkage import Edges, Groups, average_link
from .mergesettings import MergeSettings
from .models import Article, MergeReason
from .parallel import iter_parts, map_parts, release_memory
from .regroup import groups_with_memo
from .rescore import (
    ScoreMemo,
    background_with_memo,
    explain_with_memo,
    find_sorted,
    rounded_up,
    score_with_memo,
    tops_with_memo,
)
from .similarity import (
    Corpus,
    build_corpus,
    date_distance,
    names_the_day,
    rowwise_dot,
)

Group = tuple[tuple[int, ...], MergeReason]


def score_pairs(corpus: Corpus, i: np.ndarray, j: np.ndarray, s: MergeSettings) -> np.ndarray:
    """Probability that each candidate pair reports one event; nan out of reach (beyond
    `window_days`, or beyond `link_days` for pairs with a rare name or named day).

    Pairs are scored in parallel slices (a 10k archive has hundreds of thousands); the
    workers share the corpus by fork rather than by pickling it."""
    parts = map_parts(_score_slice, range(len(i)), (corpus, i, j, s, _floors(corpus)),
                      minimum=PARALLEL_PAIRS)
    return np.concatenate(parts) if parts else np.empty(0)


def score_edges(corpus: Corpus, codes: Codes, s: MergeSettings, memo: ScoreMemo | None = None,
                paths: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, probability) of the candidate pairs (codes i * n + j) likely enough to be an
    edge (MIN_EDGE). A 100k archive has some twenty million candidates and a fortieth of
    them are edges: each slice is decoded, scored and filtered where it is scored, so the
    pairs and their scores never exist all at once. With a `memo` of the previous build
    (rescore.py), only the pairs that could have changed are scored (`score(todo, keep)`),
    and each pair's log-odds (an upper bound for the pairs the scoring left early) is
    handed to `keep` a slice at a time, for the next build; `paths` names the articles."""
    floors = _floors(corpus, memo, paths)

    def score(todo: Codes, keep=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        shared = (corpus, todo, s, floors, keep is not None)
        found = ([], [], [])
        for *edges, bounds in iter_parts(_edge_slice, range(len(todo)), shared,
                                         minimum=PARALLEL_PAIRS, most=SLICE_PAIRS):
            for column, part in zip(found, edges, strict=True):
                column.append(part)
            if keep is not None:
                keep(bounds)
        if not found[0]:
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
        i, j, p = (np.concatenate(column) for column in found)
        return i, j, p

    if memo is None:
        return score(codes)
    return score_with_memo(memo, paths, corpus, codes, floors, score, SLICE_PAIRS,
                           drift(s, floors), MIN_LOGIT)


def drift(s: MergeSettings, floors: tuple[float | None, float | None]) -> dict[str, float]:
    """How far a pair's log-odds can move per unit that one of its rows moves (in
    Euclidean distance) in each matrix whose weights document frequencies move: the
    cosine moves by at most that much, times its weight, rescaled from the background up
    as the score rescales it (rescore.py)."""
    def rescaled(weight: float, floor: float | None) -> float:
        if floor is None:
            return abs(weight)
        return abs(weight) / (1.0 - floor) if floor < 1.0 else np.inf

    word_floor, name_floor = floors
    return {"words": rescaled(s.word_weight, word_floor),
            "names": rescaled(s.name_weight, name_floor),
            "titles": abs(s.title_weight_cosine)}


def _floors(corpus: Corpus, memo: ScoreMemo | None = None, paths: Sequence[str] = ()
            ) -> tuple[float | None, float | None]:
    if memo is None:
        return background(corpus.words), background(corpus.names)
    cosines = background_with_memo(memo, paths, corpus, background_cosines)
    return floor_of(cosines["words"]), floor_of(cosines["names"])


def _edge_slice(part: range, shared: tuple) -> tuple[np.ndarray, ...]:
    """The slice's edges, and (when asked) every pair's log-odds as a float32 upper bound
    (-inf beyond reach), for the next build to know which pairs an edit can bring to
    the line (rescore.py)."""
    corpus, codes, s, floors, with_bounds = shared
    n, taken = len(corpus.outlets), codes.take(part.start, part.stop)
    i, j = taken // n, taken % n
    probability, logit = _scored(range(len(i)), (corpus, i, j, s, floors))
    keep = probability >= MIN_EDGE  # also drops nan: pairs beyond the window
    bounds = rounded_up(np.where(np.isnan(logit), -np.inf, logit)) if with_bounds else None
    return i[keep], j[keep], probability[keep], bounds


PARALLEL_PAIRS = 50_000  # below this, scoring in one process is faster than forking
SLICE_PAIRS = 1 << 20  # candidates scored at a time (each costs ~120 bytes while scored)
MIN_EDGE = 0.01  # pairs less likely than this to be one event count as unscored (0)
MIN_LOGIT = float(np.log(MIN_EDGE / (1.0 - MIN_EDGE)))


def _score_slice(part: range, shared: tuple) -> np.ndarray:
    return _scored(part, shared)[0]


def _scored(part: range, shared: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(probability, log-odds) of each pair, nan beyond reach. Scores in passes, each for
    the pairs still in play. Dates, rare names and named days first: beyond `window_days`
    a pair stays only with one of those links, beyond `link_days` none stays (nan). Then
    distinctive words and titles; the rest of the evidence only for pairs it could lift
    to MIN_EDGE. The others, most of a large archive's candidates, keep an upper bound of
    their probability (and log-odds), below MIN_EDGE: they are never edges either way."""
    corpus, all_i, all_j, s, (word_floor, name_floor) = shared
    i, j = all_i[part.start:part.stop], all_j[part.start:part.stop]
    distance = date_distance(corpus, i, j)
    known = np.nan_to_num(distance, nan=0.0)
    rare = np.minimum(rowwise_dot(corpus.rare_names, i, j), 1.0)
    named = names_the_day(corpus, i, j) * (known >= s.mention_days)
    linked = (rare > 0) | (named > 0)
    beyond = (distance > max(s.window_days, s.link_days)) | ((distance > s.window_days) & ~linked)
    alive = np.flatnonzero(~beyond)
    i, j, known, distance = i[alive], j[alive], known[alive], distance[alive]
    outlets = np.array(corpus.outlets, dtype=object)
    same_outlet = ((outlets[i] == outlets[j]) & (outlets[i] != "")).astype(np.float64)
    logit = (
        s.bias + s.word_weight * above_background(rowwise_dot(corpus.words, i, j), word_floor)
        + s.title_weight_cosine * rowwise_dot(corpus.titles, i, j)
        + s.rare_name_weight * rare[alive] + s.mention_weight * named[alive]
        + s.same_day_outlet_weight * same_outlet * (known <= 1)
        + s.same_outlet_weight * same_outlet
        + s.date_weight * np.log1p(known) + s.same_day_weight * (distance == 0)
    )
    figures, quotes = np.diff(corpus.numbers.indptr), np.diff(corpus.quotes.indptr)
    ceiling = (  # the most names, figures and quotes could add
        logit + max(s.name_weight, 0.0) + max(s.figure_jaccard_weight, 0.0)
        + max(s.figure_weight, 0.0) * np.log1p(np.minimum(figures[i], figures[j]))
        + max(s.quote_weight, 0.0) * np.log1p(np.minimum(quotes[i], quotes[j]))
    )
    rest = np.flatnonzero(ceiling >= MIN_LOGIT)
    final = ceiling.copy()
    final[rest] = _more_evidence(corpus, i[rest], j[rest], s, name_floor, logit[rest])
    probability, log_odds = np.full(len(beyond), np.nan), np.full(len(beyond), np.nan)
    probability[alive] = 1.0 / (1.0 + np.exp(-final))
    log_odds[alive] = final
    return probability, log_odds


def _more_evidence(corpus: Corpus, i: np.ndarray, j: np.ndarray, s: MergeSettings,
                   name_floor: float | None, logit: np.ndarray) -> np.ndarray:
    """The pairs' log-odds with names, figures, quotes and headline conflicts added."""
    names = above_background(rowwise_dot(corpus.names, i, j), name_floor)
    shared_figures = rowwise_dot(corpus.numbers, i, j)
    sizes = np.diff(corpus.numbers.indptr)
    union = np.maximum(sizes[i] + sizes[j] - shared_figures, 1.0)
    logit = (
        logit + s.name_weight * names
        + s.figure_weight * np.log1p(shared_figures)
        + s.figure_jaccard_weight * shared_figures / union
        + s.quote_weight * np.log1p(rowwise_dot(corpus.quotes, i, j))
    )
    # Headline conflicts only lower a score: read them where the pair could still be an edge.
    open_pairs = np.flatnonzero(logit >= MIN_LOGIT)
    place, figure = conflicts(corpus.headlines, corpus.texts, i[open_pairs], j[open_pairs])
    logit[open_pairs] += s.place_conflict_weight * place + s.figure_conflict_weight * figure
    return logit


SAMPLES = 4  # pseudo-random partners per article, for the corpus background


def background(matrix, samples: int = SAMPLES) -> float | None:
    """What unrelated articles of this corpus share anyway: the median cosine of fixed
    pseudo-random pairs (almost all of them unrelated, whatever the corpus), to the
    nearest FLOOR_STEP; None when there are too few articles to tell.

    A desk's archive shares a vocabulary (its places, its officials, its phrasing), so two
    unrelated stories can have a word cosine of 0.1 where unrelated wire stories have 0.02.
    Rounded, one edited article almost never moves it, and so almost never every score:
    the next build scores again only the pairs an edit touched (rescore.py). The rounding
    changes no figure `bench/merge_eval.py` prints.
    """
    return floor_of(background_cosines(matrix, samples))


def background_cosines(matrix, samples: int = SAMPLES,
                       kept: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray | None:
    """The cosines `background` takes the median of; None for too few articles. `kept`:
    (the last build's cosines, which rows changed since) when the articles are the same
    ones in the same order, so that only the pairs with a changed row are computed again
    (rescore.background_with_memo): at 10,000 articles, 80,000 row products a rebuild."""
    n = matrix.shape[0]
    if n < 20:
        return None
    base = np.arange(n)
    i = np.concatenate([base] * samples)
    j = np.concatenate([(base + (k * n) // (samples + 1) + 1) % n for k in range(1, samples + 1)])
    if kept is None or len(kept[0]) != len(i):
        return rowwise_dot(matrix, i, j)
    cosines, changed = kept[0].copy(), kept[1]
    again = np.flatnonzero(changed[i] | changed[j])
    cosines[again] = rowwise_dot(matrix, i[again], j[again])
    return cosines


def floor_of(cosines: np.ndarray | None) -> float | None:
    if cosines is None:
        return None
    return round(float(np.median(cosines)) / FLOOR_STEP) * FLOOR_STEP


FLOOR_STEP = 0.001


def above_background(similarity: np.ndarray, floor: float | None) -> np.ndarray:
    """Cosines rescaled from the corpus background up: a diverse corpus stays nearly as it
    was and a template-heavy one stops chaining."""
    if floor is None:
        return similarity
    if floor >= 1.0:  # (every sampled pair is identical: nothing stands out from it)
        return np.zeros_like(similarity)
    return np.clip((similarity - floor) / (1.0 - floor), 0.0, 1.0)


def cluster_articles(
    articles: Sequence[Article], settings: MergeSettings = MergeSettings(),
    known: EvidenceByPath | None = None, memo: ScoreMemo | None = None,
) -> tuple[list[Group], list[ContentError]]:
    """Groups article indices into events. Returns (groups, problems).

    Author overrides win over the model: equal `event:` keys are merged before any
    scoring, and `separate:` pairs can never end up in one group. `memo`: the previous
    build's scores, to score again only what an edit touched (rescore.py).
    """
    if not articles:
        return [], []
    forced, apart, problems = author_constraints(articles)
    corpus = build_corpus(articles, settings.title_weight, known, memo.rows if memo else None)
    release_memory()  # (the evidence read and the vocabularies counted, let go)
    paths = [a.path for a in articles]
    tops = tops_with_memo(memo, paths, corpus, settings.block_terms) if memo else None
    codes = candidate_codes(corpus, max(settings.window_days, settings.link_days),
                            settings.block_terms, settings.block_cap, tops)
    i, j, scores = in_pair_order(*score_edges(corpus, codes, settings, memo, paths),
                                 len(articles))
    del codes
    rare = rowwise_dot(corpus.rare_names, i, j)
    order_key = [a.path for a in articles]

    def link(keep: np.ndarray, constraints: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
        named = keep & (rare > 0)
        return average_link(len(articles), constraints, apart,
                            Edges(i[keep], j[keep], scores[keep]), settings.threshold,
                            order_key, Groups(settings.group_threshold, settings.group_names,
                                              Edges(i[named], j[named], rare[named])))

    members = groups_with_memo(memo, order_key, (i, j, scores), rare, forced, apart,
                               settings.threshold, link) \
        if memo else link(np.ones(len(i), dtype=bool), forced)
    explained = partial(explain, corpus, scores_of=edge_scores(i, j, scores, len(articles)),
                        forced=forced)
    reasons = explain_with_memo(memo, order_key, members, explained) if memo else \
        [explained(m) for m in members]
    groups = list(zip(members, reasons, strict=True))
    return sorted(groups, key=lambda g: min(order_key[k] for k in g[0])), problems


def in_pair_order(i: np.ndarray, j: np.ndarray, p: np.ndarray, n: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The edges sorted by (i, j), the order clustering adds them in (they come from
    scoring in that order already; this makes it the rule)."""
    order = np.argsort(i.astype(np.int64) * n + j, kind="stable")
    return i[order], j[order], p[order]


def edge_scores(i: np.ndarray, j: np.ndarray, p: np.ndarray, n: int
                ) -> Callable[[list[tuple[int, int]]], list[float]]:
    """Each pair's edge probability (0 for a pair that is no edge), looked up in the
    edges (sorted by (i, j)) rather than in a dictionary of them all."""
    codes = i.astype(np.int64) * n + j

    def scores_of(pairs: list[tuple[int, int]]) -> list[float]:
        found, at = find_sorted(np.array([a * n + b for a, b in pairs], dtype=np.int64), codes)
        return np.where(found, p[at] if len(p) else 0.0, 0.0).tolist()
    return scores_of


def author_constraints(articles: Sequence[Article]):
    """Read `event:` and `separate:` into forced groups and forbidden pairs.

    A `separate:` entry names a file (relative to the content folder or to the
    article's own folder) or an event key. When it names an article with the same
    `event:` key, the author contradicted themselves: that is a content error, and the
    `event:` key wins so the build still has one consistent answer.
    """
    by_key: dict[str, list[int]] = {}
    by_path: dict[str, int] = {}
    for k, article in enumerate(articles):
        by_path[article.path] = k
        if article.event_key:
            by_key.setdefault(article.event_key, []).append(k)
    forced = [tuple(v) for _, v in sorted(by_key.items()) if len(v) > 1]
    apart: set[tuple[int, int]] = set()
    problems: list[ContentError] = []
    for k, article in enumerate(articles):
        for target in article.separate:
            matched = resolve_target(article, target, by_path, by_key)
            if not matched:
                problems.append(unmatched(article, target))
            for other in matched:
                if other == k:
                    continue
                if article.event_key and articles[other].event_key == article.event_key:
                    problems.append(contradiction(article, articles[other]))
                    continue
                apart.add((min(k, other), max(k, other)))
    return forced, apart, problems


def resolve_target(article: Article, target: str, by_path: dict[str, int],
                   by_key: dict[str, list[int]]) -> list[int]:
    """The articles a `separate:` entry names: a path, a sibling file, or an event key."""
    clean = target.strip().removeprefix("./")
    folder = article.path.rpartition("/")[0]
    for path in (clean, f"{folder}/{clean}" if folder else clean):
        if path in by_path:
            return [by_path[path]]
    return list(by_key.get(clean, []))


def unmatched(article: Article, target: str) -> ContentError:
    return warning(
        article.path,
        article.separate_line,
        f"separate: {target!r} names no article or event key",
        "use a path relative to the content folder, or an event: key",
    )


def contradiction(article: Article, other: Article) -> ContentError:
    return ContentError(
        article.path,
        article.separate_line,
        f"event: {article.event_key!r} puts this article with {other.path}, "
        f"but separate: keeps them apart",
        "remove one of the two",
    )


def explain(corpus: Corpus, members: tuple[int, ...],
            scores_of: Callable[[list[tuple[int, int]]], list[float]],
            forced: list[tuple[int, ...]]) -> MergeReason:
    """Why these articles form one event: mean pair score, shared names and words, spread."""
    if len(members) == 1:
        return MergeReason(score=1.0)
    pairs = [(a, b) for x, a in enumerate(members) for b in members[x + 1 :]]
    score = sum(scores_of(pairs)) / len(pairs)
    days = corpus.days[list(members)]
    days = days[~np.isnan(days)]
    spread = int(days.max() - days.min()) if len(days) else 0
    is_forced = any(set(g) <= set(members) for g in forced)
    names = readable_names(shared(corpus.names, corpus.name_vocab, members, 3 * SHOWN))
    said = {normal_form(word) for name in names for word in name.split()}
    terms = [t for t in shared(corpus.words, corpus.word_vocab, members, 3 * SHOWN)
             if t not in said]  # (a name's words again, lower-cased, say nothing more)
    return MergeReason(
        score=round(score, 4),
        shared_names=names,
        shared_terms=tuple(terms[:SHOWN]),
        date_spread_days=spread,
        forced=is_forced,
    )


SHOWN = 6  # shared names, and shared words, that an event's merge reason gives


def readable_names(candidates: Sequence[str]) -> tuple[str, ...]:
    """The shared names as a reader should see them. The name features count every part
    of a name as well as the whole, and keep possessives: "russia's astrakhan" is two
    names each listed on its own, "russia's" is "russia", and a word of a longer shared
    name stands for it, in its place ("blinken" for "secretary of state antony blinken",
    "north" for "north korea", the best-ranked such name), and a title's word alone
    ("regional", "secretary") is left out. (The features also join a
    name across a word that is none: "Minneapolis Police Chief Pamela Smith" gives
    "minneapolis chief pamela smith", which no report writes; the page shows such a
    name's words one by one, `render.as_written`.)"""
    forms = [POSSESSIVE_END.sub("", name) for name in candidates
             if not any(POSSESSIVE_END.search(word) for word in name.split()[:-1])]
    longer = [name for name in forms if " " in name]

    def whole(name: str) -> str | None:
        if " " in name:
            return name
        found = next((other for other in longer if name in other.split()), None)
        return found or (None if name in TITLE_WORDS else name)
    return tuple(n for n in dict.fromkeys(map(whole, forms)) if n)[:SHOWN]


# Capitalised words that are parts of names and titles but no name alone ("Regional" of
# "Regional Governor ..."): listed only as part of a longer shared name.
TITLE_WORDS = word_set(
    "regional national federal state general secretary minister ministry president prime "
    "deputy chief governor mayor foreign defence defense interior government department "
    "council committee commission office army navy air force forces military "
    "north south east west northern southern eastern western central united")


POSSESSIVE_END = re.compile(r"'s$")  # (name features spell ’ as ')


def shared(
    matrix, vocab: tuple[str, ...], members: tuple[int, ...], limit: int = SHOWN
) -> tuple[str, ...]:
    """Features found in at least two of the articles, most widely shared and weighty first.

    Read straight from the CSR arrays of the members' rows: slicing the matrix per event
    costs more than the counting itself."""
    spans = [(matrix.indptr[k], matrix.indptr[k + 1]) for k in members]
    columns = np.concatenate([matrix.indices[lo:hi] for lo, hi in spans])
    values = np.concatenate([matrix.data[lo:hi] for lo, hi in spans])
    present = values > 0  # features an outlet's boilerplate weighed down to zero are absent
    found, where, presence = np.unique(columns[present], return_inverse=True,
                                       return_counts=True)
    weight = np.bincount(where, weights=values[present], minlength=len(found))
    often = np.flatnonzero(presence >= 2)
    # The vocabulary is sorted, so column order is the features' alphabetical order.
    ranked = often[np.lexsort((often, -weight[often], -presence[often]))]
    return tuple(vocab[c] for c in found[ranked[:limit]].tolist())
