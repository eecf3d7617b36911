"""Reusing the last merge's raw matrix rows (generator/rowcache.py, issue 6): after any
edit, the corpus built from kept rows plus the changed articles' evidence must be exactly
the corpus built from every article's evidence, and only the changed articles' evidence
may be read."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cache import dumps
from generator.evidence import SEPARATOR, Spilled, evidence, evidence_key
from generator.models import Body
from generator.rowcache import MANIFEST, RowMemo
from generator.similarity import build_corpus

from .test_rescore import corpus, edit

MATRICES = ("words", "names", "titles", "numbers", "quotes", "rare_names")


class Counted(Spilled):
    """The build's evidence store, counting what the merge takes out of it."""

    def __init__(self, articles):
        super().__init__()
        self.read = 0
        for article in articles:
            data = dumps(evidence(article))
            self.add(article.path, data, evidence_key(data))

    def pop(self, path, default=None):
        self.read += 1
        return super().pop(path, default)


def built(articles, memo: RowMemo | None = None):
    ordered = sorted(articles, key=lambda a: a.path)
    with Counted(ordered) as known:
        return build_corpus(ordered, known=known, rows=memo), known.read


def assert_same(first, second) -> None:
    for name in MATRICES:
        a, b = getattr(first, name), getattr(second, name)
        assert a.shape == b.shape, name
        for part in ("data", "indices", "indptr"):
            x, y = getattr(a, part), getattr(b, part)
            assert x.dtype == y.dtype and np.array_equal(x, y), (name, part)
    assert first.word_vocab == second.word_vocab and first.name_vocab == second.name_vocab
    assert first.headlines == second.headlines
    assert np.array_equal(first.mentions, second.mentions)


def test_an_unchanged_corpus_reads_no_evidence(tmp_path):
    articles = corpus()
    memo = RowMemo(tmp_path / "rows", "settings")
    first, read = built(articles, memo)
    assert read == len(articles) and memo.reused == 0
    again, read = built(articles, RowMemo(tmp_path / "rows", "settings"))
    assert read == 0
    assert_same(again, first)


def reworded(article):
    return dataclasses.replace(article, content=Body.of(article.text + " Quillon wept."))


def assert_one_edit_reads_one_article(folder, articles, edited) -> None:
    """Rows left by `articles`, then `edited` (one article reworded): only that one's
    evidence is read, and the corpus is the one built from scratch."""
    built(articles, RowMemo(folder, "settings"))
    memo = RowMemo(folder, "settings")
    kept, read = built(edited, memo)
    assert read == 1 and memo.reused == len(edited) - 1
    assert_same(kept, built(edited)[0])


def test_one_edit_reads_only_that_article_and_gives_the_same_corpus(tmp_path):
    articles = corpus()
    edited = list(articles)
    edited[4] = reworded(edited[4])
    assert_one_edit_reads_one_article(tmp_path / "rows", articles, edited)


def test_rows_made_under_other_settings_or_damaged_are_not_used(tmp_path):
    articles = corpus()
    built(articles, RowMemo(tmp_path / "rows", "settings"))
    memo = RowMemo(tmp_path / "rows", "other settings")
    assert built(articles, memo)[1] == len(articles) and memo.reused == 0
    built(articles, RowMemo(tmp_path / "rows", "settings"))
    (tmp_path / "rows" / "words.indices.npy").write_bytes(b"\x93NUMPY broken")
    memo = RowMemo(tmp_path / "rows", "settings")
    damaged, read = built(articles, memo)
    assert read == len(articles) and memo.reused == 0
    assert_same(damaged, built(articles)[0])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["append", "retitle", "redate", "remove",
                                                 "add"]),
                                st.integers(0, 200)), min_size=1, max_size=4),
       seed=st.integers(0, 3), runs=st.booleans())
def test_any_edits_give_the_corpus_built_from_scratch(tmp_path_factory, monkeypatch, edits,
                                                      seed, runs):
    """Rewordings bring new words and drop others (columns join and leave the vocabulary),
    removals leave holes in the kept rows, additions copy another article's evidence.
    Kept rows are copied in runs or in blocks (`rowcache._stretches`)."""
    from generator import rowcache

    monkeypatch.setattr(rowcache, "RUN_ROWS", 1 if runs else 10**9)
    folder = tmp_path_factory.mktemp("rows") / "rows"
    rng = random.Random(seed)
    articles = corpus(seed)
    built(articles, RowMemo(folder, "settings"))
    for kind, k in edits:
        before = {a.path: a for a in articles}
        articles = edit(articles, kind, k, rng)
        memo = RowMemo(folder, "settings")
        kept, read = built(articles, memo)
        assert_same(kept, built(articles)[0])
        unchanged = sum(1 for a in articles if before.get(a.path) == a)
        assert memo.reused >= unchanged and read == len(articles) - memo.reused, (kind, k)


def test_folders_left_by_a_killed_build_are_cleared(tmp_path):
    (tmp_path / "rows.new-99999").mkdir()
    (tmp_path / "rows.old-99999" / "x").mkdir(parents=True)
    built(corpus(), RowMemo(tmp_path / "rows", "settings"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows"]


@pytest.mark.parametrize("runs", [True, False], ids=["in runs", "in blocks"])
def test_kept_rows_read_a_few_at_a_time_give_the_same_corpus(tmp_path, monkeypatch, runs):
    """Kept rows are copied a run at a time where they follow each other, else a block
    of rows at a time: both give the corpus built from scratch."""
    from generator import rowcache

    monkeypatch.setattr(rowcache, "ROWS", 3)
    monkeypatch.setattr(rowcache, "RUN_ROWS", 1 if runs else 10**9)
    articles = corpus()
    edited = articles[:7] + articles[8:]
    edited[2] = reworded(edited[2])
    assert_one_edit_reads_one_article(tmp_path / "rows", articles, edited)


def test_rows_that_pass_the_checks_but_are_wrong_fall_back_to_every_article(tmp_path):
    """A foreign manifest with a reversed vocabulary and arrays of the wrong type: the
    build reads every article's evidence instead of failing or mixing rows up."""
    import pickle

    articles = corpus()
    built(articles, RowMemo(tmp_path / "rows", "settings"))
    manifest_file = tmp_path / "rows" / MANIFEST
    manifest = pickle.loads(manifest_file.read_bytes())
    manifest["vocabs"]["words"] = SEPARATOR.join(reversed(manifest["vocabs"]["words"].split(
        SEPARATOR)))
    manifest_file.write_bytes(pickle.dumps(manifest))
    memo = RowMemo(tmp_path / "rows", "settings")
    reversed_vocab, read = built(articles, memo)
    assert read == len(articles) and memo.reused == 0
    assert_same(reversed_vocab, built(articles)[0])
    indices = tmp_path / "rows" / "names.indices.npy"
    np.save(indices, np.load(indices).astype(np.float64))
    memo = RowMemo(tmp_path / "rows", "settings")
    assert built(articles, memo)[1] == len(articles) and memo.reused == 0


def test_rows_swapped_in_by_another_build_do_not_mix_with_the_loaded_ones(tmp_path):
    """`serve` and a `build` at once: the arrays are opened when the rows are loaded."""
    from generator import rowcache

    articles = corpus()
    built(articles, RowMemo(tmp_path / "rows", "settings"))
    memo = RowMemo(tmp_path / "rows", "settings")
    previous = rowcache._load(memo)
    built(corpus(seed=2), RowMemo(tmp_path / "rows", "settings"))  # the other build
    ordered = sorted(articles, key=lambda a: a.path)
    with Counted(ordered) as known:
        raw = rowcache._gather([known.key(a.path) for a in ordered],
                               lambda k: known.pop(ordered[k].path), memo, previous)
    with Counted(ordered) as known:
        scratch = rowcache._gather([known.key(a.path) for a in ordered],
                                   lambda k: known.pop(ordered[k].path), None, None)
    for name, (matrix, vocab) in scratch.matrices.items():
        kept, kept_vocab = raw.matrices[name]
        assert kept_vocab == vocab and (kept != matrix).nnz == 0, name


def test_a_live_build_keeps_its_staging_folder(tmp_path):
    (tmp_path / "rows.new-1").mkdir()  # pid 1 always runs
    built(corpus(), RowMemo(tmp_path / "rows", "settings"))
    assert (tmp_path / "rows.new-1").is_dir()
