"""Measure cluster_articles directly on the labelled eval files (no build, no disk).

    python bench/merge_lab.py [FILE.jsonl ...] [--set name=value ...]
    python bench/merge_lab.py --archive 1000 --archive 10000   # generated war-desk archive

Reads ../shared/eval-dev/*.jsonl at run time (the texts belong to their publishers and
are never copied), builds Article records in memory, clusters each file on its own and
prints B-cubed and pairwise precision/recall/F1 and the time taken.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import json
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generator.cluster import MergeSettings, cluster_articles  # noqa: E402
from generator.models import Article, Body, PartialDate  # noqa: E402

EVAL_DIR = ROOT.parent / "shared" / "eval-dev"
FILES = ("news_cluster.jsonl", "allsides_roundups.jsonl", "gva_incidents.jsonl")


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def to_article(record: dict) -> Article:
    day = dt.date.fromisoformat(record["date"])
    return Article(
        path=f"{record['id']}.md",
        story="",
        title=record["title"],
        content=Body.of(record["text"]),
        published=dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC),
        source=record["outlet"],
        url=record["url"],
        event_date=PartialDate.of(day),
    )


def bcubed(truth: Sequence[str], predicted: Sequence[int]) -> tuple[float, float, float]:
    """B-cubed precision/recall/F1: per article, how pure and complete its cluster is."""
    by_truth, by_pred, both = defaultdict(int), defaultdict(int), defaultdict(int)
    for t, p in zip(truth, predicted, strict=True):
        by_truth[t] += 1
        by_pred[p] += 1
        both[(t, p)] += 1
    n = len(truth)
    precision = sum(both[(t, p)] / by_pred[p] for t, p in zip(truth, predicted, strict=True)) / n
    recall = sum(both[(t, p)] / by_truth[t] for t, p in zip(truth, predicted, strict=True)) / n
    return precision, recall, f1(precision, recall)


def pairwise(truth: Sequence[str], predicted: Sequence[int]) -> tuple[float, float, float]:
    """Precision/recall/F1 over all article pairs judged 'same event'."""
    def pairs(labels) -> int:
        counts = defaultdict(int)
        for label in labels:
            counts[label] += 1
        return sum(c * (c - 1) // 2 for c in counts.values())

    together = pairs(list(zip(truth, predicted, strict=True)))
    true_pairs, predicted_pairs = pairs(truth), pairs(predicted)
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    return precision, recall, f1(precision, recall)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def labels_of(groups, n: int) -> list[int]:
    labels = [-1] * n
    for g, (members, _) in enumerate(groups):
        for k in members:
            labels[k] = g
    return labels


def parsed_articles(records: Sequence[dict]) -> list[Article]:
    """The records as the build reads them: written as merge_eval.py writes them (front
    matter from the fields) and parsed, so event dates come from the text ("on Tuesday")."""
    from merge_eval import write_content

    from generator.parse import read_article

    with tempfile.TemporaryDirectory(prefix="dateline-lab-") as tmp:
        folder = Path(tmp) / "eval"
        write_content(records, folder)
        return [read_article(folder / f"{r['id']}.md", f"eval/{r['id']}.md", "eval")[0]
                for r in records]


def evaluate(name: str, settings: MergeSettings, parsed: bool = False) -> dict:
    records = load(EVAL_DIR / name)
    articles = parsed_articles(records) if parsed else [to_article(r) for r in records]
    start = time.perf_counter()
    groups, _ = cluster_articles(articles, settings)
    seconds = time.perf_counter() - start
    predicted = labels_of(groups, len(articles))
    truth = [r["event_id"] for r in records]
    return {
        "file": name,
        "bcubed": bcubed(truth, predicted),
        "pairwise": pairwise(truth, predicted),
        "seconds": seconds,
        "groups": len(groups),
    }


def letters(k: int) -> str:
    """A pronounceable-enough word for number k (digits would be read as figures)."""
    out = ""
    while True:
        k, r = divmod(k, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[r]
        if not k:
            return out + "an"


def synthetic(n: int, seed: int = 7) -> list[Article]:
    """n generated articles, about 2.5 per event, over two years: a scale test, not a
    quality one (the texts are word salad drawn from a shared Zipf-like vocabulary)."""
    rng = random.Random(seed)
    common = [letters(k) for k in range(20_000)]
    weights = [1.0 / (k + 1) for k in range(len(common))]
    places = [letters(k).title() + "ville" for k in range(3_000)]
    people = [f"{letters(k).title()} {letters(k % 997).title()}son" for k in range(50_000)]
    articles, start = [], dt.date(2022, 1, 1)
    while len(articles) < n:
        day = start + dt.timedelta(days=rng.randrange(730))
        topic = rng.sample(common, 60)
        who, where = rng.sample(people, 2), rng.choice(places)
        for _ in range(rng.choice([1, 1, 2, 3, 4, 5])):
            words = rng.sample(topic, 45) + rng.choices(common, weights, k=80)
            text = f"{who[0]} and {who[1]} in {where}. " + " ".join(words)
            published = day + dt.timedelta(days=rng.choice([0, 0, 1, 2]))
            articles.append(Article(
                path=f"a{len(articles):06d}.md", story="", title=" ".join(topic[:8]),
                content=Body.of(text), source=f"outlet{rng.randrange(300)}",
                published=dt.datetime(published.year, published.month, published.day),
                event_date=PartialDate.of(published)))
    return articles[:n]


def time_synthetic(n: int, settings: MergeSettings) -> None:
    articles = synthetic(n)
    start, cpu = time.perf_counter(), time.process_time()
    groups, _ = cluster_articles(articles, settings)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"synthetic {n:>7} articles: {len(groups)} events in {seconds:.1f} s ({cpu:.1f} s CPU)")


QUOTE_LINE = re.compile(r'^"(.+?)," (.+?) told reporters in (\w+)\.', re.M)


def archive(n: int) -> tuple[list[Article], list[str]]:
    """bench/make_corpus.py's archive of n articles, parsed as the build parses it, and a
    proxy truth: each generated story has its own quotation line, so articles sharing
    that line report one story (make_corpus does not write its truth out)."""
    from make_corpus import write_corpus

    from generator.discover import discover
    from generator.parse import read_article

    with tempfile.TemporaryDirectory(prefix="dateline-archive-") as tmp:
        write_corpus(n, Path(tmp))
        found = discover(Path(tmp))
        articles = [read_article(f.path, f.rel, f.story)[0] for f in found.articles]
    truth = [QUOTE_LINE.search(a.text).group(0) for a in articles]
    return articles, truth


def time_archive(n: int, settings: MergeSettings) -> None:
    """Events found against the proxy truth, B-cubed, and the merge's CPU and wall time."""
    articles, truth = archive(n)
    start, cpu = time.perf_counter(), time.process_time()
    groups, _ = cluster_articles(articles, settings)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    predicted = labels_of(groups, len(articles))
    b3, pw = bcubed(truth, predicted), pairwise(truth, predicted)
    print(f"archive {n:>7}: {len(groups)} events (truth {len(set(truth))}), "
          f"largest {max(len(g[0]) for g in groups)}; B3 P/R/F1 "
          + " ".join(f"{x:.3f}" for x in b3) + "; pairwise " + " ".join(f"{x:.3f}" for x in pw)
          + f"; {cpu:.1f} s CPU, {seconds:.1f} s wall ({1000 * cpu / n:.2f} ms CPU/article)",
          flush=True)


def parse_settings(pairs: Sequence[str]) -> MergeSettings:
    defaults = MergeSettings()
    changes = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        changes[key] = type(getattr(defaults, key))(value)
    return dataclasses.replace(defaults, **changes)


def oracle(records: Sequence[dict], window: int) -> list[int]:
    """The best any merge limited to `window` days can do: the labels' own events, cut
    wherever a report is more than `window` days from every other report of the event."""
    parent = list(range(len(records)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    days = [dt.date.fromisoformat(r["date"]).toordinal() for r in records]
    by_event: dict[str, list[int]] = defaultdict(list)
    for k, record in enumerate(records):
        by_event[record["event_id"]].append(k)
    for members in by_event.values():
        for a, b in itertools.combinations(members, 2):
            if abs(days[a] - days[b]) <= window:
                parent[root(a)] = root(b)
    return [root(k) for k in range(len(records))]


def print_oracle(files: Sequence[str]) -> None:
    windows = (1, 3, 7, 14, 30, 60, 365)
    print(f"{'ceiling B3 F1 within N days':30}" + "".join(f"{w:>7}" for w in windows))
    for name in files:
        records = load(EVAL_DIR / name)
        truth = [r["event_id"] for r in records]
        scores = [bcubed(truth, oracle(records, w))[2] for w in windows]
        print(f"{name:30}" + "".join(f"{x:7.3f}" for x in scores))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=FILES)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--synthetic", type=int, action="append", default=[], metavar="N",
                        help="time the merge of N generated articles instead")
    parser.add_argument("--archive", type=int, action="append", default=[], metavar="N",
                        help="merge N articles of bench/make_corpus.py's archive instead")
    parser.add_argument("--parsed", action="store_true",
                        help="parse the records as the build does (dates read from the text)")
    parser.add_argument("--oracle", action="store_true",
                        help="print the best B3 F1 reachable when linking within N days")
    args = parser.parse_args(argv)
    if args.oracle:
        return print_oracle(args.files)
    settings = parse_settings(args.set)
    for n in args.synthetic:
        time_synthetic(n, settings)
    for n in args.archive:
        time_archive(n, settings)
    if args.synthetic or args.archive:
        return
    heads = ("B3 P", "B3 R", "B3 F1", "pw P", "pw R", "pw F1", "s")
    print(f"{'file':26} " + " ".join(f"{h:>6}" for h in heads))
    for name in args.files:
        row = evaluate(name, settings, args.parsed)
        figures = " ".join(f"{x:6.3f}" for x in (*row["bcubed"], *row["pairwise"]))
        print(f"{name:26} {figures} {row['seconds']:6.2f}")


if __name__ == "__main__":
    main()
