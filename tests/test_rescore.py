"""Reusing the previous build's pair scores (generator/rescore.py, issue 6): after any
edit, clustering with the last build's scores must give exactly what clustering from
scratch gives, and must score again only the pairs the edit could have touched."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cache import value_token
from generator.cluster import MergeSettings, cluster_articles
from generator.models import Article, Body, PartialDate
from generator.rescore import ScoreMemo

PLACES = ["Dunmore", "Riverton", "Kestrel Bay", "Ashford", "Milltown", "Harrow", "Lindell"]
PEOPLE = ["Laura Menzies", "Marcus Doyle", "Ana Ruiz", "Tasha Green", "Omar Haddad",
          "Ines Varga", "Peter Lund", "Grace Okafor"]
KINDS = [("fire", "A fire at a warehouse on {street} in {place} injured {n} firefighters"),
         ("vote", "The {place} council voted {n} to 2 to approve the budget"),
         ("crash", "A bus crash on {street} in {place} left {n} passengers hurt"),
         ("storm", "A storm cut power to {n} thousand homes in {place}")]
STREETS = ["Birch Street", "Elm Avenue", "Harbour Road", "Mill Lane", "Oak Park"]
OUTLETS = ["Herald", "Valley News", "Courier", "Wire", "Gazette"]


def corpus(seed: int = 3, events: int = 24) -> list[Article]:
    """Small news days: each event told by one to three outlets in their own words."""
    rng = random.Random(seed)
    articles = []
    for number in range(events):
        kind, lead = KINDS[number % len(KINDS)]
        facts = {"place": rng.choice(PLACES), "street": rng.choice(STREETS),
                 "n": rng.randint(3, 40)}
        person = rng.choice(PEOPLE)
        day = dt.date(2024, 3, 1) + dt.timedelta(days=rng.randint(0, 20))
        for copy in range(rng.randint(1, 3)):
            outlet = OUTLETS[(number + copy) % len(OUTLETS)]
            said = rng.choice(["said", "told reporters", "confirmed"])
            text = (f"{lead.format(**facts)} on {day:%A}, {person} {said}. "
                    f"Officials in {facts['place']} expect a report on the {kind} next week.")
            articles.append(article(f"e{number:02d}-{copy}.md",
                                    f"{kind.title()} in {facts['place']}: {facts['n']} hurt",
                                    text, day + dt.timedelta(days=copy), outlet))
    return articles


def article(path: str, title: str, text: str, day: dt.date, source: str) -> Article:
    return Article(path=path, story="", title=title, content=Body.of(text),
                   published=dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC),
                   source=source, event_date=PartialDate.of(day))


def memo_for(articles: list[Article], previous=None) -> ScoreMemo:
    return ScoreMemo(previous, {a.path: value_token(a) for a in articles})


def clustered(articles: list[Article], memo: ScoreMemo | None = None,
              model: MergeSettings | None = None):
    ordered = sorted(articles, key=lambda a: a.path)
    groups, _ = cluster_articles(ordered, model or MergeSettings(), memo=memo)
    return [([ordered[k].path for k in members], reason) for members, reason in groups]


def edit(articles: list[Article], kind: str, k: int, rng: random.Random) -> list[Article]:
    """One author's edit: reword, retitle, redate, add or remove an article."""
    articles = list(articles)
    k %= len(articles)
    target = articles[k]
    if kind == "append":
        extra = f" {rng.choice(PEOPLE)} visited {rng.choice(PLACES)} on Friday."
        articles[k] = dataclasses.replace(target, content=Body.of(target.text + extra))
    elif kind == "retitle":
        articles[k] = dataclasses.replace(target, title=f"{target.title} (updated)")
    elif kind == "redate":
        day = target.event_date.to_date() + dt.timedelta(days=rng.choice([-9, 2, 30]))
        articles[k] = dataclasses.replace(target, event_date=PartialDate.of(day))
    elif kind == "remove":
        del articles[k]
    elif kind == "force":  # an author's event: key, on this article and the next
        other = (k + 1) % len(articles)
        articles[k] = dataclasses.replace(target, event_key="forced")
        articles[other] = dataclasses.replace(articles[other], event_key="forced")
    elif kind == "separate":
        other = articles[(k + 1) % len(articles)].path
        articles[k] = dataclasses.replace(target, separate=(other,))
    elif kind == "add":
        copy = dataclasses.replace(target, path=f"z{rng.randint(0, 999):03d}-{k}.md",
                                   source="Late Edition")
        articles.append(copy)
    return articles


def test_a_rebuild_with_nothing_changed_scores_nothing_again():
    articles = corpus()
    first = memo_for(articles)
    clustered(articles, first)
    again = memo_for(articles, first.current)
    assert clustered(articles, again) == clustered(articles)
    assert again.rescored == 0 and again.explained == 0


def test_one_reworded_article_scores_only_its_own_pairs_again():
    articles = corpus()
    first = memo_for(articles)
    before = clustered(articles, first)
    edited = list(articles)  # words no other article has: no other row is reweighed
    edited[5] = dataclasses.replace(edited[5], content=Body.of(edited[5].text + " Quillon wept."))
    second = memo_for(edited, first.current)
    assert clustered(edited, second) == clustered(edited)
    assert second.rescored is not None, "the edit should not have needed a full scoring"
    assert second.explained <= 1, "only the edited article's event is explained again"
    assert 0 < second.rescored < len(edited) * 3
    assert set(second.current.tops) == {"words", "names"}
    assert before  # (the corpus merged something: the test is not vacuous)
    assert any(len(paths) > 1 for paths, _ in before)


def test_articles_that_only_gained_or_lost_a_partner_keep_their_other_scores(monkeypatch):
    """With a blocking cap of 2, an edit moves its article in its keys' lists, and the
    articles near it there gain or lose a candidate partner: their new pairs are scored,
    their other pairs (two unchanged rows, candidates before) are not."""
    from generator import rescore

    model = MergeSettings(block_cap=2)
    articles = corpus(1)
    first = memo_for(articles)
    clustered(articles, first, model)
    edited = list(articles)
    edited[0] = dataclasses.replace(edited[0], content=Body.of(edited[0].text + QUILLON))
    seen = []
    real = rescore._todo
    monkeypatch.setattr(rescore, "_todo", lambda codes, plan, *rest:
                        seen.append((codes.take(0, len(codes)), plan)) or
                        real(codes, plan, *rest))
    second = memo_for(edited, first.current)
    assert clustered(edited, second, model) == clustered(edited, model=model)
    assert same_edges(second.current, scratch_state(edited, model))
    codes, plan = seen[0]
    n = len(edited)
    touching = int((plan.changed[codes // n] | plan.changed[codes % n]).sum())
    assert second.edited.sum() == 1 and second.changed.sum() >= 3, "partners moved"
    assert second.scored < touching, (second.scored, touching)


QUILLON = " Quillon wept in Harrow."


def test_the_kept_pairs_file_is_read_back_and_a_damaged_one_is_not_used(tmp_path):
    """In a site's cache the pairs and their bounds wait in a file, not in the state."""
    articles = corpus()
    tokens = {a.path: value_token(a) for a in articles}
    first = ScoreMemo(None, tokens, pairs=tmp_path / "pairs.bin")
    clustered(articles, first)
    assert (tmp_path / "pairs.bin").stat().st_size == first.current.pairs.count * 12 > 0
    edited = list(articles)
    edited[5] = dataclasses.replace(edited[5], content=Body.of(edited[5].text + " Quillon wept."))
    new_tokens = {a.path: value_token(a) for a in edited}
    second = ScoreMemo(first.current, new_tokens, pairs=tmp_path / "again.bin")
    assert clustered(edited, second) == clustered(edited)
    assert second.scored is not None and second.scored < first.current.pairs.count
    data = bytearray((tmp_path / "again.bin").read_bytes())
    data[-1] ^= 1  # (one bit of the last bound)
    (tmp_path / "again.bin").write_bytes(bytes(data))
    third = ScoreMemo(second.current, new_tokens, pairs=tmp_path / "third.bin")
    assert clustered(edited, third) == clustered(edited)
    assert third.scored is None, "scored from scratch"


def test_only_the_components_an_edit_touched_are_clustered_again(monkeypatch):
    """Average-link joins groups only along edges, so a connected component of the pair
    graph that kept its articles, edges and scores keeps its groups (regroup.py)."""
    from generator import cluster

    articles = corpus(events=40)
    first = memo_for(articles)
    clustered(articles, first)
    clustered_edges = []
    real = cluster.average_link
    monkeypatch.setattr(cluster, "average_link", lambda n, forced, apart, edges, *rest:
                        clustered_edges.append(len(edges.score)) or
                        real(n, forced, apart, edges, *rest))
    edited = list(articles)
    edited[5] = dataclasses.replace(edited[5], content=Body.of(edited[5].text + " Quillon wept."))
    second = memo_for(edited, first.current)
    assert clustered(edited, second) == clustered(edited)
    assert same_edges(second.current, scratch_state(edited))
    everything = clustered_edges[-1]  # (the clustering from scratch)
    assert everything >= 20 and clustered_edges[0] <= everything // 4, clustered_edges
    assert second.current.components.keys() == scratch_state(edited).components.keys()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(["append", "retitle", "redate", "remove",
                                                 "add", "force", "separate"]),
                                st.integers(0, 200)), min_size=1, max_size=4),
       seed=st.integers(0, 3), cap=st.sampled_from([50, 2]))
def test_any_edits_give_what_clustering_from_scratch_gives(edits, seed, cap):
    """A blocking cap of 2 makes an edit move other articles' candidate partners (the
    pairs at the cap's edge in a shared key's list), which the default cap does only on
    large archives."""
    model = MergeSettings(block_cap=cap)
    rng = random.Random(seed)
    articles = corpus(seed)
    memo = memo_for(articles)
    clustered(articles, memo, model)
    for kind, k in edits:
        articles = edit(articles, kind, k, rng)
        memo, scratch = memo_for(articles, memo.current), memo_for(articles)
        assert clustered(articles, memo, model) == clustered(articles, scratch, model), (kind, k)
        assert same_edges(memo.current, scratch.current), "every edge and score, not just groups"


def same_edges(first, second) -> bool:
    """Every edge, fingerprint, blocking top, background cosine and kept weight of two
    score states (not their pairs' bounds: carried forward by one, exact in the other)."""
    return all(np.array_equal(getattr(first, name), getattr(second, name))
               for name in ("i", "j", "p", "rows", "partners", "views", "fixed", "outlets")) and \
        first.weights.keys() == second.weights.keys() and \
        all(np.array_equal(a, b) for k in first.weights
            for a, b in zip(first.weights[k], second.weights[k], strict=True)) and \
        first.floors == second.floors and first.background.keys() == second.background.keys() \
        and all(np.array_equal(first.background[k], second.background[k])
                for k in first.background) and \
        first.tops.keys() == second.tops.keys() and \
        all(np.array_equal(first.tops[k].counts, second.tops[k].counts) and
            np.array_equal(first.tops[k].positions, second.tops[k].positions)
            for k in first.tops)


def test_blocking_works_out_the_tops_of_changed_rows_only(monkeypatch):
    from generator import rescore

    articles = corpus()
    first = memo_for(articles)
    clustered(articles, first)
    asked: list[int] = []
    real = rescore.top_positions
    monkeypatch.setattr(rescore, "top_positions",
                        lambda matrix, per_row, rows: asked.extend(rows) or
                        real(matrix, per_row, rows))
    edited = list(articles)
    edited[5] = dataclasses.replace(edited[5], content=Body.of(edited[5].text + " Quillon wept."))
    second = memo_for(edited, first.current)
    clustered(edited, second)
    row = sorted(a.path for a in edited).index(edited[5].path)
    assert asked == [row, row], "the edited row's tops, in words and in names; no other"
    assert same_edges(second.current, scratch_state(edited))


def test_the_background_is_computed_again_for_the_pairs_of_changed_rows_only(monkeypatch):
    """The corpus background samples 4 pairs per article; after one edit with words no
    other article has, only the edited row's samples are computed again."""
    from generator import cluster

    articles = corpus(events=40)
    first = memo_for(articles)
    clustered(articles, first)
    asked: list[int] = []
    real = cluster.rowwise_dot
    monkeypatch.setattr(cluster, "rowwise_dot", lambda matrix, i, j: asked.append(len(i)) or
                        real(matrix, i, j))
    edited = list(articles)
    edited[5] = dataclasses.replace(edited[5], content=Body.of(edited[5].text + " Quillon wept."))
    second = memo_for(edited, first.current)
    clustered(edited, second)
    # Background first (words, then names): the edited row's own 4 samples and the 4
    # that pair another row with it, in each.
    assert asked[:2] == [8, 8], asked
    assert len(edited) >= 20 and second.current.floors[0] is not None
    assert same_edges(second.current, scratch_state(edited))


COMMON = " The council approved the budget next week, officials said after the storm."


def with_common_words(articles: list[Article]) -> list[Article]:
    """The articles with a sentence of everyday words added to one of them."""
    edited = list(articles)
    edited[5] = dataclasses.replace(edited[5], content=Body.of(edited[5].text + COMMON))
    return edited


def test_common_words_reweigh_many_rows_but_few_pairs_are_scored_again(monkeypatch):
    """Words most articles have move their document frequencies, so every row holding
    them is reweighed a little: those rows' old edges and the pairs near the line are
    scored again, not all their pairs, and the result is still the one from scratch."""
    from generator import rescore

    articles = corpus(2, events=120)  # (a corpus whose background the edit leaves alone)
    first = memo_for(articles)
    clustered(articles, first)
    edited = with_common_words(articles)
    second = memo_for(edited, first.current)
    assert clustered(edited, second) == clustered(edited)
    assert same_edges(second.current, scratch_state(edited))
    reweighed = second.changed & ~second.edited
    assert reweighed.sum() >= 10, "rows that only moved"
    loose = memo_for(edited, first.current)
    monkeypatch.setattr(rescore, "MARGIN", 1e9)  # no pair is far enough from the line
    clustered(edited, loose)
    assert second.scored < loose.scored, (second.scored, loose.scored)


def test_bounds_do_not_loosen_edit_after_edit():
    """Each pair keeps its own bound, carried forward by its rows' movements: editing an
    article back and forth with common words scores few of the pairs, about as many each
    time. (A bound per article, the largest of its pairs', scored twice as many here and
    at 10,000 articles loosened edit after edit until most pairs were scored again.)"""
    articles = corpus(2, events=120)
    memo = memo_for(articles)
    clustered(articles, memo)
    edited = with_common_words(articles)
    counts = []
    for version in [edited, articles] * 3:
        memo = memo_for(version, memo.current)
        assert clustered(version, memo) == clustered(version)
        counts.append(memo.scored)
    everything = len(memo.current.pairs[0])
    assert None not in counts and max(counts) <= everything / 5, (counts, everything)
    assert counts[-2] <= counts[0] * 1.1, counts


def test_a_pair_of_reweighed_rows_moves_no_more_than_their_movements(monkeypatch):
    """The bound the rescoring rests on, checked on every pair: with nothing pruned
    (every log-odds exact), a pair of two rows that were only reweighed has log-odds
    within the sum of the two rows' movements of the last build's."""
    from generator import cluster, rescore
    from generator.similarity import build_corpus

    articles = corpus(2, events=120)
    first = memo_for(articles)
    clustered(articles, first)
    edited = with_common_words(articles)
    plans = []
    real = rescore._plan
    monkeypatch.setattr(rescore, "_plan", lambda *a: plans.append(real(*a)) or plans[-1])
    clustered(edited, memo_for(edited, first.current))
    plan = plans[-1]
    monkeypatch.setattr(cluster, "MIN_LOGIT", -np.inf)  # every pair scored in full

    def exact(articles):
        ordered = sorted(articles, key=lambda a: a.path)
        found = build_corpus(ordered)
        n = len(ordered)
        i, j = np.triu_indices(n, 1)
        return cluster._scored(range(len(i)), (found, i, j, MergeSettings(),
                                               cluster._floors(found)))[1], i, j

    before, i, j = exact(articles)
    after, _, _ = exact(edited)
    moved = ~plan.edited[i] & ~plan.edited[j]
    assert (plan.movement > 0).sum() >= 10 and moved.sum() > 100
    assert np.array_equal(np.isnan(before[moved]), np.isnan(after[moved]))
    alive = moved & ~np.isnan(before)
    gap = np.abs(after[alive] - before[alive])
    allowed = plan.movement[i[alive]] + plan.movement[j[alive]]
    assert np.all(gap <= allowed + 1e-9), float((gap - allowed).max())
    assert gap.max() > 0, "some reweighed pair did move"


def scratch_state(articles: list[Article], model: MergeSettings | None = None):
    memo = memo_for(articles)
    clustered(articles, memo, model)
    return memo.current


def test_fingerprints_do_not_depend_on_how_many_rows_are_taken_at_a_time(monkeypatch):
    from generator import rescore
    from generator.similarity import build_corpus

    articles = sorted(corpus(), key=lambda a: a.path)
    weighed = build_corpus(articles)
    tokens = [value_token(a) for a in articles]
    whole = rescore.row_fingerprints(weighed, tokens)
    monkeypatch.setattr(rescore, "ROWS", 5)
    assert np.array_equal(rescore.row_fingerprints(weighed, tokens), whole)
    assert len(set(whole.tolist())) == len(articles)


@pytest.mark.parametrize("damage", ["rows", "pairs", "weights"])
def test_a_damaged_state_is_not_used(damage):
    articles = corpus()
    first = memo_for(articles)
    clustered(articles, first)
    state = first.current
    if damage == "weights":  # (a truncated array of kept weights)
        indptr, data = state.weights["words"]
        broken = dataclasses.replace(state, weights={**state.weights,
                                                     "words": (indptr, data[:-1])})
    elif damage == "pairs":  # (a bound missing)
        codes, bounds = state.pairs
        broken = dataclasses.replace(state, pairs=(codes, bounds[:-1]))
    else:
        broken = dataclasses.replace(state, **{damage: getattr(state, damage)[:-1]})
    edited = with_common_words(articles)
    again = memo_for(edited, broken)
    assert clustered(edited, again) == clustered(edited)
    assert again.rescored is None, "scored from scratch"


def merged(articles: list[Article], memo: ScoreMemo | None = None):
    from generator.merge import merge

    return merge(articles, MergeSettings(), memo=memo)


def test_events_of_unchanged_groups_are_not_assembled_again(monkeypatch):
    from generator import merge as merge_module

    articles = corpus()
    first = memo_for(articles)
    merged(articles, first)
    edited = list(articles)
    edited[5] = dataclasses.replace(edited[5], content=Body.of(edited[5].text + " Quillon wept."))
    calls = []
    real = merge_module.assemble
    monkeypatch.setattr(merge_module, "assemble", lambda *a: calls.append(a) or real(*a))
    again = merged(edited, memo_for(edited, first.current))
    assert len(calls) == 1 and edited[5] in calls[0][0]
    monkeypatch.setattr(merge_module, "assemble", real)
    assert again == merged(edited)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(["append", "retitle", "redate", "remove",
                                                 "add", "force"]),
                                st.integers(0, 200)), min_size=1, max_size=3),
       seed=st.integers(0, 3))
def test_any_edits_give_the_events_merging_from_scratch_gives(edits, seed):
    rng = random.Random(seed)
    articles = corpus(seed)
    memo = memo_for(articles)
    merged(articles, memo)
    for kind, k in edits:
        articles = edit(articles, kind, k, rng)
        memo = memo_for(articles, memo.current)
        assert merged(articles, memo) == merged(articles), (kind, k)


def test_partner_fingerprints_are_sums_of_the_partners_hashes_mod_2_to_the_64():
    from generator.blocking import PairCodes
    from generator.rescore import partner_fingerprints, path_hashes

    rng = random.Random(5)
    n = 40
    hashes = path_hashes([f"a{k}.md" for k in range(n)])
    pairs = {(a, b) for a, b in ((rng.randrange(n), rng.randrange(n)) for _ in range(300))
             if a < b}
    found = PairCodes(n)
    found.add(np.array([a for a, _ in sorted(pairs)]), np.array([b for _, b in sorted(pairs)]))
    expected = [0] * n
    for a, b in pairs:
        expected[a] = (expected[a] + int(hashes[b])) % 2 ** 64
        expected[b] = (expected[b] + int(hashes[a])) % 2 ** 64
    assert partner_fingerprints(found.codes(), hashes, 7).tolist() == expected
