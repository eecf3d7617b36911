"""The compact forms a 100k-article build relies on (docs/architecture.md, Memory) must
read back exactly what was put in."""

from __future__ import annotations

import pickle

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.evidence import Packed, Spilled, evidence, evidence_key
from generator.models import Body
from generator.spill import SpillFile

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT)
def test_body_gives_back_its_text_and_html(text, html):
    body = Body.of(text, html)
    assert (body.text, body.html) == (text, html)
    assert (body.without_html().text, body.without_html().html) == (text, "")
    again = pickle.loads(pickle.dumps(body))
    assert (again.text, again.html) == (text, html)


def test_body_keeps_lone_surrogates_from_undecodable_bytes():
    text = "caf\udce9 au lait"  # what surrogateescape decoding leaves for a stray byte
    assert Body.of(text, f"<p>{text}</p>").html == f"<p>{text}</p>"


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(st.characters(blacklist_characters="\x00"), min_size=1),
                       st.one_of(st.integers(0, 300).map(float),
                                 st.floats(0.001, 1e6, allow_nan=False)), max_size=40))
def test_packed_features_read_back_exactly(weights):
    packed = Packed.of(weights)
    assert packed.keys() == list(weights)
    assert packed.values().tolist() == list(weights.values())
    assert packed.values().dtype == np.float64
    assert Packed.of(frozenset(weights)).keys() == sorted(weights)


def test_spilled_evidence_reads_back_and_each_only_once(tmp_path):
    from tests.test_cluster import art

    articles = [art(f"a{k}.md", f"Title {k}", f"Police in Elm Park said {k} people were hurt.")
                for k in range(3)]
    with Spilled(tmp_path) as spilled:
        for article in articles:
            data = pickle.dumps(evidence(article))
            spilled.add(article.path, data, evidence_key(data))
        assert spilled.pop("a1.md") == evidence(articles[1])
        assert spilled.pop("a1.md") is None and spilled.pop("missing.md") is None
        data = pickle.dumps(evidence(articles[0]))
        spilled.add("late.md", data, evidence_key(data))
        assert spilled.pop("late.md") == evidence(articles[0])
        assert spilled.key("late.md") == evidence_key(data)
    assert list(tmp_path.iterdir()) == []


def test_deferred_evidence_is_fetched_once_and_only_when_asked_for(tmp_path):
    """Evidence the parse cache holds is read only when the merge first asks for one of
    it, and then all of it at once."""
    from tests.test_cluster import art

    articles = [art(f"a{k}.md", f"Title {k}", f"Police in Elm Park said {k} people were hurt.")
                for k in range(3)]
    stored = {f"key{k}": pickle.dumps(evidence(a)) for k, a in enumerate(articles)}
    fetched = []

    def fetch(wanted):
        fetched.append(dict(wanted))
        return [(path, stored[key]) for path, key in wanted.items() if key != "key2"]

    recomputed = []

    def recompute(path):
        recomputed.append(path)
        return evidence(articles[int(path[1])])

    with Spilled(tmp_path) as spilled:
        spilled.fetch, spilled.recompute = fetch, recompute
        for k, article in enumerate(articles):
            spilled.defer(article.path, evidence_key(stored[f"key{k}"]), f"key{k}")
        assert spilled.key("a0.md") == evidence_key(stored["key0"]) and not fetched
        assert spilled.pop("a1.md") == evidence(articles[1])
        assert spilled.pop("a0.md") == evidence(articles[0])
        assert spilled.pop("a2.md") == evidence(articles[2]), \
            "lost from the cache: worked out again from the article as parsed"
        assert spilled.pop("a2.md") is None
    assert fetched == [{"a0.md": "key0", "a1.md": "key1", "a2.md": "key2"}]
    assert recomputed == ["a2.md"]


def test_a_spill_file_that_cannot_be_written_keeps_the_bytes_in_memory(tmp_path):
    """A full disk: what follows is kept in memory, what was written stays readable."""
    spill = SpillFile(tmp_path)
    first = spill.put(b"on disk")

    class FullDisk:
        def __init__(self, file):
            self.file = file

        def write(self, data):
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.file, name)

    spill.file = FullDisk(spill.file)
    second = spill.put(b"in memory")
    third = spill.put(b"also in memory")
    assert [spill.get(w) for w in (first, second, third)] == [
        b"on disk", b"in memory", b"also in memory"]
    spill.close()
