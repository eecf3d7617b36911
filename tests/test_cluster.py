"""Duplicate-event clustering on small hand-made cases, author overrides and the seeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest

from generator.cluster import MergeSettings, cluster_articles, readable_names
from generator.entities import names, numbers
from generator.models import Article, Body, PartialDate
from generator.similarity import build_corpus, date_distance

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def art(path: str, title: str, text: str, day: str | None = "2024-03-05", source: str | None = None,
        **extra) -> Article:
    date = dt.date.fromisoformat(day) if day else None
    return Article(
        path=path,
        story="",
        title=title,
        content=Body.of(text),
        published=dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC) if date else None,
        source=source,
        event_date=PartialDate.of(date) if date else None,
        **extra,
    )


BACKGROUND = [
    art("bg1.md", "Council approves new budget for schools",
        "The city council approved a budget that raises spending on schools and parks.",
        "2024-03-04", "Gazette"),
    art("bg2.md", "Storm knocks out power across the county",
        "Heavy winds knocked out power to thousands of homes; crews worked overnight.",
        "2024-03-06", "Courier"),
    art("bg3.md", "Local team wins championship in overtime",
        "The Hornets beat the Falcons 78-75 in overtime to win the state title.", "2024-03-05",
        "Sports Daily"),
]

FIRE_A = art("fire-a.md", "Warehouse fire in Dunmore injures three firefighters",
             "A fire at the Keller Logistics warehouse on Birch Street in Dunmore injured three "
             "firefighters on Tuesday, Fire Chief Laura Menzies said. About 60 firefighters "
             "fought the blaze for five hours.", source="Dunmore Herald")
FIRE_B = art("fire-b.md", "Three firefighters hurt as blaze guts Dunmore warehouse",
             "Three firefighters were hurt when flames swept through a Keller Logistics "
             "warehouse in Dunmore, chief Laura Menzies told reporters. Some 60 crews battled "
             "the fire on Birch Street for five hours.", source="Valley News")
SHOOT_A = art("shoot-a.md", "Man, 34, shot dead on Elm Avenue in Riverton",
              "Riverton police said Marcus Doyle, 34, was shot and killed on Elm Avenue late on "
              "Tuesday. Detective Ana Ruiz said no arrests have been made.", source="Riverton Post")
SHOOT_B = art("shoot-b.md", "Teen wounded in Riverton shooting near Oak Park",
              "A 16-year-old girl, Tasha Green, was wounded by gunfire near Oak Park in Riverton "
              "on Tuesday afternoon. Sergeant Paul Webb said the suspect fled in a grey sedan.",
              source="Riverton Post")


DEFAULTS = MergeSettings()


def groups_of(articles, settings=DEFAULTS):
    groups, problems = cluster_articles(articles, settings)
    found = {tuple(sorted(articles[k].path for k in members)) for members, _ in groups}
    return found, groups, problems


def together(groups, *paths) -> bool:
    return any(set(paths) <= set(g) for g in groups)


def test_extractors_find_names_and_figures():
    found = names("Officers said Marcus Doyle, 34, was shot on Elm Avenue in Riverton.")
    assert "marcus doyle" in found and "doyle" in found and "riverton" in found
    assert numbers("Marcus Doyle, 34, died in 2024; 60 crews and 2 engines") == {"34", "60"}
    joined = names("The U.S. Senate passed it; J.D. Vance spoke of a Category 3 storm.")
    assert "u.s. senate" in joined and "j.d. vance" in joined, "initials run together"
    assert not {"u.", "s. senate", "d. vance", "category"} & set(joined)


def test_yearless_date_is_compatible_with_any_year():
    corpus = build_corpus([
        dataclasses.replace(art("a.md", "x", "x", None), event_date=PartialDate(None, 11, 13)),
        art("b.md", "y", "y", "2024-11-13"),
        art("c.md", "z", "z", "2024-11-20"),
    ])
    distance = date_distance(corpus, np.array([0, 0]), np.array([1, 2]))
    assert distance.tolist() == [0.0, 7.0]


def test_paraphrased_event_merges_and_others_stay_apart():
    found, groups, problems = groups_of([*BACKGROUND, FIRE_A, FIRE_B])
    assert together(found, "fire-a.md", "fire-b.md")
    assert len(found) == 4 and problems == []
    reason = next(r for m, r in groups if len(m) == 2)
    assert "dunmore" in reason.shared_names and reason.date_spread_days == 0
    assert reason.score > 0.4 and not reason.forced


def test_same_city_same_day_same_outlet_different_incidents_stay_apart():
    found, _, _ = groups_of([*BACKGROUND, SHOOT_A, SHOOT_B])
    assert not together(found, "shoot-a.md", "shoot-b.md")


def test_bridge_article_does_not_chain_two_events():
    bridge = art("bridge.md", "Busy Tuesday in Dunmore and Riverton",
                 "Three firefighters were hurt at the Keller Logistics warehouse fire on Birch "
                 "Street in Dunmore. In Riverton, Marcus Doyle, 34, was shot dead on Elm Avenue.",
                 source="Regional Wire")
    shoot_c = art("shoot-c.md", "Police name Elm Avenue shooting victim as Marcus Doyle",
                  "Riverton police named the man shot and killed on Elm Avenue late on Tuesday "
                  "as Marcus Doyle, 34. Detective Ana Ruiz said no arrests have been made.",
                  source="Channel 5")
    found, _, _ = groups_of([*BACKGROUND, FIRE_A, FIRE_B, SHOOT_A, shoot_c, bridge])
    assert together(found, "fire-a.md", "fire-b.md")
    assert together(found, "shoot-a.md", "shoot-c.md")
    assert not together(found, "fire-a.md", "shoot-a.md")
    assert not together(found, "fire-a.md", "shoot-c.md")


def test_event_key_forces_together_and_separate_keeps_apart():
    a = dataclasses.replace(BACKGROUND[0], event_key="spring")
    b = dataclasses.replace(BACKGROUND[1], event_key="spring")
    fire_b = dataclasses.replace(FIRE_B, separate=("fire-a.md",))
    found, groups, problems = groups_of([a, b, BACKGROUND[2], FIRE_A, fire_b])
    assert together(found, "bg1.md", "bg2.md")
    assert not together(found, "fire-a.md", "fire-b.md")
    assert problems == []
    assert next(r for m, r in groups if len(m) == 2).forced


def test_separate_by_event_key():
    fire_a = dataclasses.replace(FIRE_A, event_key="fire")
    fire_b = dataclasses.replace(FIRE_B, separate=("fire",))
    found, _, _ = groups_of([*BACKGROUND, fire_a, fire_b])
    assert not together(found, "fire-a.md", "fire-b.md")


def test_contradiction_is_a_content_error_not_a_crash():
    fire_a = dataclasses.replace(FIRE_A, event_key="fire", separate=("fire-b.md",))
    fire_b = dataclasses.replace(FIRE_B, event_key="fire")
    found, _, problems = groups_of([*BACKGROUND, fire_a, fire_b])
    assert together(found, "fire-a.md", "fire-b.md")
    assert [p.path for p in problems] == ["fire-a.md"]
    assert problems[0].severity == "error" and "separate" in problems[0].message


def test_unknown_separate_target_is_a_warning():
    fire_a = dataclasses.replace(FIRE_A, separate=("nowhere.md",))
    _, _, problems = groups_of([*BACKGROUND, fire_a, FIRE_B])
    assert [p.severity for p in problems] == ["warning"]


def seed_articles() -> list[Article]:
    """The two seeds as the parser would see them: no front matter, dates from the text."""
    first = (SEEDS / "000_ca7f983b08f06bbf.txt").read_text(encoding="utf-8")
    second = (SEEDS / "001_effe825b68eb2d18.txt").read_text(encoding="utf-8")
    title_1, _, body_1 = first.partition("\n")
    title_2, _, body_2 = second.partition("\n")
    return [
        dataclasses.replace(art("seeds/000.txt", title_1, body_1, None),
                            event_date=PartialDate(None, 11, 13)),
        art("seeds/001.txt", title_2, body_2, "2024-11-13"),
    ]


@pytest.mark.parametrize("with_background", [False, True])
def test_seeds_merge(with_background):
    articles = seed_articles() + (BACKGROUND if with_background else [])
    found, _, _ = groups_of(articles)
    assert together(found, "seeds/000.txt", "seeds/001.txt")


def test_shuffled_input_gives_the_same_groups():
    articles = [*BACKGROUND, FIRE_A, FIRE_B, SHOOT_A, SHOOT_B, *seed_articles()]
    expected, groups, _ = groups_of(articles)
    for seed in range(5):
        shuffled = articles[:]
        random.Random(seed).shuffle(shuffled)
        found, other, _ = groups_of(shuffled)
        assert found == expected
        assert sorted(map(repr, (r for _, r in other))) == sorted(map(repr, (r for _, r in groups)))


def test_every_article_in_exactly_one_group():
    articles = [*BACKGROUND, FIRE_A, FIRE_B, SHOOT_A, SHOOT_B]
    groups, _ = cluster_articles(articles)
    indices = sorted(k for members, _ in groups for k in members)
    assert indices == list(range(len(articles)))
    assert all(list(m) == sorted(m) for m, _ in groups)
    assert cluster_articles([]) == ([], [])


def test_recurring_headlines_with_another_place_or_figure_conflict():
    """Same headline shape, different place or figure: evidence of two occurrences."""
    from generator.headlines import conflicts, headline

    reports = [
        ("Power cuts hit Dnipro after attack on grid", "Drones hit a substation in Dnipro."),
        ("Power cuts hit Vilnius after attack on grid", "A cyber attack left Vilnius dark."),
        ("US economy adds 943,000 jobs in July", "Payrolls rose by 943,000 in July."),
        ("US economy adds 235,000 jobs in August", "Payrolls rose by 235,000 in August."),
        ("Economy adds 943K jobs, beating forecasts", "Employers added 943,000 jobs in July."),
        ("Zelensky meets Biden in Washington", "Zelensky met Biden at the White House."),
        ("Zelensky meets Biden at the White House", "The talks in Washington ran late."),
    ]
    heads = [headline(t, f"{t}\n{b}") for t, b in reports]
    texts = [f"{t}\n{b}" for t, b in reports]
    i, j = np.array([0, 2, 2, 5]), np.array([1, 3, 4, 6])
    place, figure = conflicts(heads, texts, i, j)
    assert place.tolist() == [1.0, 1.0, 0.0, 0.0]  # July vs August: two reports; Washington = White House here
    assert figure.tolist() == [0.0, 1.0, 0.0, 0.0]  # 943K is 943,000


def test_generated_archive_does_not_chain(tmp_path):
    """A desk's archive shares its vocabulary; stories must still stay apart (bench's
    make_corpus: each story has its own quotation line, the ground truth here)."""
    import re
    import sys

    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    from make_corpus import write_corpus

    from generator.discover import discover
    from generator.parse import read_article

    write_corpus(300, tmp_path / "content", seed=3)
    files = discover(tmp_path / "content").articles
    articles = [read_article(f.path, f.rel, f.story)[0] for f in files]
    quote = re.compile(r"^\".*\" \w.* told reporters in .*$", re.MULTILINE)
    truth = {a.path: quote.search(a.text).group(0) for a in articles}
    groups, _ = cluster_articles(articles, DEFAULTS)
    stories = len(set(truth.values()))
    assert abs(len(groups) - stories) <= 0.1 * stories
    label = {articles[k].path: n for n, (g, _) in enumerate(groups) for k in g}
    precision = sum(
        sum(label[b] == label[a] and truth[b] == truth[a] for b in truth)
        / sum(label[b] == label[a] for b in truth) for a in truth) / len(truth)
    assert precision >= 0.9  # B-cubed precision: few articles share an event by mistake


def test_bundled_example_events():
    """The example site's distinct steps stay distinct; its duplicate reports merge."""
    from generator.merge import merge
    from generator.parse import read_article

    content = Path(__file__).parent.parent / "content"
    articles = [read_article(p, p.relative_to(content).as_posix(), p.parent.name)[0]
                for p in sorted(content.rglob("*.md")) if not p.name.startswith("_")]
    events, _ = merge(articles)
    by_date = {e.date.iso(): len(e.articles) for e in events}
    assert by_date == {"2024-11-06": 1, "2024-11-13": 2, "2024-11-17": 1, "2024-11-19": 1,
                       "2024-11-21": 2, "2024-12-03": 1, "2025-01-09": 1, "2025-01-21": 1}


def test_rare_full_names_weigh_by_how_few_articles_share_them():
    """Two articles alone sharing a full name count 1; a third one makes it 1/4; a name
    in more than RARE_SHARE of the corpus counts nothing, however small the corpus."""
    from generator.evidence import Packed
    from generator.similarity import rowwise_dot
    from generator.weights import RARE_SHARE, Rows, rarity

    rows = [Packed.of({"tasha green", "elm avenue"}), Packed.of({"tasha green"}),
            Packed.of({"elm avenue"}), Packed.of({"elm avenue"})]
    rows += [Packed.of({f"filler {k}"}) for k in range(96)]
    matrix = rarity(Rows.of(rows, weighted=False).matrix()[0])
    shared = rowwise_dot(matrix, np.array([0, 0, 2]), np.array([1, 2, 3]))
    assert shared.tolist() == [1.0, 0.25, 0.25]
    common = rarity(Rows.of(rows[:4], weighted=False).matrix()[0])  # 4 articles: every name is in over RARE_SHARE
    assert RARE_SHARE < 2 / 4 and rowwise_dot(common, np.array([0]), np.array([1])) == [0.0]


def test_two_groups_join_only_when_nearly_identical_or_sharing_rare_names():
    """Average link with the group rule: a single report joins a group at `threshold`,
    two groups need `Groups.threshold` unless their pairs share rare full names."""
    from generator.linkage import Edges, Groups, average_link

    # 0-1 one group, 2-3 another; every cross pair at 0.7, above the plain threshold.
    edges = Edges.of({(0, 1): 0.99, (2, 3): 0.99, (0, 2): 0.7, (0, 3): 0.7, (1, 2): 0.7,
                      (1, 3): 0.7})
    order = ["a", "b", "c", "d"]
    plain = average_link(4, [], set(), edges, 0.4, order)
    assert plain == [(0, 1, 2, 3)]
    apart = average_link(4, [], set(), edges, 0.4, order, Groups(0.9, 0.08, Edges.of({})))
    assert apart == [(0, 1), (2, 3)]
    named = Groups(0.9, 0.08, Edges.of({(0, 2): 1.0}))  # one cross pair names the victim: 1/4
    assert average_link(4, [], set(), edges, 0.4, order, named) == [(0, 1, 2, 3)]
    # A single report still joins a group at the plain threshold.
    single = Edges.of({(0, 1): 0.99, (0, 2): 0.6, (1, 2): 0.6})
    assert average_link(3, [], set(), single, 0.4, order, Groups(0.9, 0.08, None)) == [(0, 1, 2)]


def test_follow_up_naming_the_victim_joins_days_later():
    """A report two weeks on (a charge) shares few words with the first reports, but it
    names the victim and the street, which few other reports do; a same-city shooting the
    same week does not join. Without the rare-name evidence the charge stays apart."""
    first = art("v-1.md", "Girl, 8, shot on Seaman Street in Toledo",
                "Journi Johnson, 8, was shot inside a home on Seaman Street in east Toledo on "
                "Sunday, police said. Officers found the girl with a gunshot wound.",
                "2024-03-03", "Toledo Blade")
    second = art("v-2.md", "Toledo girl, 8, dies after shooting on Seaman Street",
                 "Journi Johnson died at a hospital after she was shot on Seaman Street, "
                 "Toledo police said on Monday.", "2024-03-04", "WTOL")
    later = art("v-3.md", "Stepfather charged in death of Toledo girl",
                "Prosecutors charged Turhan Roberts with murder in the death of his "
                "stepdaughter Journi Johnson, who was shot at the family's Seaman Street "
                "home. He is held on a bond of one million dollars.", "2024-03-18", "13abc")
    other = art("v-4.md", "Man wounded in shooting on Dorr Street in Toledo",
                "A 41-year-old man was wounded by gunfire on Dorr Street in west Toledo, "
                "police said. No arrests have been made.", "2024-03-07", "Toledo News Now")
    filler = [art(f"f{k}.md", f"Man shot on {word} Street in {word}ville",
                  f"A man was shot and wounded on {word} Street in {word}ville on Saturday, "
                  "police said. No arrests have been made.", "2024-02-01", f"{word} Post")
              for k, word in enumerate(_words(80))]
    articles = [first, second, later, other, *filler]
    found, _, _ = groups_of(articles)
    assert together(found, "v-1.md", "v-2.md", "v-3.md")
    assert not together(found, "v-1.md", "v-4.md")
    found, _, _ = groups_of(articles, dataclasses.replace(DEFAULTS, rare_name_weight=0.0))
    assert together(found, "v-1.md", "v-2.md") and not together(found, "v-1.md", "v-3.md")


def _words(n: int) -> list[str]:
    """Distinct made-up words (no digits: digits would be read as figures)."""
    out = []
    for k in range(n):
        word = ""
        while True:
            k, r = divmod(k, 26)
            word += "bcdfghjklmnpqrstvwxyzaeiou"[r]
            if not k:
                break
        out.append(word.capitalize() + "ton")
    return out


def test_a_report_weeks_later_that_names_the_day_of_the_event_links_to_it():
    """An explicit date in a later report ("the Nov. 2 shooting") links it to the report
    of that day's event, beyond the ordinary window; a weekday name does not."""
    from generator.evidence import evidence
    from generator.similarity import build_corpus, names_the_day

    first = dataclasses.replace(
        art("m-1.md", "Two wounded in Elm Park shooting", "Two men were wounded in Elm Park.",
            "2024-11-02"), dates=())
    later = art("m-2.md", "Suspect arrested", "Police arrested a suspect in the Nov. 2 "
                "shooting in Elm Park.", "2024-12-10")
    weekday = art("m-3.md", "Suspect arrested", "Police arrested a suspect in Saturday's "
                  "shooting in Elm Park.", "2024-11-04")
    from generator.dates import find_dates

    later = dataclasses.replace(later, dates=tuple(find_dates(later.text, dt.date(2024, 12, 10))))
    weekday = dataclasses.replace(weekday, dates=tuple(find_dates(weekday.text,
                                                                  dt.date(2024, 11, 4))))
    assert dt.date(2024, 11, 2).toordinal() in evidence(later).mentioned
    assert evidence(weekday).mentioned == ()  # "Saturday's" is not a calendar date
    corpus = build_corpus([first, later, weekday])
    assert names_the_day(corpus, np.array([0, 0]), np.array([1, 2])).tolist() == [1.0, 0.0]


def test_beyond_the_window_only_linked_pairs_are_scored():
    """Reports 45 days apart are compared only when one names the other's day or they
    share a rare name; otherwise the pair is out of reach (nan)."""
    from generator.cluster import score_pairs
    from generator.dates import find_dates
    from generator.similarity import build_corpus

    first = art("w-1.md", "Bridge collapses in Dunmore", "The Birch Street bridge in Dunmore "
                "collapsed into the river.", "2024-03-01")
    plain = art("w-2.md", "Bridge in Dunmore to be rebuilt", "The Birch Street bridge in "
                "Dunmore will be rebuilt, the council said.", "2024-04-15")
    named = art("w-3.md", "Bridge in Dunmore to be rebuilt", "The Birch Street bridge in "
                "Dunmore, which collapsed on March 1, will be rebuilt.", "2024-04-15")
    named = dataclasses.replace(named, dates=tuple(find_dates(named.text, dt.date(2024, 4, 15))))
    corpus = build_corpus([first, plain, named])
    scores = score_pairs(corpus, np.array([0, 0]), np.array([1, 2]), DEFAULTS)
    assert np.isnan(scores[0]) and not np.isnan(scores[1])


def test_staged_scoring_is_exact_for_every_pair_that_can_be_an_edge(monkeypatch):
    """Pairs whose upper bound is below MIN_EDGE skip the costlier evidence; computing
    everything for every pair gives the same scores wherever either reaches MIN_EDGE."""
    import generator.cluster as cluster
    from generator.similarity import build_corpus

    articles = [*BACKGROUND, FIRE_A, FIRE_B, SHOOT_A, SHOOT_B, *seed_articles()]
    corpus = build_corpus(articles)
    i, j = np.triu_indices(len(articles), 1)
    staged = cluster.score_pairs(corpus, i, j, DEFAULTS)
    monkeypatch.setattr(cluster, "MIN_LOGIT", -np.inf)
    full = cluster.score_pairs(corpus, i, j, DEFAULTS)
    edge = (full >= cluster.MIN_EDGE) | (staged >= cluster.MIN_EDGE)
    assert edge.sum() >= 2
    assert np.allclose(staged[edge], full[edge])
    assert np.array_equal(np.isnan(staged), np.isnan(full))  # out of reach either way
    assert not np.any(staged[~edge] >= cluster.MIN_EDGE)


def test_scored_edges_are_the_candidate_pairs_likely_enough_to_be_one_event():
    """score_edges (slices of candidate codes, scored and filtered where they are scored)
    gives exactly the pairs and probabilities score_pairs gives at or above MIN_EDGE."""
    import generator.cluster as cluster
    from generator.blocking import PairCodes
    from generator.similarity import build_corpus

    articles = [*BACKGROUND, FIRE_A, FIRE_B, SHOOT_A, SHOOT_B, *seed_articles()]
    corpus = build_corpus(articles)
    i, j = np.triu_indices(len(articles), 1)
    found = PairCodes(len(articles), buckets=3)
    found.add(i, j)
    edge_i, edge_j, probability = cluster.score_edges(corpus, found.codes(), DEFAULTS)
    scores = cluster.score_pairs(corpus, i, j, DEFAULTS)
    keep = scores >= cluster.MIN_EDGE
    assert keep.sum() >= 2
    assert (edge_i.tolist(), edge_j.tolist()) == (i[keep].tolist(), j[keep].tolist())
    assert probability.tolist() == scores[keep].tolist()


def test_year_less_articles_are_paired_by_their_keys_as_before():
    """Articles without a year pair with the first `cap` dated articles sharing a key and
    with each other; the vectorised blocking finds what a plain loop over keys finds."""
    from generator.blocking import PairCodes, undated_pairs

    rng = np.random.default_rng(7)
    doc, key = rng.integers(0, 40, 60).astype(np.int32), rng.integers(0, 6, 60).astype(np.int32)
    dated_doc = rng.integers(40, 200, 300).astype(np.int32)
    dated_key = rng.integers(0, 6, 300).astype(np.int32)
    found = PairCodes(200)
    undated_pairs(doc, key, dated_doc, dated_key, 50, found)
    order = np.lexsort((dated_doc, dated_key))
    expected = set()
    for d, k in zip(doc.tolist(), key.tolist(), strict=True):
        partners = dated_doc[order][dated_key[order] == k][:50].tolist()
        partners += doc[key == k].tolist()  # (each key has fewer than 50 year-less entries)
        expected |= {(min(d, p), max(d, p)) for p in partners if p != d}
    codes = found.codes()
    assert {divmod(c, 200) for c in codes.take(0, len(codes)).tolist()} == expected


def test_shared_names_read_as_names_not_as_the_features_counted():
    """The name features hold every part of a name besides the whole, with possessives:
    the explanation names the whole, where the best-ranked part stood, and each once."""
    candidates = ("blinken", "nato", "north", "secretary", "korea's", "north korea's",
                  "russia's astrakhan", "russia's", "astrakhan", "north korean",
                  "secretary of state antony blinken", "antony", "general")
    assert readable_names(candidates) == ("secretary of state antony blinken", "nato",
                                          "north korea", "russia", "astrakhan", "north korean")
    assert readable_names(("blinken",)) == ("blinken",), "a part alone stays"
    assert readable_names(("dnipro", "regional", "russia")) == ("dnipro", "russia"), \
        "a title's word alone is no name"
